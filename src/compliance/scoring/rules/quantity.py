"""``quantity`` (按数量计分): a measured value v (实测值, number ≥ 0) against the rubric.

Modes: ``proportional`` p × min(1, v / target); ``threshold`` p if v ≥ target else 0;
``shortfall`` p when v ≥ target, else max(0, p − per × steps) with steps = (target − v) ÷ step
(``exact``, rounded up for ``started``, down for ``completed``); ``bands`` the points of the
first band whose min ≤ v. ``unit`` is the unit of v as typed (``%``: 66.5 means 66.5 %).
Inputs: the own row's 实测值; its 结论 only makes the item 不适用.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

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
from compliance.scoring.rules.excel import BAD, RowCells, SheetContext, excel_number
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem

Steps = Literal["exact", "started", "completed"]


def with_unit(value: str, unit: str | None) -> str:
    if not unit:
        return value
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}"


class _Measured(RuleUnit):
    """The common input of every quantity mode: one 实测值 ≥ 0 on the item's own row."""

    name: ClassVar[str] = "quantity"
    label: ClassVar[str] = "按数量计分"
    own: ClassVar[tuple[Column, ...]] = ("result", "measured")
    unit: str | None

    def judge(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        parsed: str | None,
        ctx: Context,
    ) -> Outcome | None:
        v = own.measured if own is not None else None
        if v is None:
            if parsed is None:
                return NOT_INSPECTED
            ctx.report(own.cell("measured"), f"条目 {item.code} 按数量计分，应填写实测值（不小于 0 的数）")
            return None
        if v < 0:
            ctx.report(own.cell("measured"), f"条目 {item.code} 的实测值得到 {entered(v)}，应为不小于 0 的数")
            return None
        earned, words = self.measure(item.points, v)
        return Outcome(ItemStatus.SCORED, verdict(earned, item.points), earned, words)

    def excel_measured(self, cells: RowCells, ctx: SheetContext, earned: str) -> str:
        """``earned`` (a formula of the 实测值 helper) once the value is there and ≥ 0;
        the 实测值 helper already reads 95.2 % as 95.2 for a % unit."""
        v, r = cells.measured, cells.result
        judged = (
            f'IF({v}="{BAD}",{ctx.error},IF({v}="",IF({r}="","",{ctx.error}),IF({v}<0,{ctx.error},{earned})))'
        )
        return ctx.own_result(cells, judged)

    def measure(self, points: Decimal, v: Decimal) -> tuple[Decimal, str]:
        raise NotImplementedError

    def shown(self, value: Decimal, places: int = 4) -> str:
        return with_unit(entered(value, places), self.unit)


@dataclass(frozen=True, slots=True)
class Quantity(_Measured):
    """The v1 modes: ``proportional`` and ``threshold``."""

    target: Decimal
    mode: Literal["proportional", "threshold"] = "proportional"
    unit: str | None = None

    def describe(self, points: Decimal) -> str:
        target = with_unit(fmt(self.target, 4), self.unit)
        if self.mode == "threshold":
            return f"达到 {target} 得 {fmt(points)} 分，否则不得分"
        return f"按实测值 ÷ {target} 比例计分"

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        v, p, t = cells.measured, cells.points, excel_number(self.target)
        earned = f"IF({v}>={t},{p},0)" if self.mode == "threshold" else f"IF({v}>={t},{p},{p}*{v}/{t})"
        return self.excel_measured(cells, ctx, earned)

    def measure(self, points: Decimal, v: Decimal) -> tuple[Decimal, str]:
        target = self.target
        if self.mode == "threshold":
            if v >= target:
                return points, f"实测 {self.shown(v)}，达到目标 {self.shown(target)}，得 {fmt(points)} 分"
            return ZERO, f"实测 {self.shown(v)}，未达到目标 {self.shown(target)}，不得分"
        # p × v first, then one division: 3 × 5 / 15 is exactly 1 (3 × (5 / 15) is 0.99…9).
        earned = points if v >= target else points * v / target
        return earned, f"实测 {self.shown(v)} / 目标 {self.shown(target)}，得 {fmt(earned)} 分"


