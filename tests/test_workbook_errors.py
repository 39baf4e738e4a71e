"""Bad workbooks: one per kind of problem, each reported at its cell with what was found
and what is allowed — all of a file's problems in one pass, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from test_workbook_support import (
    GOOD,
    UNITS,
    WENFENG,
    bonus_rows,
    build,
    checklist,
    good_workbook,
    info_rows,
    item_rows,
)

from compliance.units import UnitsFile
from compliance.workbook import read_workbook, source


def problems(path, catalog, **kw) -> list[tuple[str | None, str]]:
    pairs, findings = read_workbook(path, catalog, **kw)
    errors = [(f.cell, f.message) for f in findings if f.is_error]
    assert errors, "expected errors"
    assert pairs == []
    return errors


def one(path, catalog, **kw) -> tuple[str | None, str]:
    errors = problems(path, catalog, **kw)
    assert len(errors) == 1, errors
    return errors[0]


def with_entries(tmp_path, rubric, **changes) -> object:
    return checklist(tmp_path / "bad.xlsx", rubric, entries={**GOOD, **changes})


def with_extra_rows(tmp_path, rubric, *extra: list) -> object:
    return checklist(tmp_path / "bad.xlsx", rubric, items=item_rows(rubric) + [list(r) for r in extra])


# --- 检查表 rows --------------------------------------------------------------------------


def test_bad_unknown_item_code(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(
        with_extra_rows(tmp_path, mini_rubric, ["9.9.9"] + [None] * 6 + ["符合"]), mini_catalog
    )
    assert cell == "检查表!A9" and "未知的条目编号“9.9.9”" in message


def test_bad_duplicate_row(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(
        with_extra_rows(tmp_path, mini_rubric, ["1.1.1"] + [None] * 6 + ["符合"]), mini_catalog
    )
    assert cell == "检查表!A9" and "重复" in message and "检查表!A2" in message


def test_bad_missing_item(tmp_path, mini_catalog, mini_rubric):
    rows = [r for r in item_rows(mini_rubric) if r[0] != "2.1.4"]
    cell, message = one(checklist(tmp_path / "bad.xlsx", mini_rubric, items=rows), mini_catalog)
    assert cell is None and "2.1.4" in message and "缺少这一条" in message


def test_bad_row_without_a_code(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_extra_rows(tmp_path, mini_rubric, [None] * 7 + ["符合"]), mini_catalog)
    assert cell == "检查表!A9" and "没有编号" in message


def test_bad_unreadable_result_lists_the_accepted_values(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"1.1.1": {"结论": "还行"}}), mini_catalog)
    assert cell == "检查表!H2" and "“还行”无法识别" in message and "基本符合" in message and "√" in message


def test_bad_levels_label_lists_the_rubrics_labels(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"2.1.2": {"结论": "优"}}), mini_catalog)
    assert cell == "检查表!H5" and "好、较好、一般、差" in message


def test_bad_negative_count(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"1.1.2": {"问题数": -1}}), mini_catalog)
    assert cell == "检查表!I3" and "问题数得到 -1" in message and "不小于 0 的整数" in message


def test_bad_fractional_count(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"1.1.2": {"问题数": "1.5"}}), mini_catalog)
    assert cell == "检查表!I3" and "1.5" in message


def test_bad_non_numeric_measured_is_reported_once(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"2.1.1": {"实测值": "十五"}}), mini_catalog)
    assert cell == "检查表!J4" and "实测值得到“十五”，应为数字" in message


def test_bad_manual_score_above_points(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"2.1.3": {"得分": 12}}), mini_catalog)
    assert cell == "检查表!K6" and "0 至 10" in message


def test_bad_manual_score_not_a_number(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"2.1.3": {"得分": "七分"}}), mini_catalog)
    assert cell == "检查表!K6" and "得分得到“七分”" in message


@pytest.mark.parametrize(
    ("code", "header", "value", "cell", "fragment"),
    [
        ("1.1.2", "问题数", "1e30", "检查表!I3", "问题数得到“1e30”，数值过大"),
        ("1.1.2", "问题数", "1e999999999", "检查表!I3", "数值过大"),  # abs() of it would overflow
        ("2.1.1", "实测值", 1e300, "检查表!J4", "实测值得到“1e+300”，数值过大"),
        ("2.1.3", "得分", "1e40", "检查表!K6", "得分“1e40”超出范围，应在 0 至 10 之间"),
        ("2.1.1", "实测值", "NaN", "检查表!J4", "应为数字"),
    ],
)
def test_bad_numbers_no_inspection_produces(
    tmp_path, mini_catalog, mini_rubric, code, header, value, cell, fragment
):
    path = with_entries(tmp_path, mini_rubric, **{code: {header: value}})
    found_cell, message = one(path, mini_catalog)
    assert found_cell == cell and fragment in message, message


def test_bad_deduct_marked_failed_without_a_count(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(with_entries(tmp_path, mini_rubric, **{"1.1.2": {"结论": "不符合"}}), mini_catalog)
    assert cell == "检查表!I3" and "问题数" in message


# --- structure --------------------------------------------------------------------------


def test_bad_missing_header_says_what_was_found_and_what_is_required(tmp_path, mini_catalog, mini_rubric):
    rows = item_rows(mini_rubric)
    rows[0] = ["测量值" if h == "实测值" else h for h in rows[0]]
    cell, message = one(checklist(tmp_path / "bad.xlsx", mini_rubric, items=rows), mini_catalog)
    assert cell == "检查表!A1"
    assert (
        "缺少表头：实测值" in message
        and "测量值" in message
        and "必需的表头：编号、结论、问题数、实测值、得分" in message
    )


def test_bad_repeated_header(tmp_path, mini_catalog, mini_rubric):
    rows = [[*r, r[7]] for r in item_rows(mini_rubric)]  # 结论 twice
    cell, message = one(checklist(tmp_path / "bad.xlsx", mini_rubric, items=rows), mini_catalog)
    assert cell == "检查表!N1" and "“结论”出现了 2 次（H1、N1）" in message


def test_bad_no_header_row_at_all(tmp_path, mini_catalog, mini_rubric):
    cell, message = one(checklist(tmp_path / "bad.xlsx", mini_rubric, items=[["随便写点什么"]]), mini_catalog)
    assert cell == "检查表" and "找不到表头行" in message


def test_bad_missing_sheet(tmp_path, mini_catalog, mini_rubric):
    path = build(tmp_path / "bad.xlsx", {"检查表": item_rows(mini_rubric), "加分项": bonus_rows(mini_rubric)})
    cell, message = one(path, mini_catalog)
    assert (
        cell is None and "缺少工作表“基本信息”" in message and "工作簿中的工作表：检查表、加分项" in message
    )


def test_missing_bonus_sheet_only_warns(tmp_path, mini_catalog, mini_rubric):
    path = build(tmp_path / "x.xlsx", {"基本信息": info_rows(mini_rubric), "检查表": item_rows(mini_rubric)})
    pairs, findings = read_workbook(path, mini_catalog)
    assert len(pairs) == 1 and pairs[0][1].bonus == ()
    assert [(f.cell, f.is_error) for f in findings] == [(None, False)]
    assert "缺少工作表“加分项”" in findings[0].message


# --- 基本信息 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "value", "cell", "fragment"),
    [
        ("评估类型", "年检", "基本信息!B7", "评估类型“年检”无效，应为 自评、考评、复查"),
        ("评估轮次", None, "基本信息!B8", "评估轮次未填写"),
        ("检查日期", "六月底", "基本信息!B9", "检查日期得到“六月底”"),
        ("检查日期", "2024-02-30", "基本信息!B9", "不是有效的日期"),
        ("评分细则", "no-such-rubric", "基本信息!B6", "找不到 id 为“no-such-rubric”的评分细则"),
        ("评分细则", "../../etc/x.yaml", "基本信息!B6", "评分细则应填写 id"),
        ("单位编码", "3206 02?", "基本信息!B1", "单位编码“3206 02?”无效"),
        ("单位名称", None, "基本信息!B2", "单位名称未填写"),
    ],
)
def test_bad_basic_information(tmp_path, mini_catalog, mini_rubric, label, value, cell, fragment):
    path = checklist(tmp_path / "bad.xlsx", mini_rubric, info=info_rows(mini_rubric, **{label: value}))
    found = problems(path, mini_catalog)
    assert any(c == cell and fragment in m for c, m in found), found


def test_bad_basic_information_label_missing(tmp_path, mini_catalog, mini_rubric):
    info = info_rows(mini_rubric, 评估轮次=...)
    cell, message = one(checklist(tmp_path / "bad.xlsx", mini_rubric, info=info), mini_catalog)
    assert cell == "基本信息" and "缺少以下项目：评估轮次" in message


def test_bad_unit_not_in_the_units_list(tmp_path, mini_catalog, mini_rubric):
    others = UnitsFile(units=[WENFENG.model_copy(update={"code": "999"})])
    cell, message = one(good_workbook(tmp_path, mini_rubric), mini_catalog, units=others)
    assert cell == "基本信息!B3" and "不在单位名单中" in message


def test_bad_unit_details_differ_from_the_units_list(tmp_path, mini_catalog, mini_rubric):
    info = info_rows(mini_rubric, 单位名称="文峰街道执法中队", 所属区="港闸区")
    found = problems(checklist(tmp_path / "bad.xlsx", mini_rubric, info=info), mini_catalog, units=UNITS)
    assert found == [
        ("基本信息!B2", "单位名称“文峰街道执法中队”与单位名单中的“文峰街道综合执法队”不一致"),
        ("基本信息!B5", "所属区“港闸区”与单位名单中的“崇川区”不一致"),
    ]


def test_a_unit_type_outside_applies_to_warns(tmp_path, mini_catalog, mini_rubric):
    path = checklist(tmp_path / "x.xlsx", mini_rubric, info=info_rows(mini_rubric, 单位类型="区大队"))
    pairs, findings = read_workbook(path, mini_catalog)
    assert len(pairs) == 1
    assert [(f.cell, f.is_error) for f in findings] == [("基本信息!B3", False)]
    assert "适用范围" in findings[0].message


def test_a_changed_rubric_version_warns(tmp_path, mini_catalog, mini_rubric):
    path = good_workbook(tmp_path, mini_rubric)
    book = openpyxl.load_workbook(path)
    book["基本信息"]["B9"] = "0123456789ab" + "0" * 52
    book.save(path)
    pairs, findings = read_workbook(path, mini_catalog)
    assert len(pairs) == 1 and [f.cell for f in findings] == ["基本信息!B9"]
    assert "版本" in findings[0].message and not findings[0].is_error


# --- 加分项 ------------------------------------------------------------------------------


def test_bad_bonus_answer(tmp_path, mini_catalog, mini_rubric):
    path = checklist(tmp_path / "bad.xlsx", mini_rubric, bonus=bonus_rows(mini_rubric, {"J1": "可能"}))
    cell, message = one(path, mini_catalog)
    assert cell == "加分项!D2" and "是否申报应为 是 或 否，得到“可能”" in message


def test_bad_unknown_bonus_code(tmp_path, mini_catalog, mini_rubric):
    rows = [*bonus_rows(mini_rubric), ["J9", "自创加分", 9.0, "是", None]]
    cell, message = one(checklist(tmp_path / "bad.xlsx", mini_rubric, bonus=rows), mini_catalog)
    assert cell == "加分项!A4" and "未知的加分项编号“J9”" in message


# --- one pass ---------------------------------------------------------------------------


def test_every_problem_of_a_file_in_one_pass(tmp_path, mini_catalog, mini_rubric):
    entries = {**GOOD, "1.1.1": {"结论": "还行"}, "2.1.1": {"实测值": "十五"}, "1.1.2": {"问题数": -2}}
    info = info_rows(mini_rubric, 评估类型="年检", 检查日期="六月")
    path = checklist(tmp_path / "bad.xlsx", mini_rubric, entries=entries, info=info)
    cells = sorted(c for c, _ in problems(path, mini_catalog))
    assert cells == ["基本信息!B7", "基本信息!B9", "检查表!H2", "检查表!I3", "检查表!J4"]


def test_the_file_name_leads_every_finding(tmp_path, mini_catalog, mini_rubric):
    path = with_entries(tmp_path, mini_rubric, **{"1.1.1": {"结论": "还行"}})
    _, findings = read_workbook(path, mini_catalog)
    assert str(findings[0]).startswith(f"{path}!检查表!H2: 条目 1.1.1")


# --- files that are not (safe) workbooks ---------------------------------------------------


def refused(path, catalog) -> str:
    pairs, findings = read_workbook(path, catalog)
    assert pairs == [] and len(findings) == 1 and findings[0].is_error
    return findings[0].message


def test_not_a_workbook(tmp_path, mini_catalog):
    path = tmp_path / "notes.xlsx"
    path.write_text("单位编码,结论\n", encoding="utf-8")
    assert "不是 .xlsx 工作簿" in refused(path, mini_catalog)


def test_a_zip_that_is_not_a_workbook(tmp_path, mini_catalog):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert "没有 xl/workbook.xml" in refused(path, mini_catalog)


def test_a_truncated_workbook(tmp_path, mini_catalog, mini_rubric):
    good = good_workbook(tmp_path, mini_rubric)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:3000])
    assert "已损坏" in refused(path, mini_catalog)


def test_an_encrypted_workbook(tmp_path, mini_catalog):
    path = tmp_path / "locked.xlsx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    path.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    assert "密码" in refused(path, mini_catalog)


def test_a_legacy_xls(tmp_path, mini_catalog):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    assert "旧版 .xls" in refused(path, mini_catalog)


def test_a_missing_file(tmp_path, mini_catalog):
    assert "无法读取文件" in refused(tmp_path / "nowhere.xlsx", mini_catalog)


def test_a_file_too_large(tmp_path, mini_catalog, mini_rubric, monkeypatch):
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 1000)
    assert "文件过大" in refused(good_workbook(tmp_path, mini_rubric), mini_catalog)


def test_a_zip_bomb_is_refused_before_parsing(tmp_path, mini_catalog, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * 5_000_000)  # compresses ~1000:1
    monkeypatch.setattr(source, "MAX_UNZIPPED_BYTES", 1_000_000)
    assert "解压后过大" in refused(path, mini_catalog)


def test_one_far_away_cell_does_not_exhaust_memory(tmp_path, mini_catalog, mini_rubric):
    # calamine allocates the used range at once: XFD1048576 would be ~17 billion cells
    path = checklist(tmp_path / "far.xlsx", mini_rubric)
    book = openpyxl.load_workbook(path)
    book["检查表"]["XFD1048576"] = "x"
    book.save(path)
    found = problems(path, mini_catalog)
    assert any(c == "检查表" and "超过上限" in m for c, m in found), found


# XML and calamine allow many spellings of one cell tag; each must be measured, not just
# the one spreadsheets write. Each became a far cell that crashed the process.
_FAR_SPELLINGS = {
    "after a newline and a tab": b'<c\n\tr="XFD1048576"',
    "in single quotes": b"<c r='XFD1048576'",
    "with spaces around =": b'<c r = "XFD1048576"',
    "in lowercase": b'<c r="xfd1048576"',
    "after another attribute": b'<c s="0" r="XFD1048576"',
    "with a namespace prefix": b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576"',
}
# Run in a child with a bounded address space: a regression fails this test instead of
# taking the machine's memory.
_READ_SHEET = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from pathlib import Path
from compliance.workbook.source import open_book
book, findings = open_book(Path(sys.argv[1]))
sheet, more = book.sheet("检查表")
print(json.dumps([f.message for f in findings + more], ensure_ascii=False))
"""


