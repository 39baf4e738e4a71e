"""The checklist template (SPEC §4): one .xlsx per unit, written with xlsxwriter.

Every scored item gets a row whose 得分 cell carries a live formula (the input itself for
``manual``) that computes what the engine computes (:mod:`compliance.workbook.formulas`),
and 基本信息 shows the running 当前得分, rate, 达标 and grade. Import ignores the formula
results and recomputes every score; the formulas are there so the squad sees on site the
number the report will show.

What to fill is visible: only the input cells a row's rule reads are unlocked and shaded,
and 评分方式 names them. Printed on A4 landscape, the sheet is a field form: every page's
header names the unit, round and kind, section heading rows group the items, and the
last page has the signature lines.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil
from pathlib import Path

import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from compliance import rounds
from compliance.findings import ComplianceError
from compliance.numbers import fmt
from compliance.rounds import chinese
from compliance.rubric import (
    RULE_LABELS,
    Bands,
    Check,
    Criteria,
    Deduct,
    Levels,
    Manual,
    Quantity,
    ResolvedRubric,
    ScoredItem,
    Shortfall,
)
from compliance.scoring.results import DROPDOWN, Kind, Result
from compliance.scoring.rules import Part, part_code
from compliance.standard import ILLUSTRATIVE_NOTICE
from compliance.units import Unit
from compliance.workbook import formulas as F
from compliance.workbook import layout as L
from compliance.workbook.cells import col_letter

_SAFE_CODE = re.compile(r"^[0-9A-Za-z_-]+$")
_LIST_LIMIT = 255  # Excel's limit on the text of an in-cell drop-down list
_WORKBOOK_OPTIONS = {
    # Text is text: a unit name such as "=HYPERLINK(...)" must never become a formula.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_PROTECTION = {"format_columns": True, "format_rows": True}  # people resize and hide columns
_COL = {name: i for i, name in enumerate(L.ITEM_HEADERS)}
# Widths in characters, by header: A4 landscape holds about 100 at 100 % (no shrinking, so
# text stays ≥ 9 pt on paper). 方面 and 子项 are hidden (heading rows group the items), and
# so is 检查方法 (shown under the item's text); a number column no item of the rubric reads
# is hidden too and its width goes to 问题描述.
_WIDTHS = {
    L.CODE: 6.5,
    L.ASPECT: 12,
    L.SUBITEM: 14,
    L.TEXT: 34,
    L.METHOD: 12,
    L.POINTS: 4.5,
    L.RULE: 18,
    L.RESULT: 6.5,
    L.COUNT: 5,
    L.MEASURED: 5,
    L.SCORE: 5.5,
    L.NOTE: 9,
    L.EVIDENCE: 6,
}
_HIDDEN = (L.ASPECT, L.SUBITEM, L.METHOD)
_TEXT_SIZE = 9  # points: the long texts (标准内容, 评分方式); inputs and headers are 10
_LINE_HEIGHT = 12  # points per line of 9-point text
# Hidden helper columns right of the last header (no header text: the reader ignores them).
_TEXT, _VERDICT, _COUNT, _MEASURED, _TYPED, _EARNED, _POSSIBLE = range(
    len(L.ITEM_HEADERS), len(L.ITEM_HEADERS) + 7
)
_HELPERS = (_TEXT, _VERDICT, _COUNT, _MEASURED, _TYPED, _EARNED, _POSSIBLE)
_INPUT_COLUMN = {"result": L.RESULT, "count": L.COUNT, "measured": L.MEASURED, "score": L.SCORE}
_RESULT_HINT = "可填：符合、基本符合、不符合、不适用；也可填 √、△、×、/"
_TOLERANCE = "1E-12"  # float noise of the sheet's arithmetic; far below any real difference of rates
_SHEET = f"'{L.ITEMS_SHEET}'"
_BONUS = f"'{L.BONUS_SHEET}'"


def applies(rubric: ResolvedRubric, unit: Unit) -> bool:
    """Whether ``rubric`` scores units of ``unit``'s type (an empty applies_to scores all)."""
    return not rubric.info.applies_to or unit.type in rubric.info.applies_to


# Functions of Excel 2007 and earlier: XlsxWriter writes them as they are, with no _xlfn.
# prefix. Every formula the workbooks of this package hold calls only these.
_CLASSIC_FUNCTIONS = frozenset(
    {"ABS", "AND", "CELL", "COUNT", "COUNTIF", "FALSE", "HYPERLINK", "IF", "IFERROR", "ISNUMBER"}
    | {"LEFT", "MAX", "MIN", "NOT", "OR", "ROUND", "SUBSTITUTE", "SUM", "TRUE", "UPPER", "VALUE"}
)
_CALLS = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


class Sheet(Worksheet):
    """A worksheet whose formulas skip XlsxWriter's search for newer functions to prefix:
    some 30 regex substitutions per formula, over formulas of 600 characters, were
    four-fifths of the time a 300-item checklist took to write. A formula that calls
    anything else is prepared by XlsxWriter as usual."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if set(_CALLS.findall(formula)) <= _CLASSIC_FUNCTIONS:
            # the rest of what XlsxWriter's own method does: no array braces, no leading =
            return formula.removeprefix("{").removeprefix("=").removesuffix("}")
        return super()._prepare_formula(formula, expand_future_functions)


def write_template(
    path: Path | str,
    rubric: ResolvedRubric,
    unit: Unit,
    *,
    kind: Kind = Kind.AUDIT,
    round: str = "",
    date: dt.date | None = None,
    inspectors: Iterable[str] = (),
) -> Path:
    """Write the checklist for ``unit`` to ``path`` (parent folders are created). A round
    that is none of the accepted forms (SPEC §2.5) is refused before anything is written;
    the sheet shows it in Chinese (2021年下半年)."""
    shown_round = rounds.parse_round(round).chinese if round else ""
    path = Path(path)
    if path.is_dir():
        raise ComplianceError(f"输出路径 {path} 是一个文件夹：请给出 .xlsx 文件的路径（整批生成请用 --all）")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    book = xlsxwriter.Workbook(str(partial), _WORKBOOK_OPTIONS)
    styles = _Styles.of(book, rubric.info.precision)
    page = _Page(unit, shown_round, kind, rubric)
    info = book.add_worksheet(L.INFO_SHEET, Sheet)
    items = book.add_worksheet(L.ITEMS_SHEET, Sheet)
    bonus = book.add_worksheet(L.BONUS_SHEET, Sheet)
    penalties = book.add_worksheet(L.PENALTY_SHEET, Sheet) if rubric.info.penalties else None
    refs = _write_items(items, rubric, styles, page)
    bonus_rows = _write_bonus(bonus, rubric, styles, page)
    penalty_rows = _write_penalties(penalties, rubric, styles, page) if penalties is not None else None
    _write_info(
        info,
        rubric,
        unit,
        styles,
        page,
        _Totals(rubric, refs, bonus_rows, penalty_rows),
        kind=kind,
        round=shown_round,
        date=date,
        inspectors=tuple(inspectors),
    )
    return finish(book, partial, path)


def finish(book: xlsxwriter.Workbook, partial: Path, path: Path) -> Path:
    """Close ``book`` (written to ``partial``) and move it onto ``path``: a reader never sees
    half a file, and a failure to write is the OSError it is, not xlsxwriter's wrapper."""
    try:
        book.close()
        os.replace(partial, path)
    except xlsxwriter.exceptions.FileCreateError as exc:
        partial.unlink(missing_ok=True)
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        raise OSError(
            getattr(cause, "errno", None), getattr(cause, "strerror", str(exc)), str(path)
        ) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(path)) from None  # name the file the user asked for
    return path


