"""Notifications: each message sent to a collectivité about an edition, sent once.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('sending', 'sent')", name=op.f("ck_notifications_state")),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_notifications_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_notifications_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "edition_id", "authority_id", "address", name=op.f("pk_notifications")
        ),
    )


def downgrade() -> None:
    op.drop_table("notifications")
