"""Property tests of the scoring engine (STYLE practice 9, SPEC §3).

Random small rubrics (random points, rules and parameters, na_policy and partial_credit;
total = the sum of the points) with random valid inputs. The number of examples comes
from the Hypothesis profile loaded in ``conftest.py``: ``default`` (200 per property) or
``HYPOTHESIS_PROFILE=ci`` (2000).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from compliance.findings import errors_of
from compliance.numbers import rounded
from compliance.rubric import ResolvedRubric, Rubric, resolve
from compliance.scoring import (
    Assessment,
    AssessmentMeta,
    BonusClaim,
    BonusScore,
    ItemInput,
    Kind,
    ScoreCard,
    evaluate,
    rank,
)
from compliance.standard import Standard
from compliance.units import Unit

D = Decimal
RULES = ("check", "levels", "deduct", "quantity", "manual")
POINTS = tuple(D(x) for x in ("0", "0.1", "0.5", "1", "2", "2.5", "3", "5", "6", "10", "15", "20"))
PERS = tuple(D(x) for x in ("0.1", "0.5", "1", "2", "3", "5"))
TARGETS = tuple(D(x) for x in ("1", "3", "7.5", "15", "20"))
FRACTIONS = tuple(D(x) for x in ("0", "0.2", "0.25", "0.5", "0.6", "0.75", "0.8", "1"))
RATES = tuple(D(x) for x in ("0", "0.5", "0.6", "0.75", "0.8", "0.875", "0.9", "1"))
SCALES = tuple(D(x) for x in ("2", "10", "0.5", "3", "7", "0.1"))
# 结论 values a check item accepts, with how good each is (higher is better)
CHECK_RESULTS = {
    "不符合": 0,
    "×": 0,
    "N": 0,
    "基本符合": 1,
    "△": 1,
    "部分符合": 1,
    "符合": 2,
    "√": 2,
    "是": 2,
}
NA_WORDS = ("不适用", "/", "合理缺项", "N/A", "无此项", "—")
UNIT = Unit(
    code="320602001", name="文峰街道综合执法队", type="街道综合执法队", city="南通市", district="崇川区"
)
GRADES = [
    {"name": "优秀", "min_rate": D("0.9")},
    {"name": "良好", "min_rate": D("0.8")},
    {"name": "合格", "min_rate": D("0.6")},
    {"name": "不合格", "min_rate": D(0)},
]
GRADE_ORDER = [g["name"] for g in GRADES]


# --- random rubrics -----------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A random rubric in plain data, so it can be scaled and rebuilt."""

    sections: tuple[tuple[str, ...], ...]  # item codes per top-level section
    items: dict[str, dict]  # code → the rubric's entry (points, rule, parameters)
    na_policy: str
    partial_credit: Decimal
    min_rate: Decimal
    min_section_rate: Decimal | None
    bonus_cap: Decimal
    bonus_points: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return sum((e["points"] for e in self.items.values()), D(0))

    def scaled(self, k: Decimal) -> Spec:
        items = {}
        for code, entry in self.items.items():
            entry = dict(entry, points=entry["points"] * k)
            if entry["rule"] == "deduct":
                entry["per"] *= k
            items[code] = entry
        return Spec(
            self.sections,
            items,
            self.na_policy,
            self.partial_credit,
            self.min_rate,
            self.min_section_rate,
            self.bonus_cap * k,
            tuple(p * k for p in self.bonus_points),
        )

    def resolve(self) -> ResolvedRubric:
        standard = Standard.model_validate(
            {
                "standard": {
                    "id": "prop",
                    "title": "随机标准",
                    "version": "1",
                    "fidelity": "illustrative",
                    "levels": ["方面", "小项"],
                },
                "sections": [
                    {
                        "code": str(s + 1),
                        "name": f"方面{s + 1}",
                        "items": [{"code": code, "text": f"条目 {code}"} for code in codes],
                    }
                    for s, codes in enumerate(self.sections)
                ],
            }
        )
        info: dict = {
            "id": "prop-rubric",
            "title": "随机评分细则",
            "standard": "prop",
            "total": self.total,
            "na_policy": self.na_policy,
            "partial_credit": self.partial_credit,
            "pass": {"min_rate": self.min_rate, "min_section_rate": self.min_section_rate},
            "grades": GRADES,
            "items": self.items,
        }
        if self.bonus_points:
            info["bonus"] = {
                "cap": self.bonus_cap,
                "items": [
                    {"code": f"J{j + 1}", "text": f"加分项 {j + 1}", "points": p}
                    for j, p in enumerate(self.bonus_points)
                ],
            }
        resolved, problems = resolve(standard, Rubric.model_validate({"rubric": info}))
        assert resolved is not None, problems
        return resolved