def write_templates(folder: Path | str, rubric: ResolvedRubric, units: Sequence[Unit], **kw) -> list[Path]:
    """One checklist per unit in ``folder``, named ``<unit code>.xlsx`` (never the unit's
    name, which is free text and may hold ``../`` or characters a file system refuses)."""
    if kw.get("round"):
        rounds.parse_round(kw["round"])  # refused before the folder is made
    folder = Path(folder)
    codes = [u.code for u in units]
    unsafe = [c for c in codes if not _SAFE_CODE.match(c)]
    if unsafe:
        raise ComplianceError(f"单位编码不能用作文件名：{'、'.join(unsafe)}（只允许字母、数字、- 和 _）")
    repeated = sorted(c for c, n in Counter(codes).items() if n > 1)
    if repeated:
        raise ComplianceError(f"单位编码重复：{'、'.join(repeated)}")
    return [write_template(folder / f"{u.code}.xlsx", rubric, u, **kw) for u in units]


@dataclass(frozen=True)
class _Styles:
    title: Format
    notice: Format
    header: Format
    label: Format
    text: Format
    small: Format
    number: Format
    score: Format
    rate: Format
    hint: Format
    heading: Format
    subheading: Format
    sign: Format
    unused: Format
    input: Format
    input_number: Format
    input_score: Format
    input_date: Format
    error: Format
    warning: Format

    @classmethod
    def of(cls, book: xlsxwriter.Workbook, precision: int) -> _Styles:
        base = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
        unlocked = {**base, "locked": False, "bg_color": "#FFF2CC"}  # pale yellow: fill this in
        decimals = "0." + "0" * precision if precision else "0"

        def make(**props) -> Format:
            return book.add_format(props)

        return cls(
            title=make(bold=True, font_size=14, align="center", valign="vcenter"),
            notice=make(bold=True, font_color="#C00000", text_wrap=True, valign="vcenter", font_size=10),
            header=make(**base, bold=True, align="center", bg_color="#D9E1F2"),
            label=make(**base, bold=True, bg_color="#F2F2F2"),
            text=make(**base),
            small=make(**base | {"font_size": _TEXT_SIZE}),
            number=make(**base, align="center"),
            score=make(**base, align="center", num_format=decimals),
            rate=make(**base, align="center", num_format="0.00%"),
            hint=make(font_size=9, font_color="#595959", text_wrap=True, valign="vcenter"),
            heading=make(**base, bold=True, bg_color="#DDEBF7"),
            subheading=make(**base, bold=True, bg_color="#F2F2F2"),
            sign=make(font_size=11, valign="bottom"),
            # an input cell this row's rule does not read: locked, and greyed so nobody tries
            unused=make(**base, bg_color="#EDEDED", align="center"),
            input=make(**unlocked),
            input_number=make(**unlocked, align="center"),
            input_score=make(**unlocked, align="center", num_format=decimals),
            input_date=make(**unlocked, num_format="yyyy-mm-dd", align="left"),
            error=make(bg_color="#FFC7CE", font_color="#9C0006", bold=True),
            warning=make(bg_color="#FFD966"),
        )


@dataclass(frozen=True)
class _Page:
    """What every printed page names: the unit, the round and the kind."""

    unit: Unit
    round: str
    kind: Kind
    rubric: ResolvedRubric

    def setup(self, ws: Worksheet, title: str, *, landscape: bool, last_col: int, last_row: int) -> None:
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        ws.set_print_scale(100)  # never shrunk: text stays ≥ 9 pt on paper
        ws.print_area(0, 0, max(last_row, 0), last_col)
        ws.set_margins(
            left=0.4,
            right=0.4,
            top=0.75,
            bottom=0.6,
        )
        ws.set_header(self.header(title))
        footer = f"&L{_escape(self.rubric.info.title[:80])}&C第 &P 页，共 &N 页"
        if self.rubric.standard.illustrative:
            footer += "&R示例性条文（非官方原文）"
        ws.set_footer(footer)

    def header(self, title: str) -> str:
        """``&L`` the unit, ``&C`` round · kind · sheet, ``&R`` the rubric; within Excel's
        255 characters (a long unit name is cut, never the round or the kind)."""
        round_ = chinese(self.round) if self.round else "评估轮次：＿＿＿＿"
        centre = f"&C{_escape(round_[:40])} · {self.kind} · {title}&R{_escape(self.rubric.id)}"
        name = f"{self.unit.name}（{self.unit.code}）"
        room = 255 - len(centre) - 2
        while len(_escape(name)) > room:
            name = name[:-2] + "…"
        return f"&L{_escape(name)}{centre}"


def _escape(text: str) -> str:
    return text.replace("&", "&&")


# --- 检查表 --------------------------------------------------------------------------


def choices(item: ScoredItem) -> list[str]:
    """What the 结论 drop-down of ``item`` offers."""
    if isinstance(item.rule, Levels):
        return [label for label, _ in item.rule.labels] + [Result.NA.value]
    if isinstance(item.rule, Check):
        return list(DROPDOWN)
    return [Result.NA.value]  # the numbers go in their own cell; 结论 only says 不适用


