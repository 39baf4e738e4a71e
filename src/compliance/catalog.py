"""Finding and loading the user's files: standards, rubrics, units and targets.

Standards and rubrics are found by id in ``./standards`` and ``./rubrics``, in folders the
user adds, then among those bundled with the package; a path works wherever an id does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from compliance.findings import ComplianceError, Finding, FindingsError, errors_of
from compliance.loader import YamlDocument, describe_value, load_yaml, validate_document
from compliance.rubric import ResolvedRubric, Rubric, Unsure, resolve, salvage
from compliance.standard import Standard, structure_problems
from compliance.targets import Targets
from compliance.units import UnitsFile, repeated_codes

M = TypeVar("M", bound=BaseModel)
YAML_SUFFIXES = (".yaml", ".yml")
_ID = re.compile(r"[a-z0-9-]{1,64}")  # the id pattern of standards and rubrics (SPEC §2)
KINDS: dict[str, type[BaseModel]] = {
    "standard": Standard,
    "rubric": Rubric,
    "units": UnitsFile,
    "targets": Targets,
}
KIND_LABELS = {"standard": "标准", "rubric": "评分细则", "units": "单位名单", "targets": "达标目标"}


def bundled_dir(name: str) -> Path:
    """A folder of data shipped inside the package (``standards``, ``rubrics``, ``examples``)."""
    return Path(str(resources.files("compliance") / "data" / name))


def kind_of(doc: YamlDocument) -> str | None:
    if isinstance(doc.data, dict):
        for kind in KINDS:
            if kind in doc.data:
                return kind
    return None


def read_model(path: Path | str, model: type[M]) -> tuple[M | None, YamlDocument | None, list[Finding]]:
    doc, findings = load_yaml(path)
    if doc is None:
        return None, None, findings
    value, more = validate_document(doc, model)
    findings += more + _more_in_one_pass(model, doc, more)
    if isinstance(value, Standard):
        findings += [doc.finding(p, m) for p, m in structure_problems(value)]
    if errors_of(findings):
        return None, doc, findings
    return value, doc, findings


def _more_in_one_pass(model: type[BaseModel], doc: YamlDocument, found: list[Finding]) -> list[Finding]:
    """Problems a model's own checks see only once every field is valid, found in the
    raw data so that they come in the same pass as the rest (a units file's repeated code)."""
    if (
        model is not UnitsFile
        or not isinstance(doc.data, dict)
        or not isinstance(doc.data.get("units"), list)
    ):
        return []
    codes = [u.get("code") if isinstance(u, dict) else None for u in doc.data["units"]]
    more = [doc.finding(path, message) for path, message in repeated_codes(codes)]
    return [f for f in more if f not in found]


def load(path: Path | str, model: type[M]) -> M:
    """Load one file as ``model``, raising FindingsError with all its problems."""
    value, _, findings = read_model(path, model)
    if value is None:
        raise FindingsError(findings)
    return value


def load_units(path: Path | str) -> UnitsFile:
    return load(path, UnitsFile)


def load_targets(path: Path | str) -> Targets:
    return load(path, Targets)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system names no file
        return False


def _looks_like_path(ref: str) -> bool:
    return ref.endswith(YAML_SUFFIXES) or os.sep in ref or "/" in ref


@dataclass
class Catalog:
    """Where standards and rubrics are looked up, in order."""

    standard_dirs: Sequence[Path] = ()
    rubric_dirs: Sequence[Path] = ()
    cwd: Path = field(default_factory=Path.cwd)
    # Standard files named on the command line (``validate std.yaml rubric.yaml``): a
    # rubric binds to one of them by its declared id before any folder is searched.
    standard_files: Sequence[Path] = ()
    # The one cache of standards and rubrics: read from YAML once, kept while their files
    # are unchanged (importing a thousand checklists resolves their rubric once).
    _cache: _Cache = field(default_factory=lambda: _Cache(), repr=False, compare=False)

    def _dirs(self, name: str, extra: Iterable[Path]) -> list[Path]:
        dirs = [*extra, self.cwd / name, bundled_dir(name)]
        unique: list[Path] = []
        for d in dirs:
            if d.is_dir() and all(not _same(d, u) for u in unique):
                unique.append(d)
        return unique

    def find(self, ref: str, name: str, extra: Iterable[Path]) -> Path:
        """The file for an id or a path; ``name`` is ``standards`` or ``rubrics``."""
        label = "标准" if name == "standards" else "评分细则"
        if _looks_like_path(ref):
            path = self.cwd / ref  # an absolute ref stays as it is
            if not _is_file(path):
                raise ComplianceError(f"找不到{label}文件：{ref}")
            return path
        if name == "standards":
            for candidate in self.standard_files:
                if _declared_id(candidate, name) == ref:
                    return candidate
        dirs = self._dirs(name, extra)
        if not _ID.fullmatch(ref):
            raise ComplianceError(
                f"“{ref[:80]}”不是有效的{label} id：id 由小写字母、数字和连字符组成，至多 64 个字符"
            )
        for d in dirs:  # folder by folder: one the user names wins over the bundled ones
            for suffix in YAML_SUFFIXES:
                candidate = d / f"{ref}{suffix}"
                if candidate.is_file():
                    return candidate
            for candidate in sorted(d.glob("*.y*ml")):
                if _declared_id(candidate, name) == ref:
                    return candidate
        searched = "、".join(str(d) for d in dirs) or "（无）"
        raise ComplianceError(f"找不到 id 为“{ref}”的{label}；已查找：{searched}")

    def standard(self, ref: str) -> Standard:
        path = self.find(ref, "standards", self.standard_dirs).resolve()
        stamp = _stamp(path)
        hit = self._cache.standards.get(path)
        if hit is None or hit[0] != stamp:
            hit = self._cache.standards[path] = (stamp, load(path, Standard))
        return hit[1]

    def rubric(self, ref: str) -> ResolvedRubric:
        """The rubric ``ref`` (an id or a path) names, resolved against its standard."""
        where = (ref, tuple(map(str, self.rubric_dirs)))
        path = self._cache.found.get(where)
        if path is None or not path.is_file():
            path = self._cache.found[where] = self.find(ref, "rubrics", self.rubric_dirs)
        return self.resolve_file(path)

    def resolve_file(self, path: Path) -> ResolvedRubric:
        """The rubric in ``path``, remembered while neither it nor its standard changes."""
        path = Path(path).absolute()
        hit = self._cache.rubrics.get(path)
        if hit is not None and hit[0] == _stamp(path) and all(_stamp(p) == s for p, s in hit[1]):
            return hit[2]
        stamp, resolved = _stamp(path), self._resolve_file(path)
        standard = self._standard_file(resolved.info.standard)
        self._cache.rubrics[path] = (stamp, ((standard, _stamp(standard)),) if standard else (), resolved)
        return resolved

    def _standard_file(self, ref: str) -> Path | None:
        try:
            return self.find(ref, "standards", self.standard_dirs).resolve()
        except ComplianceError:
            return None

    def _resolve_file(self, path: Path) -> ResolvedRubric:
        rubric, doc, findings = read_model(path, Rubric)
        if rubric is None:
            if doc is not None:  # schema errors: the binding errors of what validated, too
                findings += self._bind_salvaged(doc)
            raise FindingsError(findings)
        resolved, more = self.bind(rubric, doc)
        if resolved is None:
            raise FindingsError([*findings, *more])
        return resolved

    def _bind_salvaged(self, doc: YamlDocument) -> list[Finding]:
        """The binding findings of the parts of a rubric that passed the schema."""
        rubric, unsure = salvage(doc.data)
        return [] if rubric is None else self.bind(rubric, doc, unsure)[1]

    def bind(
        self, rubric: Rubric, doc: YamlDocument, unsure: Unsure = Unsure()
    ) -> tuple[ResolvedRubric | None, list[Finding]]:
        """Resolve a loaded rubric against its standard, findings located in ``doc``.

        ``unsure`` names the parts a schema error dropped (see ``rubric.salvage``)."""
        try:
            standard = self.standard(rubric.rubric.standard)
        except FindingsError as exc:
            return None, [
                doc.finding(("rubric", "standard"), f"所引用的标准“{rubric.rubric.standard}”有错误，见下"),
                *exc.findings,
            ]
        except ComplianceError as exc:
            return None, [doc.finding(("rubric", "standard"), f"未知的标准：{exc}")]
        ref = rubric.rubric.standard
        if not _looks_like_path(ref) and standard.id != ref:  # found by file name, another id inside
            found = self.find(ref, "standards", self.standard_dirs)
            message = f"找到的标准文件 {found} 声明的 id 为“{standard.id}”，与所引用的“{ref}”不一致"
            return None, [doc.finding(("rubric", "standard"), message)]
        resolved, problems = resolve(standard, rubric, unsure)
        return resolved, [doc.finding(p, m, at_key=p[-1] != "total") for p, m in problems]

    def validate(self, path: Path) -> tuple[str | None, list[Finding]]:
        """All findings of one YAML file of any kind, including a rubric's binding."""
        doc, findings = load_yaml(path)
        if doc is None:
            return None, findings
        kind = kind_of(doc)
        if kind is None:
            wanted = "、".join(KINDS)
            found = "" if isinstance(doc.data, dict) else f"得到 {describe_value(doc.data)}，"
            return None, [
                *findings,
                doc.finding((), f"{found}无法识别文件类型：文件顶层应为映射，且有以下键之一：{wanted}"),
            ]
        value, more = validate_document(doc, KINDS[kind])
        findings += more + _more_in_one_pass(KINDS[kind], doc, more)
        if isinstance(value, Standard):
            findings += [doc.finding(p, m) for p, m in structure_problems(value)]
        if isinstance(value, Rubric) and not errors_of(findings):
            findings += self.bind(value, doc)[1]
        elif kind == "rubric" and value is None:
            findings += self._bind_salvaged(doc)
        return kind, findings


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _declared_id(path: Path, name: str) -> str | None:
    doc, _ = load_yaml(path)
    key = "standard" if name == "standards" else "rubric"
    if doc and isinstance(doc.data, dict) and isinstance(doc.data.get(key), dict):
        value = doc.data[key].get("id")
        return value if isinstance(value, str) else None
    return None


class _Cache:
    """What a :class:`Catalog` has read: by file, with the (mtime, size) it was read at."""

    def __init__(self) -> None:
        self.found: dict[tuple, Path] = {}
        self.standards: dict[Path, tuple[tuple, Standard]] = {}
        self.rubrics: dict[Path, tuple[tuple, tuple[tuple[Path, tuple], ...], ResolvedRubric]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
