"""Add ``version`` to the hardship record (why the person fell behind), as 0003 did for the
other records people edit: an edit made on a form opened before the reason or the recovery
date changed elsewhere is refused instead of silently reverting it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hardship", sa.Column("version", sa.Integer(), nullable=False,
                                        server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("hardship") as batch:
        batch.drop_column("version")
