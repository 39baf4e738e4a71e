"""The strict models of SPEC §2 and the rubric bound to its standard (``resolve``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from compliance.catalog import Catalog, load, load_targets, load_units
from compliance.rubric import (
    Check,
    Deduct,
    Levels,
    Manual,
    Quantity,
    Rubric,
    content_hash,
    describe_rule,
    resolve,
)
from compliance.standard import Standard, structure_problems

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def spec_standard() -> Standard:
    return load(DATA / "good_spec_standard.yaml", Standard)


@pytest.fixture(scope="module")
def spec_rubric() -> Rubric:
    return load(DATA / "good_spec_rubric.yaml", Rubric)


@pytest.fixture(scope="module")
def resolved(spec_standard, spec_rubric):
    value, problems = resolve(spec_standard, spec_rubric)
    assert problems == []
    return value


# --- the strict base ----------------------------------------------------------------------


def test_models_are_frozen(spec_standard):
    with pytest.raises(ValidationError):
        spec_standard.standard.title = "改过的标题"


def test_unknown_fields_are_errors(spec_standard):
    data = spec_standard.model_dump()
    data["standard"]["titel"] = "拼错"
    with pytest.raises(ValidationError, match="titel"):
        Standard.model_validate(data)


# --- the standard -------------------------------------------------------------------------


def test_walk_yields_items_in_document_order_with_their_sections(spec_standard):
    walked = [(tuple(s.code for s in chain), item.code) for chain, item in spec_standard.walk()]
    assert walked == [
        (("1", "1.1"), "1.1.1"),
        (("1", "1.1"), "1.1.2"),
        (("2", "2.3"), "2.3.4"),
        (("3", "3.2"), "3.2.1"),
        (("5", "5.1"), "5.1.3"),
        (("5", "5.2"), "5.2.1"),
        (("6", "6.1"), "6.1.1"),
    ]


def test_sections_by_level(spec_standard):
    levels = spec_standard.sections_by_level()
    assert [len(level) for level in levels] == [5, 6]
    assert [s.code for s in levels[1]] == ["1.1", "2.3", "3.2", "5.1", "5.2", "6.1"]


def test_optional_item_fields_are_kept(spec_standard):
    item = spec_standard.sections[0].sections[0].items[0]
    assert (item.method, item.evidence, item.basis) == ("查阅资料", "佐证材料说明", "法规依据")


def test_illustrative_flag(spec_standard):
    assert spec_standard.illustrative
    official = spec_standard.model_copy(
        update={"standard": spec_standard.standard.model_copy(update={"fidelity": "official"})}
    )
    assert not official.illustrative


def test_a_good_standard_has_no_structure_problems(spec_standard):
    assert structure_problems(spec_standard) == []


def test_two_level_standard_is_fine():
    standard = Standard.model_validate(
        {
            "standard": {
                "id": "two",
                "title": "两层",
                "version": "1",
                "fidelity": "excerpt",
                "levels": ["大类", "小项"],
            },
            "sections": [{"code": "1", "name": "队伍建设", "items": [{"code": "1.1", "text": "条文"}]}],
        }
    )
    assert structure_problems(standard) == []


def test_duplicate_code_between_a_section_and_an_item():
    standard = Standard.model_validate(
        {
            "standard": {
                "id": "dup",
                "title": "重复",
                "version": "1",
                "fidelity": "official",
                "levels": ["方面", "小项"],
            },
            "sections": [
                {"code": "1", "name": "甲", "items": [{"code": "1.1", "text": "条文"}]},
                {"code": "1.1", "name": "乙", "items": [{"code": "2.1", "text": "条文"}]},
            ],
        }
    )
    ((path, message),) = structure_problems(standard)
    assert path == ("sections", 1, "code")
    assert "编号“1.1”重复" in message


# --- units and targets --------------------------------------------------------------------


def test_units_file():
    units = load_units(DATA / "good_units.yaml")
    assert [u.code for u in units.units] == ["320602001", "320602002"]
    assert units.get("320602001").name == "文峰街道综合执法队"
    assert units.get("999") is None


def test_duplicate_units_are_refused_when_built_in_code_too():
    unit = {"code": "1", "name": "甲", "type": "街道综合执法队", "city": "南通市", "district": "崇川区"}
    from compliance.units import UnitsFile

    with pytest.raises(ValidationError, match="单位编码“1”重复"):
        UnitsFile.model_validate({"units": [unit, unit]})


def test_targets_file():
    targets = load_targets(DATA / "good_targets.yaml").targets
    assert targets.scope.city == "南通市"
    assert [(m.by, m.share) for m in targets.milestones] == [
        (dt.date(2019, 12, 31), Decimal("0.5")),
        (dt.date(2021, 12, 31), Decimal("1.0")),
    ]


# --- the rubric bound to its standard -----------------------------------------------------


def test_resolved_items_rules_and_points(resolved):
    assert [(i.code, i.points, i.rule.name, i.veto) for i in resolved.items] == [
        ("1.1.1", 5, "check", False),
        ("1.1.2", 6, "deduct", False),
        ("3.2.1", 10, "levels", False),
        ("5.1.3", 4, "quantity", False),
        ("5.2.1", 8, "manual", False),
        ("6.1.1", 0, "check", True),
    ]
    assert resolved.excluded == ("2.3.4",)
    assert resolved.total == sum(i.points for i in resolved.items) == 33
    assert resolved.item("2.3.4") is None
    assert resolved.item("1.1.2").top.name == "执法部门"
    assert [b.code for b in resolved.bonus_items] == ["J1", "J2"]


def test_rule_fields_are_exact_decimals(resolved):
    assert resolved.item("1.1.2").rule == Deduct(Decimal(2))
    assert resolved.item("5.1.3").rule == Quantity(Decimal(15), "proportional")
    levels = resolved.item("3.2.1").rule
    assert isinstance(levels, Levels)
    assert levels.fraction("较好") == Decimal("0.8")
    assert levels.fraction("好") + levels.fraction("一般") == Decimal("1.5")
    assert levels.fraction("优") is None
    assert isinstance(resolved.item("1.1.1").rule, Check)
    assert isinstance(resolved.item("5.2.1").rule, Manual)
    info = resolved.info
    assert info.pass_.min_rate == Decimal("0.90")
    assert info.partial_credit == Decimal("0.5")


def test_describe_rule_speaks_chinese(resolved):
    assert describe_rule(Deduct(Decimal(2)), Decimal(6)) == "每处扣 2 分，扣完为止"
    assert describe_rule(Quantity(Decimal(15), "threshold"), Decimal(4)) == "达到 15 得 4 分，否则不得分"
    assert "好 100%" in describe_rule(resolved.item("3.2.1").rule, Decimal(10))
    assert describe_rule(Manual(), Decimal(8)) == "由考评人员评分（0–8 分）"


def test_default_points_cover_unlisted_items(spec_standard):
    rubric = Rubric.model_validate(
        {
            "rubric": {
                "id": "by-default",
                "title": "全部按默认",
                "standard": "spec-example",
                "total": 70,
                "pass": {"min_rate": "0.6"},
                "grades": [{"name": "合格", "min_rate": "0.6"}, {"name": "不合格", "min_rate": 0}],
                "default": {"rule": "check", "points": 10},
            }
        }
    )
    value, problems = resolve(spec_standard, rubric)
    assert problems == []
    assert len(value.items) == 7


def test_quantity_mode_defaults_to_proportional_and_threshold_is_kept(spec_standard, spec_rubric):
    data = spec_rubric.model_dump(by_alias=True, exclude_unset=True)
    data["rubric"]["items"]["5.1.3"]["mode"] = "threshold"
    value, _ = resolve(spec_standard, Rubric.model_validate(data))
    assert value.item("5.1.3").rule == Quantity(Decimal(15), "threshold")


@given(st.lists(st.integers(min_value=0, max_value=200), min_size=6, max_size=6), st.integers(-3, 3))
def test_total_must_equal_the_sum_of_points(spec_standard, spec_rubric, points, delta):
    data = spec_rubric.model_dump(by_alias=True, exclude_unset=True)
    codes = ["1.1.1", "1.1.2", "3.2.1", "5.1.3", "5.2.1", "6.1.1"]
    for code, p in zip(codes, points, strict=True):
        data["rubric"]["items"][code]["points"] = p
    total = sum(points) + delta
    if total <= 0:
        return
    data["rubric"]["total"] = total
    value, problems = resolve(spec_standard, Rubric.model_validate(data))
    if delta == 0:
        assert problems == [] and value.total == total
    else:
        assert value is None
        assert problems == [
            (("rubric", "total"), f"计分条目分值之和为 {sum(points)}，与总分 total {total} 不一致")
        ]


# --- the content hash names a rubric version ----------------------------------------------


def test_content_hash_is_stable_across_loads(tmp_path):
    first = Catalog([DATA], [DATA]).rubric("spec-example-street")
    second = Catalog([DATA], [DATA], cwd=tmp_path).rubric("spec-example-street")
    assert first is not second
    assert first.content_hash == second.content_hash
    assert len(first.content_hash) == 64
    assert first.version_label == f"spec-example-street@{first.content_hash[:12]}"


def _copy(tmp_path: Path, edit=lambda text: text) -> Path:
    for name in ("good_spec_standard.yaml", "good_spec_rubric.yaml"):
        (tmp_path / name).write_text(edit((DATA / name).read_text(encoding="utf-8")), encoding="utf-8")
    return tmp_path / "good_spec_rubric.yaml"


def _hash(tmp_path: Path, edit=lambda text: text) -> str:
    path = _copy(tmp_path, edit)
    return Catalog([tmp_path], [tmp_path], cwd=tmp_path).resolve_file(path).content_hash


def test_content_hash_ignores_comments_and_layout(tmp_path):
    original = Catalog([DATA], [DATA]).rubric("spec-example-street").content_hash

    def relayout(text: str) -> str:
        text = text.replace("# SPEC", "# 另一条注释 SPEC").replace("  precision: 2\n", "")
        return text.replace("  na_policy: exclude\n", "  na_policy: exclude   # 合理缺项\n  precision: 2\n")

    assert _hash(tmp_path, relayout) == original


def test_content_hash_changes_when_a_rubric_point_changes(tmp_path):
    original = Catalog([DATA], [DATA]).rubric("spec-example-street").content_hash

    def move_a_point(text: str) -> str:  # 1.1.1: 5 → 6 and 5.2.1: 8 → 7, the total still adds up
        return text.replace('"1.1.1": {points: 5}', '"1.1.1": {points: 6}').replace(
            '"5.2.1": {points: 8, rule: manual}', '"5.2.1": {points: 7, rule: manual}'
        )

    changed = _hash(tmp_path, move_a_point)
    assert changed != original


def test_content_hash_changes_when_the_standard_text_changes(spec_standard, spec_rubric):
    data = spec_standard.model_dump()
    data["sections"][0]["sections"][0]["items"][0]["text"] = "修改后的条文"
    assert content_hash(Standard.model_validate(data), spec_rubric) != content_hash(
        spec_standard, spec_rubric
    )
