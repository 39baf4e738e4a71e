"""The bulk form (SPEC §4): one sheet, one row per unit and item, as other systems export.

Columns: 单位编码, 评估类型, 评估轮次, 编号, 结论, 问题数, 实测值, 得分, and optionally
评分细则, 检查日期, 检查人员, 问题描述, 佐证材料. A row's rubric is its 评分细则, else the
one the caller names (``--rubric``), else the one rubric that applies to the unit's type.
Unit details come from the units list (required: ``--units`` or a 单位 sheet). A row
whose 编号 is one of the rubric's bonus items (加分项) claims it when its 结论 is 是; a
row whose 编号 is a penalty (减分项) says in 问题数 how many times it happened; a trigger's
or criterion's row uses its ``2.4/1`` code.
Rows are streamed: a form of a million rows is never held in memory twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from compliance.findings import Finding, Severity, errors_of
from compliance.rubric import ResolvedRubric
from compliance.scoring import (
    Assessment,
    AssessmentMeta,
    BonusClaim,
    Kind,
    PenaltyClaim,
    Result,
    ScoreCard,
    evaluate,
    parse_result,
)
from compliance.units import Unit, UnitsFile
from compliance.workbook import layout as L
from compliance.workbook.cells import NOTE_MAX, BadCell, date_of, limited, number_of, text_of
from compliance.workbook.meta import Rubrics, applies_warning, inspectors_of, kind_of, round_of
from compliance.workbook.source import Book, Cell, Sheet
from compliance.workbook.table import (
    Header,
    ParsedRow,
    RowReader,
    Where,
    find_header,
    result_text,
    rows_below,
    typed_score_warnings,
    without_repeats,
)

BULK_COLUMNS = (*L.BULK_REQUIRED, *L.BULK_OPTIONAL)


@dataclass
class _Group:
    """The rows of one unit, kind and round."""

    unit: Unit
    rubric: ResolvedRubric
    kind: Kind
    round: str
    rows: list[ParsedRow] = field(default_factory=list)
    claims: list[BonusClaim] = field(default_factory=list)
    penalties: list[PenaltyClaim] = field(default_factory=list)
    date: dt.date | None = None
    inspectors: tuple[str, ...] = ()
    bonus_codes: frozenset[str] = field(init=False)
    penalty_codes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.bonus_codes = frozenset(b.code for b in self.rubric.bonus_items)
        self.penalty_codes = frozenset(p.code for p in self.rubric.penalty_items)

    def assessment(self, source: str) -> Assessment:
        meta = AssessmentMeta(self.unit, self.rubric.id, self.kind, self.round, self.date, self.inspectors)
        rows = tuple(r.input for r in self.rows)
        return Assessment(meta, rows, tuple(self.claims), source, tuple(self.penalties))


@dataclass
class _Context:
    where: Where
    header: Header
    rubrics: Rubrics
    units: UnitsFile
    default_rubric: str | None
    findings: list[Finding] = field(default_factory=list)
    rows: RowReader = field(init=False)
    units_by_code: dict[str, Unit] = field(init=False)
    _reported: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rows = RowReader.of(self.header, self.where)
        self.units_by_code = {u.code: u for u in self.units.units}

    def once(self, row: int, column: str, value: str, message: str, severity=Severity.ERROR) -> bool:
        """Report a problem with a value once, at its first cell, not on each of its rows;
        True when it is reported now."""
        if (column, value) in self._reported:
            return False
        self._reported.add((column, value))
        self.findings.append(self.where.finding(row, self.header.columns[column], message, severity))
        return True


def is_bulk(header_cells: dict[str, int]) -> bool:
    return L.UNIT_CODE in header_cells and L.CODE in header_cells


def read_bulk(
    book: Book,
    sheet: Sheet,
    rubrics: Rubrics,
    units: UnitsFile | None,
    default_rubric: str | None,
    allow_incomplete: bool,
) -> tuple[list[tuple[ResolvedRubric, Assessment, ScoreCard]], list[Finding]]:
    where = Where(book.file, sheet.name)
    header, findings = find_header(sheet.top, where, BULK_COLUMNS, L.BULK_REQUIRED)
    if units is None:
        findings.append(
            Finding(
                book.file,
                f"批量表需要单位名单：请用 --units 给出 units.yaml，或在工作簿中加一张“{L.UNITS_SHEET}”表",
                cell=sheet.name,
            )
        )
    if header is None or errors_of(findings):
        return [], findings
    ctx = _Context(where, header, rubrics, units, default_rubric, findings)
    groups: dict[tuple[str, str, str, str], _Group] = {}
    # Rows of one unit share their key cells: parse those once per distinct combination.
    seen: dict[tuple[Cell, ...], _Group | None] = {}
    for row, values in rows_below(sheet.below(header.row), header, BULK_COLUMNS):
        raw = (values[L.UNIT_CODE], values[L.KIND], values[L.ROUND], values.get(L.RUBRIC, ""))
        if raw not in seen:
            seen[raw] = _group_of(ctx, row, values, groups)
        group = seen[raw]
        if group is not None:
            _take_when(ctx, row, values, group)
        _add_row(ctx, row, values, group)
    return _evaluate(book, ctx, groups, allow_incomplete)


def _group_of(
    ctx: _Context, row: int, values: dict[str, Cell], groups: dict[tuple[str, str, str, str], _Group]
) -> _Group | None:
    """The group of a row, created on its first row; None when the row's unit, rubric, kind
    or round cannot be read (reported once per distinct value)."""
    parts = []
    for column, parser in ((L.KIND, kind_of), (L.ROUND, round_of)):
        try:
            parts.append(parser(values[column]))
        except BadCell as exc:
            ctx.once(row, column, text_of(values[column]) or "", str(exc))
    code = text_of(values[L.UNIT_CODE])
    unit = ctx.units_by_code.get(code) if code else None
    if unit is None:
        ctx.once(
            row, L.UNIT_CODE, code or "", f"单位编码“{code}”不在单位名单中" if code else "单位编码未填写"
        )
    ref = text_of(values.get(L.RUBRIC, "")) or ctx.default_rubric
    rubric = _rubric(ctx, row, ref, unit)
    if len(parts) < 2 or unit is None or rubric is None:
        return None
    kind, round_ = parts
    key = (unit.code, kind.value, round_, rubric.id)
    group = groups.get(key)
    if group is None:
        group = groups[key] = _Group(unit, rubric, kind, round_)
        if problem := applies_warning(rubric, unit):
            ctx.once(row, L.UNIT_CODE, f"{unit.code}@{rubric.id}", problem, Severity.WARNING)
    return group


def _rubric(ctx: _Context, row: int, ref: str | None, unit: Unit | None) -> ResolvedRubric | None:
    """The row's 评分细则, else the caller's ``rubric``, else the one that applies to the
    unit's type."""
    if ref is not None:
        # the caller's --rubric may be a path; a cell of the file may only name an id
        rubric, problem, nested = ctx.rubrics.get(ref, trusted=ref == ctx.default_rubric)
    elif unit is not None:
        rubric, problem, nested = ctx.rubrics.for_type(unit.type)
        ref = f"type:{unit.type}"
    else:
        return None
    if rubric is None:
        column = L.RUBRIC if L.RUBRIC in ctx.header.columns else L.UNIT_CODE
        if ctx.once(row, column, ref, problem):
            ctx.findings += nested
    return rubric


