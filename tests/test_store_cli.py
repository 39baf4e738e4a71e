"""`compliance import`: validate every file first, then store each assessment.

The workbook reader is replaced by a stand-in that returns prepared assessments, so these
tests pin down the command, not the reading of xlsx files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest_store import make, mini_rubric
from typer.testing import CliRunner

from compliance import intake
from compliance.cli import app
from compliance.findings import Finding, errors_of
from compliance.intake import Scored
from compliance.scoring import Kind, evaluate
from compliance.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def rubric():
    return mini_rubric()


@pytest.fixture
def workbooks(monkeypatch, tmp_path):
    """``add(name, assessments, findings)`` makes a file the stand-in reader will return them for."""
    prepared: dict[str, tuple[list, list[Finding]]] = {}

    def read_scored(path, catalog, *, units=None, allow_incomplete=False, rubric=None, earlier=None):
        # Like the real reader: the engine scores each assessment, its findings join the file's.
        pairs, findings = prepared[Path(path).name]
        sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        scored, findings = [], list(findings)
        for r, a in pairs:
            card, more = evaluate(r, a, allow_incomplete=allow_incomplete)
            findings += more
            if card is not None:
                scored.append(Scored(str(path), sha, r, a, card))
        return ([] if errors_of(findings) else scored), findings

    def add(name: str, assessments=(), findings=()) -> str:
        path = tmp_path / name
        path.write_bytes(name.encode())  # a file of its own, so a sha256 of its own
        prepared[name] = ([(a_rubric, a) for a_rubric, a in assessments], list(findings))
        return str(path)

    monkeypatch.setattr(intake, "read_scored", read_scored)
    return add


def run(*args: str):
    result = runner.invoke(app, ["import", "--jobs", "1", *args])
    assert "Traceback" not in result.output
    return result


def test_import_stores_each_workbook_and_a_second_run_skips_them(workbooks, rubric, tmp_path):
    db = str(tmp_path / "h.db")
    files = [
        workbooks(f"{code}.xlsx", [(rubric, make(rubric, code)[0])]) for code in ("320602001", "320602002")
    ]
    first = run(*files, "--db", db)
    assert first.exit_code == 0, first.output
    assert first.output.count("已导入：") == 2 and "新导入 2" in first.output
    again = run(*files, "--db", db)
    assert again.exit_code == 0 and again.output.count("已导入，跳过：") == 2
    with Store.open(db) as store:
        assert store.assessment_count() == 2


def test_a_file_with_errors_stops_the_whole_import(workbooks, rubric, tmp_path):
    db = tmp_path / "h.db"
    good = workbooks("good.xlsx", [(rubric, make(rubric)[0])])
    bad = workbooks("bad.xlsx", findings=[Finding("bad.xlsx", "结论“好吧”无法识别", cell="检查表!H5")])
    result = run(good, bad, "--db", str(db))
    assert result.exit_code == 1
    assert "bad.xlsx!检查表!H5: 结论“好吧”无法识别" in result.output and "未导入任何评估" in result.output
    assert not db.exists()


def test_a_later_file_with_errors_rolls_back_what_the_batch_wrote_and_keeps_the_store(
    workbooks, rubric, tmp_path
):
    # import writes each file as it is read: a failure at the end must undo all of them,
    # and a database that existed before stays, with only what it held
    db = tmp_path / "h.db"
    first = workbooks("320602009.xlsx", [(rubric, make(rubric, "320602009")[0])])
    assert run(first, "--db", str(db)).exit_code == 0
    goods = [
        workbooks(f"{code}.xlsx", [(rubric, make(rubric, code)[0])]) for code in ("320602001", "320602002")
    ]
    bad = workbooks("bad.xlsx", findings=[Finding("bad.xlsx", "结论“好吧”无法识别", cell="检查表!H5")])
    result = run(*goods, bad, "--db", str(db))
    assert result.exit_code == 1 and "1 个文件有错误，未导入任何评估。" in result.output
    assert "已导入" not in result.output
    with Store.open(db) as store:
        assert store.assessment_count() == 1
        assert [c.meta.unit.code for c in store.cards(make(rubric)[0].meta.round)] == ["320602009"]


def test_an_unscorable_assessment_is_reported_with_the_file(workbooks, rubric, tmp_path):
    incomplete = make(rubric, blank=("2.1.4",))[0]
    path = workbooks("incomplete.xlsx", [(rubric, incomplete)])
    refused = run(path, "--db", str(tmp_path / "h.db"))
    assert refused.exit_code == 1 and "条目 2.1.4 未检查" in refused.output
    allowed = run(path, "--db", str(tmp_path / "h.db"), "--allow-incomplete")
    assert allowed.exit_code == 0 and "已导入：" in allowed.output


def test_a_different_workbook_needs_replace(workbooks, rubric, tmp_path):
    db = str(tmp_path / "h.db")
    old = workbooks("old.xlsx", [(rubric, make(rubric, seed=1)[0])])
    new = workbooks("new.xlsx", [(rubric, make(rubric, seed=2)[0])])
    other = workbooks("other.xlsx", [(rubric, make(rubric, "320602009")[0])])
    assert run(old, "--db", db).exit_code == 0
    refused = run(other, new, "--db", db)
    assert refused.exit_code == 1 and "--replace" in refused.output
    assert "“old.xlsx”" in refused.output and "“new.xlsx”" in refused.output
    with Store.open(db) as store:
        assert store.assessment_count() == 1  # not even the unrelated file
    replaced = run(new, "--db", db, "--replace")
    assert replaced.exit_code == 0 and "已替换：" in replaced.output
    with Store.open(db) as store:
        assert store.assessment_count(include_superseded=True) == 2


def test_two_different_workbooks_for_one_assessment_in_one_batch_are_refused(workbooks, rubric, tmp_path):
    first = workbooks("a.xlsx", [(rubric, make(rubric, seed=1)[0])])
    second = workbooks("b.xlsx", [(rubric, make(rubric, seed=2)[0])])
    result = run(first, second, "--db", str(tmp_path / "h.db"), "--replace")
    assert result.exit_code == 1 and "内容不同" in result.output


def test_json_lists_each_outcome_with_its_scores(workbooks, rubric, tmp_path):
    assessment, card = make(rubric, kind=Kind.SELF)
    path = workbooks("self.xlsx", [(rubric, assessment)])
    result = run(path, "--db", str(tmp_path / "h.db"), "--json")
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)
    assert entry["outcome"] == "stored" and entry["file"] == path and entry["assessment_id"] == 1
    assert {k: entry[k] for k in card.to_json()} == card.to_json()


def test_many_files_import_with_a_progress_bar(workbooks, rubric, tmp_path):
    files = [workbooks(f"{n}.xlsx", [(rubric, make(rubric, f"3206020{n:02d}")[0])]) for n in range(8)]
    result = run(*files, "--db", str(tmp_path / "h.db"))
    assert result.exit_code == 0 and result.output.count("已导入：") == 8


def test_a_store_that_cannot_be_opened_is_one_line_and_exit_1(workbooks, rubric, tmp_path):
    path = workbooks("a.xlsx", [(rubric, make(rubric)[0])])
    result = run(path, "--db", str(tmp_path / "missing" / "h.db"))
    assert result.exit_code == 1 and "文件夹" in result.output and "不存在" in result.output


def test_the_database_defaults_to_compliance_db_env(workbooks, rubric, tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_DB", str(tmp_path / "env.db"))
    assert run(workbooks("a.xlsx", [(rubric, make(rubric)[0])])).exit_code == 0
    assert (tmp_path / "env.db").is_file()
