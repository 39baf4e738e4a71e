"""The ranking spreadsheet: numbers stay numbers, text stays text — never a formula.

Every text cell is written with ``write_string`` and the workbook refuses to turn
strings into formulas or links, so a unit named ``=HYPERLINK(…)`` is shown, not run.
Each sheet prints as a document: A4 landscape, one page wide, the title and round on
top, the header row repeated on every page, page numbers in the footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from compliance.numbers import rounded
from compliance.reports.ranking_view import RankRow
from compliance.scoring.ranking import Summary
from compliance.workbook.template import finish

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
RANK_HEADERS = (
    ("排名", 6),
    ("单位编码", 12),
    ("单位名称", 26),
    ("所属区", 10),
    ("得分", 9),
    ("加分", 7),
    ("最终得分", 10),
    ("得分率", 9),
    ("等级", 8),
    ("是否达标", 9),
    ("一票否决", 9),
    ("排名变化", 9),
    ("最终得分变化", 12),
)
DISTRICT_HEADERS = (
    ("所属区", 12),
    ("参评单位数", 11),
    ("达标数", 8),
    ("达标率", 9),
    ("平均得分", 10),
    ("最低分", 9),
    ("最高分", 9),
)
RANK_CHANGE_FORMAT = '"↑"0;"↓"0;"持平"'  # +2 → ↑2, −1 → ↓1, 0 → 持平


def _points_format(workbook, cache: dict, places: int):
    if places not in cache:
        cache[places] = workbook.add_format({"num_format": "0." + "0" * places if places else "0"})
    return cache[places]


def _top(workbook, sheet, headers, title: str, lines: Sequence[tuple[str, object]]) -> int:
    """Title, round line and notices above the table; returns the header's row."""
    last = len(headers) - 1
    sheet.set_row(0, 26)
    sheet.merge_range(
        0,
        0,
        0,
        last,
        title,
        workbook.add_format({"bold": True, "font_size": 15, "align": "center", "valign": "vcenter"}),
    )
    row = 1
    for text, style in lines:
        sheet.merge_range(row, 0, row, last, text, style)
        row += 1
    return row


def _header(workbook, sheet, headers, at: int, rows: int) -> None:
    bold = workbook.add_format(
        {"bold": True, "bg_color": "#37474F", "font_color": "#FFFFFF", "border": 1, "text_wrap": True}
    )
    for col, (name, width) in enumerate(headers):
        sheet.write_string(at, col, name, bold)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(at + 1, 0)
    sheet.autofilter(at, 0, at + max(rows, 1), len(headers) - 1)
    sheet.repeat_rows(at)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many down as needed
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def write_ranking_xlsx(
    path: Path,
    rows: Sequence[RankRow],
    districts: Sequence[Summary],
    *,
    title: str = "排名",
    subtitle: str = "",
    notices: Sequence[str] = (),
    has_previous: bool = False,
    about: Sequence[tuple[str, str]] = (),
) -> Path:
    """Sheets 排名 (one row per unit), 区汇总 (district roll-ups, then 合计) and 说明."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    workbook = xlsxwriter.Workbook(str(partial), _OPTIONS)
    points: dict[int, object] = {}
    rate = workbook.add_format({"num_format": "0.00%"})
    share = workbook.add_format({"num_format": "0.0%"})
    change = workbook.add_format({"num_format": RANK_CHANGE_FORMAT, "align": "center"})
    plain = workbook.add_format({"align": "center"})
    line = workbook.add_format({"align": "center", "font_size": 10})
    warn = workbook.add_format({"bold": True, "font_color": "#C00000", "text_wrap": True})
    lines = [(subtitle, line)] if subtitle else []
    lines += [(text, warn) for text in notices]

    sheet = workbook.add_worksheet("排名")
    at = _top(workbook, sheet, RANK_HEADERS, title, lines)
    _header(workbook, sheet, RANK_HEADERS, at, len(rows))
    for r, row in enumerate(rows, start=at + 1):
        fmt = _points_format(workbook, points, row.precision)
        sheet.write_number(r, 0, row.rank, plain)
        for col, text in enumerate((row.unit.code, row.unit.name, row.unit.district), start=1):
            sheet.write_string(r, col, text)
        for col, value in enumerate((row.score, row.bonus, row.final), start=4):
            sheet.write_number(r, col, float(value), fmt)
        sheet.write_number(r, 7, float(row.rate), rate)
        for col, text in enumerate((row.grade, row.status, "是" if row.veto else "否"), start=8):
            sheet.write_string(r, col, text)
        if row.rank_change is not None:
            sheet.write_number(r, 11, row.rank_change, change)
        elif has_previous:
            sheet.write_string(r, 11, "新参评", plain)
        if row.final_change is not None:
            sheet.write_number(r, 12, float(row.final_change), fmt)

    sheet = workbook.add_worksheet("区汇总")
    at = _top(workbook, sheet, DISTRICT_HEADERS, f"{title} · 分区汇总", lines[:1])
    _header(workbook, sheet, DISTRICT_HEADERS, at, len(districts))
    places = max((row.precision for row in rows), default=2)
    fmt = _points_format(workbook, points, places)
    for r, s in enumerate(districts, start=at + 1):
        sheet.write_string(r, 0, s.name)
        sheet.write_number(r, 1, s.assessed)
        sheet.write_number(r, 2, s.passed)
        sheet.write_number(r, 3, float(s.pass_rate), share)
        for col, value in enumerate((s.mean_score, s.min_score, s.max_score), start=4):
            sheet.write_number(r, col, float(rounded(value, places)), fmt)

    sheet = workbook.add_worksheet("说明")
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 90)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    for r, (label, text) in enumerate(about):
        sheet.write_string(r, 0, label)
        sheet.write_string(r, 1, text)
    return finish(workbook, partial, path)