def fill_text(item: ScoredItem) -> str:
    """Which cell to fill, and how: the last line of 评分方式."""
    match item.rule:
        case Check():
            return "填结论：符合 / 基本符合 / 不符合（或 √ △ ×）"
        case Levels(labels):
            return "填结论：" + " / ".join(label for label, _ in labels)
        case Deduct(triggers=triggers) if triggers:
            return "在下方各行填问题数（没有填 0）"
        case Deduct():
            return "填问题数（没有问题填 0）"
        case Quantity(target) | Shortfall(target):
            return (
                f"填实测值（{item.rule.unit}，如 {fmt(target)}）"
                if item.rule.unit
                else f"填实测值（如 {fmt(target)}）"
            )
        case Bands():
            return f"填实测值（{item.rule.unit}）" if item.rule.unit else "填实测值"
        case Criteria():
            return "在下方各行填结论：符合 / 基本符合 / 不符合"
        case Manual():
            return f"填得分（0–{fmt(item.points)} 分）"
    raise AssertionError(item.rule)


def rule_text(item: ScoredItem, rubric: ResolvedRubric) -> str:
    """评分方式: the rule in words (the rubric's own ``scoring_text`` where it has one),
    then the cell to fill."""
    own = getattr(item, "scoring_text", None)  # the rubric's own wording (SPEC v2)
    words = own or RULE_LABELS[item.rule.name] + "：" + _describe(item, rubric)
    if item.section_veto:
        words += "；大项否决：不符合则本大项计 0 分"
    if item.veto:
        words += "；一票否决：不符合则不达标"
    return f"{words}\n▶ {fill_text(item)}"


def _describe(item: ScoredItem, rubric: ResolvedRubric) -> str:
    p = item.points
    rule = item.rule
    if isinstance(rule, Shortfall | Bands | Criteria) or (
        isinstance(rule, Deduct) and (rule.triggers or rule.max_deduct is not None)
    ):
        return rule.describe(p)  # the v2 rules say it themselves
    if isinstance(rule, Levels) and rule.absolute:
        return "、".join(f"{label} {fmt(value)} 分" for label, value in rule.labels)
    match rule:
        case Check():
            partial = p * rubric.info.partial_credit
            return f"符合得 {fmt(p)} 分，基本符合得 {fmt(partial)} 分，不符合不得分"
        case Levels(labels):
            return "、".join(f"{label} {fmt(p * fraction)} 分" for label, fraction in labels)
        case Deduct(per):
            return f"每处扣 {fmt(per)} 分，扣完为止"
        case Quantity(target, "threshold"):
            return f"达到 {fmt(target)} 得 {fmt(p)} 分，否则不得分"
        case Quantity(target, _):
            return f"按实测值 ÷ {fmt(target)} 的比例计分，达到 {fmt(target)} 得满分 {fmt(p)} 分"
        case Manual():
            return f"由检查人员评分（0–{fmt(p)} 分）"
    raise AssertionError(item.rule)


def _method_text(item: ScoredItem) -> str:
    parts = [item.item.method or "", f"佐证材料：{item.item.evidence}" if item.item.evidence else ""]
    return "\n".join(p for p in parts if p)


def _text_and_method(item: ScoredItem) -> str:
    """标准内容 as printed: the item's text, then how it is checked (检查方法 is hidden)."""
    method = "；".join(
        p for p in (item.item.method, item.item.evidence and f"佐证材料：{item.item.evidence}") if p
    )
    return f"{item.text}\n〔{method}〕" if method else item.text


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (a CJK character is
    two). Neither xlsxwriter nor LibreOffice sizes rows to wrapped text, so we do."""
    per_line = max(1.0, (width - 1) * 1.35)  # measured: a width unit holds ~1.45 half-width 9-point glyphs
    return sum(
        max(1, ceil(sum(2 if ord(ch) >= 0x2E80 else 1 for ch in line) / per_line))
        for line in text.split("\n")
    )


@dataclass
class _ItemRefs:
    """Where the items landed: what the running totals on 基本信息 add up."""

    first: int = 0  # 1-based sheet rows
    last: int = 0
    count: int = 0
    veto_rows: list[int] = field(default_factory=list)
    sections: list[tuple[str, int, int]] = field(default_factory=list)  # (top code, first row, last row)
    section_vetoes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # top → rows


def _cell(col: int, row: int) -> str:
    """(0-based column, 1-based row) → ``H12``."""
    return f"{col_letter(col)}{row}"


def row_cells(row: int, parts: int = 0) -> F.RowCells:
    """The cells the formulas of the item on sheet row ``row`` (1-based) read, with the
    helpers of its ``parts`` input rows directly below."""
    return F.RowCells(
        points=_cell(_COL[L.POINTS], row),
        result=_cell(_VERDICT, row),
        text=_cell(_TEXT, row),
        count=_cell(_COUNT, row),
        measured=_cell(_MEASURED, row),
        score=_cell(_TYPED, row),
        parts=tuple(
            F.PartCells(result=_cell(_VERDICT, row + i), count=_cell(_COUNT, row + i))
            for i in range(1, parts + 1)
        ),
    )


def _write_items(ws: Worksheet, rubric: ResolvedRubric, s: _Styles, page: _Page) -> _ItemRefs:
    for name, width in _widths(rubric).items():
        ws.set_column(
            _COL[name], _COL[name], width, s.text if name in _HIDDEN else None, {"hidden": not width}
        )
    ws.set_column(_HELPERS[0], _HELPERS[-1], 10, None, {"hidden": True})
    ws.set_row(0, 20)
    ws.write_row(0, 0, L.ITEM_HEADERS, s.header)
    ctx = F.SheetContext(rubric.info.partial_credit, rubric.info.na_policy)
    labels = F.label_pairs(rubric.items)
    dropdowns: dict[tuple[str, ...], list[int]] = defaultdict(list)
    inputs: dict[str, list[int]] = defaultdict(list)
    manual: dict[Decimal, list[int]] = defaultdict(list)
    refs = _ItemRefs()
    row = 1  # 0-based sheet row being written
    top: str | None = None
    chain: tuple[str, ...] | None = None
    for item in rubric.items:
        if item.top.code != top:
            top = item.top.code
            if refs.sections:
                refs.sections[-1] = (*refs.sections[-1][:2], row)
            points = sum((i.points for i in rubric.items if i.top.code == top), Decimal(0))
            _heading(ws, row, f"{item.top.code}  {item.top.name}（{fmt(points)} 分）", s.heading)
            refs.sections.append((top, row + 2, row + 2))
            row += 1
            chain = None
        sub = tuple(f"{sec.code} {sec.name}" for sec in item.sections[1:])
        if sub and sub != chain:
            _heading(ws, row, " / ".join(sub), s.subheading)
            row += 1
        chain = sub
        _write_item_row(ws, row, item, rubric, s, ctx, labels)
        excel_row = row + 1
        refs.first = refs.first or excel_row
        refs.last = excel_row
        refs.count += 1
        if item.veto:
            refs.veto_rows.append(excel_row)
        if item.section_veto:
            refs.section_vetoes[item.top.code].append(excel_row)
        dropdowns[tuple(choices(item))].append(excel_row)
        for name in F.own_inputs(item):
            inputs[name].append(excel_row)
        if F.typed_score(item):
            manual[item.points].append(excel_row)
        row += 1
        for part in item.parts:  # the input rows of triggers and criteria, directly below
            _write_part_row(ws, row, item, part, s, labels)
            refs.last = row + 1
            if part.column == "result":
                dropdowns[tuple(r.value for r in Result if r is not Result.NA)].append(row + 1)
            inputs[part.column].append(row + 1)
            row += 1
    if refs.sections:
        refs.sections[-1] = (*refs.sections[-1][:2], refs.last)
    _validations(ws, dropdowns, inputs, manual)
    _conditional_formats(ws, refs, s)
    sign_row = _signatures(ws, row + 1, s, first_col=_COL[L.TEXT], last_col=_COL[L.EVIDENCE])
    page.setup(ws, "检查表", landscape=True, last_col=_COL[L.EVIDENCE], last_row=sign_row)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", _PROTECTION)
    return refs


def _widths(rubric: ResolvedRubric) -> dict[str, float]:
    """Column widths of this rubric's sheet; 0 for a hidden column."""
    used = {name for item in rubric.items for name in F.own_inputs(item)}
    used |= {part.column for item in rubric.items for part in item.parts}  # the 2.4/1 rows' inputs
    widths = {name: 0 if name in _HIDDEN else width for name, width in _WIDTHS.items()}
    for name, header in (("count", L.COUNT), ("measured", L.MEASURED)):
        if name not in used:
            widths[L.NOTE] += widths[header]
            widths[header] = 0
    return widths


