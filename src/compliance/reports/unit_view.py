"""The per-unit report as typed data: cover, verdict, sections, 整改清单, comparison,
复查 before / after, trend, every item, and the signature block."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.numbers import fmt, percent
from compliance.reports.charts import Bar, SectionChart, TrendChart
from compliance.reports.context import Issue, Masthead, Signature, day, masthead, round_name, signed
from compliance.rubric import ResolvedRubric
from compliance.scoring.engine import reaches
from compliance.scoring.progress import gap_to_pass
from compliance.scoring.ranking import Comparison, Place
from compliance.scoring.recheck import BeforeAfter
from compliance.scoring.rectification import rectification
from compliance.scoring.results import Kind, Result
from compliance.scoring.scorecard import ItemScore, ItemStatus, ScoreCard
from compliance.standard import FIDELITY_LABELS
from compliance.units import Unit

NO_NOTE = "（检查人员未填写问题描述）"


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


def _result(item: ItemScore) -> str:
    return item.result or str(item.status)


@dataclass(frozen=True, slots=True)
class KeyFigure:
    label: str
    value: str
    tone: str = ""  # "pass" / "fail" / ""


@dataclass(frozen=True, slots=True)
class VetoLine:
    code: str
    text: str
    note: str


@dataclass(frozen=True, slots=True)
class SectionRow:
    code: str
    name: str
    score: str
    rate: str
    low: bool
    veto: bool


@dataclass(frozen=True, slots=True)
class HeadingRow:
    level: int
    code: str
    name: str
    score: str
    rate: str
    heading: bool = True


@dataclass(frozen=True, slots=True)
class ItemRow:
    code: str
    text: str
    result: str
    tone: str
    score: str
    deduction: str
    note: str
    evidence: str
    heading: bool = False


@dataclass(frozen=True, slots=True)
class FixRow:
    n: int
    code: str
    text: str
    result: str
    tone: str
    recoverable: str
    after: str
    reaches: bool
    note: str
    evidence: str


@dataclass(frozen=True, slots=True)
class RectificationView:
    rows: tuple[FixRow, ...]
    recoverable: str  # the column's total, on the rubric's scale
    total: str  # the scale
    possible: str  # the unit's 应得分 (raw), for the legend's formula
    pass_score: str | None  # None: no pass line, or already 达标


@dataclass(frozen=True, slots=True)
class DisagreementRow:
    code: str
    text: str
    self_result: str
    audit_result: str
    self_earned: str
    audit_earned: str
    inflated: bool


@dataclass(frozen=True, slots=True)
class ComparisonView:
    self_score: str
    audit_score: str
    self_status: str
    audit_status: str
    gap: str
    accuracy: str
    compared: int
    disagreeing: int
    inflated: int
    rows: tuple[DisagreementRow, ...]


@dataclass(frozen=True, slots=True)
class ChangeRow:
    code: str
    text: str
    before_result: str
    before_tone: str
    before_score: str
    after_result: str
    after_tone: str
    after_score: str
    gained: str
    before_note: str
    after_note: str


@dataclass(frozen=True, slots=True)
class RecheckView:
    audit_round: str
    audit_date: str
    audit_inspectors: str
    rows: tuple[ChangeRow, ...]
    fixed: int
    before: tuple[KeyFigure, ...]
    after: tuple[KeyFigure, ...]
    score_gained: str
    final_gained: str


@dataclass(frozen=True, slots=True)
class TrendRow:
    round: str
    date: str
    score: str
    final: str
    rate: str
    grade: str
    status: str
    current: bool


@dataclass(frozen=True, slots=True)
class TrendView:
    chart: TrendChart
    rows: tuple[TrendRow, ...]


@dataclass(frozen=True, slots=True)
class UnitReport:
    head: Masthead
    unit: Unit
    kind: str
    round: str
    facts: tuple[tuple[str, str], ...]
    figures: tuple[KeyFigure, ...]
    passed: bool | None  # None: the rubric has no pass line
    status: str
    grade: str
    failures: tuple[str, ...]
    pass_text: str  # the 达标 conditions in words
    gap_text: str  # "按 100 分制，距达标线 90 分还差 19.44 分" or ""
    place: Place | None
    district_place: Place | None
    vetoes: tuple[VetoLine, ...]
    not_inspected: int
    not_applicable: int
    item_count: int
    bonus_text: str
    explanation: tuple[str, ...]
    level_name: str  # the standard's top level: 方面
    sections: tuple[SectionRow, ...]
    section_min: str | None
    section_chart: SectionChart
    rows: tuple[HeadingRow | ItemRow, ...]
    rectification: RectificationView
    comparison: ComparisonView | None
    recheck: RecheckView | None
    trend: TrendView | None


# --- parts ------------------------------------------------------------------------------------


def _items(card: ScoreCard, rubric: ResolvedRubric) -> tuple[HeadingRow | ItemRow, ...]:
    """The item table's rows: a heading row whenever a section begins, then its items."""
    p = card.precision
    sections = {s.code: s for s in card.sections}
    rows: list[HeadingRow | ItemRow] = []
    open_chain: tuple[str, ...] = ()
    for item in card.items:
        scored = rubric.item(item.code)
        chain = tuple(s.code for s in scored.sections) if scored else (item.section,)
        for level, code in enumerate(chain, start=1):
            if open_chain[:level] != chain[:level] and code in sections:
                s = sections[code]
                rows.append(
                    HeadingRow(
                        min(level, 3),
                        code,
                        s.name,
                        f"{fmt(s.earned, p)} / {fmt(s.possible, p)}",
                        percent(s.rate) if s.rate is not None else "无适用条目",
                    )
                )
        open_chain = chain
        if item.veto:
            score = "否决项"
        elif item.status is ItemStatus.NOT_APPLICABLE and not item.possible:
            score = "不计"
        else:
            score = f"{fmt(item.earned, p)} / {fmt(item.possible, p)}"
        rows.append(
            ItemRow(
                item.code,
                item.text,
                _result(item),
                tone(item),
                score,
                "" if _nothing_to_say(item) else item.deduction,
                item.note or "",
                item.evidence or "",
            )
        )
    return tuple(rows)


