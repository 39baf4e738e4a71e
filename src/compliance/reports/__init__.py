"""Chinese reports: the per-unit PDF, the city ranking (PDF and XLSX) and progress
against targets.

Each report is built in two steps: plain data → one self-contained HTML string
(``*_report`` functions, returning the file name and the HTML), then HTML → PDF
(:func:`render_pdfs`, which skips unchanged reports and uses every core). The
``render_*`` functions do both for one report. Inputs are ScoreCards and friends,
never the store: see :mod:`compliance.reports.assemble` for the store glue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from compliance.reports.context import (
    GENERATOR,
    Place,
    progress_context,
    rank_rows,
    ranking_context,
    unit_context,
)
from compliance.reports.fonts import cjk_font
from compliance.reports.progress import RoundCards, Status, milestone_status
from compliance.reports.render import render_html, render_pdfs, safe_name
from compliance.rubric import ResolvedRubric
from compliance.scoring.ranking import Comparison, Ranked, by_district, summarise
from compliance.scoring.scorecard import ScoreCard
from compliance.targets import Targets
from compliance.units import Unit


class Document(NamedTuple):
    name: str  # a safe file name, no folder
    html: str


def unit_report(
    card: ScoreCard,
    rubric: ResolvedRubric,
    *,
    rank: tuple[int, int] | None = None,
    district_rank: tuple[int, int] | None = None,
    comparison: Comparison | None = None,
    history: Sequence[ScoreCard] = (),
) -> Document:
    """The per-unit report of one card; ``rank``/``district_rank`` are ``(place, of)``."""
    meta = card.meta
    context = unit_context(
        card, rubric, rank=rank, district_rank=district_rank, comparison=comparison, history=history
    )
    return Document(
        safe_name(meta.unit.code, meta.round, str(meta.kind), suffix=".pdf"),
        render_html("unit.html", context),
    )


def render_unit_report(card: ScoreCard, rubric: ResolvedRubric, *, out_dir: Path, **options) -> Path:
    """Write the per-unit PDF into ``out_dir``; options as :func:`unit_report`."""
    document = unit_report(card, rubric, **options)
    return render_pdfs([document], out_dir)[0][0]


def ranking_report(
    ranked: Sequence[Ranked],
    *,
    round: str,
    kind: str,
    rubrics: Sequence[ResolvedRubric] = (),
    previous: Sequence[Ranked] | None = None,
    previous_round: str | None = None,
) -> Document:
    context = ranking_context(
        ranked, round=round, kind=kind, rubrics=rubrics, previous=previous, previous_round=previous_round
    )
    return Document(safe_name(round, kind, "排名", suffix=".pdf"), render_html("ranking.html", context))


def render_ranking(
    ranked: Sequence[Ranked],
    *,
    round: str,
    kind: str,
    out_dir: Path,
    rubrics: Sequence[ResolvedRubric] = (),
    previous: Sequence[Ranked] | None = None,
    previous_round: str | None = None,
) -> tuple[Path, Path]:
    """The ranking of one round as PDF and XLSX in ``out_dir``; returns both paths."""
    from compliance.reports.render import inside
    from compliance.reports.xlsx import write_ranking_xlsx

    document = ranking_report(
        ranked, round=round, kind=kind, rubrics=rubrics, previous=previous, previous_round=previous_round
    )
    pdf = render_pdfs([document], out_dir)[0][0]
    cards = [r.card for r in ranked]
    about = [
        ("评估轮次", round),
        ("评估类型", kind),
        ("对比轮次", previous_round or "—"),
        ("生成工具", GENERATOR),
    ]
    about += [("评分细则", f"{r.info.title}（{r.version_label}）") for r in rubrics]
    about += (
        [("注意", "本排名所依据的标准为示例性条文，并非官方原文")]
        if any(r.standard.illustrative for r in rubrics)
        else []
    )
    xlsx = write_ranking_xlsx(
        inside(out_dir, safe_name(round, kind, "排名", suffix=".xlsx")),
        rank_rows(ranked, previous),
        [*by_district(cards), summarise("合计", cards)],
        about=about,
    )
    return pdf, xlsx


def progress_report(
    targets: Targets,
    rounds: Sequence[RoundCards],
    rubric_for: Callable[[ScoreCard], ResolvedRubric],
    *,
    roster: Sequence[Unit] = (),
    as_of: dt.date | None = None,
) -> Document:
    context = progress_context(targets, rounds, rubric_for, roster=roster, as_of=as_of)
    return Document(safe_name("达标进度", suffix=".pdf"), render_html("progress.html", context))


def render_progress(
    targets: Targets,
    rounds: Sequence[RoundCards],
    rubric_for: Callable[[ScoreCard], ResolvedRubric],
    *,
    out_dir: Path,
    roster: Sequence[Unit] = (),
    as_of: dt.date | None = None,
) -> Path:
    document = progress_report(targets, rounds, rubric_for, roster=roster, as_of=as_of)
    return render_pdfs([document], out_dir)[0][0]


__all__ = [
    "Document",
    "Place",
    "RoundCards",
    "Status",
    "cjk_font",
    "milestone_status",
    "progress_report",
    "ranking_report",
    "render_pdfs",
    "render_progress",
    "render_ranking",
    "render_unit_report",
    "unit_report",
]
