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
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from compliance.catalog import Catalog
from compliance.findings import ComplianceError, Finding, errors_of
from compliance.rubric import ResolvedRubric
from compliance.scoring import Assessment, AssessmentMeta, Kind, ScoreCard
from compliance.units import UnitsFile
from compliance.workbook import Scored, read_scored

if TYPE_CHECKING:  # SQLAlchemy loads only when something is staged for the store
    from compliance.store import Prepared


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


def clashes(scored: Sequence[Scored | Staged]) -> list[str]:
    """Two different workbooks for one unit, round and kind in the same batch."""
    first: dict[tuple[str, str, str], Scored | Staged] = {}
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


@dataclass(frozen=True, slots=True)
class Summary:
    """What ``import`` prints of a score card."""

    final: Decimal
    precision: int
    status: str
    grade: str | None

    @classmethod
    def of(cls, card: ScoreCard) -> Summary:
        return cls(card.final, card.precision, card.status, card.grade)


@dataclass(frozen=True, slots=True)
class Staged:
    """One assessment of a workbook, read, scored and prepared for the store
    (:func:`stage_files`): what ``import`` writes and reports. The whole card is kept
    only when asked for (``import --json``): it is the costliest part to send."""

    name: str  # the file as the user named it
    sha256: str
    prepared: Prepared
    summary: Summary
    card: ScoreCard | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return self.prepared.key

    @property
    def content(self) -> str:
        """Equal for two files that are one assessment (see :func:`clashes`)."""
        return self.prepared.digest

    @classmethod
    def of(cls, scored: Scored, *, card: bool = False) -> Staged:
        from compliance.store import ImportRequest, Prepared

        request = ImportRequest(
            scored.rubric, scored.assessment, scored.card, Path(scored.name).name, scored.sha256
        )
        return cls(
            scored.name,
            scored.sha256,
            Prepared.of(request),
            Summary.of(scored.card),
            scored.card if card else None,
        )


Staged_ = tuple[list[Staged], list[Finding]]


def stage_files(
    paths: Sequence[Path],
    catalog: Catalog,
    *,
    jobs: int = 1,
    earlier: EarlierFromStore | None = None,
    cards: bool = False,
    **options,
) -> Iterator[Staged_]:
    """:func:`read_scored` of each file, each assessment prepared for the store, in the
    order given; read by ``jobs`` worker processes when there is more than one file:
    the same results as reading them here. ``cards``: keep each whole score card."""
    rubrics: dict[str, ResolvedRubric] = {}  # what the workers need not send
    try:
        if paths:
            # The first file here: its rubric is then in the catalog's cache, which the
            # workers inherit instead of each parsing the YAML again.
            first = _stage(paths[0], catalog, earlier, cards, options)
            rubrics |= {s.prepared.rubric.content_hash: s.prepared.rubric for s in first[0]}
            yield first
        rest = paths[1:]
        if jobs <= 1 or len(rest) <= 1:
            for path in rest:
                yield _stage(path, catalog, earlier, cards, options)
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
        initargs=(catalog, earlier, cards, options, set(rubrics)),
    ) as pool:
        for sent, findings in _results(pool.map(_read_in_worker, rest, chunksize=_chunk(len(rest), jobs))):
            from compliance.store import Prepared

            staged = []
            for name, sha, rubric, meta, encoded, summary, card in sent:
                if isinstance(rubric, str):  # this worker sent it whole with an earlier file
                    rubric = rubrics[rubric]
                rubrics.setdefault(rubric.content_hash, rubric)
                staged.append(Staged(name, sha, Prepared(rubric, meta, encoded), summary, card))
            yield staged, findings


def _stage(path: Path, catalog: Catalog, earlier, cards: bool, options: dict) -> Staged_:
    scored, findings = read_scored(path, catalog, earlier=earlier, **options)
    return [Staged.of(s, card=cards) for s in scored], findings


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


def _start_worker(
    catalog: Catalog, earlier: EarlierFromStore | None, cards: bool, options: dict, known: set[str]
) -> None:
    _worker.update(catalog=catalog, earlier=earlier, cards=cards, options=options, sent=known)


def _read_in_worker(path: Path) -> tuple[list[tuple], list[Finding]]:
    """One file in a worker, sent as plain rows. A rubric crosses the pipe once per
    worker; after that its content hash stands for it (results reach the parent in the
    order of the files, so the parent has always seen it whole before)."""
    staged, findings = _stage(
        path, _worker["catalog"], _worker["earlier"], _worker["cards"], _worker["options"]
    )
    sent = []
    for s in staged:
        p = s.prepared
        digest = p.rubric.content_hash
        rubric = digest if digest in _worker["sent"] else p.rubric
        _worker["sent"].add(digest)
        sent.append((s.name, s.sha256, rubric, p.meta, p.encoded, s.summary, s.card))
    return sent, findings
