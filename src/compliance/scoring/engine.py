"""The scoring function: (resolved rubric, one assessment) → ScoreCard, as SPEC §3 says.

Pure: no I/O, no globals, Decimal throughout; rounding happens only in the words and on
display.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from compliance.findings import Finding, FindingsError, Severity, errors_of
from compliance.numbers import fmt, percent, rounded
from compliance.rubric import Check, Deduct, Levels, Manual, Quantity, ResolvedRubric, ScoredItem
from compliance.scoring.inputs import Assessment, ItemInput
from compliance.scoring.results import ACCEPTED_TEXT, Result, normalise, parse_result
from compliance.scoring.scorecard import BonusScore, ItemScore, ItemStatus, ScoreCard, SectionScore

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: ItemStatus
    result: str | None
    earned: Decimal
    words: str


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.findings: list[Finding] = []

    def add(self, cell: str | None, message: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(Finding(self.source, message, cell=cell, severity=severity))


def _na(item: ScoredItem, na_policy: str) -> _Outcome:
    if na_policy == "full_marks":
        return _Outcome(
            ItemStatus.NOT_APPLICABLE,
            Result.NA,
            item.points,
            f"不适用（合理缺项），按满分 {fmt(item.points)} 分计",
        )
    return _Outcome(ItemStatus.NOT_APPLICABLE, Result.NA, ZERO, "不适用（合理缺项），不计入应得分")


def _share(rate: Decimal) -> str:
    """A rubric's own threshold or fraction as written: 0.9 → 90%, 0.875 → 87.5% (not 88%)."""
    return f"{fmt(rate * 100, 4)}%"


def _entered(value: Decimal, places: int = 4) -> str:
    """A number the inspector typed, for the words: rounded like ``fmt``, except absurd
    magnitudes (``1E+30`` typed in Excel), which read better as typed than as 31 digits."""
    return str(value) if value.is_finite() and value.adjusted() >= 15 else fmt(value, places)


_NOT_INSPECTED = _Outcome(ItemStatus.NOT_INSPECTED, None, ZERO, "未检查，按 0 分计")


