"""Widen transactions.direction to 16 characters: "debt_payment" has 12, and PostgreSQL
refused it under the 8-character limit of 0001 (SQLite does not enforce lengths, so no
SQLite store holds a cut value).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.alter_column("direction", existing_type=sa.String(length=8),
                           type_=sa.String(length=16), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.alter_column("direction", existing_type=sa.String(length=16),
                           type_=sa.String(length=8), existing_nullable=False)
