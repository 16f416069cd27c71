"""index for the case order over every state

Revision ID: 7b1938776660
Revises: 7d3392607f87
Create Date: 2026-11-29 04:52:17.717861
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7b1938776660"
down_revision: str | None = "7d3392607f87"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_order", ["priority", "reported_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_order")
