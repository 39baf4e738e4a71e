"""Accounts of the web app in the history store: users, the audit log, shared settings.

    accounts = Accounts(store)
    accounts.add("张三", Role.INSPECTOR, "a long password")
    user = accounts.check_password("张三", typed)          # None when wrong
    accounts.record(Action.LOGIN, "张三", ok=True, remote="10.0.0.7", detail="")

Passwords are kept as argon2id hashes (argon2-cffi, its default parameters); a hash made
with weaker parameters is replaced at the next successful login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from compliance.findings import ComplianceError
from compliance.store import connect
from compliance.store.models import AuditRow, SettingRow, UserRow
from compliance.store.store import Store

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_NAME = 64
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked against when the name is unknown, so a wrong name takes as long as a wrong
    password; made on first use, not when every command imports this module."""
    return _HASHER.hash(secrets.token_hex(16))


class Role(StrEnum):
    ADMIN = "管理员"
    INSPECTOR = "考评人员"
    SQUAD = "中队"


class Action(StrEnum):
    LOGIN = "登录"
    LOGIN_REFUSED = "登录受限"  # throttled: not checked, not counted as a failure
    LOGOUT = "退出"
    UPLOAD = "上传"
    ACCOUNT = "账号管理"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    unit_code: str | None
    active: bool
    created_at: dt.datetime
    stamp: str  # changes with the password: a session made before a reset is no longer valid

    @property
    def is_staff(self) -> bool:
        """The bureau's people, who see every unit."""
        return self.role in (Role.ADMIN, Role.INSPECTOR)


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    username: str
    action: str
    ok: bool
    remote: str | None
    detail: str