def _judge(
    item: ScoredItem, entry: ItemInput, rubric: ResolvedRubric, problems: _Problems
) -> _Outcome | None:
    """The outcome of one item, or None when its entry is unusable (a finding says why)."""
    p = item.points
    info = rubric.info
    raw = normalise(entry.result) if entry.result else ""
    parsed = parse_result(raw) if raw else None
    rule = item.rule

    if isinstance(rule, Levels):
        fraction = next((f for label, f in rule.labels if normalise(label) == raw), None) if raw else None
        if fraction is not None:
            label = next(label for label, _ in rule.labels if normalise(label) == raw)
            earned = p * fraction
            return _Outcome(
                ItemStatus.SCORED,
                label,
                earned,
                f"评定“{label}”（{_share(fraction)}），得 {fmt(p)} × {fmt(fraction, 4)} = {fmt(earned)} 分",
            )
        if parsed is Result.NA:
            return _na(item, info.na_policy)
        if raw:
            allowed = "、".join(label for label, _ in rule.labels)
            problems.add(
                entry.cell("result"),
                f"条目 {item.code} 的结论“{entry.result}”无法识别；应为本条的等级之一：{allowed}，或 不适用",
            )
            return None
        return _NOT_INSPECTED

    if raw and parsed is None:
        problems.add(
            entry.cell("result"),
            f"条目 {item.code} 的结论“{entry.result}”无法识别；可填：{ACCEPTED_TEXT}",
        )
        return None
    if parsed is Result.NA:
        return _na(item, info.na_policy)

    match rule:
        case Check():
            if parsed is None:
                return _NOT_INSPECTED
            if parsed is Result.PASS:
                return _Outcome(ItemStatus.SCORED, parsed, p, f"符合，得 {fmt(p)} 分")
            if parsed is Result.PARTIAL:
                earned = p * info.partial_credit
                return _Outcome(
                    ItemStatus.SCORED,
                    parsed,
                    earned,
                    f"基本符合，得 {fmt(p)} × {fmt(info.partial_credit, 4)} = {fmt(earned)} 分",
                )
            return _Outcome(ItemStatus.SCORED, parsed, ZERO, f"不符合，扣 {fmt(p)} 分")

        case Deduct(per):
            n = entry.count
            if n is None:
                if parsed is Result.PASS:
                    n = ZERO
                elif parsed is None:
                    return _NOT_INSPECTED
                else:
                    problems.add(
                        entry.cell("count"),
                        f"条目 {item.code} 按处扣分，结论为“{parsed}”时应填写问题数（不小于 0 的整数）",
                    )
                    return None
            if n < 0 or n != n.to_integral_value():
                problems.add(entry.cell("count"), f"条目 {item.code} 的问题数得到 {n}，应为不小于 0 的整数")
                return None
            deducted = min(p, per * n)
            earned = p - deducted
            words = f"问题数 {_entered(n, 0)} × 每处 {fmt(per)} 分，扣 {fmt(deducted)} 分"
            if per * n > p:
                words = f"问题数 {_entered(n, 0)} × 每处 {fmt(per)} 分 = {_entered(per * n, 2)} 分，扣完为止，扣 {fmt(deducted)} 分"
            return _Outcome(
                ItemStatus.SCORED, parsed or (Result.PASS if n == 0 else Result.FAIL), earned, words
            )

        case Quantity(target, mode):
            v = entry.measured
            if v is None:
                if parsed is None:
                    return _NOT_INSPECTED
                problems.add(
                    entry.cell("measured"),
                    f"条目 {item.code} 按数量计分，应填写实测值（不小于 0 的数）",
                )
                return None
            if v < 0:
                problems.add(
                    entry.cell("measured"),
                    f"条目 {item.code} 的实测值得到 {_entered(v)}，应为不小于 0 的数",
                )
                return None
            if mode == "threshold":
                reached = v >= target
                earned = p if reached else ZERO
                words = (
                    f"实测 {_entered(v)}，达到目标 {fmt(target, 4)}，得 {fmt(p)} 分"
                    if reached
                    else f"实测 {_entered(v)}，未达到目标 {fmt(target, 4)}，不得分"
                )
            else:
                # p × v first, then one division: 3 × 5 / 15 is exactly 1 (3 × (5 / 15) is 0.99…9).
                earned = p if v >= target else p * v / target
                words = f"实测 {_entered(v)} / 目标 {fmt(target, 4)}，得 {fmt(earned)} 分"
            return _Outcome(
                ItemStatus.SCORED,
                Result.PASS if earned == p else Result.FAIL if earned == 0 else Result.PARTIAL,
                earned,
                words,
            )

        case Manual():
            s = entry.score
            if s is None:
                if parsed is None:
                    return _NOT_INSPECTED
                problems.add(
                    entry.cell("score"),
                    f"条目 {item.code} 为人工评分，应在“得分”填写 0 至 {fmt(p)} 之间的分数",
                )
                return None
            if not ZERO <= s <= p:
                problems.add(
                    entry.cell("score"),
                    f"条目 {item.code} 的得分 {_entered(s)} 超出范围，应在 0 至 {fmt(p)} 之间",
                )
                return None
            return _Outcome(
                ItemStatus.SCORED,
                Result.PASS if s == p else Result.FAIL if s == 0 else Result.PARTIAL,
                s,
                f"人工评分 {fmt(s)} 分",
            )
    raise AssertionError(rule)


_MEMO_LIMIT = 20_000  # entries (a few MB at most); cleared when full


class _Plan:
    """What the engine reuses for every unit scored under one rubric (kept on the rubric).

    ``memo`` maps an item and its entry to the ItemScore it produced: an ItemScore is frozen
    and depends on nothing else, so units that entered the same thing share one object.
    ``spans`` gives each section its slice of the items (document order keeps a section's
    items together); None when section codes repeat and the slices would be wrong.
    """

    __slots__ = ("by_code", "codes", "memo", "spans", "veto")

    def __init__(self, rubric: ResolvedRubric):
        items = rubric.items
        self.codes = [item.code for item in items]
        self.by_code = {item.code: item for item in items}
        self.veto = tuple(i for i, item in enumerate(items) if item.veto)
        self.memo: dict[object, ItemScore] = {}
        spans: dict[str, list] = {}
        contiguous = True
        for i, item in enumerate(items):
            for level, section in enumerate(item.sections, start=1):
                span = spans.get(section.code)
                if span is None:
                    spans[section.code] = [section.code, section.name, level, i, i + 1]
                elif span[4] == i:
                    span[4] = i + 1
                else:
                    contiguous = False
        self.spans = tuple(tuple(span) for span in spans.values()) if contiguous else None


