"""Builders shared by the workbook tests (imported by them; holds no tests itself).

``fill`` types an inspector's entries into a template the way Excel would (openpyxl,
columns found by header text); ``GOOD`` is a complete filling of the mini rubric whose
totals are worked out by hand in ``GOOD_TOTALS``.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from compliance.units import Unit, UnitsFile
from compliance.workbook import write_template

WENFENG = Unit(
    code="320602001", name="文峰街道综合执法队", type="街道综合执法队", city="南通市", district="崇川区"
)
CHENGDONG = Unit(
    code="320602002", name="城东街道综合执法队", type="街道综合执法队", city="南通市", district="崇川区"
)
UNITS = UnitsFile(units=[WENFENG, CHENGDONG])

# code → {header: value}; the mini rubric has one item of every rule.
GOOD = {
    "1.1.1": {"结论": "符合"},  # check 10 → 10
    "1.1.2": {"问题数": 3},  # deduct 30, 2 per problem → 24
    "2.1.1": {"实测值": 15},  # quantity 20, target 20, proportional → 15
    "2.1.2": {"结论": "较好"},  # levels 20 × 0.8 → 16
    "2.1.3": {"得分": 7, "问题描述": "台账不全"},  # manual 10 → 7
    "2.1.4": {"结论": "基本符合"},  # check 10 × 0.5 → 5
    "3.1.1": {"结论": "符合"},  # veto, 0 points
}
GOOD_INFO = {"检查日期": "2024年6月30日", "检查人员": "张三、李四"}
GOOD_BONUS = {"J1": "是"}  # 3 points, cap 5
GOOD_TOTALS = {
    "earned": 77.0,
    "possible": 100.0,
    "rate": 0.77,
    "score": 77.0,
    "bonus": 3.0,
    "final": 80.0,
    "status": "不达标",  # 77 % < 90 %
    "grade": "合格",
    "veto": False,
    "not_inspected": 0,
}
ITEMS_SHEET, INFO_SHEET, BONUS_SHEET = "检查表", "基本信息", "加分项"


def template(folder: Path, rubric, unit: Unit = WENFENG, name: str = "template.xlsx", **kw) -> Path:
    kw.setdefault("round", "2024年度")
    return write_template(folder / name, rubric, unit, **kw)


def header_columns(ws, row: int = 1) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value is not None}


def code_rows(ws) -> dict[str, int]:
    code = header_columns(ws)["编号"]
    return {ws.cell(r, code).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, code).value}


def info_cell(ws, label: str):
    """The value cell right of ``label`` in 基本信息."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == label:
                return ws.cell(cell.row, cell.column + 1)
    raise KeyError(label)


def fill(
    path: Path,
    entries: dict[str, dict] | None = None,
    *,
    info: dict[str, object] | None = None,
    bonus: dict[str, str] | None = None,
    out: Path | None = None,
) -> Path:
    """Type entries into the checklist at ``path`` (saved to ``out`` or in place)."""
    book = openpyxl.load_workbook(path)
    ws = book[ITEMS_SHEET]
    cols, rows = header_columns(ws), code_rows(ws)
    for code, values in (GOOD if entries is None else entries).items():
        for header, value in values.items():
            ws.cell(rows[code], cols[header]).value = value
    for label, value in (GOOD_INFO if info is None else info).items():
        info_cell(book[INFO_SHEET], label).value = value
    sheet = book[BONUS_SHEET]
    bonus_rows = code_rows(sheet)
    for code, value in (GOOD_BONUS if bonus is None else bonus).items():
        sheet.cell(bonus_rows[code], header_columns(sheet)["是否申报"]).value = value
    target = out or path
    book.save(target)
    return target


def good_workbook(folder: Path, rubric, **kw) -> Path:
    return fill(template(folder, rubric), **kw)


def only_errors(findings) -> list[str]:
    return [str(f) for f in findings if f.is_error]


# --- workbooks built from scratch, for layouts the template never makes ----------------

HEADERS = (
    "编号",
    "方面",
    "子项",
    "标准内容",
    "检查方法",
    "分值",
    "评分方式",
    "结论",
    "问题数",
    "实测值",
    "得分",
    "问题描述",
    "佐证材料",
)
BULK_HEADERS = ("单位编码", "评估类型", "评估轮次", "编号", "结论", "问题数", "实测值", "得分")


def build(path: Path, sheets: dict[str, list[list]], *, merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook of ``{sheet: rows}``; a value ``("=formula", cached)`` is a formula with
    its cached result, None an empty cell. Written with xlsxwriter, text stays text."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):
                    ws.write_formula(r, c, value[0], None, value[1])
                elif value is not None:
                    ws.write(r, c, value)
        for ref in (merges or {}).get(name, ()):
            first = ref.split(":")[0]
            ws.merge_range(ref, rows_value(rows, first))
    book.close()
    return path


def rows_value(rows: list[list], ref: str):
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, number = coordinate_from_string(ref)
    row = rows[number - 1]
    col = column_index_from_string(letters) - 1
    return row[col] if col < len(row) else None


def info_rows(rubric, unit: Unit = WENFENG, **values) -> list[list]:
    base = {
        "单位编码": unit.code,
        "单位名称": unit.name,
        "单位类型": unit.type,
        "所属市": unit.city,
        "所属区": unit.district,
        "评分细则": rubric.id,
        "评估类型": "考评",
        "评估轮次": "2024年度",
        "检查日期": "2024-06-30",
        "检查人员": "张三、李四",
    }
    base.update(values)
    return [[label, value] for label, value in base.items() if value is not ...]


def item_rows(rubric, entries: dict[str, dict] | None = None, headers=HEADERS) -> list[list]:
    """The 检查表 rows of ``rubric`` (header first) with ``entries`` filled in."""
    entries = GOOD if entries is None else entries
    rows = [list(headers)]
    for item in rubric.items:
        fixed = {"编号": item.code, "方面": item.top.name, "标准内容": item.text, "分值": float(item.points)}
        values = {**fixed, **entries.get(item.code, {})}
        rows.append([values.get(h) for h in headers])
    return rows


def bonus_rows(rubric, claimed: dict[str, str] | None = None) -> list[list]:
    claimed = GOOD_BONUS if claimed is None else claimed
    rows = [["编号", "加分事项", "分值", "是否申报", "说明"]]
    rows += [[b.code, b.text, float(b.points), claimed.get(b.code, "否"), None] for b in rubric.bonus_items]
    return rows


def checklist(path: Path, rubric, *, entries=None, info=None, items=None, bonus=None, **kw) -> Path:
    """A per-unit checklist built from scratch (default: the GOOD filling)."""
    sheets = {
        "基本信息": info if info is not None else info_rows(rubric),
        "检查表": items if items is not None else item_rows(rubric, entries),
        "加分项": bonus if bonus is not None else bonus_rows(rubric),
    }
    return build(path, sheets, **kw)


DATA_UNITS = Path(__file__).resolve().parent / "data" / "good_units.yaml"
