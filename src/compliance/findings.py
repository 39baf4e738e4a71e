"""Findings are data: every problem of an input, with where it is and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of one input file.

    ``line``/``column`` (1-based) locate it in a text file, ``cell`` (``检查表!H12``) in a
    workbook; ``path`` is the place inside a YAML document (``rubric.items."1.1.2".per``).
    """

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    path: str | None = None
    cell: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def where(self) -> str:
        if self.cell:
            return f"{self.file}!{self.cell}"
        if self.line is not None:
            return f"{self.file}:{self.line}:{self.column or 1}"
        return self.file

    def __str__(self) -> str:
        prefix = "" if self.is_error else "警告："
        path = f" {self.path}" if self.path else ""
        return f"{self.where}{path}: {prefix}{self.message}"


class ComplianceError(Exception):
    """A problem the user can fix; its message is Chinese and is shown as is."""


class FindingsError(ComplianceError):
    """Raised when an input has errors; carries all of them, not the first only."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = tuple(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


def errors_of(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.is_error]
