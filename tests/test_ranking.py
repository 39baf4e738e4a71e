"""Ranking, district/city roll-ups and self vs audit (SPEC §3.2–3.3), with hand-made cards."""

from __future__ import annotations

import random
from decimal import Decimal

from compliance.scoring import (
    Assessment,
    AssessmentMeta,
    BonusScore,
    ItemInput,
    Kind,
    ScoreCard,
    by_district,
    compare,
    rank,
    rank_json,
    score,
    summarise,
)
from compliance.units import Unit

D = Decimal


def card(
    code: str,
    final: str,
    *,
    veto: bool = False,
    bonus: str = "0",
    district: str = "崇川区",
    precision: int = 2,
    kind: Kind = Kind.AUDIT,
) -> ScoreCard:
    """A card with only what ranking and roll-ups read: unit, score, bonus, final, veto, 达标."""
    counted = D(bonus)
    total = D(final) - counted
    passed = not veto and total >= 90
    unit = Unit(code=code, name=f"{code}中队", type="街道综合执法队", city="南通市", district=district)
    return ScoreCard(
        meta=AssessmentMeta(unit, "mini-2024-street", kind, "2024-1"),
        rubric_id="mini-2024-street",
        rubric_hash="0" * 64,
        total=D(100),
        precision=precision,
        items=(),
        sections=(),
        earned=total,
        possible=D(100),
        rate=total / 100,
        score=total,
        bonus=BonusScore((), counted, counted, D(5)),
        final=D(final),
        veto=veto,
        veto_items=("3.1.1",) if veto else (),
        passed=passed,
        failures=() if passed else ("不达标",),
        grade="不合格" if veto else "优秀" if total >= 90 else "良好",
        not_inspected=0,
        not_applicable=0,
        explanation=(),
    )


def places(cards: list[ScoreCard]) -> list[tuple[int, str]]:
    return [(r.rank, r.card.meta.unit.code) for r in rank(cards)]


# --- rank ---------------------------------------------------------------------------------


def test_ranking_follows_spec_order_ties_and_veto():
    cards = [
        card("V02", "60", veto=True),
        card("A04", "70.5"),
        card("A02", "88"),
        card("V01", "99", veto=True),
        card("A03", "95"),
        card("V03", "60", veto=True),
        card("A01", "88"),
    ]
    # not vetoed by final (95, 88, 88, 70.5), then vetoed by final (99, 60, 60);
    # equal places share a rank (1, 2, 2, 4) and ties are listed by unit code
    assert places(cards) == [
        (1, "A03"),
        (2, "A01"),
        (2, "A02"),
        (4, "A04"),
        (5, "V01"),
        (6, "V02"),
        (6, "V03"),
    ]


def test_ranking_does_not_depend_on_input_order():
    cards = [card(f"U{i:02d}", str(80 + i % 4)) for i in range(12)]
    expected = places(cards)
    for seed in range(5):
        shuffled = cards[:]
        random.Random(seed).shuffle(shuffled)
        assert places(shuffled) == expected


def test_all_equal_share_first_place_and_the_next_skips():
    cards = [card("C", "90"), card("A", "90"), card("B", "90"), card("D", "89.99")]
    assert places(cards) == [(1, "A"), (1, "B"), (1, "C"), (4, "D")]


def test_vetoed_never_shares_a_place_with_a_unit_not_vetoed():
    cards = [card("B", "80", veto=True), card("A", "80")]
    assert places(cards) == [(1, "A"), (2, "B")]


def test_places_compare_on_the_final_as_shown():
    # precision 2: 88.004 and 87.996 are both shown 88.00 and share; 88.005 is shown 88.01 (half-up)
    cards = [card("B", "88.004"), card("A", "87.996"), card("C", "88.005")]
    assert places(cards) == [(1, "C"), (2, "A"), (2, "B")]


def test_bonus_counts_in_the_ranking_final():
    # A scores 90 + bonus 5 = 95; B scores 93 and has no bonus: A ranks first on the final
    cards = [card("B", "93"), card("A", "95", bonus="5")]
    assert places(cards) == [(1, "A"), (2, "B")]


def test_empty_ranking():
    assert rank([]) == []


def test_rank_json_values():
    ranked = rank([card("B", "88.125"), card("A", "91.5", bonus="3"), card("C", "99", veto=True)])
    rows = rank_json(ranked)
    # finals: A 91.5 (score 88.5 + 3), B 88.125 → shown 88.13 (half-up), C vetoed last
    assert rows == [
        {
            "rank": 1,
            "unit": {"code": "A", "name": "A中队", "district": "崇川区"},
            "final": 91.5,
            "score": 88.5,
            "status": "不达标",
            "grade": "良好",
            "veto": False,
        },
        {
            "rank": 2,
            "unit": {"code": "B", "name": "B中队", "district": "崇川区"},
            "final": 88.13,
            "score": 88.13,
            "status": "不达标",
            "grade": "良好",
            "veto": False,
        },
        {
            "rank": 3,
            "unit": {"code": "C", "name": "C中队", "district": "崇川区"},
            "final": 99.0,
            "score": 99.0,
            "status": "不达标",
            "grade": "不合格",
            "veto": True,
        },
    ]


# --- summaries ----------------------------------------------------------------------------