def _heading(ws: Worksheet, row: int, text: str, style: Format) -> None:
    """A section heading row: the text over the visible columns, nothing the reader reads
    (编号 stays empty, so import skips the row)."""
    ws.set_row(row, 18)
    ws.write_blank(row, _COL[L.CODE], None, style)
    ws.merge_range(row, _COL[L.TEXT], row, _COL[L.EVIDENCE], text, style)


def _write_item_row(
    ws: Worksheet,
    row: int,
    item: ScoredItem,
    rubric: ResolvedRubric,
    s: _Styles,
    ctx: F.SheetContext,
    labels: list[tuple[str, str]],
) -> None:
    texts = {
        L.ASPECT: item.top.name,
        L.SUBITEM: " / ".join(section.name for section in item.sections[1:]),
        L.TEXT: _text_and_method(item),
        L.METHOD: _method_text(item),
        L.RULE: rule_text(item, rubric),
    }
    lines = max(_lines(texts[name], _WIDTHS[name]) for name in (L.TEXT, L.RULE))
    ws.set_row(row, _LINE_HEIGHT * lines + 4)
    ws.write_string(row, _COL[L.CODE], item.code, s.number)
    for name, text in texts.items():
        ws.write_string(row, _COL[name], text, s.small)
    ws.write_number(row, _COL[L.POINTS], float(item.points), s.number)
    used = F.own_inputs(item)
    for name, header in _INPUT_COLUMN.items():
        if header == L.SCORE:
            continue
        ws.write_blank(row, _COL[header], None, s.input_number if name in used else s.unused)
    r = row + 1
    cells = row_cells(r, len(item.parts))
    ref = {name: _cell(_COL[header], r) for name, header in _INPUT_COLUMN.items()}
    _input_helpers(ws, row, ref, used, labels, percent=F.percent_unit(item))
    # import refuses a number cell it cannot read on any of the item's rows, whatever the rule
    unreadable = [_cell(col, r + i) for i in range(len(item.parts) + 1) for col in (_COUNT, _MEASURED)]
    if F.typed_score(item):
        unreadable.append(cells.score)
    refused = ",".join(f'{ref}="{F.BAD}"' for ref in unreadable)
    earned = f"=IF(OR({refused}),{ctx.error},{F.earned_formula(item, cells, ctx)})"
    if F.typed_score(item):
        ws.write_blank(row, _COL[L.SCORE], None, s.input_score)
        ws.write_formula(row, _EARNED, earned, None, "")
    else:
        ws.write_formula(row, _COL[L.SCORE], earned, s.score, "")
        ws.write_formula(row, _EARNED, f"={_cell(_COL[L.SCORE], r)}", None, "")
    ws.write_formula(
        row,
        _POSSIBLE,
        f'=IF({_cell(_EARNED, r)}="{F.NA_MARK}",0,{cells.points})',
        None,
        float(item.points),
    )
    ws.write_blank(row, _COL[L.NOTE], None, s.input)
    ws.write_blank(row, _COL[L.EVIDENCE], None, s.input)


def _input_helpers(
    ws: Worksheet,
    row: int,
    ref: dict[str, str],
    used: Iterable[str],
    labels: list[tuple[str, str]],
    *,
    percent: bool = False,
) -> None:
    """The hidden helpers of one row: its 结论 as import reads it, and its 问题数 and 实测值
    as numbers — always, since import reads them on every row (a 不适用 counts anywhere,
    an unreadable number is refused anywhere) — and its 得分 when ``used`` (manual)."""
    r = row + 1
    ws.write_formula(row, _TEXT, "=" + F.text_formula(ref["result"], labels), None, "")
    ws.write_formula(row, _VERDICT, "=" + F.verdict_formula(_cell(_TEXT, r)), None, "")
    for name, col in (("count", _COUNT), ("measured", _MEASURED), ("score", _TYPED)):
        if name != "score" or name in used:
            formula = F.number_formula(ref[name], percent=percent and name == "measured")
            ws.write_formula(row, col, "=" + formula, None, "")


