"""The checklist template (SPEC §4): one .xlsx per unit, written with xlsxwriter.

Every scored item gets a row whose 得分 cell carries a live Excel formula (for every rule
but ``manual``), so the inspector sees the score while filling in. The formulas are a
convenience only: import ignores their results and recomputes every score.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import ceil
from pathlib import Path

import xlsxwriter
import xlsxwriter.exceptions
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from compliance.findings import ComplianceError
from compliance.numbers import fmt
from compliance.rubric import (
    RULE_LABELS,
    Check,
    Deduct,
    Levels,
    Manual,
    Quantity,
    ResolvedRubric,
    ScoredItem,
    describe_rule,
)
from compliance.scoring.results import DROPDOWN, Kind, Result
from compliance.standard import ILLUSTRATIVE_NOTICE
from compliance.units import Unit
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
_ITEM_WIDTHS = (9, 12, 14, 42, 14, 6, 24, 10, 7, 7, 8, 26, 20)
_LINE_HEIGHT = 13  # points per line of 10-point text
_COL = {name: i for i, name in enumerate(L.ITEM_HEADERS)}
_RESULT_HINT = "可填：符合、基本符合、不符合、不适用；也可填 √、△、×、/"


def applies(rubric: ResolvedRubric, unit: Unit) -> bool:
    """Whether ``rubric`` scores units of ``unit``'s type (an empty applies_to scores all)."""
    return not rubric.info.applies_to or unit.type in rubric.info.applies_to


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
    """Write the checklist for ``unit`` to ``path`` (parent folders are created)."""
    path = Path(path)
    if path.is_dir():
        raise ComplianceError(f"输出路径 {path} 是一个文件夹：请给出 .xlsx 文件的路径（整批生成请用 --all）")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    book = xlsxwriter.Workbook(str(partial), _WORKBOOK_OPTIONS)
    styles = _Styles.of(book, rubric.info.precision)
    info = book.add_worksheet(L.INFO_SHEET)
    items = book.add_worksheet(L.ITEMS_SHEET)
    bonus = book.add_worksheet(L.BONUS_SHEET)
    _write_items(items, rubric, styles)
    _write_bonus(bonus, rubric, styles)
    _write_info(info, rubric, unit, styles, kind=kind, round=round, date=date, inspectors=tuple(inspectors))
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
    folder = Path(folder)
    codes = [u.code for u in units]
    unsafe = [c for c in codes if not _SAFE_CODE.match(c)]
    if unsafe:
        raise ComplianceError(f"单位编码不能用作文件名：{'、'.join(unsafe)}（只允许字母、数字、- 和 _）")
    repeated = sorted({c for c in codes if codes.count(c) > 1})
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
    number: Format
    score: Format
    hint: Format
    input: Format
    input_number: Format
    input_score: Format
    input_date: Format

    @classmethod
    def of(cls, book: xlsxwriter.Workbook, precision: int) -> _Styles:
        base = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
        unlocked = {**base, "locked": False, "bg_color": "#FFF9E5"}  # pale yellow marks what to fill in
        decimals = "0." + "0" * precision if precision else "0"

        def make(**props) -> Format:
            return book.add_format(props)

        return cls(
            title=make(bold=True, font_size=14, align="center", valign="vcenter"),
            notice=make(bold=True, font_color="#C00000", text_wrap=True, valign="vcenter"),
            header=make(**base, bold=True, align="center", bg_color="#D9E1F2"),
            label=make(**base, bold=True, bg_color="#F2F2F2"),
            text=make(**base),
            number=make(**base, align="center"),
            score=make(**base, align="center", num_format=decimals),
            hint=make(font_size=9, font_color="#7F7F7F", text_wrap=True, valign="vcenter"),
            input=make(**unlocked),
            input_number=make(**unlocked, align="center"),
            input_score=make(**unlocked, align="center", num_format=decimals),
            input_date=make(**unlocked, num_format="yyyy-mm-dd", align="left"),
        )


# --- 检查表 --------------------------------------------------------------------------


def _excel_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def score_formula(item: ScoredItem, rubric: ResolvedRubric, row: int) -> str | None:
    """The live 得分 formula of ``item`` on sheet row ``row`` (1-based); None for manual."""
    c = {name: f"{col_letter(i)}{row}" for name, i in _COL.items()}
    p, result = c[L.POINTS], c[L.RESULT]
    na = p if rubric.info.na_policy == "full_marks" else "0"
    is_na = f'{result}="{Result.NA}"'
    match item.rule:
        case Check():
            partial = _excel_number(rubric.info.partial_credit)
            return (
                f'=IF({result}="{Result.PASS}",{p},IF({result}="{Result.PARTIAL}",{p}*{partial},'
                f"IF({is_na},{na},0)))"
            )
        case Levels(labels):
            formula = f"IF({is_na},{na},0)"
            for label, fraction in reversed(labels):
                formula = f"IF({result}={_quoted(label)},{p}*{_excel_number(fraction)},{formula})"
            return f"={formula}"
        case Deduct(per):
            count = c[L.COUNT]
            return (
                f'=IF({is_na},{na},IF(AND({result}="",{count}=""),0,'
                f"MAX(0,{p}-{_excel_number(per)}*N({count}))))"
            )
        case Quantity(target, mode):
            v, t = c[L.MEASURED], _excel_number(target)
            earned = f"IF(N({v})>={t},{p},0)" if mode == "threshold" else f"{p}*MIN(1,N({v})/{t})"
            return f'=IF({is_na},{na},IF({v}="",0,{earned}))'
        case Manual():
            return None
    raise AssertionError(item.rule)


