"""Tables found by header text, and checklist rows turned into engine inputs.

Columns are found by their header text after normalisation (NFKC, no spaces), never by
position: people hide, move and add columns. The header row itself may sit below a
title or notes, so the first rows are searched for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.findings import Finding, Severity
from compliance.numbers import fmt, rounded
from compliance.rubric import RULE_LABELS, Manual, ResolvedRubric, ScoredItem
from compliance.scoring import ItemInput, Result, ScoreCard, parse_result
from compliance.workbook import layout as L
from compliance.workbook.cells import (
    NOTE_MAX,
    BadCell,
    TooLarge,
    cell_name,
    clean,
    col_letter,
    key,
    limited,
    number_of,
    shown,
    text_of,
)
from compliance.workbook.source import HEADER_SCAN_ROWS, Cell, Grid, Line

_QUOTES = "'‘’`\"“”"
_LONGEST_HEADER = 40
_CELL_ROW = re.compile(r"^(.*)![A-Z]+(\d+)$")


@dataclass(frozen=True)
class Where:
    """Findings located in one sheet of one file."""

    file: str
    sheet: str

    def ref(self, row: int, col: int) -> str:
        return f"{self.sheet}!{cell_name(row, col)}"

    def finding(self, row: int, col: int, message: str, severity: Severity = Severity.ERROR) -> Finding:
        return Finding(self.file, message, cell=self.ref(row, col), severity=severity)


@dataclass(frozen=True)
class Header:
    row: int
    columns: dict[str, int]  # canonical header → column


def _canonical(text: Cell, names: Sequence[str]) -> str | None:
    """The header ``text`` stands for: a name, or a name followed by a remark in brackets
    (``结论（符合/不符合）``)."""
    if not isinstance(text, str) or not text or len(text) > _LONGEST_HEADER:
        return None  # item texts are long: not worth normalising
    k = key(text)
    if k in names:
        return k
    return k.partition("(")[0] if "(" in k and k.partition("(")[0] in names else None


def _matches(line: list[Cell], names: Sequence[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for col, value in enumerate(line):
        name = _canonical(value, names)
        if name:
            found.setdefault(name, []).append(col)
    return found


def header_row(grid: Grid, names: Sequence[str], required: Sequence[str]) -> int | None:
    """The row among the first ones holding most of ``required`` (at least two), or None."""
    best, best_count = None, 1
    for row, line in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        count = sum(1 for name in _matches(line, names) if name in required)
        if count == len(required):
            return row
        if count > best_count:
            best, best_count = row, count
    return best


def find_header(
    grid: Grid, where: Where, names: Sequence[str], required: Sequence[str]
) -> tuple[Header | None, list[Finding]]:
    """Locate the header row and the columns of ``names``; every missing required header
    and every repeated one is a finding."""
    row = header_row(grid, names, required)
    wanted = "、".join(required)
    if row is None:
        return None, [
            Finding(
                where.file,
                f"找不到表头行（应在前 {HEADER_SCAN_ROWS} 行内）；必需的表头：{wanted}",
                cell=where.sheet,
            )
        ]
    line = grid.rows[row]
    found = _matches(line, names)
    findings = [
        where.finding(
            row,
            cols[1],
            f"表头“{name}”出现了 {len(cols)} 次（{'、'.join(cell_name(row, c) for c in cols)}），只能有一列",
        )
        for name, cols in found.items()
        if len(cols) > 1
    ]
    missing = [n for n in required if n not in found]
    if missing:
        present = "、".join(str(v).strip() for v in line if isinstance(v, str) and v.strip()) or "（无）"
        findings.append(
            where.finding(
                row, 0, f"缺少表头：{'、'.join(missing)}；这一行的表头有：{present}；必需的表头：{wanted}"
            )
        )
    return Header(row, {name: cols[0] for name, cols in found.items()}), findings


def rows_below(
    lines: Iterable[tuple[int, Line]], header: Header, names: Sequence[str]
) -> Iterator[tuple[int, dict[str, Cell]]]:
    """(row, values by header) of every row with something in ``names``; blank rows —
    thousands of them at the end of a sheet too — are skipped."""
    wanted = [name for name in names if name in header.columns]
    cols = [header.columns[name] for name in wanted]
    width = max(cols, default=-1) + 1
    for row, line in lines:
        cells = [line[c] for c in cols] if len(line) >= width else [_at(line, c) for c in cols]
        # something in it: any value but text of nothing but spaces (calamine's empty is "");
        # a loop, not any() over a generator: this runs for every row of a million-row form
        for v in cells:
            if v.__class__ is not str or v.strip():
                yield row, dict(zip(wanted, cells, strict=True))
                break


def _at(line: Line, col: int) -> Cell:
    return line[col] if col < len(line) else ""


def result_text(value: Cell) -> str | None:
    """The 结论 as typed, without the quote marks WPS keeps (``‘√``); the engine normalises it."""
    text = text_of(value)
    if text is None:
        return None
    return text.strip(_QUOTES).strip() or None


class RowCells(Mapping[str, str]):
    """``ItemInput.cells`` of one row — ``{"code": "检查表!A12", "result": "检查表!H12", …,
    "row": "检查表!A12"}`` — built when asked from the sheet's column prefixes and the row
    number: a bulk form has up to a million rows, and five reference strings per row would cost
    more memory than the rest of the row."""

    __slots__ = ("_prefixes", "_row")

    def __init__(self, prefixes: dict[str, str], row: int):
        self._prefixes = prefixes
        self._row = row

    def __getitem__(self, name: str) -> str:
        return self._prefixes["code" if name == "row" else name] + str(self._row + 1)

    def __iter__(self) -> Iterator[str]:
        yield from self._prefixes
        yield "row"

    def __len__(self) -> int:
        return len(self._prefixes) + 1

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One item row: the engine's input, plus the 得分 typed in a non-manual row (display
    only; compared with the computed score afterwards)."""

    input: ItemInput
    typed_score: Cell = ""  # as found in the cell
    row: int = 0
    score_col: int | None = None


