"""`compliance validate` and `compliance show` through the real app, exit codes and all."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from compliance.cli import app

DATA = Path(__file__).resolve().parent / "data"
BAD_FILES = sorted((DATA / "bad").glob("*.yaml"))
GOOD_FILES = sorted(DATA.glob("good_*.yaml"))
SEARCH = ["--standards", str(DATA), "--rubrics", str(DATA)]


def run(*args: str | Path):
    """Invoke the app; the group's own handler turns every outcome into SystemExit."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def first_expectation(path: Path) -> dict:
    for raw in path.read_bytes().splitlines():
        line = raw.decode("utf-8", errors="replace")
        if line.startswith("# expect:"):
            return yaml.safe_load(line.removeprefix("# expect:"))
    raise AssertionError(f"{path.name} has no # expect: line")


# --- validate -----------------------------------------------------------------------------


def test_validate_good_files_exits_0():
    result = run("validate", *GOOD_FILES, *SEARCH)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("通过校验") == len(GOOD_FILES)
    assert "（标准）" in result.stdout and "（评分细则）" in result.stdout
    assert "（单位名单）" in result.stdout and "（达标目标）" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("path", BAD_FILES, ids=[f.stem for f in BAD_FILES])
def test_validate_bad_file_exits_1_with_located_message(path):
    want = first_expectation(path)
    result = run("validate", path, "--standards", DATA)
    assert result.exit_code == 1
    where = f"{path}:{want['line']}:{want.get('column', 1)}" if want["line"] else str(path)
    if want["path"]:
        where += f" {want['path']}"
    assert f"{where}: " in result.stderr
    assert want["message"] in result.stderr
    assert "个错误" in result.stderr
    assert "1 个文件有错误" in result.stdout


def test_validate_reports_every_file_and_every_error():
    paths = [
        DATA / "good_units.yaml",
        DATA / "bad" / "std_three_errors.yaml",
        DATA / "bad" / "rub_three_errors.yaml",
    ]
    result = run("validate", *paths, "--standards", DATA)
    assert result.exit_code == 1
    assert result.stderr.count("共 3 个错误。") == 2
    assert "good_units.yaml（单位名单）通过校验" in result.stdout
    assert "2 个文件有错误" in result.stdout


def test_validate_oversized_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"units:\n" + b"#" * (5 * 1024 * 1024 + 1))
    result = run("validate", path)
    assert result.exit_code == 1
    assert f"{path}: 文件过大" in result.stderr


def test_validate_unknown_kind_of_file(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("foo: 1\n", encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 1
    assert f"{path}:1:1: 无法识别文件类型" in result.stderr


# --- usage errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["validate", "--bogus", "x.yaml"], "没有这个选项：--bogus"),
        (["validate"], "缺少必需的参数"),
        (["validate", "no/such/file.yaml"], "文件“no/such/file.yaml”不存在"),
        (["validate", str(DATA)], "是文件夹，应为文件"),
        (
            ["validate", str(DATA / "good_units.yaml"), "--standards", "no/such/dir"],
            "文件夹“no/such/dir”不存在",
        ),
        (["show"], "缺少必需的参数"),
        (["show", "mini-2024", "--rubric"], "选项 --rubric 需要一个值"),
        (["show", "a", "b"], "多余的参数：b"),
        (["valdate"], "没有这个子命令：valdate"),
    ],
)
def test_usage_errors_exit_2_in_chinese(args, fragment):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "用法错误：" in result.stderr
    assert fragment in result.stderr
    assert "--help" in result.stderr


def test_bare_command_shows_help_and_exits_2():
    result = run()
    assert result.exit_code == 2
    assert "城管执法规范化建设评分工具" in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("compliance ")


# --- show ---------------------------------------------------------------------------------


