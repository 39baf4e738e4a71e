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
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from compliance.findings import ComplianceError

BUSY_TIMEOUT_S = 30
WRITE = "compliance_write"  # execution option: this transaction will write
SUPPORTED = ("sqlite", "postgresql")


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
    else:
        _check_path(url)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, json_serializer=_json)

    @event.listens_for(engine, "connect")
    def _setup(dbapi_connection, _record) -> None:
        # The SQLAlchemy recipe for pysqlite: stop the driver's own BEGIN, emit ours (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory(url):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get(WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _check_path(url: URL) -> None:
    """Fail early, and clearly, where SQLite would fail late or with a vaguer message."""
    path = Path(url.database or "")
    folder = path.parent
    if path.is_dir():
        raise ComplianceError(f"历史库路径 {path} 是一个文件夹，应为 SQLite 数据库文件")
    if not folder.is_dir():
        raise ComplianceError(f"无法创建历史库 {path}：文件夹 {folder} 不存在")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ComplianceError(f"历史库 {path} 是只读的或无权读取，无法写入：请检查文件的读写权限")
    if not os.access(folder, os.W_OK | os.X_OK):
        # SQLite keeps its -wal and -shm files beside the database.
        raise ComplianceError(f"无法写入历史库 {path}：没有文件夹 {folder} 的写权限")


def explain(exc: DBAPIError, where: str) -> str:
    """A Chinese sentence for a database failure, naming the store."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "disk i/o error" in lowered and _nearly_full(where):
        # SQLite says SQLITE_IOERR_SHMSIZE, not SQLITE_FULL, when not even its -shm file fits
        lowered = "disk is full"
    reasons = [
        ("readonly database", f"历史库 {where} 是只读的，无法写入：请检查文件及所在文件夹的写权限"),
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
        return f"无法连接历史库 {where}：{first_line}"
    return f"访问历史库 {where} 时出错：{first_line}"


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