def clean_name(name: str) -> str:
    """An account name as stored: NFKC, trimmed; refused when empty, too long or odd."""
    text = unicodedata.normalize("NFKC", name).strip()
    if not text:
        raise ComplianceError("账号名不能为空")
    if len(text) > MAX_NAME:
        raise ComplianceError(f"账号名过长：{len(text)} 个字符，至多 {MAX_NAME} 个")
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in text) or "  " in text:
        raise ComplianceError(f"账号名“{text}”含有空白或控制字符：只允许文字、字母、数字和标点")
    return text


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ComplianceError(f"密码过短：{len(password)} 个字符，至少 {MIN_PASSWORD} 个")
    if len(password) > MAX_PASSWORD:
        raise ComplianceError(f"密码过长：至多 {MAX_PASSWORD} 个字符")


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row: UserRow) -> User:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return User(row.name, Role(row.role), row.unit_code, row.active, created, _stamp(row.password_hash))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Accounts:
    """The account tables of an open :class:`Store` (same database, same connections)."""

    def __init__(self, store: Store):
        self.where = store.where
        self._engine = store._engine  # same package: the store's own engine and pool
        self._writer = store._engine.execution_options(**{connect.WRITE: True})

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except IntegrityError:
            raise  # the caller knows what a clash means here
        except DBAPIError as exc:
            raise ComplianceError(connect.explain(exc, self.where)) from exc

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with connect.translated(self.where), Session(self._engine) as session:
            yield session

    # --- users ------------------------------------------------------------------------------

    def add(self, name: str, role: Role | str, password: str, *, unit_code: str | None = None) -> User:
        """A new, active account; refused when the name is taken or the unit binding is wrong."""
        name, role = clean_name(name), Role(role)
        if role is Role.SQUAD and not unit_code:
            raise ComplianceError("中队账号必须指定所属单位编码（--unit）")
        if role is not Role.SQUAD and unit_code:
            raise ComplianceError(f"只有中队账号绑定单位；{role}账号不能指定单位编码")
        check_new_password(password)
        row = UserRow(
            name=name,
            role=str(role),
            unit_code=unit_code.strip() if unit_code else None,
            password_hash=_HASHER.hash(password),
            active=True,
            created_at=_now(),
        )
        try:
            with self._writing() as session:
                if session.get(UserRow, name) is not None:
                    raise ComplianceError(f"账号“{name}”已存在")
                session.add(row)
        except IntegrityError:
            raise ComplianceError(f"账号“{name}”已存在") from None
        return _user(row)

    def get(self, name: str) -> User | None:
        with self._reading() as session:
            row = session.get(UserRow, name)
            return _user(row) if row else None

    def all(self) -> list[User]:
        with self._reading() as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.role, UserRow.name))]

    def count(self, role: Role | None = None) -> int:
        query = select(func.count()).select_from(UserRow)
        if role is not None:
            query = query.where(UserRow.role == str(role), UserRow.active.is_(True))
        with self._reading() as session:
            return session.scalar(query) or 0

    def check_password(self, name: str, password: str) -> User | None:
        """The active user whose password this is, or None (unknown, disabled or wrong)."""
        with self._reading() as session:
            row = session.get(UserRow, name)
            stored = row.password_hash if row is not None else _dummy_hash()
            try:
                _HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None or not row.active:
                return None
            user = _user(row)
        if _HASHER.check_needs_rehash(stored):
            with self._writing() as session:
                fresh = session.get(UserRow, name)
                if fresh is not None and fresh.password_hash == stored:
                    fresh.password_hash = _HASHER.hash(password)
            return self.get(name)
        return user

    def set_password(self, name: str, password: str) -> User:
        check_new_password(password)
        with self._writing() as session:
            row = self._existing(session, name)
            row.password_hash = _HASHER.hash(password)
        return _user(row)

    def set_active(self, name: str, active: bool) -> User:
        with self._writing() as session:
            row = self._existing(session, name)
            row.active = active
        return _user(row)

    @staticmethod
    def _existing(session: Session, name: str) -> UserRow:
        row = session.get(UserRow, name)
        if row is None:
            raise ComplianceError(f"没有账号“{name}”")
        return row

    # --- the audit log ------------------------------------------------------------------------

    def record(self, action: Action, username: str, *, ok: bool, detail: str = "", remote: str | None = None):
        with self._writing() as session:
            session.add(
                AuditRow(
                    at=_now(),
                    username=username[:MAX_NAME],
                    action=str(action),
                    ok=ok,
                    remote=(remote or None) and remote[:64],
                    detail=detail,
                )
            )

    def failures(self, username: str, remote: str | None, *, within: dt.timedelta) -> tuple[int, int]:
        """Failed logins in the last ``within``: of this name since its last success, and
        from this address."""
        since = _now() - within
        failed = (AuditRow.action == str(Action.LOGIN), AuditRow.ok.is_(False), AuditRow.at >= since)
        with self._reading() as session:
            last_ok = session.scalar(
                select(func.max(AuditRow.at)).where(
                    AuditRow.username == username, AuditRow.action == str(Action.LOGIN), AuditRow.ok.is_(True)
                )
            )
            by_name = select(func.count()).where(*failed, AuditRow.username == username)
            if last_ok is not None:
                by_name = by_name.where(AuditRow.at > last_ok)
            by_remote = (
                session.scalar(select(func.count()).where(*failed, AuditRow.remote == remote))
                if remote
                else 0
            )
            return session.scalar(by_name) or 0, by_remote or 0

    def events(self, limit: int = 200, *, action: Action | None = None) -> list[Event]:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if action is not None:
            query = query.where(AuditRow.action == str(action))
        with self._reading() as session:
            return [
                Event(
                    r.at if r.at.tzinfo else r.at.replace(tzinfo=dt.UTC),
                    r.username,
                    r.action,
                    r.ok,
                    r.remote,
                    r.detail,
                )
                for r in session.scalars(query)
            ]

    # --- shared settings ----------------------------------------------------------------------

    def setting(self, name: str, default: str) -> str:
        """The stored value of ``name``; the first caller stores ``default`` (others then read it)."""
        with self._reading() as session:
            row = session.get(SettingRow, name)
            if row is not None:
                return row.value
        try:
            with self._writing() as session:
                if session.get(SettingRow, name) is None:
                    session.add(SettingRow(name=name, value=default))
        except IntegrityError:
            pass  # another worker stored it first
        with self._reading() as session:
            return session.get(SettingRow, name).value


def new_secret() -> str:
    return secrets.token_urlsafe(48)
