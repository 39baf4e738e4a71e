"""The scoring function: (resolved rubric, one assessment) → ScoreCard, as SPEC §3 says.

Each item is scored by its rule unit (``scoring.rules``); this module gathers the inputs,
loops over the items, and makes the totals of §3.2: sections, the weighted composite,
the section and unit vetoes, bonus and penalties, 达标 and grade. Pure: no I/O, no
globals, Decimal throughout; rounding happens only in the words and on display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from compliance.findings import Finding, FindingsError, Severity, errors_of
from compliance.numbers import fmt, percent, rounded
from compliance.scoring.inputs import Assessment, ItemInput
from compliance.scoring.results import Result
from compliance.scoring.rules import NOT_INSPECTED, Context
from compliance.scoring.rules.base import entered, share, whole_count
from compliance.scoring.scorecard import (
    NO_PENALTY,
    BonusScore,
    ItemScore,
    ItemStatus,
    PenaltyScore,
    ScoreCard,
    SectionScore,
)

if TYPE_CHECKING:
    from compliance.rubric import ResolvedRubric, ScoredItem

ZERO = Decimal(0)


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.findings: list[Finding] = []

    def add(self, cell: str | None, message: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(Finding(self.source, message, cell=cell, severity=severity))


_MEMO_LIMIT = 20_000  # entries (a few MB at most); cleared when full


def _key(entry: ItemInput | None) -> tuple | None:
    """What an item's score depends on in one input row (numbers as text: 7.5 and 7.50 are
    equal but keep their own digits in the words)."""
    if entry is None:
        return None
    count, measured, typed = entry.count, entry.measured, entry.score
    return (
        entry.result,
        None if count is None else str(count),
        None if measured is None else str(measured),
        None if typed is None else str(typed),
        entry.note,
        entry.evidence,
    )


def _item_score(
    item: ScoredItem, own: ItemInput | None, parts: tuple[ItemInput | None, ...], ctx: Context, na_policy: str
) -> ItemScore | None:
    """The item's score, or None when an input is unusable (a finding says why)."""
    if own is None and not any(p is not None for p in parts):
        outcome = NOT_INSPECTED
    else:
        outcome = item.rule.outcome(item, own, parts, ctx)
    if outcome is None:
        return None
    applicable = outcome.status is not ItemStatus.NOT_APPLICABLE or na_policy == "full_marks"
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
        note=_typed(own, parts, "note"),
        evidence=_typed(own, parts, "evidence"),
        veto=item.veto,
        entered=item.rule.entered(own),
        section_veto=item.section_veto,
    )


def _typed(own: ItemInput | None, parts: tuple[ItemInput | None, ...], name: str) -> str | None:
    """The 问题描述 (``note``) or 佐证材料 (``evidence``) typed for an item: its own row's,
    then each part row's under its 编号 (``2.4/1：…``), one per line; nothing is lost."""
    texts = [getattr(own, name)] if own is not None and getattr(own, name) else []
    texts += [f"{p.code}：{getattr(p, name)}" for p in parts if p is not None and getattr(p, name)]
    return "\n".join(texts) or None


def _aligned(
    rubric: ResolvedRubric, assessment: Assessment, problems: _Problems
) -> Sequence[ItemInput | None]:
    """The entry of every input code of the rubric, in ``rubric.input_codes`` order."""
    given = assessment.items
    if tuple(e.code for e in given) == rubric.input_codes:
        return given  # one row per input, in order: nothing unknown, repeated or missing
    entries = _entries(rubric, given, problems)
    return [entries.get(code) for code in rubric.input_codes]


