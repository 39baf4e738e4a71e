"""`compliance recheck`: the 复查 workbook of a unit's latest 考评 (SPEC §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from compliance.cli.app import DbOption, Exit, app, db_url, out, round_label


@app.command()
def recheck(
    round_: Annotated[
        str, typer.Option("--round", help="复查的评估轮次，如 2021H2；复查该轮（或此前最近一轮）的考评。")
    ],
    unit: Annotated[str, typer.Option("--unit", help="被复查的单位编码。")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出的复查表（.xlsx）。", dir_okay=False)],
    db: DbOption = None,
) -> int:
    """生成复查表：只列出最近一次考评中失分的条目，旁边列出考评时的结论、得分和问题描述。

    填好后用 compliance import 导入（评估类型为“复查”）：复查的条目重新计分，其余条目沿用考评结果；
    compliance report --kind 复查 的报告列出复查前后的对比。

    示例：compliance recheck --round 2021H2 --unit 320602001 -o 文峰-复查.xlsx
    """
    from compliance.findings import ComplianceError
    from compliance.rounds import chinese
    from compliance.scoring import Kind
    from compliance.scoring.recheck import recheck_items
    from compliance.store import Store
    from compliance.workbook.recheck import write_recheck

    with Store.open(db_url(db)) as store:
        label = round_label(round_, store.rounds())
        audit = store.recheck_base(unit, label)
        if audit is None:
            raise ComplianceError(
                f"历史库 {store.where} 中没有单位 {unit} 在 {chinese(label)} 或之前的考评记录，无法生成复查表"
            )
        entered = store.assessment(unit, audit.meta.round, Kind.AUDIT)
        rubric = store.rubric(audit.rubric_hash)
    path = write_recheck(output, rubric, audit, round=label, claims=entered.bonus if entered else ())
    codes = "、".join(item.code for item in recheck_items(audit))
    out.print(
        f"已生成复查表：{path}（{audit.meta.unit.name}，依据 {chinese(audit.meta.round)}考评，"
        f"需复查 {len(recheck_items(audit))} 项：{codes}）",
        markup=False,
    )
    return Exit.OK
