"""`compliance validate` and `compliance show`."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from compliance.catalog import KIND_LABELS
from compliance.cli.app import (
    Exit,
    RubricsOption,
    StandardsOption,
    app,
    catalog,
    out,
    print_findings,
)
from compliance.findings import errors_of
from compliance.numbers import fmt
from compliance.rubric import RULE_LABELS, describe_rule
from compliance.standard import FIDELITY_LABELS, ILLUSTRATIVE_NOTICE, Section

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="要校验的文件：标准、评分细则、单位名单、达标目标（YAML）或检查表（xlsx）。",
            exists=True,
            dir_okay=False,
        ),
    ],
    standards: StandardsOption = None,
    rubrics: RubricsOption = None,
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            help="单位名单；给出时检查表中的单位须在其中且一致。",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> int:
    """校验文件，一次列出全部问题（文件、行列或单元格、路径、原因）。

    示例：compliance validate standards/*.yaml rubrics/*.yaml examples/nantong/units.yaml
    """
    yaml_files = [p for p in paths if p.suffix.lower() not in WORKBOOK_SUFFIXES]
    cat = replace(catalog(standards, rubrics), standard_files=tuple(yaml_files))
    failed = 0
    for path in paths:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            from compliance.workbook import read_workbook

            _, findings = read_workbook(path, cat, units=units)
            label = "检查表"
        else:
            kind, findings = cat.validate(path)
            label = KIND_LABELS.get(kind or "", "文件")
        print_findings(findings)
        if errors_of(findings):
            failed += 1
        else:
            out.print(f"✓ {path}（{label}）通过校验", markup=False)
    if failed:
        out.print(f"{failed} 个文件有错误。", markup=False)
        return Exit.FINDINGS
    return Exit.OK


def _count(section: Section) -> list[int]:
    """Number of sections / items below ``section`` per level."""
    if section.items is not None:
        return [len(section.items)]
    counts: list[int] = [len(section.sections or ())]
    for child in section.sections or ():
        for depth, n in enumerate(_count(child), start=1):
            if depth < len(counts):
                counts[depth] += n
            else:
                counts.append(n)
    return counts


@app.command()
def show(
    standard: Annotated[str, typer.Argument(help="标准的 id 或文件路径。")],
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="同时显示该评分细则的分值。")] = None,
    items: Annotated[bool, typer.Option("--items", help="列出每一个条目。")] = False,
    standards: StandardsOption = None,
    rubrics: RubricsOption = None,
) -> int:
    """显示标准的层级结构、各层数量，以及（给出评分细则时）各部分分值。

    示例：compliance show jiangsu-2018 --rubric jiangsu-2018-street
    """
    cat = catalog(standards, rubrics)
    std = cat.standard(standard)
    resolved = cat.rubric(rubric) if rubric else None
    if resolved and resolved.standard.id != std.id:
        from compliance.findings import ComplianceError

        raise ComplianceError(f"评分细则 {resolved.id} 属于标准 {resolved.standard.id}，不是 {std.id}")
    info = std.standard
    out.print(f"{info.title}（{info.id}，{info.version} 版）", markup=False)
    if info.issuer:
        out.print(f"发布机关：{info.issuer}", markup=False)
    out.print(f"条文性质：{FIDELITY_LABELS[info.fidelity]}", markup=False)
    if info.source:
        out.print(f"来源说明：{info.source}", markup=False)
    if std.illustrative:
        out.print(f"【{ILLUSTRATIVE_NOTICE}】", style="bold yellow", markup=False)
    counts = [len(level) for level in std.sections_by_level()] + [sum(1 for _ in std.walk())]
    out.print(
        "层级：" + " · ".join(f"{name} {n}" for name, n in zip(info.levels, counts, strict=False)),
        markup=False,
    )

    points: dict[str, Decimal] = {}
    rules: dict[str, str] = {}
    if resolved:
        r = resolved.info
        out.print(
            f"评分细则：{r.title}（{r.id}）  总分 {fmt(r.total)}  适用：{'、'.join(r.applies_to) or '不限'}  "
            f"版本 {resolved.content_hash[:12]}",
            markup=False,
        )
        for scored in resolved.items:
            rules[scored.code] = f"{fmt(scored.points)} 分 · {RULE_LABELS[scored.rule.name]}" + (
                " · 一票否决" if scored.veto else ""
            )
            rules[scored.code] += (
                f" · {describe_rule(scored.rule, scored.points)}" if scored.rule.name != "check" else ""
            )
            for section in scored.sections:
                points[section.code] = points.get(section.code, Decimal(0)) + scored.points
        if resolved.excluded:
            out.print(
                f"本细则不计分的条目（{len(resolved.excluded)} 项）：{'、'.join(resolved.excluded)}",
                markup=False,
            )
        if resolved.bonus_items:
            bonus = "；".join(f"{b.code} {b.text} +{fmt(b.points)}" for b in resolved.bonus_items)
            out.print(f"加分项（封顶 {fmt(resolved.info.bonus.cap)} 分）：{bonus}", markup=False)
        if resolved.penalty_items:
            penalty = "；".join(f"{p.code} {p.text} 每次 −{fmt(p.per)}" for p in resolved.penalty_items)
            out.print(f"减分项（封顶 {fmt(resolved.info.penalties.cap)} 分）：{penalty}", markup=False)
        if resolved.weights:
            weights = "、".join(f"{code} × {fmt(w, 4)}" for code, w in resolved.weights.items())
            out.print(f"加权综合分：{weights}（各大项得分率加权）", markup=False)
        if resolved.info.pass_ is None:
            out.print("未设达标线：不作达标判定", markup=False)
    out.print("", markup=False)

    def visit(section: Section, depth: int) -> None:
        below = _count(section)
        names = info.levels[depth + 1 :]
        counted = " · ".join(f"{name} {n}" for name, n in zip(names, below, strict=False))
        pts = f"  {fmt(points[section.code])} 分" if section.code in points else ""
        out.print(f"{'  ' * depth}{section.code} {section.name}  [{counted}]{pts}", markup=False)
        for child in section.sections or ():
            visit(child, depth + 1)
        if items:
            for item in section.items or ():
                rule = (
                    f"  （{rules[item.code]}）"
                    if item.code in rules
                    else ("  （不计分）" if resolved else "")
                )
                out.print(f"{'  ' * (depth + 1)}{item.code} {item.text}{rule}", markup=False)

    for top in std.sections:
        visit(top, 0)
    return Exit.OK
