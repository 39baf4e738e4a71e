"""The tables of the history store (SQLAlchemy 2 typed declarative).

Every score is exact: ``Exact`` columns are NUMERIC on PostgreSQL and the Decimal's text
on SQLite (whose NUMERIC goes through float). Changing a table here needs a migration in
``migrations/versions``; ``tests/test_store_migrations.py`` fails until they agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

# Named constraints, so a later migration can drop or alter them by name on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Exact(TypeDecorator[Decimal]):
    """A Decimal that never passes through float."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return str(value)

    def process_result_value(self, value, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UnitRow(Base):
    """A squad as its latest imported workbook describes it."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(Text)


class RubricVersionRow(Base):
    """A standard + rubric exactly as they were when an assessment was first scored with them."""

    __tablename__ = "rubric_versions"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    rubric_id: Mapped[str] = mapped_column(String(64))
    standard_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[str] = mapped_column(Text)  # JSON: {"standard": {...}, "rubric": {...}}
    first_imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# "Current" means not superseded: at most one per unit, round and kind.
_CURRENT = text("NOT superseded")


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        Index(
            "uq_assessments_current",
            "unit_code",
            "round",
            "kind",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
        Index("ix_assessments_round", "round"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    round: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    date: Mapped[dt.date | None] = mapped_column(Date)
    inspectors: Mapped[list[str]] = mapped_column(JSON)
    rubric_id: Mapped[str] = mapped_column(String(64))
    rubric_hash: Mapped[str] = mapped_column(ForeignKey("rubric_versions.hash"))
    source_name: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))  # of the inputs: same digest, same assessment
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    # The totals as computed at import; reading back recomputes and checks them.
    earned: Mapped[Decimal] = mapped_column(Exact)
    possible: Mapped[Decimal] = mapped_column(Exact)
    rate: Mapped[Decimal] = mapped_column(Exact)
    score: Mapped[Decimal] = mapped_column(Exact)
    bonus: Mapped[Decimal] = mapped_column(Exact)
    final: Mapped[Decimal] = mapped_column(Exact)
    veto: Mapped[bool] = mapped_column(Boolean)
    passed: Mapped[bool] = mapped_column(Boolean)  # False also when the rubric has no pass line
    grade: Mapped[str] = mapped_column(Text)  # "" when the rubric has no grades
    not_inspected: Mapped[int] = mapped_column(Integer)
    # 减分项 (rubric v2): the penalty counted, and the claims as entered, [[code, count, note], …]
    # (count as the Decimal's text); NULL for assessments without penalties.
    penalty: Mapped[Decimal | None] = mapped_column(Exact)
    penalty_claims: Mapped[list | None] = mapped_column(JSON)

    items: Mapped[list[ItemResultRow]] = relationship(
        order_by="ItemResultRow.position", cascade="all, delete-orphan", passive_deletes=True
    )
    bonus_claims: Mapped[list[BonusClaimRow]] = relationship(
        order_by="BonusClaimRow.position", cascade="all, delete-orphan", passive_deletes=True
    )


class ItemResultRow(Base):
    """One scored item: what the inspector entered, and what it earned at import."""

    __tablename__ = "item_results"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    has_input: Mapped[bool] = mapped_column(Boolean)  # False: the item had no row in the workbook
    result: Mapped[str | None] = mapped_column(Text)
    count: Mapped[Decimal | None] = mapped_column(Exact)
    measured: Mapped[Decimal | None] = mapped_column(Exact)
    score_input: Mapped[Decimal | None] = mapped_column(Exact)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    earned: Mapped[Decimal] = mapped_column(Exact)
    possible: Mapped[Decimal] = mapped_column(Exact)
    status: Mapped[str] = mapped_column(String(10))


class BonusClaimRow(Base):
    __tablename__ = "bonus_claims"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


# --- accounts of the web app (``compliance serve``): see ``store/accounts.py`` -----------------


class UserRow(Base):
    """A person who logs in to the web app; ``unit_code`` binds a 中队 account to its squad."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who did what, when: every login (and failed attempt) and every upload."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_username_at", "username", "at"), Index("ix_audit_log_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    username: Mapped[str] = mapped_column(String(64))  # as typed, also for an unknown name
    action: Mapped[str] = mapped_column(String(20))
    ok: Mapped[bool] = mapped_column(Boolean)
    remote: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)


class SettingRow(Base):
    """Values every worker of the web app shares, such as the session-signing key."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
