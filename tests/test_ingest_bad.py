"""`compliance ingest` on bad tables: each a located Chinese message, never a traceback, and
nothing written when the table cannot be read at all."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook
from sheet_lab import convert
from typer.testing import CliRunner

from compliance.cli import app
from compliance.findings import FindingsError, errors_of
from compliance.ingest import analyse, ingest

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"


def run(*args) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def refused(path: Path, tmp_path: Path) -> str:
    """The message ingest gives for a table it cannot read; nothing may be written."""
    out = tmp_path / "out"
    with pytest.raises(FindingsError) as caught:
        ingest(path, "bad", out)
    assert not out.exists()
    result = run("ingest", path, "--id", "bad", "-o", out)
    assert result.exit_code == 1
    assert not out.exists()
    message = "\n".join(str(f) for f in caught.value.findings)
    assert all(str(f) in result.output for f in caught.value.findings)
    return message


def sheet(path: Path, rows: list[list[object]], title: str = "评分表") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_a_sheet_without_a_recognisable_header(tmp_path):
    path = sheet(tmp_path / "名单.xlsx", [["单位", "负责人", "电话"], ["城东中队", "张三", "123"]])
    message = refused(path, tmp_path)
    assert "名单.xlsx" in message and "评分表" in message
    assert "找不到评分表的表头行" in message


def test_an_image_only_pdf_renamed_docx(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure = plt.figure(figsize=(2, 2))
    figure.figimage([[0.0, 1.0], [1.0, 0.0]] * 10, cmap="gray")  # a scanned page: pixels only
    path = tmp_path / "扫描件.docx"
    figure.savefig(path, format="pdf")
    plt.close(figure)
    assert path.read_bytes().startswith(b"%PDF")
    message = refused(path, tmp_path)
    assert message.startswith("扫描件.docx")
    assert "PDF" in message and ".docx" in message


def test_an_encrypted_xlsx(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = CORPUS / "jinhua-shuzi" / "jinhua-shuzi.xlsx"
    encrypted = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt("1234", encrypted)
    path = tmp_path / "加密.xlsx"
    path.write_bytes(encrypted.getvalue())
    message = refused(path, tmp_path)
    assert message.startswith("加密.xlsx") and "密码" in message


def test_a_total_that_does_not_add_up_is_reported_at_its_row(tmp_path):
    path = sheet(
        tmp_path / "表.xlsx",
        [
            ["某区城管执法中队考核评分表"],
            ["序号", "考核项目", "考核内容", "分值", "评分标准"],
            ["1", "队伍管理", "执法人员持证上岗", "5分", "发现一人未持证扣1分，扣完为止"],
            ["2", "", "着装规范", "5", "每人次扣0.5分"],
            ["3", "执法办案", "案卷规范", "10", "每卷不合格扣2分"],
            ["合计", "", "", "25", ""],  # 5 + 5 + 10 = 20, not 25
        ],
    )
    report = ingest(path, "biao", tmp_path / "out")
    errors = [str(f) for f in errors_of(report.findings) if "生成的文件未通过校验" not in f.message]
    assert errors == [
        "表.xlsx!评分表!第6行: 合计 25 分与各条目分值之和 20 分不一致；已按各条目分值之和作为总分"
    ]
    rubric = yaml.safe_load(report.rubric_path.read_text(encoding="utf-8"))["rubric"]
    assert rubric["total"] == 20
    result = run("ingest", path, "--id", "biao", "-o", tmp_path / "cli")
    assert result.exit_code == 1 and "合计 25 分" in result.output


def test_a_word_file_without_a_table(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("考核细则：每处扣2分，扣完为止。")
    path = tmp_path / "说明.docx"
    document.save(path)
    assert "文档中没有表格" in refused(path, tmp_path)


def test_a_docx_whose_xml_declares_entities(tmp_path):
    import docx

    document = docx.Document()
    document.add_table(rows=1, cols=1)
    source = tmp_path / "src.docx"
    document.save(source)
    path = tmp_path / "炸弹.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(
                    b"?>",
                    b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
                    1,
                )
            new.writestr(item, data)
    message = refused(path, tmp_path)
    assert message.startswith("炸弹.docx") and "结构异常" in message


def test_an_xlsx_that_is_really_a_docx(tmp_path):
    path = tmp_path / "改名.xlsx"
    shutil.copy(CORPUS / "zhen-chengzhen" / "zhen-chengzhen.docx", path)
    assert "不是 .xlsx 工作簿" in refused(path, tmp_path)


def test_an_unsupported_file_type(tmp_path):
    path = tmp_path / "表.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    assert "不支持的文件类型" in refused(path, tmp_path)


def test_an_empty_file(tmp_path):
    path = tmp_path / "空.csv"
    path.write_bytes(b"")
    assert "空的" in refused(path, tmp_path)


def test_a_bad_id_is_refused_before_anything_is_read(tmp_path):
    result = run(
        "ingest", CORPUS / "jinhua-shuzi" / "jinhua-shuzi.xlsx", "--id", "金华", "-o", tmp_path / "out"
    )
    assert result.exit_code == 1
    assert "不是有效的 id" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_in_each_encoding_政务_systems_export(tmp_path, encoding):
    text = (CORPUS / "zerenzhi-kaohe" / "zerenzhi-kaohe.csv").read_bytes().decode("gb18030")
    path = tmp_path / "表.csv"
    path.write_bytes(text.encode(encoding))
    result, findings = analyse(path)
    assert result is not None, findings
    assert [e.code for e in result.entries()][:3] == ["8.1", "8.2", "8.3"]
    assert result.total == 70


def test_a_points_cell_that_is_not_a_number_is_located(tmp_path):
    path = sheet(
        tmp_path / "表.xlsx",
        [
            ["序号", "考核内容", "分值", "评分标准"],
            ["1", "执法人员持证上岗", "五分", "每人扣1分"],
            ["2", "着装规范", "见附件", "每人次扣0.5分"],
        ],
    )
    report = ingest(path, "biao", tmp_path / "out")
    errors = [str(f) for f in errors_of(report.findings) if "生成的文件未通过校验" not in f.message]
    assert errors == ["表.xlsx!评分表!D3: 条目“着装规范”没有分值：已暂记 0 分，请补上"]


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_an_xls_saved_by_libreoffice_reads_like_the_xlsx(tmp_path):
    source = CORPUS / "jinhua-shuzi" / "jinhua-shuzi.xlsx"
    old, _ = analyse(_to_xls(source, tmp_path))
    new, _ = analyse(source)
    assert old is not None and new is not None
    assert [(e.code, e.points, e.reading.kind) for e in old.entries()] == [
        (e.code, e.points, e.reading.kind) for e in new.entries()
    ]


def test_title_notes_subtotals_and_totals_are_not_items(tmp_path):
    path = sheet(
        tmp_path / "表.xlsx",
        [
            ["某区城管执法中队规范化建设考核评分表"],
            ["（2021年度）"],
            ["序号", "考核项目", "考核内容", "分值", "评分标准"],
            ["1", "队伍管理", "持证上岗", "5", "发现一人未持证扣1分，扣完为止"],
            ["小计", "", "", "5", ""],
            ["2", "执法办案", "案卷规范", "10", "每卷不合格扣2分"],
            ["合计", "", "", "15", ""],
            ["填表说明：1.本表由考评组填写；2.扣分须注明原因。"],
        ],
    )
    report = ingest(path, "biao", tmp_path / "out")
    rubric = yaml.safe_load(report.rubric_path.read_text(encoding="utf-8"))["rubric"]
    assert list(rubric["items"]) == ["1.1", "1.2"]  # one item per 考核项目: names, not levels
    assert rubric["total"] == 15  # 5 + 10, equal to the 合计: no error
    assert not [f for f in errors_of(report.findings) if "生成的文件未通过校验" not in f.message]
    standard_text = report.standard_path.read_text(encoding="utf-8")
    assert "某区城管执法中队规范化建设考核评分表" in standard_text
    assert "# 原表说明：填表说明：1.本表由考评组填写；2.扣分须注明原因。" in standard_text


def test_weights_written_in_the_category_headings(tmp_path):
    path = sheet(
        tmp_path / "权重.xlsx",
        [
            ["序号", "考核内容", "分值", "评分标准"],
            ["一、日常考核（权重60%）"],
            ["1", "案件按期结案", "100", "按期结案率达到90%以上得100分，80%-90%得80分，80%以下不得分"],
            ["二、年终考核（权重40%）"],
            ["1", "年度目标完成", "60", "按完成率得分"],
            ["2", "群众满意度", "40", "好、较好、一般、差分别得40、30、20、0分"],
        ],
    )
    report = ingest(path, "quan", tmp_path / "out")
    text = report.rubric_path.read_text(encoding="utf-8")
    rubric = yaml.safe_load(text)["rubric"]
    assert rubric["weights"] == {"1": 0.6, "2": 0.4}
    assert rubric["total"] == 100
    assert [i.get("mode") or i.get("rule") for i in rubric["items"].values()] == [
        "bands",
        "proportional",
        "levels",
    ]
    standard = yaml.safe_load(report.standard_path.read_text(encoding="utf-8"))
    assert [s["name"] for s in standard["sections"]] == ["日常考核", "年终考核"]


def test_every_guess_is_commented_where_it_was_made(tmp_path):
    report = ingest(CORPUS / "jinhua-shuzi" / "jinhua-shuzi.xlsx", "jinhua", tmp_path)
    lines = report.rubric_path.read_text(encoding="utf-8").splitlines()
    item = next(i for i, line in enumerate(lines) if line.strip().startswith('"1.1":'))
    assert (
        lines[item - 1]
        .strip()
        .startswith("# 请核对：原表 jinhua-shuzi.xlsx!评分表!E3 的 5 分合并跨 3 个条目")
    )
    manual = next(i for i, line in enumerate(lines) if line.strip().startswith('"2.3":'))
    assert "jinhua-shuzi.xlsx!评分表!D8" in lines[manual - 1] and "请核对" in lines[manual - 1]
    assert "rule: manual" in lines[manual] and "scoring_text:" in lines[manual]


def test_reviewed_files_are_not_overwritten_without_force(tmp_path):
    table = CORPUS / "yangzhou-zonghe" / "yangzhou-zonghe.docx"
    report = ingest(table, "yz", tmp_path)
    report.rubric_path.write_text(
        report.rubric_path.read_text(encoding="utf-8") + "# 已核对\n", encoding="utf-8"
    )
    result = run("ingest", table, "--id", "yz", "-o", tmp_path)
    assert result.exit_code == 1
    assert "文件已存在" in result.output and "--force" in result.output
    assert report.rubric_path.read_text(encoding="utf-8").endswith("# 已核对\n")
    result = run("ingest", table, "--id", "yz", "-o", tmp_path, "--force")
    assert "文件已存在" not in result.output
    assert not report.rubric_path.read_text(encoding="utf-8").endswith("# 已核对\n")


def test_a_word_table_continued_after_a_page_break_without_its_header(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("考核评分表")
    first = document.add_table(rows=3, cols=4)
    for r, row in enumerate(
        [
            ["序号", "考核内容", "分值", "评分标准"],
            ["1", "持证上岗", "5", "每人扣1分"],
            ["2", "着装规范", "5", "每人次扣0.5分"],
        ]
    ):
        for c, value in enumerate(row):
            first.cell(r, c).text = value
    document.add_page_break()
    second = document.add_table(rows=1, cols=4)
    for c, value in enumerate(["3", "案卷规范", "10", "每卷扣2分"]):
        second.cell(0, c).text = value
    path = tmp_path / "续表.docx"
    document.save(path)
    result, findings = analyse(path)
    assert [(e.code, e.points) for e in result.entries()] == [("1.1", 5), ("1.2", 5), ("1.3", 10)]
    assert any("没有表头，已按上一张表的列接续读取" in str(f) and "续表.docx 表2" in str(f) for f in findings)


def _to_xls(source: Path, folder: Path) -> Path:
    """``source`` saved as .xls by LibreOffice, in ``folder``."""
    (converted,) = convert([source], folder, folder / "lo", to="xls")
    return converted


def _soffice_xls(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.title = "评分表"
    for line in rows:
        book.active.append(line)
    book.save(tmp_path / "表.xlsx")
    return _to_xls(tmp_path / "表.xlsx", tmp_path)


_NUMBER, _RK = 0x0203, 0x027E

# In a child with a bounded address space: a regression fails the test, not the machine.
_INGEST = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from pathlib import Path
from compliance.ingest.reader import read_tables
grids, findings = read_tables(Path(sys.argv[1]))
print(json.dumps([[f.cell, f.message] for f in findings], ensure_ascii=False))
"""


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_an_xls_with_one_far_away_cell_is_refused_before_it_is_loaded(tmp_path):
    # calamine opens an .xls by allocating every sheet's used rectangle: one cell record
    # moved to row 65,536, column 65,536 asked for 137 GB and killed the process
    import olefile

    path = _soffice_xls(tmp_path, [["序号", "内容", "分值"], [1, "着装规范", 2.5]])
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        biff = bytearray(ole.openstream("Workbook").read())
        at, moved = 0, 0
        while at + 4 <= len(biff):  # the BIFF records, walked here on their own
            kind, length = (
                int.from_bytes(biff[at : at + 2], "little"),
                int.from_bytes(biff[at + 2 : at + 4], "little"),
            )
            if kind in (_NUMBER, _RK) and not moved:
                biff[at + 4 : at + 8] = b"\xff\xff\xff\xff"  # row and column 65,535
                moved += 1
            at += 4 + length
        assert moved == 1
        ole.write_stream("Workbook", bytes(biff))
    done = subprocess.run(
        [sys.executable, "-c", _INGEST, str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [
        [
            "评分表",
            "工作表过大：65536 行、65536 列（上限 5000 行、60 列）；Excel 97–2003 工作簿只能整本读入，"
            "未读取：请删除这张工作表的多余行列，或另存为 .xlsx",
        ]
    ]


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_the_measured_extent_of_an_xls_sheet_is_what_calamine_reads(tmp_path):
    import python_calamine

    from compliance.ingest.biff import sheet_extents

    rows = [["序号", "内容", None, "分值"], [None] * 6 + ["备注"], [1, "着装规范", None, 2.5]]
    path = _soffice_xls(tmp_path, rows)
    (extent,) = sheet_extents(path.read_bytes())
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("评分表")
    assert (
        (extent.name, extent.rows, extent.columns)
        == ("评分表", sheet.end[0] + 1, sheet.end[1] + 1)
        == (
            "评分表",
            3,
            7,
        )
    )


def _word_table(path: Path, rows: list[list[str]]) -> Path:
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, line in enumerate(rows):
        for c, value in enumerate(line):
            table.cell(r, c).text = value
    document.save(path)
    return path


# the spanning cell stands for 10⁹ columns beside 2 others; 10⁹ skipped columns precede 3
@pytest.mark.parametrize(("element", "width"), [("gridSpan", 1_000_000_002), ("gridBefore", 1_000_000_003)])
def test_a_word_table_that_claims_a_billion_columns_is_refused_before_it_is_built(tmp_path, element, width):
    # each cell of a w:gridSpan became that many list entries: 8 GB for this one cell
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    path = _word_table(tmp_path / "宽表.docx", [["序号", "考核内容", "分值"], ["1", "着装规范", "2"]])
    document = docx.Document(str(path))
    tr = document.tables[0]._tbl.tr_lst[1]
    claim = OxmlElement(f"w:{element}")
    claim.set(qn("w:val"), "1000000000")
    if element == "gridSpan":
        tr.tc_lst[0].get_or_add_tcPr().append(claim)
    else:
        tr.get_or_add_trPr().append(claim)
    document.save(str(path))
    done = subprocess.run(
        [sys.executable, "-c", _INGEST, str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [
        [
            None,
            f"表格过大：2 行、{width} 列（上限 5000 行、60 列），未读取：评分表不会这么大，"
            "请删除多余的行列，或只把评分表另存为一个文件后再导入",
        ]
    ]
    assert refused(path, tmp_path).startswith(f"宽表.docx 表1: 表格过大：2 行、{width} 列")


def test_a_word_table_over_the_row_limit_is_refused_not_cut(tmp_path):
    # it used to be cut at row 5,000 without a word: the items below were lost
    import copy

    import docx

    path = _word_table(tmp_path / "长表.docx", [["序号", "考核内容", "分值"], ["1", "着装规范", "2"]])
    document = docx.Document(str(path))
    tbl = document.tables[0]._tbl
    row = tbl.tr_lst[1]
    for _ in range(5_000):
        tbl.append(copy.deepcopy(row))
    document.save(str(path))
    message = refused(path, tmp_path)
    assert message.startswith("长表.docx 表1: 表格过大：5002 行、3 列（上限 5000 行、60 列）")


def test_a_csv_over_the_row_limit_is_refused_but_blank_lines_after_it_are_not_rows(tmp_path):
    from compliance.ingest.reader import read_tables

    head = "序号,考核内容,分值\n"
    fits = tmp_path / "够.csv"
    fits.write_text(head + "1,着装规范,2\n" * 4_999 + ",,\n" * 3_000 + "\n" * 3_000, encoding="utf-8")
    grids, findings = read_tables(fits)
    assert findings == [] and len(grids[0].text) == 5_000

    over = tmp_path / "多.csv"
    over.write_text(head + "1,着装规范,2\n" * 5_000 + "\n" * 10, encoding="utf-8")
    grids, findings = read_tables(over)
    assert grids == []
    assert [str(f) for f in findings] == [
        "多.csv: 表格过大：5001 行、3 列（上限 5000 行、60 列），未读取：评分表不会这么大，"
        "请删除多余的行列，或只把评分表另存为一个文件后再导入"
    ]


def test_an_xlsx_sheet_wider_than_the_limit_is_refused_but_blank_cells_do_not_count(tmp_path):
    from compliance.ingest.reader import read_tables

    rows = [["序号", "考核内容", "分值"], [1, "着装规范", 2]]
    spaced = sheet(tmp_path / "空格.xlsx", [rows[0] + [None] * 80 + ["  "], rows[1]])
    grids, findings = read_tables(spaced)
    assert findings == [] and [g.text[1][:3] for g in grids] == [["1", "着装规范", "2"]]

    wide = sheet(tmp_path / "宽.xlsx", [rows[0], rows[1] + [None] * 57 + ["备注"]])
    grids, findings = read_tables(wide)
    assert grids == []
    assert [str(f) for f in findings] == [
        "宽.xlsx!评分表: 表格过大：2 行、61 列（上限 5000 行、60 列），未读取：评分表不会这么大，"
        "请删除多余的行列，或只把评分表另存为一个文件后再导入"
    ]
