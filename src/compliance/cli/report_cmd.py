"""`compliance report`, `compliance rank` and `compliance progress`: Chinese reports from the store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import click
import typer

from compliance.cli.app import (
    ROUND_HELP,
    DbOption,
    Exit,
    JsonOption,
    app,
    db_url,
    out,
    round_label,
)
from compliance.scoring import Kind

RoundOption = Annotated[str, typer.Option("--round", help=ROUND_HELP)]
KindOption = Annotated[Kind, typer.Option("--kind", help="评估类型：自评、考评或复查。")]
OutOption = Annotated[
    Path, typer.Option("--output", "-o", help="输出文件夹（不存在时自动创建）。", file_okay=False)
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="即使内容未变也重新生成（默认跳过未变化的报告）。")
]
AssessorOption = Annotated[
    str | None,
    typer.Option(
        "--assessor",
        help="考评单位（出具报告的机关，如 南通市城市管理局），印在封面和落款处；不给时留空待手写。",
    ),
]
IssuedOption = Annotated[
    str | None, typer.Option("--date", help="成文日期，如 2022-01-10；默认今天。", metavar="YYYY-MM-DD")
]
PROGRESS_ABOVE = 3  # reports; fewer finish before a bar would be worth drawing


def _issue(assessor: str | None, date: str | None):
    from compliance.reports import Issue

    if date is None:
        return Issue(assessor or None)
    try:
        return Issue(assessor or None, dt.date.fromisoformat(date.strip()))
    except ValueError:
        raise click.BadParameter(
            f"“{date}”不是日期，应为 YYYY-MM-DD，如 2022-01-10", param_hint="--date"
        ) from None


@app.command()
def report(
    round_: RoundOption,
    output: OutOption,
    unit: Annotated[str | None, typer.Option("--unit", help="只为这个单位编码生成报告。")] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="为该轮次的每个单位各生成一份报告（多核并行）。")
    ] = False,
    kind: KindOption = Kind.AUDIT,
    db: DbOption = None,
    force: ForceOption = False,
    assessor: AssessorOption = None,
    date: IssuedOption = None,
) -> int:
    """生成单位评估报告（PDF）：得分、等级、是否达标、排名、各方面得分图、整改清单、自评对比、历次趋势和逐项明细。

    示例：compliance report --round 2021H2 --all -o reports/2021H2
    """
    if (unit is None) == (not all_units):
        raise click.UsageError("请指定 --unit 单位编码 或 --all 二者之一")
    issue = _issue(assessor, date)
    from rich.progress import Progress

    from compliance.reports.assemble import render_unit_reports, unit_jobs
    from compliance.store import Store

    with Store.open(db_url(db)) as store:
        jobs = unit_jobs(
            store,
            round_label(round_, store.rounds()),
            kind,
            units=None if all_units else [unit],
            issue=issue,
        )
        with Progress(console=out, transient=True, disable=len(jobs) <= PROGRESS_ABOVE) as bar:
            task = bar.add_task("生成报告", total=len(jobs))

            def done(path: Path, rendered: bool) -> None:
                bar.console.print(f"{'已生成' if rendered else '未变化'}：{path}", markup=False)
                bar.advance(task)

            results = render_unit_reports(store, jobs, output, force=force, on_done=done)
    skipped = sum(1 for _, rendered in results if not rendered)
    out.print(f"共 {len(results)} 份报告，其中 {skipped} 份内容未变化，已跳过。", markup=False)
    return Exit.OK


@app.command("rank")
def rank_cmd(
    round_: RoundOption,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="输出文件夹：排名 PDF 和 XLSX（只要 --json 时可省略）。", file_okay=False
        ),
    ] = None,
    kind: KindOption = Kind.AUDIT,
    as_json: JsonOption = False,
    db: DbOption = None,
    assessor: AssessorOption = None,
    date: IssuedOption = None,
) -> int:
    """全市排名：排名、得分、加分、最终得分、等级、是否达标、与上一轮相比的变化，以及分区汇总（PDF 和 XLSX）。

    示例：compliance rank --round 2021H2 -o reports/2021H2
    """
    if output is None and not as_json:
        raise click.UsageError("请用 -o 指定输出文件夹，或用 --json 只输出排名")
    issue = _issue(assessor, date)
    from compliance.reports import render_ranking
    from compliance.reports.assemble import ranking_inputs, stored_rubrics
    from compliance.scoring import rank_json
    from compliance.store import Store

    with Store.open(db_url(db)) as store:
        inputs = ranking_inputs(
            store, round_label(round_, store.rounds()), kind, stored_rubrics(store), issue=issue
        )
    paths = render_ranking(**inputs, out_dir=output) if output is not None else ()
    if as_json:
        out.print(json.dumps(rank_json(inputs["ranked"]), ensure_ascii=False, indent=2), markup=False)
    else:
        for path in paths:
            out.print(f"已生成：{path}", markup=False)
    return Exit.OK


@app.command()
def progress(
    targets: Annotated[
        Path, typer.Option("--targets", help="达标目标文件（targets.yaml）。", exists=True, dir_okay=False)
    ],
    output: OutOption,
    db: DbOption = None,
    assessor: Annotated[
        str | None,
        typer.Option("--assessor", help="考评单位；不给时用达标目标文件中的 assessor，都没有时留空待手写。"),
    ] = None,
    date: IssuedOption = None,
) -> int:
    """达标进度报告（PDF）：各轮达标率（全市和各区）对照目标节点、各节点完成情况、尚未达标的单位及差距。

    示例：compliance progress --targets examples/nantong/targets.yaml -o reports/
    """
    from compliance.catalog import load_targets
    from compliance.reports import render_progress
    from compliance.reports.assemble import progress_rounds, stored_rubrics
    from compliance.store import Store

    issue = _issue(assessor, date)
    goal = load_targets(targets)
    with Store.open(db_url(db)) as store:
        path = render_progress(
            goal,
            progress_rounds(store),
            stored_rubrics(store),
            out_dir=output,
            roster=store.units(),
            issue=issue,
        )
    out.print(f"已生成：{path}", markup=False)
    return Exit.OK
