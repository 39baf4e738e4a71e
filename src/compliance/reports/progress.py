"""Progress against dated targets (SPEC §2.4): 达标率 over rounds and milestone status.

Pure functions over plain data. Counting rule: after each round, every unit in scope
counts with its latest result so far (a squad found 达标 keeps that status until it
is assessed again), and the denominator is every unit in scope, assessed or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from compliance.scoring.engine import reaches
from compliance.scoring.scorecard import ScoreCard
from compliance.targets import Milestone, Scope
from compliance.units import Unit

ZERO, ONE = Decimal(0), Decimal(1)


class Status(StrEnum):
    MET = "已达成"
    ON_TRACK = "按计划推进"
    BEHIND = "滞后"
    MISSED = "未达成"


@dataclass(frozen=True, slots=True)
class RoundCards:
    """One round of assessments: its id, its date, and its cards (one per unit)."""

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

    @property
    def share(self) -> Decimal:
        return Decimal(self.passed) / Decimal(self.units) if self.units else ZERO


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    by: dt.date
    share: Decimal
    status: Status
    reached: dt.date | None = None  # the first round on/before ``by`` at or above ``share``
    projected: Decimal | None = None  # the share projected at ``by`` (future milestones)


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
        SharePoint(r.round, r.date, sum(1 for c in latest.values() if c.passed), len(latest), len(units))
        for r, latest in zip(rounds, latest_cards(rounds, units), strict=True)
    ]


def project(points: Sequence[tuple[dt.date, Decimal]], when: dt.date, *, window: int = 3) -> Decimal:
    """The share at ``when`` on the least-squares line through the last ``window`` points,
    kept within 0–1; flat at the last share when fewer than two dates are known."""
    recent = list(points)[-window:]
    if not recent:
        return ZERO
    xs = [Decimal((d - recent[0][0]).days) for d, _ in recent]
    ys = [s for _, s in recent]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if not spread:
        return min(ONE, max(ZERO, ys[-1]))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    at = mean_y + slope * (Decimal((when - recent[0][0]).days) - mean_x)
    return min(ONE, max(ZERO, at))


def milestone_status(
    milestones: Sequence[Milestone],
    points: Sequence[tuple[dt.date, Decimal]],
    *,
    as_of: dt.date | None = None,
    window: int = 3,
) -> list[MilestoneStatus]:
    """Each milestone's status given the share after each round (chronological):

    - 已达成: a round dated on or before the milestone reached its share;
    - 未达成: not reached, and the milestone date is not after ``as_of``;
    - 按计划推进 / 滞后: a future milestone whose share the trend of the last ``window``
      rounds, projected linearly to its date, does / does not reach.

    ``as_of`` defaults to the date of the last round: the data's present, so a report
    on an old programme reads as it did then, and the same data gives the same report.
    """
    points = sorted(points)
    if as_of is None and points:
        as_of = points[-1][0]
    known = [p for p in points if as_of is None or p[0] <= as_of]
    statuses = []
    for m in milestones:
        reached = next((d for d, s in known if d <= m.by and reaches(s, m.share)), None)
        if reached is not None:
            statuses.append(MilestoneStatus(m.by, m.share, Status.MET, reached=reached))
        elif as_of is not None and m.by <= as_of:
            statuses.append(MilestoneStatus(m.by, m.share, Status.MISSED))
        else:
            projected = project(known, m.by, window=window)
            status = Status.ON_TRACK if reaches(projected, m.share) else Status.BEHIND
            statuses.append(MilestoneStatus(m.by, m.share, status, projected=projected))
    return statuses


def gap_to_pass(card: ScoreCard, min_rate: Decimal) -> Decimal:
    """Points (on the rubric's scale) the score lacks to reach the pass line; 0 when reached."""
    return max(ZERO, min_rate * card.total - card.score)
