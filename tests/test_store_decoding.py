"""A store whose rows fail to decode (edited by hand, or damaged) gives one Chinese error
naming the table, the row and the column, exit 1 — never 内部错误 — and a fuzz target
for the decoder: any value written into any column is read back or refused that way."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest_store import make, mini_rubric, put
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compliance.cli import app
from compliance.findings import ComplianceError
from compliance.store import Store

ROUND = "2019年第一轮"  # a label from before rounds were checked: stored as typed


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("decode") / "good.db"
    rubric = mini_rubric()
    with Store.open(str(path)) as store:
        put(store, rubric, *make(rubric))
        put(store, rubric, *make(rubric, "320602002", name="城东街道综合执法队"))
    return path


def damaged(good: Path, folder: Path, sql: str, *params) -> Path:
    path = folder / "damaged.db"
    shutil.copy(good, path)
    with sqlite3.connect(path) as connection:
        connection.execute(sql, params)
    connection.close()
    return path


CASES = [
    (
        "UPDATE assessments SET earned = 'abc' WHERE id = 2",
        "表 assessments（id=2）的列 earned：“abc”不是数字",
    ),
    ("UPDATE rubric_versions SET snapshot = 'not json'", "的列 snapshot：评分细则存档不是有效的 JSON"),
    (
        "UPDATE item_results SET count = '3 处' WHERE assessment_id = 1 AND code = '1.1.2'",
        "表 item_results（assessment_id=1，code=1.1.2）的列 count：“3 处”不是数字",
    ),
    ("UPDATE assessments SET inspectors = '[\"张三\"' WHERE id = 1", "表 assessments（id=1）的列 inspectors"),
    (
        "UPDATE assessments SET date = '2019-02-30' WHERE id = 1",
        "表 assessments（id=1）的列 date：“2019-02-30”不是日期",
    ),
    ("UPDATE units SET district = '' WHERE code = '320602002'", "表 units（code=320602002）的列 district"),
    (
        "UPDATE assessments SET veto = 'maybe' WHERE id = 1",
        "表 assessments（id=1）的列 veto：“maybe”不是真假值",
    ),
]


@pytest.mark.parametrize(("sql", "says"), CASES, ids=[c[0].split(" SET ")[1].split(" =")[0] for c in CASES])
def test_a_value_that_does_not_decode_is_named_with_its_table_row_and_column(good_store, tmp_path, sql, says):
    db = damaged(good_store, tmp_path, sql)
    result = CliRunner().invoke(app, ["rank", "--round", ROUND, "--json", "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert "内部错误" not in result.output and "Traceback" not in result.output, result.output
    assert says in result.stderr and str(db) in result.stderr, result.stderr


def test_every_bad_value_is_named_in_one_message(good_store, tmp_path):
    db = damaged(good_store, tmp_path, "UPDATE assessments SET earned = 'x', final = 'y'")
    with pytest.raises(ComplianceError) as refused, Store.open(str(db)) as store:
        store.cards(ROUND)
    message = str(refused.value)
    for column in ("id=1）的列 earned", "id=1）的列 final", "id=2）的列 earned", "id=2）的列 final"):
        assert column in message


# --- fuzz: any value in any column ----------------------------------------------------------------

COLUMNS = {
    "assessments": ["round", "kind", "date", "inspectors", "rubric_id", "earned", "possible", "rate", "score",
                    "bonus", "final", "veto", "passed", "grade", "not_inspected", "imported_at", "superseded"],
    "item_results": ["result", "count", "measured", "score_input", "note", "earned", "possible", "status",
                     "has_input", "position"],
    "units": ["name", "type", "city", "district"],
    "rubric_versions": ["snapshot", "title", "first_imported_at"],
    "bonus_claims": ["note", "position"],
}  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.binary(max_size=20),
    st.none(),
    st.sampled_from(
        ["NaN", "Infinity", "1e999999", "-0", "[]", "{}", "null", "2019-02-30", "考评", '{"a": 1}']
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table_column=st.sampled_from([(t, c) for t, cs in COLUMNS.items() for c in cs]),
    value=VALUES,
)
def test_the_decoder_reads_back_or_refuses_with_a_located_chinese_error(
    good_store, tmp_path, table_column, value
):
    table, column = table_column
    path = tmp_path / "fuzz.db"
    shutil.copy(good_store, path)
    with sqlite3.connect(path) as connection:
        try:
            connection.execute(f"UPDATE {table} SET {column} = ?", (value,))
        except sqlite3.IntegrityError:
            return  # NOT NULL and the like: SQLite itself refuses the damage
    connection.close()
    try:
        with Store.open(str(path)) as store:
            for label in store.rounds():
                store.cards(label)
            store.units()
            store.latest()
            store.history("320602001")
            store.rubric_versions()
    except ComplianceError as exc:
        message = str(exc)
        assert "内部错误" not in message
        assert str(path) in message or "历史库" in message, message
