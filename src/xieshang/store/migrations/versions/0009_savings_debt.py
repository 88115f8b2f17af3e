"""The debt the savings go to, kept with the budget statement's situation: the person may
put their savings or lump sum towards one debt they choose (beyond what it owes, the rest
is spread); NULL keeps the savings spread over all the debts in proportion to what each
owes, as before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite does it in place: no table is copied, so no foreign key
    # cascades). No reference to debts: SQLite cannot add one in place in a form it reads
    # back; a debt deleted since leaves an id the services read as "spread" (and the
    # export leaves out). Existing statements keep their savings spread.
    op.add_column("budget_statements", sa.Column("savings_debt_id", sa.Integer(),
                                                 nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("budget_statements") as batch:
        batch.drop_column("savings_debt_id")
