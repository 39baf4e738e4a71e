"""`compliance ingest`: a bureau's own scoring table (评分表) becomes a standard and a rubric.

    report = ingest(Path("评分表.xlsx"), "jinhua-2019", Path("."))

reads the table (``reader``), finds its header, levels and items (``structure``, ``build``),
reads every 评分标准 wording with the phrase grammar (``phrases``, ``rules``), and writes
``standards/ID.yaml`` and ``rubrics/ID-rubric.yaml`` (``emit``), which it then validates with
the catalog like ``compliance validate`` does. Findings are data: errors are what a person
must fix or decide (a wording not understood, a 合计 that does not add up), warnings are
what was guessed (also marked «请核对» in the YAML).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from compliance.findings import Finding, FindingsError, errors_of
from compliance.ingest.build import Result, build
from compliance.ingest.emit import rubric_fields, rubric_yaml, standard_yaml
from compliance.ingest.reader import read_tables
from compliance.ingest.rules import KIND_LABELS
from compliance.ingest.structure import ROLE_WORDS, read_table

ID_PATTERN = re.compile(r"^[a-z0-9-]+$")
MAX_ID = 56  # the rubric's id adds "-rubric" and ids are at most 64 characters


@dataclass(frozen=True)
class IngestReport:
    standard_path: Path
    rubric_path: Path
    findings: tuple[Finding, ...]
    items: int
    total: Decimal
    kinds: dict[str, int]
    manual: tuple[tuple[str, str], ...]  # (cell, wording) of every item left to a person

    @property
    def needs_person(self) -> bool:
        return bool(errors_of(self.findings))


def rule_kind(fields: dict) -> str:
    """The kind of a rubric entry, for counting and for comparing with an expected rubric."""
    veto = fields.get("veto")
    if veto is True or veto == "unit":
        return "veto"
    if veto == "section":
        return "veto-section"
    rule = fields.get("rule") or "check"
    if rule == "deduct":
        return "triggers" if fields.get("triggers") else "deduct"
    if rule == "quantity":
        return {"shortfall": "shortfall", "bands": "bands", "threshold": "threshold"}.get(
            fields.get("mode") or "proportional", "proportional"
        )
    return rule


def analyse(path: Path) -> tuple[Result | None, list[Finding]]:
    """Read and understand the table at ``path``; nothing is written."""
    grids, findings = read_tables(path)
    if not grids:
        return None, findings
    tables = []
    for grid in grids:
        table = read_table(grid)
        if table is None and tables and grid.kind == "docx" and grid.width == tables[-1].grid.width:
            table = read_table(grid, continuing=tables[-1].columns)  # continued without a header
            findings.append(
                Finding(grid.where_row(0), "这张表没有表头，已按上一张表的列接续读取", severity=_warning())
            )
        if table is None:
            continue
        if tables and table.columns.texts and len(table.columns.texts) != len(tables[0].columns.texts):
            findings.append(
                Finding(
                    grid.where_row(table.header_row),
                    "这张表的列与第一张评分表不同，已跳过",
                    severity=_warning(),
                )
            )
            continue
        tables.append(table)
    if not tables:
        words = "、".join(w for role, ws in ROLE_WORDS if role in {"points", "rule"} for w in ws[:4])
        where = f"{path.name}（{'、'.join(g.name for g in grids)}）"
        findings.append(
            Finding(
                where,
                f"找不到评分表的表头行：前 30 行中没有同时含有条目内容（考核项目/考核内容…）"
                f"和分值或评分标准（{words}…）的一行",
            )
        )
        return None, findings
    if not any(t.rows for t in tables):
        findings.append(Finding(tables[0].grid.where_row(tables[0].header_row), "表头下面没有任何条目"))
        return None, findings
    result = build(tables, grids[0].caption or path.stem)
    return result, [*findings, *result.findings]


def _warning():
    from compliance.findings import Severity

    return Severity.WARNING


def ingest(path: Path, standard_id: str, out_dir: Path, *, overwrite: bool = False) -> IngestReport:
    """Write ``out_dir/standards/ID.yaml`` and ``out_dir/rubrics/ID-rubric.yaml`` from the table.

    Raises ``FindingsError`` when the table cannot be read at all, or when the files exist
    and ``overwrite`` is not given (a reviewed YAML is never lost): nothing is written then.
    """
    if not ID_PATTERN.fullmatch(standard_id) or len(standard_id) > MAX_ID:
        raise FindingsError(
            [
                Finding(
                    "--id",
                    f"“{standard_id[:80]}”不是有效的 id：应由小写字母、数字和连字符组成，至多 {MAX_ID} 个字符",
                )
            ]
        )
    rubric_id = f"{standard_id}-rubric"
    standard_path = out_dir / "standards" / f"{standard_id}.yaml"
    rubric_path = out_dir / "rubrics" / f"{rubric_id}.yaml"
    existing = [p for p in (standard_path, rubric_path) if p.exists()]
    if existing and not overwrite:
        message = "文件已存在（可能已经人工核对过）：未覆盖；如确需重新生成，请加 --force"
        raise FindingsError([Finding(str(p), message) for p in existing])
    result, findings = analyse(path)
    if result is None:
        raise FindingsError(findings)
    standard_text = standard_yaml(result, standard_id, path.name)
    rubric_text = rubric_yaml(result, standard_id, rubric_id, path.name)
    findings += _validate(standard_text, rubric_text, standard_id, rubric_id)
    _write(standard_path, standard_text)
    _write(rubric_path, rubric_text)
    entries = list(result.entries())
    kinds = Counter(rule_kind(rubric_fields(e)) for e in entries)
    manual = tuple((e.where, e.wording) for e in entries if e.reading.kind == "manual")
    return IngestReport(
        standard_path, rubric_path, tuple(findings), len(entries), result.total, dict(kinds), manual
    )


def _validate(standard_text: str, rubric_text: str, standard_id: str, rubric_id: str) -> list[Finding]:
    """The files as ``compliance validate`` sees them: a problem here is a bug of ingest,
    reported so that nobody trusts a file that does not validate."""
    from compliance.catalog import Catalog

    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        root = Path(tmp)
        (root / "standards").mkdir()
        (root / "rubrics").mkdir()
        std = root / "standards" / f"{standard_id}.yaml"
        rub = root / "rubrics" / f"{rubric_id}.yaml"
        std.write_text(standard_text, encoding="utf-8")
        rub.write_text(rubric_text, encoding="utf-8")
        catalog = Catalog(standard_dirs=(root / "standards",), rubric_dirs=(root / "rubrics",), cwd=root)
        problems: list[Finding] = []
        for path in (std, rub):
            _, found = catalog.validate(path)
            for f in errors_of(found):
                problems.append(
                    Finding(
                        f"{path.parent.name}/{path.name}",
                        f"生成的文件未通过校验：{f.path or ''} {f.message}",
                        f.line,
                        f.column,
                    )
                )
        return problems


def _write(path: Path, text: str) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["KIND_LABELS", "IngestReport", "analyse", "ingest", "rule_kind"]