def _far_sheet(tmp_path, mini_rubric, rewrite) -> list[str]:
    path = checklist(tmp_path / "far.xlsx", mini_rubric)
    book = openpyxl.load_workbook(path)
    book["检查表"]["XFD1048576"] = "x"
    book.save(path)
    rewritten = tmp_path / "far-rewritten.xlsx"
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            data = old.read(name)
            if b'r="XFD1048576"' in data:
                data = rewrite(data)
            new.writestr(name, data)
    done = subprocess.run(
        [sys.executable, "-c", _READ_SHEET, str(rewritten)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("spelling", _FAR_SPELLINGS.values(), ids=_FAR_SPELLINGS.keys())
def test_a_far_away_cell_is_measured_however_its_tag_is_spelled(tmp_path, mini_rubric, spelling):
    def rewrite(data: bytes) -> bytes:
        data = data.replace(b'<c r="XFD1048576"', spelling)
        if spelling.startswith(b"<x:c"):
            data = data.replace(b"</is></c></row></sheetData>", b"</is></x:c></row></sheetData>")
        assert spelling in data
        return data

    found = _far_sheet(tmp_path, mini_rubric, rewrite)
    assert any("超过上限" in m and "1048576 行" in m for m in found), found


def test_far_away_cells_placed_by_their_row_and_order_are_measured(tmp_path, mini_rubric):
    # no r on the cells: calamine puts them in the row's r, one column after another
    far_row = re.compile(rb'<row r="1048576"[^>]*>.*?</row>', re.S)
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 2_000
    found = _far_sheet(
        tmp_path, mini_rubric, lambda d: far_row.sub(b'<row r="1048576">' + cells + b"</row>", d)
    )
    assert any("超过上限" in m and "1048576 行、2000 列" in m for m in found), found


def test_attributes_run_together_are_refused_not_read(tmp_path, mini_rubric):
    # calamine reads <c t="s"r="XFD1048576"> as that cell; XML does not allow it
    rewrite = lambda d: d.replace(b'<c r="XFD1048576" t="inlineStr"', b'<c t="inlineStr"r="XFD1048576"')  # noqa: E731
    assert _far_sheet(tmp_path, mini_rubric, rewrite) == ["工作簿结构异常或已损坏：无法读取这张工作表的数据"]


def test_too_many_rows(tmp_path, mini_catalog, mini_rubric, monkeypatch):
    monkeypatch.setattr(source, "MAX_ROWS", 5)
    found = problems(good_workbook(tmp_path, mini_rubric), mini_catalog)
    assert any(c == "检查表" and "超过上限" in m for c, m in found), found


def test_damaged_workbooks_never_raise(tmp_path, mini_catalog, mini_rubric):
    """Random damage — flipped bytes, a cut tail, broken XML inside the zip — is always a
    finding, never an exception (a deterministic little fuzz)."""
    import io
    import random

    good = good_workbook(tmp_path, mini_rubric).read_bytes()
    rng = random.Random(20240630)
    path = tmp_path / "damaged.xlsx"
    for _ in range(60):
        data = bytearray(good)
        choice = rng.random()
        if choice < 0.35:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.6:
            data = data[: rng.randrange(len(data))]
        else:
            source_zip, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
            victim = rng.choice(source_zip.namelist())
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
                for name in source_zip.namelist():
                    member = bytearray(source_zip.read(name))
                    for _ in range(rng.randint(1, 10) if name == victim and member else 0):
                        member[rng.randrange(len(member))] = rng.choice(b'<>/"=&x0 ')
                    target.writestr(name, bytes(member))
            data = out.getvalue()
        path.write_bytes(bytes(data))
        pairs, findings = read_workbook(path, mini_catalog)  # must not raise
        assert pairs or findings
