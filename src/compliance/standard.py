"""The standard: what every squad must have and do, as a tree of sections and items."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from compliance.base import StrictModel
from compliance.loader import format_path, source_text


def _code_text(value: object) -> object:
    # An unquoted code such as 1 or 1.1 arrives as a number; the code is its text exactly
    # as written in the file: 010 stays 010 (not 8), 0x1F stays 0x1F, 1:20 stays 1:20.
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return source_text(value) or str(value)
    return value


Code = Annotated[str, BeforeValidator(_code_text), Field(min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1)]

FIDELITY_LABELS = {
    "official": "官方原文",
    "excerpt": "官方原文节选",
    "illustrative": "示例性条文（非官方原文）",
}
ILLUSTRATIVE_NOTICE = (
    "注意：本标准的条文为示例性表述，并非官方原文，仅用于演示和试用；正式考评请以发布机关的原文为准。"
)


class StandardInfo(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$", max_length=64)]
    title: Text
    issuer: str | None = None
    version: Annotated[str, BeforeValidator(_code_text)]
    source: str | None = None
    fidelity: Literal["official", "excerpt", "illustrative"]
    levels: Annotated[list[Text], Field(min_length=2, max_length=4)]


class Item(StrictModel):
    code: Code
    text: Text
    method: str | None = None
    evidence: str | None = None
    basis: str | None = None


class Section(StrictModel):
    code: Code
    name: Text
    sections: list[Section] | None = None
    items: list[Item] | None = None

    @model_validator(mode="after")
    def _sections_or_items(self) -> Section:
        if (self.sections is None) == (self.items is None):
            found = (
                "同时有 sections 和 items" if self.sections is not None else "既没有 sections 也没有 items"
            )
            raise ValueError(
                f"章节“{self.code}”{found}：一个章节应当只包含 sections（下级章节）或 items（条目）之一"
            )
        return self


class Standard(StrictModel):
    standard: StandardInfo
    sections: Annotated[list[Section], Field(min_length=1)]

    @property
    def id(self) -> str:
        return self.standard.id

    @property
    def illustrative(self) -> bool:
        return self.standard.fidelity == "illustrative"

    def walk(self) -> Iterator[tuple[tuple[Section, ...], Item]]:
        """Every item in document order, with the chain of sections above it."""

        def visit(section: Section, chain: tuple[Section, ...]):
            chain = (*chain, section)
            for child in section.sections or ():
                yield from visit(child, chain)
            for item in section.items or ():
                yield chain, item

        for top in self.sections:
            yield from visit(top, ())

    def sections_by_level(self) -> list[list[Section]]:
        """Sections grouped by depth: ``[top-level, second level, ...]``."""
        levels: list[list[Section]] = []
        frontier = list(self.sections)
        while frontier:
            levels.append(frontier)
            frontier = [child for s in frontier for child in s.sections or ()]
        return levels


def structure_problems(standard: Standard) -> list[tuple[tuple[str | int, ...], str]]:
    """SPEC §2.1 rules pydantic cannot see: unique codes, and every leaf at the last level.

    Returns ``(document path, message)`` pairs; the caller locates them in its file.
    """
    problems: list[tuple[tuple[str | int, ...], str]] = []
    depth = len(standard.standard.levels)
    seen: dict[str, str] = {}

    def claim(code: str, path: tuple[str | int, ...]) -> None:
        if code in seen:
            problems.append(
                (
                    (*path, "code"),
                    f"编号“{code}”重复：已在 {seen[code]} 使用过，编号在一个标准内必须唯一",
                )
            )
        else:
            seen[code] = format_path(path)

    def visit(section: Section, path: tuple[str | int, ...], level: int) -> None:
        claim(section.code, path)
        if section.items is not None and level + 1 != depth:
            problems.append(
                (
                    (*path, "items"),
                    f"条目位于第 {level + 1} 层，但标准声明了 {depth} 层（{'/'.join(standard.standard.levels)}），"
                    f"条目应位于第 {depth} 层",
                )
            )
        if section.sections is not None and level + 1 >= depth:
            problems.append(
                (
                    (*path, "sections"),
                    f"第 {level} 层章节下不应再有下级章节：标准只有 {depth} 层，最后一层应为条目",
                )
            )
        for i, child in enumerate(section.sections or ()):
            visit(child, (*path, "sections", i), level + 1)
        for i, item in enumerate(section.items or ()):
            claim(item.code, (*path, "items", i))

    for i, top in enumerate(standard.sections):
        visit(top, ("sections", i), 1)
    return problems
