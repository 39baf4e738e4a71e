"""The rubric (评分细则): how a standard's items are scored, and its binding to the standard."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from compliance.base import StrictModel
from compliance.loader import PlacedValueError
from compliance.numbers import fmt
from compliance.standard import Code, Item, Section, Standard, Text

RuleName = Literal["check", "levels", "deduct", "quantity", "manual"]
RULE_LABELS: dict[str, str] = {
    "check": "符合性判定",
    "levels": "等级评定",
    "deduct": "按处扣分",
    "quantity": "按数量计分",
    "manual": "人工评分",
}
NonNegative = Annotated[Decimal, Field(ge=0)]
Positive = Annotated[Decimal, Field(gt=0)]
Fraction = Annotated[Decimal, Field(ge=0, le=1)]


class ItemRule(StrictModel):
    """One entry of ``items`` (or ``default``); unset fields fall back to ``default``."""

    points: NonNegative | None = None
    rule: RuleName | None = None
    per: Positive | None = None
    levels: dict[str, Fraction] | None = None
    target: Positive | None = None
    mode: Literal["proportional", "threshold"] | None = None
    veto: bool = False
    exclude: bool = False


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


class Bonus(StrictModel):
    cap: NonNegative
    items: list[BonusItem] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> Bonus:
        codes = [b.code for b in self.items]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                raise PlacedValueError(
                    f"加分项编号“{code}”重复：每个加分项的编号必须唯一", "items", i, "code"
                )
        return self


class RubricInfo(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$", max_length=64)]
    title: Text
    standard: Annotated[str, Field(min_length=1)]
    applies_to: list[Text] = []
    total: Positive
    na_policy: Literal["exclude", "full_marks"] = "exclude"
    partial_credit: Fraction = Decimal("0.5")
    precision: Annotated[int, Field(ge=0, le=4)] = 2
    pass_: PassRule = Field(alias="pass")
    grades: Annotated[list[Grade], Field(min_length=1)]
    default: ItemRule | None = None
    items: dict[str, ItemRule] = {}
    bonus: Bonus | None = None

    @field_validator("grades")
    @classmethod
    def _grades_descending(cls, grades: list[Grade]) -> list[Grade]:
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


class Rubric(StrictModel):
    rubric: RubricInfo

    @property
    def id(self) -> str:
        return self.rubric.id


# --- the rubric bound to its standard ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    name = "check"


@dataclass(frozen=True, slots=True)
class Levels:
    labels: tuple[tuple[str, Decimal], ...]
    name = "levels"

    def fraction(self, label: str) -> Decimal | None:
        return dict(self.labels).get(label)


@dataclass(frozen=True, slots=True)
class Deduct:
    per: Decimal
    name = "deduct"


@dataclass(frozen=True, slots=True)
class Quantity:
    target: Decimal
    mode: Literal["proportional", "threshold"]
    name = "quantity"


@dataclass(frozen=True, slots=True)
class Manual:
    name = "manual"


Rule = Check | Levels | Deduct | Quantity | Manual


def describe_rule(rule: Rule, points: Decimal) -> str:
    """The rule in the words of a 评分细则 column."""
    match rule:
        case Check():
            return f"符合得 {points} 分，基本符合得部分分，不符合不得分"
        case Levels(labels):
            return "按等级：" + "、".join(f"{label} {fmt(fraction * 100)}%" for label, fraction in labels)
        case Deduct(per):
            return f"每处扣 {per} 分，扣完为止"
        case Quantity(target, "threshold"):
            return f"达到 {target} 得 {points} 分，否则不得分"
        case Quantity(target, _):
            return f"按实测值 ÷ {target} 比例计分"
        case Manual():
            return f"由考评人员评分（0–{points} 分）"
    raise AssertionError(rule)


@dataclass(frozen=True, slots=True)
class ScoredItem:
    """One item the rubric scores, with everything the engine and the workbook need."""

    code: str
    text: str
    sections: tuple[Section, ...]
    points: Decimal
    rule: Rule
    veto: bool
    item: Item

    @property
    def top(self) -> Section:
        return self.sections[0]


@dataclass(frozen=True)
class ResolvedRubric:
    """A rubric bound to its standard: every scored item's rule and points in one place."""

    standard: Standard
    rubric: Rubric
    items: tuple[ScoredItem, ...]
    excluded: tuple[str, ...]
    content_hash: str

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

    @property
    def _by_code(self) -> dict[str, ScoredItem]:
        cached = self.__dict__.get("_by_code_cache")
        if cached is None:
            cached = {i.code: i for i in self.items}
            object.__setattr__(self, "_by_code_cache", cached)
        return cached

    @property
    def bonus_items(self):
        return self.info.bonus.items if self.info.bonus else []

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


