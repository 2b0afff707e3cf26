"""Social layer: profiles and posts per edition, follower history, metrics, imports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "social_followers",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("followers", sa.BigInteger(), nullable=False),
        sa.Column("exact", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("edition_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "source IN ('api', 'feed', 'import', 'declared')",
            name=op.f("ck_social_followers_source"),
        ),
        sa.CheckConstraint("followers >= 0", name=op.f("ck_social_followers_followers_positive")),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_social_followers_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "platform", "account_id", "observed_on", "source", name=op.f("pk_social_followers")
        ),
    )
    op.create_table(
        "social_posts",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("post_id", sa.String(length=255), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("reply_to", sa.Text(), nullable=True),
        sa.Column("is_repost", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("card_title", sa.Text(), nullable=True),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("reposts", sa.BigInteger(), nullable=True),
        sa.Column("replies", sa.BigInteger(), nullable=True),
        sa.Column("quotes", sa.BigInteger(), nullable=True),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("application", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("poll", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("live", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sponsored", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("analysis", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "source IN ('api', 'feed', 'import', 'declared')", name=op.f("ck_social_posts_source")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_social_posts_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "edition_id", "platform", "account_id", "post_id", name=op.f("pk_social_posts")
        ),
    )
    op.create_table(
        "social_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_social_imports_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_social_imports_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_imports")),
        sa.UniqueConstraint("edition_id", "sha256", name="uq_social_imports_edition_sha256"),
    )
    op.create_table(
        "social_metrics",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("sample", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "source IN ('api', 'feed', 'import', 'declared')", name=op.f("ck_social_metrics_source")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_social_metrics_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_social_metrics_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "edition_id",
            "authority_id",
            "platform",
            "account_id",
            "metric",
            name=op.f("pk_social_metrics"),
        ),
    )
    op.create_index(
        "ix_social_metrics_edition_metric", "social_metrics", ["edition_id", "metric"], unique=False
    )
    op.create_table(
        "social_profiles",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=255), nullable=False),
        sa.Column("handle", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("followers", sa.BigInteger(), nullable=True),
        sa.Column("followers_exact", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("following", sa.BigInteger(), nullable=True),
        sa.Column("posts_count", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_post_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("verified_domain", sa.Text(), nullable=True),
        sa.Column("moved_to", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("found_url", sa.Text(), nullable=True),
        sa.Column("found_at", sa.Text(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "source IN ('api', 'feed', 'import', 'declared')",
            name=op.f("ck_social_profiles_source"),
        ),
        sa.CheckConstraint(
            "state IN ('ok', 'not_found', 'suspended', 'moved', 'closed', 'disabled', 'error')",
            name=op.f("ck_social_profiles_state"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_social_profiles_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_social_profiles_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "edition_id", "authority_id", "platform", "account_id", name=op.f("pk_social_profiles")
        ),
    )
    op.create_index(
        "ix_social_profiles_account", "social_profiles", ["platform", "account_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index("ix_social_profiles_account", table_name="social_profiles")
    op.drop_table("social_profiles")
    op.drop_index("ix_social_metrics_edition_metric", table_name="social_metrics")
    op.drop_table("social_metrics")
    op.drop_table("social_imports")
    op.drop_table("social_posts")
    op.drop_table("social_followers")
