"""Plain data for the templates: every number rounded half-up and put into words here,
so the templates only place strings (and Jinja escapes every one of them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from compliance import __version__
from compliance.numbers import fmt, percent, rounded
from compliance.reports import charts
from compliance.reports.progress import (
    MilestoneStatus,
    RoundCards,
    SharePoint,
    gap_to_pass,
    latest_cards,
    milestone_status,
    scope_units,
    share_series,
)
from compliance.rubric import ResolvedRubric
from compliance.scoring.engine import reaches
from compliance.scoring.ranking import Comparison, Ranked, by_district, summarise
from compliance.scoring.ranking import rank as rank_cards
from compliance.scoring.results import Result
from compliance.scoring.scorecard import ItemScore, ItemStatus, ScoreCard
from compliance.standard import FIDELITY_LABELS, ILLUSTRATIVE_NOTICE
from compliance.targets import Targets
from compliance.units import Unit

GENERATOR = f"compliance {__version__}"
Context = dict[str, Any]


class Place(NamedTuple):
    """A place in a ranking: ``rank`` of ``of`` units."""

    rank: int
    of: int


def placings(cards: Sequence[ScoreCard]) -> dict[str, tuple[Place, Place]]:
    """Every unit's place among all ``cards`` and among those of its district."""
    city = rank_cards(cards)
    places = {r.card.meta.unit.code: Place(r.rank, len(city)) for r in city}
    districts: dict[str, list[ScoreCard]] = {}
    for card in cards:
        districts.setdefault(card.meta.unit.district, []).append(card)
    result = {}
    for group in districts.values():
        for r in rank_cards(group):
            code = r.card.meta.unit.code
            result[code] = (places[code], Place(r.rank, len(group)))
    return result


