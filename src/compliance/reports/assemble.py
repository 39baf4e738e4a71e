"""The glue between the history store and the reports: queries in, plain report inputs out.

Takes any object with the store's reading API (``rounds``, ``round_dates``, ``cards``,
``card``, ``history``, ``standings``, ``stamps``, ``units``), so it is tested with a
stand-in, and the report functions themselves never see a store. Per-unit reports are
found and keyed from the stored totals and digests (:func:`unit_jobs`); only the units
whose report is built are scored (:func:`unit_inputs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from compliance.findings import ComplianceError
from compliance.reports import Document, Issue
from compliance.reports.batch import UnitInputs, UnitJob, render_units, unit_key
from compliance.reports.render import safe_name
from compliance.rounds import chinese, try_parse
from compliance.rubric import ResolvedRubric
from compliance.scoring import Comparison, Kind, Ranked, ScoreCard, Standing, compare, rank
from compliance.scoring.progress import RoundCards, standing_cards
from compliance.scoring.ranking import placings
from compliance.scoring.recheck import BeforeAfter, base_of, before_after
from compliance.units import Unit

if TYPE_CHECKING:
    from compliance.store import Stamp

RubricFor = Callable[[ScoreCard], ResolvedRubric]


class StoreReader(Protocol):
    def rounds(self) -> list[str]: ...
    def round_dates(self) -> dict: ...
    def cards(self, round: str, kind: Kind | str | None = Kind.AUDIT) -> list[ScoreCard]: ...
    def card(self, unit_code: str, round: str, kind: Kind | str = Kind.AUDIT) -> ScoreCard | None: ...
    def standings(self, round: str, kind: Kind | str = Kind.AUDIT) -> list[Standing]: ...
    def stamps(self, unit_codes: Iterable[str]) -> dict[str, list[Stamp]]: ...
    def history(self, unit_code: str, kind: Kind | str = Kind.AUDIT) -> list[ScoreCard]: ...
    def pairs(self, round: str) -> list[tuple[ScoreCard, ScoreCard]]: ...
    def units(self) -> list[Unit]: ...
    def rubric(self, content_hash: str) -> ResolvedRubric: ...


def recheck_base(store: StoreReader, unit_code: str, round: str) -> ScoreCard | None:
    """The 考评 a 复查 of ``round`` re-scores (see :func:`compliance.scoring.recheck.base_of`)."""
    return base_of(store.history(unit_code, Kind.AUDIT), round)


def stored_rubrics(store) -> RubricFor:
    """Each card's own rubric version as the store archived it: titles, level names and
    the pass line of a report are those the card was scored with, whatever the rubric
    files say today."""
    return lambda card: store.rubric(card.rubric_hash)


def stored_round(store: StoreReader, typed: str) -> str:
    """The label under which the store keeps the round ``typed`` (2021年下半年 → 2021H2);
    the text as typed when the store has it so (rounds stored before labels were checked)."""
    rounds = store.rounds()
    if typed in rounds:
        return typed
    parsed = try_parse(typed)
    if parsed is None:
        return typed
    return next((r for r in rounds if try_parse(r) == parsed), parsed.label)


def _no_round(store: StoreReader, round: str, kind: Kind) -> ComplianceError:
    known = "、".join(map(chinese, store.rounds())) or "（历史库为空）"
    return ComplianceError(f"历史库中没有 {chinese(round)}（{round}）轮的{kind}记录；已有的轮次：{known}")


def round_cards(store: StoreReader, round: str, kind: Kind) -> list[ScoreCard]:
    cards = store.cards(round, kind)
    if not cards:
        raise _no_round(store, round, kind)
    return cards


def unit_jobs(
    store: StoreReader,
    round: str,
    kind: Kind,
    *,
    units: Sequence[str] | None = None,
    issue: Issue = Issue(),
) -> list[UnitJob]:
    """The per-unit reports of a round (all units, or those of ``units``), each with the
    key of its inputs and its place in the city and district: read from the stored
    totals and digests, scoring nothing."""
    standings = store.standings(round, kind)
    if not standings:
        raise _no_round(store, round, kind)
    if units is not None:
        missing = sorted(set(units) - {s.unit.code for s in standings})
        if missing:
            raise ComplianceError(f"历史库中没有单位 {'、'.join(missing)} 在 {chinese(round)} 轮的{kind}记录")
    places = placings(standings)
    chosen = [s for s in standings if units is None or s.unit.code in units]
    stamps = store.stamps([s.unit.code for s in chosen])
    jobs = []
    for standing in chosen:
        code = standing.unit.code
        place, district_place = places[code]
        jobs.append(
            UnitJob(
                name=safe_name(code, round, str(kind), suffix=".pdf"),
                key=unit_key(
                    round=round,
                    kind=str(kind),
                    unit=standing.unit,
                    place=place,
                    district_place=district_place,
                    stamps=_up_to(stamps[code], round),
                    issue=issue,
                ),
                unit_code=code,
                round=round,
                kind=str(kind),
                place=place,
                district_place=district_place,
                issue=issue,
            )
        )
    return jobs


def _up_to(stamps: Sequence[Stamp], round: str) -> Sequence[Stamp]:
    """The stamps of the rounds up to and including ``round`` (they come in round order):
    a later round changes nothing in this round's report."""
    last = max((i for i, s in enumerate(stamps) if s.round == round), default=len(stamps) - 1)
    return stamps[: last + 1]


