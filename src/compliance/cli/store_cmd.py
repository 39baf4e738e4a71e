"""`compliance import`: read, validate and store every workbook in one transaction —
each written as soon as it is read, all of it rolled back when any file fails."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
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
    new_file = Store.new_file(db_url(db))
    try:
        with Store.open(db_url(db)) as store:
            batch = _read_and_store(store, reads, len(workbooks), replace, quiet=as_json)
            problems = _problems(store, batch, replace)
    except ComplianceError as exc:  # the database failed meanwhile (full, locked…)
        problems = [f"错误：{exc}", "未导入任何评估。"]
    except BaseException:
        _discard(new_file)
        raise
    if problems:
        _discard(new_file)
        for message in problems:
            err.print(message, markup=False)
        return Exit.FINDINGS
    outcomes = batch.outcomes  # committed: now each line may say it is stored
    if as_json:
        out.print_json(json.dumps([_json(s, o) for s, o in outcomes], ensure_ascii=False))
    else:
        if outcomes:  # one print: rich lays out each call anew
            out.print("\n".join(_line(s, outcome) for s, outcome in outcomes), markup=False)
        counts = {status: sum(1 for _, o in outcomes if o.status is status) for status in ImportStatus}
        out.print(
            f"共 {len(outcomes)} 份评估：新导入 {counts[ImportStatus.STORED]}，"
            f"替换 {counts[ImportStatus.REPLACED]}，跳过 {counts[ImportStatus.SKIPPED]}（{store.where}）",
            markup=False,
        )
    return Exit.OK


def _problems(store: Store, batch: _Batch, replace: bool) -> list[str]:
    """What to say when the batch was rolled back; empty when it was committed."""
    if batch.failed:
        return [f"{batch.failed} 个文件有错误，未导入任何评估。"]
    if not batch.refused:
        return []
    # Every reason, found the way a batch is checked before writing.
    refusals = clashes(batch.scored)
    if not replace:
        refusals += [m for m in store.conflicts([s.prepared for s in batch.scored]) if m]
    return [*(f"错误：{m}" for m in refusals or batch.refused), "未导入任何评估。"]


def _discard(new_file: Path | None) -> None:
    # An import that stored nothing leaves no empty database it created behind.
    if new_file is not None:
        from compliance.store import Store

        Store.discard(new_file)


@dataclass
class _Batch:
    """What one import read and wrote."""

    scored: list[Staged] = field(default_factory=list)
    outcomes: list[tuple[Staged, ImportOutcome]] = field(default_factory=list)
    failed: int = 0  # files with errors
    refused: list[str] = field(default_factory=list)

    @property
    def writing(self) -> bool:
        return not (self.failed or self.refused)


class _Abandon(Exception):
    """Leaves the transaction: everything the batch wrote is rolled back."""


def _read_and_store(store: Store, reads, files: int, replace: bool, *, quiet: bool) -> _Batch:
    """Each file written as soon as it is read — the store's SQL overlaps the workers'
    reading — in one transaction: committed only when every file was read without an
    error and none was refused; otherwise rolled back, every file still read so that all
    of their findings are reported in one pass."""
    batch = _Batch()
    digests: dict[tuple[str, str, str], str] = {}
    try:
        with (
            Progress(console=err, transient=True, disable=quiet or files <= PROGRESS_ABOVE) as progress,
            store.importing(replace=replace) as writer,
        ):
            task = progress.add_task("读取并导入中", total=files)
            for more, findings in reads:
                print_findings(findings)
                batch.failed += bool(errors_of(findings))
                batch.scored += more
                progress.advance(task)
                for s in more if batch.writing else ():
                    if digests.setdefault(s.key, s.content) != s.content:
                        batch.refused.append(f"{s.name}：同一单位、轮次、评估类型有两份内容不同的检查表")
                        break
                    try:
                        batch.outcomes.append((s, writer.add(s.prepared)))
                    except ComplianceError as exc:  # refused before it wrote anything
                        batch.refused.append(str(exc))
                        break
            if not batch.writing:
                raise _Abandon
    except _Abandon:
        pass
    return batch


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
