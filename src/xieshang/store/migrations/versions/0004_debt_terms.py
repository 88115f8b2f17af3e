"""Add the terms a debt can be entered with as the lender's app shows them: an installment
loan's amount borrowed, periods, periods repaid, repayment method and first due date; a
private loan's contract date; a card's posting date and its interest basis (全额计息 or
按未还部分计息). All nullable: existing debts keep being computed from their amounts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The new columns of ``debts``.
COLUMNS = (
    ("borrowed_fen", sa.BigInteger()),
    ("periods", sa.Integer()),
    ("paid_periods", sa.Integer()),
    ("repayment_method", sa.String(16)),
    ("first_due", sa.Date()),
    ("contract_date", sa.Date()),
    ("posted_on", sa.Date()),
    ("card_interest_basis", sa.String(8)),
)


def upgrade() -> None:
    # plain ADD COLUMN (in place in SQLite): no table copy, no cascade
    for name, kind in COLUMNS:
        op.add_column("debts", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
