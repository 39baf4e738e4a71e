"""The history store: importing, reading back, and how it fails."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import conftest_store
import pytest
from conftest_store import DATA, make, mini_rubric, put
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, event, text

from compliance.catalog import Catalog
from compliance.findings import ComplianceError, FindingsError
from compliance.scoring import Kind
from compliance.store import ImportRequest, ImportStatus, Store, StoreIntegrityError

# The shared fixtures (a module-level name is what makes pytest see a fixture).
store_url = conftest_store.store_url
store = conftest_store.store

TABLES = ("units", "rubric_versions", "assessments", "item_results", "bonus_claims")


@pytest.fixture(scope="module")
def rubric():
    return mini_rubric()


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        result = {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}
    engine.dispose()
    return result


def test_a_stored_assessment_reads_back_as_the_same_score_card(store_url, rubric):
    assessment, card = make(rubric, seed=3)
    with Store.open(store_url) as store:
        outcome = put(store, rubric, assessment, card)
    assert outcome.status is ImportStatus.STORED
    with Store.open(store_url) as fresh:  # no cache: rescored from the rows
        back = fresh.card("320602001", "2019年第一轮", Kind.AUDIT)
    assert back == card
    assert back.explanation == card.explanation and back.final == card.final


def test_decimals_survive_exactly(store, rubric):
    assessment, card = make(rubric, seed=5)
    put(store, rubric, assessment, card)
    back = store.cards("2019年第一轮")[0]
    assert (back.rate, back.score, back.final) == (card.rate, card.score, card.final)
    assert all(isinstance(v, Decimal) for v in (back.rate, back.earned, back.items[0].earned))


def test_importing_the_same_content_twice_is_skipped_and_changes_nothing(store_url, rubric):
    assessment, card = make(rubric)
    with Store.open(store_url) as store:
        first = put(store, rubric, assessment, card)
        before = counts(store_url)
        renamed = store.import_assessment(
            rubric, assessment, card, source_name="另存为.xlsx", source_sha256="f" * 64
        )
    assert first.status is ImportStatus.STORED
    assert renamed.status is ImportStatus.SKIPPED and renamed.assessment_id == first.assessment_id
    assert str(renamed.status) == "已导入，跳过"
    assert (
        counts(store_url)
        == before
        == {
            "units": 1,
            "rubric_versions": 1,
            "assessments": 1,
            "item_results": len(rubric.items),
            "bonus_claims": len(assessment.bonus),
        }
    )


def test_a_different_workbook_for_the_same_unit_round_and_kind_is_refused(store_url, rubric):
    old, old_card = make(rubric, seed=1)
    new, new_card = make(rubric, seed=2)
    with Store.open(store_url) as store:
        put(store, rubric, old, old_card)
        before = counts(store_url)
        assert "--replace" in store.conflict(rubric, new)
        with pytest.raises(ComplianceError, match="--replace"):
            put(store, rubric, new, new_card)
        assert store.conflict(rubric, old) is None
        assert store.card("320602001", "2019年第一轮") == old_card
    assert counts(store_url) == before


def test_replace_keeps_the_old_assessment_as_superseded_history(store, rubric):
    old, old_card = make(rubric, seed=1)
    new, new_card = make(rubric, seed=2)
    first = put(store, rubric, old, old_card)
    fingerprint = store.fingerprint("2019年第一轮")
    outcome = put(store, rubric, new, new_card, replace=True)
    assert outcome.status is ImportStatus.REPLACED and outcome.replaced_id == first.assessment_id
    assert store.card("320602001", "2019年第一轮") == new_card
    assert store.assessment_count() == 1 and store.assessment_count(include_superseded=True) == 2
    assert store.fingerprint("2019年第一轮") != fingerprint
    assert put(store, rubric, new, new_card, replace=True).status is ImportStatus.SKIPPED


def test_editing_the_rubric_leaves_stored_scores_untouched(store, rubric, tmp_path):
    edited_file = tmp_path / "edited.yaml"
    source = (DATA / "good_rubric.yaml").read_text(encoding="utf-8")
    edited_file.write_text(source.replace("partial_credit: 0.5", "partial_credit: 0.9"), encoding="utf-8")
    edited = Catalog(standard_dirs=[DATA], rubric_dirs=[tmp_path]).rubric(str(edited_file))
    assert edited.content_hash != rubric.content_hash

    assessment, card = make(rubric, seed=7)
    put(store, rubric, assessment, card)
    later, later_card = make(edited, round="2020年", date=dt.date(2020, 6, 1), seed=7)
    put(store, edited, later, later_card)

    assert store.card("320602001", "2019年第一轮") == card  # still under the first version
    assert store.card("320602001", "2020年") == later_card
    versions = store.rubric_versions()
    assert [v.hash for v in versions] == [rubric.content_hash, edited.content_hash]
    assert {v.id for v in versions} == {"mini-2024-street"}


def test_queries_follow_rounds_in_date_order(store, rubric):
    # Names sort 第一轮 < 第三轮 < 第二轮; dates decide: 第一轮, 第二轮, 第三轮.
    rounds = {"第三轮": dt.date(2020, 5, 1), "第一轮": dt.date(2019, 5, 1), "第二轮": dt.date(2019, 11, 1)}
    for round_, date in rounds.items():
        for code in ("320602002", "320602001"):
            if code == "320602002" and round_ == "第三轮":
                continue  # this unit has not been audited in the last round yet
            for kind in (Kind.SELF, Kind.AUDIT):
                put(store, rubric, *make(rubric, code, round_, kind, date=date))
    put(store, rubric, *make(rubric, "320602001", "第二轮", Kind.RECHECK, date=dt.date(2019, 12, 20)))

    assert store.rounds() == ["第一轮", "第二轮", "第三轮"]
    assert store.round_dates() == {
        "第一轮": dt.date(2019, 5, 1),
        "第二轮": dt.date(2019, 12, 20),
        "第三轮": dt.date(2020, 5, 1),
    }
    audits = store.cards("第二轮")
    assert [(c.meta.unit.code, c.meta.kind) for c in audits] == [("320602001", "考评"), ("320602002", "考评")]
    everything = store.cards("第二轮", kind=None)
    assert [(c.meta.unit.code, c.meta.kind) for c in everything][:3] == [
        ("320602001", "自评"),
        ("320602001", "考评"),
        ("320602001", "复查"),
    ]
    assert len(everything) == 5
    assert [c.meta.kind for c in store.cards("第二轮", Kind.SELF)] == ["自评", "自评"]
    assert [(s.meta.kind, a.meta.kind) for s, a in store.pairs("第一轮")] == [("自评", "考评")] * 2
    assert [c.meta.round for c in store.history("320602001")] == ["第一轮", "第二轮", "第三轮"]
    assert [c.meta.round for c in store.history("320602001", Kind.RECHECK)] == ["第二轮"]
    assert [(c.meta.unit.code, c.meta.round) for c in store.latest()] == [
        ("320602001", "第三轮"),
        ("320602002", "第二轮"),
    ]
    assert store.card("320602002", "第三轮") is None
    assert [u.code for u in store.units()] == ["320602001", "320602002"]
    assert store.assessment_count() == 11


def test_the_fingerprint_changes_only_with_the_assessments_it_covers(store, rubric):
    put(store, rubric, *make(rubric, "320602001", "第一轮"))
    first_round = store.fingerprint("第一轮")
    everything = store.fingerprint()
    put(store, rubric, *make(rubric, "320602001", "第二轮"))
    assert store.fingerprint("第一轮") == first_round
    assert store.fingerprint() != everything
    assert store.fingerprint("第一轮", Kind.SELF) != first_round


def test_import_many_stores_each_in_turn(store, rubric):
    requests = [
        ImportRequest(rubric, a, c, f"{code}.xlsx", "0" * 64)
        for code in ("320602001", "320602002", "320602003")
        for a, c in [make(rubric, code)]
    ]
    outcomes = store.import_many([*requests, requests[0]])
    assert [o.status for o in outcomes] == [ImportStatus.STORED] * 3 + [ImportStatus.SKIPPED]


def test_a_batch_is_stored_whole_when_it_ends(store_url, rubric):
    requests = [
        ImportRequest(rubric, a, c, f"{code}.xlsx", "0" * 64)
        for code in ("320602001", "320602002")
        for a, c in [make(rubric, code)]
    ]
    with Store.open(store_url) as store, store.importing() as batch:
        outcomes = [batch.add(r) for r in [*requests, requests[0]]]
    assert [o.status for o in outcomes] == [ImportStatus.STORED] * 2 + [ImportStatus.SKIPPED]
    assert counts(store_url)["assessments"] == 2
    assert counts(store_url)["item_results"] == 2 * len(requests[0].assessment.items)


def test_a_refusal_in_a_batch_leaves_nothing_of_the_batch(store_url, rubric):
    """The first file is written, the second is refused: the first is undone too."""
    first = ImportRequest(rubric, *make(rubric, "320602001", seed=1), "a.xlsx", "0" * 64)
    other = ImportRequest(rubric, *make(rubric, "320602002", seed=1), "b.xlsx", "0" * 64)
    clash = ImportRequest(rubric, *make(rubric, "320602001", seed=2), "c.xlsx", "0" * 64)
    with Store.open(store_url) as store:
        with pytest.raises(ComplianceError, match="已导入过另一份检查表"), store.importing() as batch:
            batch.add(first)
            batch.add(other)
            batch.add(clash)
        assert store.assessment_count() == 0
    assert counts(store_url) == dict.fromkeys(TABLES, 0)


def test_replace_in_a_batch_supersedes_what_the_batch_wrote(store, rubric):
    first = ImportRequest(rubric, *make(rubric, "320602001", seed=1), "a.xlsx", "0" * 64)
    second = ImportRequest(rubric, *make(rubric, "320602001", seed=2), "b.xlsx", "0" * 64)
    with store.importing(replace=True) as batch:
        stored, replaced = batch.add(first), batch.add(second)
    assert replaced.status is ImportStatus.REPLACED and replaced.replaced_id == stored.assessment_id
    assert store.card("320602001", "2019年第一轮", Kind.AUDIT) == second.card
    assert store.assessment_count(include_superseded=True) == 2


def test_an_incomplete_assessment_keeps_its_not_inspected_items(store, rubric):
    assessment, card = make(rubric, blank=("2.1.4",))
    put(store, rubric, assessment, card)
    back = store.cards("2019年第一轮")[0]
    assert back.not_inspected == 1 == card.not_inspected and back == card


class Boom(RuntimeError):
    pass


@contextmanager
def fail_writing_items():
    """Writing an assessment's item rows fails, after its assessments row was written and
    before its transaction commits."""

    def boom(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO ITEM_RESULTS"):
            raise Boom("injected")

    event.listen(Engine, "before_cursor_execute", boom)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", boom)


def test_a_failure_in_the_middle_of_an_import_stores_nothing(store_url, rubric):
    with fail_writing_items(), Store.open(store_url) as store, pytest.raises(Boom):
        put(store, rubric, *make(rubric))
    assert set(counts(store_url).values()) == {0}


def test_a_failed_replace_keeps_the_old_assessment_current(store_url, rubric):
    old, old_card = make(rubric, seed=1)
    with Store.open(store_url) as store:
        put(store, rubric, old, old_card)
    with fail_writing_items(), Store.open(store_url) as store, pytest.raises(Boom):
        put(store, rubric, *make(rubric, seed=2), replace=True)
    with Store.open(store_url) as store:
        assert store.card("320602001", "2019年第一轮") == old_card
        assert store.assessment_count(include_superseded=True) == 1


def test_stored_totals_that_do_not_rescore_are_reported(store_url, rubric):
    with Store.open(store_url) as store:
        put(store, rubric, *make(rubric))
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE assessments SET final = 1"))
    engine.dispose()
    with Store.open(store_url) as store, pytest.raises(StoreIntegrityError, match="final"):
        store.cards("2019年第一轮")


@pytest.mark.parametrize(
    "defect",
    [
        pytest.param(lambda row: row | {"note": None} if row["note"] else row, id="an item's note lost"),
        pytest.param(
            lambda row: row | {"count": Decimal(7)} if row["has_input"] else row, id="a count changed"
        ),
        pytest.param(lambda row: row | {"has_input": False}, id="entered items taken for missing ones"),
    ],
)
def test_an_assessment_whose_rows_would_not_read_back_is_refused(store_url, rubric, monkeypatch, defect):
    """The check that stands in for rescoring at import: an encoder defect is caught."""
    from compliance.store import codec

    assessment, card = make(rubric, seed=3)
    assert any(i.note for i in assessment.items) and any(i.count for i in assessment.items)
    item_row = codec._item_row
    monkeypatch.setattr(codec, "_item_row", lambda *a: defect(item_row(*a)))
    with Store.open(store_url) as store, pytest.raises(StoreIntegrityError, match="无法原样读回"):
        put(store, rubric, assessment, card)
    assert counts(store_url)["assessments"] == 0


# --- opening --------------------------------------------------------------------------


def test_a_plain_path_and_an_in_memory_url_open_sqlite(tmp_path, rubric):
    path = tmp_path / "history.db"
    with Store.open(str(path)) as store:
        put(store, rubric, *make(rubric))
    assert path.is_file()
    with Store.open(f"sqlite:///{path}") as store:
        assert store.assessment_count() == 1
    with Store.open("sqlite://") as memory:
        put(memory, rubric, *make(rubric))
        assert memory.assessment_count() == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=3", "无法连接历史库 postgresql"),
        ("mysql://u@localhost/x", "不支持的历史库类型"),
        ("{tmp}/no/such/folder/x.db", "文件夹 {tmp}/no/such/folder 不存在"),
        ("{tmp}", "是一个文件夹"),
    ],
)
def test_opening_errors_name_the_store(tmp_path, target, message):
    with pytest.raises(ComplianceError, match=message.format(tmp=tmp_path)) as caught:
        Store.open(target.format(tmp=tmp_path))
    assert not isinstance(caught.value, StoreIntegrityError)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "units.yaml"
    path.write_text("units: []\n" * 200, encoding="utf-8")
    with pytest.raises(ComplianceError, match=f"{path} 不是 SQLite 数据库"):
        Store.open(str(path))


def test_a_database_of_something_else_is_refused(tmp_path):
    path = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER)"))
    engine.dispose()
    with pytest.raises(ComplianceError, match="不是 compliance 历史库"):
        Store.open(str(path))


def test_a_store_from_a_newer_version_is_refused(store_url):
    Store.open(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(ComplianceError, match="请升级 compliance"):
        Store.open(store_url)


def test_a_full_disk_is_a_clear_error_and_stores_nothing(tmp_path, rubric):
    path = tmp_path / "full.db"
    with Store.open(str(path)) as store:
        # SQLite reports SQLITE_FULL once the file may not grow: what a full disk looks like.
        event.listen(store._engine, "connect", lambda c, _: c.execute("PRAGMA max_page_count = 20"))
        store._engine.dispose()
        with pytest.raises(ComplianceError, match=f"磁盘空间已满，无法写入历史库 {path}"):
            for code in range(300, 400):
                put(store, rubric, *make(rubric, f"320602{code}"))
    with Store.open(str(path)) as store:
        for card in store.cards("2019年第一轮"):
            assert len(card.items) == len(rubric.items)


@pytest.fixture(scope="module")
def memory_store():
    with Store.open("sqlite://") as opened:
        yield opened


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), blank=st.sets(st.sampled_from(["1.1.1", "1.1.2", "2.1.1", "2.1.3"])))
def test_any_assessment_reads_back_unchanged(memory_store, rubric, seed, blank):
    code = f"{seed}-{len(blank)}-{''.join(sorted(blank)).replace('.', '')}"  # one unit per example
    try:
        assessment, card = make(rubric, code, seed=seed, blank=tuple(sorted(blank)))
    except FindingsError:  # everything 不适用: nothing to score, nothing to store
        assume(False)
    put(memory_store, rubric, assessment, card)
    memory_store._cards.clear()  # read back from the rows, not from the cache
    assert memory_store.card(code, assessment.meta.round) == card


def test_a_sqlite_store_runs_in_wal_with_normal_sync(tmp_path, rubric):
    """WAL lets readers and a writer share the file; under WAL, synchronous=NORMAL (1)
    is as safe against a crash of the program and spares an fsync per imported file."""
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        put(store, rubric, *make(rubric))
    with Store.open(path) as store, store._engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert driver.execute("PRAGMA synchronous").fetchone()[0] == 1
