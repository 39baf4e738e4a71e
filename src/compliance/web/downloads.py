"""Files the pages offer: the reports the CLI renders (unit PDF, ranking PDF and XLSX,
progress PDF) and the blank checklist workbook, made by the same library functions.

Rendered files are cached in the worker's cache folder under the digest of their HTML
(or of the store's state), so a second download of an unchanged report costs no render.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from compliance.findings import ComplianceError
from compliance.reports import progress_report, render_ranking
from compliance.reports.assemble import progress_rounds, ranking_inputs, unit_documents
from compliance.reports.render import digest, safe_name, write_pdf
from compliance.rubric import ResolvedRubric
from compliance.scoring import Kind
from compliance.units import Unit
from compliance.web.state import AppState
from compliance.workbook import applies, write_template


class NotFound(ComplianceError):
    """Nothing of that name in the store (only ever said to someone who may see it)."""


def _pdf(state: AppState, html: str) -> Path:
    path = state.cache / f"{digest(html)}.pdf"
    if not path.exists():
        with state.renders:
            if not path.exists():
                write_pdf(html, path)
    return path


def unit_pdf(state: AppState, round: str, code: str, kind: Kind) -> tuple[Path, str]:
    """The per-unit report of ``compliance report --round R --unit CODE``; (path, file name)."""
    if not state.store.card(code, round, kind):
        raise NotFound(f"历史库中没有单位 {code} 在 {round} 轮的{kind}记录")
    [document] = unit_documents(state.store, round, kind, state.rubric_for, units=[code])
    return _pdf(state, document.html), document.name


def ranking_files(state: AppState, round: str, kind: Kind) -> tuple[Path, Path]:
    """The ranking PDF and XLSX of ``compliance rank --round R -o DIR``."""
    if not state.store.cards(round, kind):
        raise NotFound(f"历史库中没有 {round} 轮的{kind}记录")
    key = hashlib.sha256(f"{round}\0{kind}\0{state.store.fingerprint()}".encode()).hexdigest()[:24]
    folder = state.cache / f"ranking-{key}"
    pdf_name = safe_name(round, str(kind), "排名", suffix=".pdf")
    xlsx_name = safe_name(round, str(kind), "排名", suffix=".xlsx")
    if not (folder / pdf_name).exists() or not (folder / xlsx_name).exists():
        with state.renders:
            folder.mkdir(exist_ok=True)
            render_ranking(**ranking_inputs(state.store, round, kind, state.rubric_for), out_dir=folder)
    return folder / pdf_name, folder / xlsx_name


def progress_pdf(state: AppState) -> tuple[Path, str]:
    if state.targets is None:
        raise NotFound("未配置达标目标")
    document = progress_report(
        state.targets, progress_rounds(state.store), state.rubric_for, roster=state.roster()
    )
    return _pdf(state, document.html), document.name


def rubric_for_unit(state: AppState, unit: Unit) -> ResolvedRubric:
    """The rubric the unit was last assessed with (the current file of that id when the
    catalog has it, else the store's archived version); for a unit never assessed, a rubric
    of the store that applies to its type."""
    cards = [c for kind in Kind for c in state.store.history(unit.code, kind)]
    candidates = [c.rubric_id for c in sorted(cards, key=lambda c: c.meta.round)][::-1]
    versions = {v.id: v.hash for v in state.store.rubric_versions()}
    candidates += [rid for rid in versions if rid not in candidates]
    for rubric_id in candidates:
        try:
            rubric = state.catalog.rubric(rubric_id)
        except ComplianceError:
            if rubric_id not in versions:
                continue
            rubric = state.store.rubric(versions[rubric_id])
        if applies(rubric, unit):
            return rubric
    raise ComplianceError(f"没有适用于 {unit.name}（{unit.type}）的评分细则：历史库中尚无此类单位的评估")


def blank_workbook(state: AppState, unit: Unit, round: str, kind: Kind) -> tuple[bytes, str]:
    """``compliance template --unit CODE --round R --kind K`` for one unit: (content, file name)."""
    rubric = rubric_for_unit(state, unit)
    name = safe_name(unit.code, round, str(kind), "检查表", suffix=".xlsx")
    with tempfile.TemporaryDirectory(dir=state.cache) as folder:
        path = write_template(Path(folder) / name, rubric, unit, kind=kind, round=round)
        return path.read_bytes(), name