def _write_part_row(
    ws: Worksheet, row: int, item: ScoredItem, part: Part, s: _Styles, labels: list[tuple[str, str]]
) -> None:
    """An input row under ``item`` (a trigger's 问题数, a criterion's 结论), coded ``2.4/1``:
    no 分值 and no 得分 of its own (the item's row scores it), so nothing counts twice."""
    if part.column == "count":
        rule, fill = f"每次（件）扣 {fmt(part.points)} 分", "填问题数（没有填 0）"
    else:
        rule, fill = f"本分项 {fmt(part.points)} 分：符合得满分，基本符合得部分分，不符合不得分", "填结论"
    texts = {L.TEXT: part.text, L.RULE: f"{rule}\n▶ {fill}"}
    lines = max(_lines(text, _WIDTHS[name]) for name, text in texts.items())
    ws.set_row(row, _LINE_HEIGHT * lines + 4)
    ws.write_string(row, _COL[L.CODE], part_code(item.code, part.index), s.number)
    for name, text in texts.items():
        ws.write_string(row, _COL[name], text, s.small)
    ws.write_blank(row, _COL[L.POINTS], None, s.number)
    for name, header in _INPUT_COLUMN.items():
        if header != L.SCORE:
            ws.write_blank(row, _COL[header], None, s.input_number if name == part.column else s.unused)
    ws.write_blank(row, _COL[L.SCORE], None, s.score)
    ws.write_blank(row, _COL[L.NOTE], None, s.input)
    ws.write_blank(row, _COL[L.EVIDENCE], None, s.input)
    ref = {name: _cell(_COL[header], row + 1) for name, header in _INPUT_COLUMN.items()}
    _input_helpers(ws, row, ref, (part.column,), labels)


def _ranges(letter: str, rows: list[int]) -> str:
    """``H``, [2, 3, 4, 6] → ``H2:H4 H6``: consecutive rows as one range."""
    spans: list[list[int]] = []
    for row in rows:
        if spans and spans[-1][1] == row - 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return " ".join(f"{letter}{a}" if a == b else f"{letter}{a}:{letter}{b}" for a, b in spans)


def _validations(
    ws: Worksheet,
    dropdowns: dict[tuple[str, ...], list[int]],
    inputs: dict[str, list[int]],
    manual: dict[Decimal, list[int]],
) -> None:
    for values, rows in dropdowns.items():
        _dropdown(ws, _ranges(col_letter(_COL[L.RESULT]), rows), list(values))
    for points, rows in manual.items():
        cells = _ranges(col_letter(_COL[L.SCORE]), rows)
        ws.data_validation(
            cells.partition(" ")[0],
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": int(points) if points == points.to_integral_value() else float(points),
                "multi_range": cells,
                "input_title": "得分",
                "input_message": f"人工评分：填 0 至 {fmt(points)} 之间的分数",
                "error_title": "得分超出范围",
                "error_message": f"人工评分的得分应在 0 至 {fmt(points)} 之间",
            },
        )
    for name, validate, what, example in (
        ("count", "integer", "不小于 0 的整数", "没有问题填 0"),
        ("measured", "decimal", "不小于 0 的数", "如 95.2"),
    ):
        rows = inputs.get(name)
        if not rows:
            continue
        header = _INPUT_COLUMN[name]
        cells = _ranges(col_letter(_COL[header]), rows)
        ws.data_validation(
            cells.partition(" ")[0],
            {
                "validate": validate,
                "criteria": ">=",
                "value": 0,
                "multi_range": cells,
                "input_title": header,
                "input_message": f"填{header}：{what}（{example}）",
                "error_title": f"{header}无效",
                "error_message": f"{header}应为{what}",
            },
        )


def _dropdown(ws: Worksheet, cells: str, values: list[str]) -> None:
    if sum(len(v) for v in values) + len(values) - 1 > _LIST_LIMIT:
        return  # too long for an in-cell list; the reader still checks every value
    if values == DROPDOWN:
        message = _RESULT_HINT
    elif values == [Result.NA.value]:
        message = "本条的分数由右边的数值计算；整条不适用时在这里填“不适用”"
    else:
        message = "可填：" + "、".join(values)
    ws.data_validation(
        cells.partition(" ")[0],
        {
            "validate": "list",
            "source": values,
            "multi_range": cells,
            "input_title": "结论",
            "input_message": message,
            # a warning, not a stop: 结论 also accepts synonyms such as √ and ×
            "error_type": "warning",
            "error_title": "结论不在下拉列表中",
            "error_message": "可填：" + "、".join(values) + "。确定要保留这个值吗？",
        },
    )


def _conditional_formats(ws: Worksheet, refs: _ItemRefs, s: _Styles) -> None:
    """An input the engine would refuse turns its row's input cells red; 结论 符合 with a
    问题数 above 0 (a contradiction import warns about) turns them amber."""
    if not refs.count:
        return
    first, last = refs.first, refs.last
    earned, verdict, count = (col_letter(c) for c in (_EARNED, _VERDICT, _COUNT))
    span = f"{col_letter(_COL[L.RESULT])}{first}:{col_letter(_COL[L.SCORE])}{last}"
    ws.conditional_format(
        span, {"type": "formula", "criteria": f'=${earned}{first}="{F.ERROR_MARK}"', "format": s.error}
    )
    ws.conditional_format(
        f"{col_letter(_COL[L.RESULT])}{first}:{col_letter(_COL[L.COUNT])}{last}",
        {
            "type": "formula",
            "criteria": f'=AND(${verdict}{first}="{Result.PASS}",ISNUMBER(${count}{first}),${count}{first}>0)',
            "format": s.warning,
        },
    )


def _signatures(ws: Worksheet, row: int, s: _Styles, *, first_col: int, last_col: int) -> int:
    """The signature lines of the form, from ``row`` on; returns the last row written.
    Written over columns the reader never reads, so import skips these rows."""
    inspector, head, date = L.SIGNATURES
    lines = (
        f"{inspector}：＿＿＿＿＿＿＿＿＿＿　　　　{head}：＿＿＿＿＿＿＿＿＿＿",
        f"{date}：＿＿＿＿年＿＿月＿＿日",
    )
    for offset, text in enumerate(lines):
        ws.set_row(row + offset, 30)
        ws.merge_range(row + offset, first_col, row + offset, last_col, text, s.sign)
    return row + len(lines) - 1


