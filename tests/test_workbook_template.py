"""The checklist template (SPEC §4): sheets, headers, formulas, drop-downs, protection, print."""

from __future__ import annotations

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
    assert [c.value for c in wb["检查表"][1]] == HEADERS
    assert [c.value for c in wb["加分项"][1]] == ["编号", "加分事项", "分值", "是否申报", "说明"]


def test_one_row_per_scored_item_with_its_sections(book, mini_rubric):
    ws = book[0]["检查表"]
    assert list(code_rows(ws)) == [i.code for i in mini_rubric.items]
    cols = header_columns(ws)
    assert ws.cell(2, cols["方面"]).value == "执法部门"
    assert ws.cell(2, cols["子项"]).value == "机构设置"
    assert ws.cell(3, cols["分值"]).value == 30
    assert "每处扣 2 分" in ws.cell(3, cols["评分方式"]).value
    assert "一票否决" in ws.cell(8, cols["评分方式"]).value


def test_score_formulas_for_every_rule_but_manual(book):
    ws = book[0]["检查表"]
    rows = code_rows(ws)
    formula = {code: ws.cell(row, 11).value for code, row in rows.items()}
    assert formula["1.1.1"] == '=IF(H2="符合",F2,IF(H2="基本符合",F2*0.5,IF(H2="不适用",0,0)))'
    assert formula["1.1.2"] == '=IF(H3="不适用",0,IF(AND(H3="",I3=""),0,MAX(0,F3-2*N(I3))))'
    assert formula["2.1.1"] == '=IF(H4="不适用",0,IF(J4="",0,F4*MIN(1,N(J4)/20)))'
    assert formula["2.1.2"].startswith('=IF(H5="好",F5*1,IF(H5="较好",F5*0.8,')
    assert formula["2.1.3"] is None  # manual: the inspector types the score


def test_drop_downs_and_number_validation(book):
    ws = book[0]["检查表"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    lists = {ref: dv.formula1 for ref, dv in rules.items() if dv.type == "list"}
    assert lists["H2:H4 H6:H8"] == '"符合,基本符合,不符合,不适用"'
    assert lists["H5"] == '"好,较好,一般,差,不适用"'
    assert rules["I2:I8"].type == "whole" and rules["I2:I8"].operator == "greaterThanOrEqual"
    assert rules["J2:J8"].type == "decimal"
    assert rules["K6"].type == "decimal" and rules["K6"].formula2 == "10"


def test_input_cells_are_unlocked_and_the_rest_locked(book):
    ws = book[0]["检查表"]
    assert ws.protection.sheet and not ws.protection.password
    row = code_rows(ws)["2.1.3"]  # manual: 得分 is an input too
    unlocked = {h for h, c in header_columns(ws).items() if not ws.cell(row, c).protection.locked}
    assert unlocked == {"结论", "问题数", "实测值", "得分", "问题描述", "佐证材料"}
    assert ws.cell(code_rows(ws)["1.1.1"], 11).protection.locked  # a formula stays locked
    info = book[0]["基本信息"]
    assert not info_cell(info, "评估类型").protection.locked
    assert info_cell(info, "单位名称").protection.locked


def test_print_setup_and_frozen_header(book):
    ws = book[0]["检查表"]
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$1:$1"


def test_basic_information_carries_unit_rubric_hash_and_notice(book, mini_rubric):
    info = book[0]["基本信息"]
    assert info_cell(info, "单位编码").value == WENFENG.code
    assert info_cell(info, "所属区").value == "崇川区"
    assert info_cell(info, "评分细则").value == mini_rubric.id
    assert info_cell(info, "细则版本").value == mini_rubric.content_hash
    assert info_cell(info, "评估类型").value == "自评"
    assert info_cell(info, "检查人员").value == "张三、李四"
    assert info_cell(info, "当前得分").value.startswith("=IF(")
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
