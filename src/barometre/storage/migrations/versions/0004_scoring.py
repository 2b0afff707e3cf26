"""Scoring and editions: grade bands per methodology version, explanations and disputes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grade_bands",
        sa.Column("methodology_version", sa.String(length=32), nullable=False),
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("calibrated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_grade_bands_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("methodology_version", "edition_id", name=op.f("pk_grade_bands")),
    )
    op.create_table(
        "explanations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('explanation', 'dispute')", name=op.f("ck_explanations_kind")),
        sa.CheckConstraint("expires_on >= received_on", name=op.f("ck_explanations_dates")),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_explanations_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_explanations")),
        sa.UniqueConstraint(
            "authority_id", "check_id", "kind", "received_on", name="uq_explanations_authority_id"
        ),
    )
    op.create_index(
        "ix_explanations_authority", "explanations", ["authority_id", "check_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index("ix_explanations_authority", table_name="explanations")
    op.drop_table("explanations")
    op.drop_table("grade_bands")
