"""The inspector's whole flow through the real command line, and a corpus of bad input.

template → fill (openpyxl, as Excel/WPS would) → score --json (equals the library's
ScoreCard.to_json()) → import → rank --json (equals the library's rank_json) → report →
progress; then bad arguments and bad files, each with its exit code and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from compliance import __version__
from compliance.catalog import Catalog
from compliance.cli import app
from compliance.scoring import Kind, rank, rank_json, score
from compliance.store import Store
from compliance.workbook import read_workbook

DATA = Path(__file__).resolve().parent / "data"
SEARCH = ["--standards", DATA, "--rubrics", DATA]
RUBRIC = "mini-2024-street"
UNITS = DATA / "good_units.yaml"
TARGETS = DATA / "good_targets.yaml"
ROUND = "2021H1"
DATE = dt.date(2021, 6, 30)

# What the inspector writes, per unit: {编号: {header: value}} and the bonus claimed.
WENFENG = "320602001"  # 文峰街道综合执法队: 75 of 90 applicable points, +3 bonus → 86.33, 不达标
CHENGDONG = "320602002"  # 城东街道综合执法队: everything right, bonus 7 capped at 5 → 105, 达标
ENTRIES = {
    WENFENG: {
        "1.1.1": {"结论": "符合"},
        "1.1.2": {"问题数": 2, "问题描述": "2卷案卷缺少备考表"},  # 30 − 2 × 2 = 26
        "2.1.1": {"实测值": 15},  # 20 × 15/20 = 15
        "2.1.2": {"结论": "较好"},  # 20 × 0.8 = 16
        "2.1.3": {"得分": 8},
        "2.1.4": {"结论": "不适用", "问题描述": "本期无此类场所"},  # 合理缺项: possible 100 − 10 = 90
        "3.1.1": {"结论": "符合"},
    },
    CHENGDONG: {
        "1.1.1": {"结论": "√"},
        "1.1.2": {"结论": "符合", "问题数": 0},
        "2.1.1": {"实测值": 20},
        "2.1.2": {"结论": "好"},
        "2.1.3": {"得分": 10},
        "2.1.4": {"结论": "符合"},
        "3.1.1": {"结论": "符合"},
    },
}
BONUS = {WENFENG: ["J1"], CHENGDONG: ["J1", "J2"]}


def run(*args) -> object:
    """Invoke the app; the group's own handler turns every outcome into SystemExit."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def header_columns(sheet, wanted: str) -> tuple[int, dict[str, int]]:
    for row in sheet.iter_rows(min_row=1, max_row=10):
        columns = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if wanted in columns:
            return row[0].row, columns
    raise AssertionError(f"no header {wanted} in {sheet.title}")