def _plan(rubric: ResolvedRubric) -> _Plan:
    plan = rubric.__dict__.get("_engine_plan")
    if plan is None:
        plan = _Plan(rubric)
        object.__setattr__(rubric, "_engine_plan", plan)
    return plan


def _item_score(
    item: ScoredItem, entry: ItemInput | None, rubric: ResolvedRubric, problems: _Problems
) -> ItemScore | None:
    outcome = _judge(item, entry, rubric, problems) if entry else _NOT_INSPECTED
    if outcome is None:
        return None
    applicable = outcome.status is not ItemStatus.NOT_APPLICABLE or rubric.info.na_policy == "full_marks"
    return ItemScore(
        code=item.code,
        text=item.text,
        section=item.top.code,
        rule=item.rule.name,
        points=item.points,
        status=outcome.status,
        result=outcome.result,
        earned=outcome.earned,
        possible=item.points if applicable else ZERO,
        deduction=outcome.words,
        note=entry.note if entry else None,
        veto=item.veto,
    )


def _entries(rubric: ResolvedRubric, assessment: Assessment, problems: _Problems) -> dict[str, ItemInput]:
    entries: dict[str, ItemInput] = {}
    known = _plan(rubric).by_code
    for entry in assessment.items:
        if entry.code not in known:
            excluded = entry.code in rubric.excluded
            why = (
                "该条目在本评分细则中不计分（exclude）"
                if excluded
                else f"评分细则 {rubric.id} 中没有这个编号"
            )
            problems.add(entry.cell("code"), f"未知的条目编号“{entry.code}”：{why}")
        elif entry.code in entries:
            first = entries[entry.code].cell("code") or "前面"
            problems.add(entry.cell("code"), f"条目编号“{entry.code}”重复：{first} 已有这一条")
        else:
            entries[entry.code] = entry
    return entries


def _bonus(rubric: ResolvedRubric, assessment: Assessment, problems: _Problems) -> BonusScore:
    known = {b.code: b for b in rubric.bonus_items}
    claimed: list[tuple[str, str, Decimal]] = []
    for claim in assessment.bonus:
        item = known.get(claim.code)
        if item is None:
            allowed = "、".join(known) or "（本评分细则没有加分项）"
            problems.add(claim.cell, f"未知的加分项编号“{claim.code}”；应为：{allowed}")
        elif any(code == claim.code for code, _, _ in claimed):
            problems.add(claim.cell, f"加分项“{claim.code}”重复申报")
        else:
            claimed.append((item.code, item.text, item.points))
    cap = rubric.info.bonus.cap if rubric.info.bonus else ZERO
    claimed_points = sum((pts for _, _, pts in claimed), ZERO)
    return BonusScore(tuple(claimed), claimed_points, min(cap, claimed_points), cap)


