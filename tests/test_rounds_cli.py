"""Rounds where people type them (SPEC §2.5): `template --round`, the 基本信息 sheet, the bulk
form, and `rank`/`report --round` — every accepted spelling stored as its canonical label,
every refused one refused there, with the accepted forms named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from test_rounds import ACCEPTED, REFUSED
from test_workbook_support import BULK_HEADERS, GOOD, UNITS, WENFENG, build, checklist, info_cell, info_rows
from typer.testing import CliRunner

from compliance.catalog import Catalog
from compliance.cli import app
from compliance.workbook import read_workbook

DATA = Path(__file__).resolve().parent / "data"
SEARCH = ["--standards", str(DATA), "--rubrics", str(DATA)]
UNITS_FILE = DATA / "good_units.yaml"
# Refused, and typed where a round is typed: the examples and the module's own.
REFUSED_TYPED = [r for r in REFUSED if r.strip() and len(r) < 100] + [
    "2021年中",
    "21H1",
    "2024-1",
    "第三季度",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA])


@pytest.fixture(scope="module")
def rubric(catalog):
    return catalog.rubric("mini-2024-street")


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    return result


def template(out: Path, round_: str | None):
    extra = [] if round_ is None else ["--round", round_]
    return run("template", "--rubric", "mini-2024-street", "--units", UNITS_FILE, "--unit", WENFENG.code,
               *extra, "-o", out, *SEARCH)  # fmt: skip


# --- template ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "label", "shown"), ACCEPTED)
def test_template_takes_every_accepted_spelling_and_shows_it_in_chinese(tmp_path, typed, label, shown):
    out = tmp_path / "t.xlsx"
    result = template(out, typed)
    assert result.exit_code == 0, result.output
    assert info_cell(openpyxl.load_workbook(out)["基本信息"], "评估轮次").value == shown


@pytest.mark.parametrize("typed", [*REFUSED_TYPED, "", "2021" * 2000])
def test_template_refuses_a_bad_round_before_writing_anything(tmp_path, typed):
    result = template(tmp_path / "sub" / "t.xlsx", typed)
    assert result.exit_code == 2, result.output
    assert "--round" in result.stderr and "2021H1" in result.stderr and "2021年3月" in result.stderr
    assert list(tmp_path.iterdir()) == []  # not even the folder


def test_template_refuses_a_missing_round(tmp_path):
    result = template(tmp_path / "t.xlsx", None)
    assert result.exit_code == 2 and "缺少必需的选项 --round" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_template_all_refuses_a_bad_round_before_making_the_folder(tmp_path):
    result = run("template", "--rubric", "mini-2024-street", "--units", UNITS_FILE, "--all",
                 "--round", "2021H3", "-o", tmp_path / "all", *SEARCH)  # fmt: skip
    assert result.exit_code == 2 and "2021H3" in result.stderr
    assert not (tmp_path / "all").exists()


# --- the 基本信息 sheet --------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "label", "shown"), ACCEPTED)
def test_the_sheet_takes_every_accepted_spelling_as_its_canonical_label(
    tmp_path, catalog, rubric, typed, label, shown
):
    path = checklist(tmp_path / "c.xlsx", rubric, info=info_rows(rubric, 评估轮次=typed))
    pairs, findings = read_workbook(path, catalog)
    assert [f for f in findings if f.is_error] == []
    assert pairs[0][1].meta.round == label


@pytest.mark.parametrize("typed", [*REFUSED_TYPED, "2021" * 1250])
def test_the_sheet_refuses_a_bad_round_at_its_cell(tmp_path, catalog, rubric, typed):
    path = checklist(tmp_path / "c.xlsx", rubric, info=info_rows(rubric, 评估轮次=typed))
    pairs, findings = read_workbook(path, catalog)
    (finding,) = [f for f in findings if f.is_error]
    # 评估轮次 is the 8th row of info_rows: 基本信息!B8.
    assert pairs == [] and finding.cell == "基本信息!B8", finding
    assert "评估轮次" in finding.message and "2021H1" in finding.message


def test_a_round_typed_as_a_number_or_turned_into_a_date_by_excel(tmp_path, catalog, rubric):
    path = checklist(tmp_path / "c.xlsx", rubric, info=info_rows(rubric, 评估轮次=2021))
    assert read_workbook(path, catalog)[0][0][1].meta.round == "2021"
    # Excel turns 2021-03 (or 2021年3月) typed into a cell into the date 2021-03-01.
    book = openpyxl.load_workbook(path)
    book["基本信息"]["B8"] = dt.datetime(2021, 3, 1)
    book.save(path)
    assert read_workbook(path, catalog)[0][0][1].meta.round == "2021-03"
    book["基本信息"]["B8"] = dt.datetime(2021, 3, 15)  # a real date is no round
    book.save(path)
    pairs, findings = read_workbook(path, catalog)
    assert pairs == [] and [f.cell for f in findings if f.is_error] == ["基本信息!B8"]


# --- the bulk form -----------------------------------------------------------------------------


def bulk(path: Path, rubric, round_: object) -> Path:
    """The GOOD filling of the mini rubric as a bulk form, in round ``round_``."""
    rows = [[*BULK_HEADERS, "评分细则"]]
    for item in rubric.items:
        entry = GOOD[item.code]
        values = [entry.get(h) for h in ("结论", "问题数", "实测值", "得分")]
        rows.append([WENFENG.code, "考评", round_, item.code, *values, rubric.id])
    return build(path, {"批量": rows})


def test_the_bulk_form_stores_the_canonical_label(tmp_path, catalog, rubric):
    pairs, findings = read_workbook(bulk(tmp_path / "b.xlsx", rubric, "2024年第2季度"), catalog, units=UNITS)
    assert [f for f in findings if f.is_error] == [] and pairs[0][1].meta.round == "2024Q2"


@pytest.mark.parametrize("typed", ["2021H3", "2021-13", "2021年中"])
def test_the_bulk_form_refuses_a_bad_round_once_at_its_first_cell(tmp_path, catalog, rubric, typed):
    pairs, findings = read_workbook(bulk(tmp_path / "b.xlsx", rubric, typed), catalog, units=UNITS)
    errors = [f for f in findings if f.is_error]
    # 评估轮次 is column C; the first data row is row 2.
    assert pairs == [] and [f.cell for f in errors] == ["批量!C2"], errors
    assert typed in errors[0].message and "2021年下半年" in errors[0].message


# --- score, import, rank, report ---------------------------------------------------------------


def test_score_import_and_rank_speak_one_round_in_any_spelling(tmp_path, rubric):
    path = checklist(tmp_path / "c.xlsx", rubric, info=info_rows(rubric, 评估轮次="２０２４年下半年"))
    scored = run("score", path, "--json", *SEARCH)
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["round"] == "2024H2"
    db = tmp_path / "h.db"
    assert run("import", path, "--db", db, *SEARCH).exit_code == 0
    for typed in ("2024H2", "2024h2", "2024年下半年"):
        ranked = run("rank", "--round", typed, "--db", db, "--json")
        assert ranked.exit_code == 0, ranked.output
        assert [r["unit"]["code"] for r in json.loads(ranked.stdout)] == [WENFENG.code]
    refused = run("rank", "--round", "2024H3", "--db", db, "--json")
    assert refused.exit_code == 2 and "2024H3" in refused.stderr and "2021年下半年" in refused.stderr
    missing = run("rank", "--round", "2023H2", "--db", db, "--json")
    assert missing.exit_code == 1 and "2023年下半年（2023H2）" in missing.stderr
    assert "2024年下半年" in missing.stderr