def _entries(rubric: ResolvedRubric, given: Sequence[ItemInput], problems: _Problems) -> dict[str, ItemInput]:
    known = set(rubric.input_codes)
    entries: dict[str, ItemInput] = {}
    for entry in given:
        if entry.code not in known:
            base = entry.code.partition("/")[0]
            item = rubric.item(base) if "/" in entry.code else None
            if item is not None:
                n = len(item.parts)
                why = (
                    f"条目 {base} 只有 {n} 行分项（{base}/1 至 {base}/{n}）"
                    if n
                    else f"条目 {base} 的评分方式没有分项行"
                )
            elif entry.code in rubric.excluded:
                why = "该条目在本评分细则中不计分（exclude）"
            else:
                why = f"评分细则 {rubric.id} 中没有这个编号"
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
    notes: list[tuple[str, str]] = []
    for claim in assessment.bonus:
        item = known.get(claim.code)
        if item is None:
            allowed = "、".join(known) or "（本评分细则没有加分项）"
            problems.add(claim.cell, f"未知的加分项编号“{claim.code}”；应为：{allowed}")
        elif any(code == claim.code for code, _, _ in claimed):
            problems.add(claim.cell, f"加分项“{claim.code}”重复申报")
        else:
            claimed.append((item.code, item.text, item.points))
            if claim.note:
                notes.append((item.code, claim.note))
    cap = rubric.info.bonus.cap if rubric.info.bonus else ZERO
    claimed_points = sum((pts for _, _, pts in claimed), ZERO)
    return BonusScore(tuple(claimed), claimed_points, min(cap, claimed_points), cap, tuple(notes))


def _penalty(rubric: ResolvedRubric, assessment: Assessment, problems: _Problems) -> PenaltyScore:
    block = rubric.info.penalties
    if block is None:
        for claim in assessment.penalties:
            problems.add(claim.cell, f"未知的减分项编号“{claim.code}”；本评分细则没有减分项")
        return NO_PENALTY
    known = {p.code: p for p in block.items}
    entries: list[tuple[str, str, Decimal, Decimal, Decimal]] = []
    notes: list[tuple[str, str]] = []
    seen: set[str] = set()
    for claim in assessment.penalties:
        item = known.get(claim.code)
        n = ZERO if claim.count is None else claim.count
        if item is None:
            problems.add(claim.cell, f"未知的减分项编号“{claim.code}”；应为：{'、'.join(known)}")
        elif claim.code in seen:
            problems.add(claim.cell, f"减分项“{claim.code}”重复填写")
        elif not whole_count(n):
            problems.add(claim.cell, f"减分项 {claim.code} 的次数得到 {entered(n)}，应为不小于 0 的整数")
        else:
            seen.add(claim.code)
            if n:
                entries.append((item.code, item.text, item.per, n, item.per * n))
            if claim.note:
                notes.append((item.code, claim.note))
    claimed = sum((e[4] for e in entries), ZERO)
    return PenaltyScore(tuple(entries), claimed, min(block.cap, claimed), block.cap, tuple(notes))


def _sections(rubric: ResolvedRubric, scores: list[ItemScore], vetoed: set[str]) -> tuple[SectionScore, ...]:
    spans = rubric.section_spans
    if spans is None:
        return _sections_by_code(rubric, scores, vetoed)
    earned = [s.earned for s in scores]
    possible = [s.possible for s in scores]
    weights = rubric.weights or {}
    return tuple(
        SectionScore(
            section.code,
            section.name,
            level,
            ZERO if top in vetoed else sum(earned[a:b], ZERO),
            sum(possible[a:b], ZERO),
            vetoed=top in vetoed,
            weight=weights.get(section.code) if level == 1 else None,
        )
        for section, level, top, a, b in spans
    )