ITEM_COLUMNS = (L.CODE, L.RESULT, L.COUNT, L.MEASURED, L.SCORE, L.NOTE, L.EVIDENCE)
_FIELDS = {"code": L.CODE, "result": L.RESULT, "count": L.COUNT, "measured": L.MEASURED, "score": L.SCORE}


@dataclass(frozen=True)
class RowReader:
    """Reads item rows below ``header``; the cell references' column parts are built once
    per sheet, not once per row (a bulk form has hundreds of thousands of rows)."""

    header: Header
    where: Where
    prefixes: dict[str, str]
    percent: Callable[[], set[tuple[int, int]]] = set  # cells formatted as a percentage

    @classmethod
    def of(cls, header: Header, where: Where, percent: Callable[[], set[tuple[int, int]]] = set) -> RowReader:
        cols = header.columns
        prefixes = {
            field: f"{where.sheet}!{col_letter(cols[name])}"
            for field, name in _FIELDS.items()
            if name in cols
        }
        return cls(header, where, prefixes, percent)

    def parse(
        self, row: int, values: dict[str, Cell], rubric: ResolvedRubric | None
    ) -> tuple[ParsedRow | None, list[Finding]]:
        """Cell types of one item row; semantics (codes, results, ranges) are the engine's.
        ``rubric`` (None when unknown) says whose 得分 is an input: manual items' only."""
        code = text_of(values.get(L.CODE, ""))
        if code is None:
            message = "这一行填写了内容，但没有编号：请填写条目编号或删除这一行"
            return None, [self.where.finding(row, self.header.columns[L.CODE], message)]
        findings: list[Finding] = []
        scored = rubric.item(code) if rubric else None
        manual = scored is not None and isinstance(scored.rule, Manual)
        item = ItemInput(
            code=code,
            result=result_text(values.get(L.RESULT, "")),
            count=self._number(row, values, L.COUNT, code, findings),
            measured=self._measured(row, values, code, findings, scored),
            score=self._number(row, values, L.SCORE, code, findings, scored) if manual else None,
            note=self._text(row, values, L.NOTE, code, findings),
            evidence=self._text(row, values, L.EVIDENCE, code, findings),
            cells=RowCells(self.prefixes, row),
        )
        if (
            item.count is not None
            and item.count > 0
            and item.result
            and parse_result(item.result) is Result.PASS
        ):
            message = (
                f"条目 {code} 的结论为“{item.result}”（符合），但问题数为 {fmt(item.count, 4)}：两者矛盾；"
                "已按问题数计分，请核对"
            )
            findings.append(self.where.finding(row, self.header.columns[L.COUNT], message, Severity.WARNING))
        # a non-manual 得分 is display only: kept as found, compared after scoring
        typed = values.get(L.SCORE, "") if scored is not None and not manual else ""
        return ParsedRow(item, typed, row, self.header.columns.get(L.SCORE)), findings

    def _measured(
        self, row: int, values: dict[str, Cell], code: str, findings: list[Finding], scored: ScoredItem | None
    ) -> Decimal | None:
        """实测值; for an item whose unit is % (SPEC §3.2), 95.2 % reads as 95.2 however it
        was typed: in a cell formatted as a percentage (Excel stores 0.952) or as text."""
        value = values.get(L.MEASURED, "")
        if value == "" or scored is None or getattr(scored.rule, "unit", None) != "%":
            return self._number(row, values, L.MEASURED, code, findings)
        if isinstance(value, str) and clean(value).endswith("%"):
            values = {**values, L.MEASURED: clean(value).removesuffix("%")}
            return self._number(row, values, L.MEASURED, code, findings)
        number = self._number(row, values, L.MEASURED, code, findings)
        if number is not None and (row, self.header.columns[L.MEASURED]) in self.percent():
            return number * 100
        return number

    def _text(
        self, row: int, values: dict[str, Cell], name: str, code: str, findings: list[Finding]
    ) -> str | None:
        value = values.get(name, "")
        if value == "":  # most rows leave it empty: skip the call
            return None
        try:
            return limited(value, name, NOTE_MAX)
        except BadCell as exc:
            findings.append(self.where.finding(row, self.header.columns[name], f"条目 {code} 的{exc}"))
            return None

    def _number(
        self,
        row: int,
        values: dict[str, Cell],
        name: str,
        code: str,
        findings: list[Finding],
        scored: ScoredItem | None = None,
    ) -> Decimal | None:
        value = values.get(name, "")
        if value == "":  # most input cells of a row are empty: skip the call
            return None
        try:
            return number_of(value, name)
        except BadCell as exc:
            message = f"条目 {code} 的{exc}"
            if isinstance(exc, TooLarge) and scored is not None:  # a manual score: say its range
                message = f"条目 {code} 的{name}“{shown(value)}”超出范围，应在 0 至 {fmt(scored.points)} 之间"
            findings.append(self.where.finding(row, self.header.columns[name], message))
            return None


