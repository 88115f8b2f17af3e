"""Add ``version`` (an integer, 1 for every existing row) to the records people edit —
cases, debts, budget statements and their lines, contacts, commitments — for optimistic
concurrency: every update raises it by one, and an edit form opened at an older version is
refused instead of silently reverting a change made elsewhere.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The tables that get a version column.
TABLES = ("cases", "debts", "budget_statements", "budget_lines", "contacts", "commitments")


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite does it in place): no table is copied, so no foreign key
    # cascades and nothing else is touched
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default="1"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
