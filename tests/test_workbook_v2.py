"""Rubric v2 through the workbook, the bulk form and the store (SPEC §4, §2.2a).

The bundled example (``jinhua-szcg-monthly``: criteria, rate shortfalls, shared trigger
pools, bands, a section veto, penalties and weights) goes template → fill (with openpyxl,
as a person would type) → read and score → bulk form → store and back. Expected numbers
are worked out by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import conftest_store
import openpyxl
import pytest
from test_workbook_support import WENFENG, build, code_rows, header_columns, info_cell, template

from compliance.catalog import Catalog
from compliance.findings import errors_of
from compliance.numbers import rounded
from compliance.scoring import Kind, score
from compliance.store import Store
from compliance.units import UnitsFile
from compliance.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]
store_url = conftest_store.store_url  # SQLite, and PostgreSQL when the test server runs

# What the inspector types: own rows and the rows under them (2.5/1 …), by header.
ENTRIES: dict[str, dict[str, object]] = {
    "1.1/1": {"结论": "符合"},
    "1.1/2": {"结论": "基本符合"},
    "1.1/3": {"结论": "不符合"},
    "2.1": {"实测值": 66.5},
    "2.2": {"实测值": 92},
    "2.3": {"实测值": 98},
    "2.4": {"实测值": 90},
    "2.5/1": {"问题数": 3},
    "2.5/2": {"问题数": 1},
    "2.5/3": {"问题数": 0},
    "2.5/4": {"问题数": 0},
    "3.1/1": {"问题数": 1},
    "3.1/2": {"问题数": 0},
    "3.1/3": {"问题数": 0},
    "3.1/4": {"问题数": 1},
    "3.2": {"结论": "基本落实"},
    "3.3": {"结论": "符合"},
    "4.1": {"实测值": 76},
}
PENALTIES = {"K2": 2, "K4": 3}
# 1.1 = 1 + 2 × 0.5 + 0 = 2 of 5 → section 1 rate 0.4
# 2.1 = 50 − 1 × (70 − 66.5) = 46.5; 2.2 = 20 (92 ≥ 90); 2.3 = 5 − 0.5 × 2 = 4; 2.4 = 5 − 0.5 × 5 = 2.5
# 2.5 = 5 − (0.2 × 3 + 0.5 × 1) = 3.9 → section 2 = 76.9 of 85
# 3.1 = 5 − (0.4 × 1 + 2 × 1) = 2.6; 3.2 基本落实 = 3; 3.3 符合 → section 3 = 5.6 of 10 → 0.56
# 4.1: 76 ≥ 71 → 1.2 of 1.5 → 0.8
# rate = 0.05 × 0.4 + 0.80 × 76.9/85 + 0.10 × 0.56 + 0.05 × 0.8 = 0.02 + 0.7237647… + 0.056 + 0.04 = 0.8397647…
# score = 83.97647… (shown 83.98); bonus J1 = 5; penalty = 0.2 × 2 + 0.01 × 3 = 0.43
# final = 83.97647… + 5 − 0.43 = 88.54647… (shown 88.55); adjusted = (83.97647… − 0.43)/100 = 0.8354647…
# → ≥ 0.80 达标, < 0.85 → 合格; earned = 2 + 76.9 + 5.6 + 1.2 = 85.7; possible = 5 + 85 + 10 + 1.5 = 101.5
RATE = Decimal("0.02") + Decimal("0.80") * Decimal("76.9") / Decimal(85) + Decimal("0.056") + Decimal("0.04")


@pytest.fixture(scope="module")
def rubric():
    return Catalog(cwd=ROOT).rubric("jinhua-szcg-monthly")


def fill_v2(path: Path, entries=ENTRIES, penalties=PENALTIES, bonus=("J1",)) -> Path:
    book = openpyxl.load_workbook(path)
    ws = book["检查表"]
    cols, rows = header_columns(ws), code_rows(ws)
    for code, values in entries.items():
        for header, value in values.items():
            ws.cell(rows[code], cols[header]).value = value
    info_cell(book["基本信息"], "检查日期").value = "2024年6月30日"
    info_cell(book["基本信息"], "检查人员").value = "张三"
    info_cell(book["基本信息"], "评估轮次").value = "2024-06"
    sheet = book["加分项"]
    for code in bonus:
        sheet.cell(code_rows(sheet)[code], header_columns(sheet)["是否申报"]).value = "是"
    sheet = book["减分项"]
    for code, times in penalties.items():
        sheet.cell(code_rows(sheet)[code], header_columns(sheet)["次数"]).value = times
    book.save(path)
    return path


def check_card(card) -> None:
    assert card.earned == Decimal("85.7") and card.possible == Decimal("101.5")
    assert card.rate == RATE
    assert rounded(card.score, 2) == Decimal("83.98")
    assert card.bonus.counted == 5 and card.penalty.counted == Decimal("0.43")
    assert rounded(card.final, 2) == Decimal("88.55")
    assert rounded(card.adjusted_rate, 4) == Decimal("0.8355")
    assert (card.status, card.grade, card.veto) == ("达标", "合格", False)
    by_code = {i.code: i for i in card.items}
    assert [by_code[c].earned for c in ("1.1", "2.1", "2.5", "3.1", "4.1")] == [
        Decimal(2),
        Decimal("46.5"),
        Decimal("3.9"),
        Decimal("2.6"),
        Decimal("1.2"),
    ]
    assert any("得分率（加权）" in line for line in card.explanation)


def test_template_writes_a_row_per_trigger_and_criterion_and_the_penalty_sheet(tmp_path, rubric):
    book = openpyxl.load_workbook(template(tmp_path, rubric))
    ws = book["检查表"]
    codes = [c for r in range(2, ws.max_row + 1) if (c := ws.cell(r, 1).value)]  # no heading rows
    at = codes.index("2.5")
    assert codes[at : at + 5] == ["2.5", "2.5/1", "2.5/2", "2.5/3", "2.5/4"]
    assert codes[:4] == ["1.1", "1.1/1", "1.1/2", "1.1/3"]
    cols = header_columns(ws)
    row = code_rows(ws)["2.1"]
    assert ws.cell(row, cols["评分方式"]).value.startswith("按期结案率达70%以上（含）的，得50分")
    assert ws.cell(code_rows(ws)["2.5/1"], cols["分值"]).value is None  # counted once, on 2.5's row
    assert not ws.column_dimensions[openpyxl.utils.get_column_letter(cols["问题数"])].hidden
    pen = book["减分项"]
    assert [c.value for c in pen[1] if c.value is not None] == [
        "编号",
        "减分事项",
        "每次扣分",
        "次数",
        "说明",
    ]
    assert [pen.cell(r, 1).value for r in range(2, 6)] == ["K1", "K2", "K3", "K4"]


def test_template_fill_score_round_trips(tmp_path, rubric):
    path = fill_v2(template(tmp_path, rubric))
    pairs, findings = read_workbook(path, Catalog(cwd=ROOT))
    assert not errors_of(findings), [str(f) for f in findings]
    [(got_rubric, assessment)] = pairs
    check_card(score(got_rubric, assessment))
    # every row of 减分项 is read; a blank 次数 is no penalty
    assert [(p.code, p.count, p.cell) for p in assessment.penalties] == [
        ("K1", None, "减分项!D2"),
        ("K2", 2, "减分项!D3"),
        ("K3", None, "减分项!D4"),
        ("K4", 3, "减分项!D5"),
    ]


def test_a_section_veto_in_the_workbook_zeroes_its_section(tmp_path, rubric):
    entries = dict(ENTRIES, **{"3.3": {"结论": "不符合"}})
    path = fill_v2(template(tmp_path, rubric), entries=entries)
    pairs, findings = read_workbook(path, Catalog(cwd=ROOT))
    assert not errors_of(findings), [str(f) for f in findings]
    card = score(*pairs[0])
    # section 3 → rate 0: rate = 0.02 + 0.7237647… + 0 + 0.04 = 0.7837647…; score 78.38
    # adjusted = (78.37647… − 0.43)/100 = 0.7794647… < 0.80 → 不达标
    assert card.rate == RATE - Decimal("0.056")
    assert rounded(card.score, 2) == Decimal("78.38")
    assert card.status == "不达标" and card.section_vetoes == ("3.3",) and not card.veto


def test_na_on_a_trigger_row_names_its_cell(tmp_path, rubric):
    entries = dict(ENTRIES, **{"2.5/2": {"结论": "不适用"}})
    path = fill_v2(template(tmp_path, rubric), entries=entries)
    _, findings = read_workbook(path, Catalog(cwd=ROOT))
    ws = openpyxl.load_workbook(path)["检查表"]
    row = code_rows(ws)["2.5/2"]
    [error] = errors_of(findings)
    assert error.cell == f"检查表!H{row}" and "不能单独填“不适用”" in error.message


def bulk_rows(entries=ENTRIES, penalties=PENALTIES) -> list[list]:
    rows = [["单位编码", "评估类型", "评估轮次", "编号", "结论", "问题数", "实测值", "得分", "评分细则"]]
    for code, values in entries.items():
        rows.append(
            [
                WENFENG.code,
                "考评",
                "2024-06",
                code,
                values.get("结论", ""),
                values.get("问题数", ""),
                values.get("实测值", ""),
                "",
                "jinhua-szcg-monthly",
            ]
        )
    rows.append([WENFENG.code, "考评", "2024-06", "J1", "是", "", "", "", "jinhua-szcg-monthly"])
    for code, times in penalties.items():
        rows.append([WENFENG.code, "考评", "2024-06", code, "", times, "", "", "jinhua-szcg-monthly"])
    return rows


def test_bulk_form_reads_trigger_criterion_bonus_and_penalty_rows(tmp_path):
    path = build(tmp_path / "bulk.xlsx", {"批量": bulk_rows()})
    pairs, findings = read_workbook(path, Catalog(cwd=ROOT), units=UnitsFile(units=[WENFENG]))
    assert not errors_of(findings), [str(f) for f in findings]
    [(rubric, assessment)] = pairs
    assert assessment.meta.round == "2024-06" and assessment.meta.kind is Kind.AUDIT
    check_card(score(rubric, assessment))


def test_the_store_keeps_and_reads_back_the_v2_inputs(tmp_path, rubric, store_url):
    path = fill_v2(template(tmp_path, rubric))
    [(got, assessment)], _ = read_workbook(path, Catalog(cwd=ROOT))
    with Store.open(store_url) as store:
        store.import_assessment(
            got, assessment, score(got, assessment), source_name=path.name, source_sha256="0" * 64
        )
    with Store.open(store_url) as store:  # a new connection: nothing from memory
        [card] = store.cards("2024-06")
        again = store.import_assessment(
            got, assessment, score(got, assessment), source_name=path.name, source_sha256="0" * 64
        )
    check_card(card)
    assert again.status.name == "SKIPPED"  # the same inputs, penalties included: nothing changes
    assert card.to_json()["penalty"] == 0.43


def test_bad_penalty_counts_are_named_by_cell_in_one_pass(tmp_path, rubric):
    path = fill_v2(template(tmp_path, rubric), penalties={"K1": "两次", "K3": 1.5})
    book = openpyxl.load_workbook(path)
    book["减分项"].cell(7, 4).value = 2  # a count below the list, without a code
    book.save(path)
    _, findings = read_workbook(path, Catalog(cwd=ROOT))
    got = sorted((f.cell, f.message) for f in errors_of(findings))
    assert [cell for cell, _ in got] == ["减分项!A7", "减分项!D2", "减分项!D4"]
    assert "应为数字" in got[1][1]
    assert "减分项 K3 的次数得到 1.5，应为不小于 0 的整数" in got[2][1]


def test_bulk_penalty_count_that_is_no_number_names_its_cell(tmp_path):
    rows = bulk_rows(penalties={"K1": "若干"})
    path = build(tmp_path / "bulk.xlsx", {"批量": rows})
    _, findings = read_workbook(path, Catalog(cwd=ROOT), units=UnitsFile(units=[WENFENG]))
    [error] = errors_of(findings)
    assert error.cell == f"批量!F{len(rows)}" and "减分项 K1 的问题数" in error.message
