"""The ranking spreadsheet: numbers stay numbers, text stays text — never a formula.

Every text cell is written with ``write_string`` and the workbook refuses to turn
strings into formulas or links, so a unit named ``=HYPERLINK(…)`` is shown, not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from compliance.numbers import rounded
from compliance.reports.context import RankRow
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


def _points_format(workbook, cache: dict, places: int):
    if places not in cache:
        cache[places] = workbook.add_format({"num_format": "0." + "0" * places if places else "0"})
    return cache[places]


def _header(workbook, sheet, headers, rows: int) -> None:
    bold = workbook.add_format({"bold": True, "bg_color": "#37474F", "font_color": "#FFFFFF", "border": 1})
    for col, (name, width) in enumerate(headers):
        sheet.write_string(0, col, name, bold)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), len(headers) - 1)


def write_ranking_xlsx(
    path: Path,
    rows: Sequence[RankRow],
    districts: Sequence[Summary],
    *,
    about: Sequence[tuple[str, str]] = (),
) -> Path:
    """Sheets 排名 (one row per unit), 区汇总 (district roll-ups, then 合计) and 说明."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    workbook = xlsxwriter.Workbook(str(partial), _OPTIONS)
    points: dict[int, object] = {}
    rate = workbook.add_format({"num_format": "0.00%"})
    share = workbook.add_format({"num_format": "0.0%"})

    sheet = workbook.add_worksheet("排名")
    _header(workbook, sheet, RANK_HEADERS, len(rows))
    for r, row in enumerate(rows, start=1):
        fmt = _points_format(workbook, points, row.precision)
        sheet.write_number(r, 0, row.rank)
        for col, text in enumerate((row.unit.code, row.unit.name, row.unit.district), start=1):
            sheet.write_string(r, col, text)
        for col, value in enumerate((row.score, row.bonus, row.final), start=4):
            sheet.write_number(r, col, float(value), fmt)
        sheet.write_number(r, 7, float(row.rate), rate)
        for col, text in enumerate((row.grade, row.status, "是" if row.veto else "否"), start=8):
            sheet.write_string(r, col, text)
        if row.rank_change is not None:
            sheet.write_number(r, 11, row.rank_change)
        if row.final_change is not None:
            sheet.write_number(r, 12, float(row.final_change), fmt)

    sheet = workbook.add_worksheet("区汇总")
    _header(workbook, sheet, DISTRICT_HEADERS, len(districts))
    places = max((row.precision for row in rows), default=2)
    fmt = _points_format(workbook, points, places)
    for r, s in enumerate(districts, start=1):
        sheet.write_string(r, 0, s.name)
        sheet.write_number(r, 1, s.assessed)
        sheet.write_number(r, 2, s.passed)
        sheet.write_number(r, 3, float(s.pass_rate), share)
        for col, value in enumerate((s.mean_score, s.min_score, s.max_score), start=4):
            sheet.write_number(r, col, float(rounded(value, places)), fmt)

    sheet = workbook.add_worksheet("说明")
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 90)
    for r, (label, text) in enumerate(about):
        sheet.write_string(r, 0, label)
        sheet.write_string(r, 1, text)
    return finish(workbook, partial, path)
