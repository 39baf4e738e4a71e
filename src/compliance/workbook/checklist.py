"""Reading a filled per-unit checklist: 基本信息, 检查表, 加分项 and 减分项 → one Assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from compliance.findings import Finding, Severity, errors_of
from compliance.rounds import chinese
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
from compliance.scoring.recheck import carry_over
from compliance.units import Unit, UnitsFile
from compliance.workbook import layout as L
from compliance.workbook.cells import NAME_MAX, NOTE_MAX, BadCell, date_of, key, limited, number_of, text_of
from compliance.workbook.meta import (
    Rubrics,
    applies_warning,
    inspectors_of,
    kind_of,
    round_of,
    unit_code_of,
    unit_mismatches,
)
from compliance.workbook.source import Book, Cell, Grid
from compliance.workbook.table import (
    ITEM_COLUMNS,
    ParsedRow,
    RowReader,
    Where,
    find_header,
    result_text,
    rows_below,
    typed_score_warnings,
    without_repeats,
)

_UNIT_FIELDS = {
    "code": L.UNIT_CODE,
    "name": L.UNIT_NAME,
    "type": L.UNIT_TYPE,
    "city": L.CITY,
    "district": L.DISTRICT,
}


@dataclass(frozen=True)
class Info:
    """What 基本信息 says; a field is None when its cell could not be read (a finding says why)."""

    unit: Unit | None
    rubric: ResolvedRubric | None
    kind: Kind | None
    round: str | None
    date: dt.date | None
    inspectors: tuple[str, ...]

    @property
    def meta(self) -> AssessmentMeta | None:
        if self.unit is None or self.rubric is None or self.kind is None or self.round is None:
            return None
        return AssessmentMeta(self.unit, self.rubric.id, self.kind, self.round, self.date, self.inspectors)


def read_checklist(
    book: Book,
    sheets: tuple[str, str, str | None, str | None],
    rubrics: Rubrics,
    units: UnitsFile | None,
    allow_incomplete: bool,
    earlier: Callable[[AssessmentMeta], Assessment | None] | None = None,
) -> tuple[list[tuple[ResolvedRubric, Assessment, ScoreCard]], list[Finding]]:
    info_sheet, items_sheet, bonus_sheet, penalty_sheet = sheets
    findings: list[Finding] = []
    info_grid, more = book.grid(info_sheet)
    findings += more
    info = None
    if info_grid:
        info, more = read_info(info_grid, Where(book.file, info_sheet), rubrics, units)
        findings += more
    rubric = info.rubric if info else None
    items_grid, more = book.grid(items_sheet)
    findings += more
    rows = None
    if items_grid:
        rows, more = read_items(
            items_grid, Where(book.file, items_sheet), rubric, partial(book.percent_cells, items_sheet)
        )
        findings += more
    claims, more = _read_bonus(book, bonus_sheet)
    findings += more
    penalties, more = _read_penalties(book, penalty_sheet, rubric)
    findings += more
    if rubric is None or rows is None:  # without the rows, every item would look missing
        return [], findings
    meta = info.meta if info else None
    # Evaluate even when 基本信息 has errors, so that the engine's findings are reported in
    # the same pass; a placeholder unit stands in and the result is thrown away.
    assessment = Assessment(
        meta or _placeholder(rubric), tuple(r.input for r in rows), claims, book.file, penalties
    )
    if meta is not None and meta.kind is Kind.RECHECK and earlier is not None:
        audit = earlier(meta)
        if audit is None:
            message = (
                f"这是 {meta.unit.code} {meta.unit.name} 的复查表，但历史库中没有该单位 {chinese(meta.round)}"
                "或之前的考评记录：请先导入考评，再导入复查表"
            )
            return [], [*findings, Finding(book.file, message, cell=info_sheet)]
        assessment = carry_over(assessment, audit)  # the items not re-inspected keep the 考评's entries
    card, engine = evaluate(rubric, assessment, allow_incomplete=allow_incomplete)
    findings += without_repeats(engine, findings)
    if card is not None:
        where = Where(book.file, items_sheet)
        findings += typed_score_warnings(rows, card, rubric, where, partial(book.formula_cells, items_sheet))
    if meta is None or card is None or errors_of(findings):
        return [], findings
    return [(rubric, assessment, card)], findings


def _placeholder(rubric: ResolvedRubric) -> AssessmentMeta:
    unit = Unit.model_construct(code="?", name="?", type="?", city="?", district="?")
    return AssessmentMeta(unit, rubric.id, Kind.AUDIT, "?")


# --- 基本信息 ------------------------------------------------------------------------


def info_cells(grid: Grid, where: Where) -> tuple[dict[str, tuple[Cell, int, int]], list[Finding]]:
    """label → (value, row, col of the value). A label may sit anywhere; its value is the
    cell to its right (after the label's merged range)."""
    labels = {key(label): label for label in L.INFO_LABELS}
    found: dict[str, tuple[Cell, int, int]] = {}
    label_at: dict[str, str] = {}
    findings = []
    for row, line in enumerate(grid.rows):
        for col, value in enumerate(line):
            label = labels.get(key(value)) if isinstance(value, str) else None
            if label is None:
                continue
            if label in found:
                message = f"“{label}”出现了两次（另一处在 {label_at[label]}），只能填写一处"
                findings.append(where.finding(row, col, message))
                continue
            value_col = col + grid.merged_width(row, col)
            found[label] = (grid.value(row, value_col), row, value_col)
            label_at[label] = where.ref(row, col)
    missing = [label for label in L.INFO_REQUIRED if label not in found]
    if missing:
        findings.append(
            Finding(
                where.file,
                f"缺少以下项目：{'、'.join(missing)}；基本信息应有：{'、'.join(L.INFO_REQUIRED)}",
                cell=where.sheet,
            )
        )
    return found, findings


def read_info(
    grid: Grid, where: Where, rubrics: Rubrics, units: UnitsFile | None
) -> tuple[Info, list[Finding]]:
    cells, findings = info_cells(grid, where)

    def parse(label: str, parser, severity: Severity = Severity.ERROR):
        if label not in cells:
            return None
        value, row, col = cells[label]
        try:
            return parser(value)
        except BadCell as exc:
            findings.append(where.finding(row, col, str(exc), severity))
            return None

    unit = _unit(cells, where, units, findings)
    rubric = _rubric(cells, where, rubrics, findings)
    kind = parse(L.KIND, kind_of)
    round_ = parse(L.ROUND, round_of)
    date = parse(L.DATE, date_of)
    inspectors = parse(L.INSPECTORS, inspectors_of) or ()
    for label, blank, what in (
        (L.DATE, date is None, "检查日期"),
        (L.INSPECTORS, not inspectors, "检查人员"),
    ):
        if blank and label in cells and text_of(cells[label][0]) is None:
            findings.append(where.finding(*cells[label][1:], f"未填写{what}", Severity.WARNING))
    if unit and rubric and (problem := applies_warning(rubric, unit)):
        findings.append(where.finding(*cells[L.UNIT_TYPE][1:], problem, Severity.WARNING))
    return Info(unit, rubric, kind, round_, date, inspectors), findings


def _unit(
    cells: dict[str, tuple[Cell, int, int]], where: Where, units: UnitsFile | None, findings: list[Finding]
) -> Unit | None:
    details: dict[str, str] = {}
    for name, label in _UNIT_FIELDS.items():
        if label not in cells:
            continue
        value, row, col = cells[label]
        try:
            text = unit_code_of(value) if name == "code" else limited(value, label, NAME_MAX)
        except BadCell as exc:
            findings.append(where.finding(row, col, str(exc)))
            continue
        if text is None:
            findings.append(where.finding(row, col, f"{label}未填写"))
        else:
            details[name] = text
    if len(details) < len(_UNIT_FIELDS):
        return None
    unit = Unit(**details)
    if units is None:
        return unit
    listed = units.get(unit.code)
    if listed is None:
        findings.append(where.finding(*cells[L.UNIT_CODE][1:], f"单位编码“{unit.code}”不在单位名单中"))
        return None
    for name, message in unit_mismatches(unit, listed):
        findings.append(where.finding(*cells[_UNIT_FIELDS[name]][1:], message))
    return listed


def _rubric(
    cells: dict[str, tuple[Cell, int, int]], where: Where, rubrics: Rubrics, findings: list[Finding]
) -> ResolvedRubric | None:
    if L.RUBRIC not in cells:
        return None
    value, row, col = cells[L.RUBRIC]
    ref = text_of(value)
    if ref is None:
        findings.append(where.finding(row, col, "评分细则未填写：应为评分细则的 id"))
        return None
    rubric, problem, nested = rubrics.get(ref)
    if rubric is None:
        findings.append(where.finding(row, col, problem))
        findings += nested
        return None
    if L.RUBRIC_HASH in cells:
        stamp, row, col = cells[L.RUBRIC_HASH]
        stamp = text_of(stamp)
        if stamp and not rubric.content_hash.startswith(stamp.lower()):
            findings.append(
                where.finding(
                    row,
                    col,
                    f"检查表生成时的评分细则版本（{stamp[:12]}）与当前的 {rubric.version_label} 不同："
                    "细则在此期间被修改过，已按当前版本评分",
                    Severity.WARNING,
                )
            )
    return rubric


# --- 检查表 and 加分项 ----------------------------------------------------------------


def read_items(
    grid: Grid, where: Where, rubric: ResolvedRubric | None, percent=set
) -> tuple[list[ParsedRow] | None, list[Finding]]:
    """The item rows, or None when the sheet's headers are unusable. ``percent()`` gives
    the cells formatted as a percentage (read ×100 for items whose unit is %)."""
    header, findings = find_header(grid, where, L.ITEM_HEADERS, L.ITEM_INPUTS)
    if header is None or errors_of(findings):
        return None, findings
    reader = RowReader.of(header, where, percent)
    rows = []
    for row, values in rows_below(grid.below(header.row), header, ITEM_COLUMNS):
        parsed, more = reader.parse(row, values, rubric)
        findings += more
        if parsed:
            rows.append(parsed)
    return rows, findings


def _read_bonus(book: Book, sheet: str | None) -> tuple[tuple[BonusClaim, ...], list[Finding]]:
    if sheet is None:
        message = f"缺少工作表“{L.BONUS_SHEET}”：按未申报任何加分项处理"
        return (), [Finding(book.file, message, severity=Severity.WARNING)]
    grid, findings = book.grid(sheet)
    if grid is None:
        return (), findings
    where = Where(book.file, sheet)
    header, more = find_header(grid, where, L.BONUS_HEADERS, (L.CODE, L.CLAIMED))
    findings += more
    if header is None or errors_of(more):
        return (), findings
    claims = []
    for row, values in rows_below(grid.below(header.row), header, (L.CODE, L.CLAIMED, L.REMARK)):
        code, claimed = text_of(values[L.CODE]), result_text(values[L.CLAIMED])
        answer = parse_result(claimed) if claimed else Result.FAIL
        if answer not in (Result.PASS, Result.FAIL):
            col = header.columns[L.CLAIMED]
            findings.append(where.finding(row, col, f"是否申报应为 {L.YES} 或 {L.NO}，得到“{claimed}”"))
        elif answer is Result.PASS and code is None:
            findings.append(where.finding(row, header.columns[L.CODE], "申报了加分，但没有填写加分项编号"))
        elif answer is Result.PASS:
            try:
                note = limited(values.get(L.REMARK, ""), L.REMARK, NOTE_MAX)
            except BadCell as exc:
                findings.append(where.finding(row, header.columns[L.REMARK], str(exc)))
                continue
            claims.append(BonusClaim(code, note, where.ref(row, header.columns[L.CODE])))
    return tuple(claims), findings


def _read_penalties(
    book: Book, sheet: str | None, rubric: ResolvedRubric | None
) -> tuple[tuple[PenaltyClaim, ...], list[Finding]]:
    """The 减分项 sheet: how many times each penalty happened (a blank 次数 is 0)."""
    if sheet is None:
        if rubric is not None and rubric.info.penalties is not None:
            message = f"缺少工作表“{L.PENALTY_SHEET}”：按未发生任何减分事项处理"
            return (), [Finding(book.file, message, severity=Severity.WARNING)]
        return (), []
    grid, findings = book.grid(sheet)
    if grid is None:
        return (), findings
    where = Where(book.file, sheet)
    header, more = find_header(grid, where, L.PENALTY_HEADERS, (L.CODE, L.TIMES))
    findings += more
    if header is None or errors_of(more):
        return (), findings
    claims = []
    col = header.columns[L.TIMES]
    for row, values in rows_below(grid.below(header.row), header, (L.CODE, L.TIMES, L.REMARK)):
        code = text_of(values[L.CODE])
        try:
            count = number_of(values[L.TIMES], L.TIMES)
        except BadCell as exc:
            findings.append(where.finding(row, col, f"减分项 {code or ''} 的{exc}"))
            continue
        if code is None:
            if count is not None:
                findings.append(where.finding(row, header.columns[L.CODE], "填写了次数，但没有减分项编号"))
            continue
        note = text_of(values.get(L.REMARK, ""))
        claims.append(PenaltyClaim(code, count, note, where.ref(row, col)))
    return tuple(claims), findings
