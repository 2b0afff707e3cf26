"""Indicator values: every catalogue indicator of each edition, per group (the series).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_values",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("indicator_id", sa.String(length=96), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("measured", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_indicator_values_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "edition_id", "indicator_id", "group_key", name=op.f("pk_indicator_values")
        ),
    )
    op.create_index(
        "ix_indicator_values_indicator_id",
        "indicator_values",
        ["indicator_id", "group_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_indicator_values_indicator_id", table_name="indicator_values")
    op.drop_table("indicator_values")
