"""Rubric v2: the penalty (减分项) counted and the penalty claims of each assessment.

Columns added, nullable: an assessment stored before has no penalties (read as 0). The
input rows of triggers and criteria (``2.4/1``) need no new column: they are item_results
rows with status 分项.

Revision ID: 0004_rubric_v2
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_rubric_v2"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Decimals stay exact: NUMERIC on PostgreSQL, the number's text on SQLite (see models.Exact).
EXACT = sa.String(64).with_variant(sa.Numeric(), "postgresql")


def upgrade() -> None:
    op.add_column("assessments", sa.Column("penalty", EXACT, nullable=True))
    op.add_column("assessments", sa.Column("penalty_claims", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("penalty_claims")
        batch.drop_column("penalty")
