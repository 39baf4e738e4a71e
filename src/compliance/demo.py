"""``compliance demo``: the whole programme on the bundled Nantong sample, end to end.

Six half-year rounds of 自评 and 考评 for the 21 street squads of 南通市, each one a real
checklist workbook made by the template writer, filled the way an inspector would fill it
(openpyxl writes the input cells; :mod:`compliance.simulate` decides what to write),
imported through the real import path (``read_scored`` →
``Store.import_assessment``) into a SQLite store, and the latest round rendered: a PDF per
squad, the city ranking, and progress against the dated targets.

The demo owns what it writes in its folder and lists it in ``.compliance-demo.json``; a
new run deletes exactly those files and starts fresh.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import load_workbook
from openpyxl.writer.excel import ExcelWriter

from compliance.catalog import Catalog, bundled_dir, load_targets, load_units
from compliance.findings import ComplianceError, errors_of
from compliance.rubric import ResolvedRubric
from compliance.scoring import Assessment, Kind, ScoreCard, compare
from compliance.simulate import Filling, Programme, Round, half_year_rounds
from compliance.store import Store
from compliance.targets import Targets
from compliance.units import Unit, UnitsFile
from compliance.workbook import applies, layout, read_scored, write_template

RUBRIC = "jiangsu-2018-street"
FIRST_YEAR = 2019
MAX_ROUNDS = 6
DEFAULT_SEED = 1
MANIFEST = ".compliance-demo.json"
WORKBOOKS, REPORTS, DATABASE = "workbooks", "reports", "compliance.db"
_DB_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sample_dir() -> Path:
    """The Nantong sample (units and targets), wherever the package is installed."""
    return bundled_dir("examples") / "nantong"


class Progress(Protocol):
    """How the demo reports a long step; the CLI draws it as a progress bar."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _Silent:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass(frozen=True, slots=True)
class RoundSummary:
    round: str
    date: dt.date | None
    assessed: int  # squads audited (考评)
    passed: int  # 达标 in the audit
    self_passed: int  # 达标 by their own 自评
    vetoed: int  # audits with a 一票否决
    inflated: int  # items self-rated 符合 but audited 不符合 (虚报)


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    workbooks: Path
    database: Path
    reports: Path
    report_files: tuple[Path, ...]
    rounds: tuple[RoundSummary, ...]
    units: int
    first_unit: str  # a squad code to try the other commands with
    seed: int
    targets: Targets
    imported: int

    def to_json(self) -> dict:
        return {
            "folder": str(self.folder),
            "workbooks": str(self.workbooks),
            "database": str(self.database),
            "reports": str(self.reports),
            "report_files": [str(p) for p in self.report_files],
            "units": self.units,
            "seed": self.seed,
            "imported": self.imported,
            "rounds": [
                {
                    "round": r.round,
                    "date": r.date.isoformat() if r.date else None,
                    "assessed": r.assessed,
                    "passed": r.passed,
                    "self_passed": r.self_passed,
                    "vetoed": r.vetoed,
                    "inflated": r.inflated,
                }
                for r in self.rounds
            ],
        }


# --- the folder the demo owns -------------------------------------------------------------


