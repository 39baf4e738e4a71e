"""`compliance demo`: the whole flow on the bundled Nantong sample."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from compliance.cli.app import Exit, JsonOption, app, err, out
from compliance.numbers import percent


class _Steps:
    """The demo's long steps: rich progress bars on a terminal, one line per step in a log,
    nothing with ``--json``."""

    def __init__(self, bars: Progress | None, *, quiet: bool = False):
        self.bars, self.quiet, self.task = bars, quiet, None

    def start(self, label: str, total: int) -> None:
        if self.bars is not None:
            self.task = self.bars.add_task(label, total=total)
        elif not self.quiet:
            err.print(f"{label}（{total}）…", markup=False)

    def advance(self, steps: int = 1) -> None:
        if self.bars is not None and self.task is not None:
            self.bars.advance(self.task, steps)


@contextmanager
def _steps(quiet: bool) -> Iterator[_Steps]:
    if quiet or not err.is_terminal:
        yield _Steps(None, quiet=quiet)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as bars:
        yield _Steps(bars)


def _say(text: str = "") -> None:
    out.print(text, markup=False)


@app.command()
def demo(
    folder: Annotated[
        Path,
        typer.Argument(help="输出文件夹；再次运行会先删除上次演示在其中生成的文件。", file_okay=False),
    ] = Path("reports/demo"),
    rounds: Annotated[
        int, typer.Option("--rounds", min=1, max=6, help="模拟的轮次数：从 2019H1 起每半年一轮，1 至 6。")
    ] = 6,
    units: Annotated[
        int | None,
        typer.Option("--units", min=1, help="只模拟名录中的前 N 个街道综合执法队（默认全部 21 个）。"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="随机种子：相同的种子得到相同的历史库内容。")] = 1,
    as_json: JsonOption = False,
) -> int:
    """用内置的南通示例演示完整流程：生成检查表、模拟自评和考评、导入历史库、排名和报告。

    按江苏省标准的街道评分细则（jiangsu-2018-street），模拟南通市 21 个街道综合执法队 2019H1 至 2021H2 共 6 轮的自评和考评：用正式的检查表生成代码生成工作簿、模拟检查人员填写、经正式的导入流程存入历史库（文件夹中的 compliance.db），再生成最新一轮的单位报告、全市排名和达标进度报告。

    示例：compliance demo reports/demo --rounds 2 --units 4
    """
    from compliance.demo import run_demo

    started = time.perf_counter()
    with _steps(as_json) as steps:
        result = run_demo(folder, rounds=rounds, units=units, seed=seed, progress=steps)
    if as_json:
        out.print(json.dumps(result.to_json(), ensure_ascii=False, indent=2), markup=False)
        return Exit.OK

    elapsed = time.perf_counter() - started
    _say(
        f"演示完成：{result.units} 个街道综合执法队 × {len(result.rounds)} 轮，"
        f"随机种子 {result.seed}，用时 {elapsed:.0f} 秒。"
    )
    _say()
    _say(f"检查表：{result.workbooks}（{result.imported} 份，按轮次分文件夹）")
    _say(f"历史库：{result.database}")
    _say(f"报告：  {result.reports}")
    for path in result.report_files:
        if path.suffix.lower() in {".pdf", ".xlsx"}:
            _say(f"        {path.name}")
    _say()
    _say("各轮考评达标情况：")
    for r in result.rounds:
        share = percent(Decimal(r.passed) / Decimal(r.assessed), 0) if r.assessed else "—"
        veto = f"，一票否决 {r.vetoed} 个" if r.vetoed else ""
        _say(
            f"  {r.round}（{r.date or '—'}）考评 {r.assessed} 个，达标 {r.passed} 个（{share}）{veto}；"
            f"自评达标 {r.self_passed} 个，自评虚报 {r.inflated} 项"
        )
    milestones = "；".join(f"{m.by} 前 {percent(m.share, 0)} 达标" for m in result.targets.targets.milestones)
    _say(f"达标目标：{milestones}")
    _say()
    latest = result.rounds[-1].round
    _say("接着可以试试：")
    _say(f"  compliance rank --round {latest} --db {result.database} --json")
    _say(
        f"  compliance report --round {latest} --unit {result.first_unit} --db {result.database} -o {result.reports}"
    )
    return Exit.OK
