"""hand-entered calendar days

Revision ID: fefbb21f76f8
Revises: 7b1938776660
Create Date: 2026-11-29 05:14:00.596552
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "fefbb21f76f8"
down_revision: str | None = "7b1938776660"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("workday", "holiday", name="daykind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("calendar_days")
