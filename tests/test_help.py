"""Every command, including ones added later, has Chinese help with an example (示例)."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from compliance.cli import app

CJK = re.compile(r"[\u4e00-\u9fff]")
HELP_OPTION = {"help"}


def _commands(group, path=()):
    """(command path, command) for every command under ``group``, nested groups included."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))
IDS = [" ".join(path) for path, _ in COMMANDS]


def test_the_known_commands_are_registered():
    assert {"validate", "show"} <= {path[0] for path, _ in COMMANDS}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_command_help_is_chinese_with_an_example(path, command):
    text = command.help or ""
    assert CJK.search(command.get_short_help_str(limit=200)), f"{' '.join(path)} 没有中文说明"
    assert any("示例" in line and "compliance" in line for line in text.splitlines()), text


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_option_and_argument_has_chinese_help(path, command):
    missing = [
        param.name
        for param in command.params
        if param.name not in HELP_OPTION and not CJK.search(getattr(param, "help", None) or "")
    ]
    assert missing == []


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_exits_0_and_shows_the_example(path, command):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "示例" in result.stdout
    assert CJK.search(result.stdout)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_root_help(flag):
    result = CliRunner().invoke(app, [flag])
    assert result.exit_code == 0
    assert "城管执法规范化建设评分工具" in result.stdout
    for path, _ in COMMANDS:
        if len(path) == 1:
            assert path[0] in result.stdout