def _take_when(ctx: _Context, row: int, values: dict[str, Cell], group: _Group) -> None:
    """The first date and inspectors given for a group are the group's."""
    if group.date is None and values.get(L.DATE, "") != "":
        try:
            group.date = date_of(values[L.DATE])
        except BadCell as exc:
            ctx.findings.append(ctx.where.finding(row, ctx.header.columns[L.DATE], str(exc)))
    if not group.inspectors and values.get(L.INSPECTORS, "") != "":
        try:
            group.inspectors = inspectors_of(values[L.INSPECTORS])
        except BadCell as exc:
            ctx.findings.append(ctx.where.finding(row, ctx.header.columns[L.INSPECTORS], str(exc)))


def _add_row(ctx: _Context, row: int, values: dict[str, Cell], group: _Group | None) -> None:
    rubric = group.rubric if group else None
    code = text_of(values[L.CODE])
    if group and code in group.bonus_codes and rubric.item(code) is None:
        _claim(ctx, row, code, values, group)
        return
    if group and code in group.penalty_codes and rubric.item(code) is None:
        _penalty(ctx, row, code, values, group)
        return
    parsed, more = ctx.rows.parse(row, values, rubric)
    ctx.findings += more
    if parsed and group:
        group.rows.append(parsed)


def _claim(ctx: _Context, row: int, code: str, values: dict[str, Cell], group: _Group) -> None:
    claimed = result_text(values[L.RESULT])
    answer = parse_result(claimed) if claimed else Result.FAIL
    if answer is Result.PASS:
        try:
            note = limited(values.get(L.NOTE, ""), L.NOTE, NOTE_MAX)
        except BadCell as exc:
            ctx.findings.append(ctx.where.finding(row, ctx.header.columns[L.NOTE], str(exc)))
            return
        group.claims.append(BonusClaim(code, note, ctx.where.ref(row, ctx.header.columns[L.CODE])))
    elif answer is not Result.FAIL:
        message = f"加分项 {code} 的结论应为 {L.YES}（申报）或 {L.NO}，得到“{claimed}”"
        ctx.findings.append(ctx.where.finding(row, ctx.header.columns[L.RESULT], message))


def _penalty(ctx: _Context, row: int, code: str, values: dict[str, Cell], group: _Group) -> None:
    col = ctx.header.columns[L.COUNT]
    try:
        count = number_of(values[L.COUNT], L.COUNT)
    except BadCell as exc:
        ctx.findings.append(ctx.where.finding(row, col, f"减分项 {code} 的{exc}"))
        return
    note = text_of(values.get(L.NOTE, ""))
    group.penalties.append(PenaltyClaim(code, count, note, ctx.where.ref(row, col)))


def _evaluate(
    book: Book, ctx: _Context, groups: dict[tuple[str, str, str, str], _Group], allow_incomplete: bool
) -> tuple[list[tuple[ResolvedRubric, Assessment, ScoreCard]], list[Finding]]:
    findings = ctx.findings
    read_errors = list(findings)
    pairs = []
    for group in groups.values():
        assessment = group.assessment(book.file)
        card, engine = evaluate(group.rubric, assessment, allow_incomplete=allow_incomplete)
        label = f"单位 {group.unit.code}（{group.kind}，{group.round}）"
        findings += [_tagged(f, label) for f in without_repeats(engine, read_errors)]
        if card is not None:
            formulas = partial(book.formula_cells, ctx.where.sheet)
            findings += typed_score_warnings(group.rows, card, group.rubric, ctx.where, formulas)
        if card is not None:
            pairs.append((group.rubric, assessment, card))
    if not groups and not errors_of(findings):
        findings.append(Finding(book.file, "批量表中没有任何数据行", cell=ctx.where.sheet))
    if errors_of(findings):
        return [], findings
    return pairs, findings


def _tagged(finding: Finding, label: str) -> Finding:
    """Name the unit in engine findings that have no cell (a missing item says which unit)."""
    if finding.cell:
        return finding
    return Finding(finding.file, f"{label}：{finding.message}", cell=finding.cell, severity=finding.severity)