def _rectification(card: ScoreCard, rubric: ResolvedRubric) -> RectificationView:
    rule = rubric.info.pass_
    plan = rectification(card, rule.min_rate if rule else None)
    p = card.precision
    rows = tuple(
        FixRow(
            n,
            fix.item.code,
            fix.item.text,
            _result(fix.item),
            tone(fix.item),
            fmt(fix.recoverable, p),
            fmt(fix.score_after, p),
            fix.crosses_pass,
            fix.item.note or "",
            fix.item.evidence or "",
        )
        for n, fix in enumerate(plan.fixes, start=1)
    )
    pass_score = fmt(rule.min_rate * card.total, p) if rule and not card.passed else None
    return RectificationView(
        rows, fmt(plan.recoverable, p), fmt(card.total), fmt(card.possible, p), pass_score
    )


def _comparison(c: Comparison) -> ComparisonView:
    p = c.audit_card.precision
    return ComparisonView(
        fmt(c.self_card.score, c.self_card.precision),
        fmt(c.audit_card.score, p),
        c.self_card.status,
        c.audit_card.status,
        signed(c.gap, p),
        percent(c.accuracy),
        c.compared,
        len(c.disagreements),
        len(c.inflated),
        tuple(
            DisagreementRow(
                d.code,
                d.text,
                d.self_result or "未检查",
                d.audit_result or "未检查",
                fmt(d.self_earned, p),
                fmt(d.audit_earned, p),
                d.inflated,
            )
            for d in c.disagreements
        ),
    )


def _verdict_tone(card: ScoreCard) -> str:
    return "" if card.passed is None else "pass" if card.passed else "fail"


def _totals(card: ScoreCard) -> tuple[KeyFigure, ...]:
    p = card.precision
    return (
        KeyFigure(f"得分（满分{fmt(card.total)}）", fmt(card.score, p)),
        KeyFigure("得分率", percent(card.rate)),
        KeyFigure("最终得分", fmt(card.final, p)),
        KeyFigure("是否达标", card.status, _verdict_tone(card)),
    )