def _row_of(cell: str | None) -> tuple[str, str] | None:
    match = _CELL_ROW.match(cell or "")
    return (match[1], match[2]) if match else None


def without_repeats(engine: list[Finding], ours: list[Finding]) -> list[Finding]:
    """The engine's findings minus those on a row where a cell could not even be read:
    one problem, reported once, at the cell that caused it."""
    broken = {_row_of(f.cell) for f in ours if f.is_error} - {None}
    return [f for f in engine if _row_of(f.cell) not in broken]


def typed_score_warnings(
    rows: Sequence[ParsedRow],
    card: ScoreCard,
    rubric: ResolvedRubric,
    where: Where,
    formulas: Callable[[], set[tuple[int, int]]],
) -> list[Finding]:
    """A warning for every 得分 typed over a formula that differs from the computed score.
    A formula's cached result is ignored: it may be stale or not know a synonym like √."""
    earned = {i.code: i.earned for i in card.items}
    warnings = []
    for parsed in rows:
        code, at = parsed.input.code, (parsed.row, parsed.score_col)
        if parsed.typed_score == "" or parsed.score_col is None or code not in earned:
            continue
        try:
            typed = number_of(parsed.typed_score, L.SCORE)
        except BadCell:
            continue  # a formula's error value or a remark: display only, never scored
        if typed is None:
            continue
        if typed == earned[code] or rounded(typed, 4) == rounded(earned[code], 4):
            continue
        if at in formulas():
            continue
        rule = RULE_LABELS[rubric.item(code).rule.name]
        warnings.append(
            where.finding(
                *at,
                f"条目 {code} 的得分填写为 {fmt(typed, 4)}，按{rule}计算应为 {fmt(earned[code], 4)} 分；"
                "以计算结果为准（该条得分由系统计算，无需手填）",
                Severity.WARNING,
            )
        )
    return warnings