@dataclass(frozen=True, slots=True)
class Shortfall(_Measured):
    """``mode: shortfall``: 达到 target 得满分；每少 step 扣 per 分."""

    target: Decimal
    per: Decimal
    step: Decimal = Decimal(1)
    steps: Steps = "exact"
    unit: str | None = None
    mode: ClassVar[str] = "shortfall"

    def _gap_unit(self) -> str:
        return "个百分点" if self.unit == "%" else (f" {self.unit}" if self.unit else "")

    def describe(self, points: Decimal) -> str:
        step = "" if self.step == 1 else fmt(self.step, 4)
        gap = f"{step}{self._gap_unit()}" if self.unit else (f"{step} " if step else "")
        rounding = {"exact": "", "started": "（不足一档按一档计）", "completed": "（不足一档不扣）"}[
            self.steps
        ]
        per_what = f"每少{gap}" if gap else "每少 1"
        return (
            f"达到 {with_unit(fmt(self.target, 4), self.unit)} 得 {fmt(points)} 分；"
            f"未达到的，{per_what}扣 {fmt(self.per)} 分{rounding}，扣完为止"
        )

    def count_steps(self, gap: Decimal) -> Decimal:
        steps = gap / self.step
        if self.steps == "started":
            return steps.to_integral_value(rounding=ROUND_CEILING)
        if self.steps == "completed":
            return steps.to_integral_value(rounding=ROUND_FLOOR)
        return steps

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        v, p, t = cells.measured, cells.points, excel_number(self.target)
        # ROUND(…, 9) first: binary noise must not push 1.9999999 down to 1 step (or 2.0000001 up to 3)
        steps = f"ROUND(({t}-{v})/{excel_number(self.step)},9)"
        if self.steps == "started":
            steps = f"ROUNDUP({steps},0)"
        elif self.steps == "completed":
            steps = f"ROUNDDOWN({steps},0)"
        earned = f"IF({v}>={t},{p},MAX(0,{p}-{excel_number(self.per)}*{steps}))"
        return self.excel_measured(cells, ctx, earned)

    def measure(self, points: Decimal, v: Decimal) -> tuple[Decimal, str]:
        if v >= self.target:
            return points, f"实测 {self.shown(v)}，达到目标 {self.shown(self.target)}，得 {fmt(points)} 分"
        gap = self.target - v
        steps = self.count_steps(gap)
        lost = self.per * steps
        earned = max(ZERO, points - lost)
        shown_gap = f"{entered(gap)}{self._gap_unit()}"
        step_words = (
            f"{entered(steps)} 档"
            if self.step == 1 and self.steps == "exact"
            else f"{entered(gap)} ÷ {fmt(self.step, 4)} = {entered(gap / self.step)}，计 {entered(steps)} 档"
        )
        words = (
            f"实测 {self.shown(v)}，比目标 {self.shown(self.target)} 少 {shown_gap}，{step_words} × "
            f"每档 {fmt(self.per)} 分 = {fmt(lost)} 分"
        )
        words += "，扣完为止，得 0 分" if lost > points else f"，得 {fmt(earned)} 分"
        return earned, words


@dataclass(frozen=True, slots=True)
class Band:
    min: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class Bands(_Measured):
    """``mode: bands``: the points of the first band whose min ≤ v (min strictly descending)."""

    bands: tuple[Band, ...]
    unit: str | None = None
    mode: ClassVar[str] = "bands"

    def describe(self, points: Decimal) -> str:
        return "按档计分：" + "；".join(
            f"≥{with_unit(fmt(b.min, 4), self.unit)} 得 {fmt(b.points)} 分" for b in self.bands
        )

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        v = cells.measured
        earned = "0"  # the last band starts at 0: never reached for v ≥ 0
        for band in reversed(self.bands):
            earned = f"IF({v}>={excel_number(band.min)},{excel_number(band.points)},{earned})"
        return self.excel_measured(cells, ctx, earned)

    def measure(self, points: Decimal, v: Decimal) -> tuple[Decimal, str]:
        band = next(b for b in self.bands if v >= b.min)
        return band.points, (
            f"实测 {self.shown(v)}，落在“≥{with_unit(fmt(band.min, 4), self.unit)}”档，得 {fmt(band.points)} 分"
        )
