"""Writing the standard and the rubric as YAML text, in the table's order, with comments.

The YAML is written as text (not dumped) so that every guessed place carries a
``# 请核对：…`` comment right above it and the cell it came from. Strings are JSON-quoted
(a JSON string is a valid YAML double-quoted scalar), numbers are written exactly as the
Decimals they are.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from compliance.ingest.build import Entry, Node, Result

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD = re.compile(r"^[a-z][a-z_]*$")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}
_YEAR = re.compile(r"(19|20)\d{2}")
FIELD_ORDER = (
    "points", "rule", "per", "triggers", "max_deduct", "mode", "target", "unit", "step", "steps", "bands",
    "criteria", "levels", "level_points", "veto", "exclude", "scoring_text",
)  # fmt: skip


def scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, str) and _WORD.match(value) and value not in _YAML_WORDS:
        return value  # rule names and modes: deduct, quantity, shortfall, section…
    return _quoted(str(value))


# characters a YAML stream may not carry raw (DEL, C1 controls, surrogates, non-characters)
_UNPRINTABLE = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _quoted(text: str) -> str:
    """A JSON string (a valid YAML double-quoted scalar), with what YAML refuses escaped."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def key(name: object) -> str:
    text = str(name)
    return text if _PLAIN_KEY.match(text) else _quoted(text)


def _comment(lines: list[str], indent: str, guesses: list[str] | tuple[str, ...], where: str = "") -> None:
    for guess in guesses:
        suffix = f"（{where}）" if where else ""
        lines.append(f"{indent}# 请核对：{_one_line(guess)}{suffix}")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def standard_yaml(result: Result, standard_id: str, source_file: str) -> str:
    year = _YEAR.search(result.title)
    lines = [
        f"# 由 compliance ingest 从 {source_file} 生成。标有“请核对”的地方是推断的，请对照原表确认。",
        "standard:",
        f"  id: {standard_id}",
        f"  title: {scalar(result.title)}",
    ]
    if year:
        lines.append(f"  version: {scalar(year.group(0))}")
    else:
        lines.append("  # 请核对：表格标题中没有年份，版本号暂记为“未注明”")
        lines.append(f"  version: {scalar('未注明')}")
    lines.append(f"  source: {scalar(f'由 {source_file} 导入（compliance ingest）')}")
    lines.append("  # 请核对：若表格不是发布机关的原文，请改为 excerpt（节选）或 illustrative（示例）")
    lines.append("  fidelity: official")
    if result.level_guess:
        lines.append(f"  # 请核对：{result.level_guess}")
    lines.append(f"  levels: {flow(result.levels)}")
    for note in result.notes:
        lines.append(f"# 原表说明：{_one_line(note)}")
    lines.append("sections:")
    for node in result.sections:
        _section(lines, node, "  ")
    return "\n".join(lines) + "\n"


def _section(lines: list[str], node: Node, indent: str) -> None:
    _comment(lines, indent, node.guesses, node.where)
    lines.append(f"{indent}- code: {scalar(node.code)}")
    lines.append(f"{indent}  name: {scalar(node.name)}")
    if node.children:
        lines.append(f"{indent}  sections:")
        for child in node.children:
            _section(lines, child, indent + "    ")
    else:
        lines.append(f"{indent}  items:")
        for entry in node.entries:
            lines.append(f"{indent}    - code: {scalar(entry.code)}")
            lines.append(f"{indent}      text: {scalar(entry.text)}")
            if entry.method:
                lines.append(f"{indent}      method: {scalar(entry.method)}")
            if entry.evidence:
                lines.append(f"{indent}      evidence: {scalar(entry.evidence)}")


def rubric_fields(entry: Entry) -> dict:
    fields = {"points": entry.points, **entry.reading.fields}
    if entry.wording:
        fields["scoring_text"] = _one_line(entry.wording)
    fields = {k: v for k, v in fields.items() if v is not None}
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    return dict(sorted(fields.items(), key=lambda kv: order.get(kv[0], len(order))))


def rubric_yaml(result: Result, standard_id: str, rubric_id: str, source_file: str) -> str:
    title = (
        result.title if re.search(r"评分|细则|考核|考评|评价", result.title) else f"{result.title}评分细则"
    )
    lines = [
        f"# 由 compliance ingest 从 {source_file} 生成。标有“请核对”的地方是推断的，请对照原表确认。",
        "rubric:",
        f"  id: {rubric_id}",
        f"  title: {scalar(title)}",
        f"  standard: {standard_id}",
    ]
    if result.weights:
        lines.append("  # 各一级类别按权重加权；每个类别的条目分值是该类别自己的满分")
    lines.append(f"  total: {scalar(result.total)}")
    lines.append(
        "  # 请核对：表格未给出达标线和等级；如需判定达标，请补充 pass（如 {min_rate: 0.9}）和 grades"
    )
    if result.weights:
        lines.append(f"  weights: {flow(result.weights)}")
    lines.append("  items:")
    for top in result.sections:
        _rubric_section(lines, top, 0)
    if result.bonus:
        lines.append("  bonus:")
        lines.append(f"    cap: {scalar(result.bonus_cap)}")
        lines.append("    items:")
        for extra in result.bonus:
            _comment(lines, "      ", extra.guesses, extra.where)
            lines.append(f"      - {flow({'code': extra.code, 'text': extra.text, 'points': extra.amount})}")
    if result.penalties:
        lines.append("  penalties:")
        lines.append(f"    cap: {scalar(result.penalty_cap)}")
        lines.append("    items:")
        for extra in result.penalties:
            _comment(lines, "      ", extra.guesses, extra.where)
            lines.append(f"      - {flow({'code': extra.code, 'text': extra.text, 'per': extra.amount})}")
    return "\n".join(lines) + "\n"


def _rubric_section(lines: list[str], node: Node, depth: int) -> None:
    lines.append(f"    # {node.code} {_one_line(node.name)}")
    for child in node.children:
        _rubric_section(lines, child, depth + 1)
    for entry in node.entries:
        guesses = [*entry.guesses, *entry.reading.guesses]
        if entry.reading.problem:
            guesses.append(f"未能识别评分标准，已设为人工评分：{entry.reading.problem}")
        _comment(lines, "    ", guesses, entry.where)
        lines.append(f"    {scalar(entry.code)}: {flow(rubric_fields(entry))}")
