"""What one assessment feeds the engine: the inspector's entries, item by item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from compliance.scoring.results import Kind
from compliance.units import Unit


@dataclass(frozen=True, slots=True)
class ItemInput:
    """One checklist row as entered. ``result`` is the 结论 text after normalisation
    (a canonical result, a synonym, or a levels label); numbers are already numbers.
    An input row under an item (a trigger's count, a criterion's 结论) is an ItemInput
    too, coded ``2.4/1`` (``rules.part_code``).

    ``cells`` maps an input's field name (``result``, ``count``, ``measured``, ``score``)
    to where it came from (``检查表!H12``) so findings can point at the cell.
    """

    code: str
    result: str | None = None
    count: Decimal | None = None
    measured: Decimal | None = None
    score: Decimal | None = None
    note: str | None = None
    evidence: str | None = None
    cells: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def cell(self, name: str) -> str | None:
        return self.cells.get(name) or self.cells.get("row")

    @property
    def blank(self) -> bool:
        return self.result is None and self.count is None and self.measured is None and self.score is None


@dataclass(frozen=True, slots=True)
class BonusClaim:
    code: str
    note: str | None = None
    cell: str | None = None


@dataclass(frozen=True, slots=True)
class PenaltyClaim:
    """One 减分项 row: how many times it happened (blank reads as 0)."""

    code: str
    count: Decimal | None = None
    note: str | None = None
    cell: str | None = None  # where the count is (``减分项!D3``)


@dataclass(frozen=True, slots=True)
class AssessmentMeta:
    unit: Unit
    rubric: str
    kind: Kind
    round: str
    date: dt.date | None = None
    inspectors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    """One squad, one round, one kind: everything the engine needs, no file handles."""

    meta: AssessmentMeta
    items: tuple[ItemInput, ...]
    bonus: tuple[BonusClaim, ...] = ()
    source: str | None = None
    penalties: tuple[PenaltyClaim, ...] = ()