@st.composite
def item_entries(draw) -> dict:
    rule = draw(st.sampled_from(RULES))
    entry: dict = {"points": draw(st.sampled_from(POINTS)), "rule": rule}
    if rule == "deduct":
        entry["per"] = draw(st.sampled_from(PERS))
    elif rule == "quantity":
        entry["target"] = draw(st.sampled_from(TARGETS))
        entry["mode"] = draw(st.sampled_from(("proportional", "threshold")))
    elif rule == "levels":
        fractions = draw(st.lists(st.sampled_from(FRACTIONS), min_size=1, max_size=4))
        entry["levels"] = {f"等级{j}": f for j, f in enumerate(fractions)}
    elif rule == "check" and draw(st.integers(0, 4)) == 0:
        entry["veto"] = True
    return entry


@st.composite
def specs(draw) -> Spec:
    counts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    sections = tuple(tuple(f"{s + 1}.{i + 1}" for i in range(n)) for s, n in enumerate(counts))
    items = {code: draw(item_entries()) for codes in sections for code in codes}
    first = sections[0][0]
    if sum(e["points"] for e in items.values()) == 0:
        items[first] = dict(items[first], points=D(1))
    bonus_points = tuple(draw(st.lists(st.sampled_from(POINTS[1:]), max_size=3)))
    return Spec(
        sections=sections,
        items=items,
        na_policy=draw(st.sampled_from(("exclude", "full_marks"))),
        partial_credit=draw(st.sampled_from(FRACTIONS)),
        min_rate=draw(st.sampled_from(RATES)),
        min_section_rate=draw(st.none() | st.sampled_from(RATES)),
        bonus_cap=draw(st.sampled_from(POINTS)),
        bonus_points=bonus_points,
    )


# --- random inputs ------------------------------------------------------------------------
# An entry is ("na", word) or (rule-specific kind, value); ``to_input`` makes the checklist row.


def na_entries():
    return st.tuples(st.just("na"), st.sampled_from(NA_WORDS))


def valid_entry(entry: dict):
    """A strategy of inputs valid for one rubric entry (not applicable included)."""
    rule, points = entry["rule"], entry["points"]
    if rule == "check":
        good = st.tuples(st.just("result"), st.sampled_from(sorted(CHECK_RESULTS)))
    elif rule == "levels":
        good = st.tuples(st.just("label"), st.sampled_from(sorted(entry["levels"])))
    elif rule == "deduct":
        good = st.tuples(st.just("count"), st.integers(0, 12).map(D)) | st.tuples(
            st.just("pass"), st.just("符合")
        )
    elif rule == "quantity":
        top = entry["target"] * 2
        good = st.tuples(st.just("measured"), st.decimals(0, top, places=2))
    else:
        good = st.tuples(st.just("score"), st.decimals(0, points, places=2))
    return st.one_of(good, good, good, na_entries())  # not applicable about a quarter of the time


def to_input(code: str, value: tuple) -> ItemInput:
    kind, x = value
    if kind in ("na", "result", "label", "pass"):
        return ItemInput(code, result=x)
    return ItemInput(code, **{kind: x})


@st.composite
def cases(draw):
    spec = draw(specs())
    entries = {code: draw(valid_entry(e)) for code, e in spec.items.items()}
    claims = (
        draw(st.lists(st.sampled_from([f"J{j + 1}" for j in range(len(spec.bonus_points))]), unique=True))
        if spec.bonus_points
        else []
    )
    return spec, entries, claims


def assessment(rubric: ResolvedRubric, entries: dict[str, tuple], claims=()) -> Assessment:
    meta = AssessmentMeta(UNIT, rubric.id, Kind.AUDIT, "2024-1")
    items = tuple(to_input(code, value) for code, value in entries.items())
    return Assessment(meta, items, tuple(BonusClaim(c) for c in claims))


def run(spec: Spec, entries: dict[str, tuple], claims=()) -> tuple[ScoreCard | None, list]:
    rubric = spec.resolve()
    return evaluate(rubric, assessment(rubric, entries, claims))