def evaluate(
    rubric: ResolvedRubric, assessment: Assessment, *, allow_incomplete: bool = False
) -> tuple[ScoreCard | None, list[Finding]]:
    """Score one assessment. Returns the card (None when the inputs have errors) and findings."""
    problems = _Problems(assessment.source or assessment.meta.unit.code)
    info = rubric.info
    plan = _plan(rubric)
    given = assessment.items
    if [entry.code for entry in given] == plan.codes:
        aligned = given  # one row per item, in order: nothing unknown, repeated or missing
    else:
        entries = _entries(rubric, assessment, problems)
        aligned = [entries.get(code) for code in plan.codes]
    bonus = _bonus(rubric, assessment, problems)

    memo = plan.memo
    scores: list[ItemScore] = []
    blanks: list[str] = []
    not_applicable = 0
    for item, entry in zip(rubric.items, aligned, strict=True):
        code = item.code
        if entry is None:
            key: object = code
        else:
            # str, not the Decimal: 7.5 and 7.50 are equal but must keep their own digits.
            count, measured, typed = entry.count, entry.measured, entry.score
            key = (
                code,
                entry.result,
                None if count is None else str(count),
                None if measured is None else str(measured),
                None if typed is None else str(typed),
                entry.note,
            )
        s = memo.get(key)
        if s is None:
            s = _item_score(item, entry, rubric, problems)
            if s is None:
                continue  # the entry is unusable; a finding says why
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = s
        status = s.status
        if status is not ItemStatus.SCORED:
            if status is ItemStatus.NOT_INSPECTED:
                blanks.append(code)
                if not allow_incomplete:
                    where = entry.cell("result") if entry else None
                    what = "未填写结论或数值" if entry else "检查表中缺少这一条"
                    problems.add(
                        where,
                        f"条目 {code} 未检查：{what}（如确需按 0 分计，请使用 --allow-incomplete）",
                    )
            else:
                not_applicable += 1
        scores.append(s)

    earned_of = [s.earned for s in scores]
    possible_of = [s.possible for s in scores]
    earned = sum(earned_of, ZERO)
    possible = sum(possible_of, ZERO)
    if not errors_of(problems.findings) and possible == 0:
        problems.add(None, "所有计分条目均为不适用，应得分为 0，无法计算得分率")
    if errors_of(problems.findings):
        return None, problems.findings

    rate = earned / possible
    # earned × total first, then one division: 10 of 30 on a 30-point rubric scores exactly 10.
    score = earned * info.total / possible
    if plan.spans is None:
        sections = _sections(rubric, scores)
    else:  # every item has a score here (an unusable entry returned above)
        sections = tuple(
            SectionScore(code, name, level, sum(earned_of[a:b], ZERO), sum(possible_of[a:b], ZERO))
            for code, name, level, a, b in plan.spans
        )
    veto_items = tuple(scores[i].code for i in plan.veto if scores[i].result == Result.FAIL)
    failures = _failures(rubric, rate, sections, veto_items)
    grade = (
        info.grades[-1].name if veto_items else next(g.name for g in info.grades if reaches(rate, g.min_rate))
    )
    final = score + bonus.counted
    card = ScoreCard(
        meta=assessment.meta,
        rubric_id=rubric.id,
        rubric_hash=rubric.content_hash,
        total=info.total,
        precision=info.precision,
        items=tuple(scores),
        sections=sections,
        earned=earned,
        possible=possible,
        rate=rate,
        score=score,
        bonus=bonus,
        final=final,
        veto=bool(veto_items),
        veto_items=veto_items,
        passed=not failures,
        failures=failures,
        grade=grade,
        not_inspected=len(blanks),
        not_applicable=not_applicable,
        explanation=(),
        warnings=tuple(problems.findings),
    )
    return replace(card, explanation=explain(card, rubric)), problems.findings


def score(rubric: ResolvedRubric, assessment: Assessment, *, allow_incomplete: bool = False) -> ScoreCard:
    """Like :func:`evaluate`, raising FindingsError when the inputs have errors."""
    card, findings = evaluate(rubric, assessment, allow_incomplete=allow_incomplete)
    if card is None:
        raise FindingsError(findings)
    return card


def _sections(rubric: ResolvedRubric, scores: list[ItemScore]) -> tuple[SectionScore, ...]:
    earned: dict[str, Decimal] = defaultdict(lambda: ZERO)
    possible: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_code = {s.code: s for s in scores}
    order: dict[str, tuple[str, str, int]] = {}
    for item in rubric.items:
        s = by_code[item.code]
        for level, section in enumerate(item.sections, start=1):
            order.setdefault(section.code, (section.code, section.name, level))
            earned[section.code] += s.earned
            possible[section.code] += s.possible
    return tuple(
        SectionScore(code, name, level, earned[code], possible[code]) for code, name, level in order.values()
    )


# Non-terminating divisions (measured / target, earned / possible) leave noise near the
# 28th digit: 3 × (2 × 2/3) is 3.99…9, not 4. A rate that is on a line in exact arithmetic
# must count as on it, so lines are compared with a tolerance far below any real difference.
_NOISE = Decimal("1e-20")


