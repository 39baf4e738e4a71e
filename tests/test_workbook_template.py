"""The checklist template (SPEC §4): sheets, headers, formulas, drop-downs, protection, print."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from test_workbook_support import CHENGDONG, WENFENG, code_rows, header_columns, info_cell, template

from compliance.findings import ComplianceError
from compliance.scoring import Kind
from compliance.standard import ILLUSTRATIVE_NOTICE
from compliance.units import Unit
from compliance.workbook import applies, write_templates

HEADERS = [
    "编号",
    "方面",
    "子项",
    "标准内容",
    "检查方法",
    "分值",
    "评分方式",
    "结论",
    "问题数",
    "实测值",
    "得分",
    "问题描述",
    "佐证材料",
]


@pytest.fixture(scope="module")
def book(tmp_path_factory, mini_rubric):
    folder = tmp_path_factory.mktemp("template")
    path = template(folder, mini_rubric, inspectors=("张三", "李四"), kind=Kind.SELF)
    return openpyxl.load_workbook(path), path


def test_sheets_and_headers_are_exactly_the_specs(book):
    wb, _ = book
    assert wb.sheetnames == ["基本信息", "检查表", "加分项"]
    # hidden helper columns right of the headers carry no header text
    assert [c.value for c in wb["检查表"][1] if c.value is not None] == HEADERS
    assert [c.value for c in wb["加分项"][1] if c.value is not None] == [
        "编号",
        "加分事项",
        "分值",
        "是否申报",
        "说明",
    ]


def test_one_row_per_scored_item_under_section_headings(book, mini_rubric):
    ws = book[0]["检查表"]
    assert list(code_rows(ws)) == [i.code for i in mini_rubric.items]
    cols = header_columns(ws)
    # 方面 / 子项 are grouped: heading rows above the items, the columns hidden
    assert ws.cell(2, cols["标准内容"]).value == "1  执法部门（40 分）"
    assert ws.cell(3, cols["标准内容"]).value == "1.1 机构设置"
    assert ws.cell(2, cols["编号"]).value is None  # import skips heading rows
    hidden = ws.column_dimensions["B"]  # openpyxl keeps B:C as one range
    assert hidden.hidden and (hidden.min, hidden.max) == (2, 3)
    assert ws.cell(4, cols["方面"]).value == "执法部门"  # still there for whoever unhides
    assert ws.cell(5, cols["分值"]).value == 30
    assert "每处扣 2 分" in ws.cell(5, cols["评分方式"]).value
    assert ws.cell(5, cols["评分方式"]).value.endswith("填问题数（没有问题填 0）")
    assert "一票否决" in ws.cell(code_rows(ws)["3.1.1"], cols["评分方式"]).value


def test_the_rule_column_names_the_cell_to_fill(book):
    ws = book[0]["检查表"]
    cols, rows = header_columns(ws), code_rows(ws)
    rule = {code: ws.cell(row, cols["评分方式"]).value.split("\n")[-1] for code, row in rows.items()}
    assert rule["1.1.1"] == "▶ 填结论：符合 / 基本符合 / 不符合（或 √ △ ×）"
    assert rule["2.1.1"] == "▶ 填实测值（如 20）"
    assert rule["2.1.2"] == "▶ 填结论：好 / 较好 / 一般 / 差"
    assert rule["2.1.3"] == "▶ 填得分（0–10 分）"


def test_score_cells_carry_formulas_but_manual_and_start_blank(book):
    ws = book[0]["检查表"]
    rows = code_rows(ws)
    formula = {code: ws.cell(row, 11).value for code, row in rows.items()}
    assert all(formula[c].startswith("=IF(") for c in rows if c != "2.1.3")
    assert formula["2.1.3"] is None  # manual: the inspector types the score
    # the rule reads the hidden helpers of its row: 结论 as import reads it (O) and the number (P)
    assert '"有误"' in formula["1.1.2"] and "O5" in formula["1.1.2"] and "P5" in formula["1.1.2"]


def test_cached_values_of_a_blank_template_are_empty_not_zero(book):
    """Excel recalculates on opening; LibreOffice by default shows the cached results:
    a blank row must print empty, never 0.00."""
    with zipfile.ZipFile(book[1]) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    k_cells = re.findall(r'<c r="K\d+"[^>]*><f>[^<]*</f><v>([^<]*)</v>', sheet)
    assert k_cells and set(k_cells) == {""}


def test_drop_downs_and_number_validation(book):
    ws = book[0]["检查表"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    lists = {ref: dv.formula1 for ref, dv in rules.items() if dv.type == "list"}
    assert lists["H4 H11 H14"] == '"符合,基本符合,不符合,不适用"'
    assert lists["H9"] == '"好,较好,一般,差,不适用"'
    assert lists["H5 H8 H10"] == '"不适用"'  # number rules: 结论 only says 不适用
    assert rules["I5"].type == "whole" and rules["I5"].operator == "greaterThanOrEqual"
    assert rules["J8"].type == "decimal"
    assert rules["K10"].type == "decimal" and rules["K10"].formula2 == "10"


def test_only_the_inputs_a_rule_reads_are_unlocked(book):
    ws = book[0]["检查表"]
    assert ws.protection.sheet and not ws.protection.password
    cols, rows = header_columns(ws), code_rows(ws)

    def unlocked(code):
        return {h for h, c in cols.items() if not ws.cell(rows[code], c).protection.locked}

    text = {"问题描述", "佐证材料"}
    assert unlocked("1.1.1") == {"结论"} | text
    assert unlocked("1.1.2") == {"结论", "问题数"} | text
    assert unlocked("2.1.1") == {"结论", "实测值"} | text
    assert unlocked("2.1.2") == {"结论"} | text
    assert unlocked("2.1.3") == {"结论", "得分"} | text
    assert ws.cell(rows["1.1.1"], cols["问题数"]).fill.fgColor.rgb.endswith(
        "EDEDED"
    )  # greyed: not for this row
    assert ws.cell(rows["1.1.1"], cols["结论"]).fill.fgColor.rgb.endswith("FFF2CC")  # shaded: fill this in
    info = book[0]["基本信息"]
    assert not info_cell(info, "评估类型").protection.locked
    assert info_cell(info, "单位名称").protection.locked


def test_print_setup_frozen_header_and_page_headers(book):
    ws = book[0]["检查表"]
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert (
        ws.page_setup.scale in (None, 100) and not ws.sheet_properties.pageSetUpPr.fitToPage
    )  # never shrunk
    assert ws.print_title_rows == "$1:$1"
    for sheet in book[0].worksheets:
        header = sheet.oddHeader
        assert header.left.text == "文峰街道综合执法队（320602001）"
        assert header.center.text == f"2024年度 · 自评 · {sheet.title}"


def test_every_sheet_ends_with_signature_lines(book):
    for name in ("检查表", "加分项"):
        texts = [c.value for row in book[0][name].iter_rows() for c in row if isinstance(c.value, str)]
        assert any("检查人员签字" in t and "被检查单位负责人签字" in t for t in texts)
        assert any(t.startswith("日期") for t in texts)


def test_basic_information_carries_unit_rubric_hash_and_notice(book, mini_rubric):
    info = book[0]["基本信息"]
    assert info_cell(info, "单位编码").value == WENFENG.code
    assert info_cell(info, "所属区").value == "崇川区"
    assert info_cell(info, "评分细则").value == mini_rubric.id
    assert info_cell(info, "细则版本").value == mini_rubric.content_hash
    assert info_cell(info, "评估类型").value == "自评"
    assert info_cell(info, "检查人员").value == "张三、李四"
    assert info_cell(info, "当前得分").value.startswith("=IF(")
    assert {"得分率", "达标情况", "等级"} <= {c.value for row in info.iter_rows() for c in row}
    assert ILLUSTRATIVE_NOTICE in [c.value for row in info.iter_rows() for c in row]


def test_shared_strings_table_is_used(book):
    with zipfile.ZipFile(book[1]) as z:
        assert "xl/sharedStrings.xml" in z.namelist()


def test_markup_in_names_stays_text(tmp_path, mini_rubric):
    odd = WENFENG.model_copy(update={"name": '=HYPERLINK("x")<b>&'})
    wb = openpyxl.load_workbook(template(tmp_path, mini_rubric, odd))
    assert info_cell(wb["基本信息"], "单位名称").value == '=HYPERLINK("x")<b>&'


def test_one_file_per_unit_named_by_code(tmp_path, mini_rubric):
    sneaky = CHENGDONG.model_copy(update={"name": "../../etc/passwd"})
    paths = write_templates(tmp_path / "out", mini_rubric, [WENFENG, sneaky])
    assert [p.name for p in paths] == ["320602001.xlsx", "320602002.xlsx"]
    assert all(p.parent == tmp_path / "out" for p in paths)


def test_a_code_unfit_for_a_file_name_is_refused(tmp_path, mini_rubric):
    bad = Unit.model_construct(code="../x", name="x", type="街道综合执法队", city="c", district="d")
    with pytest.raises(ComplianceError, match="不能用作文件名"):
        write_templates(tmp_path, mini_rubric, [bad])


def test_applies_follows_applies_to(mini_rubric):
    assert applies(mini_rubric, WENFENG)
    assert not applies(mini_rubric, WENFENG.model_copy(update={"type": "区大队"}))
