"""roster: pinyin search keys, on duty, versions; eligibility declarations, complaints, grid changes

Hand-written (issue 6). Communities, grids and workers get their names' pinyin keys (filled here
for existing rows), grids and workers a version for compare-and-set edits and who changed them
last; workers the day they are on duty; grids units and staff (专属). New tables: the workers'
Art. 14 declarations, complaints against workers (Art. 19) and the grid changes filed with the
city (Art. 7). An index on cases finds a worker's own reports.

Revision ID: 1b54e90fc9ea
Revises: 216ca7022edd
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "1b54e90fc9ea"
down_revision: str | None = "216ca7022edd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("name_pinyin", sa.String(length=200), server_default="", nullable=False),
        sa.Column("name_initials", sa.String(length=100), server_default="", nullable=False),
    ]


def _edit_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("communities", schema=None) as batch_op:
        for column in _key_columns():
            batch_op.add_column(column)

    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("staff", sa.Integer(), nullable=True))
        for column in [*_key_columns(), *_edit_columns()]:
            batch_op.add_column(column)
        batch_op.create_foreign_key(
            "fk_grids_updated_by_id_operators", "operators", ["updated_by_id"], ["id"]
        )
        batch_op.create_index("ix_grids_initials", ["name_initials"], unique=False)
        batch_op.create_index("ix_grids_pinyin", ["name_pinyin", "id"], unique=False)

    with op.batch_alter_table("grid_workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_duty_on", sa.Date(), nullable=True))
        for column in [*_key_columns(), *_edit_columns()]:
            batch_op.add_column(column)
        batch_op.create_foreign_key(
            "fk_grid_workers_updated_by_id_operators", "operators", ["updated_by_id"], ["id"]
        )
        batch_op.create_index("ix_grid_workers_pinyin", ["name_pinyin", "id"], unique=False)
        batch_op.create_index("ix_grid_workers_initials", ["name_initials"], unique=False)
        batch_op.create_index("ix_grid_workers_id_number", ["id_number"], unique=False)
        batch_op.create_index("ix_grid_workers_mobile", ["mobile"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_reporter", ["reporter_phone", "reported_at"], unique=False)

    op.create_table(
        "worker_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("citizen", sa.Boolean(), nullable=True),
        sa.Column("criminal", sa.Boolean(), nullable=True),
        sa.Column("detention", sa.Boolean(), nullable=True),
        sa.Column("dismissal", sa.Boolean(), nullable=True),
        sa.Column("dishonesty", sa.Boolean(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["operators.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["grid_workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_worker_declarations_worker", "worker_declarations", ["worker_id", "id"], unique=False
    )

    op.create_table(
        "worker_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "phone",
                "hotline",
                "visit",
                "letter",
                "platform",
                name="complaintsource",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("complainant", sa.String(length=40), nullable=False),
        sa.Column("complainant_phone", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "substantiated",
                "partly",
                "unsubstantiated",
                name="complaintoutcome",
                native_enum=False,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("handling_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["handled_by_id"], ["operators.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["operators.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["grid_workers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_worker_complaints_worker",
        "worker_complaints",
        ["worker_id", "received_at"],
        unique=False,
    )
    op.create_index(
        "ix_worker_complaints_open",
        "worker_complaints",
        ["handled_at", "received_at"],
        unique=False,
    )

    op.create_table(
        "grid_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "created",
                "code",
                "boundary",
                "renamed",
                name="gridchangekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_id"], ["operators.id"]),
        sa.ForeignKeyConstraint(["grid_id"], ["grids.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_grid_changes_at", "grid_changes", ["changed_at", "id"], unique=False)
    op.create_index("ix_grid_changes_grid_id", "grid_changes", ["grid_id"], unique=False)

    _fill_search_keys()


def _fill_search_keys() -> None:
    """The pinyin keys of the names already stored (the service keeps them from now on)."""
    from gridconsole.domain.pinyin_keys import search_keys

    connection = op.get_bind()
    for table in ("communities", "grids", "grid_workers"):
        rows = connection.execute(sa.text(f"SELECT id, name FROM {table}")).all()
        updates = []
        for ident, name in rows:
            keys = search_keys(name or "")
            updates.append({"ident": ident, "pinyin": keys.pinyin, "initials": keys.initials})
        if updates:
            connection.execute(
                sa.text(
                    f"UPDATE {table} SET name_pinyin = :pinyin, name_initials = :initials "
                    "WHERE id = :ident"
                ),
                updates,
            )


def downgrade() -> None:
    op.drop_index("ix_grid_changes_grid_id", table_name="grid_changes")
    op.drop_index("ix_grid_changes_at", table_name="grid_changes")
    op.drop_table("grid_changes")
    op.drop_index("ix_worker_complaints_open", table_name="worker_complaints")
    op.drop_index("ix_worker_complaints_worker", table_name="worker_complaints")
    op.drop_table("worker_complaints")
    op.drop_index("ix_worker_declarations_worker", table_name="worker_declarations")
    op.drop_table("worker_declarations")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_reporter")

    with op.batch_alter_table("grid_workers", schema=None) as batch_op:
        batch_op.drop_index("ix_grid_workers_mobile")
        batch_op.drop_index("ix_grid_workers_id_number")
        batch_op.drop_index("ix_grid_workers_initials")
        batch_op.drop_index("ix_grid_workers_pinyin")
        batch_op.drop_constraint("fk_grid_workers_updated_by_id_operators", type_="foreignkey")
        for name in (
            "updated_by_id",
            "updated_at",
            "version",
            "name_initials",
            "name_pinyin",
            "on_duty_on",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.drop_index("ix_grids_pinyin")
        batch_op.drop_index("ix_grids_initials")
        batch_op.drop_constraint("fk_grids_updated_by_id_operators", type_="foreignkey")
        for name in (
            "updated_by_id",
            "updated_at",
            "version",
            "name_initials",
            "name_pinyin",
            "staff",
            "units",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("name_initials")
        batch_op.drop_column("name_pinyin")