def reaches(rate: Decimal, line: Decimal) -> bool:
    """rate ≥ line, up to the rounding noise of Decimal division."""
    return rate >= line - _NOISE


def _below(rate: Decimal, line: Decimal) -> str:
    # 0.89996 shown with 2 decimals reads "90.00% 低于 90%": show enough digits to see why.
    shown = percent(rate)
    return percent(rate, 4) if rounded(rate, 4) >= line else shown


def _failures(
    rubric: ResolvedRubric,
    rate: Decimal,
    sections: tuple[SectionScore, ...],
    veto_items: tuple[str, ...],
) -> tuple[str, ...]:
    rule = rubric.info.pass_
    failures = []
    if not reaches(rate, rule.min_rate):
        failures.append(f"得分率 {_below(rate, rule.min_rate)} 低于达标线 {_share(rule.min_rate)}")
    if rule.min_section_rate is not None:
        for s in sections:
            if s.level == 1 and s.rate is not None and not reaches(s.rate, rule.min_section_rate):
                failures.append(
                    f"“{s.code} {s.name}”得分率 {_below(s.rate, rule.min_section_rate)} "
                    f"低于单项最低 {_share(rule.min_section_rate)}"
                )
    if veto_items:
        failures.append(f"一票否决：条目 {'、'.join(veto_items)} 不符合")
    return tuple(failures)


def explain(card: ScoreCard, rubric: ResolvedRubric) -> tuple[str, ...]:
    """The formula with this unit's own numbers, line by line, for the report."""
    info = rubric.info
    lines = []
    if card.not_applicable and info.na_policy == "exclude":
        # resolve() checks that the points add up to the total: what is missing is N/A
        full = card.total
        na_points = full - card.possible
        lines.append(
            f"应得分 = 总分值 {fmt(full)} − 合理缺项 {fmt(na_points)}（{card.not_applicable} 项）= {fmt(card.possible)} 分"
        )
    elif card.not_applicable:
        lines.append(f"应得分 = {fmt(card.possible)} 分（不适用的 {card.not_applicable} 项按满分计入）")
    else:
        lines.append(f"应得分 = {fmt(card.possible)} 分（无合理缺项）")
    lines.append(f"实得分 = {fmt(card.earned)} 分（共失分 {fmt(card.possible - card.earned)} 分）")
    if card.not_inspected:
        lines.append(f"其中 {card.not_inspected} 项未检查，按 0 分计入")
    lines.append(f"得分率 = {fmt(card.earned)} ÷ {fmt(card.possible)} = {percent(card.rate)}")
    lines.append(
        f"得分 = 得分率 {percent(card.rate)} × 总分 {fmt(card.total)} = {fmt(card.score, card.precision)} 分"
    )
    if card.bonus.claimed:
        claimed = " + ".join(fmt(p) for _, _, p in card.bonus.claimed)
        capped = (
            f"，超过封顶 {fmt(card.bonus.cap)} 分，按 {fmt(card.bonus.counted)} 分计"
            if card.bonus.capped
            else ""
        )
        lines.append(f"加分 = {claimed} = {fmt(card.bonus.claimed_points)} 分{capped}")
    lines.append(
        f"最终得分 = {fmt(card.score, card.precision)} + 加分 {fmt(card.bonus.counted)} = {fmt(card.final, card.precision)} 分（加分不计入达标和等级判定）"
    )
    rule = info.pass_
    conditions = [f"得分率 ≥ {_share(rule.min_rate)}"]
    if rule.min_section_rate is not None:
        conditions.append(f"各{rubric.standard.standard.levels[0]}得分率 ≥ {_share(rule.min_section_rate)}")
    conditions.append("无一票否决")
    verdict = "达标" if card.passed else "不达标：" + "；".join(card.failures)
    lines.append(f"达标条件：{'，且'.join(conditions)} → {verdict}")
    if card.veto:
        lines.append(f"等级：因一票否决定为“{card.grade}”")
    else:
        band = next(g for g in info.grades if g.name == card.grade)
        lines.append(f"等级：得分率 {percent(card.rate)} ≥ {_share(band.min_rate)} → “{card.grade}”")
    return tuple(lines)
