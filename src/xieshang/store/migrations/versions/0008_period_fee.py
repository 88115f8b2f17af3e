"""Add an installment loan's fee per period (京东白条 分期's 服务费, 花呗分期's 手续费): a
fraction of the amount borrowed (``period_fee_rate``, exact text as the other rates) or a
fixed amount (``period_fee_fen``). Both nullable: existing debts have no such fee.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The new columns of ``debts``.
COLUMNS = (
    ("period_fee_rate", sa.String(40)),
    ("period_fee_fen", sa.BigInteger()),
)


def upgrade() -> None:
    # plain ADD COLUMN (in place in SQLite): no table copy, no cascade
    for name, kind in COLUMNS:
        op.add_column("debts", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debts") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
