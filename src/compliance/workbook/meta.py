"""Who, what and when: an assessment's metadata read from cells, and the rubrics and
units list it is checked against."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from compliance.catalog import Catalog, bundled_dir, read_model
from compliance.findings import ComplianceError, Finding, FindingsError
from compliance.rounds import ACCEPTED as ROUNDS_ACCEPTED
from compliance.rounds import RoundError, canonical
from compliance.rubric import ResolvedRubric, Rubric
from compliance.scoring import Kind
from compliance.units import Unit
from compliance.workbook.cells import INSPECTORS_MAX, BadCell, key, limited, text_of
from compliance.workbook.source import Cell

_INSPECTOR_SEPARATORS = re.compile(r"[、,，;；\s]+")
_RUBRIC_ID = re.compile(r"^[a-z0-9-]+$")
_UNIT_CODE = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
KIND_TEXT = "、".join(k.value for k in Kind)


def kind_of(value: Cell) -> Kind:
    text = text_of(value)
    if text is None:
        raise BadCell(f"评估类型未填写，应为 {KIND_TEXT} 之一")
    try:
        return Kind(key(text))
    except ValueError:
        raise BadCell(f"评估类型“{text}”无效，应为 {KIND_TEXT} 之一") from None


def round_of(value: Cell) -> str:
    """The canonical label of a round cell (SPEC §2.5): ``2021年下半年`` → ``2021H2``.

    A date cell on the first of a month is the month Excel made of ``2021-03`` or
    ``2021年3月`` as typed; any other date is refused like any other text."""
    if isinstance(value, dt.datetime | dt.date) and value.day == 1:
        value = f"{value.year}-{value.month:02d}"
    text = text_of(value)
    if text is None:
        raise BadCell(f"评估轮次未填写；应为：{ROUNDS_ACCEPTED}")
    try:
        return canonical(text)
    except RoundError as exc:
        raise BadCell(str(exc)) from None


def unit_code_of(value: Cell) -> str:
    text = text_of(value)
    if text is None:
        raise BadCell("单位编码未填写")
    if not _UNIT_CODE.match(text):
        raise BadCell(f"单位编码“{text}”无效：只能由字母、数字、- 和 _ 组成，最长 40 个字符")
    return text


def inspectors_of(value: Cell) -> tuple[str, ...]:
    """``张三、李四`` (also split on commas, semicolons and spaces) → ``("张三", "李四")``."""
    text = limited(value, "检查人员", INSPECTORS_MAX) or ""
    return tuple(name for name in _INSPECTOR_SEPARATORS.split(text) if name)


@dataclass
class Rubrics:
    """The rubrics one read needs: each resolved once, and what went wrong kept for every
    cell that names the same id."""

    catalog: Catalog
    _by_ref: dict[str, tuple[ResolvedRubric | None, str, tuple[Finding, ...]]] = field(default_factory=dict)
    _by_type: dict[str, tuple[ResolvedRubric | None, str, tuple[Finding, ...]]] = field(default_factory=dict)

    def get(
        self, ref: str, *, trusted: bool = False
    ) -> tuple[ResolvedRubric | None, str, tuple[Finding, ...]]:
        """(rubric, problem, the rubric file's own findings). A workbook may only name an id:
        a path in a cell of an untrusted file must not make us read arbitrary files."""
        if ref not in self._by_ref:
            self._by_ref[ref] = self._resolve(ref, trusted)
        return self._by_ref[ref]

    def _resolve(self, ref: str, trusted: bool) -> tuple[ResolvedRubric | None, str, tuple[Finding, ...]]:
        if not trusted and not _RUBRIC_ID.match(ref):
            return None, f"评分细则应填写 id（小写字母、数字和 -，如 jiangsu-2018-street），得到“{ref}”", ()
        try:
            return self.catalog.rubric(ref), "", ()
        except FindingsError as exc:
            return None, f"评分细则“{ref}”有错误，无法评分（见该文件的问题）", exc.findings
        except ComplianceError as exc:
            return None, str(exc), ()

    def for_type(self, unit_type: str) -> tuple[ResolvedRubric | None, str, tuple[Finding, ...]]:
        """The one rubric that applies to ``unit_type``, for a bulk form that names none."""
        if unit_type not in self._by_type:
            self._by_type[unit_type] = self._infer(unit_type)
        return self._by_type[unit_type]

    def _infer(self, unit_type: str) -> tuple[ResolvedRubric | None, str, tuple[Finding, ...]]:
        # Folder by folder in the catalog's search order: the user's folders win over the
        # bundled ones. Within a folder a rubric naming the type beats one that names none.
        for folder in _rubric_folders(self.catalog):
            named, open_ = [], []
            for path in sorted(folder.glob("*.y*ml")):
                model, _, _ = read_model(path, Rubric)
                if model is None:
                    continue
                if unit_type in model.rubric.applies_to:
                    named.append((path, model))
                elif not model.rubric.applies_to:
                    open_.append((path, model))
            candidates = named or open_
            if len(candidates) == 1:
                return self._resolve(str(candidates[0][0].resolve()), trusted=True)
            if candidates:
                ids = "、".join(m.id for _, m in candidates)
                return (
                    None,
                    f"适用于“{unit_type}”的评分细则不止一个（{ids}），请增加“评分细则”列或用 --rubric 指定",
                    (),
                )
        return None, f"找不到适用于“{unit_type}”的评分细则，请增加“评分细则”列或用 --rubric 指定", ()


def _rubric_folders(catalog: Catalog) -> list[Path]:
    folders: list[Path] = []
    for folder in (*catalog.rubric_dirs, catalog.cwd / "rubrics", bundled_dir("rubrics")):
        folder = Path(folder)
        if folder.is_dir() and folder.resolve() not in {f.resolve() for f in folders}:
            folders.append(folder)
    return folders


def unit_mismatches(found: Unit, listed: Unit) -> list[tuple[str, str]]:
    """(field, message) for every detail of ``found`` that differs from the units list."""
    labels = {"name": "单位名称", "type": "单位类型", "city": "所属市", "district": "所属区"}
    return [
        (name, f"{label}“{getattr(found, name)}”与单位名单中的“{getattr(listed, name)}”不一致")
        for name, label in labels.items()
        if key(getattr(found, name)) != key(getattr(listed, name))
    ]


def applies_warning(rubric: ResolvedRubric, unit: Unit) -> str | None:
    applies_to = rubric.info.applies_to
    if applies_to and unit.type not in applies_to:
        return f"单位类型“{unit.type}”不在评分细则 {rubric.id} 的适用范围（{'、'.join(applies_to)}）内"
    return None
