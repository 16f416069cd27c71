"""the department each event judges, written with the event (statistics)

Issue 9. ``case_events.department_id``: the department an event is counted against in the
statistics, the one its detail names or else the case's latest lead dispatch made at or before
it (store/event_departments.py). A month's department ranking read it per event through a
correlated lookup, most of the table's time at scale. Rows already there are filled by one
UPDATE that computes what the lookup did; the (action, at) index gains the column, so a
department's event counts come from the index alone.

Revision ID: 04cde464410a
Revises: e6dc66580253
Create Date: 2026-11-29 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "04cde464410a"
down_revision: str | None = "e6dc66580253"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the lead dispatch latest by id (a case's dispatches are numbered as they are made) made at or
# before the event; on SQLite the planner takes ix_dispatches_case_id for it
_LATEST_LEAD = """(SELECT chosen.department_id FROM dispatches AS chosen
    WHERE chosen.id = (SELECT max(held.id) FROM dispatches AS held
        WHERE held.case_id = case_events.case_id AND held.role = 'lead'
        AND held.dispatched_at <= case_events.at))"""
_NAMED = {
    "postgresql": "(case_events.detail ->> 'department_id')::integer",
    "sqlite": "CAST(json_extract(case_events.detail, '$.department_id') AS INTEGER)",
}


def upgrade() -> None:
    # no foreign key: a derived copy, and one would make SQLite copy the whole table
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
    named = _NAMED[op.get_bind().dialect.name]
    op.execute(f"UPDATE case_events SET department_id = coalesce({named}, {_LATEST_LEAD})")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_action_at")
        batch_op.create_index(
            "ix_case_events_action_at", ["action", "at", "department_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_action_at")
        batch_op.create_index("ix_case_events_action_at", ["action", "at"], unique=False)
        batch_op.drop_column("department_id")
