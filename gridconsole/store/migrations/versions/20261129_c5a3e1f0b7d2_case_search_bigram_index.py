"""the case search index: character bigrams (FTS5 on SQLite, a GIN-indexed text[] on PostgreSQL)

Revision ID: c5a3e1f0b7d2
Revises: 1b54e90fc9ea
Create Date: 2026-11-29 10:10:00
"""

from collections.abc import Sequence

from alembic import op

from gridconsole.store import case_search

revision: str = "c5a3e1f0b7d2"
down_revision: str | None = "1b54e90fc9ea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    for statement in case_search.create_statements(bind.dialect.name):
        op.execute(statement)
    # the cases already there: indexed in batches from the table
    case_search.rebuild(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in case_search.drop_statements(bind.dialect.name):
        op.execute(statement)
