"""dispatch requests and routing

Revision ID: 6005cb55e5a5
Revises: cacb94cce535
Create Date: 2026-11-29 06:53:51.242461
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6005cb55e5a5"
down_revision: str | None = "cacb94cce535"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# follow-up answers were stored as their Chinese labels before they became an enum
_SATISFACTION = {"满意": "satisfied", "基本满意": "basically", "不满意": "unsatisfied"}


def upgrade() -> None:
    cases = sa.table("cases", sa.column("satisfaction", sa.String))
    for label, value in _SATISFACTION.items():
        op.execute(cases.update().where(cases.c.satisfaction == label).values(satisfaction=value))
    op.create_table(
        "department_categories",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["case_categories.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.PrimaryKeyConstraint("department_id", "category_id"),
    )
    with op.batch_alter_table("department_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_department_categories_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["case_categories.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category_id", "community_id", "grid_id"),
    )
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routing_rules_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "case_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "return",
                "extension",
                "suspension",
                name="requestkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                "withdrawn",
                name="requeststatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("new_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resume_planned_on", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["operators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_case_requests_pending", ["status", "requested_at"], unique=False)

    with op.batch_alter_table("case_categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_matter_list", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "administrative_power",
                sa.Enum(
                    "licensing",
                    "penalty",
                    "coercion",
                    name="administrativepower",
                    native_enum=False,
                    length=24,
                ),
                nullable=True,
            )
        )

    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dispatches_department_active",
            ["department_id", "active", "dispatched_at"],
            unique=False,
        )


def downgrade() -> None:
    cases = sa.table("cases", sa.column("satisfaction", sa.String))
    for label, value in _SATISFACTION.items():
        op.execute(cases.update().where(cases.c.satisfaction == value).values(satisfaction=label))
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index("ix_dispatches_department_active")

    with op.batch_alter_table("case_categories", schema=None) as batch_op:
        batch_op.drop_column("administrative_power")
        batch_op.drop_column("on_matter_list")

    with op.batch_alter_table("case_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_case_requests_pending")
        batch_op.drop_index(batch_op.f("ix_case_requests_case_id"))

    op.drop_table("case_requests")
    with op.batch_alter_table("routing_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_rules_category_id"))

    op.drop_table("routing_rules")
    with op.batch_alter_table("department_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_categories_category_id"))

    op.drop_table("department_categories")
