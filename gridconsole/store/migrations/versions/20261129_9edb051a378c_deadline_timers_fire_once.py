"""deadline timers fire once

Revision ID: 9edb051a378c
Revises: a605b8158b39
Create Date: 2026-11-29 05:34:14.986868
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9edb051a378c"
down_revision: str | None = "a605b8158b39"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("warning_fired_for", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("breach_fired_for", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("ladder_rung", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("ladder_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_cases_due_timer", ["due_at", "breach_fired_for"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_ladder_next_at"), ["ladder_next_at"], unique=False
        )
        batch_op.create_index(
            "ix_cases_warn_timer", ["warn_at", "warning_fired_for", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_warn_timer")
        batch_op.drop_index(batch_op.f("ix_cases_ladder_next_at"))
        batch_op.drop_index("ix_cases_due_timer")
        batch_op.drop_column("ladder_next_at")
        batch_op.drop_column("ladder_rung")
        batch_op.drop_column("breach_fired_for")
        batch_op.drop_column("warning_fired_for")