def nothing_applicable(spec: Spec, entries: dict[str, tuple]) -> bool:
    """Whether possible is 0: every item with points is not applicable, under exclude."""
    return spec.na_policy == "exclude" and all(
        entries[code][0] == "na" for code, e in spec.items.items() if e["points"] > 0
    )


# --- properties ---------------------------------------------------------------------------


@given(cases())
def test_score_stays_between_zero_and_the_total(case):
    spec, entries, claims = case
    card, findings = run(spec, entries, claims)
    if nothing_applicable(spec, entries):
        assert card is None
        assert [f.message for f in errors_of(findings)] == [
            "所有计分条目均为不适用，应得分为 0，无法计算得分率"
        ]
        return
    assert card is not None, [str(f) for f in findings]
    assert not errors_of(findings)
    assert 0 <= card.earned <= card.possible
    assert 0 <= card.rate <= 1
    assert 0 <= card.score <= spec.total
    assert 0 <= card.bonus.counted <= spec.bonus_cap
    assert card.final == card.score + card.bonus.counted
    for item in card.items:
        assert 0 <= item.earned <= item.possible <= item.points
    for section in card.sections:
        assert section.rate is None or 0 <= section.rate <= 1
    if card.passed:
        assert card.rate >= spec.min_rate and not card.veto
    if card.veto:
        assert not card.passed and card.grade == GRADE_ORDER[-1]


def better(entry: dict, value: tuple):
    """A strategy of inputs at least as good as ``value`` for the same rubric entry."""
    kind, x = value
    if kind == "result":
        return st.sampled_from(sorted(r for r, v in CHECK_RESULTS.items() if v >= CHECK_RESULTS[x])).map(
            lambda r: ("result", r)
        )
    if kind == "label":
        levels = entry["levels"]
        return st.sampled_from(sorted(k for k, f in levels.items() if f >= levels[x])).map(
            lambda k: ("label", k)
        )
    if kind == "count":
        return st.integers(0, int(x)).map(lambda n: ("count", D(n))) | st.just(("pass", "符合"))
    if kind == "pass":
        return st.just(value)
    if kind == "measured":
        return st.decimals(0, 50, places=2).map(lambda extra: ("measured", x + extra))
    if kind == "score":
        return st.decimals(x, entry["points"], places=2).map(lambda s: ("score", s))
    raise AssertionError(value)


@given(cases(), st.data())
def test_improving_one_result_never_lowers_the_score(case, data):
    spec, entries, claims = case
    applicable = [code for code, value in entries.items() if value[0] != "na"]
    assume(applicable and not nothing_applicable(spec, entries))
    code = data.draw(st.sampled_from(applicable), label="item")
    improved = dict(entries)
    improved[code] = data.draw(better(spec.items[code], entries[code]), label="better")
    rubric = spec.resolve()
    before, _ = evaluate(rubric, assessment(rubric, entries, claims))
    after, _ = evaluate(rubric, assessment(rubric, improved, claims))
    assert before is not None and after is not None
    assert after.possible == before.possible
    item_before = next(i for i in before.items if i.code == code)
    item_after = next(i for i in after.items if i.code == code)
    assert item_after.earned >= item_before.earned
    assert after.earned >= before.earned
    assert after.score >= before.score
    assert after.final >= before.final
    if before.passed:
        assert after.passed
    assert GRADE_ORDER.index(after.grade) <= GRADE_ORDER.index(before.grade)


@given(cases(), st.sampled_from(SCALES))
def test_scaling_every_point_and_the_total_keeps_the_rate(case, k):
    spec, entries, claims = case
    assume(not nothing_applicable(spec, entries))
    scaled_entries = {
        code: ("score", value[1] * k) if value[0] == "score" else value for code, value in entries.items()
    }
    card, _ = run(spec, entries, claims)
    scaled, _ = run(spec.scaled(k), scaled_entries, claims)
    assert card is not None and scaled is not None
    # exact when every item's earned terminates; proportional quantities may differ in the 28th digit
    assert abs(scaled.rate - card.rate) <= D("1e-25")
    assert abs(scaled.score - card.score * k) <= D("1e-20") * max(1, spec.total * k)
    assert abs(scaled.bonus.counted - card.bonus.counted * k) == 0
    if scaled.rate == card.rate and all(
        a.rate == b.rate for a, b in zip(card.sections, scaled.sections, strict=True)
    ):
        assert (scaled.passed, scaled.grade, scaled.veto) == (card.passed, card.grade, card.veto)