def _sections_by_code(
    rubric: ResolvedRubric, scores: list[ItemScore], vetoed: set[str]
) -> tuple[SectionScore, ...]:
    """Like ``_sections``, for a standard whose sections' items are not contiguous."""
    earned: dict[str, Decimal] = {}
    possible: dict[str, Decimal] = {}
    order: dict[str, tuple[str, str, int, str]] = {}
    for item, s in zip(rubric.items, scores, strict=True):
        zeroed = item.top.code in vetoed
        for level, section in enumerate(item.sections, start=1):
            code = section.code
            if code not in order:
                order[code] = (code, section.name, level, item.top.code)
                earned[code] = possible[code] = ZERO
            if not zeroed:
                earned[code] += s.earned
            possible[code] += s.possible
    weights = rubric.weights or {}
    return tuple(
        SectionScore(
            code,
            name,
            level,
            earned[code],
            possible[code],
            vetoed=top in vetoed,
            weight=weights.get(code) if level == 1 else None,
        )
        for code, name, level, top in order.values()
    )


def evaluate(
    rubric: ResolvedRubric, assessment: Assessment, *, allow_incomplete: bool = False
) -> tuple[ScoreCard | None, list[Finding]]:
    """Score one assessment. Returns the card (None when the inputs have errors) and findings."""
    problems = _Problems(assessment.source or assessment.meta.unit.code)
    info = rubric.info
    ctx = Context(info.partial_credit, info.na_policy, problems.add)
    aligned = _aligned(rubric, assessment, problems)
    bonus = _bonus(rubric, assessment, problems)
    penalty = _penalty(rubric, assessment, problems)

    memo = rubric.memo
    scores: list[ItemScore] = []
    not_applicable = 0
    not_inspected = 0
    at = 0
    for item in rubric.items:
        own = aligned[at]
        if item.part_codes:
            n = len(item.part_codes)
            parts = tuple(aligned[at + 1 : at + 1 + n])
            key: object = (item.code, _key(own), *map(_key, parts))
            at += 1 + n
        else:  # the common case, inlined: ``_key`` of the one row
            parts = ()
            at += 1
            if own is None:
                key = item.code
            else:
                count, measured, typed = own.count, own.measured, own.score
                key = (
                    item.code,
                    own.result,
                    None if count is None else str(count),
                    None if measured is None else str(measured),
                    None if typed is None else str(typed),
                    own.note,
                    own.evidence,
                )
        s = memo.get(key)
        if s is None:
            s = _item_score(item, own, parts, ctx, info.na_policy)
            if s is None:
                continue  # the entry is unusable; a finding says why
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = s
        status = s.status
        if status is ItemStatus.SCORED:
            scores.append(s)
            continue
        if status is ItemStatus.NOT_INSPECTED:
            not_inspected += 1
            if not allow_incomplete:
                filled = own is not None or any(p is not None for p in parts)
                what = "未填写结论或数值" if filled else "检查表中缺少这一条"
                problems.add(
                    own.cell("result") if own else None,
                    f"条目 {item.code} 未检查：{what}（如确需按 0 分计，请使用 --allow-incomplete）",
                )
        elif s.status is ItemStatus.NOT_APPLICABLE:
            not_applicable += 1
        scores.append(s)
    if errors_of(problems.findings):
        return None, problems.findings

    section_vetoes = tuple(s.code for s in scores if s.section_veto and s.result == Result.FAIL)
    vetoed = {s.section for s in scores if s.code in section_vetoes}
    if vetoed:
        scores = [replace(s, zeroed=True) if s.section in vetoed else s for s in scores]
    sections = _sections(rubric, scores, vetoed)
    tops = [s for s in sections if s.level == 1]
    earned = sum((s.earned for s in tops), ZERO)
    possible = sum((s.possible for s in tops), ZERO)
    if rubric.weights is None:
        if possible == 0:
            problems.add(None, "所有计分条目均为不适用，应得分为 0，无法计算得分率")
            return None, problems.findings
        rate = earned / possible
        # earned × total first, then one division: 10 of 30 on a 30-point rubric scores exactly 10.
        score = earned * info.total / possible
    else:
        rated = [s for s in tops if s.rate is not None]
        if not rated:
            problems.add(None, "所有大项均无适用条目，无法计算加权得分率")
            return None, problems.findings
        weight = sum((s.weight for s in rated), ZERO)
        rate = sum((s.weight * s.rate for s in rated), ZERO) / weight
        score = rate * info.total
    adjusted = None if info.penalties is None else max(ZERO, score - penalty.counted) / info.total
    judged = rate if adjusted is None else adjusted
    veto_items = tuple(s.code for s in scores if s.veto and s.result == Result.FAIL)
    failures = _failures(rubric, judged, adjusted is not None, sections, veto_items)
    grade = None
    if info.grades:
        grade = (
            info.grades[-1].name
            if veto_items
            else next(g.name for g in info.grades if reaches(judged, g.min_rate))
        )
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
        final=max(ZERO, score + bonus.counted - penalty.counted),
        veto=bool(veto_items),
        veto_items=veto_items,
        passed=None if info.pass_ is None else not failures,
        failures=failures,
        grade=grade,
        not_inspected=not_inspected,
        not_applicable=not_applicable,
        explanation=(),
        warnings=tuple(problems.findings),
        penalty=penalty,
        adjusted_rate=adjusted,
        section_vetoes=section_vetoes,
    )
    return replace(card, explanation=explain(card, rubric)), problems.findings


