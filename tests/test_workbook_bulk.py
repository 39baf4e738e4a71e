"""The bulk form (SPEC §4): one sheet, one row per unit and item, from other systems."""

from __future__ import annotations

import shutil

import pytest
from test_workbook_support import (
    BULK_HEADERS,
    CHENGDONG,
    DATA_UNITS,
    GOOD,
    GOOD_TOTALS,
    UNITS,
    WENFENG,
    build,
)

from compliance.catalog import Catalog
from compliance.findings import FindingsError
from compliance.scoring import Kind, score
from compliance.workbook import read_units_sheet, read_workbook

FULL = {
    "1.1.1": {"结论": "符合"},
    "1.1.2": {"问题数": 0},
    "2.1.1": {"实测值": 20},
    "2.1.2": {"结论": "好"},
    "2.1.3": {"得分": 10},
    "2.1.4": {"结论": "符合"},
    "3.1.1": {"结论": "符合"},
}


def bulk_rows(filled: dict, headers=BULK_HEADERS, extra: dict | None = None) -> list[list]:
    """{unit code: entries} → the bulk sheet's rows (header first)."""
    rows = [list(headers)]
    for code, entries in filled.items():
        for item, values in entries.items():
            row = {
                "单位编码": code,
                "评估类型": "考评",
                "评估轮次": "2024年度",
                "编号": item,
                **(extra or {}),
                **values,
            }
            rows.append([row.get(h) for h in headers])
    return rows


def two_units(**extra) -> dict:
    return {WENFENG.code: {**GOOD, "J1": {"结论": "是"}}, CHENGDONG.code: FULL}


def read_cards(path, catalog, **kw):
    pairs, findings = read_workbook(path, catalog, **kw)
    assert not [f for f in findings if f.is_error], [str(f) for f in findings]
    return [score(r, a) for r, a in pairs], findings


def test_two_units_with_a_rubric_column(tmp_path, mini_catalog):
    headers = (*BULK_HEADERS, "评分细则")
    rows = bulk_rows(two_units(), headers, extra={"评分细则": "mini-2024-street"})
    cards, _ = read_cards(build(tmp_path / "bulk.xlsx", {"评估结果": rows}), mini_catalog, units=UNITS)
    assert [c.meta.unit for c in cards] == [WENFENG, CHENGDONG]
    first = cards[0].to_json()
    assert {k: first[k] for k in GOOD_TOTALS} == GOOD_TOTALS  # J1 claimed on its own row
    assert (cards[1].to_json()["final"], cards[1].status, cards[1].grade) == (100.0, "达标", "优秀")
    assert cards[1].meta.kind is Kind.AUDIT and cards[1].meta.round == "2024"


def test_the_rubric_may_come_from_the_caller(tmp_path, mini_catalog):
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units())})
    cards, _ = read_cards(path, mini_catalog, units=DATA_UNITS, rubric="mini-2024-street")
    assert [c.to_json()["final"] for c in cards] == [80.0, 100.0]


def test_without_a_rubric_the_one_for_the_unit_type_is_used(tmp_path):
    for name in ("good_standard.yaml", "good_rubric.yaml"):
        (tmp_path / "rules").mkdir(exist_ok=True)
        shutil.copy(DATA_UNITS.parent / name, tmp_path / "rules" / name)
    catalog = Catalog(standard_dirs=[tmp_path / "rules"], rubric_dirs=[tmp_path / "rules"], cwd=tmp_path)
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units())})
    cards, _ = read_cards(path, catalog, units=UNITS)
    assert [c.rubric_id for c in cards] == ["mini-2024-street"] * 2


def test_two_rubrics_for_the_type_is_ambiguous(tmp_path, mini_catalog):
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units())})
    pairs, findings = read_workbook(path, mini_catalog, units=UNITS)
    assert pairs == []
    assert [f.cell for f in findings] == ["评估结果!A2"]  # once, not once per row
    assert "不止一个" in findings[0].message and "mini-2024-street" in findings[0].message


def test_units_may_come_from_a_units_sheet_in_the_same_workbook(tmp_path, mini_catalog):
    units = [["code", "name", "type", "city", "district"]] + [
        [u.code, u.name, u.type, u.city, u.district] for u in UNITS.units
    ]
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units()), "单位": units})
    cards, _ = read_cards(path, mini_catalog, rubric="mini-2024-street")
    assert len(cards) == 2
    assert read_units_sheet(path) == UNITS