@given(specs(), st.data())
def test_all_not_applicable_is_a_finding_never_a_division_by_zero(spec, data):
    entries = {code: data.draw(na_entries()) for code in spec.items}
    card, findings = run(spec, entries)
    if spec.na_policy == "exclude":
        assert card is None
        assert [f.message for f in errors_of(findings)] == [
            "所有计分条目均为不适用，应得分为 0，无法计算得分率"
        ]
    else:  # full_marks: every item counts its points in earned and possible
        assert card is not None
        assert card.earned == card.possible == spec.total
        assert (card.rate, card.score, card.veto) == (1, spec.total, False)


TEXTS = st.text(max_size=6) | st.sampled_from(["符合", "不适用", "等级0", " ", "", "N/A"])
HUGE = tuple(D(x) for x in ("1E+24", "-1E+30", "1E+30", "1E-30", "0E-10", "-0"))
NUMBERS = st.none() | st.decimals(-5, 50, places=3) | st.sampled_from(HUGE)


@given(specs(), st.data())
def test_any_entry_gives_a_card_or_findings_never_an_exception(spec, data):
    rows = []
    for code in [*spec.items, "9.9"]:
        if data.draw(st.integers(0, 9), label="present") == 0:
            continue
        rows.append(
            ItemInput(
                code,
                result=data.draw(st.none() | TEXTS, label="result"),
                count=data.draw(NUMBERS, label="count"),
                measured=data.draw(NUMBERS, label="measured"),
                score=data.draw(NUMBERS, label="score"),
            )
        )
    rubric = spec.resolve()
    meta = AssessmentMeta(UNIT, rubric.id, Kind.SELF, "2024-1")
    allow = data.draw(st.booleans(), label="allow_incomplete")
    card, findings = evaluate(rubric, Assessment(meta, tuple(rows)), allow_incomplete=allow)
    assert (card is None) == bool(errors_of(findings))
    if card is not None:
        assert 0 <= card.score <= card.total
        assert card.not_inspected <= len(spec.items)


# --- ranking ------------------------------------------------------------------------------


def hand_made(code: str, final: Decimal, veto: bool, precision: int) -> ScoreCard:
    unit = Unit(code=code, name=f"{code}中队", type="街道综合执法队", city="南通市", district="崇川区")
    return ScoreCard(
        meta=AssessmentMeta(unit, "r", Kind.AUDIT, "2024-1"),
        rubric_id="r",
        rubric_hash="0" * 64,
        total=D(100),
        precision=precision,
        items=(),
        sections=(),
        earned=final,
        possible=D(100),
        rate=final / 100,
        score=final,
        bonus=BonusScore((), D(0), D(0), D(0)),
        final=final,
        veto=veto,
        veto_items=(),
        passed=not veto,
        failures=(),
        grade="优秀",
        not_inspected=0,
        not_applicable=0,
        explanation=(),
    )


@st.composite
def card_lists(draw) -> list[ScoreCard]:
    codes = draw(st.lists(st.text("0123456789AB", min_size=1, max_size=3), unique=True, max_size=15))
    precision = draw(st.integers(0, 2))
    finals = st.decimals(0, 105, places=3) | st.sampled_from([D("88"), D("88.004"), D("87.996"), D("90")])
    return [hand_made(code, draw(finals), draw(st.booleans()), precision) for code in codes]


@given(card_lists())
def test_ranking_is_a_permutation_with_shared_ranks(cards):
    ranked = rank(cards)
    assert sorted(id(r.card) for r in ranked) == sorted(id(c) for c in cards)
    vetoes = [r.card.veto for r in ranked]
    assert vetoes == sorted(vetoes), "vetoed units come after the others"
    for i, r in enumerate(ranked):
        shown = rounded(r.card.final, r.card.precision)
        if i == 0:
            assert r.rank == 1
            continue
        prev = ranked[i - 1]
        prev_shown = rounded(prev.card.final, prev.card.precision)
        assert r.rank >= prev.rank
        if prev.card.veto == r.card.veto and prev_shown == shown:
            assert r.rank == prev.rank, "equal places share a rank"
            assert prev.card.meta.unit.code < r.card.meta.unit.code, "ties are listed by unit code"
        else:
            assert r.rank == i + 1, "after a tie the next rank skips (1, 2, 2, 4)"
            assert prev.card.veto != r.card.veto or prev_shown > shown, "highest final first"