def score(rubric: ResolvedRubric, assessment: Assessment, *, allow_incomplete: bool = False) -> ScoreCard:
    """Like :func:`evaluate`, raising FindingsError when the inputs have errors."""
    card, findings = evaluate(rubric, assessment, allow_incomplete=allow_incomplete)
    if card is None:
        raise FindingsError(findings)
    return card


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
    adjusted: bool,
    sections: tuple[SectionScore, ...],
    veto_items: tuple[str, ...],
) -> tuple[str, ...]:
    rule = rubric.info.pass_
    if rule is None:
        return ()
    failures = []
    what = "调整后得分率" if adjusted else "得分率"
    if not reaches(rate, rule.min_rate):
        failures.append(f"{what} {_below(rate, rule.min_rate)} 低于达标线 {share(rule.min_rate)}")
    if rule.min_section_rate is not None:
        for s in sections:
            if s.level == 1 and s.rate is not None and not reaches(s.rate, rule.min_section_rate):
                failures.append(
                    f"“{s.code} {s.name}”得分率 {_below(s.rate, rule.min_section_rate)} "
                    f"低于单项最低 {share(rule.min_section_rate)}"
                )
    if veto_items:
        failures.append(f"一票否决：条目 {'、'.join(veto_items)} 不符合")
    return tuple(failures)


def _rate_lines(card: ScoreCard, rubric: ResolvedRubric) -> list[str]:
    """How the rate came about: earned ÷ possible, or the weighted sum of the sections."""
    if rubric.weights is None:
        return [f"得分率 = {fmt(card.earned)} ÷ {fmt(card.possible)} = {percent(card.rate)}"]
    lines = []
    rated = []
    for s in card.top_sections:
        if s.rate is None:
            lines.append(
                f"“{s.code} {s.name}”无适用条目，不计入加权（权重 {fmt(s.weight, 4)} 按比例分给其余大项）"
            )
            continue
        rated.append(s)
        how = "因大项否决计 0" if s.vetoed else f"{fmt(s.earned)} ÷ {fmt(s.possible)} = {percent(s.rate)}"
        lines.append(f"“{s.code} {s.name}”得分率 = {how}，权重 {fmt(s.weight, 4)}")
    terms = " + ".join(f"{fmt(s.weight, 4)} × {percent(s.rate)}" for s in rated)
    weight = sum((s.weight for s in rated), ZERO)
    if weight == 1:
        lines.append(f"得分率（加权）= {terms} = {percent(card.rate)}")
    else:
        lines.append(f"得分率（加权）= ({terms}) ÷ {fmt(weight, 4)} = {percent(card.rate)}")
    return lines


