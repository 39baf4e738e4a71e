"""Scoring cases as data (STYLE practice 5): every ``tests/scoring_cases/*.yaml`` is one case.

A new case is a new file. A case file holds:

``description``
    one line: what the case shows.
``standard``
    the standard inline (the whole document of SPEC §2.1: ``standard:`` + ``sections:``),
    or the name of a file in ``tests/data`` (``good_standard.yaml``).
``rubric``
    the ``rubric:`` mapping of SPEC §2.2, inline.
``inputs``
    ``items``: a list of checklist rows ``{code, result, count, measured, score, note}``;
    row *i* (0-based) sits on sheet 检查表 at row ``i + 2``, so its cells are
    ``A`` 编号, ``H`` 结论, ``I`` 问题数, ``J`` 实测值, ``K`` 得分 (the workbook's columns);
    ``bonus``: the claimed bonus codes (claim *j* at ``加分项!D{j + 2}``);
    ``penalties``: ``{code, count}`` rows of 减分项 (row *j* has its count at ``减分项!D{j + 2}``);
    an input row under an item (a trigger or a criterion) is an item row coded ``2.4/1``;
    ``allow_incomplete`` (default false); ``unit`` (optional, fields of SPEC §2.3).
``expected``
    what the engine must produce. Numbers are strings compared exactly as Decimals; a
    leading ``~`` means "equal after half-up rounding to the decimals written"
    (``~0.7972``). Keys: earned, possible, rate, score, bonus, final, veto, veto_items,
    status, grade, not_inspected, not_applicable, penalty, adjusted_rate, section_vetoes,
    sections ({code: {earned, possible, rate, vetoed}}; rate ``null`` = no rate), items
    ({code: {earned, possible, result, entered, status, zeroed, deduction}}),
    failures (one substring per reason, in order; ``[]`` when 达标), explanation
    (substrings that some line must contain), rectification (codes in order), json
    (the exact ``to_json()``), findings (``[{cell, message}]``: the inputs are invalid,
    there is no card, and these are all its errors; message is a substring), and
    rubric_problems (substrings: the rubric does not resolve).

Every arithmetic step is written in a comment of the case, computed by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compliance.findings import FindingsError, errors_of
from compliance.loader import parse_yaml, validate_document
from compliance.numbers import RATE_PLACES, rounded
from compliance.rubric import ResolvedRubric, Rubric, resolve
from compliance.scoring import (
    Assessment,
    AssessmentMeta,
    BonusClaim,
    ItemInput,
    Kind,
    PenaltyClaim,
    ScoreCard,
    evaluate,
    score,
)
from compliance.standard import Standard, structure_problems
from compliance.units import Unit

HERE = Path(__file__).parent
CASES = HERE / "scoring_cases"
DATA = HERE / "data"

CASE_KEYS = {"description", "standard", "rubric", "inputs", "expected"}
INPUT_KEYS = {"items", "bonus", "penalties", "allow_incomplete", "unit", "kind", "round"}
ROW_KEYS = {"code", "result", "count", "measured", "score", "note"}
EXPECTED_KEYS = {
    "earned",
    "possible",
    "rate",
    "score",
    "bonus",
    "final",
    "veto",
    "veto_items",
    "status",
    "grade",
    "not_inspected",
    "not_applicable",
    "sections",
    "items",
    "failures",
    "explanation",
    "rectification",
    "json",
    "findings",
    "rubric_problems",
    "penalty",
    "adjusted_rate",
    "section_vetoes",
}
COLUMNS = {"code": "A", "result": "H", "count": "I", "measured": "J", "score": "K"}
DEFAULT_UNIT = {
    "code": "320602001",
    "name": "文峰街道综合执法队",
    "type": "街道综合执法队",
    "city": "南通市",
    "district": "崇川区",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case_path" in metafunc.fixturenames:
        paths = sorted(CASES.glob("*.yaml"))
        metafunc.parametrize("case_path", paths, ids=[p.stem for p in paths])


# --- reading a case -----------------------------------------------------------------------


def read_case(path: Path) -> dict[str, Any]:
    doc, findings = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    assert doc is not None and not findings, [str(f) for f in findings]
    case = doc.data
    assert isinstance(case, dict), f"{path.name}: a case is a mapping"
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"{path.name}: unknown keys {unknown}; allowed {CASE_KEYS}"
    assert CASE_KEYS - {"inputs"} <= set(case), f"{path.name}: needs {CASE_KEYS - {'inputs'}}"
    unknown = set(case["expected"]) - EXPECTED_KEYS
    assert not unknown, f"{path.name}: unknown expected keys {unknown}; allowed {EXPECTED_KEYS}"
    return case


def build_standard(spec: Any) -> Standard:
    if isinstance(spec, str):
        path = DATA / spec
        doc, findings = parse_yaml(path.read_text(encoding="utf-8"), path.name)
        assert doc is not None and not findings, [str(f) for f in findings]
        standard, findings = validate_document(doc, Standard)
        assert standard is not None, [str(f) for f in findings]
    else:
        standard = Standard.model_validate(spec)
    assert not structure_problems(standard), structure_problems(standard)
    return standard


def build_rubric(case: dict[str, Any]) -> tuple[ResolvedRubric | None, list]:
    standard = build_standard(case["standard"])
    rubric = Rubric.model_validate({"rubric": case["rubric"]})
    return resolve(standard, rubric)


def number(value: Any) -> Decimal | None:
    if value is None:
        return None
    assert not isinstance(value, float | bool), f"inexact number in a case: {value!r}"
    return Decimal(str(value))


def build_assessment(rubric: ResolvedRubric, inputs: dict[str, Any]) -> Assessment:
    unknown = set(inputs) - INPUT_KEYS
    assert not unknown, f"unknown inputs keys {unknown}; allowed {INPUT_KEYS}"
    rows = []
    for i, row in enumerate(inputs.get("items") or []):
        unknown = set(row) - ROW_KEYS
        assert not unknown, f"unknown row keys {unknown}; allowed {ROW_KEYS}"
        line = i + 2
        rows.append(
            ItemInput(
                code=str(row["code"]),
                result=None if row.get("result") is None else str(row["result"]),
                count=number(row.get("count")),
                measured=number(row.get("measured")),
                score=number(row.get("score")),
                note=row.get("note"),
                cells={name: f"检查表!{col}{line}" for name, col in COLUMNS.items()},
            )
        )
    bonus = tuple(
        BonusClaim(str(code), cell=f"加分项!D{j + 2}") for j, code in enumerate(inputs.get("bonus") or [])
    )
    penalties = tuple(
        PenaltyClaim(str(row["code"]), number(row.get("count")), cell=f"减分项!D{j + 2}")
        for j, row in enumerate(inputs.get("penalties") or [])
    )
    meta = AssessmentMeta(
        unit=Unit.model_validate(inputs.get("unit") or DEFAULT_UNIT),
        rubric=rubric.id,
        kind=Kind(inputs.get("kind", "考评")),
        round=str(inputs.get("round", "2024-1")),
    )
    return Assessment(meta, tuple(rows), bonus, source="检查表.xlsx", penalties=penalties)


# --- comparing ----------------------------------------------------------------------------


def same(actual: Decimal | None, expected: Any, what: str) -> None:
    if expected is None:
        assert actual is None, f"{what}: expected no value, got {actual}"
        return
    assert actual is not None, f"{what}: expected {expected}, got no value"
    text = str(expected)
    if text.startswith("~"):
        want = Decimal(text[1:])
        places = max(0, -want.as_tuple().exponent)
        got = rounded(actual, places)
        assert got == want, f"{what}: expected ≈{want} ({places} decimals), got {actual}"
    else:
        assert actual == Decimal(text), f"{what}: expected exactly {text}, got {actual}"


def check_card(card: ScoreCard, expected: dict[str, Any]) -> None:
    for key in ("earned", "possible", "rate", "score", "final", "adjusted_rate"):
        if key in expected:
            same(getattr(card, key), expected[key], key)
    if "bonus" in expected:
        same(card.bonus.counted, expected["bonus"], "bonus")
    if "penalty" in expected:
        same(card.penalty.counted, expected["penalty"], "penalty")
    if "section_vetoes" in expected:
        assert list(card.section_vetoes) == [str(c) for c in expected["section_vetoes"]]
    for key in ("veto", "grade", "not_inspected", "not_applicable", "status"):
        if key in expected:
            assert getattr(card, key) == expected[key], f"{key}: {getattr(card, key)!r}"
    if "veto_items" in expected:
        assert list(card.veto_items) == [str(c) for c in expected["veto_items"]]
    sections = {s.code: s for s in card.top_sections}
    for code, want in (expected.get("sections") or {}).items():
        assert code in sections, f"no top-level section {code}; have {list(sections)}"
        s = sections[code]
        for key in ("earned", "possible", "rate"):
            if key in want:
                same(getattr(s, key), want[key], f"section {code} {key}")
        if "vetoed" in want:
            assert s.vetoed == want["vetoed"], f"section {code} vetoed: {s.vetoed}"
    items = {i.code: i for i in card.items}
    for code, want in (expected.get("items") or {}).items():
        assert code in items, f"no item {code}"
        item = items[code]
        for key in ("earned", "possible"):
            if key in want:
                same(getattr(item, key), want[key], f"item {code} {key}")
        for key in ("result", "status", "entered", "zeroed"):
            if key in want:
                assert getattr(item, key) == want[key], f"item {code} {key}: {getattr(item, key)!r}"
        if "deduction" in want:
            assert want["deduction"] in item.deduction, f"item {code}: {item.deduction!r}"
    if "failures" in expected:
        wanted = expected["failures"]
        assert len(card.failures) == len(wanted), f"failures: {card.failures}"
        for got, want in zip(card.failures, wanted, strict=True):
            assert want in got, f"failure {got!r} lacks {want!r}"
    for text in expected.get("explanation") or []:
        assert any(text in line for line in card.explanation), (
            f"no explanation line contains {text!r}:\n" + "\n".join(card.explanation)
        )
    if "rectification" in expected:
        assert [i.code for i in card.rectification] == [str(c) for c in expected["rectification"]]
    if "json" in expected:
        assert card.to_json() == as_json(expected["json"])


def as_json(value: Any) -> Any:
    """The case's expected JSON with its numbers as JSON numbers (the loader reads 0.1 as Decimal)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def check_invariants(card: ScoreCard) -> None:
    """What holds for every card, whatever the case."""
    assert card.final == max(Decimal(0), card.score + card.bonus.counted - card.penalty.counted)
    zeroed = sum((i.earned for i in card.items if i.zeroed), Decimal(0))
    assert card.earned == sum((i.earned for i in card.items), Decimal(0)) - zeroed
    assert card.possible == sum((i.possible for i in card.items), Decimal(0))
    assert 0 <= card.earned <= card.possible
    assert 0 <= card.score <= card.total
    assert 0 <= card.judged_rate <= 1
    if card.passed is None:
        assert card.status == "—" and card.failures == () and card.to_json()["status"] is None
    else:
        assert card.passed == (not card.failures)
        assert card.status == ("达标" if card.passed else "不达标")
    assert card.not_inspected == sum(1 for i in card.items if i.status == "未检查")
    data = json.loads(json.dumps(card.to_json(), ensure_ascii=False))
    assert data["rate"] == float(rounded(card.rate, RATE_PLACES))
    for s in data["sections"]:
        assert s["rate"] is None or 0 <= s["rate"] <= 1