def _recheck(change: BeforeAfter) -> RecheckView:
    audit = change.audit
    p = audit.precision
    return RecheckView(
        round_name(audit.meta.round),
        day(audit.meta.date),
        "、".join(audit.meta.inspectors) or "—",
        tuple(
            ChangeRow(
                c.before.code,
                c.before.text,
                _result(c.before),
                tone(c.before),
                f"{fmt(c.before.earned, p)} / {fmt(c.before.possible, p)}",
                _result(c.after),
                tone(c.after),
                f"{fmt(c.after.earned, p)} / {fmt(c.after.possible, p)}",
                signed(c.gained, p),
                c.before.note or "",
                c.after.note or "",
            )
            for c in change.changes
        ),
        change.fixed,
        _totals(audit),
        _totals(change.recheck),
        signed(change.score_gained, p),
        signed(change.final_gained, p),
    )


def _trend(card: ScoreCard, history: Sequence[ScoreCard], rubric: ResolvedRubric) -> TrendView | None:
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
    rule = rubric.info.pass_
    chart = TrendChart(
        tuple(round_name(c.meta.round) for c in ordered),
        tuple(c.rate for c in ordered),
        rule.min_rate if rule else None,
        f"达标线（得分率 {percent(rule.min_rate, 0)}）" if rule else None,
        "评估轮次",
        "得分率",
    )
    rows = tuple(
        TrendRow(
            round_name(c.meta.round),
            day(c.meta.date),
            f"{fmt(c.score, c.precision)} / {fmt(c.total)}",
            fmt(c.final, c.precision),
            percent(c.rate),
            c.grade,
            c.status,
            c.meta.round == card.meta.round,
        )
        for c in ordered
    )
    return TrendView(chart, rows)


def section_chart(card: ScoreCard, rubric: ResolvedRubric) -> SectionChart:
    """Each top-level section's rate, judged by the section minimum; a section holding a
    failed unit-veto item is drawn as failed whatever its rate."""
    rule = rubric.info.pass_
    minimum = rule.min_section_rate if rule else None
    vetoed = {item.section for item in card.items if item.code in card.veto_items}
    bars = []
    for s in card.top_sections:
        rate = s.rate
        label = "无适用条目" if rate is None else percent(rate, 1)
        if s.code in vetoed:
            codes = "、".join(i.code for i in card.items if i.section == s.code and i.code in card.veto_items)
            bars.append(Bar(s.name, rate, "veto", f"{label} · 一票否决（{codes}）"))
        elif rate is None:
            bars.append(Bar(s.name, rate, "none", label))
        elif minimum is None:
            bars.append(Bar(s.name, rate, "plain", label))
        else:
            bars.append(Bar(s.name, rate, "ok" if reaches(rate, minimum) else "low", label))
    if minimum is not None:
        legend = [("ok", "达到单项最低"), ("low", "低于单项最低")]
    else:
        legend = [("plain", "得分率（本细则未设单项最低）")]
    if vetoed:
        legend.append(("veto", "含不符合的一票否决条目"))
    return SectionChart(
        tuple(bars),
        minimum,
        f"单项最低 {percent(minimum, 0)}" if minimum is not None else None,
        "得分率",
        rubric.standard.standard.levels[0],
        tuple(legend),
    )


def _signatures(card: ScoreCard) -> tuple[Signature, ...]:
    inspectors = card.meta.inspectors
    if card.meta.kind is Kind.SELF:
        return (Signature("自评人员（签字）", inspectors), Signature("单位负责人（签字）"))
    return (
        Signature(f"{card.meta.kind}人员（签字）", inspectors),
        Signature("被考评单位负责人（签字）"),
    )


def _pass_text(rubric: ResolvedRubric) -> str:
    rule = rubric.info.pass_
    if rule is None:
        return "本评分细则未设达标线"
    parts = [f"得分率 ≥ {percent(rule.min_rate, 0)}"]
    if rule.min_section_rate is not None:
        parts.append(f"各{rubric.standard.standard.levels[0]}得分率 ≥ {percent(rule.min_section_rate, 0)}")
    parts.append("无一票否决")
    return "，".join(parts)


def _bonus_text(card: ScoreCard) -> str:
    bonus, p = card.bonus, card.precision
    if not bonus.claimed:
        return ""
    claimed = "；".join(f"{code} {text}（+{fmt(points)}）" for code, text, points in bonus.claimed)
    capped = f"，超过封顶 {fmt(bonus.cap)} 分，按 {fmt(bonus.counted, p)} 分计" if bonus.capped else ""
    return f"加分项：{claimed}{capped}。加分不计入达标和等级判定。"