def test_summarise_a_city():
    cards = [card("A", "95"), card("B", "91", bonus="3"), card("C", "70.5"), card("D", "99", veto=True)]
    s = summarise("南通市", cards)
    # scores (bonus excluded): 95, 88, 70.5, 99; 达标: A only (B's 88 < 90, D vetoed)
    # mean = (95 + 88 + 70.5 + 99) / 4 = 352.5 / 4 = 88.125
    assert (s.name, s.assessed, s.passed) == ("南通市", 4, 1)
    assert s.pass_rate == D("0.25")
    assert s.mean_score == D("88.125")
    assert (s.min_score, s.max_score) == (D("70.5"), D("99"))


def test_summarise_nobody():
    s = summarise("空区", [])
    assert (s.assessed, s.passed, s.pass_rate) == (0, 0, 0)
    assert (s.mean_score, s.min_score, s.max_score) == (0, 0, 0)


def test_by_district_groups_and_sorts():
    cards = [
        card("T1", "92", district="通州区"),
        card("C1", "95", district="崇川区"),
        card("G1", "60", district="港闸区"),
        card("C2", "85", district="崇川区"),
        card("T2", "90", district="通州区"),
    ]
    summaries = by_district(cards)
    assert [s.name for s in summaries] == ["崇川区", "港闸区", "通州区"]
    chongchuan, gangzha, tongzhou = summaries
    # 崇川区: 95 and 85 → 1 of 2 达标, mean 90, min 85, max 95
    assert (chongchuan.assessed, chongchuan.passed, chongchuan.pass_rate) == (2, 1, D("0.5"))
    assert (chongchuan.mean_score, chongchuan.min_score, chongchuan.max_score) == (90, 85, 95)
    # 港闸区: one unit at 60, not 达标
    assert (gangzha.assessed, gangzha.passed, gangzha.pass_rate) == (1, 0, 0)
    # 通州区: 92 and 90 (on the line) → both 达标, mean 91
    assert (tongzhou.assessed, tongzhou.passed, tongzhou.pass_rate, tongzhou.mean_score) == (2, 2, 1, 91)


def test_pass_rate_of_three():
    s = summarise("区", [card("A", "95"), card("B", "50"), card("C", "40")])
    assert s.pass_rate == D(1) / D(3)


# --- self vs audit ------------------------------------------------------------------------


def assess(rubric, kind: Kind, rows: dict[str, dict]) -> ScoreCard:
    unit = Unit(
        code="320602001", name="文峰街道综合执法队", type="街道综合执法队", city="南通市", district="崇川区"
    )
    items = tuple(
        ItemInput(code, **{k: (D(v) if k != "result" else v) for k, v in row.items()})
        for code, row in rows.items()
    )
    return score(rubric, Assessment(AssessmentMeta(unit, rubric.id, kind, "2024-1"), items))


PERFECT = {
    "1.1.1": {"result": "符合"},
    "1.1.2": {"count": "0"},
    "2.1.1": {"measured": "20"},
    "2.1.2": {"result": "好"},
    "2.1.3": {"score": "10"},
    "2.1.4": {"result": "符合"},
    "3.1.1": {"result": "符合"},
}


def test_compare_self_with_audit(mini_rubric):
    self_card = assess(mini_rubric, Kind.SELF, PERFECT)
    audit = dict(PERFECT)
    audit["1.1.1"] = {"result": "不符合"}  # 符合 → 不符合: 虚报
    audit["1.1.2"] = {"count": "2"}  # 0 problems → 2 problems (30 − 4 = 26): 不符合, 虚报
    audit["2.1.2"] = {"result": "较好"}  # 好 → 较好: a disagreement, not 虚报
    audit_card = assess(mini_rubric, Kind.AUDIT, audit)
    c = compare(self_card, audit_card)
    # self 100; audit 0 + 26 + 20 + 16 + 10 + 10 + 0 = 82; gap = 100 − 82 = 18
    assert (self_card.score, audit_card.score) == (100, 82)
    assert c.gap == 18
    assert c.compared == 7
    assert [d.code for d in c.disagreements] == ["1.1.1", "1.1.2", "2.1.2"]
    assert [d.code for d in c.inflated] == ["1.1.1", "1.1.2"]
    # accuracy = items with the same result / items compared = 4 / 7
    assert c.accuracy == D(4) / D(7)
    d = c.disagreements[1]
    assert (d.self_result, d.audit_result, d.self_earned, d.audit_earned) == ("符合", "不符合", 30, 26)


def test_compare_under_reporting_is_not_inflation(mini_rubric):
    self_rows = dict(PERFECT)
    self_rows["1.1.1"] = {"result": "不符合"}  # the squad was too strict with itself
    self_rows["2.1.4"] = {"result": "不适用"}  # and called an item not applicable
    c = compare(assess(mini_rubric, Kind.SELF, self_rows), assess(mini_rubric, Kind.AUDIT, PERFECT))
    # self: 0 + 30 + 20 + 20 + 10 = 80 of 100 − 10 (N/A) = 90 → 80 × 100 / 90 = 88.888…; audit 100
    assert c.self_card.score == D(8000) / D(90)
    assert c.gap < 0
    assert [d.code for d in c.disagreements] == ["1.1.1", "2.1.4"]
    assert c.inflated == ()
    assert c.accuracy == D(5) / D(7)


def test_compare_identical(mini_rubric):
    c = compare(assess(mini_rubric, Kind.SELF, PERFECT), assess(mini_rubric, Kind.AUDIT, PERFECT))
    assert (c.gap, c.disagreements, c.inflated, c.accuracy) == (0, (), (), 1)
