"""What every rule unit shares: the outcome it returns, the context it reads, the words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from compliance.numbers import fmt
from compliance.scoring.inputs import ItemInput
from compliance.scoring.results import ACCEPTED_TEXT, Result, normalise, parse_result
from compliance.scoring.scorecard import ItemStatus

if TYPE_CHECKING:
    from compliance.rubric import ScoredItem
    from compliance.scoring.rules.excel import RowCells, SheetContext

ZERO = Decimal(0)
Column = Literal["result", "count", "measured", "score"]
"""An input column of the 检查表 sheet: 结论, 问题数, 实测值, 得分."""


@dataclass(frozen=True, slots=True)
class Part:
    """One input row directly under an item (a trigger or a criterion), coded ``2.4/1``."""

    index: int  # 1-based: the number after the slash
    text: str  # the trigger's name or the criterion's text
    column: Column  # the cell of that row the inspector fills
    points: Decimal  # a criterion's points, or a trigger's deduction per occurrence


def part_code(code: str, index: int) -> str:
    """The 编号 of an item's ``index``-th input row: ``2.4`` and 1 → ``2.4/1``."""
    return f"{code}/{index}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a rule made of one item's inputs. ``result`` is the verdict shown in reports
    (符合 / 基本符合 / 不符合 / 不适用 / a levels label); ``words`` the arithmetic."""

    status: ItemStatus
    result: str | None
    earned: Decimal
    words: str


NOT_INSPECTED = Outcome(ItemStatus.NOT_INSPECTED, None, ZERO, "未检查，按 0 分计")


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule needs from the rubric and the engine besides its own parameters."""

    partial_credit: Decimal
    na_policy: str
    report: Callable[[str | None, str], None]  # (cell, message): an error finding

    def na(self, item: ScoredItem) -> Outcome:
        if self.na_policy == "full_marks":
            return Outcome(
                ItemStatus.NOT_APPLICABLE,
                Result.NA,
                item.points,
                f"不适用（合理缺项），按满分 {fmt(item.points)} 分计",
            )
        return Outcome(ItemStatus.NOT_APPLICABLE, Result.NA, ZERO, "不适用（合理缺项），不计入应得分")


def share(rate: Decimal) -> str:
    """A rubric's own threshold or fraction as written: 0.9 → 90%, 0.875 → 87.5% (not 88%)."""
    return f"{fmt(rate * 100, 4)}%"


def entered(value: Decimal, places: int = 4) -> str:
    """A number the inspector typed, for the words: rounded like ``fmt``, except absurd
    magnitudes (``1E+30`` typed in Excel), which read better as typed than as 31 digits."""
    return str(value) if value.is_finite() and value.adjusted() >= 15 else fmt(value, places)


def whole_count(value: Decimal) -> bool:
    return value >= 0 and value == value.to_integral_value()


class _Bad:
    """Marks an entry the rule cannot use (a finding says why)."""


BAD = _Bad()


class RuleUnit:
    """The base of every rule unit: reading the item's own 结论 and the common cases.

    A unit is a frozen dataclass holding the rule's parameters from the rubric. The engine
    calls :meth:`outcome` once per item with the item's own row and its part rows.
    """

    name: ClassVar[str]  # the rubric's ``rule`` value
    label: ClassVar[str]  # the rule's Chinese name
    own: ClassVar[tuple[Column, ...]]  # the columns of the item's own row the rule reads

    def parts(self) -> tuple[Part, ...]:
        """The input rows under the item, in the rubric's order (none for most rules)."""
        return ()

    def describe(self, points: Decimal) -> str:
        """The rule in the words of a 评分细则 column (评分方式), without the item's
        ``scoring_text`` (which, when given, is shown instead: see ``ScoredItem.method_text``)."""
        raise NotImplementedError

    def excel_formula(self, item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
        """The live formula (no leading ``=``) of the item's earned points on the checklist,
        computing what :meth:`judge` computes from the cells' helpers (see
        :mod:`compliance.scoring.rules.excel`): kept beside the arithmetic so the sheet and
        the engine cannot drift apart."""
        raise NotImplementedError

    # --- scoring ------------------------------------------------------------------------

    def accepted(self) -> str:
        return ACCEPTED_TEXT

    def read_result(
        self, item: ScoredItem, own: ItemInput | None, ctx: Context
    ) -> str | Result | _Bad | None:
        """The own row's 结论: a Result, None when blank, BAD when unrecognised."""
        if own is None or not own.result:
            return None
        parsed = parse_result(normalise(own.result))
        if parsed is None:
            ctx.report(
                own.cell("result"),
                f"条目 {item.code} 的结论“{own.result}”无法识别；可填：{self.accepted()}",
            )
            return BAD
        return parsed

    def outcome(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        ctx: Context,
    ) -> Outcome | None:
        """The outcome of one item, or None when its entry is unusable (a finding says why)."""
        parsed = self.read_result(item, own, ctx)
        if parsed is BAD:
            return None
        if parsed is Result.NA:
            return ctx.na(item)
        return self.judge(item, own, parts, parsed, ctx)

    def judge(
        self,
        item: ScoredItem,
        own: ItemInput | None,
        parts: tuple[ItemInput | None, ...],
        parsed: str | None,
        ctx: Context,
    ) -> Outcome | None:
        raise NotImplementedError

    def entered(self, own: ItemInput | None) -> str | None:
        """The own row's 结论 as entered, normalised (JSON ``result``); never inferred."""
        if own is None or not own.result:
            return None
        parsed = parse_result(normalise(own.result))
        return str(parsed) if parsed is not None else normalise(own.result)


def verdict(earned: Decimal, points: Decimal) -> Result:
    """The verdict a number-scored item shows: full marks 符合, nothing 不符合, else 基本符合."""
    return Result.PASS if earned == points else Result.FAIL if earned == 0 else Result.PARTIAL
