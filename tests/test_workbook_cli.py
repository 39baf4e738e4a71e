"""`compliance template` and `compliance score` through the real app: exit codes, Chinese
messages, no traceback ever, and `score --json` equal to the library's ScoreCard."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from test_workbook_support import BULK_HEADERS, DATA_UNITS, GOOD, fill, good_workbook, info_cell

from compliance.scoring import score
from compliance.workbook import read_workbook

DATA = Path(__file__).resolve().parent / "data"
SEARCH = ["--standards", str(DATA), "--rubrics", str(DATA)]
RUBRIC = "mini-2024-street"


def run(*args):
    from typer.testing import CliRunner

    from compliance.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def template(*args, round_: str = "2024H1"):
    return run("template", "--rubric", RUBRIC, "--units", DATA_UNITS, "--round", round_, *SEARCH, *args)


# --- template -----------------------------------------------------------------------------


def test_template_for_one_unit(tmp_path):
    out = tmp_path / "文峰.xlsx"
    result = template("--unit", "320602001", "--kind", "自评", "-o", out, round_="2024h1")
    assert result.exit_code == 0, result.output
    assert f"已生成检查表：{out}" in result.stdout
    info = openpyxl.load_workbook(out)["基本信息"]
    # The sheet shows the round in Chinese; it is stored as 2024H1 (tests/test_rounds_cli.py).
    assert (info_cell(info, "评估类型").value, info_cell(info, "评估轮次").value) == ("自评", "2024年上半年")


def test_template_for_all_units_into_a_folder(tmp_path):
    result = template("--all", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["320602001.xlsx", "320602002.xlsx"]


def test_template_needs_exactly_one_of_unit_and_all(tmp_path):
    for args in ((), ("--unit", "320602001", "--all")):
        result = template(*args, "-o", tmp_path / "x.xlsx")
        assert result.exit_code == 2 and "--unit" in result.stderr


def test_template_for_an_unknown_unit(tmp_path):
    result = template("--unit", "999", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1 and "单位编码“999”不在单位名单" in result.stderr


def test_template_refuses_a_unit_the_rubric_does_not_apply_to(tmp_path):
    units = tmp_path / "units.yaml"
    units.write_text(
        "units:\n  - {code: '1', name: 崇川区大队, type: 区大队, city: 南通市, district: 崇川区}\n",
        encoding="utf-8",
    )
    result = run(
        "template", "--rubric", RUBRIC, "--units", units, *SEARCH, "--round", "2024", "--unit", "1",
        "-o", tmp_path / "x.xlsx",
    )  # fmt: skip
    assert result.exit_code == 1 and "不适用评分细则" in result.stderr
    result = run(
        "template", "--rubric", RUBRIC, "--units", units, *SEARCH, "--round", "2024", "--all",
        "-o", tmp_path / "all",
    )  # fmt: skip
    assert result.exit_code == 1 and "没有适用" in result.stderr


# --- score --------------------------------------------------------------------------------


def test_score_prints_a_chinese_summary(tmp_path):
    result = run("score", good_workbook(tmp_path, _rubric()), *SEARCH)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "文峰街道综合执法队（320602001） · 考评 · 2024年度" in out
    assert "得分 77 / 100（得分率 77.00%），加分 3，最终得分 80" in out
    assert "等级：合格" in out and "不达标：得分率 77.00% 低于达标线 90%" in out
    assert "示例性表述" in out  # the mini standard is illustrative
    assert "整改清单" in out and "1. 1.1.2 执法案卷规范完整 —— 可挽回 6 分" in out


def test_score_json_equals_the_library(tmp_path, mini_catalog):
    path = good_workbook(tmp_path, _rubric())
    result = run("score", path, "--json", "--units", DATA_UNITS, *SEARCH)
    assert result.exit_code == 0, result.output
    ((rubric, assessment),) = read_workbook(path, mini_catalog)[0]
    assert json.loads(result.stdout) == score(rubric, assessment).to_json()


def test_score_allow_incomplete(tmp_path):
    path = fill(good_workbook(tmp_path, _rubric()), {"1.1.1": {"结论": None}})
    assert run("score", path, *SEARCH).exit_code == 1
    result = run("score", path, "--allow-incomplete", "--json", *SEARCH)
    assert result.exit_code == 0 and json.loads(result.stdout)["not_inspected"] == 1


def test_score_bad_workbook_exits_1_with_located_messages(tmp_path):
    path = fill(good_workbook(tmp_path, _rubric()), {"1.1.1": {"结论": "还行"}, "2.1.1": {"实测值": "十五"}})
    result = run("score", path, *SEARCH)
    assert result.exit_code == 1
    # the template's rows: headings above each section, so 1.1.1 is on row 4 and 2.1.1 on 8
    assert f"{path}!检查表!H4: 条目 1.1.1 的结论“还行”无法识别" in result.stderr
    assert f"{path}!检查表!J8: 条目 2.1.1 的实测值得到“十五”" in result.stderr
    assert "共 2 个错误" in result.stderr and result.stdout == ""


def test_score_warnings_alone_do_not_fail(tmp_path):
    path = good_workbook(tmp_path, _rubric())
    fill(path, {"2.1.4": {"得分": 9}})  # typed over the formula
    result = run("score", path, "--json", *SEARCH)
    assert result.exit_code == 0
    assert "警告：条目 2.1.4 的得分填写为 9" in result.stderr
    json.loads(result.stdout)  # stdout stays pure JSON


def test_score_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"\x00\x01garbage")
    result = run("score", path, *SEARCH)
    assert result.exit_code == 1 and "不是 .xlsx 工作簿" in result.stderr


def test_score_a_missing_file_is_a_usage_error(tmp_path):
    result = run("score", tmp_path / "nowhere.xlsx")
    assert result.exit_code == 2 and "不存在" in result.stderr


def test_score_bulk_json_is_a_list(tmp_path):
    from test_workbook_support import build

    rows = [list(BULK_HEADERS)]
    for unit in ("320602001", "320602002"):
        rows += [
            [unit, "考评", "2024年度", code, v.get("结论"), v.get("问题数"), v.get("实测值"), v.get("得分")]
            for code, v in GOOD.items()
        ]
    path = build(tmp_path / "bulk.xlsx", {"评估结果": rows})
    result = run("score", path, "--json", "--units", DATA_UNITS, "--rubric", RUBRIC, *SEARCH)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["unit"]["code"] for d in data] == ["320602001", "320602002"]
    assert [d["final"] for d in data] == [77.0, 77.0]
    result = run("score", path, *SEARCH, "--rubric", RUBRIC)
    assert result.exit_code == 1 and "批量表需要单位名单" in result.stderr


def _rubric():
    from compliance.catalog import Catalog

    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA]).rubric(RUBRIC)
