"""suspended allowance and the original deadline of an extended step

Revision ID: cacb94cce535
Revises: 9edb051a378c
Create Date: 2026-11-29 06:01:46.406395
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cacb94cce535"
down_revision: str | None = "9edb051a378c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_remaining_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("suspended_warn_remaining_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("suspended_working_time", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("resume_planned_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("original_due_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("original_due_at")
        batch_op.drop_column("resume_planned_on")
        batch_op.drop_column("suspended_working_time")
        batch_op.drop_column("suspended_warn_remaining_s")
        batch_op.drop_column("suspended_remaining_s")
