"""Opening the database behind a store: SQLite by default, PostgreSQL by URL.

SQLite is set up for several processes writing one file: WAL, a 30 s busy timeout, and
write transactions that start with BEGIN IMMEDIATE. A deferred transaction that reads
first and writes later cannot wait for another writer (SQLite answers "database is
locked" at once to avoid a deadlock); taking the write lock at BEGIN lets it wait.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from compliance import files
from compliance.findings import ComplianceError

BUSY_TIMEOUT_S = 30
WRITE = "compliance_write"  # execution option: this transaction will write
READ_ONLY = "compliance_read_only"  # execution option of an engine opened read-only
SUPPORTED = ("sqlite", "postgresql")

# A Decimal handed to sqlite3 directly (the item rows, written by the driver's executemany)
# is stored as its text, exactly as the ``Exact`` column type binds it: never as a float.
sqlite3.register_adapter(Decimal, str)


def parse(url_or_path: str) -> URL:
    """A SQLAlchemy URL, or a plain file path taken as a SQLite file."""
    if "://" not in url_or_path:
        return URL.create("sqlite", database=str(Path(url_or_path).expanduser()))
    try:
        url = make_url(url_or_path)
    except ArgumentError as exc:
        raise ComplianceError(f"无法识别的历史库地址“{url_or_path}”：{exc}") from None
    if url.get_backend_name() not in SUPPORTED:
        raise ComplianceError(
            f"不支持的历史库类型“{url.get_backend_name()}”（{url_or_path}）：应为 SQLite 文件路径、"
            "sqlite:///路径 或 postgresql+psycopg://用户@主机/库名"
        )
    return url


def label(url: URL) -> str:
    """How messages name the store: the file, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return url.database or "内存数据库"
    return url.render_as_string(hide_password=True)


def in_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # 检查人员 stay readable in the database


def create(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite(url)
    try:
        return create_engine(url, pool_pre_ping=True, json_serializer=_json)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ComplianceError(f"无法使用历史库地址 {label(url)}：{exc}") from None


def _sqlite(url: URL) -> Engine:
    if in_memory(url):
        # One connection, shared: each new connection to :memory: would be a new, empty database.
        engine = create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}, json_serializer=_json
        )
    elif _check_path(url):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, json_serializer=_json)
    else:
        # A store this user may only read: opened read-only, so that every reading command
        # works and a write fails with "是只读的" instead of at the first open.
        path = Path(url.database or "").absolute()
        uri = f"{path.as_uri()}?mode=ro"
        if not os.access(path.parent, os.W_OK | os.X_OK) and not Path(f"{path}-shm").exists():
            # A WAL store in a folder where not even SQLite's -shm file can be made: read
            # as an unchanging file (no writer can be at work here without that -shm file).
            uri += "&immutable=1"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False),
            json_serializer=_json,
        )
        engine = engine.execution_options(**{READ_ONLY: True})

    @event.listens_for(engine, "connect")
    def _setup(dbapi_connection, _record) -> None:
        # The SQLAlchemy recipe for pysqlite: stop the driver's own BEGIN, emit ours (below).
        # Nothing here changes the file: WAL is switched on only once the store is known to
        # be ours (use_wal, after the schema check).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            _durable_enough(cursor)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get(WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def read_only(engine: Engine) -> bool:
    """Whether ``engine`` was opened read-only (a store file this user may not write)."""
    return bool(engine.get_execution_options().get(READ_ONLY))


def use_wal(engine: Engine) -> None:
    """SQLite: switch a store (known to be ours) to WAL, for several processes at once.
    Persistent in the file, so it is a no-op once done; never on a read-only store."""
    if engine.dialect.name != "sqlite" or read_only(engine) or in_memory(engine.url):
        return
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if driver.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            driver.execute("PRAGMA journal_mode = WAL")
            _durable_enough(driver)


def _durable_enough(cursor) -> None:
    # Under WAL, synchronous=NORMAL syncs at checkpoints instead of at every commit: a
    # crash of the program loses nothing and cannot corrupt the file; a power cut may undo
    # the last imports, which a re-run of `import` stores again (it skips what is there).
    cursor.execute("PRAGMA synchronous = NORMAL")


