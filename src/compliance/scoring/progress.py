"""Progress against dated targets (SPEC §2.4): 达标率 round by round and each milestone.

Pure functions over plain data. Counting rule: after each round, every unit in scope
counts with its latest result so far — its 复查 of a round when it has one, else its
考评 — so a squad found 达标 keeps that status until it is assessed again; the
denominator is every unit in scope, assessed or not. A round is placed in time by the
end of its period (2021H2 → 2021-12-31, SPEC §2.5), which is what a milestone's date is
compared with. A milestone whose date the data has reached is decided (达成 / 未达成,
with who is missing); a later one is 未到期 with how many are still needed — never a
projection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from compliance.scoring.engine import reaches
from compliance.scoring.results import Kind
from compliance.scoring.scorecard import ScoreCard
from compliance.targets import Milestone, Scope
from compliance.units import Unit

ZERO = Decimal(0)


class Status(StrEnum):
    MET = "达成"
    MISSED = "未达成"
    PENDING = "未到期"


@dataclass(frozen=True, slots=True)
class RoundCards:
    """One round of assessments: its id, the date it stands for (the end of its period),
    and its cards (at most one per unit: the 复查 where there is one, else the 考评)."""

    round: str
    date: dt.date
    cards: Sequence[ScoreCard]


@dataclass(frozen=True, slots=True)
class SharePoint:
    round: str
    date: dt.date
    passed: int
    assessed: int  # units with a result so far
    units: int  # the denominator: every unit in scope
    rechecked: int = 0  # units counted by a 复查 result

    @property
    def share(self) -> Decimal:
        return Decimal(self.passed) / Decimal(self.units) if self.units else ZERO


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    """Where the programme stood at a milestone: decided when the data reaches its date,
    from the last round on or before it; pending (the latest standing) otherwise."""

    by: dt.date
    share: Decimal
    status: Status
    needed: int  # units that must be 达标 to reach ``share``
    passed: int
    units: int
    round: str | None  # the round the standing is taken from; None before any round
    missing: tuple[Unit, ...] = ()  # units in scope not 达标 at that standing

    @property
    def short(self) -> int:
        """How many more units had to be (or still must be) 达标."""
        return max(0, self.needed - self.passed)


def in_scope(unit: Unit, scope: Scope) -> bool:
    return all(
        wanted is None or wanted == actual
        for wanted, actual in (
            (scope.city, unit.city),
            (scope.district, unit.district),
            (scope.type, unit.type),
        )
    )


def scope_units(scope: Scope, rounds: Sequence[RoundCards], roster: Iterable[Unit] = ()) -> list[Unit]:
    """The units in scope: the roster's, plus any assessed unit the roster lacks; by code."""
    units = {u.code: u for u in roster if in_scope(u, scope)}
    for r in rounds:
        for card in r.cards:
            if in_scope(card.meta.unit, scope):
                units.setdefault(card.meta.unit.code, card.meta.unit)
    return [units[code] for code in sorted(units)]


def standing_cards(audits: Sequence[ScoreCard], rechecks: Sequence[ScoreCard]) -> list[ScoreCard]:
    """One card per unit for a round: its 复查 where it has one (it comes after the 考评
    and re-scores it), else its 考评; by unit code."""
    chosen = {c.meta.unit.code: c for c in audits}
    chosen.update((c.meta.unit.code, c) for c in rechecks)
    return [chosen[code] for code in sorted(chosen)]


def latest_cards(rounds: Sequence[RoundCards], units: Sequence[Unit]) -> list[dict[str, ScoreCard]]:
    """After each round (chronological), each unit's latest card so far, by unit code."""
    codes = {u.code for u in units}
    latest: dict[str, ScoreCard] = {}
    snapshots = []
    for r in rounds:
        latest.update((c.meta.unit.code, c) for c in r.cards if c.meta.unit.code in codes)
        snapshots.append(dict(latest))
    return snapshots


def share_series(rounds: Sequence[RoundCards], units: Sequence[Unit]) -> list[SharePoint]:
    """达标率 after each round over ``units`` (see the module's counting rule)."""
    return [
        SharePoint(
            r.round,
            r.date,
            sum(1 for c in latest.values() if c.passed),
            len(latest),
            len(units),
            sum(1 for c in latest.values() if c.meta.kind is Kind.RECHECK),
        )
        for r, latest in zip(rounds, latest_cards(rounds, units), strict=True)
    ]


def needed_for(share: Decimal, units: int) -> int:
    """The fewest units of ``units`` whose share reaches ``share`` (50 % of 21 → 11)."""
    n = int((share * units).to_integral_value(rounding=ROUND_CEILING))
    return n - 1 if n > 0 and reaches(Decimal(n - 1) / units, share) else n


def milestone_status(
    milestones: Sequence[Milestone],
    rounds: Sequence[RoundCards],
    units: Sequence[Unit],
    *,
    as_of: dt.date | None = None,
) -> list[MilestoneStatus]:
    """Each milestone's standing over ``units`` given ``rounds`` (chronological).

    ``as_of`` (default: the date of the last round) is the data's present: a milestone
    dated on or before it is decided by the last round on or before the milestone; a
    later one is pending and shows the latest standing.
    """
    rounds = sorted(rounds, key=lambda r: r.date)
    if as_of is None and rounds:
        as_of = rounds[-1].date
    known = [r for r in rounds if as_of is None or r.date <= as_of]
    snapshots = latest_cards(known, units)
    statuses = []
    for m in milestones:
        decided = as_of is not None and m.by <= as_of
        upto = [i for i, r in enumerate(known) if r.date <= m.by] if decided else list(range(len(known)))
        latest = snapshots[upto[-1]] if upto else {}
        passed = sum(1 for c in latest.values() if c.passed)
        missing = tuple(u for u in units if not (u.code in latest and latest[u.code].passed))
        needed = needed_for(m.share, len(units))
        status = (Status.MET if passed >= needed else Status.MISSED) if decided else Status.PENDING
        round_ = known[upto[-1]].round if upto else None
        statuses.append(MilestoneStatus(m.by, m.share, status, needed, passed, len(units), round_, missing))
    return statuses


def gap_to_pass(card: ScoreCard, min_rate: Decimal) -> Decimal:
    """Points (on the rubric's scale) the score lacks to reach the pass line; 0 when reached."""
    return max(ZERO, min_rate * card.total - card.score)