def day(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def signed(value: Decimal, places: int = 2) -> str:
    text = fmt(value, places)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def tone(item: ItemScore) -> str:
    """CSS class of a result: ok / part / fail / na / none."""
    if item.status is ItemStatus.NOT_INSPECTED:
        return "none"
    if item.status is ItemStatus.NOT_APPLICABLE:
        return "na"
    if item.veto:
        return "fail" if item.result == Result.FAIL else "ok"
    return "ok" if item.earned >= item.points else "fail" if item.earned == 0 else "part"


def _nothing_to_say(item: ItemScore) -> bool:
    """Full marks on an item whose words would only repeat its result and score."""
    return item.status is ItemStatus.SCORED and item.earned == item.points and item.rule != "quantity"


def _rubric(card: ScoreCard, rubric: ResolvedRubric) -> Context:
    std = rubric.standard.standard
    return {
        "title": rubric.info.title,
        "version": f"{card.rubric_id}@{card.rubric_hash[:12]}",
        "standard": f"{std.title}（{std.version} 版）",
        "issuer": std.issuer or "—",
        "fidelity": FIDELITY_LABELS[std.fidelity],
        "levels": std.levels,
    }


def _items(card: ScoreCard, rubric: ResolvedRubric) -> list[Context]:
    """The item table's rows: a heading row whenever a section begins, then its items."""
    p = card.precision
    sections = {s.code: s for s in card.sections}
    rows: list[Context] = []
    open_chain: tuple[str, ...] = ()
    for item in card.items:
        scored = rubric.item(item.code)
        chain = tuple(s.code for s in scored.sections) if scored else (item.section,)
        for level, code in enumerate(chain, start=1):
            if open_chain[:level] != chain[:level] and code in sections:
                s = sections[code]
                rows.append(
                    {
                        "heading": True,
                        "level": min(level, 3),
                        "code": code,
                        "name": s.name,
                        "score": f"{fmt(s.earned, p)} / {fmt(s.possible, p)}",
                        "rate": percent(s.rate) if s.rate is not None else "无适用条目",
                    }
                )
        open_chain = chain
        if item.veto:
            score = "否决项"
        elif item.status is ItemStatus.NOT_APPLICABLE and not item.possible:
            score = "不计"
        else:
            score = f"{fmt(item.earned, p)} / {fmt(item.possible, p)}"
        rows.append(
            {
                "heading": False,
                "code": item.code,
                "text": item.text,
                "result": item.result or str(item.status),
                "tone": tone(item),
                "score": score,
                "deduction": "" if _nothing_to_say(item) else item.deduction,
                "note": item.note or "",
            }
        )
    return rows


def _rectification(card: ScoreCard, pass_rate: Decimal) -> list[Context]:
    """整改清单, most recoverable first, with the score once this and every fix above it is
    made, and where those fixes first bring the rate to the pass line."""
    rows = []
    earned, crossed = card.earned, reaches(card.rate, pass_rate)
    for n, item in enumerate(card.rectification, start=1):
        earned += item.lost
        after = earned / card.possible * card.total
        first = not crossed and reaches(earned / card.possible, pass_rate)
        crossed = crossed or first
        rows.append(
            {
                "n": n,
                "code": item.code,
                "text": item.text,
                "result": item.result or str(item.status),
                "tone": tone(item),
                "lost": fmt(item.lost, card.precision),
                "after": fmt(after, card.precision),
                "reaches": first,
                "note": item.note or "",
            }
        )
    return rows


def _comparison(c: Comparison) -> Context:
    p = c.audit_card.precision
    return {
        "self_score": fmt(c.self_card.score, c.self_card.precision),
        "audit_score": fmt(c.audit_card.score, p),
        "self_status": c.self_card.status,
        "audit_status": c.audit_card.status,
        "gap": signed(c.gap, p),
        "accuracy": percent(c.accuracy),
        "compared": c.compared,
        "disagreeing": len(c.disagreements),
        "inflated": len(c.inflated),
        "rows": [
            {
                "code": d.code,
                "text": d.text,
                "self": d.self_result or "未检查",
                "audit": d.audit_result or "未检查",
                "self_earned": fmt(d.self_earned, p),
                "audit_earned": fmt(d.audit_earned, p),
                "inflated": d.inflated,
            }
            for d in c.disagreements
        ],
    }


def _trend(card: ScoreCard, history: Sequence[ScoreCard], pass_rate: Decimal) -> Context | None:
    """Rounds up to the card's own, oldest first; None when there is no earlier round."""
    cards: dict[str, ScoreCard] = {}
    for c in history:
        if c.meta.round == card.meta.round:
            break
        cards[c.meta.round] = c
    cards[card.meta.round] = card
    if len(cards) < 2:
        return None
    ordered = list(cards.values())
    return {
        "chart": charts.data_uri(
            charts.trend_chart([c.meta.round for c in ordered], [c.rate for c in ordered], pass_rate)
        ),
        "rows": [
            {
                "round": c.meta.round,
                "date": day(c.meta.date),
                "score": f"{fmt(c.score, c.precision)} / {fmt(c.total)}",
                "final": fmt(c.final, c.precision),
                "rate": percent(c.rate),
                "grade": c.grade,
                "status": c.status,
                "current": c.meta.round == card.meta.round,
            }
            for c in ordered
        ],
    }


def unit_context(
    card: ScoreCard,
    rubric: ResolvedRubric,
    *,
    rank: tuple[int, int] | None = None,
    district_rank: tuple[int, int] | None = None,
    comparison: Comparison | None = None,
    history: Sequence[ScoreCard] = (),
) -> Context:
    """Everything the per-unit report shows. ``rank``/``district_rank``: the unit's
    :class:`Place` (or ``(rank, of)``) among all units and in its district;
    ``history``: this unit's cards of the same kind, oldest first; rounds after the
    card's own are left out, and the card itself is used for its round."""
    meta, unit, info = card.meta, card.meta.unit, rubric.info
    p = card.precision
    rule = info.pass_
    pass_score = rule.min_rate * card.total
    tops = card.top_sections
    return {
        "title": f"{unit.name}规范化建设{meta.kind}报告",
        "generator": GENERATOR,
        "notice": ILLUSTRATIVE_NOTICE if rubric.standard.illustrative else None,
        "unit": unit,
        "kind": str(meta.kind),
        "round": meta.round,
        "date": day(meta.date),
        "inspectors": "、".join(meta.inspectors) or "—",
        "rubric": _rubric(card, rubric),
        "score": fmt(card.score, p),
        "total": fmt(card.total),
        "final": fmt(card.final, p),
        "rate": percent(card.rate),
        "pass_rate": percent(rule.min_rate, 0),
        "pass_score": fmt(pass_score, p),
        "gap": fmt(gap_to_pass(card, rule.min_rate), p),
        "grade": card.grade,
        "passed": card.passed,
        "status": card.status,
        "failures": card.failures,
        "veto_items": card.veto_items,
        "bonus": {
            "counted": fmt(card.bonus.counted, p),
            "claimed": [(code, text, fmt(p)) for code, text, p in card.bonus.claimed],
            "capped": card.bonus.capped,
            "cap": fmt(card.bonus.cap),
        },
        "not_inspected": card.not_inspected,
        "not_applicable": card.not_applicable,
        "item_count": len(card.items),
        "place": Place(*rank) if rank else None,
        "district_place": Place(*district_rank) if district_rank else None,
        "sections": [
            {
                "code": s.code,
                "name": s.name,
                "score": f"{fmt(s.earned, p)} / {fmt(s.possible, p)}",
                "rate": percent(s.rate) if s.rate is not None else "无适用条目",
                "low": s.rate is not None
                and rule.min_section_rate is not None
                and not reaches(s.rate, rule.min_section_rate),
            }
            for s in tops
        ],
        "section_min": percent(rule.min_section_rate, 0) if rule.min_section_rate is not None else None,
        "section_chart": charts.data_uri(
            charts.section_chart(
                [s.name for s in tops], [s.rate for s in tops], rule.min_rate, rule.min_section_rate
            )
        ),
        "rows": _items(card, rubric),
        "rectification": _rectification(card, rule.min_rate),
        "recoverable": fmt((card.possible - card.earned) / card.possible * card.total, p),
        "comparison": _comparison(comparison) if comparison else None,
        "trend": _trend(card, history, rule.min_rate),
        "explanation": card.explanation,
    }


# --- the city ranking ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankRow:
    """One line of the ranking, numbers as numbers (rounded as shown) for the spreadsheet."""

    rank: int
    unit: Unit
    score: Decimal
    bonus: Decimal
    final: Decimal
    rate: Decimal
    grade: str
    status: str
    veto: bool
    precision: int
    previous_rank: int | None = None
    previous_final: Decimal | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous round (positive = up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def final_change(self) -> Decimal | None:
        return None if self.previous_final is None else self.final - self.previous_final


def rank_rows(ranked: Sequence[Ranked], previous: Sequence[Ranked] | None = None) -> list[RankRow]:
    before = {r.card.meta.unit.code: r for r in previous or ()}
    rows = []
    for r in ranked:
        c, p = r.card, before.get(r.card.meta.unit.code)
        rows.append(
            RankRow(
                r.rank,
                c.meta.unit,
                c.points(c.score),
                c.points(c.bonus.counted),
                c.points(c.final),
                rounded(c.rate, 4),
                c.grade,
                c.status,
                c.veto,
                c.precision,
                p.rank if p else None,
                p.card.points(p.card.final) if p else None,
            )
        )
    return rows


def _rank_change(row: RankRow, has_previous: bool) -> str:
    change = row.rank_change
    if change is None:
        return "新参评" if has_previous else "—"
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "持平"


def _notices(rubrics: Sequence[ResolvedRubric]) -> list[str]:
    return [ILLUSTRATIVE_NOTICE] if any(r.standard.illustrative for r in rubrics) else []


def ranking_context(
    ranked: Sequence[Ranked],
    *,
    round: str,
    kind: str,
    rubrics: Sequence[ResolvedRubric] = (),
    previous: Sequence[Ranked] | None = None,
    previous_round: str | None = None,
) -> Context:
    """The city ranking of one round; ``previous`` (the previous round's ranking) adds changes."""
    cards = [r.card for r in ranked]
    districts = [*by_district(cards), summarise("合计", cards)]
    places = max((c.precision for c in cards), default=2)
    cities = {c.meta.unit.city for c in cards}
    city = f"{cities.pop()} " if len(cities) == 1 else ""
    has_previous = previous is not None
    return {
        "title": f"{city}{round} 规范化建设{kind}排名",
        "generator": GENERATOR,
        "round": round,
        "kind": kind,
        "previous_round": previous_round,
        "has_previous": has_previous,
        "notices": _notices(rubrics),
        "rubrics": [f"{r.info.title}（{r.version_label}，满分 {fmt(r.total)}）" for r in rubrics],
        "passed": sum(1 for c in cards if c.passed),
        "count": len(cards),
        "rows": [
            {
                "rank": row.rank,
                "code": row.unit.code,
                "name": row.unit.name,
                "district": row.unit.district,
                "score": fmt(row.score, row.precision),
                "bonus": fmt(row.bonus, row.precision),
                "final": fmt(row.final, row.precision),
                "rate": percent(row.rate),
                "grade": row.grade,
                "status": row.status,
                "veto": row.veto,
                "rank_change": _rank_change(row, has_previous),
                "final_change": signed(row.final_change, row.precision)
                if row.final_change is not None
                else "—",
            }
            for row in rank_rows(ranked, previous)
        ],
        "districts": [
            {
                "name": s.name,
                "assessed": s.assessed,
                "passed": s.passed,
                "pass_rate": percent(s.pass_rate, 1),
                "mean": fmt(s.mean_score, places),
                "min": fmt(s.min_score, places),
                "max": fmt(s.max_score, places),
                "total": s is districts[-1],
            }
            for s in districts
        ],
    }


# --- progress against targets ---------------------------------------------------------------


def _behind(
    units: Sequence[Unit], latest: dict[str, ScoreCard], rubric_for: Callable[[ScoreCard], ResolvedRubric]
) -> list[Context]:
    """Squads not 达标 by their latest result: never assessed first, then the widest gap."""
    rows = []
    for unit in units:
        card = latest.get(unit.code)
        if card is None:
            row = {"unit": unit, "round": "—", "score": "未考评", "rate": "—", "gap": "—", "reasons": ""}
            rows.append(((0, Decimal(0), unit.district, unit.code), row))
        elif not card.passed:
            gap = gap_to_pass(card, rubric_for(card).info.pass_.min_rate)
            row = {
                "unit": unit,
                "round": card.meta.round,
                "score": f"{fmt(card.score, card.precision)} / {fmt(card.total)}",
                "rate": percent(card.rate),
                "gap": fmt(gap, card.precision),
                "reasons": "；".join(card.failures),
            }
            rows.append(((1, -gap, unit.district, unit.code), row))
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def _milestone_detail(status: MilestoneStatus, series: Sequence[SharePoint]) -> str:
    if status.reached:
        return f"{day(status.reached)}达到"
    if status.projected is not None:
        return f"按最近几轮的趋势，预计届时 {percent(status.projected, 1)}"
    before = [p for p in series if p.date <= status.by]
    return (
        f"截止前最后一轮（{before[-1].round}）为 {percent(before[-1].share, 1)}"
        if before
        else "截止前没有考评"
    )


def progress_context(
    targets: Targets,
    rounds: Sequence[RoundCards],
    rubric_for: Callable[[ScoreCard], ResolvedRubric],
    *,
    roster: Sequence[Unit] = (),
    as_of: dt.date | None = None,
) -> Context:
    """达标率 over ``rounds`` (chronological) for the scope of ``targets`` and each of its
    districts, each milestone's status, and the squads still not 达标."""
    info = targets.targets
    rounds = sorted(rounds, key=lambda r: r.date)
    units = scope_units(info.scope, rounds, roster)
    series = share_series(rounds, units)
    scope_name = "".join(filter(None, (info.scope.city, info.scope.district, info.scope.type))) or "全部单位"
    as_of = as_of or (rounds[-1].date if rounds else None)

    def statuses(points):
        return milestone_status(info.milestones, [(p.date, p.share) for p in points], as_of=as_of)

    districts, lines = [], [(scope_name, [(p.date, p.share) for p in series])]
    for name in sorted({u.district for u in units}):
        members = [u for u in units if u.district == name]
        points = share_series(rounds, members)
        lines.append((name, [(p.date, p.share) for p in points]))
        districts.append(
            {
                "name": name,
                "units": len(members),
                "passed": points[-1].passed if points else 0,
                "share": percent(points[-1].share, 1) if points else "—",
                "statuses": [(str(s.status), s.status.name.lower()) for s in statuses(points)],
            }
        )

    latest = latest_cards(rounds, units)[-1] if rounds else {}
    behind = _behind(units, latest, rubric_for)

    chart = charts.progress_chart(
        lines, [(m.by, m.share) for m in info.milestones], [(r.date, r.round) for r in rounds]
    )
    rubrics = {}
    for r in rounds:
        for card in r.cards:
            rubrics.setdefault(card.rubric_hash, rubric_for(card))
    return {
        "title": info.title,
        "generator": GENERATOR,
        "scope": scope_name,
        "as_of": day(as_of),
        "units": len(units),
        "notices": _notices(list(rubrics.values())),
        "chart": charts.data_uri(chart),
        "milestones": [
            {
                "by": day(s.by),
                "share": percent(s.share, 0),
                "status": str(s.status),
                "tone": s.status.name.lower(),
                "detail": _milestone_detail(s, series),
            }
            for s in statuses(series)
        ],
        "milestone_dates": [day(m.by) for m in info.milestones],
        "series": [
            {
                "round": p.round,
                "date": day(p.date),
                "assessed": p.assessed,
                "passed": p.passed,
                "share": percent(p.share, 1),
            }
            for p in series
        ],
        "districts": districts,
        "behind": behind,
    }