def _owned(folder: Path) -> list[Path]:
    """Files a previous demo run recorded in ``folder``'s manifest (inside the folder only)."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
        names = [str(n) for n in data["files"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ComplianceError(
            f"演示文件夹 {folder} 中的清单 {MANIFEST} 已损坏（{exc}），请换一个文件夹"
        ) from None
    base = folder.resolve()
    paths = [(base / n).resolve() for n in names]
    return [p for p in paths if p.is_relative_to(base) and p != base]


def _record(folder: Path, files: Sequence[Path]) -> None:
    base = folder.resolve()
    names = sorted({str(p.resolve().relative_to(base)) for p in files})
    partial = folder / f"{MANIFEST}.partial"
    partial.write_text(json.dumps({"files": names}, ensure_ascii=False, indent=1), "utf-8")
    os.replace(partial, folder / MANIFEST)


def prepare(folder: Path) -> None:
    """Remove what the previous demo run wrote in ``folder``, and nothing else.

    Refuses a folder holding a store the demo did not create (it may be someone's data).
    """
    folder.mkdir(parents=True, exist_ok=True)
    owned = _owned(folder)
    db = (folder / DATABASE).resolve()
    if db.exists() and db not in owned:
        raise ComplianceError(
            f"文件夹 {folder} 中已有 {DATABASE}，但它不是演示程序创建的；为免覆盖数据，请换一个演示文件夹"
        )
    dirs: set[Path] = set()
    for path in owned:
        for companion in _DB_COMPANIONS if path == db else ("",):
            target = path.with_name(path.name + companion)
            if target.is_file() or target.is_symlink():
                target.unlink()
        dirs.update(p for p in path.parents if p.is_relative_to(folder.resolve()) and p != folder.resolve())
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    (folder / MANIFEST).unlink(missing_ok=True)


# --- filling a workbook the way an inspector does -----------------------------------------


def _header_row(sheet, wanted: Sequence[str]) -> tuple[int, dict[str, int]]:
    for row in sheet.iter_rows(min_row=1, max_row=20):
        columns = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if all(name in columns for name in wanted):
            return row[0].row, columns
    raise ComplianceError(f"检查表模板中找不到表头：{'、'.join(wanted)}")


def fill_workbook(path: Path, filling: Filling) -> None:
    """Type ``filling``'s entries into the input cells of the checklist at ``path``.

    Columns are found by their header text and rows by 编号, the way import reads them;
    only the input cells (结论, 问题数, 实测值, 得分 of manual items, 问题描述) and the
    加分项 claims are written, the formulas and everything else stay as the template made them.
    """
    book = load_workbook(path)
    items = book[layout.ITEMS_SHEET]
    header, cols = _header_row(
        items, (layout.CODE, layout.RESULT, layout.COUNT, layout.MEASURED, layout.SCORE)
    )
    rows = {
        str(items.cell(r, cols[layout.CODE]).value).strip(): r
        for r in range(header + 1, items.max_row + 1)
        if items.cell(r, cols[layout.CODE]).value is not None
    }
    for entry in filling.entries:
        r = rows.get(entry.code)
        if r is None:
            raise ComplianceError(f"{path.name}: 检查表中没有条目 {entry.code}")
        for column, value in (
            (layout.RESULT, entry.result),
            (layout.COUNT, entry.count),
            (layout.MEASURED, None if entry.measured is None else float(entry.measured)),
            (layout.SCORE, None if entry.score is None else float(entry.score)),
            (layout.NOTE, entry.note),
        ):
            if value is not None and column in cols:
                items.cell(r, cols[column]).value = value
    if filling.bonus:
        sheet = book[layout.BONUS_SHEET]
        header, cols = _header_row(sheet, (layout.CODE, layout.CLAIMED))
        claimed = dict(filling.bonus)
        for r in range(header + 1, sheet.max_row + 1):
            code = sheet.cell(r, cols[layout.CODE]).value
            if code is not None and str(code).strip() in claimed:
                sheet.cell(r, cols[layout.CLAIMED]).value = layout.YES
                if layout.REMARK in cols and claimed[str(code).strip()]:
                    sheet.cell(r, cols[layout.REMARK]).value = claimed[str(code).strip()]
    _save(book, path, dt.datetime.combine(filling.date, dt.time(17, 30)))


class _StampedZip(ZipFile):
    """A zip whose members all carry one timestamp, so the same workbook is the same bytes."""

    def __init__(self, path: Path, when: dt.datetime):
        super().__init__(path, "w", ZIP_DEFLATED)
        self.when = when.timetuple()[:6]

    def writestr(self, name, data, *args, **kwargs):
        if isinstance(name, str):
            name = ZipInfo(name, self.when)
            name.compress_type = ZIP_DEFLATED
        super().writestr(name, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):  # openpyxl streams sheets via a file
        self.writestr(str(arcname or filename), Path(filename).read_bytes())


def _save(book, path: Path, when: dt.datetime) -> None:
    """Save as openpyxl's ``save`` does, but dated ``when`` (the inspection day), not now:
    the same seed gives byte-identical workbooks, hence the same hashes in the store."""
    book.properties.created = book.properties.modified = when
    with _StampedZip(path, when) as archive:
        ExcelWriter(book, archive).save()


def workbook_path(folder: Path, filling: Filling) -> Path:
    unit = filling.unit
    return folder / filling.round.label / f"{unit.code}_{unit.name}_{filling.kind}.xlsx"


# --- the run ------------------------------------------------------------------------------


def _catalog() -> Catalog:
    # The bundled files first, so a ./rubrics of the user's cannot change the demo.
    return Catalog(standard_dirs=(bundled_dir("standards"),), rubric_dirs=(bundled_dir("rubrics"),))


@cache
def _sample() -> tuple[Catalog, ResolvedRubric, UnitsFile, Targets]:
    catalog = _catalog()
    return (
        catalog,
        catalog.rubric(RUBRIC),
        load_units(sample_dir() / "units.yaml"),
        load_targets(sample_dir() / "targets.yaml"),
    )


@dataclass(frozen=True)
class Checked:
    """One workbook made, filled, read back and scored: ready for the store."""

    path: Path
    sha256: str
    rubric_hash: str
    assessment: Assessment
    card: ScoreCard


def checklist(job: tuple[Filling, Path]) -> list[Checked]:
    """Make the template, fill it in, and read and score it the way ``compliance import``
    does (runs in a worker process; the store is written by the parent)."""
    filling, path = job
    catalog, rubric, units, _ = _sample()
    write_template(
        path,
        rubric,
        filling.unit,
        kind=filling.kind,
        round=filling.round.label,
        date=filling.date,
        inspectors=filling.inspectors,
    )
    fill_workbook(path, filling)
    read, findings = read_scored(path, catalog, units=units)
    if errors_of(findings):  # a defect of the demo: say which file and why, across processes
        raise ComplianceError("\n".join(str(f) for f in errors_of(findings)))
    return [Checked(path, s.sha256, s.rubric.content_hash, s.assessment, s.card) for s in read]


@contextmanager
def _workers(count: int, jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``count`` processes, or None when one process is enough."""
    if count <= 1 or jobs < 8:
        yield None
        return
    with ProcessPoolExecutor(max_workers=count) as pool:
        yield pool


def _units(units_file: UnitsFile, rubric: ResolvedRubric, count: int | None) -> list[Unit]:
    scored = [u for u in units_file.units if applies(rubric, u)]
    return scored[:count] if count else scored


def run_demo(
    folder: Path | str = Path("reports/demo"),
    *,
    rounds: int = MAX_ROUNDS,
    units: int | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    workers: int | None = None,
) -> DemoResult:
    """Simulate, fill, import and report; returns where everything is and a summary."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ComplianceError(f"轮次数得到 {rounds}，应为 1 至 {MAX_ROUNDS}")
    if units is not None and units < 1:
        raise ComplianceError(f"街道数得到 {units}，应为不小于 1 的整数")
    progress = progress or _Silent()
    workers = workers or os.cpu_count() or 1
    folder = Path(folder)
    _, rubric, units_file, targets = _sample()
    squads = _units(units_file, rubric, units)
    programme = Programme(rubric, squads, half_year_rounds(FIRST_YEAR, rounds), seed)
    fillings = programme.fillings()

    prepare(folder)
    workbooks, reports, database = folder / WORKBOOKS, folder / REPORTS, folder / DATABASE
    jobs = [(f, workbook_path(workbooks, f)) for f in fillings]
    for _, path in jobs:
        path.parent.mkdir(parents=True, exist_ok=True)
    _record(folder, [*(path for _, path in jobs), database])

    progress.start("生成、填写并导入检查表", len(jobs))
    with _workers(workers, len(jobs)) as pool:
        # The workers start before the store opens: no process inherits its connection.
        checked = pool.map(checklist, jobs, chunksize=4) if pool else map(checklist, jobs)
        with Store.open(str(database)) as store:
            for assessments in checked:
                for c in assessments:
                    if c.rubric_hash != rubric.content_hash:
                        raise ComplianceError(f"{c.path} 的评分细则版本与演示所用的不一致")
                    store.import_assessment(
                        rubric, c.assessment, c.card, source_name=c.path.name, source_sha256=c.sha256
                    )
                progress.advance()
            summaries = tuple(_summarise(store, programme.rounds))
            report_files = _render(store, targets, programme.rounds[-1], reports, progress, workers)
    _record(folder, [*(path for _, path in jobs), database, *report_files])
    return DemoResult(
        folder=folder,
        workbooks=workbooks,
        database=database,
        reports=reports,
        report_files=tuple(report_files),
        rounds=summaries,
        units=len(squads),
        first_unit=squads[0].code,
        seed=seed,
        targets=targets,
        imported=len(jobs),
    )


def _summarise(store: Store, rounds: Sequence[Round]) -> list[RoundSummary]:
    dates = store.round_dates()
    out = []
    for rnd in rounds:
        audits = store.cards(rnd.label, Kind.AUDIT)
        selfs = store.cards(rnd.label, Kind.SELF)
        inflated = sum(len(compare(s, a).inflated) for s, a in store.pairs(rnd.label))
        out.append(
            RoundSummary(
                rnd.label,
                dates.get(rnd.label),
                len(audits),
                sum(1 for c in audits if c.passed),
                sum(1 for c in selfs if c.passed),
                sum(1 for c in audits if c.veto),
                inflated,
            )
        )
    return out


def _render(
    store: Store, targets: Targets, latest: Round, out: Path, progress: Progress, workers: int
) -> list[Path]:
    """What ``compliance report --all``, ``rank`` and ``progress`` make of the latest round:
    the per-squad PDFs (built in worker processes), the ranking and the progress report."""
    from compliance.reports import Issue, progress_report, render_pdfs, render_ranking
    from compliance.reports.assemble import (
        progress_rounds,
        ranking_inputs,
        render_unit_reports,
        stored_rubrics,
        unit_jobs,
    )
    from compliance.reports.render import MANIFEST as REPORTS_MANIFEST

    rubric_for = stored_rubrics(store)  # each card's own rubric version, as the store archived it
    issue = Issue(targets.targets.assessor)  # 考评单位 from the programme's targets file; issued today
    jobs = unit_jobs(store, latest.label, Kind.AUDIT, issue=issue)
    progress.start("生成报告", len(jobs) + 2)
    results = render_unit_reports(
        store, jobs, out, workers=workers, force=True, on_done=lambda _path, _rendered: progress.advance()
    )
    paths = [path for path, _ in results]
    document = progress_report(targets, progress_rounds(store), rubric_for, roster=store.units(), issue=issue)
    paths += [path for path, _ in render_pdfs([document], out, force=True)]
    progress.advance()
    paths += render_ranking(
        **ranking_inputs(store, latest.label, Kind.AUDIT, rubric_for, issue=issue), out_dir=out
    )
    progress.advance()
    return [*paths, out / REPORTS_MANIFEST]
