"""``manual`` (人工评分): the inspector enters the score s, 0 ≤ s ≤ p, in 得分 (own row)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from compliance.numbers import fmt
from compliance.scoring.inputs import ItemInput
from compliance.scoring.rules.base import (
    NOT_INSPECTED,
    ZERO,
    Column,
    Context,
    Outcome,
    RuleUnit,
    entered,
    verdict,
)
from compliance.scoring.rules.excel import BAD, RowCells, SheetContext
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem


@dataclass(frozen=True, slots=True)
class Manual(RuleUnit):
    name: ClassVar[str] = "manual"
    label: ClassVar[str] = "人工评分"
    own: ClassVar[tuple[Column, ...]] = ("result", "score")

    def describe(self, points: Decimal) -> str:
        return f"由考评人员评分（0–{fmt(points)} 分）"

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        """The typed 得分 when within 0…p (the hidden earned cell's formula: the visible
        得分 is the input)."""
        s, r, p = cells.score, cells.result, cells.points
        judged = (
            f'IF({s}="{BAD}",{ctx.error},IF({s}="",IF({r}="","",{ctx.error}),'
            f"IF(OR({s}<0,{s}>{p}),{ctx.error},{s})))"
        )
        return ctx.own_result(cells, judged)

    def judge(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        parsed: str | None,
        ctx: Context,
    ) -> Outcome | None:
        p = item.points
        s = own.score if own is not None else None
        if s is None:
            if parsed is None:
                return NOT_INSPECTED
            ctx.report(
                own.cell("score"), f"条目 {item.code} 为人工评分，应在“得分”填写 0 至 {fmt(p)} 之间的分数"
            )
            return None
        if not ZERO <= s <= p:
            ctx.report(
                own.cell("score"), f"条目 {item.code} 的得分 {entered(s)} 超出范围，应在 0 至 {fmt(p)} 之间"
            )
            return None
        return Outcome(ItemStatus.SCORED, verdict(s, p), s, f"人工评分 {fmt(s)} 分")
