"""``criteria`` (分项计分): additive sub-criteria inside one item.

Inputs: one row per criterion (``3.1/1``…) with its own 结论 (符合 / 基本符合 / 不符合, the
``check`` arithmetic on the criterion's points); 不适用 on a criterion is an error, the
item as a whole is 不适用 through its own row's 结论. earned = Σ over the criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from compliance.numbers import fmt
from compliance.scoring.inputs import ItemInput
from compliance.scoring.results import ACCEPTED_TEXT, Result, normalise, parse_result
from compliance.scoring.rules.base import (
    NOT_INSPECTED,
    ZERO,
    Column,
    Context,
    Outcome,
    Part,
    RuleUnit,
    part_code,
    verdict,
)
from compliance.scoring.rules.check import check_earned
from compliance.scoring.rules.excel import BAD, RowCells, SheetContext, check_cell, excel_number
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem


@dataclass(frozen=True, slots=True)
class Criterion:
    text: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class Criteria(RuleUnit):
    criteria: tuple[Criterion, ...]
    name: ClassVar[str] = "criteria"
    label: ClassVar[str] = "分项计分"
    own: ClassVar[tuple[Column, ...]] = ("result",)

    def parts(self) -> tuple[Part, ...]:
        return tuple(Part(i, c.text, "result", c.points) for i, c in enumerate(self.criteria, start=1))

    def describe(self, points: Decimal) -> str:
        return "分项计分：" + "；".join(f"{c.text} {fmt(c.points)} 分" for c in self.criteria)

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        """Σ of the criteria's check arithmetic; a criterion 不适用 or unreadable is an
        error, one blank leaves the item not inspected."""
        parts = cells.parts
        refused = ",".join(f'{c.result}="{Result.NA}",{c.result}="{BAD}"' for c in parts)
        blank = ",".join(f'{c.result}=""' for c in parts)
        total = "+".join(
            check_cell(c.result, excel_number(criterion.points), ctx)
            for c, criterion in zip(parts, self.criteria, strict=True)
        )
        return ctx.own_result(cells, f'IF(OR({refused}),{ctx.error},IF(OR({blank}),"",{total}))')

    def judge(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        parsed: str | None,
        ctx: Context,
    ) -> Outcome | None:
        results: list[Result] = []
        blank, usable = False, True
        for index, (criterion, entry) in enumerate(zip(self.criteria, parts, strict=True), start=1):
            code = part_code(item.code, index)
            if entry is None or not entry.result:
                blank = True
                continue
            result = parse_result(normalise(entry.result))
            if result is None:
                ctx.report(
                    entry.cell("result"),
                    f"条目 {code}（{criterion.text}）的结论“{entry.result}”无法识别；"
                    f"可填：{ACCEPTED_TEXT.split('、不适用')[0]}",
                )
                usable = False
            elif result is Result.NA:
                ctx.report(
                    entry.cell("result"),
                    f"条目 {code}（{criterion.text}）不能单独填“不适用”：整条不适用请在条目 {item.code} 本行的结论填写",
                )
                usable = False
            else:
                results.append(result)
        if not usable:
            return None
        if blank:
            return NOT_INSPECTED
        earned_each = [
            check_earned(r, c.points, ctx.partial_credit) for r, c in zip(results, self.criteria, strict=True)
        ]
        earned = sum(earned_each, ZERO)
        terms = "；".join(
            f"{c.text} {r} {fmt(e)}/{fmt(c.points)}"
            for c, r, e in zip(self.criteria, results, earned_each, strict=True)
        )
        words = f"{terms}，合计 {' + '.join(fmt(e) for e in earned_each)} = {fmt(earned)} 分"
        return Outcome(ItemStatus.SCORED, verdict(earned, item.points), earned, words)
