"""The person's situation, kept with the budget statement: savings or a lump sum available
(the amount, the day it is available, and whether it goes to a settlement or to the first
months), the day income starts again after a time without, and dated changes of the monthly
income (JSON: ISO day → monthly income in yuan, as exact text).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The new columns of ``budget_statements``, in order.
COLUMNS = ("savings_fen", "savings_on", "savings_use", "no_income_until", "income_changes")


def upgrade() -> None:
    # plain ADD COLUMNs (SQLite does them in place): existing statements keep every value
    # and get no savings, no pause in income and no dated change
    op.add_column("budget_statements", sa.Column("savings_fen", sa.BigInteger(), nullable=True))
    op.add_column("budget_statements", sa.Column("savings_on", sa.Date(), nullable=True))
    op.add_column("budget_statements", sa.Column("savings_use", sa.String(16), nullable=False,
                                                 server_default="settlement"))
    op.add_column("budget_statements", sa.Column("no_income_until", sa.Date(), nullable=True))
    op.add_column("budget_statements", sa.Column("income_changes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("budget_statements") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
