"""The glue between the history store and the reports: queries in, plain report inputs out.

Takes any object with the store's reading API (``rounds``, ``round_dates``, ``cards``,
``history``, ``pairs``, ``units``), so it is tested with a stand-in, and the report
functions themselves never see a store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from compliance.catalog import Catalog
from compliance.findings import ComplianceError
from compliance.reports import Document, Issue, ranking_report, unit_report
from compliance.rounds import chinese, try_parse
from compliance.rubric import ResolvedRubric
from compliance.scoring import Kind, Ranked, ScoreCard, compare, rank
from compliance.scoring.progress import RoundCards, standing_cards
from compliance.scoring.ranking import placings
from compliance.scoring.recheck import BeforeAfter, base_of, before_after
from compliance.units import Unit

RubricFor = Callable[[ScoreCard], ResolvedRubric]


class StoreReader(Protocol):
    def rounds(self) -> list[str]: ...
    def round_dates(self) -> dict: ...
    def cards(self, round: str, kind: Kind | str | None = Kind.AUDIT) -> list[ScoreCard]: ...
    def history(self, unit_code: str, kind: Kind | str = Kind.AUDIT) -> list[ScoreCard]: ...
    def pairs(self, round: str) -> list[tuple[ScoreCard, ScoreCard]]: ...
    def units(self) -> list[Unit]: ...


def recheck_base(store: StoreReader, unit_code: str, round: str) -> ScoreCard | None:
    """The 考评 a 复查 of ``round`` re-scores (see :func:`compliance.scoring.recheck.base_of`)."""
    return base_of(store.history(unit_code, Kind.AUDIT), round)


def rubric_lookup(catalog: Catalog) -> RubricFor:
    """The rubric of each card's id from the catalog, loaded once per id. Reports take its
    titles, level names and pass line; the version they show is the card's own, which
    may be older when the rubric file was edited after the import."""
    loaded: dict[str, ResolvedRubric] = {}

    def rubric_for(card: ScoreCard) -> ResolvedRubric:
        if card.rubric_id not in loaded:
            loaded[card.rubric_id] = catalog.rubric(card.rubric_id)
        return loaded[card.rubric_id]

    return rubric_for


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


def round_cards(store: StoreReader, round: str, kind: Kind) -> list[ScoreCard]:
    cards = store.cards(round, kind)
    if not cards:
        known = "、".join(map(chinese, store.rounds())) or "（历史库为空）"
        raise ComplianceError(f"历史库中没有 {chinese(round)}（{round}）轮的{kind}记录；已有的轮次：{known}")
    return cards


def unit_documents(
    store: StoreReader,
    round: str,
    kind: Kind,
    rubric_for: RubricFor,
    *,
    units: Sequence[str] | None = None,
    issue: Issue = Issue(),
) -> list[Document]:
    """Per-unit reports of a round (all units, or those of ``units``), with each unit's
    place in the city and district, its self-vs-audit comparison, the before / after of a
    复查, and its history."""
    cards = round_cards(store, round, kind)
    if units is not None:
        missing = sorted(set(units) - {c.meta.unit.code for c in cards})
        if missing:
            raise ComplianceError(f"历史库中没有单位 {'、'.join(missing)} 在 {chinese(round)} 轮的{kind}记录")
    places = placings(cards)
    comparisons = {a.meta.unit.code: compare(s, a) for s, a in store.pairs(round)}
    documents = []
    for card in cards:
        code = card.meta.unit.code
        if units is not None and code not in units:
            continue
        recheck: BeforeAfter | None = None
        if kind is Kind.RECHECK:
            base = recheck_base(store, code, round)
            recheck = before_after(base, card) if base else None
        documents.append(
            unit_report(
                card,
                rubric_for(card),
                issue=issue,
                recheck=recheck,
                rank=places[code][0],
                district_rank=places[code][1],
                comparison=comparisons.get(code) if kind in (Kind.SELF, Kind.AUDIT) else None,
                history=store.history(code, kind),
            )
        )
    return documents


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


def ranking_document(store: StoreReader, round: str, kind: Kind, rubric_for: RubricFor) -> Document:
    return ranking_report(**ranking_inputs(store, round, kind, rubric_for))


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
