"""Reading one cell the way an inspector meant it.

Cells arrive from python-calamine as ``str``, ``float``, ``int``, ``bool`` or a date. People
type numbers as text, in full-width digits (``３``), with stray spaces, or behind a leading
quote mark that WPS keeps as part of the value (``‘3``). These helpers undo all of that
and raise :class:`BadCell` with a Chinese message when a value cannot be read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
MAX_SERIAL = 2958465  # 9999-12-31
MAX_DIGITS = 12  # |x| < 10¹²: no count, measurement or score comes near; bigger is a slip
_SPACES = re.compile(r"\s+")
_QUOTES = "'‘’`\"“”"
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


_ERROR_MEANINGS = {
    "#DIV/0!": "除数为零",
    "#VALUE!": "公式中的值类型不对",
    "#REF!": "公式引用的单元格已被删除",
    "#NAME?": "公式中有无法识别的名称",
    "#N/A": "公式找不到所需的值",
    "#NUM!": "数值无效",
    "#NULL!": "引用的区域不相交",
}


class CellError(str):
    """A cell holding a formula error (``#DIV/0!``): calamine reads it as empty, so the
    workbook source marks it, and a reader reports it at its own cell as what it is."""

    @property
    def meaning(self) -> str:
        return _ERROR_MEANINGS.get(str(self), "公式出错")


class BadCell(ValueError):
    """A cell whose value cannot be read; the message says what was found and what is allowed."""


@cache  # called for every cell of every finding and row; there are few distinct columns
def col_letter(col: int) -> str:
    """0 → ``A``, 26 → ``AA``."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) → ``H12``."""
    return f"{col_letter(col)}{row + 1}"


def key(text: str) -> str:
    """A header or label as compared: NFKC, no spaces, no trailing colon or required-mark."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).rstrip(":*")


def clean(text: str) -> str:
    """Text as a number is read from it: NFKC, no spaces, no outer quote marks."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).strip(_QUOTES)


def shown(value: object) -> str:
    """The value as quoted back in a message."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def text_of(value: object) -> str | None:
    """Text with outer spaces removed; None for an empty cell. A whole number stays whole
    (a code typed as 320602001 is read as ``"320602001"``, not ``"320602001.0"``)."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text or None


# The longest text each stored field keeps (SPEC §7): longer is a slip (a pasted page),
# refused at its cell rather than carried into the store, the reports and every ranking.
NAME_MAX = 100  # 单位名称, 单位类型, 所属市, 所属区
NOTE_MAX = 2000  # 问题描述, 佐证材料, 说明
INSPECTORS_MAX = 200  # 检查人员, all names together


def limited(value: object, what: str, limit: int) -> str | None:
    """``text_of(value)``, refused with BadCell when longer than ``limit`` characters."""
    text = text_of(value)
    if text is not None and len(text) > limit:
        raise BadCell(f"{what}过长：{len(text)} 个字符，至多 {limit} 个字符（“{text[:20]}…”）")
    return text


def number_of(value: object, what: str) -> Decimal | None:
    """A Decimal from a number or numeric text (``３``, ``1,200``, ``‘3``, ``80%``); None when
    empty. ``what`` names the column in the message."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadCell(f"{what}得到“{value}”，应为数字")
    if isinstance(value, CellError):
        raise BadCell(f"{what}是错误值 {value}（{value.meaning}），应为数字：请改正公式，或直接填写数值")
    if isinstance(value, int | float):
        # repr is the shortest round-trip text of a float: 0.1 stays 0.1
        return _bounded(Decimal(value) if isinstance(value, int) else Decimal(repr(value)), value, what)
    if not isinstance(value, str):
        raise BadCell(f"{what}得到“{shown(value)}”，应为数字")
    text = clean(value)
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    percent = text.endswith("%")
    try:
        number = Decimal(text.removesuffix("%"))
    except InvalidOperation:
        raise BadCell(f"{what}得到“{value.strip()}”，应为数字") from None
    number = _bounded(number, value.strip(), what)
    return number.scaleb(-2) if percent else number


class TooLarge(BadCell):
    """A number no inspection produces (1e30): refused before any arithmetic overflows."""


def _bounded(number: Decimal, found: object, what: str) -> Decimal:
    """``number`` when it is one an inspection can produce: not NaN, infinity or 1e99.
    Checked with ``adjusted()``, which needs no arithmetic: abs(1e999999999) overflows."""
    if not number.is_finite():
        raise BadCell(f"{what}得到“{shown(found)}”，应为数字")
    if number and number.adjusted() >= MAX_DIGITS:
        raise TooLarge(f"{what}得到“{shown(found)}”，数值过大，超出范围（应在 ±1{'0' * MAX_DIGITS} 以内）")
    if number and number.adjusted() < -MAX_DIGITS:
        raise BadCell(f"{what}得到“{shown(found)}”，小数位数过多（最多 {MAX_DIGITS} 位）")
    return number


def date_of(value: object) -> dt.date | None:
    """A date from a date cell, an Excel serial, or text such as 2021-06-30, 2021/6/30,
    2021年6月30日 or 20210630; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    allowed = "应为日期，如 2021-06-30、2021/6/30 或 2021年6月30日"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= MAX_SERIAL:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise BadCell(f"检查日期得到“{shown(value)}”，{allowed}")
    text = clean(str(value))
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise BadCell(f"检查日期得到“{shown(value)}”，{allowed}")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadCell(f"检查日期“{shown(value)}”不是有效的日期") from None
