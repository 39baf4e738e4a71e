"""Rounds (评估轮次, SPEC §2.5): one assessment period, parsed, ordered, dated and shown.

A round is typed by people in many spellings (``2021年下半年``, ``2021h2``, ``２０２１Ｈ２``);
it is stored and compared by its canonical label (``2021H2``), sorted by its period and
dated by its last day, which is what a target milestone is compared with.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering

from compliance.findings import ComplianceError

MIN_YEAR, MAX_YEAR = 1949, 2199
MAX_TEXT = 40  # longer text is refused before any pattern runs: no round is that long

ACCEPTED = (
    "2021（年度）、2021H1 / 2021H2（上半年 / 下半年）、2021Q1 至 2021Q4（季度）、2021-03（月度），"
    "或 2021年度、2021年上半年、2021年下半年、2021年第一季度（也可写第1季度）、2021年3月"
)


class Period(StrEnum):
    YEAR = "年度"
    HALF = "半年"
    QUARTER = "季度"
    MONTH = "月度"


class RoundError(ComplianceError, ValueError):
    """A round label that is none of the accepted forms; the message names them."""


_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
_HALVES = {"上": 1, "下": 2}

# Each form: a pattern over the normalised text (NFKC, case-folded, no spaces) and how
# its groups give (period, number). The canonical forms come first.
_FORMS: tuple[tuple[re.Pattern[str], Period], ...] = (
    (re.compile(r"(\d{4})"), Period.YEAR),
    (re.compile(r"(\d{4})h([12])"), Period.HALF),
    (re.compile(r"(\d{4})q([1-4])"), Period.QUARTER),
    (re.compile(r"(\d{4})-(0[1-9]|1[0-2])"), Period.MONTH),
    (re.compile(r"(\d{4})年度"), Period.YEAR),
    (re.compile(r"(\d{4})年([上下])半年"), Period.HALF),
    (re.compile(r"(\d{4})年第([一二三四1-4])季度"), Period.QUARTER),
    (re.compile(r"(\d{4})年(0?[1-9]|1[0-2])月"), Period.MONTH),
)


@total_ordering
@dataclass(frozen=True, slots=True)
class Round:
    """One period: ``number`` is the half (1–2), quarter (1–4) or month (1–12); 0 for a year."""

    year: int
    period: Period
    number: int = 0

    @property
    def label(self) -> str:
        """The canonical label, as stored: ``2021``, ``2021H2``, ``2021Q3``, ``2021-03``."""
        match self.period:
            case Period.YEAR:
                return str(self.year)
            case Period.HALF:
                return f"{self.year}H{self.number}"
            case Period.QUARTER:
                return f"{self.year}Q{self.number}"
            case Period.MONTH:
                return f"{self.year}-{self.number:02d}"
        raise AssertionError(self.period)

    @property
    def chinese(self) -> str:
        """The form reports show: ``2021年下半年``, ``2021年第三季度``, ``2021年3月``."""
        match self.period:
            case Period.YEAR:
                return f"{self.year}年度"
            case Period.HALF:
                return f"{self.year}年{'上' if self.number == 1 else '下'}半年"
            case Period.QUARTER:
                return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
            case Period.MONTH:
                return f"{self.year}年{self.number}月"
        raise AssertionError(self.period)

    @property
    def _months(self) -> tuple[int, int]:
        """First and last month of the period."""
        match self.period:
            case Period.YEAR:
                return 1, 12
            case Period.HALF:
                return 6 * self.number - 5, 6 * self.number
            case Period.QUARTER:
                return 3 * self.number - 2, 3 * self.number
            case Period.MONTH:
                return self.number, self.number
        raise AssertionError(self.period)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self._months[0], 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period: what a target milestone's date is compared with."""
        last = self._months[1]
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def sort_key(self) -> tuple[dt.date, dt.date]:
        # By end, then the longer period first: 2021 sorts before 2021H2, which ends with it.
        return self.end, self.start

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Round):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __str__(self) -> str:
        return self.label


def _normalised(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_round(text: object) -> Round:
    """The round ``text`` names, in any accepted spelling; RoundError names the accepted forms."""
    shown = str(text) if text is not None else ""
    if not isinstance(text, str | int) or isinstance(text, bool) or not shown.strip():
        raise RoundError(f"评估轮次为空；应为：{ACCEPTED}")
    if len(shown) > MAX_TEXT:
        raise RoundError(f"评估轮次过长（{len(shown)} 个字符）；应为：{ACCEPTED}")
    key = _normalised(shown)
    for pattern, period in _FORMS:
        match = pattern.fullmatch(key)
        if match is None:
            continue
        year = int(match.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise RoundError(
                f"评估轮次“{shown}”的年份 {year} 超出范围（{MIN_YEAR}–{MAX_YEAR}）；应为：{ACCEPTED}"
            )
        if period is Period.YEAR:
            return Round(year, period)
        part = match.group(2)
        number = _HALVES[part] if part in _HALVES else _QUARTERS.get(part) or int(part)
        return Round(year, period, number)
    raise RoundError(f"评估轮次“{shown}”无法识别；应为：{ACCEPTED}")


def canonical(text: object) -> str:
    """The stored label of ``text``: ``2021年下半年`` → ``2021H2``."""
    return parse_round(text).label


def try_parse(label: str) -> Round | None:
    try:
        return parse_round(label)
    except RoundError:
        return None


def chinese(label: str) -> str:
    """The Chinese form of a stored label; a label from before rounds were checked is shown as is."""
    parsed = try_parse(label)
    return parsed.chinese if parsed else label


def order_key(label: str) -> tuple[int, dt.date, dt.date, str]:
    """Sort key for stored labels: real rounds by period, any legacy label after them by text."""
    parsed = try_parse(label)
    if parsed is None:
        return 1, dt.date.min, dt.date.min, label
    return 0, *parsed.sort_key, parsed.label


def resolve(text: str, known: Iterable[str] = ()) -> str:
    """The stored label a typed round names: its canonical label, or — for a store written
    before rounds were checked — a legacy label of ``known`` typed exactly as stored."""
    try:
        return canonical(text)
    except RoundError:
        if text in set(known):
            return text
        raise


def named(label: str) -> str:
    """A stored label as a message names it: both forms, ``2021年上半年（2021H1）``."""
    shown = chinese(label)
    return shown if shown == label else f"{shown}（{label}）"
