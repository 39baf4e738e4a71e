"""The pages' data, built from the store with the same library calls as the CLI and the
PDF reports (``ranking_inputs`` and the typed report views ``ranking_view``, ``unit_view``,
``progress_view``): the web shows the numbers the reports print, formatted the same way."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from compliance.findings import ComplianceError
from compliance.numbers import fmt, percent
from compliance.reports.assemble import progress_rounds, ranking_inputs
from compliance.reports.charts import chart_uri
from compliance.reports.context import signed
from compliance.reports.progress_view import ProgressReport, progress_view
from compliance.reports.ranking_view import ranking_view
from compliance.reports.unit_view import UnitReport, unit_view
from compliance.rounds import chinese
from compliance.rubric import ResolvedRubric
from compliance.scoring import Kind, ScoreCard, compare
from compliance.scoring.ranking import placings
from compliance.web.state import AppState

HONESTY_SHOWN = 5
KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}


def audited_rounds(state: AppState, kind: Kind = Kind.AUDIT) -> list[str]:
    """Rounds (chronological) that have assessments of ``kind``."""
    return [r for r in state.store.rounds() if state.store.cards(r, kind)]


def round_choices(state: AppState) -> list[dict]:
    return [{"label": r, "chinese": chinese(r)} for r in reversed(state.store.rounds())]


def ranking(state: AppState, round: str, kind: Kind) -> dict:
    """A round's ranking with changes since the previous round and the district table."""
    return state.memo(("ranking", round, str(kind)), lambda: _ranking(state, round, kind))


def _ranking(state: AppState, round: str, kind: Kind) -> dict:
    inputs = ranking_inputs(state.store, round, kind, state.rubric_for)
    view = ranking_view(**inputs)
    context = {
        **asdict(view),
        "title": view.head.title,
        "notices": list(view.head.notices),
        "round": round,  # the stored label: the page's round picker compares with it
        "rows": [asdict(row) for row in view.rows],
        "districts": [asdict(d) for d in view.districts],
    }
    cards = {r.card.meta.unit.code: r.card for r in inputs["ranked"]}
    for row in context["rows"]:
        row["arrow"] = row["rank_change"][:1] if row["rank_change"][:1] in "↑↓" else ""
    context["round_chinese"] = chinese(round)
    context["title"] = context["title"].replace(f"{round} ", f"{chinese(round)} ", 1)
    context["honesty"] = honesty(state, round) if kind is Kind.AUDIT else []
    context["vetoed"] = [
        {
            "code": code,
            "name": card.meta.unit.name,
            "district": card.meta.unit.district,
            "items": [f"{i.code} {i.text}" + (f"（{i.note}）" if i.note else "") for i in _veto_items(card)],
        }
        for code, card in cards.items()
        if card.veto
    ]
    return context


def _veto_items(card: ScoreCard):
    codes = set(card.veto_items)
    return [i for i in card.items if i.code in codes]


def honesty(state: AppState, round: str) -> list[dict]:
    """Squads whose self-assessment overstated the audit most (score gap, then 虚报 items)."""
    rows = []
    for self_card, audit_card in state.store.pairs(round):
        c = compare(self_card, audit_card)
        p = audit_card.precision
        rows.append(
            (
                (-c.gap, -len(c.inflated), audit_card.meta.unit.code),
                {
                    "code": audit_card.meta.unit.code,
                    "name": audit_card.meta.unit.name,
                    "district": audit_card.meta.unit.district,
                    "self_score": fmt(self_card.score, self_card.precision),
                    "audit_score": fmt(audit_card.score, p),
                    "gap": signed(c.gap, p),
                    "inflated": len(c.inflated),
                    "accuracy": percent(c.accuracy),
                    "overstated": c.gap > 0,
                },
            )
        )
    return [row for _, row in sorted(rows, key=lambda pair: pair[0])]


def milestone(state: AppState) -> dict | None:
    """The scope's latest 达标率 against the next milestone of the targets (None without targets)."""
    if state.targets is None:
        return None
    rounds = progress_rounds(state.store)
    context = _progress(progress_view(state.targets, rounds, state.rubric_for, roster=state.roster()))
    milestones = state.targets.targets.milestones
    as_of = max((r.date for r in rounds), default=None)
    index = next((i for i, m in enumerate(milestones) if as_of is None or m.by >= as_of), len(milestones) - 1)
    series = context["series"]
    return {
        "title": context["title"],
        "scope": context["scope"],
        "units": context["units"],
        "latest": series[-1] if series else None,
        "next": context["milestones"][index],
        "chart": context["chart"],
    }


def overview(state: AppState) -> dict:
    return state.memo(("overview",), lambda: _overview(state))


def _overview(state: AppState) -> dict:
    rounds = audited_rounds(state)
    if not rounds:
        return {"round": None, "milestone": milestone(state)}
    latest = rounds[-1]
    context = dict(ranking(state, latest, Kind.AUDIT))
    context.update(
        round=latest,
        rate=percent(Decimal(context["passed"]) / Decimal(context["count"]), 1) if context["count"] else "—",
        honesty=[row for row in honesty(state, latest) if row["overstated"]][:HONESTY_SHOWN],
        milestone=milestone(state),
    )
    return context


