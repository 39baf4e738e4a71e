"""Rounds stored by their canonical label (SPEC §2.5): 2021年下半年 → 2021H2.

Before rounds were checked, a round was stored as typed. Every label that is one of the
accepted spellings becomes its canonical label, and the digest of each renamed assessment
is computed again (the round is part of it), so importing the same workbook again is still
recognised as the same. A label that names no round (``2024-1``) is kept as it is: the
store keeps serving it under that exact text. Two current assessments of one unit and
kind that turn out to be the same round (``2021H2`` and ``2021年下半年``) cannot be merged
by a program: the upgrade is refused, naming them, and the store is left unchanged.

Revision ID: 0003
Revises: 0002_accounts
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from compliance.rounds import try_parse

    bind = op.get_bind()
    labels = [label for (label,) in bind.execute(sa.text("SELECT DISTINCT round FROM assessments"))]
    renames = {}
    for label in labels:
        parsed = try_parse(label)
        if parsed is not None and parsed.label != label:
            renames[label] = parsed.label
    if not renames:
        return
    _refuse_clashes(bind, renames)
    rows = bind.execute(
        sa.text("SELECT id, round FROM assessments WHERE round IN :labels").bindparams(
            sa.bindparam("labels", expanding=True)
        ),
        {"labels": list(renames)},
    ).all()
    for id_, label in rows:
        bind.execute(
            sa.text("UPDATE assessments SET round = :round, digest = :digest WHERE id = :id"),
            {"round": renames[label], "digest": _digest(bind, id_, renames[label]), "id": id_},
        )


def _refuse_clashes(bind: sa.Connection, renames: dict[str, str]) -> None:
    from compliance.findings import ComplianceError
    from compliance.rounds import chinese

    seen: dict[tuple[str, str, str], tuple[str, str]] = {}
    clashes = []
    current = sa.text(
        "SELECT unit_code, round, kind, source_name FROM assessments WHERE NOT superseded ORDER BY id"
    )
    for unit_code, label, kind, source in bind.execute(current):
        key = (unit_code, renames.get(label, label), kind)
        if key in seen:
            (first, first_source) = seen[key]
            clashes.append(
                f"单位 {unit_code} 的{kind}“{first}”（{first_source}）与“{label}”（{source}）"
                f"同为 {chinese(key[1])}"
            )
        else:
            seen[key] = (label, source)
    if clashes:
        raise ComplianceError(
            "评估轮次改为统一写法（SPEC §2.5）时，以下评估成了同一轮次的两份当前记录，程序无法替您取舍："
            + "；".join(clashes)
            + "。历史库未作任何改动；请新建历史库，只导入每个单位每轮应保留的那份检查表。"
        )


def _digest(bind: sa.Connection, id_: int, round_: str) -> str:
    """codec.digest of the stored assessment ``id_`` under its new round label."""
    from compliance.scoring import Assessment, AssessmentMeta, BonusClaim, ItemInput, Kind
    from compliance.store.codec import digest
    from compliance.units import Unit

    row = bind.execute(
        sa.text(
            "SELECT a.kind, a.date, a.inspectors, a.rubric_id, a.rubric_hash,"
            " u.code, u.name, u.type, u.city, u.district"
            " FROM assessments a JOIN units u ON u.code = a.unit_code WHERE a.id = :id"
        ),
        {"id": id_},
    ).one()
    kind, date, inspectors, rubric_id, rubric_hash, *unit = row
    unit = Unit(**dict(zip(("code", "name", "type", "city", "district"), unit, strict=True)))
    items = bind.execute(
        sa.text(
            "SELECT code, result, count, measured, score_input, note, evidence FROM item_results"
            " WHERE assessment_id = :id AND has_input ORDER BY position"
        ),
        {"id": id_},
    ).all()
    bonus = bind.execute(
        sa.text("SELECT code, note FROM bonus_claims WHERE assessment_id = :id ORDER BY position"),
        {"id": id_},
    ).all()
    meta = AssessmentMeta(
        unit=unit,
        rubric=rubric_id,
        kind=Kind(kind),
        round=round_,
        date=_date(date),
        inspectors=tuple(_json_list(inspectors)),
    )
    assessment = Assessment(
        meta,
        tuple(
            ItemInput(
                code=code,
                result=result,
                count=_exact(count),
                measured=_exact(measured),
                score=_exact(score),
                note=note,
                evidence=evidence,
            )
            for code, result, count, measured, score, note, evidence in items
        ),
        tuple(BonusClaim(code=code, note=note) for code, note in bonus),
    )
    return digest(SimpleNamespace(content_hash=rubric_hash), assessment)


def _exact(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: object):
    import datetime as dt

    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _json_list(value: object) -> list:
    import json

    if isinstance(value, str):
        return json.loads(value)
    return list(value or ())


def downgrade() -> None:
    """Canonical labels are accepted spellings too: nothing to undo."""
