"""The 结论 vocabulary: the one place that knows what an inspector may write."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Result(StrEnum):
    PASS = "符合"
    PARTIAL = "基本符合"
    FAIL = "不符合"
    NA = "不适用"


_SYNONYMS: dict[str, Result] = {
    "符合": Result.PASS,
    "√": Result.PASS,
    "✓": Result.PASS,
    "✔": Result.PASS,
    "是": Result.PASS,
    "合格": Result.PASS,
    "Y": Result.PASS,
    "y": Result.PASS,
    "基本符合": Result.PARTIAL,
    "△": Result.PARTIAL,
    "部分符合": Result.PARTIAL,
    "不符合": Result.FAIL,
    "×": Result.FAIL,
    "✗": Result.FAIL,
    "✘": Result.FAIL,
    "否": Result.FAIL,
    "不合格": Result.FAIL,
    "N": Result.FAIL,
    "n": Result.FAIL,
    "x": Result.FAIL,
    "X": Result.FAIL,
    "不适用": Result.NA,
    "/": Result.NA,
    "—": Result.NA,
    "——": Result.NA,
    "-": Result.NA,
    "N/A": Result.NA,
    "n/a": Result.NA,
    "NA": Result.NA,
    "合理缺项": Result.NA,
    "无此项": Result.NA,
}
ACCEPTED_TEXT = "符合（√ ✓ 是 合格 Y）、基本符合（△ 部分符合）、不符合（× ✗ 否 不合格 N）、不适用（/ — N/A 合理缺项 无此项）"
DROPDOWN = [r.value for r in Result]
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width → half-width) with every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def parse_result(text: str) -> Result | None:
    """The result an inspector meant, or None when the text is not in the vocabulary."""
    key = normalise(text)
    return _SYNONYMS.get(key) or _SYNONYMS.get(key.upper())


class Kind(StrEnum):
    SELF = "自评"
    AUDIT = "考评"
    RECHECK = "复查"
