"""整改清单 (rectification list): what each fix recovers, on the rubric's own scale.

An item's lost points are raw points (out of ``possible``); the report speaks in the
rubric's total (100- or 1000-point) after 合理缺项 normalisation, so every figure here is
``lost × total ÷ possible`` — the column adds up to the headline, up to display rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compliance.scoring.engine import reaches
from compliance.scoring.scorecard import ItemScore, ScoreCard


@dataclass(frozen=True, slots=True)
class Fix:
    """One line of the list: fixing ``item`` (and every fix above it) gives ``score_after``."""

    item: ItemScore
    recoverable: Decimal  # on the rubric's scale
    score_after: Decimal  # on the rubric's scale, this and every fix above it made
    crosses_pass: bool  # the first fix that brings the rate to the pass line


@dataclass(frozen=True, slots=True)
class Rectification:
    fixes: tuple[Fix, ...]
    recoverable: Decimal  # Σ recoverable: the score once everything is fixed, minus the score
    total: Decimal  # the rubric's total: the scale of every figure


def on_scale(card: ScoreCard, raw: Decimal) -> Decimal:
    """Raw points → points of the rubric's total (the unit's own 合理缺项 normalisation)."""
    return raw * card.total / card.possible


def rectification(card: ScoreCard, pass_rate: Decimal | None) -> Rectification:
    """The items that lost points, most recoverable first (then in document order), with
    the score after each cumulative fix and where the fixes first reach ``pass_rate``
    (None: the rubric has no pass line)."""
    fixes = []
    earned = card.earned
    crossed = pass_rate is None or reaches(card.rate, pass_rate)
    for item in card.rectification:
        earned += item.lost
        first = not crossed and reaches(earned / card.possible, pass_rate)
        crossed = crossed or first
        fixes.append(Fix(item, on_scale(card, item.lost), on_scale(card, earned), first))
    return Rectification(tuple(fixes), on_scale(card, card.possible - card.earned), card.total)
