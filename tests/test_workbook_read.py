"""Reading a filled checklist: template → fill → read → the totals worked out by hand,
and every way people bend the sheet (moved, hidden, extra columns, merged cells,
full-width digits, text numbers, trailing rows) still reads the same."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from test_workbook_support import (
    DATA_UNITS,
    GOOD,
    GOOD_TOTALS,
    HEADERS,
    UNITS,
    WENFENG,
    bonus_rows,
    build,
    checklist,
    fill,
    good_workbook,
    info_rows,
    item_rows,
    only_errors,
    template,
)

from compliance.findings import Severity
from compliance.scoring import Kind, score
from compliance.workbook import read_workbook

EARNED = {"1.1.1": 10, "1.1.2": 24, "2.1.1": 15, "2.1.2": 16, "2.1.3": 7, "2.1.4": 5, "3.1.1": 0}


def card_of(path, catalog, **kw):
    pairs, findings = read_workbook(path, catalog, **kw)
    assert not only_errors(findings), only_errors(findings)
    assert len(pairs) == 1
    rubric, assessment = pairs[0]
    return score(rubric, assessment, allow_incomplete=kw.get("allow_incomplete", False)), findings


def totals(card) -> dict:
    data = card.to_json()
    return {k: data[k] for k in GOOD_TOTALS}


def test_a_filled_template_scores_as_worked_out_by_hand(tmp_path, mini_catalog, mini_rubric):
    card, findings = card_of(good_workbook(tmp_path, mini_rubric), mini_catalog)
    assert findings == []
    assert totals(card) == GOOD_TOTALS
    assert {i["code"]: i["earned"] for i in card.to_json()["items"]} == EARNED
    assert [(s["code"], s["rate"]) for s in card.to_json()["sections"]] == [
        ("1", 0.85),
        ("2", 0.7167),
        ("3", None),
    ]
    meta = card.meta
    assert (meta.unit, meta.kind, meta.round) == (WENFENG, Kind.AUDIT, "2024")  # 2024年度, stored canonically
    assert (meta.date, meta.inspectors) == (dt.date(2024, 6, 30), ("张三", "李四"))
    assert next(i for i in card.items if i.code == "2.1.3").note == "台账不全"


def test_the_assessment_records_where_each_input_came_from(tmp_path, mini_catalog, mini_rubric):
    pairs, _ = read_workbook(good_workbook(tmp_path, mini_rubric), mini_catalog)
    deduct = next(i for i in pairs[0][1].items if i.code == "1.1.2")
    # row 1 the header, 2 and 3 the headings "1 执法部门" and "1.1 机构设置", 4 item 1.1.1
    assert deduct.cells == {
        "code": "检查表!A5",
        "result": "检查表!H5",
        "count": "检查表!I5",
        "measured": "检查表!J5",
        "score": "检查表!K5",
        "row": "检查表!A5",
    }
    assert pairs[0][1].bonus[0].code == "J1" and pairs[0][1].bonus[0].cell == "加分项!A2"


def test_units_given_as_object_or_file_must_match(tmp_path, mini_catalog, mini_rubric):
    path = good_workbook(tmp_path, mini_rubric)
    assert totals(card_of(path, mini_catalog, units=UNITS)[0]) == GOOD_TOTALS
    assert totals(card_of(path, mini_catalog, units=DATA_UNITS)[0]) == GOOD_TOTALS


def test_synonyms_full_width_digits_text_numbers_quotes_and_spaces(tmp_path, mini_catalog, mini_rubric):
    entries = {
        "1.1.1": {"结论": "√"},
        "1.1.2": {"问题数": "３"},  # full-width digit, as text
        "2.1.1": {"实测值": " 15 "},  # a number stored as text, with stray spaces
        "2.1.2": {"结论": " 较 好 "},
        "2.1.3": {"得分": "‘７"},  # WPS keeps the quote mark typed before a number
        "2.1.4": {"结论": "△"},
        "3.1.1": {"结论": "Ｙ"},
    }
    info = info_rows(mini_rubric, 检查日期=45473, 检查人员="张三，李四; 王五")  # an Excel date serial
    card, _ = card_of(checklist(tmp_path / "x.xlsx", mini_rubric, entries=entries, info=info), mini_catalog)
    assert totals(card) == GOOD_TOTALS
    assert card.meta.date == dt.date(2024, 6, 30)
    assert card.meta.inspectors == ("张三", "李四", "王五")


def test_moved_hidden_and_extra_columns_title_rows_and_extra_sheets(tmp_path, mini_catalog, mini_rubric):
    headers = ("备注", *reversed(HEADERS), "复核人")  # every column moved, two added
    rows = item_rows(mini_rubric, headers=headers)
    items = [["南通市街道综合执法队规范化建设检查表"], [], *rows]  # a title and a blank row above
    path = build(
        tmp_path / "moved.xlsx",
        {
            "说明": [["填表说明"]],
            "基本信息": [["基本信息"], [], *info_rows(mini_rubric)],
            "检查表": items,
            "加分项": bonus_rows(mini_rubric),
        },
    )
    book = openpyxl.load_workbook(path)
    book["检查表"].column_dimensions["D"].hidden = True  # hide a column people may hide
    book.save(path)
    card, _ = card_of(path, mini_catalog)
    assert totals(card) == GOOD_TOTALS


def test_a_header_may_carry_a_remark_in_brackets(tmp_path, mini_catalog, mini_rubric):
    rows = item_rows(mini_rubric)
    rows[0] = ["结论（符合/不符合）" if h == "结论" else f" {h}\n" for h in rows[0]]
    path = checklist(tmp_path / "x.xlsx", mini_rubric, items=rows)
    assert totals(card_of(path, mini_catalog)[0]) == GOOD_TOTALS


def test_merged_cells_give_every_row_the_top_left_value(tmp_path, mini_catalog, mini_rubric):
    entries = {**GOOD, "2.1.4": {"结论": "符合"}, "3.1.1": {}}  # H7:H8 merged: both 符合
    path = checklist(tmp_path / "x.xlsx", mini_rubric, entries=entries, merges={"检查表": ["H7:H8"]})
    card, _ = card_of(path, mini_catalog)
    assert card.to_json()["earned"] == 82.0
    assert next(i for i in card.items if i.code == "3.1.1").result == "符合"


def test_thousands_of_trailing_blank_rows_are_skipped_fast(tmp_path, mini_catalog, mini_rubric):
    rows = item_rows(mini_rubric) + [[None] * 11 + [" "]] * 5000  # a stray space in 问题描述
    path = checklist(tmp_path / "x.xlsx", mini_rubric, items=rows)
    started = time.perf_counter()
    card, _ = card_of(path, mini_catalog)
    assert time.perf_counter() - started < 2
    assert totals(card) == GOOD_TOTALS


def test_formula_results_are_ignored_and_a_typed_score_warns(tmp_path, mini_catalog, mini_rubric):
    entries = {
        **GOOD,
        "1.1.1": {"结论": "符合", "得分": ("=0", 0)},  # a stale formula result: ignored silently
        "2.1.4": {"结论": "基本符合", "得分": 9},  # typed over the formula: computed is 5
    }
    card, findings = card_of(checklist(tmp_path / "x.xlsx", mini_rubric, entries=entries), mini_catalog)
    assert totals(card) == GOOD_TOTALS
    assert [(f.cell, f.severity) for f in findings] == [("检查表!K7", Severity.WARNING)]
    assert "得分填写为 9" in findings[0].message and "应为 5 分" in findings[0].message


def test_a_blank_item_is_an_error_unless_incomplete_is_allowed(tmp_path, mini_catalog, mini_rubric):
    path = checklist(tmp_path / "x.xlsx", mini_rubric, entries={**GOOD, "1.1.1": {}})
    pairs, findings = read_workbook(path, mini_catalog)
    assert pairs == []
    assert [f.cell for f in findings] == ["检查表!H2"] and "未检查" in findings[0].message
    card, _ = card_of(path, mini_catalog, allow_incomplete=True)
    assert card.not_inspected == 1 and card.to_json()["earned"] == 67.0


def test_not_applicable_is_left_out_of_possible(tmp_path, mini_catalog, mini_rubric):
    path = checklist(tmp_path / "x.xlsx", mini_rubric, entries={**GOOD, "2.1.2": {"结论": "不适用"}})
    card, _ = card_of(path, mini_catalog)
    assert (card.to_json()["earned"], card.to_json()["possible"]) == (61.0, 80.0)


@pytest.mark.parametrize(
    "date", ["2024-06-30", "2024/6/30", "2024年6月30日", "2024.6.30", "20240630", "２０２４-０６-３０"]
)
def test_date_text_forms(tmp_path, mini_catalog, mini_rubric, date):
    path = checklist(tmp_path / "x.xlsx", mini_rubric, info=info_rows(mini_rubric, 检查日期=date))
    assert card_of(path, mini_catalog)[0].meta.date == dt.date(2024, 6, 30)


def test_blank_date_and_inspectors_only_warn(tmp_path, mini_catalog, mini_rubric):
    info = info_rows(mini_rubric, 检查日期=None, 检查人员=None)
    card, findings = card_of(checklist(tmp_path / "x.xlsx", mini_rubric, info=info), mini_catalog)
    assert card.meta.date is None
    assert {(f.cell, f.severity) for f in findings} == {
        ("基本信息!B9", Severity.WARNING),
        ("基本信息!B10", Severity.WARNING),
    }


def test_pass_with_problems_found_is_a_contradiction_warning_at_the_count(
    tmp_path, mini_catalog, mini_rubric
):
    entries = {**GOOD, "1.1.2": {"结论": " √", "问题数": 3}}  # 符合, yet three problems
    card, findings = card_of(fill(template(tmp_path, mini_rubric), entries), mini_catalog)
    assert totals(card) == GOOD_TOTALS  # scored by the count: 30 − 3 × 2 = 24, as in GOOD
    (warning,) = findings
    assert (warning.cell, warning.severity) == ("检查表!I5", Severity.WARNING)  # 1.1.2 sits on row 5
    assert "两者矛盾" in warning.message and "问题数为 3" in warning.message


def test_what_the_inspector_types_reaches_the_card_and_survives_the_store(
    tmp_path, mini_catalog, mini_rubric
):
    from compliance.store import Store

    entries = {
        **GOOD,
        "1.1.1": {"结论": "符合", "问题描述": "门牌褪色", "佐证材料": "照片 3 张"},
        "2.1.3": {"得分": 7, "问题描述": "台账不全", "佐证材料": "台账复印件"},
    }
    path = fill(template(tmp_path, mini_rubric), entries, bonus={"J1": "是"})
    book = openpyxl.load_workbook(path)
    book["加分项"].cell(2, 5).value = "住建部通报第 12 号"  # 说明 of J1
    book.save(path)
    card, _ = card_of(path, mini_catalog)
    item = {i.code: i for i in card.items}
    assert (item["1.1.1"].note, item["1.1.1"].evidence) == ("门牌褪色", "照片 3 张")
    assert (item["2.1.3"].note, item["2.1.3"].evidence) == ("台账不全", "台账复印件")
    assert card.bonus.note("J1") == "住建部通报第 12 号"
    ((rubric, assessment),), _ = read_workbook(path, mini_catalog)
    with Store.open(f"sqlite:///{tmp_path / 'history.db'}") as store:
        store.import_assessment(rubric, assessment, card, source_name=path.name, source_sha256="0" * 64)
    with Store.open(f"sqlite:///{tmp_path / 'history.db'}") as store:  # rescored from the rows
        back = store.card(WENFENG.code, "2024", Kind.AUDIT)
    assert back == card and back.bonus.note("J1") == "住建部通报第 12 号"
    assert {i.code: i.evidence for i in back.items}["1.1.1"] == "照片 3 张"


def test_a_percentage_reads_the_same_typed_as_95_2_as_95_2_percent_or_as_text(tmp_path):
    """SPEC §3.2: for an item whose unit is %, Excel stores 0.952 when 95.2 % is typed in a
    cell it formats as a percentage; import reads it as 95.2, as it does the text 95.2%."""
    import random

    from sheet_lab import Percent, random_fill, rubric_document

    from compliance.catalog import Catalog

    catalog = Catalog(cwd=Path(__file__).resolve().parents[1])
    rubric = catalog.rubric("jinhua-szcg-monthly")  # 2.1: shortfall, target 70 %, 1 point per point below
    entries = random_fill(random.Random(1), rubric_document(rubric), blank=0).items
    entries = {  # the other items as plain numbers
        code: {h: round(v.value * 100, 6) if isinstance(v, Percent) else v for h, v in values.items()}
        for code, values in entries.items()
    }
    cards = []
    for k, typed in enumerate((66.5, 0.665, "66.5%", "６６.５％")):
        path = fill(
            template(tmp_path, rubric, name=f"{k}.xlsx"), {**entries, "2.1": {"实测值": typed}}, bonus={}
        )
        if k == 1:  # typed as 66.5 % in Excel: the number 0.665 in a percentage-formatted cell
            book = openpyxl.load_workbook(path)
            ws = book["检查表"]
            (row,) = (r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "2.1")
            ws.cell(row, 10).number_format = "0.0%"
            book.save(path)
        card, _ = card_of(path, catalog, allow_incomplete=True)
        cards.append(card)
    earned = [next(i.earned for i in c.items if i.code == "2.1") for c in cards]
    assert earned == [Decimal(50) - Decimal("3.5")] * 4  # 50 − 1 × (70 − 66.5)
    assert len({c.to_json()["score"] for c in cards}) == 1