def _merge(default: ItemRule | None, entry: ItemRule | None) -> dict:
    merged: dict = {}
    for source in (default, entry):
        if source is not None:
            merged.update(source.model_dump(exclude_unset=True))
    return merged


def _rule_of(fields: dict, path: tuple[str | int, ...], problems: list[Problem]) -> Rule | None:
    name = fields.get("rule") or "check"
    required = {"levels": ("levels",), "deduct": ("per",), "quantity": ("target",)}.get(name, ())
    missing = [f for f in required if fields.get(f) is None]
    for f in missing:
        problems.append(((*path, f), f"评分方式 {name}（{RULE_LABELS[name]}）缺少字段“{f}”"))
    if missing:
        return None
    match name:
        case "check":
            return Check()
        case "levels":
            if not fields["levels"]:
                problems.append(((*path, "levels"), "等级评定至少应有一个等级标签"))
                return None
            return Levels(tuple((str(k), Decimal(v)) for k, v in fields["levels"].items()))
        case "deduct":
            return Deduct(fields["per"])
        case "quantity":
            return Quantity(fields["target"], fields.get("mode") or "proportional")
        case _:
            return Manual()


def resolve(standard: Standard, rubric: Rubric) -> tuple[ResolvedRubric | None, list[Problem]]:
    """Bind ``rubric`` to ``standard`` and check SPEC §2.2's cross-file rules.

    Returns the resolved rubric (None when there are problems) and ``(path, message)``
    problems located in the rubric's document.
    """
    info = rubric.rubric
    problems: list[Problem] = []
    known = {item.code for _, item in standard.walk()}
    for code in info.items:
        if code not in known:
            problems.append((("rubric", "items", code), f"编号“{code}”不在标准 {standard.id} 中"))
    scored: list[ScoredItem] = []
    excluded: list[str] = []
    for chain, item in standard.walk():
        entry = info.items.get(item.code)
        path = ("rubric", "items", item.code) if entry else ("rubric", "default")
        fields = _merge(info.default, entry)
        if entry is None and info.default is None:
            problems.append(
                (
                    ("rubric", "items"),
                    f"标准条目“{item.code}”既未列出、也无 default 默认分值、也未排除（exclude）",
                )
            )
            continue
        if fields.get("exclude"):
            excluded.append(item.code)
            continue
        if fields.get("points") is None:
            problems.append((path, f"条目“{item.code}”没有分值：请在该条目或 default 中给出 points"))
            continue
        rule = _rule_of(fields, path, problems)
        if rule is None:
            continue
        veto = bool(fields.get("veto"))
        if veto and not isinstance(rule, Check):
            problems.append(
                (
                    (*path, "veto"),
                    f"一票否决只能用于 check（符合性判定）条目，得到评分方式 {rule.name}",
                )
            )
        scored.append(ScoredItem(item.code, item.text, chain, Decimal(fields["points"]), rule, veto, item))
    if not problems:
        total = sum((s.points for s in scored), Decimal(0))
        if total != info.total:
            problems.append(
                (
                    ("rubric", "total"),
                    f"计分条目分值之和为 {total}，与总分 total {info.total} 不一致",
                )
            )
    if not scored and not problems:
        problems.append((("rubric", "items"), "没有任何计分条目"))
    if problems:
        return None, problems
    return ResolvedRubric(
        standard, rubric, tuple(scored), tuple(excluded), content_hash(standard, rubric)
    ), []