def _check_path(url: URL) -> bool:
    """Fail early, and clearly, where SQLite would fail late, hang or say it vaguely.
    True when the store may be written, False when it can only be read."""
    path = Path(url.database or "")
    folder = path.parent
    if path.is_dir():
        raise ComplianceError(f"历史库路径 {path} 是一个文件夹，应为 SQLite 数据库文件")
    if problem := files.refusal(path):
        raise ComplianceError(f"历史库 {path} {problem}")
    if not folder.is_dir():
        raise ComplianceError(f"无法创建历史库 {path}：文件夹 {folder} 不存在")
    if not path.exists():
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ComplianceError(f"无法创建历史库 {path}：没有文件夹 {folder} 的写权限")
        return True
    if not os.access(path, os.R_OK):
        raise ComplianceError(f"无权读取历史库 {path}：请检查文件的读权限")
    # SQLite keeps its -wal and -shm files beside the database: writing needs the folder too.
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def explain(exc: DBAPIError, where: str) -> str:
    """A Chinese sentence for a database failure, naming the store."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "disk i/o error" in lowered and _nearly_full(where):
        # SQLite says SQLITE_IOERR_SHMSIZE, not SQLITE_FULL, when not even its -shm file fits
        lowered = "disk is full"
    reasons = [
        ("readonly database", f"历史库 {where} 是只读的，无法写入：请检查文件及所在文件夹的写权限"),
        (
            "database disk image is malformed",
            f"历史库 {where} 已损坏（数据库文件结构不完整），无法读取：请用备份恢复",
        ),
        ("file is encrypted", f"{where} 不是 SQLite 数据库文件（可能是别的文件），无法作为历史库打开"),
        ("no such table", f"历史库 {where} 缺少数据表（可能被手工改动过），无法读取"),
        ("no such column", f"历史库 {where} 的数据表缺少列（可能被手工改动过），无法读取"),
        (
            "connection refused",
            f"无法连接历史库 {where}：服务器拒绝连接（数据库服务未启动，或地址、端口有误）",
        ),
        ("password authentication failed", f"无法连接历史库 {where}：用户名或密码错误"),
        ('database "', f"无法连接历史库 {where}：服务器上没有这个数据库"),
        ('role "', f"无法连接历史库 {where}：服务器上没有这个数据库用户"),
        ("could not translate host name", f"无法连接历史库 {where}：找不到该主机名"),
        ("timeout expired", f"无法连接历史库 {where}：连接超时"),
        ("no pg_hba.conf entry", f"无法连接历史库 {where}：服务器不允许从本机连接（pg_hba.conf）"),
        ("permission denied", f"访问历史库 {where} 被拒绝：该数据库用户没有所需的权限"),
        ("file is not a database", f"{where} 不是 SQLite 数据库文件（可能是别的文件），无法作为历史库打开"),
        ("disk is full", f"磁盘空间已满，无法写入历史库 {where}：请清理磁盘后重试（本次写入未生效）"),
        ("unable to open database", f"无法打开历史库 {where}：请检查路径和权限"),
        ("database is locked", f"历史库 {where} 被其他程序长时间占用（等待 {BUSY_TIMEOUT_S} 秒后仍未释放）"),
        ("disk i/o error", f"读写历史库 {where} 时发生磁盘错误"),
    ]
    for needle, message in reasons:
        if needle in lowered:
            return message
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc.orig).__name__
    if exc.connection_invalidated or "connect" in lowered or "connection" in lowered:
        return f"无法连接历史库 {where}（{first_line}）"
    return f"访问历史库 {where} 时出错（数据库的原话：{first_line}）"


def _nearly_full(where: str) -> bool:
    """Whether the file system holding the SQLite file ``where`` has (almost) no room left."""
    try:
        return shutil.disk_usage(Path(where).parent).free < 1024 * 1024
    except (OSError, ValueError):
        return False


@contextmanager
def translated(where: str):
    """Database failures become one ComplianceError naming the store, never a traceback."""
    try:
        yield
    except DBAPIError as exc:
        raise ComplianceError(explain(exc, where)) from exc
