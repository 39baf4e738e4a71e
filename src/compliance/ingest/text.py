"""Normalising the Chinese wording of a scoring table before it is read.

NFKC folds full-width digits, letters, ``％`` and brackets; spaces go; Chinese numerals in
a counting position (扣二分, 每少一个百分点, 三次以上) become Arabic digits, so the phrase
table only ever sees one way of writing a number.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN = "〇零一二两三四五六七八九十百"
# a Chinese numeral counts something when a unit or 分 follows it, or 扣/得/加/每/达 precedes it
_COUNTING = re.compile(
    rf"(?<=[扣得加计记每达少低降缺满于过])([{_CN}]+)|([{_CN}]+)(?=[个分处次件项起人宗例家条份台辆户张批天日篇座%％名])"
)
_PERCENT_WORDS = re.compile(rf"百分之([0-9.]+|[{_CN}]+)")
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "～": "-", "~": "-", "〜": "-", "至": "-"})


def cn_number(text: str) -> int | None:
    """``十二`` → 12, ``二十`` → 20, ``一百`` → 100, ``三`` → 3; None when it is not a numeral."""
    if not text or any(ch not in _CN for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):  # 一〇〇 written digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _arabic(match: re.Match[str]) -> str:
    numeral = match.group(1) or match.group(2)
    value = cn_number(numeral)
    return str(value) if value is not None else numeral


def normalize(text: str) -> str:
    """The wording as the phrase table reads it (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text)
    folded = re.sub(r"\s+", "", folded).translate(_DASHES)
    folded = folded.replace("﹪", "%").replace("，", ",").replace("；", ";").replace("：", ":")
    folded = _PERCENT_WORDS.sub(_percent, folded)  # 百分之九十 → 90%
    # 百分点 and 百分比 are words, not «a hundred points»
    folded = folded.replace("百分点", "\x01").replace("百分比", "\x02")
    folded = _COUNTING.sub(_arabic, folded).replace("\x01", "百分点").replace("\x02", "百分比")
    return folded


def _percent(match: re.Match[str]) -> str:
    value = cn_number(match.group(1))
    return f"{value if value is not None else match.group(1)}%"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: object) -> str:
    """A cell's text for the YAML: NFKC-folded spaces trimmed, inner line breaks joined."""
    if text is None:
        return ""
    value = _CONTROL.sub("", str(text))
    lines = [line.strip() for line in value.replace("\r", "\n").split("\n")]
    joined = "".join(line for line in lines if line)
    return re.sub(r"[ \u3000\t]{2,}", " ", joined).strip()


def squash(text: str) -> str:
    """The text with every kind of space removed and NFKC folded: for comparing words."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_POINTS = re.compile(r"^[+＋]?([0-9]+(?:\.[0-9]+)?)(?:分|分值)?$")


def parse_points(value: object) -> Decimal | None:
    """Points as tables write them: 5, 5.0, «5分», «５», «五分»; None when there are none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return None
        return tidy(number) if number.is_finite() and number >= 0 else None
    text = squash(str(value))
    if not text:
        return None
    numeral = re.fullmatch(rf"([{_CN}]+)分?", text)
    if numeral:
        count = cn_number(numeral.group(1))
        return Decimal(count) if count is not None else None
    match = _POINTS.match(text)
    if not match:
        return None
    return tidy(Decimal(match.group(1)))


def tidy(value: Decimal) -> Decimal:
    """``5.0`` → ``5``, ``0.50`` → ``0.5``, ``50`` stays ``50`` (never ``5E+1``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def number(text: str) -> Decimal:
    return tidy(Decimal(text))
