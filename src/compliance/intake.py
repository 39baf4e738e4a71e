"""Intake of filled workbooks that arrive as files (the web app's upload): read, score,
and check them against each other, exactly as ``compliance import`` does, before anything
is stored.

    checked = check_file(path, catalog, name="文峰.xlsx")
    if checked.ok: ...          # checked.scored: the assessments, scored by the engine

The findings name the file by ``name`` (what the user called it), not by the temporary
path it was saved under.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from compliance.catalog import Catalog
from compliance.findings import ComplianceError, Finding, errors_of
from compliance.rubric import ResolvedRubric
from compliance.scoring import Assessment, AssessmentMeta, Kind
from compliance.units import UnitsFile
from compliance.workbook import Scored, read_scored


@dataclass(frozen=True, slots=True)
class FileCheck:
    name: str
    sha256: str
    size: int
    scored: tuple[Scored, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return errors_of(self.findings)

    @property
    def ok(self) -> bool:
        return not self.errors


def _renamed(finding: Finding, path: Path, name: str) -> Finding:
    file = finding.file
    if file == str(path) or file == path.name:
        file = name
    return dataclasses.replace(finding, file=file)


def check_file(
    path: Path,
    catalog: Catalog,
    *,
    name: str | None = None,
    units: UnitsFile | Path | None = None,
    allow_incomplete: bool = False,
) -> FileCheck:
    """Every assessment of one workbook, scored, and every finding of the file (in one pass)."""
    name = name or path.name
    data = path.read_bytes()
    scored, findings = read_scored(path, catalog, name=name, units=units, allow_incomplete=allow_incomplete)
    findings = [_renamed(f, path, name) for f in findings]
    if errors_of(findings):
        scored = []
    return FileCheck(name, hashlib.sha256(data).hexdigest(), len(data), tuple(scored), tuple(findings))


def clashes(scored: Sequence[Scored]) -> list[str]:
    """Two different workbooks for one unit, round and kind in the same batch."""
    first: dict[tuple[str, str, str], Scored] = {}
    messages = []
    for s in scored:
        seen = first.setdefault(s.key, s)
        if seen.content != s.content:
            code, round_, kind = s.key
            messages.append(
                f"“{seen.name}”与“{s.name}”都是单位 {code} {round_} {kind} 的检查表，但内容不同：请只保留一份"
            )
    return messages


class EarlierFromStore:
    """The 考评 a 复查 workbook re-inspects, from the store at ``url`` (opened when first
    needed, in whichever process reads the workbook)."""

    def __init__(self, url: str):
        self.url = url
        self._store = None

    def __call__(self, meta: AssessmentMeta) -> Assessment | None:
        from compliance.store import Store  # SQLAlchemy loads only when a 复查 needs it

        if self._store is None:
            self._store = Store.open(self.url)
        audit = self._store.recheck_base(meta.unit.code, meta.round)
        return self._store.assessment(meta.unit.code, audit.meta.round, Kind.AUDIT) if audit else None

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __getstate__(self) -> dict:
        return {"url": self.url}  # a worker opens its own connection

    def __setstate__(self, state: dict) -> None:
        self.url, self._store = state["url"], None


Read = tuple[list[Scored], list[Finding]]


def read_files(
    paths: Sequence[Path],
    catalog: Catalog,
    *,
    jobs: int = 1,
    earlier: EarlierFromStore | None = None,
    **options,
) -> Iterator[Read]:
    """:func:`read_scored` of each file, in the order given, read by ``jobs`` worker
    processes when there is more than one file: the same results as reading them here."""
    rubrics: dict[str, ResolvedRubric] = {}  # what the workers need not send
    try:
        if paths:
            # The first file here: its rubric is then in the catalog's cache, which the
            # workers inherit instead of each parsing the YAML again.
            first = read_scored(paths[0], catalog, earlier=earlier, **options)
            rubrics |= {s.rubric.content_hash: s.rubric for s in first[0]}
            yield first
        rest = paths[1:]
        if jobs <= 1 or len(rest) <= 1:
            for path in rest:
                yield read_scored(path, catalog, earlier=earlier, **options)
            return
    finally:
        if earlier is not None:
            earlier.close()  # a worker opens its own
    context = (
        multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with ProcessPoolExecutor(
        min(jobs, len(rest)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(catalog, earlier, options, set(rubrics)),
    ) as pool:
        for sent, findings in _results(pool.map(_read_in_worker, rest, chunksize=_chunk(len(rest), jobs))):
            scored = []
            for name, sha, rubric, assessment, card in sent:
                if isinstance(rubric, str):  # this worker sent it whole with an earlier file
                    rubric = rubrics[rubric]
                rubrics.setdefault(rubric.content_hash, rubric)
                scored.append(Scored(name, sha, rubric, assessment, card))
            yield scored, findings


def _results(results: Iterator) -> Iterator:
    try:
        yield from results
    except BrokenProcessPool:
        raise ComplianceError(
            "读取检查表的工作进程意外退出（可能是内存不足）：未导入任何评估；请减少 --jobs 或用 --jobs 1 重试"
        ) from None


def _chunk(files: int, jobs: int) -> int:
    # Big enough to keep the pipes quiet, small enough that the workers end together.
    return max(1, min(16, files // (jobs * 4)))


_worker: dict = {}


def _start_worker(catalog: Catalog, earlier: EarlierFromStore | None, options: dict, known: set[str]) -> None:
    _worker.update(catalog=catalog, earlier=earlier, options=options, sent=known)


def _read_in_worker(path: Path) -> tuple[list[tuple], list[Finding]]:
    """One file in a worker. A rubric crosses the pipe once per worker; after that its
    content hash stands for it (results reach the parent in the order of the files, so
    the parent has always seen it whole before)."""
    scored, findings = read_scored(path, _worker["catalog"], earlier=_worker["earlier"], **_worker["options"])
    sent = []
    for s in scored:
        digest = s.rubric.content_hash
        rubric = digest if digest in _worker["sent"] else s.rubric
        _worker["sent"].add(digest)
        sent.append((s.name, s.sha256, rubric, s.assessment, s.card))
    return sent, findings
