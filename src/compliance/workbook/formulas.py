"""Live Excel formulas of the checklist: the engine's arithmetic, cell by cell (SPEC §4).

The sheet must never disagree with ``compliance score``. Every input cell therefore gets
a hidden helper that reads it the way import does (:func:`text_formula`,
:func:`verdict_formula`, :func:`number_formula`): the 结论 with spaces and quote marks
removed and full-width letters made half-width, mapped onto 符合 / 基本符合 / 不符合 /
不适用 (``#`` when it is none of them), and a number typed as text made a number (``#``
when it is not one). A rule's formula then reads only those helpers, through
:class:`RowCells`, and returns the item's 得分: a number, ``""`` while the row is not filled
in, :data:`NA_MARK` for a not-applicable item under ``na_policy: exclude`` (it adds nothing
to the possible points), or :data:`ERROR_MARK` where the engine would refuse the input.

Only functions every spreadsheet the inspectors use has (Excel 2007+, WPS, LibreOffice):
IF, OR, AND, SUBSTITUTE, UPPER, EXACT, VALUE, ISNUMBER, IFERROR, MAX, MIN, ABS, INT, ROUND,
SUM, COUNT, COUNTIF — no dynamic arrays, no LET/LAMBDA, no MATCH (whose wildcards would
take ``?`` for any one character).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from compliance.rubric import Bands, Check, Criteria, Deduct, Levels, Manual, Quantity, ScoredItem, Shortfall
from compliance.scoring.results import _SYNONYMS, Result, normalise

ERROR_MARK = "有误"
"""What a cell shows where the engine would refuse the input (the row's inputs turn red)."""
NA_MARK = "不适用"
"""What 得分 shows for a not-applicable item that leaves the possible points (exclude)."""
BAD = "#"
"""A helper's value for an input that cannot be read (unknown 结论, text that is no number)."""

# Characters import ignores: every white space a keyboard or a paste produces, and the
# quote marks WPS keeps in front of a value typed as text (‘3).
_SPACES = (" ", "\u3000", "\u00a0", "\n", "\r", "\t")
_QUOTES = ("'", "‘", "’", "`", '"', "“", "”")
# Full-width forms NFKC turns half-width that can make up an accepted value.
_SYNONYM_ASCII = "YyNnAaXx/-"
_NUMBER_ASCII = "0123456789.%+-eE,"


def excel_number(value: Decimal) -> str:
    """A Decimal as an Excel literal: ``0.50`` → ``0.5``, never ``5E-1``."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _substitute(expr: str, pairs: Iterable[tuple[str, str]]) -> str:
    for old, new in pairs:
        expr = f"SUBSTITUTE({expr},{quoted(old)},{quoted(new)})"
    return expr


def _full_width(chars: str) -> list[tuple[str, str]]:
    return [(chr(ord(c) + 0xFEE0), c) for c in dict.fromkeys(chars) if 0x21 <= ord(c) <= 0x7E]


def text_formula(ref: str, extra_ascii: str = "") -> str:
    """The text of ``ref`` as import compares it: no white space, no quote marks, the
    full-width forms of the characters of accepted values (synonyms and ``extra_ascii``,
    the rubric's own levels labels) half-width. Case is kept (levels labels are exact)."""
    pairs = [(c, "") for c in _SPACES + _QUOTES] + _full_width(_SYNONYM_ASCII + extra_ascii)
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


def number_formula(ref: str) -> str:
    """The number in ``ref`` as import reads it: a number as it is, text such as ``３`` or
    `` 3 `` or ``80%`` as the number it spells, ``""`` when empty, ``#`` when it is no number
    or one no inspection produces (|x| ≥ 10¹², or smaller than 10⁻¹² but not 0)."""
    text = _substitute(f'{ref}&""', [(c, "") for c in _SPACES + _QUOTES] + _full_width(_NUMBER_ASCII))
    value = f"VALUE({text})"
    bad = quoted(BAD)

    def bounded(x: str) -> str:
        return f"IF(OR(ABS({x})>=1E+12,AND({x}<>0,ABS({x})<1E-12)),{bad},{x})"

    return f'IF(ISNUMBER({ref}),{bounded(ref)},IF({text}="","",IFERROR({bounded(value)},{bad})))'


@dataclass(frozen=True)
class PartCells:
    """The helper cells of one input row under an item (a trigger or a criterion)."""

    result: str
    count: str


@dataclass(frozen=True)
class RowCells:
    """The cells a rule's formula reads for one item: ``points`` (分值) and the helpers of
    its own row — ``result`` (the canonical 结论, see :func:`verdict_formula`), ``text``
    (the normalised 结论, for levels labels), ``count`` / ``measured`` / ``score`` (the
    numbers of 问题数 / 实测值 / 得分, see :func:`number_formula`) — and of its part rows."""

    points: str
    result: str
    text: str
    count: str
    measured: str
    score: str
    parts: tuple[PartCells, ...] = ()


@dataclass(frozen=True)
class SheetContext:
    """What a formula needs from the rubric besides the rule's own parameters."""

    partial_credit: Decimal
    na_policy: str
    error: str = field(default=quoted(ERROR_MARK))

    def na(self, cells: RowCells) -> str:
        """The 得分 of a not-applicable item: its points (full_marks) or the NA mark."""
        return cells.points if self.na_policy == "full_marks" else quoted(NA_MARK)


def own_result(cells: RowCells, ctx: SheetContext, judged: str) -> str:
    """What every rule does first (``RuleUnit.outcome``): an unreadable 结论 is an error,
    不适用 makes the item not applicable; otherwise ``judged``."""
    return f'IF({cells.result}="{BAD}",{ctx.error},IF({cells.result}="{Result.NA}",{ctx.na(cells)},{judged}))'


def check_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
    r, p = cells.result, cells.points
    partial = excel_number(ctx.partial_credit)
    judged = f'IF({r}="","",IF({r}="{Result.PASS}",{p},IF({r}="{Result.PARTIAL}",{p}*{partial},0)))'
    return own_result(cells, ctx, judged)


def levels_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
    """A rubric label first (case and all, as import compares it), then 不适用."""
    rule = item.rule
    assert isinstance(rule, Levels)
    t, r, p = cells.text, cells.result, cells.points
    formula = f'IF({r}="{Result.NA}",{ctx.na(cells)},{ctx.error})'
    for label, value in reversed(rule.labels):
        earned = (
            excel_number(value) if rule.absolute else f"{p}*{excel_number(value)}"
        )  # level_points: points
        formula = f"IF(EXACT({t},{quoted(normalise(label))}),{earned},{formula})"
    return f'IF({t}="","",{formula})'


def deduct_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
    """max(0, p − per × n); a blank 问题数 is 0 with 结论 符合, not inspected with no 结论."""
    rule = item.rule
    assert isinstance(rule, Deduct)
    n, r, p = cells.count, cells.result, cells.points
    blank = f'IF({r}="{Result.PASS}",{p},IF({r}="","",{ctx.error}))'
    lost = f"{excel_number(rule.per)}*{n}"
    if rule.max_deduct is not None:  # 扣满 max_deduct 为止
        lost = f"MIN({excel_number(rule.pool(item.points))},{lost})"
    judged = (
        f'IF({n}="{BAD}",{ctx.error},IF({n}="",{blank},'
        f"IF(OR({n}<0,{n}<>INT({n})),{ctx.error},MAX(0,{p}-{lost}))))"
    )
    return own_result(cells, ctx, judged)


def quantity_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
    """threshold: p when v ≥ target, else 0; proportional: p × min(1, v / target)."""
    rule = item.rule
    assert isinstance(rule, Quantity)
    v, r, p = cells.measured, cells.result, cells.points
    t = excel_number(rule.target)
    earned = f"IF({v}>={t},{p},0)" if rule.mode == "threshold" else f"IF({v}>={t},{p},{p}*{v}/{t})"
    judged = (
        f'IF({v}="{BAD}",{ctx.error},IF({v}="",IF({r}="","",{ctx.error}),IF({v}<0,{ctx.error},{earned})))'
    )
    return own_result(cells, ctx, judged)


def manual_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str:
    """The typed 得分 when it lies within 0…p (the formula of the hidden earned cell:
    the visible 得分 is the input)."""
    s, r, p = cells.score, cells.result, cells.points
    judged = (
        f'IF({s}="{BAD}",{ctx.error},IF({s}="",IF({r}="","",{ctx.error}),'
        f"IF(OR({s}<0,{s}>{p}),{ctx.error},{s})))"
    )
    return own_result(cells, ctx, judged)


_FORMULAS = {
    Check: check_formula,
    Levels: levels_formula,
    Deduct: deduct_formula,
    Quantity: quantity_formula,
    Manual: manual_formula,
}


def earned_formula(item: ScoredItem, cells: RowCells, ctx: SheetContext) -> str | None:
    """The item's earned points (no leading ``=``); None for a rule the sheet does not
    compute yet (triggers, criteria, shortfall, bands: import scores them)."""
    rule = item.rule
    if isinstance(rule, Deduct) and rule.triggers:
        return None
    formula = _FORMULAS.get(type(rule))
    return None if formula is None else formula(item, cells, ctx)


def typed_score(item: ScoredItem) -> bool:
    """Whether the item's visible 得分 is the inspector's input (manual) rather than a formula."""
    return isinstance(item.rule, Manual)


def own_inputs(item: ScoredItem) -> tuple[str, ...]:
    """The input columns of the item's own row its rule reads (``result``, ``count``,
    ``measured``, ``score``); only these are unlocked and shaded."""
    match item.rule:
        case Check() | Levels():
            return ("result",)
        case Deduct(triggers=triggers) if triggers:
            return ("result",)  # the counts go in the rows below (2.4/1 …)
        case Deduct():
            return ("result", "count")
        case Quantity() | Shortfall() | Bands():
            return ("result", "measured")
        case Criteria():
            return ("result",)
        case Manual():
            return ("result", "score")
    raise AssertionError(item.rule)


def label_ascii(items: Iterable[ScoredItem]) -> str:
    """The ASCII characters of every levels label: their full-width forms must read alike."""
    chars = {
        c
        for item in items
        if isinstance(item.rule, Levels)
        for label, _ in item.rule.labels
        for c in normalise(label)
    }
    return "".join(sorted(c for c in chars if 0x21 <= ord(c) <= 0x7E))