def choices(item: ScoredItem) -> list[str]:
    """What the 结论 drop-down of ``item`` offers."""
    if isinstance(item.rule, Levels):
        return [label for label, _ in item.rule.labels] + [Result.NA.value]
    return list(DROPDOWN)


def _rule_text(item: ScoredItem) -> str:
    words = RULE_LABELS[item.rule.name]
    if not isinstance(item.rule, Check):
        words += f"：{describe_rule(item.rule, item.points)}"
    return words + ("；一票否决：不符合则不达标" if item.veto else "")


def _method_text(item: ScoredItem) -> str:
    parts = [item.item.method or "", f"佐证材料：{item.item.evidence}" if item.item.evidence else ""]
    return "\n".join(p for p in parts if p)


def _write_items(ws: Worksheet, rubric: ResolvedRubric, s: _Styles) -> None:
    for col, width in enumerate(_ITEM_WIDTHS):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, L.ITEM_HEADERS, s.header)
    dropdowns: dict[tuple[str, ...], list[int]] = defaultdict(list)
    manual: dict[Decimal, list[int]] = defaultdict(list)
    for row, item in enumerate(rubric.items, start=1):
        _write_item_row(ws, row, item, rubric, s)
        dropdowns[tuple(choices(item))].append(row + 1)
        if isinstance(item.rule, Manual):
            manual[item.points].append(row + 1)
    last = len(rubric.items) + 1
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
                "error_title": "得分超出范围",
                "error_message": f"人工评分的得分应在 0 至 {fmt(points)} 之间",
            },
        )
    for col, validate, what in (
        (L.COUNT, "integer", "不小于 0 的整数"),
        (L.MEASURED, "decimal", "不小于 0 的数"),
    ):
        letter = col_letter(_COL[col])
        ws.data_validation(
            f"{letter}2:{letter}{last}",
            {
                "validate": validate,
                "criteria": ">=",
                "value": 0,
                "error_title": f"{col}无效",
                "error_message": f"{col}应为{what}",
            },
        )
    _page_setup(ws, landscape=True, illustrative=rubric.standard.illustrative)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", _PROTECTION)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` characters wide (a CJK character is
    two). Neither xlsxwriter nor LibreOffice sizes rows to wrapped text, so we do."""
    per_line = max(1.0, width - 2.5)  # cell padding, and a margin for proportional glyphs
    return sum(
        max(1, ceil(sum(2 if ord(ch) >= 0x2E80 else 1 for ch in line) / per_line))
        for line in text.split("\n")
    )


def _write_item_row(ws: Worksheet, row: int, item: ScoredItem, rubric: ResolvedRubric, s: _Styles) -> None:
    texts = {
        L.ASPECT: item.top.name,
        L.SUBITEM: " / ".join(section.name for section in item.sections[1:]),
        L.TEXT: item.text,
        L.METHOD: _method_text(item),
        L.RULE: _rule_text(item),
    }
    lines = max(_lines(text, _ITEM_WIDTHS[_COL[name]]) for name, text in texts.items())
    ws.set_row(row, _LINE_HEIGHT * lines + 4)
    ws.write_string(row, _COL[L.CODE], item.code, s.number)
    for name, text in texts.items():
        ws.write_string(row, _COL[name], text, s.text)
    ws.write_number(row, _COL[L.POINTS], float(item.points), s.number)
    for name in (L.RESULT, L.COUNT, L.MEASURED):
        ws.write_blank(row, _COL[name], None, s.input_number)
    formula = score_formula(item, rubric, row + 1)
    if formula is None:
        ws.write_blank(row, _COL[L.SCORE], None, s.input_score)
    else:
        ws.write_formula(row, _COL[L.SCORE], formula, s.score, 0)
    ws.write_blank(row, _COL[L.NOTE], None, s.input)
    ws.write_blank(row, _COL[L.EVIDENCE], None, s.input)


def _ranges(letter: str, rows: list[int]) -> str:
    """``H``, [2, 3, 4, 6] → ``H2:H4 H6``: consecutive rows as one range."""
    spans: list[list[int]] = []
    for row in rows:
        if spans and spans[-1][1] == row - 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return " ".join(f"{letter}{a}" if a == b else f"{letter}{a}:{letter}{b}" for a, b in spans)


def _dropdown(ws: Worksheet, cells: str, values: list[str]) -> None:
    if sum(len(v) for v in values) + len(values) - 1 > _LIST_LIMIT:
        return  # too long for an in-cell list; the reader still checks every value
    ws.data_validation(
        cells.partition(" ")[0],
        {
            "validate": "list",
            "source": values,
            "multi_range": cells,
            "input_title": "结论",
            "input_message": _RESULT_HINT if values == DROPDOWN else "可填：" + "、".join(values),
            # a warning, not a stop: 结论 also accepts synonyms such as √ and ×
            "error_type": "warning",
            "error_title": "结论不在下拉列表中",
            "error_message": "可填：" + "、".join(values) + "。确定要保留这个值吗？",
        },
    )


def _page_setup(ws: Worksheet, *, landscape: bool, illustrative: bool) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)  # all columns on one page width, as many pages down as needed
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if illustrative:
        ws.set_header('&C&"-,Bold"示例性条文（非官方原文）')


# --- 加分项 --------------------------------------------------------------------------


def _write_bonus(ws: Worksheet, rubric: ResolvedRubric, s: _Styles) -> None:
    for col, width in enumerate((8, 48, 8, 10, 30)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, L.BONUS_HEADERS, s.header)
    items = rubric.bonus_items
    for row, b in enumerate(items, start=1):
        ws.write_string(row, 0, b.code, s.number)
        ws.write_string(row, 1, b.text, s.text)
        ws.write_number(row, 2, float(b.points), s.number)
        ws.write_string(row, 3, L.NO, s.input_number)
        ws.write_blank(row, 4, None, s.input)
    if items:
        ws.data_validation(
            f"D2:D{len(items) + 1}",
            {"validate": "list", "source": [L.YES, L.NO], "error_message": "是否申报应为 是 或 否"},
        )
        cap = rubric.info.bonus.cap
        ws.write_string(
            len(items) + 2, 1, f"加分封顶 {fmt(cap)} 分；加分计入最终得分，不计入达标和等级判定。", s.hint
        )
    else:
        ws.write_string(1, 1, "本评分细则没有加分项。", s.hint)
    _page_setup(ws, landscape=True, illustrative=rubric.standard.illustrative)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", _PROTECTION)


# --- 基本信息 ------------------------------------------------------------------------


def _totals(rubric: ResolvedRubric) -> tuple[str, str | None]:
    """Formulas of the running total (当前得分) and of the bonus claimed so far."""
    n = len(rubric.items) + 1
    sheet = f"'{L.ITEMS_SHEET}'"
    points, result, score = (
        f"{sheet}!{col_letter(_COL[h])}2:{col_letter(_COL[h])}{n}" for h in (L.POINTS, L.RESULT, L.SCORE)
    )
    possible = f"SUM({points})"
    if rubric.info.na_policy == "exclude":
        possible += f'-SUMIF({result},"{Result.NA}",{points})'
    total = _excel_number(rubric.info.total)
    current = f"=IF(({possible})=0,0,ROUND(SUM({score})/({possible})*{total},{rubric.info.precision}))"
    bonus = rubric.info.bonus
    if not rubric.bonus_items or bonus is None:
        return current, None
    m = len(rubric.bonus_items) + 1
    claimed = f"SUMIF('{L.BONUS_SHEET}'!D2:D{m},\"{L.YES}\",'{L.BONUS_SHEET}'!C2:C{m})"
    return current, f"=MIN({_excel_number(bonus.cap)},{claimed})"


def _write_info(
    ws: Worksheet,
    rubric: ResolvedRubric,
    unit: Unit,
    s: _Styles,
    *,
    kind: Kind,
    round: str,
    date: dt.date | None,
    inspectors: tuple[str, ...],
) -> None:
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 46)
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
        (L.ROUND, round, "如 2021H2（年份 + H1 上半年 / H2 下半年）", s.input),
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
    current, bonus = _totals(rubric)
    _info_row(ws, row, L.CURRENT_SCORE, s)
    ws.write_formula(row, 1, current, s.score, 0)
    ws.write_string(
        row,
        2,
        f"满分 {fmt(rubric.total)} 分；实时计算，仅供参考，以导入后系统计算为准",
        s.hint,
    )
    if bonus:
        row += 1
        _info_row(ws, row, L.CURRENT_BONUS, s)
        ws.write_formula(row, 1, bonus, s.score, 0)
        ws.write_string(row, 2, f"封顶 {fmt(rubric.info.bonus.cap)} 分，不计入达标和等级判定", s.hint)
    _page_setup(ws, landscape=False, illustrative=rubric.standard.illustrative)
    ws.protect("", _PROTECTION)
    ws.activate()


def _info_row(ws: Worksheet, row: int, label: str, s: _Styles) -> None:
    ws.set_row(row, 28 if label == L.RUBRIC_HASH else 20)  # the 64-character hash wraps once
    ws.write_string(row, 0, label, s.label)