# --- 加分项 --------------------------------------------------------------------------

_BONUS_HELPERS = (6, 7, 8)  # hidden: normalised 是否申报, its verdict, the points claimed


@dataclass(frozen=True)
class _BonusRows:
    first: int
    last: int  # 1-based; last < first when the rubric has no bonus items


def _write_bonus(ws: Worksheet, rubric: ResolvedRubric, s: _Styles, page: _Page) -> _BonusRows:
    for col, width in enumerate((7, 50, 6, 9, 28)):
        ws.set_column(col, col, width)
    ws.set_column(_BONUS_HELPERS[0], _BONUS_HELPERS[-1], 10, None, {"hidden": True})
    ws.write_row(0, 0, L.BONUS_HEADERS, s.header)
    items = rubric.bonus_items
    text, verdict, claimed = _BONUS_HELPERS
    for row, b in enumerate(items, start=1):
        r = row + 1
        ws.write_string(row, 0, b.code, s.number)
        ws.write_string(row, 1, b.text, s.text)
        ws.write_number(row, 2, float(b.points), s.number)
        ws.write_string(row, 3, L.NO, s.input_number)
        ws.write_blank(row, 4, None, s.input)
        ws.write_formula(row, text, "=" + F.text_formula(f"D{r}"), None, L.NO)
        ws.write_formula(row, verdict, "=" + F.verdict_formula(_cell(text, r)), None, Result.FAIL.value)
        v = _cell(verdict, r)
        ws.write_formula(
            row,
            claimed,
            f'=IF({v}="{Result.PASS}",C{r},IF(OR({v}="{Result.FAIL}",{v}=""),0,"{F.ERROR_MARK}"))',
            None,
            0,
        )
    last = len(items) + 1
    if items:
        ws.data_validation(
            f"D2:D{last}",
            {"validate": "list", "source": [L.YES, L.NO], "error_message": "是否申报应为 是 或 否"},
        )
        ws.conditional_format(
            f"D2:D{last}",
            {"type": "formula", "criteria": f'=${col_letter(claimed)}2="{F.ERROR_MARK}"', "format": s.error},
        )
        cap = rubric.info.bonus.cap
        ws.write_string(
            last + 1, 1, f"加分封顶 {fmt(cap)} 分；加分计入最终得分，不计入达标和等级判定。", s.hint
        )
    else:
        ws.write_string(1, 1, "本评分细则没有加分项。", s.hint)
    sign_row = _signatures(ws, last + 3, s, first_col=1, last_col=4)
    page.setup(ws, "加分项", landscape=True, last_col=4, last_row=sign_row)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", _PROTECTION)
    return _BonusRows(2, last)


# --- 减分项 --------------------------------------------------------------------------


_PENALTY_HELPERS = (6, 7)  # hidden: the number of 次数, the deduction it makes


def _write_penalties(ws: Worksheet, rubric: ResolvedRubric, s: _Styles, page: _Page) -> _BonusRows:
    """减分项 (SPEC §4): 编号, 减分事项, 每次扣分, 次数, 说明; 次数 is the input (blank is 0)."""
    for col, width in enumerate((7, 50, 8, 7, 28)):
        ws.set_column(col, col, width)
    ws.set_column(_PENALTY_HELPERS[0], _PENALTY_HELPERS[-1], 10, None, {"hidden": True})
    ws.write_row(0, 0, L.PENALTY_HEADERS, s.header)
    items = rubric.penalty_items
    count, amount = _PENALTY_HELPERS
    ctx = F.SheetContext(rubric.info.partial_credit, rubric.info.na_policy)
    for row, item in enumerate(items, start=1):
        r = row + 1
        ws.write_string(row, 0, item.code, s.number)
        ws.write_string(row, 1, item.text, s.text)
        ws.write_number(row, 2, float(item.per), s.number)
        ws.write_blank(row, 3, None, s.input_number)
        ws.write_blank(row, 4, None, s.input)
        ws.write_formula(row, count, "=" + F.number_formula(f"D{r}"), None, "")
        n = _cell(count, r)
        ws.write_formula(
            row, amount, f'=IF({n}="",0,IF({ctx.invalid_count(n)},{ctx.error},C{r}*{n}))', None, 0
        )
    last = len(items) + 1
    ws.data_validation(
        f"D2:D{last}",
        {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "input_title": "次数",
            "input_message": "填发生的次数（整数）；未发生可不填",
            "error_title": "次数无效",
            "error_message": "次数应为不小于 0 的整数（未发生可不填）",
        },
    )
    ws.conditional_format(
        f"D2:D{last}",
        {"type": "formula", "criteria": f'=${col_letter(amount)}2="{F.ERROR_MARK}"', "format": s.error},
    )
    cap = rubric.info.penalties.cap
    ws.write_string(
        last + 1,
        1,
        f"填写发生的次数，未发生可不填；减分合计封顶 {fmt(cap)} 分，从得分中扣除，并计入达标和等级判定。",
        s.hint,
    )
    sign_row = _signatures(ws, last + 3, s, first_col=1, last_col=4)
    page.setup(ws, "减分项", landscape=True, last_col=4, last_row=sign_row)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", _PROTECTION)
    return _BonusRows(2, last)


# --- 基本信息 ------------------------------------------------------------------------


