"""Per-unit reports in bulk: each PDF keyed on its inputs, the stale ones built in workers.

What a unit's PDF shows is decided by: its own assessments up to the report's round (the
card, the self-assessment or audit beside it, the 考评 a 复查 re-scores, the trend), the
rubric versions they were scored with, the unit as the store describes it, its place in
the city and its district (which the other units' finals decide), who issues it and when,
and the code, templates and font that draw it. :func:`unit_key` hashes exactly these, from
identities the store keeps (assessment digests, rubric hashes) and places computed from
the stored totals, so an unchanged report is recognised before any card is scored, any
chart drawn or any HTML built.

The stale reports are streamed into a process pool (one worker per core): the parent
loads one unit's :class:`UnitInputs` (its cards and rubric, a few picklable frozen
objects) and hands it over while the workers build the view, the charts, the HTML and
the PDF of the units before it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

import compliance
from compliance import __version__
from compliance.reports import Document, unit_report
from compliance.reports.context import Issue
from compliance.reports.fonts import cjk_font
from compliance.reports.render import _cores, _read_manifest, _write_manifest, inside, write_pdf
from compliance.rubric import ResolvedRubric
from compliance.scoring.ranking import Comparison, Place
from compliance.scoring.recheck import BeforeAfter
from compliance.scoring.scorecard import ScoreCard
from compliance.units import Unit

IN_FLIGHT = 2  # reports handed to each worker ahead of the one it is rendering
_SOURCES = ("*.py", "*.html", "*.css")
_NOT_DRAWING = ("cli", "web")  # subpackages that take no part in a report's content


@dataclass(frozen=True, slots=True)
class UnitInputs:
    """Everything one per-unit report is built from; small enough to send to a worker."""

    card: ScoreCard
    rubric: ResolvedRubric
    issue: Issue = field(default_factory=Issue)
    place: Place | None = None
    district_place: Place | None = None
    comparison: Comparison | None = None
    recheck: BeforeAfter | None = None
    history: tuple[ScoreCard, ...] = ()

    def document(self) -> Document:
        return unit_report(
            self.card,
            self.rubric,
            issue=self.issue,
            rank=self.place,
            district_rank=self.district_place,
            comparison=self.comparison,
            recheck=self.recheck,
            history=self.history,
        )

    def portable(self) -> UnitInputs:
        """The same inputs without the rubric's scoring memo (a cache the report never reads)."""
        return dataclasses.replace(self, rubric=dataclasses.replace(self.rubric, memo={}))


@dataclass(frozen=True, slots=True)
class UnitJob:
    """One per-unit report to produce: its file name, the key of its inputs, and what
    loading its :class:`UnitInputs` needs."""

    name: str
    key: str
    unit_code: str
    round: str
    kind: str
    place: Place | None
    district_place: Place | None
    issue: Issue


@cache
def template_version() -> str:
    """The code, templates and stylesheet that turn inputs into a PDF, with the versions of
    the libraries that draw it and the font it uses: a change to any renders everything."""
    root = Path(compliance.__file__).parent
    sources = sorted(
        path
        for pattern in _SOURCES
        for path in root.rglob(pattern)
        if path.relative_to(root).parts[0] not in _NOT_DRAWING and "__pycache__" not in path.parts
    )
    h = hashlib.sha256()
    for name in ("weasyprint", "matplotlib", "jinja2"):
        h.update(f"{name} {metadata.version(name)}\n".encode())
    h.update(f"compliance {__version__}\nfont {cjk_font().path}\n".encode())
    for path in sources:
        h.update(f"{path.relative_to(root).as_posix()}\n".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def unit_key(
    *,
    round: str,
    kind: str,
    unit: Unit,
    place: Place | None,
    district_place: Place | None,
    stamps: Iterable[object],
    issue: Issue,
) -> str:
    """The manifest key of a per-unit report. ``stamps``: the unit's current assessments
    (each with ``id``, ``round``, ``kind``, ``digest``, ``rubric_hash``) up to the report's
    round, in round order."""
    payload = {
        "template": template_version(),
        "round": round,
        "kind": kind,
        "unit": unit.model_dump(mode="json"),
        "place": list(place) if place else None,
        "district_place": list(district_place) if district_place else None,
        "assessments": [[s.id, s.round, str(s.kind), s.digest, s.rubric_hash] for s in stamps],
        "assessor": issue.assessor,
        "issued": issue.issued.isoformat(),
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "inputs:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_unit(inputs: UnitInputs, path: str) -> str:
    """Build one report from its inputs and write its PDF (what each worker runs)."""
    return str(write_pdf(inputs.document().html, path))


def render_units(
    jobs: Sequence[UnitJob],
    load: Callable[[UnitJob], UnitInputs],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    on_done: Callable[[Path, bool], None] | None = None,
) -> list[tuple[Path, bool]]:
    """Render the per-unit reports of ``jobs`` into ``out_dir``; returns ``(path, rendered)``.

    A report whose key matches the folder's manifest (and whose PDF is there) is kept
    without loading anything. For the others ``load`` is called, one at a time in this
    process, and the inputs go to a worker process (``workers``, default one per core;
    1 renders here). ``on_done(path, rendered)`` is called as each report is finished or
    found unchanged.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(out_dir)
    results: list[tuple[Path, bool]] = []
    stale: list[tuple[UnitJob, Path]] = []
    for job in jobs:
        path = inside(out_dir, job.name)
        fresh = not force and manifest.get(path.name) == job.key and path.is_file()
        results.append((path, not fresh))
        if fresh:
            if on_done:
                on_done(path, False)
        else:
            stale.append((job, path))

    def finished(job: UnitJob, path: Path) -> None:
        manifest[path.name] = job.key
        if on_done:
            on_done(path, True)

    try:
        workers = min(workers or _cores(), len(stale))
        if workers <= 1:
            for job, path in stale:
                render_unit(load(job), str(path))
                finished(job, path)
        else:
            _stream(stale, load, workers, finished)
    finally:
        if stale:
            _write_manifest(out_dir, manifest)
    return results


def _stream(
    stale: list[tuple[UnitJob, Path]],
    load: Callable[[UnitJob], UnitInputs],
    workers: int,
    finished: Callable[[UnitJob, Path], None],
) -> None:
    """Load each unit's inputs here while the workers render the ones before it; at most
    ``IN_FLIGHT`` reports per worker wait in the queue."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future, tuple[UnitJob, Path]] = {}

        def collect(block: bool) -> None:
            done, _ = wait(pending, timeout=None if block else 0, return_when=FIRST_COMPLETED)
            for future in done:
                job, path = pending.pop(future)
                future.result()
                finished(job, path)

        try:
            for job, path in stale:
                pending[pool.submit(render_unit, load(job).portable(), str(path))] = (job, path)
                collect(block=len(pending) >= workers * (1 + IN_FLIGHT))
            while pending:
                collect(block=True)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
