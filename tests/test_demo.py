"""The simulated Nantong programme: the model behaves like a programme, and `compliance demo`
runs end to end (templates → filled workbooks → import → store → reports) on a reduced size."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter

import pytest
from typer.testing import CliRunner

from compliance.catalog import Catalog, bundled_dir, load_units
from compliance.cli import app
from compliance.demo import DATABASE, MANIFEST, RUBRIC, fill_workbook, sample_dir
from compliance.scoring import Kind, compare, score
from compliance.simulate import Programme, half_year_rounds
from compliance.store import Store
from compliance.workbook import read_workbook, write_template


@pytest.fixture(scope="module")
def rubric():
    return Catalog(standard_dirs=(bundled_dir("standards"),), rubric_dirs=(bundled_dir("rubrics"),)).rubric(
        RUBRIC
    )


@pytest.fixture(scope="module")
def nantong():
    return load_units(sample_dir() / "units.yaml")


def programme(rubric, nantong, *, units=None, rounds=6, seed=1) -> Programme:
    return Programme(rubric, nantong.units[:units], half_year_rounds(2019, rounds), seed)


@pytest.fixture(scope="module")
def full_run(rubric, nantong):
    """The default programme (21 squads, 6 rounds) scored by the engine, no workbooks."""
    cards = {}
    for filling in programme(rubric, nantong).fillings():
        cards[(filling.round.label, filling.kind, filling.unit.code)] = score(
            rubric, filling.assessment(rubric.id)
        )
    return cards


# --- the model ----------------------------------------------------------------------------


def test_rounds_are_half_years_sortable_as_text():
    rounds = half_year_rounds(2019, 6)
    assert [r.label for r in rounds] == ["2019H1", "2019H2", "2020H1", "2020H2", "2021H1", "2021H2"]
    assert sorted(r.label for r in rounds) == [r.label for r in rounds]
    assert [r.date.isoformat() for r in rounds[:2]] == ["2019-06-28", "2019-12-20"]


def test_the_programme_meets_its_story(full_run):
    """About half 达标 by the end of 2019, nearly all by 2021H2, uneven progress in between."""
    passed = Counter(r for (r, kind, _), card in full_run.items() if kind is Kind.AUDIT and card.passed)
    assert passed["2019H1"] <= 7
    assert 8 <= passed["2019H2"] <= 13
    assert passed["2021H2"] >= 18
    assert passed["2019H1"] < passed["2020H2"] < passed["2021H1"] + 2
    rates = {code: [] for (_, _, code) in full_run}
    for (_, kind, code), card in sorted(full_run.items()):
        if kind is Kind.AUDIT:
            rates[code].append(card.rate)
    gains = sorted(r[-1] - r[0] for r in rates.values())
    assert gains[-1] > 2 * gains[0]  # some squads improve much more than others


def test_the_programme_has_vetoes_inflation_na_and_bonus(full_run):
    audits = [c for (_, kind, _), c in full_run.items() if kind is Kind.AUDIT]
    assert 1 <= sum(c.veto for c in audits) <= 8
    assert sum(c.not_applicable > 0 for c in audits) >= 5
    assert sum(c.bonus.counted > 0 for c in audits) >= 5
    comparisons = [
        compare(card, full_run[(r, Kind.AUDIT, code)])
        for (r, kind, code), card in full_run.items()
        if kind is Kind.SELF
    ]
    assert sum(len(c.inflated) for c in comparisons) >= 20
    assert all(c.gap >= -50 for c in comparisons)  # self-assessments flatter more than they blame
    notes = [i.note for c in audits for i in c.items if i.note]
    assert "询问室未配置同步录音录像设备" in notes
    assert all("{" not in n for n in notes)


def test_same_seed_same_programme_other_seed_other_programme(rubric, nantong):
    a = programme(rubric, nantong, units=5, rounds=2, seed=3).fillings()
    b = programme(rubric, nantong, units=5, rounds=2, seed=3).fillings()
    c = programme(rubric, nantong, units=5, rounds=2, seed=4).fillings()
    assert a == b
    assert a != c


def test_a_reduced_run_is_a_prefix_of_the_full_one(rubric, nantong):
    full = programme(rubric, nantong, rounds=3).fillings()
    small = programme(rubric, nantong, units=4, rounds=2).fillings()
    wanted = {(f.round.label, f.kind, f.unit.code) for f in small}
    assert [f for f in full if (f.round.label, f.kind, f.unit.code) in wanted] == small


def test_a_filled_workbook_scores_like_the_simulation(rubric, nantong, tmp_path):
    """The openpyxl filler writes exactly what the simulation decided: the workbook read back
    by the real reader scores the same as the simulated entries fed straight to the engine."""
    catalog = Catalog(standard_dirs=(bundled_dir("standards"),), rubric_dirs=(bundled_dir("rubrics"),))
    for filling in programme(rubric, nantong, units=2, rounds=1).fillings():
        path = tmp_path / f"{filling.unit.code}-{filling.kind}.xlsx"
        write_template(
            path,
            rubric,
            filling.unit,
            kind=filling.kind,
            round=filling.round.label,
            date=filling.date,
            inspectors=filling.inspectors,
        )
        fill_workbook(path, filling)
        read, findings = read_workbook(path, catalog, units=sample_dir() / "units.yaml")
        assert not [f for f in findings if f.is_error], findings
        [(_, assessment)] = read
        assert assessment.meta == filling.assessment(rubric.id).meta
        from_workbook = score(rubric, assessment)
        direct = score(rubric, filling.assessment(rubric.id))
        assert from_workbook.to_json() == direct.to_json()
        assert [i.note for i in from_workbook.items] == [i.note for i in direct.items]
        assert from_workbook.bonus == direct.bonus


def test_the_same_filling_gives_the_same_bytes(rubric, nantong, tmp_path):
    """Workbooks are dated by the inspection, not by when the demo ran: same seed, same files,
    same source hashes in the store."""
    filling = programme(rubric, nantong, units=1, rounds=1).fillings()[0]
    books = []
    for name in ("a.xlsx", "b.xlsx"):
        write_template(tmp_path / name, rubric, filling.unit, kind=filling.kind, round=filling.round.label)
        fill_workbook(tmp_path / name, filling)
        books.append((tmp_path / name).read_bytes())
    assert books[0] == books[1]


# --- `compliance demo` end to end ---------------------------------------------------------


def run(*args) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "out"
    result = run("demo", folder, "--units", 4, "--rounds", 2, "--json")
    assert result.exit_code == 0, result.output
    return folder, json.loads(result.stdout)


@pytest.mark.slow
def test_demo_fills_the_store(demo_run, rubric, nantong):
    folder, summary = demo_run
    with Store.open(str(folder / DATABASE)) as store:
        assert store.assessment_count() == 4 * 2 * 2
        assert store.rounds() == ["2019H1", "2019H2"]
        assert [u.code for u in store.units()] == [u.code for u in nantong.units[:4]]
        stored = {
            (c.meta.round, c.meta.kind, c.meta.unit.code): c
            for r in store.rounds()
            for c in store.cards(r, None)
        }
    # Deterministic: the store holds exactly what the seeded simulation decided.
    for filling in programme(rubric, nantong, units=4, rounds=2).fillings():
        card = stored[(filling.round.label, filling.kind, filling.unit.code)]
        assert card.to_json() == score(rubric, filling.assessment(rubric.id)).to_json()
        assert card.meta.date == filling.date and card.meta.inspectors == filling.inspectors
    assert [r["round"] for r in summary["rounds"]] == ["2019H1", "2019H2"]
    assert all(r["assessed"] == 4 for r in summary["rounds"])


@pytest.mark.slow
def test_demo_writes_the_workbooks_and_the_reports(demo_run, nantong):
    folder, summary = demo_run
    workbooks = sorted((folder / "workbooks").rglob("*.xlsx"))
    assert len(workbooks) == 16
    pdfs = sorted((folder / "reports").rglob("*.pdf"))
    xlsx = sorted((folder / "reports").rglob("*.xlsx"))
    assert len(pdfs) >= 4 + 2  # a report per squad, the ranking and the progress report
    assert xlsx, "the ranking's XLSX"
    assert {str(p) for p in pdfs + xlsx} <= set(summary["report_files"])
    if shutil.which("pdftotext"):
        names = {u.name for u in nantong.units[:4]}
        text = "".join(
            subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout for p in pdfs
        )
        assert any(name in text for name in names)


@pytest.mark.slow
def test_demo_rerun_starts_fresh_and_keeps_other_files(tmp_path):
    folder = tmp_path / "demo"
    assert run("demo", folder, "--units", 1, "--rounds", 2, "--json").exit_code == 0
    (folder / "workbooks" / "我的笔记.txt").write_text("不要删除", encoding="utf-8")
    (folder / "说明.txt").write_text("不要删除", encoding="utf-8")
    result = run("demo", folder, "--units", 1, "--rounds", 1)
    assert result.exit_code == 0, result.output
    assert "达标" in result.stdout and str(folder / DATABASE) in result.stdout
    assert not (folder / "workbooks" / "2019H2").exists()
    assert not list((folder / "reports").glob("*2019H2*"))
    assert list((folder / "reports").glob("*2019H1*.pdf"))
    assert sorted(p.name for p in (folder / "workbooks").rglob("*.xlsx")) == [
        "320602001_文峰街道综合执法队_考评.xlsx",
        "320602001_文峰街道综合执法队_自评.xlsx",
    ]
    assert (folder / "workbooks" / "我的笔记.txt").exists() and (folder / "说明.txt").exists()
    with Store.open(str(folder / DATABASE)) as store:
        assert store.assessment_count() == 2
    assert json.loads((folder / MANIFEST).read_text("utf-8"))["files"]


def test_demo_refuses_a_store_it_did_not_create(tmp_path):
    (tmp_path / DATABASE).write_bytes(b"someone's data")
    result = run("demo", tmp_path, "--units", 1, "--rounds", 1)
    assert result.exit_code == 1
    assert "不是演示程序创建的" in result.stderr
    assert (tmp_path / DATABASE).read_bytes() == b"someone's data"


@pytest.mark.parametrize(
    "args", [["--rounds", "0"], ["--rounds", "7"], ["--units", "0"], ["--units", "abc"], ["--seed", "x"]]
)
def test_demo_bad_options_exit_2(tmp_path, args):
    result = run("demo", tmp_path / "d", *args)
    assert result.exit_code == 2
    assert not (tmp_path / "d").exists()