class _Totals:
    """The formulas of the running results on 基本信息, as the engine computes them (SPEC
    §3.2 with the v2 additions) with ``--allow-incomplete``: a row not filled in earns 0 and
    counts as possible. Intermediate values sit in hidden cells of column E, named by ``at``."""

    def __init__(
        self, rubric: ResolvedRubric, items: _ItemRefs, bonus: _BonusRows, penalties: _BonusRows | None
    ):
        self.rubric = rubric
        self.items = items
        self.bonus = bonus
        self.penalties = penalties

    def _range(self, col: int, first: int | None = None, last: int | None = None) -> str:
        letter = col_letter(col)
        return f"{_SHEET}!{letter}{first or self.items.first}:{letter}{last or self.items.last}"

    def helpers(self) -> list[tuple[str, str]]:
        """(name, formula) of the hidden intermediate values, in order (later ones use
        earlier ones through ``self.at``, which the writer fills in as it goes)."""
        info = self.rubric.info
        if not self.items.count:
            return []
        earned = self._range(_EARNED)
        bad, na = F.quoted(F.ERROR_MARK), F.quoted(F.NA_MARK)
        out = [
            ("有误", f"=COUNTIF({earned},{bad})"),
            ("已填", f"=COUNT({earned})+COUNTIF({earned},{na})"),
        ]
        # per top-level section: earned (0 when a section veto struck), possible, rate ("" = none)
        for n, (top, first, last) in enumerate(self.items.sections):
            struck = ",".join(
                f'{_SHEET}!{_cell(_VERDICT, r)}="{Result.FAIL}"' for r in self.items.section_vetoes[top]
            )
            e, p = self._range(_EARNED, first, last), self._range(_POSSIBLE, first, last)
            vetoed = f"OR({struck})" if struck else "FALSE()"
            out += [
                (f"否决{n}", f"={vetoed}"),
                (f"实得{n}", f"=IF(E{{否决{n}}},0,SUM({e}))"),
                (f"应得{n}", f"=SUM({p})"),
                (f"得分率{n}", f'=IF(E{{否决{n}}},0,IF(E{{应得{n}}}=0,"",E{{实得{n}}}/E{{应得{n}}}))'),
            ]
        tops = range(len(self.items.sections))
        out += [
            ("实得分", "=" + "+".join(f"E{{实得{n}}}" for n in tops)),
            ("应得分", "=" + "+".join(f"E{{应得{n}}}" for n in tops)),
        ]
        weights = self.rubric.weights
        if weights is None:
            out += [
                ("可算", "=E{应得分}<>0"),
                ("得分率", '=IF(E{可算},E{实得分}/E{应得分},"")'),
                ("原始得分", f'=IF(E{{可算}},E{{实得分}}*{F.excel_number(info.total)}/E{{应得分}},"")'),
            ]
        else:
            w = [F.excel_number(weights[top]) for top, _, _ in self.items.sections]
            rated = "+".join(f'IF(E{{得分率{n}}}="",0,{w[n]})' for n in tops)
            weighted = "+".join(f'IF(E{{得分率{n}}}="",0,{w[n]}*E{{得分率{n}}})' for n in tops)
            out += [
                ("权重和", f"={rated}"),
                ("可算", "=E{权重和}>0"),
                ("得分率", f'=IF(E{{可算}},({weighted})/E{{权重和}},"")'),
                ("原始得分", f'=IF(E{{可算}},E{{得分率}}*{F.excel_number(info.total)},"")'),
            ]
        for name, rows, helper, cap in (
            (
                "加分",
                self.bonus,
                f"{_BONUS}!{col_letter(_BONUS_HELPERS[2])}",
                info.bonus.cap if info.bonus else 0,
            ),
            (
                "减分",
                self.penalties,
                f"'{L.PENALTY_SHEET}'!{col_letter(_PENALTY_HELPERS[1])}",
                info.penalties.cap if info.penalties else 0,
            ),
        ):
            if rows is not None and rows.last >= rows.first:
                cells = f"{helper}{rows.first}:{helper}{rows.last}"
                out += [
                    (f"{name}有误", f"=COUNTIF({cells},{bad})"),
                    (name, f"=MIN({F.excel_number(Decimal(cap))},SUM({cells}))"),
                ]
            else:
                out += [(f"{name}有误", "=0"), (name, "=0")]
        veto = ",".join(f'{_SHEET}!{_cell(_VERDICT, r)}="{Result.FAIL}"' for r in self.items.veto_rows)
        out.append(("否决", f"=OR({veto})" if veto else "=FALSE()"))
        # 达标 and the grade use the adjusted rate when the rubric has penalties
        total = F.excel_number(info.total)
        judged = "E{得分率}" if info.penalties is None else f"MAX(0,E{{原始得分}}-E{{减分}})/{total}"
        out.append(("判定得分率", f'=IF(E{{可算}},{judged},"")'))
        return out

    def results(self) -> list[tuple[str, str, str, str]]:
        """(label, formula, style name, hint) of the visible running results."""
        info = self.rubric.info
        if not self.items.count:
            return []
        prec = info.precision
        pending = F.quoted(L.PENDING)
        errors = "E{有误}+E{加分有误}+E{减分有误}"
        unweighted = self.rubric.weights is None
        nothing = "无法计算：全部不适用" if unweighted else "无法计算：各大项均无适用条目"
        score = (
            f'=IF({errors}>0,"{F.ERROR_MARK}（"&({errors})&" 处）",IF(E{{已填}}=0,{pending},'
            f'IF(NOT(E{{可算}}),"{nothing}",ROUND(E{{原始得分}},{prec}))))'
        )
        ok = "ISNUMBER(B{当前得分})"
        rows = [
            (
                L.CURRENT_SCORE,
                score,
                "score",
                f"满分 {fmt(info.total)} 分；随填随算，未填的条目按 0 分计，以导入后系统计算为准",
            ),
            (L.RATE, f'=IF({ok},E{{得分率}},"")', "rate", _rate_hint(self.rubric)),
        ]
        if self.rubric.bonus_items:
            rows.append(
                (
                    L.CURRENT_BONUS,
                    f'=IF(E{{加分有误}}>0,"{F.ERROR_MARK}",IF(E{{已填}}=0,{pending},ROUND(E{{加分}},{prec})))',
                    "score",
                    f"封顶 {fmt(info.bonus.cap)} 分，不计入达标和等级判定",
                )
            )
        if info.penalties is not None:
            rows.append(
                (
                    L.CURRENT_PENALTY,
                    f'=IF(E{{减分有误}}>0,"{F.ERROR_MARK}",IF(E{{已填}}=0,{pending},ROUND(E{{减分}},{prec})))',
                    "score",
                    f"封顶 {fmt(info.penalties.cap)} 分，从得分中扣除，计入达标和等级判定",
                )
            )
        if self.rubric.bonus_items or info.penalties is not None:
            rows.append(
                (
                    L.FINAL_SCORE,
                    f'=IF({ok},ROUND(MAX(0,E{{原始得分}}+E{{加分}}-E{{减分}}),{prec}),"")',
                    "score",
                    "得分"
                    + (" + 加分" if self.rubric.bonus_items else "")
                    + (" − 减分" if info.penalties else ""),
                )
            )
        if info.pass_ is None:
            rows.append((L.STATUS, f'=IF({ok},"—","")', "number", "本评分细则未设达标线"))
        else:
            conditions = [
                f"E{{判定得分率}}>={F.excel_number(info.pass_.min_rate)}-{_TOLERANCE}",
                "NOT(E{否决})",
            ]
            msr = info.pass_.min_section_rate
            if msr is not None:
                for n in range(len(self.items.sections)):
                    conditions.append(
                        f'IF(E{{得分率{n}}}="",TRUE(),E{{得分率{n}}}>={F.excel_number(msr)}-{_TOLERANCE})'
                    )
            rows.append(
                (
                    L.STATUS,
                    f'=IF({ok},IF(AND({",".join(conditions)}),"达标","不达标"),"")',
                    "number",
                    _pass_hint(self.rubric),
                )
            )
        if info.grades:
            grade = F.quoted(info.grades[-1].name)
            for g in reversed(info.grades[:-1]):
                line = f"E{{判定得分率}}>={F.excel_number(g.min_rate)}-{_TOLERANCE}"
                grade = f"IF({line},{F.quoted(g.name)},{grade})"
            grade = f"IF(E{{否决}},{F.quoted(info.grades[-1].name)},{grade})"
            rows.append((L.GRADE, f'=IF({ok},{grade},"")', "number", ""))
        blank = f"{self.items.count}-E{{已填}}-E{{有误}}"
        rows.append(("未填条目", f"=IF({blank}>0,{blank},0)", "number", "尚未填写的条目数；全部填完才能导入"))
        return rows


