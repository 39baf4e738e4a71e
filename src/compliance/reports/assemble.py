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
from compliance.reports import Document, ranking_report, unit_report
from compliance.reports.context import placings
from compliance.reports.progress import RoundCards
from compliance.rubric import ResolvedRubric
from compliance.scoring import Kind, Ranked, ScoreCard, compare, rank
from compliance.units import Unit

RubricFor = Callable[[ScoreCard], ResolvedRubric]


class StoreReader(Protocol):
    def rounds(self) -> list[str]: ...
    def round_dates(self) -> dict: ...
    def cards(self, round: str, kind: Kind | str | None = Kind.AUDIT) -> list[ScoreCard]: ...
    def history(self, unit_code: str, kind: Kind | str = Kind.AUDIT) -> list[ScoreCard]: ...
    def pairs(self, round: str) -> list[tuple[ScoreCard, ScoreCard]]: ...
    def units(self) -> list[Unit]: ...


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


def round_cards(store: StoreReader, round: str, kind: Kind) -> list[ScoreCard]:
    cards = store.cards(round, kind)
    if not cards:
        known = "、".join(store.rounds()) or "（历史库为空）"
        raise ComplianceError(f"历史库中没有 {round} 轮的{kind}记录；已有的轮次：{known}")
    return cards


def unit_documents(
    store: StoreReader, round: str, kind: Kind, rubric_for: RubricFor, *, units: Sequence[str] | None = None
) -> list[Document]:
    """Per-unit reports of a round (all units, or those of ``units``), with each unit's
    place in the city and district, its self-vs-audit comparison and its history."""
    cards = round_cards(store, round, kind)
    if units is not None:
        missing = sorted(set(units) - {c.meta.unit.code for c in cards})
        if missing:
            raise ComplianceError(f"历史库中没有单位 {'、'.join(missing)} 在 {round} 轮的{kind}记录")
    places = placings(cards)
    comparisons = {a.meta.unit.code: compare(s, a) for s, a in store.pairs(round)}
    documents = []
    for card in cards:
        code = card.meta.unit.code
        if units is not None and code not in units:
            continue
        documents.append(
            unit_report(
                card,
                rubric_for(card),
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


def ranking_inputs(store: StoreReader, round: str, kind: Kind, rubric_for: RubricFor) -> dict:
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
    }


def ranking_document(store: StoreReader, round: str, kind: Kind, rubric_for: RubricFor) -> Document:
    return ranking_report(**ranking_inputs(store, round, kind, rubric_for))


def progress_rounds(store: StoreReader, kind: Kind = Kind.AUDIT) -> list[RoundCards]:
    """Every dated round with its cards of ``kind``, chronological (undated rounds are left out)."""
    dates = store.round_dates()
    return [RoundCards(r, dates[r], store.cards(r, kind)) for r in store.rounds() if r in dates]
