"""Leases: one writer per (edition, collectivité) at a time, across processes and workers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("owner_host", sa.Text(), nullable=False),
        sa.Column("owner_pid", sa.Integer(), nullable=False),
        sa.Column("owner_token", sa.String(length=32), nullable=False),
        sa.Column("owner_node", sa.String(length=128), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_leases_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_leases_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("edition_id", "authority_id", name=op.f("pk_leases")),
    )
    op.create_index("ix_leases_owner_token", "leases", ["owner_token"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_leases_owner_token", table_name="leases")
    op.drop_table("leases")
