"""The checklist's hidden helpers: every input cell read the way import reads it (SPEC §4).

The sheet must never disagree with ``compliance score``. Every input cell therefore gets
a hidden helper that reads it as import does: the 结论 with spaces and quote marks removed
and full-width letters made half-width (:func:`text_formula`), mapped onto 符合 / 基本符合 /
不符合 / 不适用 (:func:`verdict_formula`, ``#`` when it is none of them), and a number typed
as text made a number (:func:`number_formula`, ``#`` when it is not one; 95.2 % read as
95.2 for a % unit). Each rule's own formula — its ``excel_formula``, in its unit under
``compliance.scoring.rules`` beside its arithmetic — reads only those helpers, through
:class:`RowCells`, and returns the item's 得分: a number, ``""`` while not filled in,
:data:`NA_MARK` under ``na_policy: exclude`` (it leaves the possible points), or
:data:`ERROR_MARK` where the engine refuses the input.

Only functions every spreadsheet the inspectors use has (Excel 2007+, WPS, LibreOffice):
IF, OR, AND, SUBSTITUTE, UPPER, EXACT, VALUE, ISNUMBER, IFERROR, CELL, LEFT, MAX, MIN, ABS,
INT, ROUND, ROUNDUP, ROUNDDOWN, SUM, COUNT, COUNTIF — no dynamic arrays, no LET/LAMBDA, no
MATCH (whose wildcards would take ``?`` for any one character).

Known narrowing: a quote mark inside a 结论 (not at its ends) is dropped here, where import
keeps it and refuses the value; NFKC forms other than full-width ASCII (``①``) are mapped
only where a levels label uses them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from compliance.rubric import Levels, ScoredItem
from compliance.scoring.results import _SYNONYMS, Result, normalise
from compliance.scoring.rules.excel import (
    BAD,
    ERROR_MARK,
    NA_MARK,
    PartCells,
    RowCells,
    SheetContext,
    excel_number,
    quoted,
)

__all__ = [
    "BAD",
    "ERROR_MARK",
    "NA_MARK",
    "PartCells",
    "RowCells",
    "SheetContext",
    "earned_formula",
    "excel_number",
    "label_pairs",
    "number_formula",
    "own_inputs",
    "quoted",
    "text_formula",
    "typed_score",
    "verdict_formula",
]

# Characters import ignores: every white space a keyboard or a paste produces, and the
# quote marks WPS keeps in front of a value typed as text (‘3).
_SPACES = (" ", "\u3000", "\u00a0", "\n", "\r", "\t")
_QUOTES = ("'", "‘", "’", "`", '"', "“", "”")
# Full-width forms NFKC turns half-width that can make up an accepted value.
_SYNONYM_ASCII = "YyNnAaXx/-"
_NUMBER_ASCII = "0123456789.%+-eE,"


def _substitute(expr: str, pairs: Iterable[tuple[str, str]]) -> str:
    for old, new in pairs:
        expr = f"SUBSTITUTE({expr},{quoted(old)},{quoted(new)})"
    return expr


def _full_width(chars: str) -> list[tuple[str, str]]:
    return [(chr(ord(c) + 0xFEE0), c) for c in dict.fromkeys(chars) if 0x21 <= ord(c) <= 0x7E]


def text_formula(ref: str, extra: Iterable[tuple[str, str]] = ()) -> str:
    """The text of ``ref`` as import compares it: no white space, no quote marks, the
    full-width forms of the synonyms' letters half-width, and the ``extra`` replacements
    (those the rubric's levels labels need, :func:`label_pairs`). Case is kept."""
    pairs = [(c, "") for c in _SPACES + _QUOTES] + _full_width(_SYNONYM_ASCII)
    pairs += [pair for pair in extra if pair not in pairs]
    return _substitute(f'{ref}&""', pairs)


def _spellings(result: Result) -> list[str]:
    """Every accepted spelling of ``result`` after normalisation, upper-cased (import
    also tries the upper-cased text, so n/a and N/A are one spelling)."""
    return list(dict.fromkeys(k.upper() for k, v in _SYNONYMS.items() if v is result))


def verdict_formula(text: str) -> str:
    """The canonical 结论 of the normalised text in cell ``text``: 符合, 基本符合, 不符合,
    不适用, ``""`` when blank, or ``#`` when it is none of the accepted values."""
    upper = f"UPPER({text})"
    formula = quoted(BAD)
    for result in reversed(Result):
        tests = ",".join(f"{upper}={quoted(s)}" for s in _spellings(result))
        formula = f"IF(OR({tests}),{quoted(result.value)},{formula})"
    return f'IF({text}="","",{formula})'


def number_formula(ref: str, percent: bool = False) -> str:
    """The number in ``ref`` as import reads it: a number as it is, text such as ``３`` or
    `` 3 `` or ``80%`` as the number it spells, ``""`` when empty, ``#`` when it is no number
    or one no inspection produces (|x| ≥ 10¹², or smaller than 10⁻¹² but not 0).

    ``percent`` (an item whose unit is %): 95.2 % reads as 95.2 however it was typed — in a
    cell formatted as a percentage (Excel keeps 0.952; ``CELL("format")`` starts with P) or
    as text with the sign."""
    pairs = [(c, "") for c in _SPACES + _QUOTES] + _full_width(_NUMBER_ASCII)
    if percent:
        pairs.append(("%", ""))  # the sign only names the unit
    text = _substitute(f'{ref}&""', pairs)
    value = f"VALUE({text})"
    bad = quoted(BAD)

    def bounded(x: str) -> str:
        return f"IF(OR(ABS({x})>=1E+12,AND({x}<>0,ABS({x})<1E-12)),{bad},{x})"

    number = bounded(ref)
    if percent:  # ×100, and ROUND away the binary noise of 0.952 × 100 = 95.19999…
        number = f'IF(LEFT(CELL("format",{ref}),1)="P",{bounded(f"ROUND({ref}*100,10)")},{number})'
    return f'IF(ISNUMBER({ref}),{number},IF({text}="","",IFERROR({bounded(value)},{bad})))'


def earned_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
    """The item's earned points (no leading ``=``): its rule unit's own formula."""
    return item.rule.excel_formula(item, cells, ctx)


def typed_score(item: ScoredItem) -> bool:
    """Whether the item's visible 得分 is the inspector's input (manual) rather than a formula."""
    return "score" in item.rule.own


def own_inputs(item: ScoredItem) -> tuple[str, ...]:
    """The input columns of the item's own row its rule reads (``result``, ``count``,
    ``measured``, ``score``); only these are unlocked and shaded."""
    return tuple(item.rule.own)


def percent_unit(item: ScoredItem) -> bool:
    return getattr(item.rule, "unit", None) == "%"


def label_pairs(items: Iterable[ScoredItem]) -> list[tuple[str, str]]:
    """The replacements a typed levels label needs to read as import reads it: the
    full-width forms of the labels' ASCII characters, and any of their characters NFKC
    changes (``Ⅱ`` → ``II``)."""
    labels = [label for item in items if isinstance(item.rule, Levels) for label, _ in item.rule.labels]
    ascii_chars = "".join(sorted({c for label in labels for c in normalise(label) if 0x21 <= ord(c) <= 0x7E}))
    pairs = _full_width(ascii_chars)
    for ch in sorted({c for label in labels for c in label}):
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch and not ch.isspace() and (ch, folded) not in pairs:
            pairs.append((ch, folded))
    return pairs
