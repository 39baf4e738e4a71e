"""Safe YAML reading that remembers where every value came from.

PyYAML's node graph carries a mark (line, column) per node; we build plain Python data
from the nodes ourselves so that each value's document path maps back to its mark.
Tags outside the YAML core schema and aliases are refused: the files we read are data,
and aliases are the vehicle of "billion laughs" expansion.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from compliance import files
from compliance.findings import Finding

MAX_YAML_BYTES = 5 * 1024 * 1024
"""Largest YAML file accepted; the biggest real standard is well under 1 MB."""

PathParts = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted; a real standard needs fewer than 20."""


class SourcedInt(int):
    """An unquoted YAML integer that remembers how it was written: ``010`` (8 to YAML 1.1),
    ``0x1F``, ``1:20`` (sexagesimal 80). A field that holds a code reads the text."""

    source: str


class SourcedDecimal(Decimal):
    """An unquoted YAML float that remembers how it was written: ``010.1``, ``1.10``."""

    source: str


def _sourced(value: Any, text: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return value
    sourced = SourcedInt(value) if isinstance(value, int) else SourcedDecimal(value)
    sourced.source = text
    return sourced


def source_text(value: object) -> str | None:
    """How an unquoted number was written in the YAML file, when it came from one."""
    return getattr(value, "source", None)


class PlacedValueError(ValueError):
    """A validator's error that knows where inside the validated value it lies.

    ``loc`` continues the location pydantic reports (``("units", 1, "code")`` from a
    model validator of the file), so the finding points at the offending value.
    """

    def __init__(self, message: str, *loc: str | int):
        super().__init__(message)
        self.loc = loc


def format_path(parts: PathParts) -> str:
    """``("rubric", "items", "1.1.2", "per")`` → ``rubric.items."1.1.2".per``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _IDENTIFIER.fullmatch(part) else f'"{part}"'
            out += f".{text}" if out else text
    return out


@dataclass(frozen=True)
class YamlDocument:
    """Plain data read from one YAML file plus the mark of every value and key in it."""

    file: str
    data: Any
    marks: dict[PathParts, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathParts, tuple[int, int]] = field(default_factory=dict)
    sources: dict[PathParts, str] = field(default_factory=dict)  # unquoted non-text values as written

    def finding(self, path: PathParts, message: str, *, at_key: bool = False, **kw) -> Finding:
        """A finding at ``path``, or at the nearest enclosing value the document has."""
        line, column = self.locate(path, at_key=at_key)
        return Finding(self.file, message, line, column, format_path(path) or None, **kw)

    def locate(self, path: PathParts, *, at_key: bool = False) -> tuple[int | None, int | None]:
        if at_key and path in self.key_marks:
            return self.key_marks[path]
        for end in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:end]))
            if mark:
                return mark
        return None, None


class _Refused(Exception):
    def __init__(
        self,
        message: str,
        node: yaml.Node | None = None,
        mark: yaml.Mark | None = None,
        path: PathParts = (),
    ):
        super().__init__(message)
        self.mark = mark or (node.start_mark if node else None)
        self.path = path


class _NoAliasLoader(yaml.SafeLoader):
    depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                "不允许使用 YAML 别名（*引用）：本工具的文件不需要它，它可被用来制造超大展开",
                mark=event.start_mark,
            )
        if self.depth >= MAX_DEPTH and self.check_event(yaml.CollectionStartEvent):
            raise _Refused(
                f"嵌套层次过深：列表和映射至多嵌套 {MAX_DEPTH} 层，此处已超过",
                mark=self.peek_event().start_mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.constructor = yaml.constructor.SafeConstructor()
        self.marks: dict[PathParts, tuple[int, int]] = {}
        self.key_marks: dict[PathParts, tuple[int, int]] = {}
        self.sources: dict[PathParts, str] = {}
        self.findings: list[Finding] = []

    def build(self, node: yaml.Node, path: PathParts) -> Any:
        self.marks[path] = _mark(node)
        if node.tag not in _ALLOWED_TAGS:
            raise _Refused(
                f"不允许的 YAML 标签 {node.tag}：只接受普通的文本、数字、日期、列表和映射", node, path=path
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathParts) -> dict:
        self.constructor.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("映射的键应为简单文本", key_node, path=path)
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                line, column = _mark(key_node)
                self.findings.append(
                    Finding(
                        self.file,
                        f"重复的键“{key}”：同一映射中每个键只能出现一次",
                        line,
                        column,
                        format_path(child),
                    )
                )
            self.key_marks[child] = _mark(key_node)
            out[key] = self.build(value_node, child)
        return out

    def _scalar(self, node: yaml.ScalarNode, path: PathParts) -> Any:
        tag = node.tag.removeprefix(_CORE)
        if tag == "str":
            return node.value
        if node.style is None:  # plain: the text as written, for messages and code fields
            self.sources[path] = node.value
        try:
            if tag == "float":
                # Decimal from the source text: 0.1 stays exactly 0.1.
                try:
                    value = Decimal(node.value.replace("_", ""))
                except InvalidOperation:
                    return self.constructor.construct_yaml_float(node)
                return _sourced(value, node.value) if value.is_finite() else float(value)
            value = self.constructor.construct_object(node)
            return _sourced(value, node.value) if node.style is None else value
        except (ValueError, KeyError, AttributeError, TypeError):
            if tag == "timestamp":  # 2019-02-30: date-shaped but no such day; the model says what it wants
                return node.value
            # an explicit tag on a value it does not fit: !!int 5 0, !!bool maybe, !!float abc
            raise _Refused(
                f"“{node.value[:60]}”不是有效的 {tag} 值：请改正这个值，或去掉标签 !!{tag}", node
            ) from None


_YAML_PROBLEMS = [
    (re.compile(r"expected <block end>, but found"), "缩进不一致：这一行与上一级的缩进对不齐"),
    (
        re.compile(r"mapping values are not allowed here"),
        "此处不能出现“键: 值”：检查缩进，或给含冒号的文本加引号",
    ),
    (re.compile(r"found character '\\t' that cannot start any token"), "不能用 Tab 缩进，请改用空格"),
    (re.compile(r"could not find expected ':'"), "缺少冒号“:”：键与值之间应有“: ”"),
    (re.compile(r"found unexpected end of stream"), "文件意外结束：引号或括号没有闭合"),
    (re.compile(r"found undefined tag handle"), "未定义的标签（以 ! 开头的值）"),
    (re.compile(r"expected ',' or '[\]}]', but got"), "流式列表或映射（[ ] 或 { }）中缺少逗号或右括号"),
    (re.compile(r"but found another document"), "文件中有多个 YAML 文档（以 --- 分隔）：每个文件只能有一个"),
    (re.compile(r"expected a single document"), "文件中有多个 YAML 文档（以 --- 分隔）：每个文件只能有一个"),
    (
        re.compile(r"found character '(.+?)' that cannot start any token"),
        "字符“\\1”不能出现在值的开头：请给这个值加引号",
    ),
    (
        re.compile(r"found unknown escape character"),
        "双引号文本中有无效的转义（反斜杠 \\）：改用单引号，或写成 \\\\",
    ),
    (
        re.compile(r"expected a comment or a line break"),
        "值后面多出了内容：检查引号是否闭合，或给整个值加引号",
    ),
    (re.compile(r"did not find expected key"), "缺少键或缩进不一致：检查这一行的缩进和“- ”"),
    (re.compile(r"did not find expected node content"), "此处缺少值"),
    (re.compile(r"did not find expected '-' indicator"), "列表项应以“- ”开头，且缩进一致"),
    (re.compile(r"expected <document start>"), "文件中多出了内容：一个文件只能有一个 YAML 文档"),
    (re.compile(r"found undefined alias"), "使用了未定义的别名（*引用）"),
    (
        re.compile(r"expected alphabetic or numeric character"),
        "锚点或别名（& 或 *）后应为字母或数字：给这个值加引号",
    ),
    (re.compile(r"found a tab character"), "不能用 Tab 缩进，请改用空格"),
    (re.compile(r"found duplicate anchor"), "重复的锚点（&）"),
    (re.compile(r"found unhashable key"), "映射的键应为简单文本"),
    (re.compile(r"while scanning a quoted scalar"), "引号没有闭合"),
    (re.compile(r"found a BOM|byte order mark"), "文件中间有字节顺序标记（BOM）"),
    (re.compile(r"unacceptable character"), "含有不允许的字符"),
]


def _yaml_problem(problem: str) -> str:
    """PyYAML's English problem text, in Chinese where we know it (the original kept)."""
    for pattern, chinese in _YAML_PROBLEMS:
        if match := pattern.search(problem):
            return f"{match.expand(chinese)}（{problem}）"
    return f"无法解析的写法（{problem}）"


def load_yaml(path: Path | str, *, display: str | None = None) -> tuple[YamlDocument | None, list[Finding]]:
    """Read one YAML file. Returns the document (None when unreadable) and its findings."""
    path = Path(path)
    name = display or str(path)
    try:
        raw = files.read_bytes(path, MAX_YAML_BYTES)
        if len(raw) > MAX_YAML_BYTES:
            size = os.stat(path).st_size
            return None, [Finding(name, f"文件过大：{size} 字节，上限为 {MAX_YAML_BYTES} 字节")]
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        message = f"无法按 UTF-8 读取：第 {exc.start + 1} 字节处编码无效（可能是 GBK 编码），请另存为 UTF-8"
        return None, [Finding(name, message, line, column)]
    except OSError as exc:
        return None, [Finding(name, f"无法读取文件：{files.reason(exc)}")]
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[YamlDocument | None, list[Finding]]:
    builder = _Builder(name)
    try:
        loader = _NoAliasLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        if root is None:
            return None, [Finding(name, "文件为空：应为一个 YAML 映射")]
        data = builder.build(root, ())
    except _Refused as exc:
        line, column = (exc.mark.line + 1, exc.mark.column + 1) if exc.mark else (None, None)
        return None, [Finding(name, str(exc), line, column, format_path(exc.path) or None)]
    except yaml.reader.ReaderError as exc:  # a control character: PyYAML gives only its offset
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        message = f"YAML 语法错误：含有不允许的控制字符 #x{exc.character:04x}，请删除它"
        return None, [Finding(name, message, line, column)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or exc.context or "格式错误"
        return None, [Finding(name, f"YAML 语法错误：{_yaml_problem(problem)}", line, column)]
    except yaml.YAMLError as exc:
        return None, [Finding(name, f"YAML 语法错误：{_yaml_problem(str(exc))}")]
    except RecursionError:
        return None, [Finding(name, f"嵌套层次过深：列表和映射至多嵌套 {MAX_DEPTH} 层")]
    return YamlDocument(name, data, builder.marks, builder.key_marks, builder.sources), builder.findings


# --- pydantic errors → located Chinese findings -------------------------------------------


def describe_value(value: Any) -> str:
    """A found value as a message shows it: ``“abc”``, ``一个列表``, ``空值``."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "一个映射"
    if isinstance(value, list):
        return "一个列表"
    if isinstance(value, str):
        return f"“{value[:60]}”"
    return str(value)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete classes an annotation may hold (Optional, Annotated, unions unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(annotation) for c in _unwrap(arg)]
    return [annotation]


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class found by walking ``loc`` through field annotations."""
    current: Any = model
    for part in loc:
        candidates = _unwrap(current)
        nxt = None
        for cand in candidates:
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                for name, info in cand.model_fields.items():
                    if part in (name, info.alias):
                        nxt = info.annotation
            elif typing.get_origin(cand) in (list, tuple) and isinstance(part, int):
                nxt = typing.get_args(cand)[0]
            elif typing.get_origin(cand) is dict and isinstance(part, str):
                nxt = typing.get_args(cand)[1]
        if nxt is None:
            return None
        current = nxt
    for cand in _unwrap(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _allowed_fields(model: type[BaseModel] | None) -> str:
    if model is None:
        return ""
    names = [info.alias or name for name, info in model.model_fields.items()]
    return "；允许的字段：" + "、".join(names)


def _message(error: dict, root: type[BaseModel]) -> str:
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    found = describe_value(error.get("input"))
    if kind in ("too_short", "too_long") and "actual_length" in ctx:
        found = f"{ctx['actual_length']} 项"
    if kind in ("literal_error", "enum") and "expected" in ctx:
        ctx["expected"] = re.sub(r"', '|' or '", "'、'", str(ctx["expected"]))
    loc = tuple(error["loc"])
    if kind == "missing":
        return f"缺少必填字段“{loc[-1]}”"
    if kind == "extra_forbidden":
        return f"不允许的字段“{loc[-1]}”{_allowed_fields(_model_at(root, loc[:-1]))}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    templates = {
        "string_type": "应为文本",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "decimal_type": "应为数字",
        "decimal_parsing": "应为数字",
        "finite_number": "应为有限的数字",
        "float_type": "应为数字",
        "bool_type": "应为 true 或 false",
        "bool_parsing": "应为 true 或 false",
        "list_type": "应为列表",
        "dict_type": "应为映射（键: 值）",
        "model_type": "应为映射（键: 值）",
        "model_attributes_type": "应为映射（键: 值）",
        "date_type": "应为日期（YYYY-MM-DD）",
        "date_parsing": "应为日期（YYYY-MM-DD）",
        "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不带时间",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
        "datetime_type": "应为日期（YYYY-MM-DD）",
        "datetime_parsing": "应为日期（YYYY-MM-DD）",
        "string_too_long": "至多 {max_length} 个字符",
        "greater_than": "应为大于 {gt} 的数",
        "greater_than_equal": "应为不小于 {ge} 的数",
        "less_than": "应为小于 {lt} 的数",
        "less_than_equal": "应为不大于 {le} 的数",
        "literal_error": "应为以下之一：{expected}",
        "enum": "应为以下之一：{expected}",
        "string_pattern_mismatch": "格式不符，应匹配 {pattern}",
        "string_too_short": "不能为空",
        "too_short": "至少应有 {min_length} 项",
        "too_long": "至多允许 {max_length} 项",
        "decimal_max_places": "小数位数过多，至多 {decimal_places} 位",
    }
    template = templates.get(kind)
    allowed = template.format(**ctx) if template else f"无效值（{error['msg']}）"
    return f"得到 {found}，{allowed}"


_READ_AS = ((bool, "真假值"), (int, "数字"), (Decimal, "数字"), (float, "数字"), (dt.date, "日期"))


def _unquoted(error: dict, source: str | None) -> str | None:
    """Text was wanted and an unquoted value YAML reads as something else came: say how
    it was read and ask for quotes (``010`` is 8, ``yes`` is true, ``2021-03-01`` a date)."""
    value = error.get("input")
    if error["type"] != "string_type" or not source:
        return None
    read_as = next((name for kind, name in _READ_AS if isinstance(value, kind)), None)
    if read_as is None:
        return None
    shown = value.isoformat() if isinstance(value, dt.date) else describe_value(value)
    read = f"YAML 把它读作{read_as}" + ("" if shown == source else f" {shown}")
    return f'得到没有引号的 {source}（{read}），应为文本：请加引号，写成 "{source}"'


def validation_findings(
    doc: YamlDocument, exc: ValidationError, root: type[BaseModel], prefix: PathParts = ()
) -> list[Finding]:
    findings = []
    for error in exc.errors(include_url=False):
        # A validator's ValueError may say where inside its value the problem is.
        loc = (*error["loc"], *getattr((error.get("ctx") or {}).get("error"), "loc", ()))
        message = _unquoted(error, doc.sources.get((*prefix, *loc))) or _message(error, root)
        findings.append(doc.finding((*prefix, *loc), message, at_key=error["type"] == "extra_forbidden"))
    return findings


def validate_document(doc: YamlDocument, model: type[M]) -> tuple[M | None, list[Finding]]:
    """Validate a whole document against ``model``; all errors come back as findings."""
    if not isinstance(doc.data, dict):
        return None, [doc.finding((), f"得到 {describe_value(doc.data)}，文件顶层应为一个映射")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, validation_findings(doc, exc, model)
