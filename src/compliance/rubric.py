"""The rubric (评分细则): how a standard's items are scored, and its binding to the standard.

SPEC §2.2 (v1) and §2.2a (v2). Validation comes in two layers, reported in one pass:
the schema (``Rubric``, pydantic: types, ranges, orders inside one field) and the binding
(``resolve``: the rubric against its standard, and the fields an item gets from
``default``). When the schema fails, :func:`salvage` keeps the parts that validated so the
binding still runs over them (``Catalog.validate`` reports both).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from compliance.base import StrictModel
from compliance.loader import PlacedValueError
from compliance.numbers import fmt
from compliance.scoring.rules import (
    RULE_LABELS,
    Band,
    Bands,
    Check,
    Criteria,
    Criterion,
    Deduct,
    Levels,
    Manual,
    Part,
    Quantity,
    Rule,
    Shortfall,
    Trigger,
    part_code,
)
from compliance.standard import Code, Item, Section, Standard, Text

__all__ = [
    "RULE_LABELS",
    "Bands",
    "Check",
    "Criteria",
    "Deduct",
    "Levels",
    "Manual",
    "Quantity",
    "ResolvedRubric",
    "Rubric",
    "Rule",
    "ScoredItem",
    "Shortfall",
    "describe_rule",
    "resolve",
    "salvage",
]

RuleName = Literal["check", "levels", "deduct", "quantity", "manual", "criteria"]
NonNegative = Annotated[Decimal, Field(ge=0)]
Positive = Annotated[Decimal, Field(gt=0)]
Fraction = Annotated[Decimal, Field(ge=0, le=1)]


class TriggerRule(StrictModel):
    name: Text
    per: Positive


class BandRule(StrictModel):
    min: NonNegative
    points: NonNegative


class CriterionRule(StrictModel):
    text: Text
    points: NonNegative


class ItemRule(StrictModel):
    """One entry of ``items`` (or ``default``); unset fields fall back to ``default``."""

    points: NonNegative | None = None
    rule: RuleName | None = None
    per: Positive | None = None
    levels: dict[str, Fraction] | None = None
    level_points: dict[str, NonNegative] | None = None
    target: Positive | None = None
    mode: Literal["proportional", "threshold", "shortfall", "bands"] | None = None
    step: Positive | None = None
    steps: Literal["exact", "started", "completed"] | None = None
    bands: Annotated[list[BandRule], Field(min_length=1)] | None = None
    unit: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    triggers: Annotated[list[TriggerRule], Field(min_length=1)] | None = None
    max_deduct: Positive | None = None
    criteria: Annotated[list[CriterionRule], Field(min_length=1)] | None = None
    veto: Literal[True, False, "unit", "section"] = False
    scoring_text: Text | None = None
    exclude: bool = False

    @field_validator("bands")
    @classmethod
    def _bands_descending(cls, bands: list[BandRule] | None) -> list[BandRule] | None:
        if not bands:
            return bands
        for i, (a, b) in enumerate(itertools.pairwise(bands), start=1):
            if a.min <= b.min:
                found = "、".join(fmt(x.min, 4) for x in bands)
                raise PlacedValueError(f"各档的 min 应从高到低排列且互不相同，得到：{found}", i, "min")
        if bands[-1].min != 0:
            raise PlacedValueError(
                f"最后一档的 min 应为 0（低于其余各档的都落在这一档），得到 {fmt(bands[-1].min, 4)}",
                len(bands) - 1,
                "min",
            )
        return bands


class PassRule(StrictModel):
    min_rate: Fraction
    min_section_rate: Fraction | None = None


class Grade(StrictModel):
    name: Text
    min_rate: Fraction


class BonusItem(StrictModel):
    code: Code
    text: Text
    points: Positive


def _unique(codes: list[str], what: str) -> None:
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise PlacedValueError(f"{what}编号“{code}”重复：每个{what}的编号必须唯一", "items", i, "code")


class Bonus(StrictModel):
    cap: NonNegative
    items: list[BonusItem] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> Bonus:
        _unique([b.code for b in self.items], "加分项")
        return self


class PenaltyItem(StrictModel):
    code: Code
    text: Text
    per: Positive


class Penalties(StrictModel):
    """减分项 (SPEC §2.2a): outside the standard's items, each entered as a count."""

    cap: NonNegative
    items: Annotated[list[PenaltyItem], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> Penalties:
        _unique([p.code for p in self.items], "减分项")
        return self


class RubricInfo(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$", max_length=64)]
    title: Text
    standard: Annotated[str, Field(min_length=1)]
    applies_to: list[Text] = []
    source: str | None = None
    total: Positive
    na_policy: Literal["exclude", "full_marks"] = "exclude"
    partial_credit: Fraction = Decimal("0.5")
    precision: Annotated[int, Field(ge=0, le=4)] = 2
    pass_: PassRule | None = Field(default=None, alias="pass")
    grades: Annotated[list[Grade], Field(min_length=1)] | None = None
    weights: dict[Code, Positive] | None = None
    default: ItemRule | None = None
    items: dict[str, ItemRule] = {}
    bonus: Bonus | None = None
    penalties: Penalties | None = None

    @field_validator("grades")
    @classmethod
    def _grades_descending(cls, grades: list[Grade] | None) -> list[Grade] | None:
        if not grades:
            return grades
        rates = [g.min_rate for g in grades]
        for i, (a, b) in enumerate(itertools.pairwise(rates), start=1):
            if a <= b:
                found = "、".join(f"{g.name} {g.min_rate}" for g in grades)
                raise PlacedValueError(
                    f"等级应按 min_rate 从高到低排列且互不相同，得到：{found}", i, "min_rate"
                )
        if rates[-1] != 0:
            raise PlacedValueError(
                f"最后一个等级的 min_rate 应为 0，得到 {rates[-1]}", len(grades) - 1, "min_rate"
            )
        return grades

    @field_validator("weights")
    @classmethod
    def _weights_add_up(cls, weights: dict[str, Decimal] | None) -> dict[str, Decimal] | None:
        if weights:
            found = sum(weights.values(), Decimal(0))
            if found != 1:
                raise PlacedValueError(f"各大项权重之和应为 1，得到 {fmt(found, 6)}")
        return weights


class Rubric(StrictModel):
    rubric: RubricInfo

    @property
    def id(self) -> str:
        return self.rubric.id


# --- the rubric bound to its standard ---------------------------------------------------


def describe_rule(rule: Rule, points: Decimal) -> str:
    """The rule in the words of a 评分细则 column (the rule unit's own description)."""
    return rule.describe(points)


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One item the rubric scores, with everything the engine and the workbook need.

    ``veto`` is the unit veto (v1 ``veto: true``, or ``veto: unit``); ``section_veto``
    zeroes the item's top-level section instead (``veto: section``).
    """

    code: str
    text: str
    sections: tuple[Section, ...]
    points: Decimal
    rule: Rule
    veto: bool
    item: Item
    section_veto: bool = False
    scoring_text: str | None = None
    part_codes: tuple[str, ...] = ()  # the 编号 of its input rows (``2.4/1``…), from ``parts``

    @property
    def top(self) -> Section:
        return self.sections[0]

    @property
    def parts(self) -> tuple[Part, ...]:
        return self.rule.parts()

    @property
    def method_text(self) -> str:
        """What the 评分方式 column says: the table's own wording, else the rule's words."""
        return self.scoring_text or self.rule.describe(self.points)


@dataclass(frozen=True)
class ResolvedRubric:
    """A rubric bound to its standard: every scored item's rule and points in one place.

    ``memo`` is the engine's scratch space: an item's score depends only on the item and
    what was entered for it, so units that entered the same thing share one result (on a
    1,000 × 300 benchmark this is 10× faster than scoring every entry afresh).
    """

    standard: Standard
    rubric: Rubric
    items: tuple[ScoredItem, ...]
    excluded: tuple[str, ...]
    content_hash: str
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def info(self) -> RubricInfo:
        return self.rubric.rubric

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def total(self) -> Decimal:
        return self.info.total

    def item(self, code: str) -> ScoredItem | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, ScoredItem]:
        return {i.code: i for i in self.items}

    @cached_property
    def input_codes(self) -> tuple[str, ...]:
        """Every 编号 an assessment may enter, in workbook order: each item, then its parts."""
        return tuple(code for i in self.items for code in (i.code, *i.part_codes))

    @cached_property
    def section_spans(self) -> tuple[tuple[Section, int, str, int, int], ...] | None:
        """(section, level, top code, first, end) per section, document order: the slice of
        ``items`` under each section. None when a section's items are not contiguous."""
        spans: dict[str, list] = {}
        for i, item in enumerate(self.items):
            for level, section in enumerate(item.sections, start=1):
                span = spans.get(section.code)
                if span is None:
                    spans[section.code] = [section, level, item.top.code, i, i + 1]
                elif span[4] == i:
                    span[4] = i + 1
                else:
                    return None
        return tuple(tuple(span) for span in spans.values())  # type: ignore[misc]

    @property
    def bonus_items(self) -> list[BonusItem]:
        return self.info.bonus.items if self.info.bonus else []

    @property
    def penalty_items(self) -> list[PenaltyItem]:
        return self.info.penalties.items if self.info.penalties else []

    @property
    def weights(self) -> dict[str, Decimal] | None:
        return self.info.weights

    @property
    def version_label(self) -> str:
        return f"{self.id}@{self.content_hash[:12]}"


def content_hash(standard: Standard, rubric: Rubric) -> str:
    """sha256 of a canonical serialisation of standard + rubric; names a rubric version."""
    payload = {
        "standard": standard.model_dump(by_alias=True, exclude_unset=True),
        "rubric": rubric.model_dump(by_alias=True, exclude_unset=True),
    }
    canonical = json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_canonical_number
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _canonical_number(value: object) -> str:
    # 5, 5.0 and 5.00 are the same points: the hash must not change with how they are written.
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    raise TypeError(f"cannot hash {type(value).__name__}")


Problem = tuple[tuple[str | int, ...], str]

# Fields that replace one another: an item setting one of them does not get the other
# from ``default`` (``triggers`` instead of ``per``, ``level_points`` instead of ``levels``).
_ALTERNATIVES = {"triggers": "per", "per": "triggers", "levels": "level_points", "level_points": "levels"}
# The v2 fields that belong to one rule (or quantity mode) only: set on an item of another
# rule they are an error (from ``default`` they are simply not used).
_OWNED_BY = {
    "triggers": ("deduct", None),
    "max_deduct": ("deduct", None),
    "criteria": ("criteria", None),
    "level_points": ("levels", None),
    "bands": ("quantity", "bands"),
    "step": ("quantity", "shortfall"),
    "steps": ("quantity", "shortfall"),
    "unit": ("quantity", None),
}


@dataclass
class _Binder:
    """The fields of one item (its own entry over ``default``) and where each was written."""

    code: str
    own: dict[str, Any]
    inherited: dict[str, Any]
    problems: list[Problem]

    @property
    def entry_path(self) -> tuple[str | int, ...]:
        return ("rubric", "items", self.code) if self.own is not None else ("rubric", "default")

    def get(self, name: str) -> Any:
        if self.own is not None and name in self.own:
            return self.own[name]
        return self.inherited.get(name)

    def path(self, name: str) -> tuple[str | int, ...]:
        if self.own is not None and name in self.own:
            return ("rubric", "items", self.code, name)
        if name in self.inherited:
            return ("rubric", "default", name)
        return (*self.entry_path, name)

    def problem(self, name: str | None, message: str) -> None:
        self.problems.append((self.path(name) if name else self.entry_path, message))


def _fields(default: ItemRule | None, entry: ItemRule | None, listed: bool) -> tuple[dict, dict]:
    own = entry.model_dump(exclude_unset=True) if entry is not None else None
    inherited = default.model_dump(exclude_unset=True) if default is not None else {}
    if listed:
        # default fills only what a listed item does not set, and never `exclude`
        inherited.pop("exclude", None)
        for name in own or {}:
            inherited.pop(_ALTERNATIVES.get(name, ""), None)
    return own, inherited


def _need(b: _Binder, rule: str, *names: str) -> bool:
    missing = [n for n in names if b.get(n) is None]
    for name in missing:
        b.problem(name, f"评分方式 {rule}（{RULE_LABELS[rule]}）缺少字段“{name}”")
    return not missing


def _rule_of(b: _Binder, points: Decimal) -> Rule | None:
    name = b.get("rule") or "check"
    mode = b.get("mode") or "proportional"
    ok = True
    for f, (owner, owner_mode) in _OWNED_BY.items():
        if b.own is not None and f in b.own and (name != owner or (owner_mode and mode != owner_mode)):
            where = f"{owner}（{RULE_LABELS[owner]}）" + (f" 的 mode: {owner_mode}" if owner_mode else "")
            b.problem(
                f,
                f"字段“{f}”只能用于 {where}，本条为 {name}"
                + (f"（mode: {mode}）" if name == "quantity" else ""),
            )
            ok = False
    match name:
        case "check":
            return Check() if ok else None
        case "levels":
            levels, level_points = b.get("levels"), b.get("level_points")
            if levels is not None and level_points is not None:
                b.problem(
                    "level_points", "levels 与 level_points 只能给出其一：前者为分值比例，后者为各等级的得分"
                )
                return None
            if levels is None and level_points is None:
                b.problem("levels", "评分方式 levels（等级评定）缺少字段“levels”（或“level_points”）")
                return None
            labels = levels if levels is not None else level_points
            if not labels:
                b.problem("levels" if levels is not None else "level_points", "等级评定至少应有一个等级标签")
                return None
            if level_points is not None:
                for label, value in level_points.items():
                    if value > points:
                        b.problems.append(
                            (
                                (*b.path("level_points"), label),
                                f"等级“{label}”的得分 {fmt(value, 4)} 超过本条分值 {fmt(points)}",
                            )
                        )
                        ok = False
            pairs = tuple((str(k), Decimal(v)) for k, v in labels.items())
            return Levels(pairs, absolute=level_points is not None) if ok else None
        case "deduct":
            per, triggers, cap = b.get("per"), b.get("triggers"), b.get("max_deduct")
            if per is not None and triggers is not None:
                b.problem("triggers", "per 与 triggers 只能给出其一：多个扣分情形请各自写在 triggers 中")
                return None
            if per is None and triggers is None:
                b.problem("per", "评分方式 deduct（按处扣分）缺少字段“per”（或“triggers”）")
                return None
            if cap is not None and cap > points:
                b.problem(
                    "max_deduct", f"最多扣分 max_deduct 得到 {fmt(cap, 4)}，不能超过本条分值 {fmt(points)}"
                )
                ok = False
            rows = tuple(Trigger(t["name"], Decimal(t["per"])) for t in triggers or ())
            return Deduct(per, rows, cap) if ok else None
        case "quantity":
            unit = b.get("unit")
            if mode == "bands":
                if not _need(b, "quantity", "bands"):
                    return None
                bands = tuple(Band(Decimal(x["min"]), Decimal(x["points"])) for x in b.get("bands"))
                for i, band in enumerate(bands):
                    if band.points > points:
                        b.problems.append(
                            (
                                (*b.path("bands"), i, "points"),
                                f"第 {i + 1} 档的得分 {fmt(band.points, 4)} 超过本条分值 {fmt(points)}",
                            )
                        )
                        ok = False
                return Bands(bands, unit) if ok else None
            if mode == "shortfall":
                if not _need(b, "quantity", "target", "per"):
                    return None
                return (
                    Shortfall(
                        b.get("target"),
                        b.get("per"),
                        b.get("step") or Decimal(1),
                        b.get("steps") or "exact",
                        unit,
                    )
                    if ok
                    else None
                )
            if not _need(b, "quantity", "target"):
                return None
            return Quantity(b.get("target"), mode, unit) if ok else None
        case "criteria":
            if not _need(b, "criteria", "criteria"):
                return None
            rows = tuple(Criterion(c["text"], Decimal(c["points"])) for c in b.get("criteria"))
            found = sum((c.points for c in rows), Decimal(0))
            if found != points:
                b.problem("criteria", f"各分项分值之和为 {fmt(found, 4)}，与本条分值 {fmt(points)} 不一致")
                return None
            return Criteria(rows) if ok else None
        case _:
            return Manual() if ok else None


@dataclass(frozen=True)
class Unsure:
    """What :func:`salvage` had to drop: the binding does not judge what it cannot see."""

    items: frozenset[str] = frozenset()  # item codes whose entry did not validate
    fields: frozenset[str] = frozenset()  # top-level fields dropped or replaced

    def __bool__(self) -> bool:
        return bool(self.items or self.fields)


def resolve(
    standard: Standard, rubric: Rubric, unsure: Unsure = Unsure()
) -> tuple[ResolvedRubric | None, list[Problem]]:
    """Bind ``rubric`` to ``standard`` and check the cross-file rules of SPEC §2.2/§2.2a.

    Returns the resolved rubric (None when there are problems) and ``(path, message)``
    problems located in the rubric's document. ``unsure`` names what the schema could not
    read (see :func:`salvage`): those parts are not judged again here.
    """
    info = rubric.rubric
    problems: list[Problem] = []
    known = {item.code for _, item in standard.walk()}
    for code in [*info.items, *unsure.items]:
        if code not in known:
            problems.append((("rubric", "items", code), f"编号“{code}”不在标准 {standard.id} 中"))
    tops = [s.code for s in standard.sections]
    weights = info.weights
    if weights is not None:
        for code in weights:
            if code not in tops:
                problems.append(
                    (
                        ("rubric", "weights", code),
                        f"权重的编号“{code}”不是标准的大项；大项为：{'、'.join(tops)}",
                    )
                )
        missing = [c for c in tops if c not in weights]
        if missing:
            problems.append(
                (("rubric", "weights"), f"给出权重时每个大项都要有权重，缺少：{'、'.join(missing)}")
            )
    scored: list[ScoredItem] = []
    excluded: list[str] = []
    blind = "default" in unsure.fields or "items" in unsure.fields
    for chain, item in standard.walk():
        if item.code in unsure.items:
            continue
        entry = info.items.get(item.code)
        if entry is None and info.default is None:
            if not blind:
                problems.append(
                    (
                        ("rubric", "items"),
                        f"标准条目“{item.code}”既未列出、也无 default 默认分值、也未排除（exclude）",
                    )
                )
            continue
        own, inherited = _fields(info.default, entry, entry is not None)
        b = _Binder(item.code, own, inherited, problems)
        if b.get("exclude"):
            excluded.append(item.code)
            continue
        points = b.get("points")
        if points is None:
            b.problem(None, f"条目“{item.code}”没有分值：请在该条目或 default 中给出 points")
            continue
        rule = _rule_of(b, Decimal(points))
        veto = b.get("veto")
        if veto and rule is not None and not isinstance(rule, Check):
            b.problem("veto", f"一票否决只能用于 check（符合性判定）条目，得到评分方式 {rule.name}")
            continue
        if rule is None:
            continue
        scored.append(
            ScoredItem(
                item.code,
                item.text,
                chain,
                Decimal(points),
                rule,
                veto in (True, "unit"),
                item,
                section_veto=veto == "section",
                scoring_text=b.get("scoring_text"),
                part_codes=tuple(part_code(item.code, p.index) for p in rule.parts()),
            )
        )
    _check_codes(info, known, problems)
    judged = not problems and not unsure
    if judged and weights is None:
        total = sum((s.points for s in scored), Decimal(0))
        if total != info.total:
            problems.append(
                (
                    ("rubric", "total"),
                    f"计分条目分值之和为 {total}，与总分 total {info.total} 不一致",
                )
            )
    if judged and not scored:
        problems.append((("rubric", "items"), "没有任何计分条目"))
    if problems or unsure:
        return None, problems
    return ResolvedRubric(
        standard, rubric, tuple(scored), tuple(excluded), content_hash(standard, rubric)
    ), []


def _check_codes(info: RubricInfo, known: set[str], problems: list[Problem]) -> None:
    """Bonus and penalty codes share the 编号 column with the items: no code may mean two."""
    seen: dict[str, str] = {}
    for block, what in (("bonus", "加分项"), ("penalties", "减分项")):
        entries = getattr(info, block)
        for i, entry in enumerate(entries.items if entries else []):
            path = ("rubric", block, "items", i, "code")
            if entry.code in known or "/" in entry.code:
                problems.append(
                    (path, f"{what}编号“{entry.code}”与标准条目的编号相同或含“/”：请另取编号（如 J1、K1）")
                )
            elif entry.code in seen:
                problems.append((path, f"{what}编号“{entry.code}”已用作{seen[entry.code]}编号"))
            seen.setdefault(entry.code, what)


# --- schema and binding in one pass ---------------------------------------------------------

_PLACEHOLDERS = {"id": "x", "title": "x", "total": 1}


def salvage(data: Any) -> tuple[Rubric | None, Unsure]:
    """The rubric made of what validates in ``data``, for binding despite schema errors.

    Each schema error drops what it is about — an item's entry, or a top-level field (a
    required one replaced by a placeholder) — and the binding is told (``Unsure``) so it
    reports only what it can still see. None when nothing can be bound (no usable
    ``rubric`` mapping or ``standard``).
    """
    if not isinstance(data, dict) or not isinstance(data.get("rubric"), dict):
        return None, Unsure()
    info = copy.copy(data["rubric"])
    items_unsure: set[str] = set()
    fields_unsure: set[str] = set()
    for _ in range(3):  # a second pass only when a drop revealed another error
        try:
            return Rubric.model_validate({"rubric": info}), Unsure(
                frozenset(items_unsure), frozenset(fields_unsure)
            )
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        for error in errors:
            loc = tuple(error["loc"])
            if len(loc) < 2 or loc[0] != "rubric":
                return None, Unsure()
            name = loc[1]
            if name == "items" and len(loc) >= 3 and isinstance(info.get("items"), dict):
                items = dict(info["items"])
                items.pop(loc[2], None)
                info["items"] = items
                items_unsure.add(str(loc[2]))
            elif name == "standard":
                return None, Unsure()
            elif name in _PLACEHOLDERS:
                info[name] = _PLACEHOLDERS[name]
                fields_unsure.add(str(name))
            else:
                info.pop(name, None)
                fields_unsure.add(str(name))
    return None, Unsure()
