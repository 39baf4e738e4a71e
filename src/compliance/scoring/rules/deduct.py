"""``deduct`` (按处扣分): a price per problem, or several priced ``triggers`` drawing on one
pool; ``max_deduct`` caps what the item can lose (扣满X分为止).

Inputs: one ``per`` — the own row's 问题数 n (blank with 结论 符合 reads as 0, as in v1).
``triggers`` — one row per trigger (``2.4/1``…) with its 问题数 nᵢ; the own row's 结论 only
makes the item 不适用. Arithmetic: deduction = Σ perᵢ × nᵢ;
earned = max(0, p − min(max_deduct, deduction)) (max_deduct defaults to p).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from compliance.numbers import fmt
from compliance.scoring.inputs import ItemInput
from compliance.scoring.results import Result, normalise, parse_result
from compliance.scoring.rules.base import (
    NOT_INSPECTED,
    ZERO,
    Column,
    Context,
    Outcome,
    Part,
    RuleUnit,
    entered,
    part_code,
    whole_count,
)
from compliance.scoring.rules.excel import BAD, RowCells, SheetContext, excel_number
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    per: Decimal


@dataclass(frozen=True, slots=True)
class Deduct(RuleUnit):
    """``per`` for the v1 single price, or ``triggers`` (then ``per`` is None)."""

    per: Decimal | None
    triggers: tuple[Trigger, ...] = ()
    max_deduct: Decimal | None = None
    name: ClassVar[str] = "deduct"
    label: ClassVar[str] = "按处扣分"

    @property
    def own(self) -> tuple[Column, ...]:
        return ("result",) if self.triggers else ("result", "count")

    def parts(self) -> tuple[Part, ...]:
        return tuple(Part(i, t.name, "count", t.per) for i, t in enumerate(self.triggers, start=1))

    def pool(self, points: Decimal) -> Decimal:
        """The most the item can lose: max_deduct, never more than its points."""
        return points if self.max_deduct is None else min(points, self.max_deduct)

    def describe(self, points: Decimal) -> str:
        if self.triggers:
            prices = "；".join(f"{t.name}每次扣 {fmt(t.per)} 分" for t in self.triggers)
        else:
            prices = f"每处扣 {fmt(self.per)} 分"
        if self.max_deduct is not None and self.max_deduct < points:
            return f"{prices}，最多扣 {fmt(self.max_deduct)} 分"
        return f"{prices}，扣完为止"

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        """max(0, p − min(pool, Σ perᵢ × nᵢ)); one ``per``: a blank 问题数 is 0 with 结论 符合,
        not inspected with no 结论. Triggers: a 不适用 or a bad count in any row is an
        error, one blank count leaves the item not inspected."""
        p = cells.points
        pool = excel_number(self.pool(item.points))
        if self.triggers:
            parts = cells.parts
            refused = ",".join(f'{c.result}="{Result.NA}",{ctx.invalid_count(c.count)}' for c in parts)
            blank = ",".join(f'{c.count}=""' for c in parts)
            raw = "+".join(
                f"{excel_number(t.per)}*{c.count}" for t, c in zip(self.triggers, parts, strict=True)
            )
            judged = f'IF(OR({refused}),{ctx.error},IF(OR({blank}),"",MAX(0,{p}-MIN({pool},{raw}))))'
            return ctx.own_result(cells, judged)
        n, r = cells.count, cells.result
        assert self.per is not None
        blank = f'IF({r}="{Result.PASS}",{p},IF({r}="","",{ctx.error}))'
        judged = (
            f'IF({n}="{BAD}",{ctx.error},IF({n}="",{blank},'
            f"IF(OR({n}<0,{n}<>INT({n})),{ctx.error},MAX(0,{p}-MIN({pool},{excel_number(self.per)}*{n})))))"
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
        if self.triggers:
            return self._triggers(item, parts, ctx)
        n = own.count if own is not None else None
        if n is None:
            if parsed is Result.PASS:
                n = ZERO
            elif parsed is None:
                return NOT_INSPECTED
            else:
                ctx.report(
                    own.cell("count") if own else None,
                    f"条目 {item.code} 按处扣分，结论为“{parsed}”时应填写问题数（不小于 0 的整数）",
                )
                return None
        if not whole_count(n):
            ctx.report(own.cell("count"), f"条目 {item.code} 的问题数得到 {n}，应为不小于 0 的整数")
            return None
        per = self.per
        assert per is not None
        raw = per * n
        lost = min(self.pool(item.points), raw)
        words = f"问题数 {entered(n, 0)} × 每处 {fmt(per)} 分，扣 {fmt(lost)} 分"
        if raw > lost:
            words = (
                f"问题数 {entered(n, 0)} × 每处 {fmt(per)} 分 = {entered(raw, 2)} 分，"
                f"{self._capped(item.points)}，扣 {fmt(lost)} 分"
            )
        return Outcome(
            ItemStatus.SCORED, parsed or (Result.PASS if n == 0 else Result.FAIL), item.points - lost, words
        )

    def _capped(self, points: Decimal) -> str:
        if self.max_deduct is not None and self.max_deduct < points:
            return f"超过最多扣分 {fmt(self.max_deduct)} 分"
        return "扣完为止"

    def _triggers(
        self, item: ScoredItem, parts: tuple[ItemInput | None, ...], ctx: Context
    ) -> Outcome | None:
        counts: list[Decimal] = []
        blank = False
        usable = True
        for trigger, entry, index in zip(self.triggers, parts, range(1, len(parts) + 1), strict=True):
            code = part_code(item.code, index)
            if entry is not None and entry.result and _parsed(entry.result) == Result.NA:
                ctx.report(
                    entry.cell("result"),
                    f"条目 {code}（{trigger.name}）不能单独填“不适用”：整条不适用请在条目 {item.code} 本行的结论填写",
                )
                usable = False
                continue
            n = entry.count if entry is not None else None
            if n is None:
                blank = True
                continue
            if not whole_count(n):
                ctx.report(
                    entry.cell("count"),
                    f"条目 {code}（{trigger.name}）的问题数得到 {entered(n)}，应为不小于 0 的整数",
                )
                usable = False
                continue
            counts.append(n)
        if not usable:
            return None
        if blank:
            return NOT_INSPECTED
        raw = sum((t.per * n for t, n in zip(self.triggers, counts, strict=True)), ZERO)
        lost = min(self.pool(item.points), raw)
        terms = " + ".join(
            f"{t.name} {entered(n, 0)} 次 × {fmt(t.per)} 分"
            for t, n in zip(self.triggers, counts, strict=True)
        )
        words = f"{terms} = {fmt(raw)} 分"
        words += f"，{self._capped(item.points)}，扣 {fmt(lost)} 分" if raw > lost else f"，扣 {fmt(lost)} 分"
        return Outcome(ItemStatus.SCORED, Result.PASS if raw == 0 else Result.FAIL, item.points - lost, words)


def _parsed(text: str) -> Result | None:
    return parse_result(normalise(text))
