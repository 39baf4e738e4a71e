"""What every report shares: who issues it and when, and how numbers become words.

The report views (:mod:`.unit_view`, :mod:`.ranking_view`, :mod:`.progress_view`) are
small frozen dataclasses of strings and chart objects; the templates only place them
(and Jinja escapes every string). The numbers themselves are computed by the library
(:mod:`compliance.scoring`); here they are only rounded and put into words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from compliance import __version__
from compliance.numbers import fmt
from compliance.rounds import chinese
from compliance.rubric import ResolvedRubric
from compliance.standard import ILLUSTRATIVE_NOTICE

GENERATOR = f"compliance {__version__}"
BLANK = "＿" * 10  # a line to write on


@dataclass(frozen=True, slots=True)
class Issue:
    """Who issues a document and when (GB/T 9704: 发文机关署名 and 成文日期).

    ``assessor`` is the 考评单位 (the bureau that inspects); None leaves a line to write
    it on by hand. ``date`` is the 成文日期; None means today.
    """

    assessor: str | None = None
    date: dt.date | None = None

    @property
    def issued(self) -> dt.date:
        return self.date or dt.date.today()


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: who signs, and the names printed under the line (if known)."""

    role: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Masthead:
    """The official-document frame of a report: title, issuer, date, signatures."""

    title: str
    subtitle: str  # the round and kind in words: 2021年下半年 · 考评
    issuer_label: str  # 考评单位 / 自评单位 / 发布单位
    issuer: str  # the name, or a line to write it on
    issued: str  # 成文日期 in Chinese
    signatures: tuple[Signature, ...] = ()
    notices: tuple[str, ...] = ()
    generator: str = field(default=GENERATOR)


def day(value: dt.date | None) -> str:
    """GB/T 9704 成文日期 style: 2021年12月31日."""
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def round_name(label: str) -> str:
    """2021H2 → 2021年下半年 (a label from before rounds were checked is shown as is)."""
    return chinese(label)


def signed(value: Decimal, places: int = 2) -> str:
    text = fmt(value, places)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def notices(rubrics: Sequence[ResolvedRubric]) -> tuple[str, ...]:
    return (ILLUSTRATIVE_NOTICE,) if any(r.standard.illustrative for r in rubrics) else ()


def masthead(
    title: str,
    subtitle: str,
    issue: Issue,
    *,
    issuer_label: str = "考评单位",
    issuer: str | None = None,
    signatures: Sequence[Signature] = (),
    rubrics: Sequence[ResolvedRubric] = (),
) -> Masthead:
    name = issuer if issuer is not None else issue.assessor
    return Masthead(
        title=title,
        subtitle=subtitle,
        issuer_label=issuer_label,
        issuer=name or BLANK,
        issued=day(issue.issued),
        signatures=tuple(signatures),
        notices=notices(rubrics),
    )
