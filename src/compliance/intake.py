"""Intake of filled workbooks that arrive as files (the web app's upload): read, score,
and check them against each other, exactly as ``compliance import`` does, before anything
is stored.

    checked = check_file(path, catalog, name="文峰.xlsx")
    if checked.ok: ...          # checked.scored: the assessments, scored by the engine

The findings name the file by ``name`` (what the user called it), not by the temporary
path it was saved under.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compliance.catalog import Catalog
from compliance.findings import Finding, errors_of
from compliance.rubric import ResolvedRubric
from compliance.scoring import Assessment, ScoreCard, evaluate
from compliance.units import UnitsFile
from compliance.workbook import read_workbook


@dataclass(frozen=True, slots=True)
class Scored:
    name: str
    sha256: str
    rubric: ResolvedRubric
    assessment: Assessment
    card: ScoreCard

    @property
    def key(self) -> tuple[str, str, str]:
        meta = self.assessment.meta
        return meta.unit.code, meta.round, str(meta.kind)

    @property
    def content(self) -> tuple:
        return self.rubric.content_hash, self.assessment.meta, self.assessment.items, self.assessment.bonus


@dataclass(frozen=True, slots=True)
class FileCheck:
    name: str
    sha256: str
    size: int
    scored: tuple[Scored, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return errors_of(self.findings)

    @property
    def ok(self) -> bool:
        return not self.errors


def _renamed(finding: Finding, path: Path, name: str) -> Finding:
    file = finding.file
    if file == str(path) or file == path.name:
        file = name
    return dataclasses.replace(finding, file=file)


def check_file(
    path: Path,
    catalog: Catalog,
    *,
    name: str | None = None,
    units: UnitsFile | Path | None = None,
    allow_incomplete: bool = False,
) -> FileCheck:
    """Every assessment of one workbook, scored, and every finding of the file (in one pass)."""
    name = name or path.name
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    pairs, findings = read_workbook(path, catalog, units=units, allow_incomplete=allow_incomplete)
    findings = [_renamed(f, path, name) for f in findings]
    scored = []
    if not errors_of(findings):
        for rubric, assessment in pairs:
            card, more = evaluate(rubric, assessment, allow_incomplete=allow_incomplete)
            findings += [_renamed(f, path, name) for f in more]
            if card is not None:
                scored.append(Scored(name, sha, rubric, assessment, card))
    if errors_of(findings):
        scored = []
    return FileCheck(name, sha, len(data), tuple(scored), tuple(findings))


def clashes(scored: Sequence[Scored]) -> list[str]:
    """Two different workbooks for one unit, round and kind in the same batch."""
    first: dict[tuple[str, str, str], Scored] = {}
    messages = []
    for s in scored:
        seen = first.setdefault(s.key, s)
        if seen.content != s.content:
            code, round_, kind = s.key
            messages.append(
                f"“{seen.name}”与“{s.name}”都是单位 {code} {round_} {kind} 的检查表，但内容不同：请只保留一份"
            )
    return messages
