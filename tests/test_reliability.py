"""Issue 19's promises that are not bad inputs: what works must work safely.

Names carrying terminal escapes are printed visibly; names carrying TeX go into charts as
text; unquoted YAML codes keep the text they were written with; a read-only store serves
every reading command; progress dates a round by its end. The refusals are in the bad-input
corpus (tests/data/bad_inputs/cases.yaml).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest_store import make, mini_rubric, put
from test_workbook_support import WENFENG, checklist, info_rows
from typer.testing import CliRunner

from compliance.catalog import Catalog, load_units
from compliance.cli import app
from compliance.reports.assemble import progress_rounds
from compliance.store import Store

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
COMPLIANCE = TESTS.parent / ".venv" / "bin" / "compliance"
SEARCH = ["--standards", str(DATA), "--rubrics", str(DATA)]
ESCAPES = (
    "\x1b[2J\x1b]0;pwned\x07"  # clear the screen, retitle the terminal, ring (xlsxwriter writes _x001B_)
)
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def rubric():
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA]).rubric("mini-2024-street")


# --- the terminal ----------------------------------------------------------------------------


def test_control_characters_in_names_reach_the_terminal_visibly(tmp_path, rubric):
    name = f"文峰{ESCAPES}街道"
    info = info_rows(rubric, 单位名称=name, 检查人员=f"张三{ESCAPES}")
    workbook = checklist(tmp_path / "evil.xlsx", rubric, info=info)
    for args in (
        ["score", workbook],
        ["import", workbook, "--db", tmp_path / "h.db"],
        ["validate", workbook],
    ):
        result = run(*args, *SEARCH)
        assert result.exit_code == 0, result.output
        assert not any(c in result.output for c in CONTROL), repr(result.output)
    shown = run("score", workbook, *SEARCH).stdout
    assert "文峰␛[2J␛]0;pwned␇街道" in shown
    # JSON keeps the exact name (escaped as JSON does), and is still valid JSON.
    data = json.loads(run("score", workbook, "--json", *SEARCH).stdout)
    assert data["unit"]["name"] == "文峰\x1b[2J\x1b]0;pwned\x07街道"
    ranked = run("rank", "--round", "2024", "--json", "--db", tmp_path / "h.db")
    assert json.loads(ranked.stdout)[0]["unit"]["name"] == data["unit"]["name"]


def test_a_finding_quoting_a_control_character_shows_it_visibly(tmp_path, rubric):
    info = info_rows(rubric, 评估类型="考评\x1b[31m")
    workbook = checklist(tmp_path / "bad.xlsx", rubric, info=info)
    result = run("score", workbook, *SEARCH)
    assert result.exit_code == 1 and "考评␛[31m" in result.stderr, result.output
    assert "\x1b" not in result.output


def test_c1_controls_and_bidi_overrides_are_shown_as_escapes():
    from compliance.cli.app import visible

    assert visible("a\x9b31mb\u202ec\td\n") == "a\\u009b31mb\\u202ec\td\n"
    assert visible("文峰\x00\x1b\x7f") == "文峰␀␛\\u007f"


# --- charts: names are text, never TeX ----------------------------------------------------------


def test_tex_in_names_and_sections_goes_into_the_charts_as_text(tmp_path, rubric):
    info = info_rows(rubric, 单位名称=r"$\foo$ 街道", 所属区=r"$x^$ 区")
    workbook = checklist(tmp_path / "tex.xlsx", rubric, info=info)
    db = tmp_path / "h.db"
    assert run("import", workbook, "--db", db, *SEARCH).exit_code == 0
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n  title: 目标\n  scope: {city: 南通市}\n  milestones:\n    - {by: 2024-12-31, share: 1.0}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    for args in (
        ["report", "--round", "2024", "--all"],
        ["rank", "--round", "2024"],
        ["progress", "--targets", targets],
    ):
        result = run(*args, "--db", db, "-o", out)
        assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.pdf"))) == 3


def test_the_chart_keeps_dollar_signs_as_written():
    from decimal import Decimal

    from compliance.reports.charts import Bar, SectionChart, svg

    chart = SectionChart(
        bars=(Bar(r"$\foo$ 执法", Decimal("0.5"), "low", "50%"), Bar("a$b", Decimal("0.9"), "ok", "90%")),
        minimum=Decimal("0.6"),
        minimum_label="单项最低 60%",
        x_title="得分率",
        y_title="方面",
        legend=(("ok", "达到单项最低"), ("low", "低于单项最低")),
    )
    drawn = svg(chart)
    assert r"$\foo$ 执法" in drawn and "a$b" in drawn


# --- YAML: codes as written -----------------------------------------------------------------------


def test_unquoted_codes_are_read_exactly_as_written(tmp_path):
    units = tmp_path / "units.yaml"
    units.write_text(
        "units:\n"
        + "".join(
            f"  - {{code: {code}, name: 队{n}, type: 街道综合执法队, city: 南通市, district: 崇川区}}\n"
            for n, code in enumerate(["010", "0x1F", "1_000", "320602001", "0o17"])
        ),
        encoding="utf-8",
    )
    # As YAML 1.1 reads them: 8, 31, 1000, 320602001, and 0o17 is text already.
    assert [u.code for u in load_units(units).units] == ["010", "0x1F", "1_000", "320602001", "0o17"]


def test_an_unquoted_section_code_keeps_its_text(tmp_path):
    standard = tmp_path / "s.yaml"
    standard.write_text(
        "standard: {id: s, title: 标题, version: 2018.10, fidelity: official, levels: [方面, 小项]}\n"
        "sections:\n"
        "  - code: 010.1\n"
        "    name: 甲\n"
        "    items: [{code: 1:20, text: 条文}, {code: 1.10, text: 条文二}]\n",
        encoding="utf-8",
    )
    result = run("validate", standard)
    assert result.exit_code == 0, result.output
    loaded = Catalog(standard_dirs=[tmp_path]).standard(str(standard))
    section = loaded.sections[0]
    assert (section.code, [i.code for i in section.items]) == ("010.1", ["1:20", "1.10"])
    assert loaded.standard.version == "2018.10"


# --- a read-only store ----------------------------------------------------------------------------


def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root ignores file permissions")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps=-all"]


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_store_serves_every_reading_command(tmp_path, rubric, read_only):
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "h.db"
    workbook = checklist(tmp_path / "c.xlsx", rubric)
    assert run("import", workbook, "--db", db, *SEARCH).exit_code == 0
    before = db.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    target = db if read_only == "file" else folder
    target.chmod(0o444 if read_only == "file" else 0o555)
    try:
        commands = [
            ["rank", "--round", "2024年度", "--json", "--db", db],
            ["rank", "--round", "2024", "--db", db, "-o", out],
            ["report", "--round", "2024", "--all", "--db", db, "-o", out],
            ["progress", "--targets", DATA / "good_targets.yaml", "--db", db, "-o", out],
        ]
        done = [
            subprocess.run(
                [*unprivileged(), str(COMPLIANCE), *map(str, args)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            for args in commands
        ]
        refused = subprocess.run(
            [
                *unprivileged(),
                str(COMPLIANCE),
                "import",
                str(workbook),
                "--db",
                str(db),
                "--replace",
                *SEARCH,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        target.chmod(0o755 if read_only == "folder" else 0o644)
    for args, result in zip(commands, done, strict=True):
        assert result.returncode == 0, (args, result.stderr)
    assert json.loads(done[0].stdout)[0]["unit"]["code"] == WENFENG.code
    # Importing the same workbook again is skipped without a write; nothing else is allowed.
    assert refused.returncode == 0 and "跳过" in refused.stdout, refused.stdout + refused.stderr
    assert db.read_bytes() == before


def test_an_unreadable_input_is_named_in_chinese(tmp_path, rubric):
    workbook = checklist(tmp_path / "c.xlsx", rubric)
    workbook.chmod(0o000)
    try:
        done = subprocess.run(
            [*unprivileged(), str(COMPLIANCE), "score", str(workbook), *SEARCH],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        workbook.chmod(0o644)
    assert done.returncode in (1, 2) and str(workbook) in done.stderr, done.stderr
    assert "not readable" not in done.stderr and "Permission denied" not in done.stderr.replace(
        "（Permission denied）", ""
    )
    assert "读" in done.stderr


# --- progress dates a round by its end ------------------------------------------------------------


def test_progress_dates_each_round_by_its_last_day(tmp_path):
    rubric = mini_rubric()
    with Store.open(str(tmp_path / "h.db")) as store:
        for label, date in (
            ("2019H2", dt.date(2019, 9, 1)),
            ("2019H1", dt.date(2019, 3, 5)),
            ("旧轮次", dt.date(2020, 2, 1)),
        ):
            put(store, rubric, *make(rubric, round=label, date=date))
        put(store, rubric, *make(rubric, round="2020年第一轮", date=None))  # legacy, undated: left out
        rounds = progress_rounds(store)
    # 2019H1 ends 2019-06-30 and 2019H2 2019-12-31, whatever day they were inspected on; a
    # legacy label keeps its latest inspection date.
    assert [(r.round, r.date) for r in rounds] == [
        ("2019H1", dt.date(2019, 6, 30)),
        ("2019H2", dt.date(2019, 12, 31)),
        ("旧轮次", dt.date(2020, 2, 1)),
    ]
