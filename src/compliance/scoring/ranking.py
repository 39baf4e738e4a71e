"""Rankings, district and city roll-ups, and self-assessment against audit (SPEC §3.2–3.3)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from compliance.numbers import rounded
from compliance.scoring.results import Result
from compliance.scoring.scorecard import ItemScore, ScoreCard
from compliance.units import Unit


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    card: ScoreCard


@dataclass(frozen=True, slots=True)
class Standing:
    """A unit's totals in one round as the store recorded them at import: all its place
    depends on, read without scoring the assessment again."""

    unit: Unit
    final: Decimal
    score: Decimal
    rate: Decimal
    veto: bool
    passed: bool | None  # None: the rubric has no pass line
    grade: str | None  # None: the rubric has no grades
    precision: int  # the rubric's: places compare on the final as shown

    def points(self, value: Decimal) -> Decimal:
        return rounded(value, self.precision)


T = TypeVar("T", ScoreCard, Standing)


def _unit_of(entry: ScoreCard | Standing) -> Unit:
    return entry.unit if isinstance(entry, Standing) else entry.meta.unit


def _places(entries: Iterable[T]) -> list[tuple[int, T]]:
    def shown(entry: T) -> Decimal:
        return entry.points(entry.final)

    ordered = sorted(entries, key=lambda e: (e.veto, -shown(e), _unit_of(e).code))
    places: list[tuple[int, T]] = []
    for position, entry in enumerate(ordered, start=1):
        previous = places[-1][1] if places else None
        same_place = previous is not None and previous.veto == entry.veto and shown(previous) == shown(entry)
        places.append((places[-1][0] if same_place else position, entry))
    return places


def rank(cards: Iterable[ScoreCard]) -> list[Ranked]:
    """Not vetoed by final (highest first), then vetoed by final; equal places share a
    rank (1, 2, 2, 4) and are listed by unit code. Places compare on the final as shown
    (rounded to the rubric's precision), so two units shown with the same final share it.
    """
    return [Ranked(place, card) for place, card in _places(cards)]


class Place(NamedTuple):
    """A place in a ranking: ``rank`` of ``of`` units."""

    rank: int
    of: int


def placings(entries: Sequence[ScoreCard] | Sequence[Standing]) -> dict[str, tuple[Place, Place]]:
    """Every unit's place among all ``entries`` (score cards, or the stored standings of
    :meth:`compliance.store.Store.standings`) and among those of its district, by unit code."""
    city = _places(entries)
    places = {_unit_of(e).code: Place(place, len(city)) for place, e in city}
    districts: dict[str, list] = {}
    for entry in entries:
        districts.setdefault(_unit_of(entry).district, []).append(entry)
    result = {}
    for group in districts.values():
        for place, entry in _places(group):
            code = _unit_of(entry).code
            result[code] = (places[code], Place(place, len(group)))
    return result


def rank_json(ranked: Sequence[Ranked]) -> list[dict]:
    """SPEC §5 ``rank --json``: one object per unit, in rank order."""
    return [
        {
            "rank": r.rank,
            "unit": {
                "code": r.card.meta.unit.code,
                "name": r.card.meta.unit.name,
                "district": r.card.meta.unit.district,
            },
            "final": float(r.card.points(r.card.final)),
            "score": float(r.card.points(r.card.score)),
            "status": None if r.card.passed is None else r.card.status,
            "grade": r.card.grade,
            "veto": r.card.veto,
        }
        for r in ranked
    ]


@dataclass(frozen=True, slots=True)
class Summary:
    """A roll-up of a group of units (a district, or the whole city)."""

    name: str
    assessed: int
    passed: int
    mean_score: Decimal
    min_score: Decimal
    max_score: Decimal

    @property
    def pass_rate(self) -> Decimal:
        return Decimal(self.passed) / Decimal(self.assessed) if self.assessed else Decimal(0)


def summarise(name: str, cards: Sequence[ScoreCard]) -> Summary:
    scores = [c.score for c in cards]
    if not scores:
        return Summary(name, 0, 0, Decimal(0), Decimal(0), Decimal(0))
    return Summary(
        name,
        len(cards),
        sum(1 for c in cards if c.passed),
        sum(scores, Decimal(0)) / len(scores),
        min(scores),
        max(scores),
    )


def by_district(cards: Iterable[ScoreCard]) -> list[Summary]:
    groups: dict[str, list[ScoreCard]] = {}
    for card in cards:
        groups.setdefault(card.meta.unit.district, []).append(card)
    return [summarise(name, groups[name]) for name in sorted(groups)]


@dataclass(frozen=True, slots=True)
class Disagreement:
    code: str
    text: str
    self_result: str | None
    audit_result: str | None
    self_earned: Decimal
    audit_earned: Decimal
    inflated: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    """A unit's self-assessment beside its audit in the same round."""

    self_card: ScoreCard
    audit_card: ScoreCard
    compared: int
    disagreements: tuple[Disagreement, ...]

    @property
    def gap(self) -> Decimal:
        return self.self_card.score - self.audit_card.score

    @property
    def inflated(self) -> tuple[Disagreement, ...]:
        """虚报: self-rated 符合 but audited 不符合 (SPEC §3.3), whatever the audit still earned."""
        return tuple(d for d in self.disagreements if d.inflated)

    @property
    def accuracy(self) -> Decimal:
        if not self.compared:
            return Decimal(0)
        return Decimal(self.compared - len(self.disagreements)) / Decimal(self.compared)


def _same(a: ItemScore, b: ItemScore) -> bool:
    return a.result == b.result and a.earned == b.earned and a.possible == b.possible


def compare(self_card: ScoreCard, audit_card: ScoreCard) -> Comparison:
    audit_items = {i.code: i for i in audit_card.items}
    compared = 0
    disagreements = []
    for mine in self_card.items:
        theirs = audit_items.get(mine.code)
        if theirs is None:
            continue
        compared += 1
        if not _same(mine, theirs):
            # A deduct item audited with problems is 不符合 even when points remain (30 − 2 = 28).
            inflated = mine.result == Result.PASS and theirs.result == Result.FAIL
            disagreements.append(
                Disagreement(
                    mine.code,
                    mine.text,
                    mine.result,
                    theirs.result,
                    mine.earned,
                    theirs.earned,
                    inflated,
                )
            )
    return Comparison(self_card, audit_card, compared, tuple(disagreements))
