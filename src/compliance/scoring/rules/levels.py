"""``levels`` (等级评定): the 结论 is one of the rubric's labels; earned = p × fraction, or
with ``level_points`` the label's own points (so thirds are exact). Inputs: own 结论.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from compliance.numbers import fmt
from compliance.scoring.inputs import ItemInput
from compliance.scoring.results import Result, normalise, parse_result
from compliance.scoring.rules.base import (
    BAD,
    NOT_INSPECTED,
    Column,
    Context,
    Outcome,
    RuleUnit,
    _Bad,
    share,
)
from compliance.scoring.rules.excel import RowCells, SheetContext, excel_number, quoted
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem


@dataclass(frozen=True, slots=True)
class Levels(RuleUnit):
    """``labels`` pairs each label with its fraction of p, or (``absolute``) its points."""

    labels: tuple[tuple[str, Decimal], ...]
    absolute: bool = False
    name: ClassVar[str] = "levels"
    label: ClassVar[str] = "等级评定"
    own: ClassVar[tuple[Column, ...]] = ("result",)

    def fraction(self, label: str) -> Decimal | None:
        """The label's fraction (v1 ``levels``) or points (``level_points``)."""
        return dict(self.labels).get(label)

    def earned(self, label: str, points: Decimal) -> Decimal | None:
        value = dict(self.labels).get(label)
        if value is None:
            return None
        return value if self.absolute else points * value

    def describe(self, points: Decimal) -> str:
        if self.absolute:
            return "按等级：" + "、".join(f"{label} {fmt(value, 4)} 分" for label, value in self.labels)
        return "按等级：" + "、".join(f"{label} {fmt(value * 100)}%" for label, value in self.labels)

    def accepted(self) -> str:
        return "、".join(label for label, _ in self.labels)

    def _label(self, raw: str) -> str | None:
        return next((label for label, _ in self.labels if normalise(label) == raw), None)

    def read_result(
        self, item: ScoredItem, own: ItemInput | None, ctx: Context
    ) -> str | Result | _Bad | None:
        if own is None or not own.result:
            return None
        raw = normalise(own.result)
        label = self._label(raw)
        if label is not None:
            return label
        if parse_result(raw) is Result.NA:
            return Result.NA
        ctx.report(
            own.cell("result"),
            f"条目 {item.code} 的结论“{own.result}”无法识别；应为本条的等级之一：{self.accepted()}，或 不适用",
        )
        return BAD

    def entered(self, own: ItemInput | None) -> str | None:
        if own is None or not own.result:
            return None
        raw = normalise(own.result)
        label = self._label(raw)
        return label if label is not None else RuleUnit.entered(self, own)

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        """A label first, compared exactly as import does (``text`` is the normalised 结论),
        then 不适用; anything else is an error."""
        t, r, p = cells.text, cells.result, cells.points
        formula = f'IF({r}="{Result.NA}",{ctx.na(cells)},{ctx.error})'
        for label, value in reversed(self.labels):
            earned = excel_number(value) if self.absolute else f"{p}*{excel_number(value)}"
            formula = f"IF(EXACT({t},{quoted(normalise(label))}),{earned},{formula})"
        return f'IF({t}="","",{formula})'

    def judge(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        parsed: str | None,
        ctx: Context,
    ) -> Outcome | None:
        if parsed is None:
            return NOT_INSPECTED
        p = item.points
        value = dict(self.labels)[parsed]
        if self.absolute:
            return Outcome(ItemStatus.SCORED, parsed, value, f"评定“{parsed}”，得 {fmt(value)} 分")
        earned = p * value
        return Outcome(
            ItemStatus.SCORED,
            parsed,
            earned,
            f"评定“{parsed}”（{share(value)}），得 {fmt(p)} × {fmt(value, 4)} = {fmt(earned)} 分",
        )
