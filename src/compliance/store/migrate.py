"""Alembic migrations, run from the package: no alembic.ini, no command line.

Opening a store upgrades it to the newest schema, so a store written by an older version
keeps working. To change the schema, edit ``models.py`` and add the next file under
``migrations/versions`` (``0002_….py``, ``down_revision = "0001"``); to draft it:

    from alembic import command
    from compliance.store.migrate import config
    command.revision(config(url="sqlite:///draft.db"), "what changed", autogenerate=True)

against a store at the current head. Use ``op.batch_alter_table`` for ALTERs (SQLite).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from compliance.findings import ComplianceError
from compliance.store.connect import WRITE, read_only, use_wal

VERSION_TABLE = "alembic_version"
# Any constant: serialises concurrent first opens of one PostgreSQL store.
_PG_LOCK = 0x636F6D70


def default_location() -> str:
    return str(resources.files("compliance.store") / "migrations")


def config(
    *, connection: Connection | None = None, url: str | None = None, location: str | None = None
) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", location or default_location())
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["connection"] = connection
    return cfg


def current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def upgrade(engine: Engine, where: str, *, target: str = "head", location: str | None = None) -> None:
    """Bring the store's schema to ``target``; nothing is written when it is there already."""
    scripts = ScriptDirectory.from_config(config(location=location))
    wanted = set(scripts.get_heads()) if target == "head" else {target}
    with engine.connect() as connection:
        _check_ours(connection, where)  # read only: nothing is changed before this holds
        found = current(connection)
    _check_known(scripts, found, where)
    if read_only(engine):
        if found != wanted:
            raise ComplianceError(
                f"历史库 {where} 是只读的，而它的结构需要先升级到本版本（{'、'.join(sorted(found)) or '空库'} → "
                f"{'、'.join(sorted(wanted))}）：请由有写权限的用户用本版本打开一次（如 compliance rank），或检查文件权限"
            )
        return
    use_wal(engine)
    if found == wanted:
        return
    with engine.connect() as connection, _foreign_keys_deferred(connection):
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            # Two processes opening a new store at once: the second waits here, then finds
            # the schema in place (alembic reads the version inside this transaction).
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
            try:
                command.upgrade(config(connection=connection, location=location), target)
            except ComplianceError as exc:  # a migration that refuses this store's content
                raise ComplianceError(f"历史库 {where} 无法升级到本版本的结构：{exc}") from None
            _check_foreign_keys(connection, where)


@contextmanager
def _foreign_keys_deferred(connection: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while the schema changes (checked before commit instead).

    A batch migration rebuilds a table by copying it and dropping the original; with
    foreign keys on, that DROP would cascade into the rows that reference it. The pragma
    has no effect inside a transaction, so it goes to the driver before BEGIN.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection: Connection, where: str) -> None:
    if connection.dialect.name == "sqlite" and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise ComplianceError(
            f"升级历史库 {where} 的结构后外键不一致，已撤销升级。这是程序缺陷，请报告给维护者。"
        )


def _check_ours(connection: Connection, where: str) -> None:
    tables = set(inspect(connection).get_table_names())
    if tables and VERSION_TABLE not in tables:
        raise ComplianceError(
            f"{where} 已有别的数据表（{'、'.join(sorted(tables)[:5])}），不是 compliance 历史库；请换一个文件或数据库"
        )


def _check_known(scripts: ScriptDirectory, found: set[str], where: str) -> None:
    known = {script.revision for script in scripts.walk_revisions()}
    newer = sorted(found - known)
    if newer:
        raise ComplianceError(
            f"历史库 {where} 的结构版本（{'、'.join(newer)}）比本程序新：它由更新版本的 compliance 写入，请升级 compliance"
        )
