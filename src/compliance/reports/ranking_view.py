"""The city ranking of one round as typed data: rows for the PDF (words) and for the
spreadsheet (numbers, rounded as shown), and the district roll-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.numbers import fmt, percent, rounded
from compliance.reports.context import Issue, Masthead, Signature, masthead, round_name, signed
from compliance.rubric import ResolvedRubric
from compliance.scoring.ranking import Ranked, by_district, summarise
from compliance.units import Unit

NO_PASS_LINE = "未设达标线"


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
                c.grade or "—",
                c.status,
                c.veto,
                c.precision,
                p.rank if p else None,
                p.card.points(p.card.final) if p else None,
            )
        )
    return rows


def rank_change_text(row: RankRow, has_previous: bool) -> str:
    change = row.rank_change
    if change is None:
        return "新参评" if has_previous else "—"
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "持平"


@dataclass(frozen=True, slots=True)
class RankingLine:
    rank: int
    code: str
    name: str
    district: str
    score: str
    bonus: str
    final: str
    rate: str
    grade: str
    status: str
    passed: bool
    veto: bool
    rank_change: str
    final_change: str


@dataclass(frozen=True, slots=True)
class DistrictLine:
    name: str
    assessed: int
    passed: int
    pass_rate: str
    mean: str
    min: str
    max: str
    total: bool


@dataclass(frozen=True, slots=True)
class RankingReport:
    head: Masthead
    round: str
    kind: str
    previous_round: str | None
    has_previous: bool
    rubrics: tuple[str, ...]
    pass_line: str  # the 达标 rule in words, or 未设达标线
    passed: int
    count: int
    rows: tuple[RankingLine, ...]
    districts: tuple[DistrictLine, ...]


def _pass_line(rubrics: Sequence[ResolvedRubric]) -> str:
    rules = {r.info.pass_ for r in rubrics}
    if not rubrics or None in rules:
        return NO_PASS_LINE if rubrics and rules == {None} else "达标线以各单位所用评分细则为准"
    if len(rules) > 1:
        return "达标线以各单位所用评分细则为准"
    rule = rules.pop()
    parts = [f"得分率 ≥ {percent(rule.min_rate, 0)}"]
    if rule.min_section_rate is not None:
        parts.append(f"各单项得分率 ≥ {percent(rule.min_section_rate, 0)}")
    return "达标条件：" + "，".join([*parts, "无一票否决"])


def ranking_title(cards, round: str, kind: str) -> str:
    cities = {c.meta.unit.city for c in cards}
    city = cities.pop() if len(cities) == 1 else ""
    return f"{city}{round_name(round)}规范化建设{kind}排名"


def ranking_view(
    ranked: Sequence[Ranked],
    *,
    round: str,
    kind: str,
    rubrics: Sequence[ResolvedRubric] = (),
    previous: Sequence[Ranked] | None = None,
    previous_round: str | None = None,
    issue: Issue = Issue(),
) -> RankingReport:
    """The city ranking of one round; ``previous`` (the previous round's ranking) adds changes."""
    cards = [r.card for r in ranked]
    summaries = [*by_district(cards), summarise("合计", cards)]
    places = max((c.precision for c in cards), default=2)
    has_previous = previous is not None
    head = masthead(
        ranking_title(cards, round, kind),
        f"{round_name(round)} · {kind}",
        issue,
        signatures=(Signature("制表人（签字）"), Signature("审核人（签字）")),
        rubrics=rubrics,
    )
    no_line = {r.info.title for r in rubrics if r.info.pass_ is None}
    return RankingReport(
        head=head,
        round=round_name(round),
        kind=kind,
        previous_round=round_name(previous_round) if previous_round else None,
        has_previous=has_previous,
        rubrics=tuple(
            f"{r.info.title}（{r.version_label}，满分 {fmt(r.total)}{'，' + NO_PASS_LINE if r.info.title in no_line else ''}）"
            for r in rubrics
        ),
        pass_line=_pass_line(rubrics),
        passed=sum(1 for c in cards if c.passed),
        count=len(cards),
        rows=tuple(
            RankingLine(
                row.rank,
                row.unit.code,
                row.unit.name,
                row.unit.district,
                fmt(row.score, row.precision),
                fmt(row.bonus, row.precision),
                fmt(row.final, row.precision),
                percent(row.rate),
                row.grade,
                row.status,
                row.status == "达标",
                row.veto,
                rank_change_text(row, has_previous),
                signed(row.final_change, row.precision) if row.final_change is not None else "—",
            )
            for row in rank_rows(ranked, previous)
        ),
        districts=tuple(
            DistrictLine(
                s.name,
                s.assessed,
                s.passed,
                percent(s.pass_rate, 1),
                fmt(s.mean_score, places),
                fmt(s.min_score, places),
                fmt(s.max_score, places),
                s is summaries[-1],
            )
            for s in summaries
        ),
    )
