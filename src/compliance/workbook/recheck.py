"""The 复查 workbook (SPEC §5 ``recheck``): the checklist of a re-inspection.

Built on the checklist template's vocabulary (:mod:`.layout`, :func:`.template.rule_text`,
:func:`.template.choices`), so the reader takes it like any checklist: 基本信息 with
评估类型 复查, 检查表 with only the items the 考评 lost points on — each with the 考评's
result, score and note beside it, to the right of the columns the reader uses — and 加分项
with the 考评's claims already entered. Importing it carries every other item over from
the 考评 (:func:`compliance.scoring.recheck.carry_over`). The 得分 column is left for import
to compute (the inputs of a 人工评分 item excepted): the sheet holds only some items, so a
running total would not be the unit's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter

from compliance.findings import ComplianceError
from compliance.numbers import fmt
from compliance.rounds import chinese
from compliance.rubric import Manual, ResolvedRubric
from compliance.scoring.inputs import BonusClaim
from compliance.scoring.recheck import recheck_items
from compliance.scoring.results import Kind
from compliance.scoring.scorecard import ScoreCard
from compliance.standard import ILLUSTRATIVE_NOTICE
from compliance.workbook import layout as L
from compliance.workbook.cells import col_letter
from compliance.workbook.template import Sheet, choices, finish, rule_text

_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
_PROTECTION = {"format_columns": True, "format_rows": True}
EARLIER = ("考评结论", "考评得分", "考评问题描述")  # beside the inputs; the reader ignores them
_WIDTHS = (9, 12, 14, 40, 12, 6, 20, 10, 7, 7, 8, 24, 18, 10, 9, 26)
_COL = {name: i for i, name in enumerate(L.ITEM_HEADERS)}


def write_recheck(
    path: Path | str,
    rubric: ResolvedRubric,
    audit: ScoreCard,
    *,
    round: str,
    claims: Iterable[BonusClaim] = (),
    date: dt.date | None = None,
    inspectors: Iterable[str] = (),
) -> Path:
    """Write the 复查 workbook of ``audit`` (the 考评 being re-inspected) for ``round``."""
    items = recheck_items(audit)
    if not items:
        raise ComplianceError(
            f"{audit.meta.unit.code} {audit.meta.unit.name} 的 {chinese(audit.meta.round)}考评各条目均未失分，无需复查"
        )
    path = Path(path)
    if path.is_dir():
        raise ComplianceError(f"输出路径 {path} 是一个文件夹：请给出 .xlsx 文件的路径")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    book = xlsxwriter.Workbook(str(partial), _OPTIONS)
    base = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
    fill = {**base, "locked": False, "bg_color": "#FFF9E5"}
    places = "0." + "0" * rubric.info.precision if rubric.info.precision else "0"
    s = {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "notice": book.add_format({"bold": True, "font_color": "#C00000", "text_wrap": True}),
        "header": book.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9E1F2"}),
        "earlier": book.add_format({**base, "bold": True, "align": "center", "bg_color": "#EDEDED"}),
        "label": book.add_format({**base, "bold": True, "bg_color": "#F2F2F2"}),
        "text": book.add_format(base),
        "grey": book.add_format({**base, "font_color": "#595959", "bg_color": "#F7F7F7"}),
        "number": book.add_format({**base, "align": "center"}),
        "score": book.add_format({**base, "align": "center", "num_format": places}),
        "hint": book.add_format({"font_size": 9, "font_color": "#7F7F7F", "text_wrap": True}),
        "input": book.add_format(fill),
        "input_number": book.add_format({**fill, "align": "center"}),
        "input_score": book.add_format({**fill, "align": "center", "num_format": places}),
        "input_date": book.add_format({**fill, "num_format": "yyyy-mm-dd", "align": "left"}),
    }
    info = book.add_worksheet(L.INFO_SHEET, Sheet)
    sheet = book.add_worksheet(L.ITEMS_SHEET, Sheet)
    bonus = book.add_worksheet(L.BONUS_SHEET, Sheet)
    _info(info, rubric, audit, s, round=round, date=date, inspectors=tuple(inspectors), count=len(items))
    _items(sheet, rubric, audit, items, s)
    _bonus(bonus, rubric, {c.code for c in claims}, s)
    return finish(book, partial, path)


def _page(ws, *, landscape: bool, rubric: ResolvedRubric, unit_line: str) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.8)
    notice = "（示例性条文，非官方原文）" if rubric.standard.illustrative else ""
    ws.set_header(f"&C{unit_line}{notice}")
    ws.set_footer(
        "&L复查人员签字：＿＿＿＿＿＿　被检查单位负责人签字：＿＿＿＿＿＿　日期：＿＿＿＿&R第 &P 页，共 &N 页"
    )


def _info(ws, rubric, audit: ScoreCard, s, *, round: str, date, inspectors, count: int) -> None:
    unit = audit.meta.unit
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 50)
    ws.set_row(0, 28)
    ws.merge_range(0, 0, 0, 2, f"{rubric.info.title} · 复查表", s["title"])
    row = 1
    if rubric.standard.illustrative:
        ws.set_row(row, 36)
        ws.merge_range(row, 0, row, 2, ILLUSTRATIVE_NOTICE, s["notice"])
        row += 1
    earlier = (
        f"{chinese(audit.meta.round)}考评（{audit.meta.date or '日期未填'}）：得分 "
        f"{fmt(audit.score, audit.precision)} / {fmt(audit.total)}，{audit.status}；本表只列失分的 {count} 项，"
        "其余条目导入时沿用考评结果"
    )
    rows = [
        (L.UNIT_CODE, unit.code, "", s["text"]),
        (L.UNIT_NAME, unit.name, "", s["text"]),
        (L.UNIT_TYPE, unit.type, "", s["text"]),
        (L.CITY, unit.city, "", s["text"]),
        (L.DISTRICT, unit.district, "", s["text"]),
        (L.RUBRIC, rubric.id, rubric.info.title, s["text"]),
        (L.RUBRIC_HASH, rubric.content_hash, "评分细则的内容指纹，请勿修改", s["text"]),
        (L.KIND, str(Kind.RECHECK), "复查：对考评失分条目的再次检查", s["text"]),
        (L.ROUND, round, earlier, s["text"]),
        (L.DATE, date, "复查日期，如 2022-03-15", s["input_date"]),
        (L.INSPECTORS, "、".join(inspectors), "复查人员，多人用顿号分隔", s["input"]),
    ]
    for label, value, hint, style in rows:
        ws.set_row(row, 30 if label in (L.RUBRIC_HASH, L.ROUND) else 20)
        ws.write_string(row, 0, label, s["label"])
        if isinstance(value, dt.date):
            ws.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), style)
        elif value:
            ws.write_string(row, 1, value, style)
        else:
            ws.write_blank(row, 1, None, style)
        ws.write_string(row, 2, hint, s["hint"])
        row += 1
    _page(ws, landscape=False, rubric=rubric, unit_line=f"{unit.name} {chinese(round)} 复查")
    ws.protect("", _PROTECTION)
    ws.activate()


def _items(ws, rubric: ResolvedRubric, audit: ScoreCard, items, s) -> None:
    for col, width in enumerate(_WIDTHS):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, L.ITEM_HEADERS, s["header"])
    ws.write_row(0, len(L.ITEM_HEADERS), EARLIER, s["earlier"])
    for row, score in enumerate(items, start=1):
        item = rubric.item(score.code)
        if item is None:  # the 考评 was scored with a rubric version that had this item
            raise ComplianceError(
                f"评分细则 {rubric.version_label} 中没有考评的条目 {score.code}，无法生成复查表"
            )
        ws.set_row(row, 48)
        ws.write_string(row, _COL[L.CODE], item.code, s["number"])
        ws.write_string(row, _COL[L.ASPECT], item.top.name, s["text"])
        ws.write_string(row, _COL[L.SUBITEM], " / ".join(x.name for x in item.sections[1:]), s["text"])
        ws.write_string(row, _COL[L.TEXT], item.text, s["text"])
        ws.write_string(row, _COL[L.METHOD], item.item.method or "", s["text"])
        ws.write_number(row, _COL[L.POINTS], float(item.points), s["number"])
        ws.write_string(row, _COL[L.RULE], rule_text(item, rubric), s["text"])
        for name in (L.RESULT, L.COUNT, L.MEASURED):
            ws.write_blank(row, _COL[name], None, s["input_number"])
        manual = isinstance(item.rule, Manual)
        ws.write_blank(row, _COL[L.SCORE], None, s["input_score"] if manual else s["grey"])
        ws.write_blank(row, _COL[L.NOTE], None, s["input"])
        ws.write_blank(row, _COL[L.EVIDENCE], None, s["input"])
        first = len(L.ITEM_HEADERS)
        ws.write_string(row, first, score.result or str(score.status), s["grey"])
        ws.write_number(row, first + 1, float(audit.points(score.earned)), s["score"])
        ws.write_string(row, first + 2, score.note or "", s["grey"])
        values = choices(item)
        result = f"{col_letter(_COL[L.RESULT])}{row + 1}"
        ws.data_validation(
            result,
            {
                "validate": "list",
                "source": values,
                "error_type": "warning",
                "error_title": "结论不在下拉列表中",
                "error_message": "可填：" + "、".join(values),
            },
        )
    unit = audit.meta.unit
    _page(ws, landscape=True, rubric=rubric, unit_line=f"{unit.name} 复查表")
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.protect("", _PROTECTION)


def _bonus(ws, rubric: ResolvedRubric, claimed: set[str], s) -> None:
    for col, width in enumerate((8, 48, 8, 10, 30)):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, L.BONUS_HEADERS, s["header"])
    for row, b in enumerate(rubric.bonus_items, start=1):
        ws.write_string(row, 0, b.code, s["number"])
        ws.write_string(row, 1, b.text, s["text"])
        ws.write_number(row, 2, float(b.points), s["number"])
        ws.write_string(row, 3, L.YES if b.code in claimed else L.NO, s["input_number"])
        ws.write_blank(row, 4, None, s["input"])
    if rubric.bonus_items:
        ws.write_string(
            len(rubric.bonus_items) + 2, 1, "已按考评时的申报填写；如有变化请修改“是否申报”。", s["hint"]
        )
    else:
        ws.write_string(1, 1, "本评分细则没有加分项。", s["hint"])
    ws.protect("", _PROTECTION)