def test_show_tree_and_counts_per_level():
    result = run("show", "spec-example", *SEARCH)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "江苏省城市管理执法规范化建设标准（试行）（spec-example，2018 版）" in out
    assert "层级：方面 5 · 子项 6 · 小项 7" in out
    assert "1 执法部门  [子项 1 · 小项 2]" in out
    assert "  5.1 装备配备  [小项 1]" in out
    assert "1.1.1" not in out  # items only with --items


def test_show_items():
    result = run("show", "spec-example", "--items", *SEARCH)
    assert "    1.1.1 条文内容" in result.stdout
    assert "    6.1.1 未发生严重违法违纪案件并造成恶劣影响" in result.stdout


def test_show_points_per_section_with_rubric():
    result = run("show", "spec-example", "--rubric", "spec-example-street", "--items", *SEARCH)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "总分 33" in out
    assert "1 执法部门  [子项 1 · 小项 2]  11 分" in out
    assert "3 执法行为  [子项 1 · 小项 1]  10 分" in out
    assert "5 执法保障  [子项 2 · 小项 2]  12 分" in out
    assert "  5.2 经费保障  [小项 1]  8 分" in out
    assert "2.3.4 设置询问室  （不计分）" in out
    assert "一票否决" in out
    assert "本细则不计分的条目（1 项）：2.3.4" in out
    assert "加分项（封顶 30 分）" in out


def test_show_by_path():
    result = run(
        "show", DATA / "good_spec_standard.yaml", "-r", DATA / "good_spec_rubric.yaml", "--standards", DATA
    )
    assert result.exit_code == 0, result.output
    assert "11 分" in result.stdout


def test_show_says_when_the_standard_is_illustrative(tmp_path):
    notice = "本标准的条文为示例性表述，并非官方原文"
    assert notice in run("show", "spec-example", *SEARCH).stdout
    official = tmp_path / "official.yaml"
    text = (DATA / "good_spec_standard.yaml").read_text(encoding="utf-8")
    official.write_text(text.replace("fidelity: illustrative", "fidelity: official"), encoding="utf-8")
    result = run("show", official)
    assert result.exit_code == 0
    assert "条文性质：官方原文" in result.stdout
    assert notice not in result.stdout


def test_show_bundled_standard(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("show", "jiangsu-2018", "--rubric", "jiangsu-2018-street")
    assert result.exit_code == 0, result.output
    assert "层级：方面 6 · 子项 68 · 小项 175" in result.stdout


def test_show_unknown_standard_exits_1_listing_folders():
    result = run("show", "no-such-standard", *SEARCH)
    assert result.exit_code == 1
    assert "错误：找不到 id 为“no-such-standard”的标准；已查找：" in result.stderr
    assert str(DATA) in result.stderr


def test_show_rubric_of_another_standard_exits_1():
    result = run("show", "mini-2024", "--rubric", "spec-example-street", *SEARCH)
    assert result.exit_code == 1
    assert "评分细则 spec-example-street 属于标准 spec-example，不是 mini-2024" in result.stderr


# --- no traceback, whatever the input -----------------------------------------------------


@pytest.mark.parametrize("path", BAD_FILES, ids=[f.stem for f in BAD_FILES])
def test_no_traceback_for_any_bad_input(path):
    attempts = [
        ("validate", path, "--standards", DATA),
        ("show", path),
        ("show", "spec-example", "--rubric", path, *SEARCH),
    ]
    for args in attempts:
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "内部错误" not in result.output, (args, result.output)
        assert result.stderr.strip(), args


def test_validate_binds_a_rubric_to_the_standard_on_the_same_command_line(tmp_path, monkeypatch):
    # No --standards: the rubric's standard is found among the files being validated.
    for name in ("good_standard.yaml", "good_rubric.yaml"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    alone = run("validate", "good_rubric.yaml")
    assert alone.exit_code == 1
    assert "未知的标准" in alone.output
    together = run("validate", "good_standard.yaml", "good_rubric.yaml")
    assert together.exit_code == 0, together.output
    assert "good_rubric.yaml（评分细则）通过校验" in together.output
