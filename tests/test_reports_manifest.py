"""``compliance report``'s skipping: a per-unit PDF is rebuilt exactly when one of its inputs
changed (its assessments, the rubric, its place, the unit, the issuer or date), and a re-run
with nothing changed scores, draws and builds nothing; ranks come from the stored totals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import conftest_store
import pytest
from conftest_store import make, mini_rubric, put
from typer.testing import CliRunner

from compliance.cli import app
from compliance.reports import Issue
from compliance.reports.assemble import render_unit_reports, unit_documents, unit_jobs
from compliance.reports.batch import UnitInputs
from compliance.rubric import Check, Deduct, Levels, Manual, Quantity
from compliance.scoring import ItemInput, Kind, score
from compliance.scoring.ranking import placings
from compliance.store import Store

store_url = conftest_store.store_url
store = conftest_store.store

ROUND, EARLIER, LATER = "2021H1", "2020H2", "2021H2"
CODES = ("320602001", "320602002", "320602003", "320611001")
DISTRICTS = {"320611001": "港闸区"}
ISSUE = Issue("南通市城市管理局", dt.date(2021, 7, 1))


@pytest.fixture(scope="module")
def rubric():
    return mini_rubric()


def assessment(rubric, code, round=ROUND, kind=Kind.AUDIT, *, seed=0, name=None):
    found, _ = make(rubric, code, round, kind, seed=seed, name=name or f"第{code[-1]}街道综合执法队")
    unit = found.meta.unit.model_copy(update={"district": DISTRICTS.get(code, "崇川区")})
    return dataclasses.replace(found, meta=dataclasses.replace(found.meta, unit=unit))


def stored(store, rubric, found, *, replace=False):
    return put(store, rubric, found, score(rubric, found, allow_incomplete=True), replace=replace)


def full_marks(rubric, found):
    """The same assessment with every item at full marks (top of the ranking)."""

    def best(item):
        match item.rule:
            case Levels(labels):
                return ItemInput(item.code, labels[0][0])
            case Deduct():
                return ItemInput(item.code, count=Decimal(0))
            case Quantity(target):
                return ItemInput(item.code, measured=target)
            case Manual():
                return ItemInput(item.code, score=item.points)
            case Check():
                return ItemInput(item.code, "符合")
        raise AssertionError(item.rule)

    return dataclasses.replace(found, items=tuple(best(i) for i in rubric.items))


def renamed_note(found):
    """The same scores, another 问题描述 on the first item."""
    first, *rest = found.items
    return dataclasses.replace(found, items=(dataclasses.replace(first, note="补充说明：已整改"), *rest))


@pytest.fixture
def filled(store, rubric):
    for i, code in enumerate(CODES):
        stored(store, rubric, assessment(rubric, code, EARLIER, seed=i))
        stored(store, rubric, assessment(rubric, code, seed=10 + i))
    stored(store, rubric, assessment(rubric, CODES[0], kind=Kind.SELF, seed=20))
    return store


def report(store, out, *, issue=ISSUE, force=False, workers=1, units=None):
    """The units whose PDF was (re)built, as ``compliance report --round R --all`` does it."""
    jobs = unit_jobs(store, ROUND, Kind.AUDIT, units=units, issue=issue)
    results = render_unit_reports(store, jobs, out, workers=workers, force=force)
    assert all(path.is_file() for path, _ in results)
    return {path.name.split("_")[0] for path, rendered in results if rendered}


def places(store):
    return placings(store.standings(ROUND, Kind.AUDIT))


def refuse_building(monkeypatch):
    """From now on, fail on any scoring, chart, HTML or PDF work."""

    def refuse(*args, **kwargs):
        raise AssertionError("built although nothing changed")

    monkeypatch.setattr(Store, "_rescore", refuse)
    monkeypatch.setattr(UnitInputs, "document", refuse)
    monkeypatch.setattr("compliance.reports.batch.write_pdf", refuse)
    monkeypatch.setattr("compliance.reports.charts.svg", refuse)


def test_standings_are_the_stored_totals_and_rank_like_the_cards(filled):
    cards = {c.meta.unit.code: c for c in filled.cards(ROUND)}
    standings = filled.standings(ROUND)
    assert [s.unit.code for s in standings] == sorted(cards)
    for s in standings:
        card = cards[s.unit.code]
        assert (s.final, s.score, s.rate, s.veto, s.passed, s.grade) == (
            card.final,
            card.score,
            card.rate,
            card.veto,
            card.passed,
            card.grade,
        )
        assert s.unit == card.meta.unit and s.precision == card.precision
    assert placings(standings) == placings(list(cards.values()))
    assert filled.standings("1999H1") == []


def test_stamps_list_a_units_current_assessments_in_round_order(filled, rubric):
    stamps = filled.stamps([CODES[0], CODES[1]])
    assert [(s.round, s.kind) for s in stamps[CODES[0]]] == [
        (EARLIER, Kind.AUDIT),
        (ROUND, Kind.SELF),
        (ROUND, Kind.AUDIT),
    ]
    before = stamps[CODES[1]][-1]
    stored(filled, rubric, renamed_note(assessment(rubric, CODES[1], seed=11)), replace=True)
    after = filled.stamps([CODES[1]])[CODES[1]][-1]
    assert after.round == ROUND and (after.id, after.digest) != (before.id, before.digest)


def test_a_rerun_with_nothing_changed_builds_nothing(filled, store_url, tmp_path, monkeypatch):
    assert report(filled, tmp_path) == set(CODES)
    with Store.open(store_url) as fresh:  # a new process: nothing cached
        refuse_building(monkeypatch)
        assert report(fresh, tmp_path) == set()
        assert report(fresh, tmp_path, units=[CODES[2]]) == set()


def test_a_changed_note_rebuilds_that_units_report_only(filled, rubric, tmp_path):
    assert report(filled, tmp_path) == set(CODES)
    before = places(filled)
    stored(filled, rubric, renamed_note(assessment(rubric, CODES[1], seed=11)), replace=True)
    assert places(filled) == before
    assert report(filled, tmp_path) == {CODES[1]}
    assert report(filled, tmp_path) == set()


def test_a_changed_final_rebuilds_every_report_whose_place_moved(filled, rubric, tmp_path):
    assert report(filled, tmp_path) == set(CODES)
    before = places(filled)
    last = max(before, key=lambda code: before[code][0].rank)
    top = full_marks(rubric, assessment(rubric, last, seed=10 + CODES.index(last)))
    stored(filled, rubric, top, replace=True)
    after = places(filled)
    moved = {code for code in CODES if after[code] != before[code]}
    assert last in moved and len(moved) > 1  # the new leader pushed others down
    assert report(filled, tmp_path) == moved


def test_the_self_assessment_beside_an_audit_rebuilds_that_audit_report(filled, rubric, tmp_path):
    assert report(filled, tmp_path) == set(CODES)
    stored(filled, rubric, assessment(rubric, CODES[2], kind=Kind.SELF, seed=30))
    assert report(filled, tmp_path) == {CODES[2]}
    stored(filled, rubric, assessment(rubric, CODES[0], kind=Kind.SELF, seed=31), replace=True)
    assert report(filled, tmp_path) == {CODES[0]}


def test_an_earlier_round_rebuilds_and_a_later_one_does_not(filled, rubric, tmp_path):
    assert report(filled, tmp_path) == set(CODES)
    stored(filled, rubric, assessment(rubric, CODES[3], LATER, seed=40))
    assert report(filled, tmp_path) == set()  # the 2021H1 trend stops at 2021H1
    stored(filled, rubric, assessment(rubric, CODES[3], "2020H1", seed=41))
    assert report(filled, tmp_path) == {CODES[3]}  # its trend gains a round


def test_a_renamed_unit_the_issue_a_missing_file_and_force_rebuild(filled, rubric, tmp_path):
    assert report(filled, tmp_path) == set(CODES)
    # a later workbook names the squad anew: the unit row changes, its reports with it
    stored(filled, rubric, assessment(rubric, CODES[2], LATER, seed=50, name="新名称街道综合执法队"))
    assert report(filled, tmp_path) == {CODES[2]}
    assert report(filled, tmp_path, issue=Issue("南通市城市管理局", dt.date(2021, 7, 2))) == set(CODES)
    assert report(filled, tmp_path, issue=Issue("南通市城市管理局", dt.date(2021, 7, 2))) == set()
    next(tmp_path.glob(f"{CODES[1]}_*.pdf")).unlink()
    assert report(filled, tmp_path, issue=Issue("南通市城市管理局", dt.date(2021, 7, 2))) == {CODES[1]}
    assert report(filled, tmp_path, issue=Issue("南通市城市管理局", dt.date(2021, 7, 2)), force=True) == set(
        CODES
    )


def test_one_units_report_scores_that_unit_only(filled, store_url, tmp_path, monkeypatch):
    scored = []
    rescore = Store._rescore

    def spy(self, session, keys):
        scored.extend(unit.code for _, unit in keys)
        return rescore(self, session, keys)

    with Store.open(store_url) as fresh:
        monkeypatch.setattr(Store, "_rescore", spy)
        assert report(fresh, tmp_path, units=[CODES[0]]) == {CODES[0]}
        (document,) = unit_documents(
            fresh, ROUND, Kind.AUDIT, lambda c: fresh.rubric(c.rubric_hash), units=[CODES[0]]
        )
    assert scored and set(scored) == {CODES[0]}
    rank, _ = places(filled)[CODES[0]][0]
    assert f"第 <b>{rank}</b> 名" in document.html and "自评与考评对比" in document.html


def test_two_workers_build_the_same_reports(filled, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert report(filled, one, workers=1) == report(filled, two, workers=2) == set(CODES)
    assert sorted(p.name for p in one.glob("*.pdf")) == sorted(p.name for p in two.glob("*.pdf"))
    assert report(filled, two, workers=2) == set()


def test_the_command_skips_what_is_unchanged(filled, store_url, rubric, tmp_path):
    args = [
        "report",
        "--round",
        ROUND,
        "--all",
        "--db",
        store_url,
        "-o",
        str(tmp_path),
        "--date",
        "2021-07-01",
    ]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "其中 0 份内容未变化" in first.output
    stored(filled, rubric, renamed_note(assessment(rubric, CODES[1], seed=11)), replace=True)
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert f"共 {len(CODES)} 份报告，其中 {len(CODES) - 1} 份内容未变化" in second.output
    assert second.output.count("已生成") == 1 and CODES[1] in second.output.split("已生成")[1]
