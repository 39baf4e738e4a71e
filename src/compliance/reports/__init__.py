"""Chinese reports: the per-unit PDF, the city ranking (PDF and XLSX) and progress
against targets — official documents a bureau can sign and send (SPEC §6).

Each report is built in three steps: the library's results → a typed view (frozen
dataclasses of words and chart objects: :mod:`.unit_view`, :mod:`.ranking_view`,
:mod:`.progress_view`) → one self-contained HTML string (``*_report`` functions,
returning the file name and the HTML) → PDF (:func:`render_pdfs`, which skips a report
whose HTML is unchanged and uses every core). Inputs are ScoreCards and friends, never the
store: see :mod:`compliance.reports.assemble` for the store glue. Per-unit reports in bulk
(``compliance report``) go through :mod:`compliance.reports.batch`: each is keyed on its
inputs before anything is built, and the view, charts, HTML and PDF of the changed ones
are made in worker processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from compliance.reports.context import GENERATOR, Issue
from compliance.reports.fonts import cjk_font
from compliance.reports.progress_view import progress_view
from compliance.reports.ranking_view import rank_rows, ranking_view
from compliance.reports.render import render_html, render_pdfs, safe_name
from compliance.reports.unit_view import unit_view
from compliance.rubric import ResolvedRubric
from compliance.scoring.progress import RoundCards, Status, milestone_status
from compliance.scoring.ranking import Comparison, Place, Ranked, by_district, summarise
from compliance.scoring.recheck import BeforeAfter
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
    issue: Issue = Issue(),
    rank: tuple[int, int] | None = None,
    district_rank: tuple[int, int] | None = None,
    comparison: Comparison | None = None,
    recheck: BeforeAfter | None = None,
    history: Sequence[ScoreCard] = (),
) -> Document:
    """The per-unit report of one card; ``rank``/``district_rank`` are ``(place, of)``."""
    meta = card.meta
    view = unit_view(
        card,
        rubric,
        issue=issue,
        place=Place(*rank) if rank else None,
        district_place=Place(*district_rank) if district_rank else None,
        comparison=comparison,
        recheck=recheck,
        history=history,
    )
    return Document(
        safe_name(meta.unit.code, meta.round, str(meta.kind), suffix=".pdf"), render_html("unit.html", view)
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
    issue: Issue = Issue(),
) -> Document:
    view = ranking_view(
        ranked,
        round=round,
        kind=kind,
        rubrics=rubrics,
        previous=previous,
        previous_round=previous_round,
        issue=issue,
    )
    return Document(safe_name(round, kind, "排名", suffix=".pdf"), render_html("ranking.html", view))


def render_ranking(
    ranked: Sequence[Ranked],
    *,
    round: str,
    kind: str,
    out_dir: Path,
    rubrics: Sequence[ResolvedRubric] = (),
    previous: Sequence[Ranked] | None = None,
    previous_round: str | None = None,
    issue: Issue = Issue(),
) -> tuple[Path, Path]:
    """The ranking of one round as PDF and XLSX in ``out_dir``; returns both paths."""
    from compliance.reports.render import inside
    from compliance.reports.xlsx import write_ranking_xlsx

    view = ranking_view(
        ranked,
        round=round,
        kind=kind,
        rubrics=rubrics,
        previous=previous,
        previous_round=previous_round,
        issue=issue,
    )
    document = Document(safe_name(round, kind, "排名", suffix=".pdf"), render_html("ranking.html", view))
    pdf = render_pdfs([document], out_dir)[0][0]
    cards = [r.card for r in ranked]
    about = [
        ("评估轮次", view.round),
        ("评估类型", kind),
        ("对比轮次", view.previous_round or "—"),
        (view.head.issuer_label, view.head.issuer),
        ("成文日期", view.head.issued),
        ("达标条件", view.pass_line),
    ]
    about += [("评分细则", text) for text in view.rubrics]
    about += [("生成工具", GENERATOR)]
    xlsx = write_ranking_xlsx(
        inside(out_dir, safe_name(round, kind, "排名", suffix=".xlsx")),
        rank_rows(ranked, previous),
        [*by_district(cards), summarise("合计", cards)],
        title=view.head.title,
        subtitle=f"评估轮次：{view.round}　评估类型：{kind}　{view.head.issuer_label}：{view.head.issuer}　成文日期：{view.head.issued}",
        notices=view.head.notices,
        has_previous=view.has_previous,
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
    issue: Issue = Issue(),
) -> Document:
    view = progress_view(targets, rounds, rubric_for, roster=roster, as_of=as_of, issue=issue)
    return Document(safe_name("达标进度", suffix=".pdf"), render_html("progress.html", view))


def render_progress(
    targets: Targets,
    rounds: Sequence[RoundCards],
    rubric_for: Callable[[ScoreCard], ResolvedRubric],
    *,
    out_dir: Path,
    roster: Sequence[Unit] = (),
    as_of: dt.date | None = None,
    issue: Issue = Issue(),
) -> Path:
    document = progress_report(targets, rounds, rubric_for, roster=roster, as_of=as_of, issue=issue)
    return render_pdfs([document], out_dir)[0][0]


__all__ = [
    "Document",
    "Issue",
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
