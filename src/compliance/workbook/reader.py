"""``read_workbook``: a filled checklist or a bulk form → assessments, with every problem
of the file found in one pass."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from compliance.catalog import Catalog, load_units
from compliance.findings import ComplianceError, Finding, FindingsError, errors_of
from compliance.rubric import ResolvedRubric
from compliance.scoring import Assessment, AssessmentMeta, ScoreCard
from compliance.units import UnitsFile
from compliance.workbook import layout as L
from compliance.workbook.bulk import BULK_COLUMNS, is_bulk, read_bulk
from compliance.workbook.checklist import read_checklist
from compliance.workbook.meta import Rubrics
from compliance.workbook.source import Book, Sheet, open_book
from compliance.workbook.table import Where, find_header, header_row
from compliance.workbook.units_sheet import read_units_sheet, units_from_grid

Read = tuple[list[tuple[ResolvedRubric, Assessment, ScoreCard]], list[Finding]]
Earlier = Callable[[AssessmentMeta], Assessment | None]  # the 考评 a 复查 carries over


@dataclass(frozen=True, slots=True)
class Scored:
    """One assessment of a workbook with the card the engine gave it while reading: what
    ``import`` stores as is, without scoring it again."""

    name: str  # the file as the user named it
    sha256: str  # of the file's bytes
    rubric: ResolvedRubric
    assessment: Assessment
    card: ScoreCard

    @property
    def key(self) -> tuple[str, str, str]:
        meta = self.assessment.meta
        return meta.unit.code, meta.round, str(meta.kind)

    @property
    def content(self) -> tuple:
        """What decides the score: two files with equal content are one assessment."""
        a = self.assessment
        return self.rubric.content_hash, a.meta, a.items, a.bonus, a.penalties


def read_scored(
    path: Path | str,
    catalog: Catalog,
    *,
    name: str | None = None,
    units: UnitsFile | Path | str | None = None,
    allow_incomplete: bool = False,
    rubric: str | None = None,
    earlier: Earlier | None = None,
) -> tuple[list[Scored], list[Finding]]:
    """:func:`read_workbook` with each assessment's score card and the file's sha256: one
    scoring pass from the workbook to the store. ``name`` is what the Scored call the file."""
    triples, findings = _read_file(
        Path(path), catalog, units=units, allow_incomplete=allow_incomplete, rubric=rubric, earlier=earlier
    )
    if not triples:
        return [], findings
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    name = name or str(path)
    return [Scored(name, sha, r, a, card) for r, a, card in triples], findings


def read_workbook(
    path: Path | str,
    catalog: Catalog,
    *,
    units: UnitsFile | Path | str | None = None,
    allow_incomplete: bool = False,
    rubric: str | None = None,
    earlier: Earlier | None = None,
) -> tuple[list[tuple[ResolvedRubric, Assessment]], list[Finding]]:
    """Read a per-unit checklist (sheets 基本信息 + 检查表 [+ 加分项] [+ 减分项]) or a bulk form.

    ``units`` (a UnitsFile, a units.yaml or a workbook with a 单位 sheet) is optional for a
    checklist — given, its unit must be listed and match — and required for the bulk form
    unless the workbook has its own 单位 sheet. ``rubric`` (an id or a path) scores the
    rows of a bulk form that has no 评分细则 column.

    Returns ``([(rubric, assessment), ...], findings)``; the list is empty when the file
    has any error. Every score is recomputed by the engine: formula results are ignored.

    ``earlier`` finds the 考评 a 复查 checklist re-inspects (the store's, at import): the
    items the 复查 does not list are carried over from it before scoring.
    """
    triples, findings = _read_file(
        Path(path), catalog, units=units, allow_incomplete=allow_incomplete, rubric=rubric, earlier=earlier
    )
    return [(r, a) for r, a, _ in triples], findings


def _read_file(
    path: Path,
    catalog: Catalog,
    *,
    units: UnitsFile | Path | str | None,
    allow_incomplete: bool,
    rubric: str | None,
    earlier: Earlier | None,
) -> Read:
    units_file, findings = _units(units)
    if errors_of(findings):
        return [], findings
    book, more = open_book(path)
    findings += more
    if book is None:
        return [], findings
    try:
        pairs, more = _read(book, Rubrics(catalog), units_file, rubric, allow_incomplete, earlier)
    finally:
        book.close()
    return pairs, findings + more


def _read(
    book: Book,
    rubrics: Rubrics,
    units: UnitsFile | None,
    rubric: str | None,
    allow_incomplete: bool,
    earlier: Earlier | None = None,
) -> Read:
    info, items, bonus, penalty = (
        book.find(name) for name in (L.INFO_SHEET, L.ITEMS_SHEET, L.BONUS_SHEET, L.PENALTY_SHEET)
    )
    if info and items:
        return read_checklist(book, (info, items, bonus, penalty), rubrics, units, allow_incomplete, earlier)
    sheet, findings = _bulk_sheet(book)
    if sheet is None and errors_of(findings):  # a sheet too large or damaged: that is the error
        return [], findings
    if sheet is None:
        sheets = "、".join(book.names) or "（无）"
        missing = "、".join(
            f"“{n}”" for n, found in ((L.INFO_SHEET, info), (L.ITEMS_SHEET, items)) if not found
        )
        message = (
            f"缺少工作表{missing}；工作簿中的工作表：{sheets}。"
            f"检查表应有工作表“{L.INFO_SHEET}”和“{L.ITEMS_SHEET}”；"
            f"批量表应有一张含 {'、'.join(L.BULK_REQUIRED)} 列的工作表"
        )
        return [], [*findings, Finding(book.file, message)]
    if units is None and (units_name := book.find(L.UNITS_SHEET)):
        units_grid, more = book.grid(units_name)
        findings += more
        if units_grid:
            units, more = units_from_grid(units_grid, Where(book.file, units_name))
            findings += more
        if errors_of(findings):
            return [], findings
    pairs, more = read_bulk(book, sheet, rubrics, units, rubric, allow_incomplete)
    return pairs, findings + more


def _bulk_sheet(book: Book) -> tuple[Sheet | None, list[Finding]]:
    """The first sheet whose header row has 单位编码 and 编号 (besides a 单位 sheet)."""
    findings: list[Finding] = []
    units_sheet = book.find(L.UNITS_SHEET)
    for name in book.names:
        if name == units_sheet:
            continue
        sheet, more = book.sheet(name)
        findings += more
        if sheet is None or header_row(sheet.top, BULK_COLUMNS, L.BULK_REQUIRED) is None:
            continue
        header, _ = find_header(sheet.top, Where(book.file, name), BULK_COLUMNS, L.BULK_REQUIRED)
        if header and is_bulk(header.columns):
            return sheet, findings
    return None, findings


def load_units_file(path: Path | str) -> UnitsFile:
    """A units list from units.yaml or from the 单位 sheet of a workbook; raises
    FindingsError with every problem."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_units_sheet(path)
    return load_units(path)


def _units(units: UnitsFile | Path | str | None) -> tuple[UnitsFile | None, list[Finding]]:
    if units is None or isinstance(units, UnitsFile):
        return units, []
    try:
        return load_units_file(units), []
    except FindingsError as exc:
        return None, list(exc.findings)
    except ComplianceError as exc:
        return None, [Finding(str(units), str(exc))]
