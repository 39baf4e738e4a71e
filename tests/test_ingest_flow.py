"""What ingest writes is a working rubric: template → fill (openpyxl, as an inspector) → score.

For every corpus table: a checklist made from the ingested rubric, filled with the best
answer of every row, scores full marks (rate 1, score = the rubric's total); for the 金华
table a filled sheet with a rate below its line scores what the wording says.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from compliance.cli import app
from compliance.ingest import ingest, rule_kind
from compliance.rubric import ItemRule

CORPUS = Path(__file__).resolve().parent / "data" / "ingest"
FOLDERS = sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
UNITS = Path(__file__).resolve().parent / "data" / "good_units.yaml"
UNIT = "320602001"

pytestmark = pytest.mark.skipif(
    "scoring_text" not in ItemRule.model_fields,
    reason="the v2 rule fields (SPEC §2.2a) are not in the rubric models yet",
)


def run(*args) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def best_answers(entry: dict) -> dict[str, dict[str, object]]:
    """{编号: {column: value}} that earns the item its full points."""
    code = entry["code"]
    kind = rule_kind(entry)
    if kind in {"check", "veto", "veto-section"}:
        return {code: {"结论": "符合"}}
    if kind == "levels":
        labels = entry.get("level_points") or entry.get("levels")
        return {code: {"结论": max(labels, key=lambda k: Decimal(str(labels[k])))}}
    if kind == "deduct":
        return {code: {"问题数": 0}}
    if kind == "triggers":
        return {f"{code}/{i}": {"问题数": 0} for i in range(1, len(entry["triggers"]) + 1)}
    if kind == "criteria":
        return {f"{code}/{i}": {"结论": "符合"} for i in range(1, len(entry["criteria"]) + 1)}
    if kind == "bands":
        return {code: {"实测值": float(entry["bands"][0]["min"])}}
    if kind in {"shortfall", "threshold", "proportional"}:
        return {code: {"实测值": float(entry["target"])}}
    assert kind == "manual", kind
    return {code: {"得分": float(entry["points"])}}


def header_columns(sheet) -> tuple[int, dict[str, int]]:
    for row in sheet.iter_rows(min_row=1, max_row=10):
        columns = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if "编号" in columns:
            return row[0].row, columns
    raise AssertionError(f"no header in {sheet.title}")


def fill(path: Path, answers: dict[str, dict[str, object]]) -> None:
    book = load_workbook(path)
    info = book["基本信息"]
    for row in info.iter_rows(min_row=1, max_row=info.max_row):
        if str(row[0].value or "").strip() == "检查人员":
            row[1].value = "陈建华"
    sheet = book["检查表"]
    header, cols = header_columns(sheet)
    rows = {str(sheet.cell(r, cols["编号"]).value): r for r in range(header + 1, sheet.max_row + 1)}
    for code, values in answers.items():
        for column, value in values.items():
            sheet.cell(rows[code], cols[column]).value = value
    book.save(path)


def checklist(tmp_path: Path, folder: Path) -> tuple[Path, dict]:
    report = ingest(
        next(p for p in folder.iterdir() if p.stem == folder.name and p.suffix != ".md"),
        folder.name,
        tmp_path,
    )
    # the author's review: the «请核对» line about the missing pass line is answered
    text = report.rubric_path.read_text(encoding="utf-8")
    reviewed = "\n".join(
        "  pass: {min_rate: 0.9}\n  grades: [{name: 达标, min_rate: 0.9}, {name: 未达标, min_rate: 0}]"
        if line.startswith("  # 请核对：表格未给出达标线")
        else line
        for line in text.splitlines()
    )
    assert reviewed != text
    report.rubric_path.write_text(reviewed + "\n", encoding="utf-8")
    rubric = yaml.safe_load(reviewed)["rubric"]
    book = tmp_path / "检查表.xlsx"
    result = run(
        "template", "--rubric", report.rubric_path, "--standards", tmp_path / "standards",
        "--rubrics", tmp_path / "rubrics", "--units", UNITS, "--unit", UNIT, "--round", "2021H1", "-o", book,
    )  # fmt: skip
    if result.exit_code != 0 and "内部错误" in result.output:
        # the checklist workbook does not lay out every v2 rule yet (a gap of `template`,
        # not of what ingest wrote: the rubric validates, see test_ingest_corpus)
        pytest.xfail(f"template cannot lay out this rubric yet: {result.output.strip()[:200]}")
    assert result.exit_code == 0, result.output
    return book, rubric


def scored(tmp_path: Path, book: Path) -> dict:
    result = run(
        "score", book, "--json", "--standards", tmp_path / "standards", "--rubrics", tmp_path / "rubrics"
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_the_best_answers_score_full_marks(tmp_path, folder):
    book, rubric = checklist(tmp_path, folder)
    answers: dict = {}
    for code, entry in rubric["items"].items():
        answers.update(best_answers({"code": code, **entry}))
    fill(book, answers)
    card = scored(tmp_path, book)
    assert Decimal(str(card["rate"])) == 1
    assert Decimal(str(card["score"])) == Decimal(str(rubric["total"]))


def test_a_rate_below_its_line_loses_what_the_wording_says(tmp_path):
    book, rubric = checklist(tmp_path, CORPUS / "jinhua-shuzi")
    answers: dict = {}
    for code, entry in rubric["items"].items():
        answers.update(best_answers({"code": code, **entry}))
    answers["2.1"] = {"实测值": 65}  # 按期结案率 65 %: 70 − 65 = 5 points below, 1 分 each → 50 − 5 = 45
    answers["2.4/2"] = {"问题数": 2}  # two cases failing three checks: 2 × 0.5 = 1 → 5 − 1 = 4
    fill(book, answers)
    card = scored(tmp_path, book)
    items = {i["code"]: Decimal(str(i["earned"])) for i in card["items"]}
    assert items["2.1"] == 45
    assert items["2.4"] == 4
    assert Decimal(str(card["score"])) == 94  # 100 − 5 − 1


@pytest.mark.parametrize("name", ["aiwei-qingjie", "jinhua-shuzi"])
def test_the_rubric_as_written_without_pass_line_or_grades_makes_a_checklist_that_scores(tmp_path, name):
    """Unreviewed: ingest found no 达标线 and no 等级 in the table, so the rubric has neither;
    `template` must still accept it (an earlier report: a crash on a rubric without `pass`),
    and `score` says there is no 达标 judgement (status null) and no grade."""
    folder = CORPUS / name
    report = ingest(next(p for p in folder.iterdir() if p.stem == name and p.suffix != ".md"), name, tmp_path)
    rubric = yaml.safe_load(report.rubric_path.read_text(encoding="utf-8"))["rubric"]
    assert "pass" not in rubric and "grades" not in rubric
    book = tmp_path / "检查表.xlsx"
    result = run(
        "template", "--rubric", report.rubric_path, "--standards", tmp_path / "standards",
        "--rubrics", tmp_path / "rubrics", "--units", UNITS, "--unit", UNIT, "--round", "2021H1", "-o", book,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answers: dict = {}
    for code, entry in rubric["items"].items():
        answers.update(best_answers({"code": code, **entry}))
    fill(book, answers)
    card = scored(tmp_path, book)
    assert card["status"] is None
    assert card["grade"] is None
    assert Decimal(str(card["score"])) == Decimal(str(rubric["total"]))
