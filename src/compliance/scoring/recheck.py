"""复查 (re-inspection, SPEC §5): after a 考评 the squad fixes what failed and the bureau
re-inspects only those items; every other item keeps its 考评 result.

Pure functions: which items a 复查 covers, how its entries merge with the 考评's, and
the before / after of every re-inspected item and of the totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.rounds import order_key
from compliance.scoring.inputs import Assessment
from compliance.scoring.scorecard import ItemScore, ScoreCard


def recheck_items(audit: ScoreCard) -> tuple[ItemScore, ...]:
    """The items a 复查 of ``audit`` re-inspects: those that lost points, in document order."""
    return tuple(item for item in audit.items if item.lost > 0)


def base_of(audits: Sequence[ScoreCard], round: str) -> ScoreCard | None:
    """The 考评 a 复查 of ``round`` re-scores: the unit's 考评 of that round, else its latest
    考评 of an earlier round; None when there is none (``audits``: one unit's 考评)."""
    same = [a for a in audits if a.meta.round == round]
    if same:
        return same[-1]
    earlier = [a for a in audits if order_key(a.meta.round) < order_key(round)]
    return max(earlier, key=lambda a: order_key(a.meta.round)) if earlier else None


def carry_over(recheck: Assessment, audit: Assessment) -> Assessment:
    """The 复查 as a whole assessment: its own entries, and the 考评's entry for every
    item it does not list (in the rubric's order, as the 考评 had them). Bonus claims are
    the 复查's own (its workbook offers the 考评's claims to keep or change)."""
    own = {entry.code: entry for entry in recheck.items}
    merged = [own.pop(entry.code, entry) for entry in audit.items]
    merged += own.values()  # codes the 考评 did not have: the engine names them
    return Assessment(recheck.meta, tuple(merged), recheck.bonus, recheck.source, recheck.penalties)


@dataclass(frozen=True, slots=True)
class Change:
    """One re-inspected item: its 考评 and its 复查 score."""

    before: ItemScore
    after: ItemScore

    @property
    def gained(self) -> Decimal:
        return self.after.earned - self.before.earned


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    """A unit's 考评 and the 复查 that re-scored it."""

    audit: ScoreCard
    recheck: ScoreCard
    changes: tuple[Change, ...]

    @property
    def score_gained(self) -> Decimal:
        return self.recheck.score - self.audit.score

    @property
    def final_gained(self) -> Decimal:
        return self.recheck.final - self.audit.final

    @property
    def fixed(self) -> int:
        """Re-inspected items now at full marks."""
        return sum(1 for c in self.changes if c.after.lost == 0)


def before_after(audit: ScoreCard, recheck: ScoreCard) -> BeforeAfter:
    """Every item the 考评 lost points on, beside its 复查 result, in document order."""
    after = {item.code: item for item in recheck.items}
    changes = tuple(Change(item, after[item.code]) for item in recheck_items(audit) if item.code in after)
    return BeforeAfter(audit, recheck, changes)
