"""Fixtures and builders shared by the store tests (imported by them; not a conftest).

``store_url`` runs each test on a fresh SQLite file and, when ``COMPLIANCE_TEST_PG_URL``
is set (``eval "$(.ci/postgres.sh start)"``), again on PostgreSQL in a schema of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from compliance.catalog import Catalog
from compliance.rubric import Check, Deduct, Levels, Manual, Quantity, ResolvedRubric
from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, ItemInput, Kind, ScoreCard, score
from compliance.store import Store
from compliance.units import Unit

DATA = Path(__file__).resolve().parent / "data"
PG_URL = os.environ.get("COMPLIANCE_TEST_PG_URL")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="COMPLIANCE_TEST_PG_URL is not set"),
        ],
    ),
]


def mini_rubric() -> ResolvedRubric:
    return Catalog(standard_dirs=[DATA], rubric_dirs=[DATA]).rubric("mini-2024-street")


def unit(code: str = "320602001", name: str = "文峰街道综合执法队", district: str = "崇川区") -> Unit:
    return Unit(code=code, name=name, type="街道综合执法队", city="南通市", district=district)


def _entry(item, rng: random.Random) -> ItemInput:
    """A plausible entry for any rule, including 不适用 now and then."""
    match item.rule:
        case _ if not item.veto and rng.random() < 0.05:
            return ItemInput(item.code, "不适用")
        case Check():
            return ItemInput(item.code, "符合" if item.veto else rng.choice(["符合", "基本符合", "不符合"]))
        case Levels(labels):
            return ItemInput(item.code, rng.choice(labels)[0], note="抽查记录")
        case Deduct():
            return ItemInput(item.code, count=Decimal(rng.randint(0, 3)))
        case Quantity(target):
            return ItemInput(
                item.code, measured=(target * Decimal(rng.randint(5, 12)) / 10).quantize(Decimal("0.1"))
            )
        case Manual():
            return ItemInput(item.code, score=(item.points * Decimal(rng.randint(0, 4)) / 4))
    raise AssertionError(item.rule)


def make(
    rubric: ResolvedRubric,
    unit_code: str = "320602001",
    round: str = "2019年第一轮",
    kind: Kind = Kind.AUDIT,
    *,
    seed: int = 0,
    date: dt.date | None = dt.date(2019, 6, 1),
    name: str = "文峰街道综合执法队",
    blank: tuple[str, ...] = (),
) -> tuple[Assessment, ScoreCard]:
    """An assessment with entries drawn from ``seed``, and its score card."""
    rng = random.Random(f"{unit_code}/{round}/{kind}/{seed}")
    items = tuple(_entry(item, rng) for item in rubric.items if item.code not in blank)
    bonus = tuple(BonusClaim(b.code, "有文件") for b in rubric.bonus_items if rng.random() < 0.5)
    meta = AssessmentMeta(unit(unit_code, name), rubric.id, kind, round, date, ("张三", "李四"))
    assessment = Assessment(meta, items, bonus, source=f"{unit_code}.xlsx")
    return assessment, score(rubric, assessment, allow_incomplete=bool(blank))


def put(store: Store, rubric: ResolvedRubric, assessment: Assessment, card, *, replace: bool = False):
    return store.import_assessment(
        rubric,
        assessment,
        card,
        source_name=assessment.source or "x.xlsx",
        source_sha256="0" * 64,
        replace=replace,
    )


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """A URL to an empty store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def store(store_url):
    with Store.open(store_url) as opened:
        yield opened