def explain(card: ScoreCard, rubric: ResolvedRubric) -> tuple[str, ...]:
    """The formula with this unit's own numbers, line by line, for the report."""
    info = rubric.info
    lines = []
    if card.not_applicable and info.na_policy == "exclude" and rubric.weights is None:
        # resolve() checks that the points add up to the total: what is missing is N/A
        full = card.total
        na_points = full - card.possible
        lines.append(
            f"应得分 = 总分值 {fmt(full)} − 合理缺项 {fmt(na_points)}（{card.not_applicable} 项）= {fmt(card.possible)} 分"
        )
    elif card.not_applicable and info.na_policy == "exclude":
        lines.append(f"应得分 = {fmt(card.possible)} 分（不含合理缺项 {card.not_applicable} 项）")
    elif card.not_applicable:
        lines.append(f"应得分 = {fmt(card.possible)} 分（不适用的 {card.not_applicable} 项按满分计入）")
    else:
        lines.append(f"应得分 = {fmt(card.possible)} 分（无合理缺项）")
    lines.append(f"实得分 = {fmt(card.earned)} 分（共失分 {fmt(card.possible - card.earned)} 分）")
    if card.not_inspected:
        lines.append(f"其中 {card.not_inspected} 项未检查，按 0 分计入")
    for code in card.section_vetoes:
        item = next(i for i in card.items if i.code == code)
        top = next(s for s in card.top_sections if s.code == item.section)
        own = sum((i.earned for i in card.items if i.section == top.code), ZERO)
        lines.append(
            f"大项否决：条目 {code} 不符合，“{top.code} {top.name}”计 0 分（原得 {fmt(own)} 分，得分率按 0 计）"
        )
    lines.extend(_rate_lines(card, rubric))
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
    p = card.precision
    if info.penalties is None:
        lines.append(
            f"最终得分 = {fmt(card.score, p)} + 加分 {fmt(card.bonus.counted)} = {fmt(card.final, p)} 分（加分不计入达标和等级判定）"
        )
    else:
        pen = card.penalty
        if pen.entries:
            terms = " + ".join(
                f"{code} {fmt(per)} 分 × {entered(n, 0)} 次" for code, _, per, n, _ in pen.entries
            )
            capped = f"，超过封顶 {fmt(pen.cap)} 分，按 {fmt(pen.counted)} 分计" if pen.capped else ""
            lines.append(f"减分 = {terms} = {fmt(pen.claimed_points)} 分{capped}")
        else:
            lines.append("减分 = 0 分（未填写减分事项）")
        lines.append(
            f"最终得分 = max(0, {fmt(card.score, p)} + 加分 {fmt(card.bonus.counted)} − 减分 {fmt(pen.counted)})"
            f" = {fmt(card.final, p)} 分（加分不计入达标和等级判定）"
        )
        lines.append(
            f"调整后得分率 = max(0, {fmt(card.score, p)} − 减分 {fmt(pen.counted)}) ÷ 总分 {fmt(card.total)}"
            f" = {percent(card.judged_rate)}（达标和等级按此判定）"
        )
    rate_word = "得分率" if info.penalties is None else "调整后得分率"
    rule = info.pass_
    if rule is None:
        lines.append("未设达标线：不作达标判定")
    else:
        conditions = [f"{rate_word} ≥ {share(rule.min_rate)}"]
        if rule.min_section_rate is not None:
            conditions.append(
                f"各{rubric.standard.standard.levels[0]}得分率 ≥ {share(rule.min_section_rate)}"
            )
        conditions.append("无一票否决")
        verdict = "达标" if card.passed else "不达标：" + "；".join(card.failures)
        lines.append(f"达标条件：{'，且'.join(conditions)} → {verdict}")
    if info.grades is None:
        pass
    elif card.veto:
        lines.append(f"等级：因一票否决定为“{card.grade}”")
    else:
        band = next(g for g in info.grades if g.name == card.grade)
        lines.append(
            f"等级：{rate_word} {percent(card.judged_rate)} ≥ {share(band.min_rate)} → “{card.grade}”"
        )
    return tuple(lines)
