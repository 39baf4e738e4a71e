"""Property tests of the v2 rules (SPEC §2.2a, §3.2 v2 additions).

- Every v1 rubric scores as SPEC §3.1/§3.2 of v1 say, computed here by an independent
  reference of the v1 formulas (no code of the engine is used for the expectation).
- Weights equal to the sections' share of the points give the unweighted (v1) rate.
- With every v2 rule, section veto, penalties and weights in play, the score stays within
  0 and the total, the final is never negative, and a card always explains itself.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st
from test_scoring_properties import (
    CHECK_RESULTS,
    UNIT,
    Spec,
    assessment,
    cases,
    nothing_applicable,
    specs,
    valid_entry,
)

from compliance.findings import errors_of
from compliance.rubric import Rubric, resolve
from compliance.scoring import Assessment, AssessmentMeta, ItemInput, Kind, PenaltyClaim, evaluate
from compliance.scoring.results import Result, parse_result
from compliance.standard import Standard

D = Decimal
ZERO = D(0)
NOISE = D("1e-20")


# --- v1: an independent reference of the v1 formulas ------------------------------------


def v1_item(entry: dict, value: tuple, spec: Spec) -> tuple[Decimal, Decimal, bool]:
    """(earned, possible, failed-veto) of one v1 item, straight from SPEC §3.1."""
    p = entry["points"]
    kind, x = value
    if kind == "na":
        return (p, p, False) if spec.na_policy == "full_marks" else (ZERO, ZERO, False)
    rule = entry["rule"]
    if rule == "check":
        good = CHECK_RESULTS[x]
        earned = p if good == 2 else p * spec.partial_credit if good == 1 else ZERO
        return earned, p, bool(entry.get("veto")) and good == 0
    if rule == "levels":
        return p * entry["levels"][x], p, False
    if rule == "deduct":
        n = ZERO if kind == "pass" else x
        return max(ZERO, p - entry["per"] * n), p, False
    if rule == "quantity":
        target = entry["target"]
        if entry["mode"] == "threshold":
            return (p if x >= target else ZERO), p, False
        return (p if x >= target else p * x / target), p, False
    return x, p, False  # manual


@given(cases())
def test_every_v1_rubric_scores_as_the_v1_formulas(case):
    spec, entries, claims = case
    assume(not nothing_applicable(spec, entries))
    rubric = spec.resolve()
    card, findings = evaluate(rubric, assessment(rubric, entries, claims))
    assert card is not None, [str(f) for f in findings]
    per_item = {code: v1_item(spec.items[code], value, spec) for code, value in entries.items()}
    earned = sum((e for e, _, _ in per_item.values()), ZERO)
    possible = sum((p for _, p, _ in per_item.values()), ZERO)
    assert card.earned == earned and card.possible == possible
    assert card.score == earned * spec.total / possible
    assert abs(card.rate - earned / possible) <= NOISE
    bonus_points = {f"J{j + 1}": pts for j, pts in enumerate(spec.bonus_points)}
    bonus = min(spec.bonus_cap, sum((bonus_points[c] for c in claims), ZERO))
    assert card.final == card.score + bonus
    assert card.penalty.counted == 0 and card.adjusted_rate is None and card.judged_rate == card.rate
    vetoed = any(v for _, _, v in per_item.values())
    rate = earned / possible
    passed = rate >= spec.min_rate - NOISE and not vetoed
    if spec.min_section_rate is not None:
        for codes in spec.sections:
            s_possible = sum((per_item[c][1] for c in codes), ZERO)
            if s_possible:
                s_rate = sum((per_item[c][0] for c in codes), ZERO) / s_possible
                passed = passed and s_rate >= spec.min_section_rate - NOISE
    assert card.passed == passed
    assert card.veto == vetoed
    grades = [("优秀", D("0.9")), ("良好", D("0.8")), ("合格", D("0.6")), ("不合格", ZERO)]
    grade = "不合格" if vetoed else next(name for name, line in grades if rate >= line - NOISE)
    assert card.grade == grade
    json = card.to_json()
    for item, (code, (kind, x)) in zip(json["items"], entries.items(), strict=True):
        assert item["code"] == code
        typed = x if kind in ("na", "result", "label", "pass") else None
        want = None if typed is None else (str(parse_result(typed) or typed))
        assert item["result"] == want  # as entered, never inferred


# --- weights equal to the share of points give the v1 rate -----------------------------


@given(specs(), st.data())
def test_weights_equal_to_the_share_of_points_give_the_v1_rate(spec, data):
    # N/A moves the share: compare sheets without N/A
    entries = {
        code: data.draw(valid_entry(e).filter(lambda v: v[0] != "na"), label=code)
        for code, e in spec.items.items()
    }
    claims = ()
    shares = [sum((spec.items[c]["points"] for c in codes), ZERO) / spec.total for codes in spec.sections]
    assume(all(s > 0 for s in shares))
    weights = {str(i + 1): s for i, s in enumerate(shares[:-1])}
    weights[str(len(shares))] = 1 - sum(shares[:-1], ZERO)  # add up to exactly 1
    plain = spec.resolve()
    data = plain.rubric.model_dump(by_alias=True, exclude_unset=True)
    data["rubric"]["weights"] = weights
    weighted, problems = resolve(plain.standard, Rubric.model_validate(data))
    assert weighted is not None, problems
    a, _ = evaluate(plain, assessment(plain, entries, claims))
    b, _ = evaluate(weighted, assessment(weighted, entries, claims))
    assert a is not None and b is not None
    assert abs(a.rate - b.rate) <= NOISE
    assert abs(a.score - b.score) <= NOISE * spec.total
    assert (a.earned, a.possible) == (b.earned, b.possible)


# --- v2 rubrics: the score stays within 0 and the total --------------------------------

PERS = tuple(D(x) for x in ("0.1", "0.2", "0.5", "1", "2", "3"))
POINTS = tuple(D(x) for x in ("0.5", "1", "2", "3", "5", "10", "20", "50"))


@st.composite
def v2_entries(draw) -> dict:
    rule = draw(
        st.sampled_from(("check", "triggers", "shortfall", "bands", "criteria", "level_points", "veto"))
    )
    p = draw(st.sampled_from(POINTS))
    if rule == "check":
        return {"points": p}
    if rule == "veto":
        return {
            "points": draw(st.sampled_from((ZERO, p))),
            "veto": draw(st.sampled_from(("section", "unit"))),
        }
    if rule == "triggers":
        n = draw(st.integers(1, 3))
        entry = {
            "points": p,
            "rule": "deduct",
            "triggers": [{"name": f"情形{i}", "per": draw(st.sampled_from(PERS))} for i in range(n)],
        }
        if draw(st.booleans()):
            entry["max_deduct"] = p * draw(st.sampled_from((D("0.2"), D("0.5"), D(1))))
        return entry
    if rule == "shortfall":
        return {
            "points": p,
            "rule": "quantity",
            "mode": "shortfall",
            "target": draw(st.sampled_from((D(70), D(90), D(95)))),
            "unit": "%",
            "per": draw(st.sampled_from(PERS)),
            "step": draw(st.sampled_from((D(1), D("0.5"), D(5)))),
            "steps": draw(st.sampled_from(("exact", "started", "completed"))),
        }
    if rule == "bands":
        return {
            "points": p,
            "rule": "quantity",
            "mode": "bands",
            "bands": [
                {"min": D(95), "points": p},
                {"min": D(90), "points": p / 2},
                {"min": ZERO, "points": ZERO},
            ],
        }
    if rule == "criteria":
        return {
            "points": p,
            "rule": "criteria",
            "criteria": [{"text": "甲", "points": p / 2}, {"text": "乙", "points": p / 2}],
        }
    return {"points": p, "rule": "levels", "level_points": {"好": p, "中": p / 2, "差": ZERO}}


@st.composite
def v2_cases(draw):
    counts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    sections = [[f"{s + 1}.{i + 1}" for i in range(n)] for s, n in enumerate(counts)]
    items = {code: draw(v2_entries()) for codes in sections for code in codes}
    total = sum((e["points"] for e in items.values()), ZERO)
    assume(total > 0)
    info: dict = {
        "id": "prop-v2",
        "title": "随机 v2 评分细则",
        "standard": "prop",
        "total": draw(st.sampled_from((total, D(100)))),
        "partial_credit": D("0.5"),
        "items": items,
    }
    if draw(st.booleans()):
        info["pass"] = {"min_rate": D("0.6"), "min_section_rate": D("0.5")}
    if draw(st.booleans()):
        info["grades"] = [{"name": "合格", "min_rate": D("0.6")}, {"name": "不合格", "min_rate": ZERO}]
    if draw(st.booleans()) or info["total"] != total:
        n = len(sections)
        weights = [D(1) / n] * (n - 1)
        info["weights"] = {str(i + 1): w for i, w in enumerate([*weights, 1 - sum(weights, ZERO)])}
    if draw(st.booleans()):
        info["penalties"] = {
            "cap": draw(st.sampled_from((ZERO, D(5), D(200)))),
            "items": [
                {"code": "K1", "text": "减分一", "per": D(5)},
                {"code": "K2", "text": "减分二", "per": D("0.5")},
            ],
        }
    standard = Standard.model_validate(
        {
            "standard": {
                "id": "prop",
                "title": "随机标准",
                "version": "1",
                "fidelity": "illustrative",
                "levels": ["大项", "小项"],
            },
            "sections": [
                {
                    "code": str(s + 1),
                    "name": f"大项{s + 1}",
                    "items": [{"code": c, "text": f"条目 {c}"} for c in codes],
                }
                for s, codes in enumerate(sections)
            ],
        }
    )
    rubric, problems = resolve(standard, Rubric.model_validate({"rubric": info}))
    assert rubric is not None, problems
    rows = []
    for item in rubric.items:
        if draw(st.integers(0, 5)) == 0:
            rows.append(ItemInput(item.code, result="不适用"))
            continue
        name = item.rule.name
        if item.parts:
            rows.append(ItemInput(item.code))
            for part in item.parts:
                code = f"{item.code}/{part.index}"
                if part.column == "count":
                    rows.append(ItemInput(code, count=D(draw(st.integers(0, 20)))))
                else:
                    rows.append(ItemInput(code, result=draw(st.sampled_from(("符合", "基本符合", "不符合")))))
        elif name == "quantity":
            rows.append(ItemInput(item.code, measured=draw(st.decimals(0, 100, places=1))))
        elif name == "levels":
            rows.append(ItemInput(item.code, result=draw(st.sampled_from(("好", "中", "差")))))
        else:
            rows.append(ItemInput(item.code, result=draw(st.sampled_from(("符合", "基本符合", "不符合")))))
    penalties = ()
    if "penalties" in info:
        penalties = tuple(PenaltyClaim(c, D(draw(st.integers(0, 30)))) for c in ("K1", "K2"))
    meta = AssessmentMeta(UNIT, rubric.id, Kind.AUDIT, "2024-1")
    return rubric, Assessment(meta, tuple(rows), penalties=penalties)


@given(v2_cases())
def test_v2_score_stays_between_zero_and_the_total(case):
    rubric, assessment_ = case
    card, findings = evaluate(rubric, assessment_)
    if card is None:  # only when nothing is applicable
        assert all(f.message.startswith("所有") for f in errors_of(findings))
        return
    assert 0 <= card.score <= card.total
    assert 0 <= card.rate <= 1
    assert 0 <= card.judged_rate <= 1
    assert 0 <= card.final <= card.total + card.bonus.counted
    assert card.final == max(ZERO, card.score + card.bonus.counted - card.penalty.counted)
    assert card.penalty.counted <= (rubric.info.penalties.cap if rubric.info.penalties else 0)
    for item in card.items:
        assert 0 <= item.earned <= item.possible <= item.points
    for s in card.sections:
        assert s.rate is None or 0 <= s.rate <= 1
        assert not s.vetoed or s.rate == 0
    if card.passed:
        assert card.judged_rate >= rubric.info.pass_.min_rate - NOISE and not card.veto
    if rubric.info.pass_ is None:
        assert card.passed is None and card.status == "—" and card.to_json()["status"] is None
    if rubric.info.grades is None:
        assert card.grade is None
    for code in card.section_vetoes:
        item = next(i for i in card.items if i.code == code)
        assert item.result == Result.FAIL
        assert next(s for s in card.top_sections if s.code == item.section).rate == 0
    assert card.explanation and all(isinstance(line, str) for line in card.explanation)