def check_findings(findings: list, expected: list[dict[str, Any]]) -> None:
    errors = errors_of(findings)
    shown = "\n".join(str(f) for f in errors)
    assert len(errors) == len(expected), f"expected {len(expected)} findings, got:\n{shown}"
    remaining = list(errors)
    for want in expected:
        match = next(
            (
                f
                for f in remaining
                if want["message"] in f.message and ("cell" not in want or f.cell == want["cell"])
            ),
            None,
        )
        assert match is not None, f"no finding matches {want}; got:\n{shown}"
        remaining.remove(match)


def test_case(case_path: Path) -> None:
    case = read_case(case_path)
    expected = case["expected"]
    rubric, problems = build_rubric(case)
    if "rubric_problems" in expected:
        assert rubric is None, "the rubric should not resolve"
        messages = [message for _, message in problems]
        assert len(messages) == len(expected["rubric_problems"]), messages
        for want in expected["rubric_problems"]:
            assert any(want in m for m in messages), f"no problem contains {want!r}: {messages}"
        return
    assert rubric is not None, problems
    assessment = build_assessment(rubric, case.get("inputs") or {})
    allow = bool((case.get("inputs") or {}).get("allow_incomplete", False))
    card, findings = evaluate(rubric, assessment, allow_incomplete=allow)
    if "findings" in expected:
        assert card is None, f"expected findings, got a card with rate {card and card.rate}"
        check_findings(findings, expected["findings"])
        with pytest.raises(FindingsError):
            score(rubric, assessment, allow_incomplete=allow)
        return
    assert card is not None, "\n".join(str(f) for f in findings)
    assert not errors_of(findings)
    check_card(card, expected)
    check_invariants(card)


def test_there_are_enough_cases() -> None:
    assert len(list(CASES.glob("*.yaml"))) >= 30
    v2 = [p for p in CASES.glob("*.yaml") if p.stem.startswith("v2_")]
    assert len(v2) >= 40