def progress(state: AppState) -> dict:
    if state.targets is None:
        raise ComplianceError("未配置达标目标：启动时用 compliance serve --targets targets.yaml 指定")
    return _progress(
        progress_view(state.targets, progress_rounds(state.store), state.rubric_for, roster=state.roster())
    )


def _progress(view: ProgressReport) -> dict:
    """The progress report's view as the pages read it (the chart as an inline image)."""
    return {
        **{name: getattr(view, name) for name in ("scope", "units", "as_of", "milestone_dates", "rechecked")},
        "title": view.head.title,
        "notices": list(view.head.notices),
        "chart": chart_uri(view.chart),
        "milestones": [asdict(m) for m in view.milestones],
        "series": [asdict(p) for p in view.series],
        "districts": [asdict(d) for d in view.districts],
        "behind": list(view.behind),
    }


def _unit(view: UnitReport, card: ScoreCard, rubric: ResolvedRubric) -> dict:
    """The per-unit report's view as the unit page reads it."""
    p = card.precision
    rule = rubric.info.pass_
    comparison = None
    if view.comparison:
        comparison = {
            **asdict(view.comparison),
            "rows": [
                {**asdict(d), "self": d.self_result, "audit": d.audit_result} for d in view.comparison.rows
            ],
        }
    return {
        "notice": view.head.notices[0] if view.head.notices else None,
        "kind": view.kind,
        "final": fmt(card.final, p),
        "score": fmt(card.score, p),
        "total": fmt(card.total),
        "bonus": {"counted": fmt(card.bonus.counted, p)},
        "rate": percent(card.rate),
        "pass_rate": percent(rule.min_rate, 0) if rule else "未设",
        "passed": view.passed,
        "status": view.status,
        "grade": view.grade,
        "failures": view.failures,
        "place": view.place,
        "district_place": view.district_place,
        "veto_items": [v.code for v in view.vetoes],
        "not_inspected": view.not_inspected,
        "section_chart": chart_uri(view.section_chart),
        "sections": [asdict(s) for s in view.sections],
        "trend": {"chart": chart_uri(view.trend.chart), "rows": [asdict(t) for t in view.trend.rows]}
        if view.trend
        else None,
        "rectification": [{**asdict(r), "lost": r.recoverable} for r in view.rectification.rows],
        "recoverable": view.rectification.recoverable,
        "comparison": comparison,
        "explanation": view.explanation,
    }


def unit_cards(state: AppState, code: str) -> list[ScoreCard]:
    """Every current assessment of a unit: rounds in order, 自评 / 考评 / 复查 within a round."""
    order = {name: i for i, name in enumerate(state.store.rounds())}
    cards = [card for kind in Kind for card in state.store.history(code, kind)]
    return sorted(cards, key=lambda c: (order.get(c.meta.round, len(order)), KIND_ORDER[c.meta.kind]))


def unit_page(state: AppState, code: str) -> dict | None:
    """The unit's latest result in full (the report's own context), its trend, and every
    assessment; None when the store has nothing of it."""
    cards = unit_cards(state, code)
    if not cards:
        return state.memo(("unit", code), lambda: _unit_page(state, code, cards))
    # What the page shows: this unit's own assessments, and the round its place is taken in.
    main = _main(cards)
    key = (
        "unit",
        code,
        tuple((c.meta, c.rubric_hash, c.final, c.items) for c in cards),
        state.store.fingerprint(main.meta.round, main.meta.kind),
    )
    return state.memo(key, lambda: _unit_page(state, code, cards), whole_store=False)


def _main(cards: list[ScoreCard]) -> ScoreCard:
    """The assessment a unit page leads with: the latest audit, else the latest of any kind."""
    audits = [c for c in cards if c.meta.kind is Kind.AUDIT]
    return audits[-1] if audits else cards[-1]


def _unit_page(state: AppState, code: str, cards: list[ScoreCard]) -> dict | None:
    if not cards:
        unit = next((u for u in state.roster() if u.code == code), None)
        return None if unit is None else {"unit": unit, "main": None, "assessments": []}
    main = _main(cards)
    round_, kind = main.meta.round, main.meta.kind
    # The unit's place from the stored totals, its 自评 by itself: nothing else is rescored.
    places = placings(state.store.standings(round_, kind)).get(code)
    own = state.store.card(code, round_, Kind.SELF) if kind is Kind.AUDIT else None
    rubric = state.rubric_for(main)
    view = unit_view(
        main,
        rubric,
        place=places[0] if places else None,
        district_place=places[1] if places else None,
        comparison=compare(own, main) if own else None,
        history=state.store.history(code, kind),
    )
    context = _unit(view, main, rubric)
    return {
        "unit": main.meta.unit,
        "main": context,
        "main_round": round_,
        "main_round_chinese": chinese(round_),
        "assessments": [_row(c) for c in reversed(cards)],
    }


def _row(card: ScoreCard) -> dict:
    p = card.precision
    return {
        "round": card.meta.round,
        "round_chinese": chinese(card.meta.round),
        "kind": str(card.meta.kind),
        "date": card.meta.date.isoformat() if card.meta.date else "—",
        "inspectors": "、".join(card.meta.inspectors) or "—",
        "score": fmt(card.score, p),
        "final": fmt(card.final, p),
        "rate": percent(card.rate),
        "grade": card.grade,
        "status": card.status,
        "veto": card.veto,
        "not_inspected": card.not_inspected,
    }
