"""initial schema

Revision ID: 7d3392607f87
Revises:
Create Date: 2026-11-29 04:22:13.718511
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d3392607f87"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_code_counters",
        sa.Column("prefix", sa.String(length=6), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day"),
    )
    op.create_table(
        "database_info",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "government", "utility", "unit", name="departmentkind", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column("duty_phone", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "grid_workers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "grid_head",
                "full_time",
                "part_time",
                name="workerrole",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("part_time_category", sa.String(length=32), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active", "on_leave", "left", name="workerstatus", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("grid_workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_workers_name"), ["name"], unique=False)

    op.create_table(
        "case_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("family", sa.Integer(), nullable=False),
        sa.Column("resolvable_in_grid", sa.Boolean(), nullable=False),
        sa.Column("default_department_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["default_department_id"],
            ["departments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=40), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "dispatcher",
                "shift_lead",
                "liaison",
                "admin",
                "auditor",
                name="role",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "streets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("case_prefix", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_prefix"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("streets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_streets_district_id"), ["district_id"], unique=False)

    op.create_table(
        "category_time_limits",
        sa.Column("category_id", sa.Integer(), nullable=False),
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
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "working_hours",
                "working_days",
                "calendar_hours",
                name="timeunit",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["case_categories.id"],
        ),
        sa.PrimaryKeyConstraint("category_id", "step", "priority"),
    )
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["streets.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communities_street_id"), ["street_id"], unique=False)

    op.create_table(
        "grids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("comprehensive", "dedicated", name="gridkind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("unit_name", sa.String(length=128), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("area_description", sa.String(length=500), nullable=False),
        sa.Column("head_worker_id", sa.Integer(), nullable=True),
        sa.Column("resolves_in_grid", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["head_worker_id"],
            ["grid_workers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grids_community_id"), ["community_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "grid_worker",
                "phone",
                "visit",
                "hotline",
                "platform",
                "department",
                "patrol",
                name="casesource",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "reported",
                "registered",
                "dispatched",
                "in_progress",
                "feedback_given",
                "closed",
                "followed_up",
                "rejected",
                "returned",
                "reopened",
                "suspended",
                name="casestate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("reporter_name", sa.String(length=40), nullable=False),
        sa.Column("reporter_phone", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "reject_reason",
            sa.Enum(
                "duplicate",
                "out_of_scope",
                "malicious",
                "insufficient_info",
                name="rejectreason",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("urge_count", sa.Integer(), nullable=False),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.String(length=16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["case_categories.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["operators.id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.id"],
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["street_id"],
            ["streets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            "ix_cases_duplicates", ["grid_id", "category_id", "reported_at"], unique=False
        )
        batch_op.create_index("ix_cases_external", ["source", "external_id"], unique=False)
        batch_op.create_index(
            "ix_cases_queue", ["state", "priority", "reported_at", "id"], unique=False
        )

    op.create_table(
        "grid_worker_grids",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["grid_workers.id"],
        ),
        sa.PrimaryKeyConstraint("worker_id", "grid_id"),
    )
    with op.batch_alter_table("grid_worker_grids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_worker_grids_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column(
            "action",
            sa.Enum(
                "report",
                "accept",
                "reject",
                "merge",
                "resolve_in_grid",
                "dispatch",
                "sign",
                "return",
                "redispatch",
                "suspend",
                "resume",
                "feedback",
                "verify_pass",
                "verify_fail",
                "close",
                "follow_up",
                "set_priority",
                "urge",
                "supervise",
                "absorb_duplicate",
                name="action",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_state",
            sa.Enum(
                "reported",
                "registered",
                "dispatched",
                "in_progress",
                "feedback_given",
                "closed",
                "followed_up",
                "rejected",
                "returned",
                "reopened",
                "suspended",
                name="casestate",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "reported",
                "registered",
                "dispatched",
                "in_progress",
                "feedback_given",
                "closed",
                "followed_up",
                "rejected",
                "returned",
                "reopened",
                "suspended",
                name="casestate",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case", ["case_id", "id"], unique=False)

    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("lead", "assist", name="dispatchrole", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_by_id", sa.Integer(), nullable=True),
        sa.Column("sign_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handle_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dispatched_by_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "department_id", "dispatched_at"),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispatches_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dispatches_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "major_dispute",
                "major_hazard",
                "mass_incident",
                "emergency",
                "other_major",
                name="escalationkind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "general",
                "larger",
                "major",
                "extraordinary",
                name="severity",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "stage",
            sa.Enum(
                "pending",
                "reported_street",
                "reported_district",
                "handling",
                "final_reported",
                "withdrawn",
                name="escalationstage",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["operators.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalations_stage"), ["stage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_stage"))
        batch_op.drop_index(batch_op.f("ix_escalations_case_id"))

    op.drop_table("escalations")
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatches_department_id"))
        batch_op.drop_index(batch_op.f("ix_dispatches_case_id"))

    op.drop_table("dispatches")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_case")

    op.drop_table("case_events")
    with op.batch_alter_table("grid_worker_grids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_worker_grids_grid_id"))

    op.drop_table("grid_worker_grids")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_queue")
        batch_op.drop_index("ix_cases_external")
        batch_op.drop_index("ix_cases_duplicates")
        batch_op.drop_index(batch_op.f("ix_cases_due_at"))
        batch_op.drop_index(batch_op.f("ix_cases_community_id"))
        batch_op.drop_index(batch_op.f("ix_cases_category_id"))

    op.drop_table("cases")
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grids_community_id"))

    op.drop_table("grids")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communities_street_id"))

    op.drop_table("communities")
    op.drop_table("category_time_limits")
    with op.batch_alter_table("streets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_streets_district_id"))

    op.drop_table("streets")
    op.drop_table("operators")
    op.drop_table("case_categories")
    with op.batch_alter_table("grid_workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_workers_name"))

    op.drop_table("grid_workers")
    op.drop_table("districts")
    op.drop_table("departments")
    op.drop_table("database_info")
    op.drop_table("case_code_counters")
