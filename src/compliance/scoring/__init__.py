"""The scoring engine (SPEC §3): pure functions over a resolved rubric and its inputs."""

from compliance.scoring.engine import evaluate, explain, score
from compliance.scoring.inputs import Assessment, AssessmentMeta, BonusClaim, ItemInput, PenaltyClaim
from compliance.scoring.ranking import (
    Comparison,
    Ranked,
    Standing,
    Summary,
    by_district,
    compare,
    rank,
    rank_json,
    summarise,
)
from compliance.scoring.results import Kind, Result, normalise, parse_result
from compliance.scoring.scorecard import (
    BonusScore,
    ItemScore,
    ItemStatus,
    PenaltyScore,
    ScoreCard,
    SectionScore,
)

__all__ = [
    "Assessment",
    "AssessmentMeta",
    "BonusClaim",
    "BonusScore",
    "Comparison",
    "ItemInput",
    "ItemScore",
    "ItemStatus",
    "Kind",
    "PenaltyClaim",
    "PenaltyScore",
    "Ranked",
    "Result",
    "ScoreCard",
    "SectionScore",
    "Standing",
    "Summary",
    "by_district",
    "compare",
    "evaluate",
    "explain",
    "normalise",
    "parse_result",
    "rank",
    "rank_json",
    "score",
    "summarise",
]