def unit_view(
    card: ScoreCard,
    rubric: ResolvedRubric,
    *,
    issue: Issue = Issue(),
    place: Place | None = None,
    district_place: Place | None = None,
    comparison: Comparison | None = None,
    recheck: BeforeAfter | None = None,
    history: Sequence[ScoreCard] = (),
) -> UnitReport:
    """Everything the per-unit report shows. ``history``: this unit's cards of the same
    kind, oldest first (rounds after the card's own are left out); ``recheck``: for a
    复查, the 考评 it re-scores beside it."""
    meta, unit = card.meta, card.meta.unit
    p = card.precision
    std = rubric.standard.standard
    kind = str(meta.kind)
    round_ = round_name(meta.round)
    rule = rubric.info.pass_
    by_code = {item.code: item for item in card.items}
    issuer = unit.name if meta.kind is Kind.SELF else None
    head = masthead(
        f"{unit.name}{round_}规范化建设{kind}报告",
        f"{round_} · {kind}",
        issue,
        issuer_label="自评单位" if meta.kind is Kind.SELF else "考评单位",
        issuer=issuer,
        signatures=_signatures(card),
        rubrics=[rubric],
    )
    gap = gap_to_pass(card, rule.min_rate) if rule else None
    gap_text = (
        f"按 {fmt(card.total)} 分制，距达标线 {fmt(rule.min_rate * card.total, p)} 分还差 {fmt(gap, p)} 分。"
        if rule and gap
        else ""
    )
    tops = card.top_sections
    vetoed = {item.section for item in card.items if item.code in card.veto_items}
    minimum = rule.min_section_rate if rule else None
    return UnitReport(
        head=head,
        unit=unit,
        kind=kind,
        round=round_,
        facts=(
            ("单位名称", unit.name),
            ("单位编码", unit.code),
            ("单位类型", unit.type),
            ("所属地区", f"{unit.city} {unit.district}"),
            ("评估轮次", round_),
            ("评估类型", kind),
            ("检查日期", day(meta.date)),
            ("检查人员", "、".join(meta.inspectors) or "—"),
            ("评分细则", f"{rubric.info.title}（版本 {card.rubric_id}@{card.rubric_hash[:12]}）"),
            (
                "依据标准",
                f"{std.title}（{std.version} 版，{std.issuer or '—'}，{FIDELITY_LABELS[std.fidelity]}）",
            ),
        ),
        figures=(
            KeyFigure(f"得分（满分{fmt(card.total)}）", fmt(card.score, p)),
            KeyFigure("得分率", percent(card.rate)),
            KeyFigure("加分", f"+{fmt(card.bonus.counted, p)}"),
            *((KeyFigure("减分", f"−{fmt(card.penalty.counted, p)}"),) if card.penalty.counted else ()),
            KeyFigure("最终得分", fmt(card.final, p)),
            KeyFigure("等级", card.grade or "—"),
            KeyFigure("是否达标", card.status, _verdict_tone(card)),
        ),
        passed=card.passed,
        status=card.status,
        grade=card.grade or "—",
        failures=card.failures,
        pass_text=_pass_text(rubric),
        gap_text=gap_text,
        place=place,
        district_place=district_place,
        vetoes=tuple(
            VetoLine(code, by_code[code].text, by_code[code].note or NO_NOTE) for code in card.veto_items
        ),
        not_inspected=card.not_inspected,
        not_applicable=card.not_applicable,
        item_count=len(card.items),
        bonus_text=_bonus_text(card),
        explanation=card.explanation,
        level_name=std.levels[0],
        sections=tuple(
            SectionRow(
                s.code,
                s.name,
                f"{fmt(s.earned, p)} / {fmt(s.possible, p)}",
                percent(s.rate) if s.rate is not None else "无适用条目",
                s.rate is not None and minimum is not None and not reaches(s.rate, minimum),
                s.code in vetoed,
            )
            for s in tops
        ),
        section_min=percent(minimum, 0) if minimum is not None else None,
        section_chart=section_chart(card, rubric),
        rows=_items(card, rubric),
        rectification=_rectification(card, rubric),
        comparison=_comparison(comparison) if comparison else None,
        recheck=_recheck(recheck) if recheck else None,
        trend=_trend(card, history, rubric),
    )
