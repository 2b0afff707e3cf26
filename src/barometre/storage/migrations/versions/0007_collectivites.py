"""Collectivités as they legally exist: legal type and governed territory of an authority.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("authorities") as batch:
        batch.add_column(sa.Column("legal_type", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("territory", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("authorities") as batch:
        batch.drop_column("territory")
        batch.drop_column("legal_type")