def fill(path: Path, entries: dict, bonus: list[str], *, date=DATE, inspectors="陈建华、顾晓东") -> None:
    """Type into the workbook the way an inspector does: by header text and item code."""
    book = load_workbook(path)
    info = book["基本信息"]
    for row in info.iter_rows(min_row=1, max_row=info.max_row):
        label = str(row[0].value or "").strip()
        if label == "检查日期":
            row[1].value = date
        elif label == "检查人员":
            row[1].value = inspectors
    items = book["检查表"]
    header, cols = header_columns(items, "编号")
    rows = {str(items.cell(r, cols["编号"]).value): r for r in range(header + 1, items.max_row + 1)}
    for code, values in entries.items():
        for column, value in values.items():
            items.cell(rows[code], cols[column]).value = value
    sheet = book["加分项"]
    header, cols = header_columns(sheet, "编号")
    for r in range(header + 1, sheet.max_row + 1):
        if sheet.cell(r, cols["编号"]).value in bonus:
            sheet.cell(r, cols["是否申报"]).value = "是"
    book.save(path)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA])


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """Two filled checklists of one round, as handed back by the inspectors."""
    folder = tmp_path_factory.mktemp("flow")
    books = {}
    for code in (WENFENG, CHENGDONG):
        path = folder / f"{code}.xlsx"
        result = run(
            "template", "--rubric", RUBRIC, "--units", UNITS, "--unit", code,
            "--kind", "考评", "--round", ROUND, "-o", path, *SEARCH,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert path.is_file() and str(path) in result.stdout
        fill(path, ENTRIES[code], BONUS[code])
        books[code] = path
    return folder, books


@pytest.fixture(scope="module")
def stored(flow):
    """The store after importing both checklists."""
    folder, books = flow
    db = folder / "compliance.db"
    result = run("import", *books.values(), "--db", db, "--units", UNITS, *SEARCH)
    assert result.exit_code == 0, result.output
    return db


# --- the flow -----------------------------------------------------------------------------


def test_score_json_equals_the_library(flow, catalog):
    _, books = flow
    result = run("score", books[WENFENG], "--json", *SEARCH)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    [(rubric, assessment)], findings = read_workbook(books[WENFENG], catalog)
    assert not [f for f in findings if f.is_error]
    assert printed == score(rubric, assessment).to_json()
    # and the library is right, by hand: 75 of 90 points, 83.33 + 3 = 86.33
    assert printed["earned"] == 75 and printed["possible"] == 90
    assert printed["rate"] == 0.8333 and printed["score"] == 83.33
    assert printed["bonus"] == 3 and printed["final"] == 86.33
    assert printed["status"] == "不达标" and printed["grade"] == "良好" and printed["veto"] is False
    assert printed["unit"] == {"code": WENFENG, "name": "文峰街道综合执法队"}
    assert printed["round"] == ROUND and printed["kind"] == "考评"


def test_score_prints_the_verdict_and_the_rectification_list(flow):
    _, books = flow
    result = run("score", books[WENFENG], *SEARCH)
    assert result.exit_code == 0, result.output  # a unit not 达标 is not an error
    assert "不达标" in result.stdout and "83.33" in result.stdout
    assert "整改清单" in result.stdout and "1.1.2" in result.stdout


def test_score_of_a_perfect_unit(flow):
    _, books = flow
    printed = json.loads(run("score", books[CHENGDONG], "--json", *SEARCH).stdout)
    assert printed["final"] == 105 and printed["bonus"] == 5 and printed["status"] == "达标"


def test_import_stores_and_a_second_import_changes_nothing(flow, stored):
    _, books = flow
    with Store.open(str(stored)) as store:
        assert store.assessment_count() == 2
        card = store.card(WENFENG, ROUND, Kind.AUDIT)
        assert card.meta.date == DATE and card.meta.inspectors == ("陈建华", "顾晓东")
    again = run("import", *books.values(), "--db", stored, *SEARCH)
    assert again.exit_code == 0, again.output
    assert "新导入 0" in again.stdout and "跳过 2" in again.stdout
    printed = json.loads(run("import", books[WENFENG], "--db", stored, "--json", *SEARCH).stdout)
    assert [r["file"] for r in printed] == [str(books[WENFENG])]
    with Store.open(str(stored)) as store:
        assert store.assessment_count() == 2


def test_import_of_a_different_workbook_for_the_same_round_is_refused(flow, stored, tmp_path):
    _, books = flow
    changed = tmp_path / "changed.xlsx"
    shutil.copy(books[WENFENG], changed)
    fill(changed, {"1.1.1": {"结论": "不符合"}}, [])
    result = run("import", changed, "--db", stored, *SEARCH)
    assert result.exit_code == 1
    assert "--replace" in result.stderr
    with Store.open(str(stored)) as store:
        assert store.card(WENFENG, ROUND).to_json()["items"][0]["result"] == "符合"


def test_db_defaults_to_the_environment_then_the_current_folder(flow, stored, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_DB", str(stored))
    result = run("rank", "--round", ROUND, "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2
    monkeypatch.delenv("COMPLIANCE_DB")
    monkeypatch.chdir(tmp_path)
    shutil.copy(stored, tmp_path / "compliance.db")
    result = run("rank", "--round", ROUND, "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2


def test_rank_json_equals_the_library(stored):
    result = run("rank", "--round", ROUND, "--db", stored, "--json")
    assert result.exit_code == 0, result.output
    with Store.open(str(stored)) as store:
        expected = rank_json(rank(store.cards(ROUND, Kind.AUDIT)))
    printed = json.loads(result.stdout)
    assert printed == expected
    assert [(r["rank"], r["unit"]["code"], r["final"]) for r in printed] == [
        (1, CHENGDONG, 105),
        (2, WENFENG, 86.33),
    ]
    assert set(printed[0]) == {"rank", "unit", "final", "score", "status", "grade", "veto"}
    assert set(printed[0]["unit"]) == {"code", "name", "district"}


def test_rank_writes_pdf_and_xlsx(stored, tmp_path):
    result = run("rank", "--round", ROUND, "--db", stored, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pdfs, sheets = list(tmp_path.glob("*.pdf")), list(tmp_path.glob("*.xlsx"))
    assert len(pdfs) == 1 and len(sheets) == 1
    if shutil.which("pdftotext"):
        text = pdf_text(pdfs[0])
        assert "城东街道综合执法队" in text and "文峰街道综合执法队" in text
    ranking = load_workbook(sheets[0])
    values = [c.value for row in ranking.worksheets[0].iter_rows() for c in row]
    assert "城东街道综合执法队" in values


def test_report_writes_the_unit_pdf(stored, tmp_path):
    result = run("report", "--round", ROUND, "--unit", WENFENG, "--db", stored, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    [pdf] = tmp_path.glob("*.pdf")
    if shutil.which("pdftotext"):
        text = pdf_text(pdf)
        assert "文峰街道综合执法队" in text
        assert "2卷案卷缺少备考表" in text  # the inspector's note
        assert "示例性" in text  # the test standard is illustrative


def test_report_all_writes_one_pdf_per_unit(stored, tmp_path):
    result = run("report", "--round", ROUND, "--all", "--db", stored, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.pdf"))) == 2


def test_progress_writes_the_pdf(stored, tmp_path):
    result = run("progress", "--targets", TARGETS, "--db", stored, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    [pdf] = tmp_path.glob("*.pdf")
    if shutil.which("pdftotext"):
        assert "达标" in pdf_text(pdf)


def test_reports_need_only_the_store(stored, tmp_path):
    result = run("rank", "--round", ROUND, "--db", stored, "--json")
    assert result.exit_code == 0, result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"compliance {__version__}"


# --- bad arguments and bad files ----------------------------------------------------------


@pytest.fixture(scope="module")
def bad(flow, stored, tmp_path_factory):
    """Broken inputs of every kind, by name."""
    folder = tmp_path_factory.mktemp("bad")
    _, books = flow
    files = {"db": stored, "good": books[WENFENG], "missing": folder / "nope.xlsx"}
    (folder / "text.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (folder / "empty.xlsx").write_bytes(b"")
    with zipfile.ZipFile(folder / "docx.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    shutil.copy(books[WENFENG], folder / "truncated.xlsx")
    data = (folder / "truncated.xlsx").read_bytes()
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    for name, entries in {
        "bad_result": {"1.1.1": {"结论": "还行"}},
        "bad_count": {"1.1.2": {"问题数": -1}},
        "bad_manual": {"2.1.3": {"得分": 99}},
        "blank": {"1.1.1": {"结论": None}},
    }.items():
        path = folder / f"{name}.xlsx"
        shutil.copy(books[WENFENG], path)
        fill(path, entries, [])
        files[name] = path
    for name in ("text", "empty", "docx", "truncated"):
        files[name] = folder / f"{name}.xlsx"
    files["old"] = folder / "old.xls"
    (folder / "bad_targets.yaml").write_text("targets:\n  title: x\n  milestones: []\n", encoding="utf-8")
    files["bad_targets"] = folder / "bad_targets.yaml"
    (folder / "not.db").write_text("not a database", encoding="utf-8")
    files["not_db"] = folder / "not.db"
    files["out"] = folder / "out"
    return files


# (case id, arguments with {placeholders} from the `bad` fixture, exit code, text in stderr)
CASES = [
    ("no such command", ["fly"], 2, "没有这个子命令"),
    ("no such option", ["score", "{good}", "--colour"], 2, "没有这个选项"),
    ("score without a file", ["score"], 2, "缺少"),
    ("score a missing file", ["score", "{missing}"], 2, "不存在"),
    ("score a text file", ["score", "{text}"], 1, "不是 .xlsx"),
    ("score an empty file", ["score", "{empty}"], 1, ""),
    ("score a docx", ["score", "{docx}"], 1, "xl/workbook.xml"),
    ("score an old xls", ["score", "{old}"], 1, ".xls"),
    ("score a truncated workbook", ["score", "{truncated}"], 1, ""),
    ("score an unknown 结论", ["score", "{bad_result}", *SEARCH], 1, "还行"),
    ("score a negative 问题数", ["score", "{bad_count}", *SEARCH], 1, "问题数"),
    ("score a manual score out of range", ["score", "{bad_manual}", *SEARCH], 1, "得分"),
    ("score a blank item", ["score", "{blank}", *SEARCH], 1, "--allow-incomplete"),
    ("import a bad workbook", ["import", "{bad_result}", "--db", "{db}", *SEARCH], 1, "还行"),
    ("import into a file that is not a store", ["import", "{good}", "--db", "{not_db}", *SEARCH], 1, ""),
    ("import into an unsupported database", ["import", "{good}", "--db", "mysql://x/y", *SEARCH], 1, "不支持"),
    ("template without --unit or --all", ["template", "--rubric", RUBRIC, "--units", UNITS, "--round", ROUND, "-o", "{out}", *SEARCH], 2, "--all"),
    ("template of an unknown unit", ["template", "--rubric", RUBRIC, "--units", UNITS, "--round", ROUND, "--unit", "999", "-o", "{out}", *SEARCH], 1, "999"),
    ("template of an unknown rubric", ["template", "--rubric", "nope-2024", "--units", UNITS, "--round", ROUND, "--unit", WENFENG, "-o", "{out}"], 1, "nope-2024"),
    ("template of an unknown kind", ["template", "--rubric", RUBRIC, "--units", UNITS, "--unit", WENFENG, "--kind", "抽查", "-o", "{out}", *SEARCH], 2, "抽查"),
    ("rank without --round", ["rank", "--db", "{db}", "--json"], 2, "--round"),
    ("rank of a round not in the store", ["rank", "--round", "1999H1", "--db", "{db}", "--json"], 1, "1999H1"),
    ("report without --unit or --all", ["report", "--round", ROUND, "--db", "{db}", "-o", "{out}"], 2, ""),
    ("report of a unit not in the store", ["report", "--round", ROUND, "--unit", "999", "--db", "{db}", "-o", "{out}"], 1, "999"),
    ("progress with broken targets", ["progress", "--targets", "{bad_targets}", "--db", "{db}", "-o", "{out}"], 1, "bad_targets.yaml"),
    ("progress with a missing targets file", ["progress", "--targets", "{missing}", "--db", "{db}", "-o", "{out}"], 2, ""),
    ("validate a broken standard", ["validate", DATA / "bad" / "std_three_errors.yaml"], 1, "共 3 个错误"),
    ("demo with zero rounds", ["demo", "{out}", "--rounds", "0"], 2, ""),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exit_code_and_message(bad, args, code, text):
    result = run(*(str(a).format(**bad) if isinstance(a, str) else a for a in args))
    assert result.exit_code == code, result.output
    assert text in result.stderr
    assert result.stderr.strip(), "every failure says why"
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr


def test_a_failed_import_changes_nothing(bad):
    before = sqlite3.connect(bad["db"]).execute("select count(*) from assessments").fetchone()
    result = run("import", bad["good"], bad["bad_result"], "--db", bad["db"], *SEARCH)
    assert result.exit_code == 1
    after = sqlite3.connect(bad["db"]).execute("select count(*) from assessments").fetchone()
    assert before == after


def test_allow_incomplete_scores_a_blank_item_as_zero(bad):
    result = run("score", bad["blank"], "--allow-incomplete", "--json", *SEARCH)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["not_inspected"] == 1 and printed["earned"] == 65
