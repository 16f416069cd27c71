"""escalation board: reports, alerts, next report window, people involved

Revision ID: 216ca7022edd
Revises: 6005cb55e5a5
Create Date: 2026-11-29 09:46:57.959375
"""

from collections.abc import Sequence
from datetime import UTC, timedelta

import sqlalchemy as sa
from alembic import op

# the default quick-report windows of config.py (minutes), for escalations raised before this
# revision: they owe their 初报 from when they were raised
_QUICK_MINUTES = {"general": 60, "larger": 30, "major": 15, "extraordinary": 15}


revision: str = "216ca7022edd"
down_revision: str | None = "6005cb55e5a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "escalation_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "raised",
                "report_due",
                "report_missed",
                name="alertkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["operators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalation_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_escalation_alerts_escalation", ["escalation_id", "id"], unique=False
        )
        batch_op.create_index("ix_escalation_alerts_open", ["acknowledged_at", "id"], unique=False)

    op.create_table(
        "escalation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("initial", "update", "final", name="reportkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "phone", "written", "platform", name="reportchannel", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum(
                "street_leader",
                "district_centre",
                "departments",
                name="reportlevel",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column(
            "due",
            sa.Enum(
                "initial_quick",
                "initial_written",
                "update",
                "final",
                name="reportdue",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalation_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_escalation_reports_escalation", ["escalation_id", "reported_at"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("people_involved", sa.Integer(), nullable=True))

    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "manual",
                    "intake",
                    "proposal",
                    "overdue",
                    name="escalationsource",
                    native_enum=False,
                    length=24,
                ),
                server_default="manual",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("raised_to_district", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "next_report_due",
                sa.Enum(
                    "initial_quick",
                    "initial_written",
                    "update",
                    "final",
                    name="reportdue",
                    native_enum=False,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("next_report_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("report_warn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("due_fired_for", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("missed_fired_for", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("missed_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_escalations_board", ["stage", "raised_at"], unique=False)
        batch_op.create_index(
            "ix_escalations_next_report", ["next_report_at", "missed_fired_for"], unique=False
        )
        batch_op.create_index(
            "ix_escalations_report_warn", ["report_warn_at", "due_fired_for"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_escalations_confirmed_by_id_operators", "operators", ["confirmed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_escalations_updated_by_id_operators", "operators", ["updated_by_id"], ["id"]
        )

    escalations = sa.table(
        "escalations",
        sa.column("id", sa.Integer),
        sa.column("severity", sa.String),
        sa.column("stage", sa.String),
        sa.column("raised_at", sa.DateTime(timezone=True)),
        sa.column("next_report_due", sa.String),
        sa.column("next_report_at", sa.DateTime(timezone=True)),
        sa.column("report_warn_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    open_rows = bind.execute(
        sa.select(escalations.c.id, escalations.c.severity, escalations.c.raised_at).where(
            escalations.c.stage.not_in(["final_reported", "withdrawn"])
        )
    ).all()
    for row in open_rows:
        raised_at = row.raised_at
        if raised_at.tzinfo is None:
            raised_at = raised_at.replace(tzinfo=UTC)
        due = raised_at + timedelta(minutes=_QUICK_MINUTES.get(row.severity, 60))
        bind.execute(
            escalations.update()
            .where(escalations.c.id == row.id)
            .values(
                next_report_due="initial_quick",
                next_report_at=due,
                report_warn_at=due - timedelta(minutes=5),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_escalations_updated_by_id_operators", type_="foreignkey")
        batch_op.drop_constraint("fk_escalations_confirmed_by_id_operators", type_="foreignkey")
        batch_op.drop_index("ix_escalations_report_warn")
        batch_op.drop_index("ix_escalations_next_report")
        batch_op.drop_index("ix_escalations_board")
        batch_op.drop_column("updated_by_id")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("version")
        batch_op.drop_column("missed_count")
        batch_op.drop_column("missed_fired_for")
        batch_op.drop_column("due_fired_for")
        batch_op.drop_column("report_warn_at")
        batch_op.drop_column("next_report_at")
        batch_op.drop_column("next_report_due")
        batch_op.drop_column("raised_to_district")
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("source")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("people_involved")

    with op.batch_alter_table("escalation_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_reports_escalation")

    op.drop_table("escalation_reports")
    with op.batch_alter_table("escalation_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_alerts_open")
        batch_op.drop_index("ix_escalation_alerts_escalation")

    op.drop_table("escalation_alerts")
