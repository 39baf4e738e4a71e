"""The Typer app, its shared options, and the one error handler at the CLI edge."""

from __future__ import annotations

import json as _json
import os
import re
import sys
from collections.abc import Iterable
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from compliance import __version__, files, rounds
from compliance.catalog import Catalog
from compliance.findings import ComplianceError, Finding, FindingsError

try:  # Typer ≥ 0.2x runs on its own copy of Click, whose exceptions are not click's.
    from typer._click import exceptions as _vendored
except ImportError:  # pragma: no cover - an older Typer on the real Click
    _vendored = click.exceptions

_NO_ARGS_IS_HELP = (click.exceptions.NoArgsIsHelpError, _vendored.NoArgsIsHelpError)
_USAGE_ERRORS = (click.UsageError, _vendored.UsageError)
_EXITS = (click.exceptions.Exit, typer.Exit)
_ABORTS = (click.Abort, typer.Abort, KeyboardInterrupt)


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2


# Every character that could steer a terminal, as something a person can read: C0
# controls (but line feed and tab) as their control pictures (ESC → ␛), DEL, C1 controls
# and the bidirectional overrides as \uXXXX, which also keeps printed JSON valid.
_STEERING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _shown(match: re.Match) -> str:
    code = ord(match[0])
    return chr(0x2400 + code) if code < 0x20 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character made visible (``\x1b`` → ``␛``)."""
    return _STEERING.sub(_shown, text)


class _Console(Console):
    """A console that never passes a control character of its text to the terminal: unit
    names, rounds and file names come from files other people wrote."""

    def print(self, *objects, **kwargs) -> None:
        super().print(*(visible(o) if isinstance(o, str) else o for o in objects), **kwargs)

    def print_json(self, json: str | None = None, *, data: object = None, indent: int = 2, **_) -> None:
        value = _json.loads(json) if json is not None else data
        self.print(_json.dumps(value, ensure_ascii=False, indent=indent), markup=False, highlight=False)


out = _Console(highlight=False, soft_wrap=True)
err = _Console(stderr=True, highlight=False, soft_wrap=True)

_USAGE_PATTERNS = [
    (re.compile(r"No such option: (\S+)"), r"没有这个选项：\1"),
    (re.compile(r"No such command '(.+?)'\.?"), r"没有这个子命令：\1"),
    (re.compile(r"\s*Did you mean (.+?)\?"), r"（是否要用 \1？）"),
    (re.compile(r"Missing option '(.+?)'.*"), r"缺少必需的选项 \1"),
    (re.compile(r"Missing argument '(.+?)'.*"), r"缺少必需的参数 \1"),
    (re.compile(r"Option '(.+?)' requires an argument\."), r"选项 \1 需要一个值"),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)"), r"多余的参数：\1"),
    (re.compile(r"Invalid value for '(.+?)': (.+)"), r"\1 的值无效：\2"),
    (re.compile(r"(?:path|file) '(.+?)' does not exist\.", re.I), r"文件“\1”不存在"),
    (re.compile(r"(?:dir|directory) '(.+?)' does not exist\.", re.I), r"文件夹“\1”不存在"),
    (re.compile(r"file '(.+?)' is a directory\.", re.I), r"“\1”是文件夹，应为文件"),
    (re.compile(r"(?:dir|directory) '(.+?)' is a file\.", re.I), r"“\1”是文件，应为文件夹"),
    (re.compile(r"'(.+?)' is not one of (.+)\."), r"“\1”不是允许的值，应为：\2"),
    (re.compile(r"'(.+?)' is not a valid integer( range)?\."), r"“\1”不是有效的整数"),
    (re.compile(r"Missing command\."), r"缺少子命令"),
    (re.compile(r"(?:file|path) '(.+?)' is not readable\.", re.I), r"文件“\1”无法读取（没有读权限）"),
    (re.compile(r"(?:file|path) '(.+?)' is not writable\.", re.I), r"文件“\1”无法写入（没有写权限）"),
    (
        re.compile(r"(?:dir|directory) '(.+?)' is not (?:readable|writable)\.", re.I),
        r"文件夹“\1”没有读写权限",
    ),
    (re.compile(r"'(.+?)' is not a valid float\."), r"“\1”不是有效的数字"),
    (re.compile(r"(\S+) is not in the range (.+?)\."), r"\1 超出允许的范围 \2"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"应为不小于 \1 的数"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"应为不大于 \1 的数"),
    (re.compile(r"Input should be greater than (\S+)"), r"应为大于 \1 的数"),
    (re.compile(r"Input should be less than (\S+)"), r"应为小于 \1 的数"),
    (re.compile(r"Input should be a valid integer.*"), r"应为整数"),
    (re.compile(r"Input should be a valid (?:number|decimal).*"), r"应为数字"),
    (re.compile(r"Input should be a valid boolean.*"), r"应为 true 或 false"),
    (re.compile(r"Input should be (.+)"), r"应为 \1"),
    (re.compile(r"String should have at most (\d+) characters?"), r"至多 \1 个字符"),
    (re.compile(r"String should have at least (\d+) characters?"), r"至少 \1 个字符"),
]


def _usage_message(exc: click.UsageError | _vendored.UsageError) -> str:
    message = exc.format_message()
    for pattern, replacement in _USAGE_PATTERNS:
        message = pattern.sub(replacement, message)
    command = exc.ctx.command_path if exc.ctx else "compliance"
    return f"用法错误：{message}\n运行 `{command} --help` 查看用法。"


def print_findings(findings: tuple[Finding, ...] | list[Finding]) -> None:
    errors = [f for f in findings if f.is_error]
    for finding in findings:
        err.print(str(finding), style=None if finding.is_error else "yellow", markup=False)
    if errors:
        err.print(f"共 {len(errors)} 个错误。", markup=False)


class _Group(TyperGroup):
    """Runs a command and turns every failure into a Chinese message and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # the order they are defined in, which follows the workflow

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args, prog_name or "compliance", complete_var, standalone_mode=False, **extra)
        except _EXITS as exc:
            sys.exit(exc.exit_code)
        except _NO_ARGS_IS_HELP as exc:  # bare `compliance`: the help, as a usage error
            err.print(exc.format_message(), markup=False)
            sys.exit(Exit.USAGE)
        except _USAGE_ERRORS as exc:
            err.print(_usage_message(exc), markup=False)
            sys.exit(Exit.USAGE)
        except _ABORTS:
            err.print("已中止。", markup=False)
            sys.exit(130)
        except FindingsError as exc:
            print_findings(exc.findings)
            sys.exit(Exit.FINDINGS)
        except ComplianceError as exc:
            err.print(f"错误：{exc}", markup=False)
            sys.exit(Exit.FINDINGS)
        except OSError as exc:
            where = f"：{exc.filename}" if exc.filename else ""
            err.print(f"无法读写文件{where}（{files.reason(exc)}）", markup=False)
            sys.exit(Exit.FINDINGS)
        except Exception as exc:  # the last line of defence: never a traceback for a user
            err.print(f"内部错误（请把这条信息报告给维护者）：{type(exc).__name__}: {exc}", markup=False)
            sys.exit(Exit.FINDINGS)
        sys.exit(rv if isinstance(rv, int) else Exit.OK)