def _rate_hint(rubric: ResolvedRubric) -> str:
    weights = rubric.weights
    if weights:
        parts = "、".join(f"{code} 占 {fmt(w * 100)}%" for code, w in weights.items())
        return f"各{rubric.standard.standard.levels[0]}得分率加权：{parts}"
    return f"达标线 {fmt(rubric.info.pass_.min_rate * 100)}%" if rubric.info.pass_ else ""


_PENDING_FIRST = (L.CURRENT_SCORE, L.CURRENT_BONUS, L.CURRENT_PENALTY)  # 待填 until anything is filled in
_NAMED = re.compile(r"[EB]\{[^}]+\}")  # E{name}: a hidden intermediate value; B{label}: a result


def _pass_hint(rubric: ResolvedRubric) -> str:
    rule = rubric.info.pass_
    rate = "扣除减分后的得分率" if rubric.info.penalties is not None else "得分率"
    parts = [f"{rate} ≥ {fmt(rule.min_rate * 100)}%"]
    if rule.min_section_rate is not None:
        parts.append(f"各{rubric.standard.standard.levels[0]}得分率 ≥ {fmt(rule.min_section_rate * 100)}%")
    if any(i.veto for i in rubric.items):
        parts.append("无一票否决")
    return "达标条件：" + "，且".join(parts)


def _write_info(
    ws: Worksheet,
    rubric: ResolvedRubric,
    unit: Unit,
    s: _Styles,
    page: _Page,
    totals: _Totals,
    *,
    kind: Kind,
    round: str,
    date: dt.date | None,
    inspectors: tuple[str, ...],
) -> None:
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 44)
    ws.set_column(3, 4, 12, None, {"hidden": True})
    ws.set_row(0, 28)
    ws.merge_range(0, 0, 0, 2, f"{rubric.info.title} · 检查表", s.title)
    row = 1
    if rubric.standard.illustrative:
        ws.set_row(row, 36)
        ws.merge_range(row, 0, row, 2, ILLUSTRATIVE_NOTICE, s.notice)
        row += 1
    # (label, value, hint, style): the unit and rubric are fixed, the rest is filled in
    rows = [
        (L.UNIT_CODE, unit.code, "", s.text),
        (L.UNIT_NAME, unit.name, "", s.text),
        (L.UNIT_TYPE, unit.type, "", s.text),
        (L.CITY, unit.city, "", s.text),
        (L.DISTRICT, unit.district, "", s.text),
        (L.RUBRIC, rubric.id, rubric.info.title, s.text),
        (L.RUBRIC_HASH, rubric.content_hash, "评分细则的内容指纹，请勿修改", s.text),
        (L.KIND, str(kind), "自评 / 考评 / 复查", s.input),
        (L.ROUND, round, "如 2021年下半年、2021H2、2021年第三季度、2021年3月", s.input),
        (L.DATE, date, "如 2024-06-30", s.input_date),
        (L.INSPECTORS, "、".join(inspectors), "多人用顿号分隔，如 张三、李四", s.input),
    ]
    for label, value, hint, style in rows:
        _info_row(ws, row, label, s)
        if isinstance(value, dt.date):
            ws.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), style)
        elif value:
            ws.write_string(row, 1, value, style)
        else:
            ws.write_blank(row, 1, None, style)
        ws.write_string(row, 2, hint, s.hint)
        if label == L.KIND:
            kinds = [k.value for k in Kind]
            ws.data_validation(
                row,
                1,
                row,
                1,
                {"validate": "list", "source": kinds, "error_message": "评估类型应为 自评、考评 或 复查"},
            )
        row += 1
    # hidden intermediate values (column D names them, E holds them), beside the results;
    # formulas name them E{name}, and a result B{label}
    helpers, results = totals.helpers(), totals.results()
    at = {f"E{{{name}}}": f"$E${row + i + 1}" for i, (name, _) in enumerate(helpers)}
    at |= {f"B{{{label}}}": f"$B${row + i + 1}" for i, (label, *_) in enumerate(results)}

    def resolved(formula: str) -> str:
        return _NAMED.sub(lambda m: at[m[0]], formula)

    for offset, (name, formula) in enumerate(helpers):
        ws.write_string(row + offset, 3, name)
        ws.write_formula(row + offset, 4, resolved(formula), None, "")
    styles = {"score": s.score, "rate": s.rate, "number": s.number}
    for label, formula, style, hint in results:
        _info_row(ws, row, label, s)
        ws.write_formula(
            row, 1, resolved(formula), styles[style], L.PENDING if label in _PENDING_FIRST else ""
        )
        ws.write_string(row, 2, hint, s.hint)
        row += 1
    page.setup(ws, "基本信息", landscape=True, last_col=2, last_row=row)
    ws.protect("", _PROTECTION)
    ws.activate()


def _info_row(ws: Worksheet, row: int, label: str, s: _Styles) -> None:
    ws.set_row(row, 28 if label == L.RUBRIC_HASH else 20)  # the 64-character hash wraps once
    ws.write_string(row, 0, label, s.label)
