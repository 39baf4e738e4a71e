"""The store's schema comes from its Alembic migrations, run when a store is opened."""

from __future__ import annotations

import shutil
from dataclasses import replace

import conftest_store
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest_store import make, mini_rubric, put
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from compliance.findings import ComplianceError
from compliance.scoring import Kind, score
from compliance.store import ImportStatus, Store, connect, migrate
from compliance.store.models import Base

# The shared fixtures (a module-level name is what makes pytest see a fixture).
store_url = conftest_store.store_url

# The newest revision this build ships (other migrations are added after 0001).
[HEAD] = ScriptDirectory.from_config(migrate.config()).get_heads()

SECOND = '''"""A later migration, as a future version would ship it.

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    # Changing a type makes SQLite rebuild the table: copy, drop, rename.
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("remarks", sa.Text(), nullable=True))
        batch.alter_column("grade", type_=sa.String(20), existing_type=sa.Text())


def downgrade():
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("remarks")
'''


def test_a_new_store_is_created_at_the_newest_schema(store_url):
    Store.open(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as connection:
        assert migrate.current(connection) == {HEAD}
        assert set(inspect(connection).get_table_names()) >= {
            "assessments",
            "item_results",
            "alembic_version",
        }
    engine.dispose()


def test_the_migrations_build_exactly_the_models(store_url):
    Store.open(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_opening_a_store_twice_changes_nothing(store_url):
    rubric = mini_rubric()
    with Store.open(store_url) as store:
        put(store, rubric, *make(rubric))
    with Store.open(store_url) as store:
        assert store.assessment_count() == 1


def test_a_later_migration_upgrades_a_store_made_at_0001(store_url, tmp_path):
    rubric = mini_rubric()
    with Store.open(store_url) as store:
        for kind in (Kind.SELF, Kind.AUDIT):
            put(store, rubric, *make(rubric, kind=kind, seed=1))
        put(store, rubric, *make(rubric, seed=2), replace=True)  # one superseded row

    location = tmp_path / "migrations"
    shutil.copytree(migrate.default_location(), location, ignore=shutil.ignore_patterns("__pycache__"))
    (location / "versions" / "9999_remarks.py").write_text(SECOND.replace("{head}", HEAD), encoding="utf-8")
    engine = connect.create(connect.parse(store_url))
    migrate.upgrade(engine, "test", location=str(location))

    with engine.connect() as connection:
        assert migrate.current(connection) == {"9999"}
        assert "remarks" in {c["name"] for c in inspect(connection).get_columns("assessments")}
        items = connection.execute(text("SELECT count(*) FROM item_results")).scalar_one()
        assert items == 3 * len(rubric.items)  # the rebuild cascaded into nothing
    # Still one current assessment per unit, round and kind.
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(text("UPDATE assessments SET superseded = false"))
    engine.dispose()

    # This build does not know 9999: it refuses the store rather than misread it.
    with pytest.raises(ComplianceError, match="比本程序新"):
        Store.open(store_url)


def test_a_store_migrated_step_by_step_reads_like_a_new_one(store_url):
    engine = connect.create(connect.parse(store_url))
    migrate.upgrade(engine, "test", target="0001")
    engine.dispose()
    rubric = mini_rubric()
    with Store.open(store_url) as store:
        assert put(store, rubric, *make(rubric)).status is ImportStatus.STORED


# --- 0003: rounds stored by their canonical label ---------------------------------------------


def store_at_0001(store_url: str) -> Store:
    """A store to write rounds into the way versions before SPEC §2.5 wrote them. It is
    written at today's schema (today's Store writes columns later revisions added) and
    taken back below 0003 by :func:`before_0003` once the rows are in."""
    engine = connect.create(connect.parse(store_url))
    migrate.upgrade(engine, "test")
    return Store(engine, "test")


def before_0003(store_url: str) -> None:
    """Downgrade to the revision before 0003, so that opening the store runs 0003 on its rows."""
    from alembic import command

    engine = create_engine(store_url)
    with engine.begin() as connection:
        command.downgrade(migrate.config(connection=connection), "0002_accounts")
    engine.dispose()


def test_0003_stores_every_accepted_spelling_by_its_canonical_label(store_url):
    rubric = mini_rubric()
    old = store_at_0001(store_url)
    typed = {"2021年下半年": "2021H2", "2022h1": "2022H1", "2022年第3季度": "2022Q3", "2024-1": "2024-1"}
    stored = [make(rubric, unit_code=f"32060200{n}", round=label, date=None) for n, label in enumerate(typed)]
    stored[0] = make(rubric, unit_code="320602000", round="2021年下半年", seed=5, date=None)
    put(old, rubric, *make(rubric, unit_code="320602000", round="2021年下半年", date=None))
    for n, (assessment, card) in enumerate(stored):
        put(old, rubric, assessment, card, replace=n == 0)  # the first replaces: one superseded row
    old.close()
    before_0003(store_url)

    with Store.open(store_url) as store:
        # 2024-1 names no round (half? quarter? month?): kept as it was, still served, and
        # without a date it sorts after the real rounds.
        assert store.rounds() == ["2021H2", "2022H1", "2022Q3", "2024-1"]
        assert [c.meta.unit.code for c in store.cards("2021H2")] == ["320602000"]
        assert store.assessment_count(include_superseded=True) == 5
        # The digest was recomputed: the same entries, now under the canonical label, are
        # recognised as the assessment already stored.
        for (assessment, _), label in zip(stored, typed.values(), strict=True):
            again = replace(assessment, meta=replace(assessment.meta, round=label))
            outcome = put(store, rubric, again, score(rubric, again))
            assert outcome.status is ImportStatus.SKIPPED, label


def test_0003_refuses_two_current_assessments_that_become_one_round(store_url):
    rubric = mini_rubric()
    old = store_at_0001(store_url)
    put(old, rubric, *make(rubric, round="2021H2"))
    put(old, rubric, *make(rubric, round="2021年下半年", seed=3))
    old.close()
    before_0003(store_url)

    for _ in range(2):  # refused every time, and nothing changed in between
        with pytest.raises(ComplianceError) as refused:
            Store.open(store_url)
        message = str(refused.value)
        assert "“2021H2”" in message and "“2021年下半年”" in message and "2021年下半年" in message
        assert "320602001" in message and "未作任何改动" in message
    engine = create_engine(store_url)
    with engine.connect() as connection:
        assert migrate.current(connection) == {"0002_accounts"}
        rounds = connection.execute(text("SELECT round FROM assessments ORDER BY id")).scalars().all()
        assert rounds == ["2021H2", "2021年下半年"]
    engine.dispose()
