"""Progress against targets as typed data: 达标率 round by round for the scope and each
district, each milestone's standing in words, and the squads still not 达标."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.numbers import fmt, percent
from compliance.reports.charts import MilestonePoint, ProgressChart, Series
from compliance.reports.context import Issue, Masthead, Signature, day, masthead, round_name
from compliance.rubric import ResolvedRubric
from compliance.scoring.progress import (
    MilestoneStatus,
    RoundCards,
    Status,
    gap_to_pass,
    latest_cards,
    milestone_status,
    scope_units,
    share_series,
)
from compliance.scoring.scorecard import ScoreCard
from compliance.targets import Scope, Targets
from compliance.units import Unit

TONES = {Status.MET: "met", Status.MISSED: "missed", Status.PENDING: "pending"}


@dataclass(frozen=True, slots=True)
class MilestoneLine:
    by: str
    share: str
    status: str
    tone: str
    detail: str


@dataclass(frozen=True, slots=True)
class SeriesLine:
    round: str
    date: str
    assessed: int
    passed: int
    share: str
    rechecked: int


@dataclass(frozen=True, slots=True)
class DistrictProgress:
    name: str
    units: int
    passed: int
    share: str
    statuses: tuple[tuple[str, str], ...]  # (words, tone) per milestone


@dataclass(frozen=True, slots=True)
class BehindLine:
    unit: Unit
    round: str
    basis: str  # 考评 / 复查 / —
    score: str
    rate: str
    gap: str
    reasons: str


@dataclass(frozen=True, slots=True)
class ProgressReport:
    head: Masthead
    scope: str
    units: int
    as_of: str
    chart: ProgressChart
    milestones: tuple[MilestoneLine, ...]
    milestone_dates: tuple[str, ...]
    series: tuple[SeriesLine, ...]
    districts: tuple[DistrictProgress, ...]
    behind: tuple[BehindLine, ...]
    rechecked: int  # units whose latest standing is a 复查


def scope_label(scope: Scope) -> str:
    """The scope's line in the chart: 全市 for a city, 全区 for a district."""
    if scope.district:
        return "全区"
    return "全市" if scope.city else "全部单位"


def _names(units: Sequence[Unit]) -> str:
    return "、".join(u.name for u in units)


def milestone_words(s: MilestoneStatus) -> str:
    """达成 / 未达成（差 N 个：名单）/ 未到期, with the standing it is judged on."""
    standing = f"{round_name(s.round)} {s.passed}/{s.units} 个达标" if s.round else "截止前没有考评"
    target = f"目标 {s.needed} 个"
    if s.status is Status.MET:
        return f"达成：{standing}，{target}"
    if s.status is Status.MISSED:
        return f"未达成（差 {s.short} 个：{_names(s.missing)}）；{standing}，{target}"
    return f"未到期：目前 {standing}，{target}，还差 {s.short} 个"


def _short_words(s: MilestoneStatus) -> str:
    if s.status is Status.MISSED:
        return f"未达成（差 {s.short} 个）"
    if s.status is Status.PENDING:
        return f"未到期（还差 {s.short} 个）" if s.short else "未到期（已够数）"
    return str(s.status)


def _behind(
    units: Sequence[Unit], latest: dict[str, ScoreCard], rubric_for: Callable[[ScoreCard], ResolvedRubric]
) -> tuple[BehindLine, ...]:
    """Squads not 达标 by their latest result: never assessed first, then the widest gap."""
    rows = []
    for unit in units:
        card = latest.get(unit.code)
        if card is None:
            row = BehindLine(unit, "—", "—", "未考评", "—", "—", "")
            rows.append(((0, Decimal(0), unit.district, unit.code), row))
        elif not card.passed:
            rule = rubric_for(card).info.pass_
            gap = gap_to_pass(card, rule.min_rate) if rule else Decimal(0)
            row = BehindLine(
                unit,
                round_name(card.meta.round),
                str(card.meta.kind),
                f"{fmt(card.score, card.precision)} / {fmt(card.total)}",
                percent(card.rate),
                fmt(gap, card.precision),
                "；".join(card.failures),
            )
            rows.append(((1, -gap, unit.district, unit.code), row))
    return tuple(row for _, row in sorted(rows, key=lambda pair: pair[0]))


def progress_view(
    targets: Targets,
    rounds: Sequence[RoundCards],
    rubric_for: Callable[[ScoreCard], ResolvedRubric],
    *,
    roster: Sequence[Unit] = (),
    as_of: dt.date | None = None,
    issue: Issue = Issue(),
) -> ProgressReport:
    """达标率 over ``rounds`` for the scope of ``targets`` and each of its districts, each
    milestone's standing, and the squads still not 达标."""
    info = targets.targets
    rounds = sorted(rounds, key=lambda r: r.date)
    units = scope_units(info.scope, rounds, roster)
    series = share_series(rounds, units)
    scope_name = "".join(filter(None, (info.scope.city, info.scope.district, info.scope.type))) or "全部单位"
    as_of = as_of or (rounds[-1].date if rounds else None)
    statuses = milestone_status(info.milestones, rounds, units, as_of=as_of)

    districts, lines = [], [Series(scope_label(info.scope), tuple((p.date, p.share) for p in series), True)]
    for name in sorted({u.district for u in units}):
        members = [u for u in units if u.district == name]
        points = share_series(rounds, members)
        lines.append(Series(name, tuple((p.date, p.share) for p in points)))
        districts.append(
            DistrictProgress(
                name,
                len(members),
                points[-1].passed if points else 0,
                percent(points[-1].share, 1) if points else "—",
                tuple(
                    (_short_words(s), TONES[s.status])
                    for s in milestone_status(info.milestones, rounds, members, as_of=as_of)
                ),
            )
        )
    latest = latest_cards(rounds, units)[-1] if rounds else {}
    rubrics: dict[str, ResolvedRubric] = {}
    for r in rounds:
        for card in r.cards:
            rubrics.setdefault(card.rubric_hash, rubric_for(card))
    chart = ProgressChart(
        tuple(lines),
        tuple(
            MilestonePoint(m.by, m.share, f"{day(m.by)}\n目标 {percent(m.share, 0)}") for m in info.milestones
        ),
        tuple((r.date, round_name(r.round)) for r in rounds),
        "评估轮次（按各轮截止日期）",
        "达标率",
    )
    head: Masthead = masthead(
        f"{info.title}进度报告",
        f"数据截至 {round_name(rounds[-1].round)}" if rounds else "尚无考评",
        Issue(issue.assessor or info.assessor, issue.date),
        signatures=(Signature("制表人（签字）"), Signature("审核人（签字）")),
        rubrics=list(rubrics.values()),
    )
    return ProgressReport(
        head=head,
        scope=scope_name,
        units=len(units),
        as_of=day(as_of),
        chart=chart,
        milestones=tuple(
            MilestoneLine(day(s.by), percent(s.share, 0), str(s.status), TONES[s.status], milestone_words(s))
            for s in statuses
        ),
        milestone_dates=tuple(day(m.by) for m in info.milestones),
        series=tuple(
            SeriesLine(
                round_name(p.round), day(p.date), p.assessed, p.passed, percent(p.share, 1), p.rechecked
            )
            for p in series
        ),
        districts=tuple(districts),
        behind=_behind(units, latest, rubric_for),
        rechecked=series[-1].rechecked if series else 0,
    )
