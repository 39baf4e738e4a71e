"""`compliance template` and `compliance score`: the checklist workbook out and back in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import click
import typer

from compliance import rounds
from compliance.cli.app import (
    ROUND_HELP,
    Exit,
    JsonOption,
    RubricsOption,
    StandardsOption,
    app,
    catalog,
    err,
    out,
    print_findings,
    round_option,
)
from compliance.findings import ComplianceError, errors_of
from compliance.numbers import fmt, percent
from compliance.scoring import Kind, ScoreCard
from compliance.standard import ILLUSTRATIVE_NOTICE
from compliance.workbook import applies, load_units_file, read_scored, write_template, write_templates

RECTIFICATION_SHOWN = 10


@app.command()
def template(
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分细则的 id 或文件路径。")],
    units: Annotated[
        Path,
        typer.Option(
            "--units", help="单位名单（units.yaml，或含“单位”表的工作簿）。", exists=True, dir_okay=False
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="输出：--unit 时为 .xlsx 文件，--all 时为文件夹。")
    ],
    round_: Annotated[str, typer.Option("--round", help=ROUND_HELP, callback=round_option)],
    unit: Annotated[str | None, typer.Option("--unit", help="为这个单位编码生成一份检查表。")] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="为名单中适用该细则的每个单位各生成一份（文件名为单位编码）。")
    ] = False,
    kind: Annotated[Kind, typer.Option("--kind", help="评估类型。")] = Kind.AUDIT,
    standards: StandardsOption = None,
    rubrics: RubricsOption = None,
) -> int:
    """生成检查表工作簿（基本信息、检查表、加分项），供考评人员现场填写。

    示例：compliance template --rubric jiangsu-2018-street --units units.yaml --unit 320602001 --round 2021H2 -o 文峰.xlsx
    """
    if (unit is None) == (not all_units):
        raise click.UsageError("请指定 --unit 单位编码 或 --all 二者之一")
    resolved = catalog(standards, rubrics).rubric(rubric)
    listed = load_units_file(units)
    options = {"kind": kind, "round": round_}
    if unit is not None:
        found = listed.get(unit)
        if found is None:
            raise ComplianceError(f"单位编码“{unit}”不在单位名单 {units} 中")
        if not applies(resolved, found):
            raise ComplianceError(
                f"{found.name}（{found.type}）不适用评分细则 {resolved.id}："
                f"该细则适用于 {'、'.join(resolved.info.applies_to)}"
            )
        paths = [write_template(output, resolved, found, **options)]
    else:
        chosen = [u for u in listed.units if applies(resolved, u)]
        skipped = [u for u in listed.units if not applies(resolved, u)]
        if skipped:
            names = "、".join(f"{u.code} {u.name}（{u.type}）" for u in skipped)
            err.print(f"警告：以下单位的类型不适用评分细则 {resolved.id}，未生成：{names}", markup=False)
        if not chosen:
            raise ComplianceError(f"名单中没有适用评分细则 {resolved.id} 的单位")
        paths = write_templates(output, resolved, chosen, **options)
    for path in paths:
        out.print(f"已生成检查表：{path}", markup=False)
    return Exit.OK


@app.command()
def score(
    workbook: Annotated[
        Path, typer.Argument(help="填好的检查表或批量表（.xlsx）。", exists=True, dir_okay=False)
    ],
    as_json: JsonOption = False,
    allow_incomplete: Annotated[
        bool, typer.Option("--allow-incomplete", help="允许有未检查的条目（按 0 分计，并在结果中注明）。")
    ] = False,
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            help="单位名单（units.yaml，或含“单位”表的工作簿）；给出时核对单位在名单中且信息一致（批量表必需）。",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            "-r",
            help="批量表没有“评分细则”列时使用的评分细则（不给则用适用于该单位类型的唯一细则）。",
        ),
    ] = None,
    standards: StandardsOption = None,
    rubrics: RubricsOption = None,
) -> int:
    """计算检查表的得分（不入库）：得分、得分率、等级、是否达标、计算过程和整改清单。

    示例：compliance score 文峰.xlsx --units units.yaml --json
    """
    scored, findings = read_scored(
        workbook, catalog(standards, rubrics), units=units, allow_incomplete=allow_incomplete, rubric=rubric
    )
    print_findings(findings)
    if errors_of(findings):
        return Exit.FINDINGS
    cards = [s.card for s in scored]  # scored once, while reading
    if as_json:
        data = cards[0].to_json() if len(cards) == 1 else [c.to_json() for c in cards]
        out.print(json.dumps(data, ensure_ascii=False, indent=2), markup=False)
        return Exit.OK
    for i, s in enumerate(scored):
        if i:
            out.print("", markup=False)
        _summary(s.card, illustrative=s.rubric.standard.illustrative)
    return Exit.OK


def _summary(card: ScoreCard, *, illustrative: bool) -> None:
    m, p = card.meta, card.precision
    say = lambda text="": out.print(text, markup=False)  # noqa: E731
    say(f"{m.unit.name}（{m.unit.code}） · {m.kind} · {rounds.chinese(m.round)} · 评分细则 {card.rubric_id}")
    if illustrative:
        say(f"【{ILLUSTRATIVE_NOTICE}】")
    say(
        f"得分 {fmt(card.score, p)} / {fmt(card.total)}（得分率 {percent(card.rate)}），"
        f"加分 {fmt(card.bonus.counted, p)}"
        + (f"，减分 {fmt(card.penalty.counted, p)}" if card.penalty.counted else "")
        + f"，最终得分 {fmt(card.final, p)}"
    )
    if card.passed is None:
        verdict = "未设达标线"
    else:
        verdict = "达标" if card.passed else "不达标：" + "；".join(card.failures)
    say(f"等级：{card.grade or '—'}    {verdict}")
    if card.not_inspected:
        say(f"注意：有 {card.not_inspected} 项未检查，按 0 分计入")
    say()
    say("计算过程：")
    for line in card.explanation:
        say(f"  {line}")
    todo = card.rectification[:RECTIFICATION_SHOWN]
    if todo:
        say()
        say(f"整改清单（按可挽回分值排序，共 {len(card.rectification)} 项，列出前 {len(todo)} 项）：")
        for n, item in enumerate(todo, start=1):
            say(f"  {n}. {item.code} {item.text} —— 可挽回 {fmt(item.lost, p)} 分（{item.deduction}）")
