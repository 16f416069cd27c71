"""statistics: the scored deadline and handling time of a dispatch; indexes for period aggregates

Hand-written (issue 7). Dispatches get the handling deadline they are scored against (set at
dispatch, moved by suspensions, never by extensions: filled here from the deadline set at
dispatch), the working seconds the case stood suspended under them and the working seconds from
dispatch to feedback (set by the services from now on; rows fed back before this revision have
none and are left out of the handling-time medians). Indexes let the statistics aggregate one
period: lead dispatches made / fed back / falling due, cases reported, events of an action.

Revision ID: 5e7a31c0b2d4
Revises: c5a3e1f0b7d2
Create Date: 2026-11-29 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e7a31c0b2d4"
down_revision: str | None = "c5a3e1f0b7d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scored_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("suspended_working_s", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("handling_working_s", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_dispatches_role_dispatched", ["role", "dispatched_at"], unique=False
        )
        batch_op.create_index("ix_dispatches_role_feedback", ["role", "feedback_at"], unique=False)
        batch_op.create_index(
            "ix_dispatches_role_scored_due", ["role", "scored_due_at"], unique=False
        )
    op.execute("UPDATE dispatches SET scored_due_at = handle_due_at WHERE scored_due_at IS NULL")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_reported", ["reported_at"], unique=False)

    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_action_at", ["action", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_action_at")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_reported")

    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatches_role_scored_due")
        batch_op.drop_index("ix_dispatches_role_feedback")
        batch_op.drop_index("ix_dispatches_role_dispatched")
        batch_op.drop_column("handling_working_s")
        batch_op.drop_column("suspended_working_s")
        batch_op.drop_column("scored_due_at")
