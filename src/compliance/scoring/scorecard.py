"""The ScoreCard: one assessment's scores, and the words that explain every number."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from compliance.findings import Finding
from compliance.numbers import RATE_PLACES, rounded
from compliance.scoring.inputs import AssessmentMeta


class ItemStatus(StrEnum):
    SCORED = "已评分"
    NOT_APPLICABLE = "不适用"
    NOT_INSPECTED = "未检查"


@dataclass(frozen=True, slots=True)
class ItemScore:
    code: str
    text: str
    section: str  # code of the top-level section
    rule: str
    points: Decimal
    status: ItemStatus
    result: str | None  # 符合 / 基本符合 / 不符合 / 不适用 / a levels label / None
    earned: Decimal
    possible: Decimal
    deduction: str  # the computation in words
    note: str | None = None  # 问题描述 as typed
    veto: bool = False  # a unit veto item (veto: true / unit)
    entered: str | None = None  # the 结论 as entered on the item's own row, normalised
    section_veto: bool = False  # a veto: section item
    zeroed: bool = False  # its top-level section was zeroed by a section veto
    evidence: str | None = None  # 佐证材料 as the inspector noted it

    @property
    def lost(self) -> Decimal:
        return self.possible - self.earned


@dataclass(frozen=True, slots=True)
class SectionScore:
    code: str
    name: str
    level: int  # 1 = top level
    earned: Decimal
    possible: Decimal
    vetoed: bool = False  # zeroed by a section veto: earned 0, rate 0 even without points
    weight: Decimal | None = None  # the rubric's weight of a top-level section

    @property
    def rate(self) -> Decimal | None:
        if self.vetoed:
            return Decimal(0)
        return self.earned / self.possible if self.possible else None


@dataclass(frozen=True, slots=True)
class BonusScore:
    claimed: tuple[tuple[str, str, Decimal], ...]  # (code, text, points)
    claimed_points: Decimal
    counted: Decimal
    cap: Decimal
    notes: tuple[tuple[str, str], ...] = ()  # (code, 说明) of the claims that have one

    @property
    def capped(self) -> bool:
        return self.counted < self.claimed_points

    def note(self, code: str) -> str | None:
        """The 说明 typed beside a claim, for the report under the bonus item."""
        return dict(self.notes).get(code)


@dataclass(frozen=True, slots=True)
class PenaltyScore:
    """减分项 entered: (code, text, per, times, amount) each; counted = min(cap, Σ amount)."""

    entries: tuple[tuple[str, str, Decimal, Decimal, Decimal], ...]
    claimed_points: Decimal
    counted: Decimal
    cap: Decimal
    notes: tuple[tuple[str, str], ...] = ()  # (code, 说明) of the entries that have one

    @property
    def capped(self) -> bool:
        return self.counted < self.claimed_points

    def note(self, code: str) -> str | None:
        return dict(self.notes).get(code)


NO_PENALTY = PenaltyScore((), Decimal(0), Decimal(0), Decimal(0))


@dataclass(frozen=True)
class ScoreCard:
    meta: AssessmentMeta
    rubric_id: str
    rubric_hash: str
    total: Decimal
    precision: int
    items: tuple[ItemScore, ...]
    sections: tuple[SectionScore, ...]  # every level, document order
    earned: Decimal
    possible: Decimal
    rate: Decimal
    score: Decimal
    bonus: BonusScore
    final: Decimal
    veto: bool
    veto_items: tuple[str, ...]
    passed: bool | None  # None: the rubric has no pass line
    failures: tuple[str, ...]  # why not 达标, one line per failed condition
    grade: str | None  # None: the rubric has no grades
    not_inspected: int
    not_applicable: int
    explanation: tuple[str, ...]
    warnings: tuple[Finding, ...] = ()
    penalty: PenaltyScore = NO_PENALTY
    adjusted_rate: Decimal | None = None  # max(0, score − penalty) ÷ total; None: no penalties block
    section_vetoes: tuple[str, ...] = ()  # veto: section items that zeroed their section

    @property
    def judged_rate(self) -> Decimal:
        """The rate 达标 and grade use: the adjusted rate when the rubric has penalties."""
        return self.rate if self.adjusted_rate is None else self.adjusted_rate

    @property
    def status(self) -> str:
        if self.passed is None:
            return "—"
        return "达标" if self.passed else "不达标"

    @property
    def top_sections(self) -> tuple[SectionScore, ...]:
        return tuple(s for s in self.sections if s.level == 1)

    @property
    def rectification(self) -> tuple[ItemScore, ...]:
        """整改清单: items that lost points, most recoverable first, then in document order."""
        order = {item.code: i for i, item in enumerate(self.items)}
        lost = [i for i in self.items if i.lost > 0]
        return tuple(sorted(lost, key=lambda i: (-i.lost, order[i.code])))

    def points(self, value: Decimal) -> Decimal:
        return rounded(value, self.precision)

    def to_json(self) -> dict[str, Any]:
        """SPEC §6: points rounded to the rubric's precision, rates as 4-decimal fractions."""

        def p(value: Decimal) -> float:
            return float(rounded(value, self.precision))

        def r(value: Decimal | None) -> float | None:
            return None if value is None else float(rounded(value, RATE_PLACES))

        return {
            "unit": {"code": self.meta.unit.code, "name": self.meta.unit.name},
            "rubric": self.rubric_id,
            "kind": str(self.meta.kind),
            "round": self.meta.round,
            "earned": p(self.earned),
            "possible": p(self.possible),
            "rate": r(self.rate),
            "adjusted_rate": r(self.judged_rate),
            "score": p(self.score),
            "bonus": p(self.bonus.counted),
            "penalty": p(self.penalty.counted),
            "final": p(self.final),
            "veto": self.veto,
            "status": None if self.passed is None else self.status,
            "grade": self.grade,
            "sections": [
                {
                    "code": s.code,
                    "name": s.name,
                    "earned": p(s.earned),
                    "possible": p(s.possible),
                    "rate": r(s.rate),
                }
                for s in self.top_sections
            ],
            "items": [
                {
                    "code": i.code,
                    "result": i.entered,
                    "earned": p(i.earned),
                    "possible": p(i.possible),
                }
                for i in self.items
            ],
            "not_inspected": self.not_inspected,
        }
