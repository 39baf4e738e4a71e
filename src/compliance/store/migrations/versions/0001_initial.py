"""The first schema: units, rubric versions, assessments, item results, bonus claims.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("NOT superseded")
# Decimals stay exact: NUMERIC on PostgreSQL, the number's text on SQLite (see models.Exact).
EXACT = sa.String(64).with_variant(sa.Numeric(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_units")),
    )
    op.create_table(
        "rubric_versions",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("rubric_id", sa.String(64), nullable=False),
        sa.Column("standard_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("first_imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_rubric_versions")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("round", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("rubric_id", sa.String(64), nullable=False),
        sa.Column("rubric_hash", sa.String(64), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        *(
            sa.Column(name, EXACT, nullable=False)
            for name in ("earned", "possible", "rate", "score", "bonus", "final")
        ),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("grade", sa.Text(), nullable=False),
        sa.Column("not_inspected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rubric_hash"], ["rubric_versions.hash"], name=op.f("fk_assessments_rubric_hash_rubric_versions")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["assessments.id"], name=op.f("fk_assessments_superseded_by_assessments")
        ),
        sa.ForeignKeyConstraint(["unit_code"], ["units.code"], name=op.f("fk_assessments_unit_code_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_round", "assessments", ["round"])
    op.create_index(
        "uq_assessments_current",
        "assessments",
        ["unit_code", "round", "kind"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_table(
        "item_results",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("has_input", sa.Boolean(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        *(sa.Column(name, EXACT, nullable=True) for name in ("count", "measured", "score_input")),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("earned", EXACT, nullable=False),
        sa.Column("possible", EXACT, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_item_results_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "code", name=op.f("pk_item_results")),
    )
    op.create_table(
        "bonus_claims",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_bonus_claims_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "code", name=op.f("pk_bonus_claims")),
    )


def downgrade() -> None:
    op.drop_table("bonus_claims")
    op.drop_table("item_results")
    op.drop_index("uq_assessments_current", table_name="assessments")
    op.drop_index("ix_assessments_round", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("rubric_versions")
    op.drop_table("units")
