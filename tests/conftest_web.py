"""A demo-like programme for the web tests (imported by them; not a conftest).

Four squads of the Nantong sample, two half-year rounds of 自评 and 考评, each a real
checklist workbook made by the template writer and filled the way the demo fills it,
imported by the real CLI (`compliance import`) into a SQLite store; accounts for every
role made by the real CLI (`compliance user add --password-stdin`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from compliance.demo import _sample, checklist, workbook_path
from compliance.scoring import Kind
from compliance.simulate import Programme, half_year_rounds
from compliance.web.config import WebConfig
from compliance.workbook import applies, layout

CLI = str(Path(sys.executable).with_name("compliance"))
PASSWORD = {"管理员": "admin-pass-123", "考评人员": "inspector-pass-123", "中队": "squad-pass-123"}
ROUNDS = ("2019H1", "2019H2")


@dataclass(frozen=True)
class Programme4:
    folder: Path
    db: Path
    targets: Path
    workbooks: dict[tuple[str, str, str], Path]  # (unit code, round, kind) → filled workbook
    spare: dict[tuple[str, str, str], Path]  # 2020H1 workbooks, filled but not imported
    units: tuple[str, ...]  # codes, the first is the squad account's own unit

    @property
    def own(self) -> str:
        return self.units[0]

    @property
    def other(self) -> str:
        return self.units[1]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=300, check=False)


def _fill(folder: Path, fillings) -> dict[tuple[str, str, str], Path]:
    made = {}
    for filling in fillings:
        path = workbook_path(folder, filling)
        path.parent.mkdir(parents=True, exist_ok=True)
        checklist((filling, path))
        made[filling.unit.code, filling.round.label, str(filling.kind)] = path
    return made


def build(folder: Path) -> Programme4:
    _, rubric, units_file, _ = _sample()
    squads = [u for u in units_file.units if applies(rubric, u)][:4]
    rounds = half_year_rounds(2019, 3)
    fillings = Programme(rubric, squads, rounds, seed=7).fillings()
    imported = [f for f in fillings if f.round.label in ROUNDS]
    workbooks = _fill(folder / "workbooks", imported)
    spare = _fill(folder / "spare", [f for f in fillings if f.round.label not in ROUNDS])
    db = folder / "compliance.db"
    done = run("import", *map(str, workbooks.values()), "--db", str(db))
    assert done.returncode == 0, done.stderr
    for name, role, unit in (
        ("局管理员", "管理员", None),
        ("考评员", "考评人员", None),
        ("本队", "中队", squads[0].code),
        ("邻队", "中队", squads[1].code),
        ("限流测试", "考评人员", None),
    ):
        extra = ["--unit", unit] if unit else []
        made = run(
            "user",
            "add",
            name,
            "--role",
            role,
            *extra,
            "--db",
            str(db),
            "--password-stdin",
            stdin=PASSWORD[role] + "\n",
        )
        assert made.returncode == 0, made.stderr
    target_file = folder / "targets.yaml"
    shutil.copy(
        Path(__file__).resolve().parents[1] / "src/compliance/data/examples/nantong/targets.yaml", target_file
    )
    return Programme4(folder, db, target_file, workbooks, spare, tuple(u.code for u in squads))


@pytest.fixture(scope="session")
def programme(tmp_path_factory) -> Programme4:
    return build(tmp_path_factory.mktemp("web-programme"))


def config(p: Programme4, **options) -> WebConfig:
    return WebConfig(db=str(p.db), targets=str(p.targets), **options)


def login(app, name: str, role: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    response = client.post(
        "/login", data={"username": name, "password": PASSWORD[role]}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def broken_copy(source: Path, target: Path, *, result: str = "好的") -> tuple[Path, str]:
    """A copy of a filled workbook with one 结论 replaced by a value no rule accepts;
    returns the path and the cell (``检查表!H12``) that now holds it."""
    book = load_workbook(source)
    sheet = book[layout.ITEMS_SHEET]
    for row in sheet.iter_rows(min_row=1, max_row=20):
        columns = {str(c.value).strip(): c for c in row if c.value is not None}
        if layout.RESULT in columns and layout.CODE in columns:
            header, column = row[0].row, columns[layout.RESULT].column_letter
            break
    for r in range(header + 1, sheet.max_row + 1):
        cell = sheet[f"{column}{r}"]
        if cell.value in ("符合", "基本符合", "不符合"):
            cell.value = result
            book.save(target)
            return target, f"{layout.ITEMS_SHEET}!{column}{r}"
    raise AssertionError("no check row to break")


KINDS = [str(k) for k in Kind]