def test_moved_and_extra_columns(tmp_path, mini_catalog):
    headers = ("备注", *reversed(BULK_HEADERS), "问题描述")
    rows = bulk_rows(two_units(), headers)
    cards, _ = read_cards(
        build(tmp_path / "bulk.xlsx", {"导出": rows}), mini_catalog, units=UNITS, rubric="mini-2024-street"
    )
    assert [c.to_json()["final"] for c in cards] == [80.0, 100.0]


def test_bulk_needs_a_units_list(tmp_path, mini_catalog):
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units())})
    pairs, findings = read_workbook(path, mini_catalog, rubric="mini-2024-street")
    assert pairs == [] and "批量表需要单位名单" in findings[0].message


def test_an_unknown_unit_is_reported_once_at_its_first_row(tmp_path, mini_catalog):
    filled = {"999": FULL, CHENGDONG.code: FULL}
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(filled)})
    pairs, findings = read_workbook(path, mini_catalog, units=UNITS, rubric="mini-2024-street")
    assert pairs == []
    assert [(f.cell, f.message) for f in findings] == [("评估结果!A2", "单位编码“999”不在单位名单中")]


def test_bad_cells_of_a_bulk_form(tmp_path, mini_catalog):
    filled = {
        WENFENG.code: {**FULL, "2.1.1": {"实测值": "很多"}},
        CHENGDONG.code: {**FULL, "1.1.1": {"结论": "不清楚"}},
    }
    rows = bulk_rows(filled)
    rows[9][1] = "抽查"  # 评估类型 of CHENGDONG's 2nd row
    path = build(tmp_path / "bulk.xlsx", {"评估结果": rows})
    pairs, findings = read_workbook(path, mini_catalog, units=UNITS, rubric="mini-2024-street")
    assert pairs == []
    found = {(f.cell, f.message.split("，")[0]) for f in findings if f.is_error}
    assert ("评估结果!G4", "条目 2.1.1 的实测值得到“很多”") in found
    assert ("评估结果!B10", "评估类型“抽查”无效") in found
    assert any(cell == "评估结果!E9" and "无法识别" in m for cell, m in found)


def test_a_missing_item_names_the_unit(tmp_path, mini_catalog):
    filled = {WENFENG.code: {k: v for k, v in FULL.items() if k != "2.1.4"}}
    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(filled)})
    pairs, findings = read_workbook(path, mini_catalog, units=UNITS, rubric="mini-2024-street")
    assert pairs == [] and findings[0].message.startswith("单位 320602001（考评，2024）：条目 2.1.4")


def test_a_bad_units_sheet(tmp_path):
    rows = [
        ["单位编码", "单位名称", "单位类型", "所属市", "所属区"],
        ["1", "甲", "街道综合执法队", "南通市", None],
        ["1", "乙", "x", "y", "z"],
    ]
    path = build(tmp_path / "units.xlsx", {"单位": rows})
    with pytest.raises(FindingsError) as caught:
        read_units_sheet(path)
    assert [(f.cell, f.message.split("：")[0]) for f in caught.value.findings] == [
        ("单位!E2", "所属区未填写"),
        ("单位!A3", "单位编码“1”重复"),
    ]


def test_a_bulk_form_over_the_row_limit_gets_one_error_only(tmp_path, mini_catalog, monkeypatch):
    """The limit is the problem: no second, misleading «缺少工作表» after it."""
    from compliance.workbook import source

    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units())})
    monkeypatch.setattr(source, "MAX_ROWS", 5)
    pairs, findings = read_workbook(path, mini_catalog, units=UNITS, rubric="mini-2024-street")
    assert pairs == []
    assert [(f.cell, "超过上限" in f.message) for f in findings if f.is_error] == [("评估结果", True)]


def test_a_row_far_below_the_old_200000_limit_is_read_and_located(tmp_path, mini_catalog):
    import openpyxl

    path = build(tmp_path / "bulk.xlsx", {"评估结果": bulk_rows(two_units())})
    book = openpyxl.load_workbook(path)
    book["评估结果"]["A900000"] = "不存在"  # beyond the shortcut box: the sheet is measured
    book.save(path)
    _, findings = read_workbook(path, mini_catalog, units=UNITS, rubric="mini-2024-street")
    errors = [f for f in findings if f.is_error]
    assert not any("超过上限" in f.message for f in errors), [str(f) for f in errors]
    assert errors and all(f.cell.endswith("900000") for f in errors), [str(f) for f in errors]
