"""``check`` (符合性判定): 符合 → p; 基本符合 → p × partial_credit; 不符合 → 0 (SPEC §3.1).

Inputs: the item's own 结论, one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from compliance.numbers import fmt
from compliance.scoring.inputs import ItemInput
from compliance.scoring.results import Result
from compliance.scoring.rules.base import NOT_INSPECTED, ZERO, Column, Context, Outcome, RuleUnit
from compliance.scoring.rules.excel import RowCells, SheetContext, check_cell
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem


def check_earned(result: Result, points: Decimal, partial_credit: Decimal) -> Decimal:
    """The check arithmetic, shared with ``criteria`` (each criterion is a small check)."""
    if result is Result.PASS:
        return points
    if result is Result.PARTIAL:
        return points * partial_credit
    return ZERO


@dataclass(frozen=True, slots=True)
class Check(RuleUnit):
    name: ClassVar[str] = "check"
    label: ClassVar[str] = "符合性判定"
    own: ClassVar[tuple[Column, ...]] = ("result",)

    def describe(self, points: Decimal) -> str:
        return f"符合得 {fmt(points)} 分，基本符合得部分分，不符合不得分"

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        return ctx.own_result(cells, check_cell(cells.result, cells.points, ctx))

    def judge(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        parsed: str | None,
        ctx: Context,
    ) -> Outcome | None:
        p = item.points
        if parsed is None:
            return NOT_INSPECTED
        earned = check_earned(Result(parsed), p, ctx.partial_credit)
        if parsed is Result.PASS:
            words = f"符合，得 {fmt(p)} 分"
        elif parsed is Result.PARTIAL:
            words = f"基本符合，得 {fmt(p)} × {fmt(ctx.partial_credit, 4)} = {fmt(earned)} 分"
        else:
            words = f"不符合，扣 {fmt(p)} 分"
        return Outcome(ItemStatus.SCORED, parsed, earned, words)
