"""the running step of a case and whether its deadline is provisional

Revision ID: a605b8158b39
Revises: fefbb21f76f8
Create Date: 2026-11-29 05:21:15.918501
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a605b8158b39"
down_revision: str | None = "fefbb21f76f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "step",
                sa.Enum(
                    "accept",
                    "dispatch",
                    "sign",
                    "handle",
                    "verify",
                    "follow_up",
                    name="deadlinestep",
                    native_enum=False,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("step_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "deadline_provisional", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("deadline_provisional")
        batch_op.drop_column("step_started_at")
        batch_op.drop_column("step")
