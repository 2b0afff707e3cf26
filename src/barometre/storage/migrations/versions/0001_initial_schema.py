"""Initial schema: registry, editions, captures index, check results, scores.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("methodology_version", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
        sa.Column("manifest", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editions")),
    )
    op.create_table(
        "registry_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_imports")),
    )
    op.create_table(
        "authorities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=3), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("epci_type", sa.String(length=8), nullable=True),
        sa.Column("postal_codes", sa.Text(), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('region', 'departement', 'commune', 'epci')", name=op.f("ck_authorities_kind")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["registry_imports.id"],
            name=op.f("fk_authorities_import_id_registry_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorities")),
        sa.UniqueConstraint("kind", "code", name="uq_authorities_kind_code"),
    )
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.create_index("ix_authorities_code", ["code"], unique=False)
        batch_op.create_index(
            "ix_authorities_kind_departement", ["kind", "departement"], unique=False
        )

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("handle", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_accounts_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint(
            "authority_id", "platform", "handle", name="uq_accounts_authority_handle"
        ),
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), server_default="page", nullable=False),
        sa.Column("warc_path", sa.Text(), nullable=False),
        sa.Column("warc_offset", sa.BigInteger(), nullable=False),
        sa.Column("warc_length", sa.BigInteger(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=32), server_default="ok", nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_captures_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_captures_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_captures_edition_authority", ["edition_id", "authority_id"], unique=False
        )

    op.create_table(
        "check_results",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("check_version", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("confidence", sa.String(length=16), server_default="observed", nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pass', 'partial', 'fail', 'not_applicable', 'not_measurable')",
            name=op.f("ck_check_results_status"),
        ),
        sa.CheckConstraint(
            "value IS NULL OR (value >= 0 AND value <= 1)",
            name=op.f("ck_check_results_value_range"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_check_results_authority_id_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_check_results_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint(
            "edition_id", "authority_id", "check_id", name=op.f("pk_check_results")
        ),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('email', 'phone')", name=op.f("ck_contacts_kind")),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_contacts_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_authority_id", ["authority_id"], unique=False)

    op.create_table(
        "scores",
        sa.Column("edition_id", sa.String(length=32), nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=2), nullable=True),
        sa.Column("peer_group", sa.String(length=64), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "coverage >= 0 AND coverage <= 1", name=op.f("ck_scores_coverage_range")
        ),
        sa.CheckConstraint(
            "value IS NULL OR (value >= 0 AND value <= 100)", name=op.f("ck_scores_value_range")
        ),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_scores_authority_id_authorities")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"], ["editions.id"], name=op.f("fk_scores_edition_id_editions")
        ),
        sa.PrimaryKeyConstraint("edition_id", "authority_id", "scope", name=op.f("pk_scores")),
    )
    op.create_table(
        "websites",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"], ["authorities.id"], name=op.f("fk_websites_authority_id_authorities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_websites")),
        sa.UniqueConstraint("authority_id", "url", name="uq_websites_authority_url"),
    )
    with op.batch_alter_table("websites", schema=None) as batch_op:
        batch_op.create_index("ix_websites_host", ["host"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("websites", schema=None) as batch_op:
        batch_op.drop_index("ix_websites_host")

    op.drop_table("websites")
    op.drop_table("scores")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_authority_id")

    op.drop_table("contacts")
    op.drop_table("check_results")
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.drop_index("ix_captures_edition_authority")

    op.drop_table("captures")
    op.drop_table("accounts")
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_index("ix_authorities_kind_departement")
        batch_op.drop_index("ix_authorities_code")

    op.drop_table("authorities")
    op.drop_table("registry_imports")
    op.drop_table("editions")
