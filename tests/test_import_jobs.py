"""`compliance import --jobs N`: workers read and score, one process writes; what the user
sees and what the store holds are the same as with --jobs 1."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import pytest
from test_workbook_support import GOOD, fill, template
from typer.testing import CliRunner

from compliance import intake
from compliance.cli import app
from compliance.units import Unit

DATA = Path(__file__).resolve().parent / "data"
runner = CliRunner()
RESULTS = ("符合", "基本符合", "不符合", "不适用")
PARENT = os.getpid()


def unit(n: int) -> Unit:
    return Unit(
        code=f"3206020{n:02d}", name=f"第{n}执法中队", type="街道综合执法队", city="南通市", district="崇川区"
    )


def filled(folder: Path, rubric, n: int, rng: random.Random) -> Path:
    entries = {code: dict(values) for code, values in GOOD.items()}
    entries["1.1.1"] = {"结论": rng.choice(RESULTS)}
    entries["1.1.2"] = {"问题数": rng.randint(0, 8)}
    entries["2.1.1"] = {"实测值": rng.randint(0, 25)}
    entries["2.1.3"] = {"得分": rng.randint(0, 10)}
    path = template(folder, rubric, unit(n), name=f"{n:02d}.xlsx")
    return fill(path, entries, bonus={"J1": rng.choice(["是", ""])})


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, mini_rubric):
    folder = tmp_path_factory.mktemp("jobs")
    rng = random.Random(18)
    return [filled(folder, mini_rubric, n, rng) for n in range(1, 13)]


def run(files, db: Path, jobs: int, *extra: str):
    args = ["import", *map(str, files), "--db", str(db), "--jobs", str(jobs)]
    result = runner.invoke(app, [*args, "--standards", str(DATA), "--rubrics", str(DATA), *extra])
    assert "Traceback" not in result.output
    return result


def stored(db: Path) -> list[tuple]:
    """Every stored value but the import time."""
    with sqlite3.connect(db) as connection:
        assessments = connection.execute(
            "SELECT id, unit_code, round, kind, source_name, source_sha256, digest, earned, final, grade, passed"
            " FROM assessments ORDER BY id"
        ).fetchall()
        items = connection.execute("SELECT * FROM item_results ORDER BY assessment_id, position").fetchall()
        bonus = connection.execute("SELECT * FROM bonus_claims ORDER BY assessment_id, position").fetchall()
    return [assessments, items, bonus]


def test_two_jobs_store_and_print_what_one_job_does(workbooks, tmp_path):
    one = run(workbooks, tmp_path / "one.db", 1, "--json")
    two = run(workbooks, tmp_path / "two.db", 2, "--json")
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert json.loads(two.stdout) == json.loads(one.stdout)
    assert len(json.loads(one.stdout)) == len(workbooks)
    assert stored(tmp_path / "two.db") == stored(tmp_path / "one.db")
    assert len(stored(tmp_path / "one.db")[0]) == len(workbooks)


def test_two_jobs_report_the_same_findings_and_store_nothing(workbooks, tmp_path, mini_rubric):
    broken = fill(template(tmp_path, mini_rubric, unit(40), name="broken.xlsx"), {"1.1.1": {"结论": "好吧"}})
    files = [*workbooks[:5], broken, *workbooks[5:]]
    one = run(files, tmp_path / "one.db", 1)
    two = run(files, tmp_path / "two.db", 2)
    assert one.exit_code == two.exit_code == 1
    assert two.output == one.output
    assert "broken.xlsx!检查表!" in one.output and "未导入任何评估" in one.output
    assert not (tmp_path / "one.db").exists() and not (tmp_path / "two.db").exists()


def _dies(*_args, **_kwargs):
    if os.getpid() != PARENT:
        os._exit(9)  # a worker ends as the kernel's OOM killer would end it
    return _dies.__wrapped__(*_args, **_kwargs)


def test_a_worker_that_dies_is_a_clear_error_and_stores_nothing(workbooks, tmp_path, monkeypatch):
    _dies.__wrapped__ = intake.read_scored
    monkeypatch.setattr(intake, "read_scored", _dies)  # the forked workers inherit it
    result = run(workbooks, tmp_path / "h.db", 2)
    assert result.exit_code != 0
    assert "工作进程意外退出" in result.output and "--jobs 1" in result.output
    assert not (tmp_path / "h.db").exists()
