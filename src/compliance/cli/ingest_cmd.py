"""`compliance ingest`: turn a bureau's scoring table into a standard and a rubric."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from compliance.cli.app import Exit, app, out, print_findings
from compliance.ingest import KIND_LABELS, ingest


@app.command(name="ingest")
def ingest_command(
    table: Annotated[
        Path,
        typer.Argument(help="评分表文件：.xlsx、.xls、.csv 或 .docx。", exists=True, dir_okay=False),
    ],
    standard_id: Annotated[str, typer.Option("--id", help="新标准的 id（小写字母、数字、连字符）。")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "-o",
            "--out",
            help="输出文件夹：写入其下的 standards/ID.yaml 和 rubrics/ID-rubric.yaml。",
            file_okay=False,
        ),
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的同名标准和评分细则文件。")] = False,
) -> int:
    """把单位现有的评分表（Excel/Word）转换为标准和评分细则 YAML。

    合并单元格读作层级，分值列读作分值，评分标准的文字解析为评分规则并保留原文；
    无法识别的文字设为人工评分并列出所在单元格。有需要人工处理的问题时退出码为 1。

    示例：compliance ingest 评分表.xlsx --id jinhua-2019 -o .
    """
    report = ingest(table, standard_id, out_dir, overwrite=force)
    print_findings(report.findings)
    kinds = "、".join(
        f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(report.kinds.items(), key=lambda kv: -kv[1])
    )
    out.print(f"✓ 已写入 {report.standard_path} 和 {report.rubric_path}", markup=False)
    out.print(f"条目 {report.items} 个，总分 {report.total}；评分方式：{kinds}", markup=False)
    if report.manual:
        out.print(
            f"需人工评分的条目 {len(report.manual)} 个（见上方说明和 YAML 中的“请核对”）。", markup=False
        )
    return Exit.FINDINGS if report.needs_person else Exit.OK
