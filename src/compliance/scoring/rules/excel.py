"""What a rule unit's ``excel_formula`` works with: the cells of its rows and the marks.

The checklist (``compliance.workbook``) gives every input cell a hidden helper that reads
it the way import does, and hands a rule the helpers' references in :class:`RowCells`:
``result`` holds the canonical 结论 (符合 / 基本符合 / 不符合 / 不适用, ``""`` when blank,
:data:`BAD` when it is none of the accepted values), ``text`` the normalised 结论 (for
levels labels, compared exactly), ``count`` / ``measured`` / ``score`` the numbers typed
in 问题数 / 实测值 / 得分 (a number, ``""`` when blank, :data:`BAD` when no number). A
formula returns the item's 得分 as the engine's ``judge`` computes it: a number, ``""``
while not inspected, :data:`NA_MARK` for 不适用 under ``na_policy: exclude``, or
:data:`ERROR_MARK` where the engine refuses the input.

Formulas use only what Excel 2007+, WPS and LibreOffice all have: no dynamic arrays, no
LET/LAMBDA, no MATCH (its wildcards would take ``?`` for any character).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compliance.scoring.results import Result

ERROR_MARK = "有误"
NA_MARK = "不适用"
BAD = "#"


def excel_number(value: Decimal) -> str:
    """A Decimal as an Excel literal: ``0.50`` → ``0.5``, never ``5E-1``."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class PartCells:
    """The helpers of one input row under an item (a trigger or a criterion)."""

    result: str
    count: str


@dataclass(frozen=True)
class RowCells:
    """The cells a rule's formula reads for one item (see the module docstring)."""

    points: str
    result: str
    text: str
    count: str
    measured: str
    score: str
    parts: tuple[PartCells, ...] = ()


@dataclass(frozen=True)
class SheetContext:
    """What a formula needs from the rubric besides the rule's own parameters."""

    partial_credit: Decimal
    na_policy: str
    error: str = quoted(ERROR_MARK)

    def na(self, cells: RowCells) -> str:
        """The 得分 of a not-applicable item: its points (full_marks) or the NA mark."""
        return cells.points if self.na_policy == "full_marks" else quoted(NA_MARK)

    def own_result(self, cells: RowCells, judged: str) -> str:
        """What ``RuleUnit.outcome`` does first: an unreadable own 结论 is an error, 不适用
        makes the item not applicable; otherwise ``judged``."""
        r = cells.result
        return f'IF({r}="{BAD}",{self.error},IF({r}="{Result.NA}",{self.na(cells)},{judged}))'

    def invalid_count(self, n: str) -> str:
        """TRUE when the number helper ``n`` holds no whole number ≥ 0 (blank is not invalid)."""
        return f'IF(ISNUMBER({n}),OR({n}<0,{n}<>INT({n})),{n}="{BAD}")'


def check_cell(result: str, points: str, ctx: SheetContext) -> str:
    """The check arithmetic on the canonical 结论 in ``result`` (blank is ``""``)."""
    partial = excel_number(ctx.partial_credit)
    return (
        f'IF({result}="","",IF({result}="{Result.PASS}",{points},'
        f'IF({result}="{Result.PARTIAL}",{points}*{partial},0)))'
    )
