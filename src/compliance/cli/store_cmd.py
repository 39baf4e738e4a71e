"""`compliance import`: validate every workbook, then store them all in one transaction."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from compliance.cli.app import (
    DbOption,
    Exit,
    JsonOption,
    RubricsOption,
    StandardsOption,
    app,
    catalog,
    db_url,
    err,
    out,
    print_findings,
)
from compliance.findings import ComplianceError, errors_of
from compliance.intake import EarlierFromStore, Staged, clashes, stage_files
from compliance.numbers import fmt

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) loads only when this command runs
    from compliance.store import ImportOutcome, Store

PROGRESS_ABOVE = 5  # files; fewer finish before a bar would be worth drawing


@app.command("import")
def import_(
    workbooks: Annotated[
        list[Path],
        typer.Argument(help="填好的检查表（xlsx），可一次给出多个。", exists=True, dir_okay=False),
    ],
    db: DbOption = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="同一单位、轮次、评估类型已导入另一份检查表时，以新表替换（旧表保留为历史）。"
        ),
    ] = False,
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            help="单位名单；给出时核对单位是否在名单中且信息一致（批量表必需）。",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    rubric: Annotated[
        str | None, typer.Option("--rubric", "-r", help="批量表没有“评分细则”列时使用的评分细则。")
    ] = None,
    allow_incomplete: Annotated[
        bool, typer.Option("--allow-incomplete", help="允许有未检查的条目（按 0 分计）。")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="同时读取、评分检查表的进程数（默认为 CPU 核数）。"),
    ] = None,
    as_json: JsonOption = False,
    standards: StandardsOption = None,
    rubrics: RubricsOption = None,
) -> int:
    """校验、评分并存入历史库。先校验全部文件：任何文件有错误则一个也不导入。

    同一份检查表再次导入会跳过；同一单位、轮次、评估类型的另一份检查表需加 --replace。

    示例：compliance import 检查表/*.xlsx --db compliance.db
    """
    from compliance.store import ImportStatus, Store

    cat = catalog(standards, rubrics)
    scored: list[Staged] = []
    failed = 0
    reads = stage_files(
        workbooks,
        cat,
        jobs=jobs or os.cpu_count() or 1,
        earlier=EarlierFromStore(db_url(db)),
        cards=as_json,
        units=units,
        allow_incomplete=allow_incomplete,
        rubric=rubric,
    )
    for more, findings in reads:
        print_findings(findings)
        failed += bool(errors_of(findings))
        scored += more
    if failed:
        err.print(f"{failed} 个文件有错误，未导入任何评估。", markup=False)
        return Exit.FINDINGS

    with Store.open(db_url(db)) as store:
        refusals = clashes(scored)
        if not replace:
            refusals += [m for m in store.conflicts([s.prepared for s in scored]) if m]
        if refusals:
            for message in refusals:
                err.print(f"错误：{message}", markup=False)
            err.print("未导入任何评估。", markup=False)
            return Exit.FINDINGS
        try:
            outcomes = _store_all(store, scored, replace, quiet=as_json)
        except ComplianceError as exc:  # another import stored one of these meanwhile
            err.print(f"错误：{exc}", markup=False)
            err.print("未导入任何评估。", markup=False)
            return Exit.FINDINGS

    if as_json:
        out.print_json(json.dumps([_json(s, o) for s, o in outcomes], ensure_ascii=False))
    else:
        counts = {status: sum(1 for _, o in outcomes if o.status is status) for status in ImportStatus}
        out.print(
            f"共 {len(outcomes)} 份评估：新导入 {counts[ImportStatus.STORED]}，"
            f"替换 {counts[ImportStatus.REPLACED]}，跳过 {counts[ImportStatus.SKIPPED]}（{store.where}）",
            markup=False,
        )
    return Exit.OK


def _store_all(
    store: Store, scored: list[Staged], replace: bool, *, quiet: bool
) -> list[tuple[Staged, ImportOutcome]]:
    """Every assessment in one transaction: all of them stored, or none (the error is
    raised); one line per assessment once they are committed."""
    outcomes = []
    with (
        Progress(console=out, transient=True, disable=quiet or len(scored) <= PROGRESS_ABOVE) as progress,
        store.importing(replace=replace) as batch,
    ):
        task = progress.add_task("导入中", total=len(scored))
        for s in scored:
            outcomes.append((s, batch.add(s.prepared)))
            progress.advance(task)
    if not quiet:
        for s, outcome in outcomes:
            out.print(_line(s, outcome), markup=False)
    return outcomes


def _line(s: Staged, outcome: ImportOutcome) -> str:
    meta, summary = s.prepared.meta, s.summary
    return (
        f"{outcome.status}：{s.name}  {meta.unit.code} {meta.unit.name}  {meta.round} {meta.kind}  "
        f"得分 {fmt(summary.final, summary.precision)}（{summary.status}，{summary.grade or '—'}）"
    )


def _json(s: Staged, outcome: ImportOutcome) -> dict:
    """The score card of SPEC §6, with what the import did: stored, skipped or replaced."""
    assert s.card is not None  # staged with cards=True
    return {
        "file": s.name,
        "outcome": outcome.status.name.lower(),
        "assessment_id": outcome.assessment_id,
        "replaced_id": outcome.replaced_id,
        **s.card.to_json(),
    }