def unit_inputs(store: StoreReader, job: UnitJob, rubric_for: RubricFor | None = None) -> UnitInputs:
    """What the report of ``job`` is built from: its card, the self-assessment or audit of
    the same round beside it, the 考评 a 复查 re-scores, and its history. Only this unit's
    assessments are scored; ``rubric_for`` defaults to the store's archived versions."""
    code, round, kind = job.unit_code, job.round, Kind(job.kind)
    card = store.card(code, round, kind)
    if card is None:  # removed since the job was made
        raise ComplianceError(f"历史库中没有单位 {code} 在 {chinese(round)} 轮的{kind}记录")
    comparison: Comparison | None = None
    if kind in (Kind.SELF, Kind.AUDIT):
        other = store.card(code, round, Kind.AUDIT if kind is Kind.SELF else Kind.SELF)
        if other is not None:
            comparison = compare(card, other) if kind is Kind.SELF else compare(other, card)
    recheck: BeforeAfter | None = None
    if kind is Kind.RECHECK:
        base = recheck_base(store, code, round)
        recheck = before_after(base, card) if base else None
    return UnitInputs(
        card=card,
        rubric=(rubric_for or stored_rubrics(store))(card),
        issue=job.issue,
        place=job.place,
        district_place=job.district_place,
        comparison=comparison,
        recheck=recheck,
        history=tuple(store.history(code, kind)),
    )


def render_unit_reports(
    store: StoreReader,
    jobs: Sequence[UnitJob],
    out_dir: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    on_done: Callable[[Path, bool], None] | None = None,
) -> list[tuple[Path, bool]]:
    """``compliance report``: the PDFs of ``jobs`` (see :func:`unit_jobs`) into ``out_dir``.
    An unchanged report is skipped on its key alone; the others are built from the store's
    archived rubric versions, in worker processes (see :func:`compliance.reports.batch.render_units`)."""
    return render_units(
        jobs, lambda job: unit_inputs(store, job), out_dir, workers=workers, force=force, on_done=on_done
    )


def unit_documents(
    store: StoreReader,
    round: str,
    kind: Kind,
    rubric_for: RubricFor,
    *,
    units: Sequence[str] | None = None,
    issue: Issue = Issue(),
) -> list[Document]:
    """Per-unit reports of a round (all units, or those of ``units``) as HTML, with each
    unit's place in the city and district, its self-vs-audit comparison, the before / after
    of a 复查, and its history; only the units reported on are scored."""
    return [
        unit_inputs(store, job, rubric_for).document()
        for job in unit_jobs(store, round, kind, units=units, issue=issue)
    ]


def previous_ranking(store: StoreReader, round: str, kind: Kind) -> tuple[str, list[Ranked]] | None:
    """The ranking of the latest earlier round that has assessments of ``kind``."""
    rounds = store.rounds()
    earlier = rounds[: rounds.index(round)] if round in rounds else []
    for previous in reversed(earlier):
        cards = store.cards(previous, kind)
        if cards:
            return previous, rank(cards)
    return None


def ranking_inputs(
    store: StoreReader, round: str, kind: Kind, rubric_for: RubricFor, *, issue: Issue = Issue()
) -> dict:
    """Keyword arguments for :func:`compliance.reports.render_ranking`."""
    cards = round_cards(store, round, kind)
    rubrics = {rubric.content_hash: rubric for rubric in map(rubric_for, cards)}
    before = previous_ranking(store, round, kind)
    return {
        "ranked": rank(cards),
        "round": round,
        "kind": str(kind),
        "rubrics": list(rubrics.values()),
        "previous": before[1] if before else None,
        "previous_round": before[0] if before else None,
        "issue": issue,
    }


def progress_rounds(store: StoreReader) -> list[RoundCards]:
    """Every round with its standing cards (each unit's 复查 of the round where it has one,
    else its 考评), placed at the end of its period (SPEC §2.5), chronological. A label
    from before rounds were checked is placed at its latest 检查日期, or left out
    without one."""
    dates = store.round_dates()
    rounds = []
    for r in store.rounds():
        parsed = try_parse(r)
        when = parsed.end if parsed else dates.get(r)
        cards = standing_cards(store.cards(r, Kind.AUDIT), store.cards(r, Kind.RECHECK))
        if when is not None and cards:
            rounds.append(RoundCards(r, when, cards))
    return sorted(rounds, key=lambda rc: rc.date)
