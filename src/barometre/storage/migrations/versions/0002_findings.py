"""Findings of the discovery (accounts, apps, platforms, services, providers).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("handle", sa.Text(), nullable=True),
        sa.Column("confidence", sa.String(length=16), server_default="observed", nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_findings_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_findings_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index(
        "ix_findings_edition_authority", "findings", ["edition_id", "authority_id"], unique=False
    )
    op.create_index(
        "ix_findings_edition_category",
        "findings",
        ["edition_id", "category", "name"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_findings_edition_category", table_name="findings")
    op.drop_index("ix_findings_edition_authority", table_name="findings")
    op.drop_table("findings")