app = typer.Typer(
    cls=_Group,
    name="compliance",
    help="城管执法规范化建设评分工具：标准与评分细则校验、检查表生成、评分、历史存储和中文报告。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        out.print(f"compliance {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出。")
    ] = False,
) -> None:
    """城管执法规范化建设评分工具。"""


StandardsOption = Annotated[
    list[Path] | None,
    typer.Option("--standards", help="额外查找标准文件的文件夹（可重复）。", exists=True, file_okay=False),
]
RubricsOption = Annotated[
    list[Path] | None,
    typer.Option("--rubrics", help="额外查找评分细则文件的文件夹（可重复）。", exists=True, file_okay=False),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="历史库：SQLAlchemy 地址或 SQLite 文件路径；默认取 $COMPLIANCE_DB，否则 ./compliance.db。",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")]


def catalog(standards: list[Path] | None, rubrics: list[Path] | None) -> Catalog:
    return Catalog(standard_dirs=tuple(standards or ()), rubric_dirs=tuple(rubrics or ()))


ROUND_HELP = "评估轮次：2021（年度）、2021H1 / 2021H2（上 / 下半年）、2021Q1–2021Q4（季度）或 2021-03（月度），也可写 2021年下半年、2021年第三季度、2021年3月。"


def round_label(text: str, known: Iterable[str] = ()) -> str:
    """The stored label of a ``--round`` (see :func:`compliance.rounds.resolve`); a bad one
    is a usage error naming the accepted forms."""
    try:
        return rounds.resolve(text, known)
    except rounds.RoundError as exc:
        raise click.BadParameter(str(exc), param_hint="'--round'") from None


def round_option(value: str) -> str:
    """Typer callback: a ``--round`` checked while the command line is parsed."""
    return round_label(value)


def db_url(db: str | None) -> str:
    return db or os.environ.get("COMPLIANCE_DB") or "compliance.db"
