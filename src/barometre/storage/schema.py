"""Database schema (SQLAlchemy Core). Alembic migrations under ``migrations/`` build it.

A test compares this metadata with the migrated database, so the two cannot drift.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

STATUSES = ("pass", "partial", "fail", "not_applicable", "not_measurable")
KINDS = ("region", "departement", "commune", "epci")

authorities = Table(
    "authorities",
    metadata,
    Column("id", String(32), primary_key=True),  # "<kind>:<code>"
    Column("kind", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("siren", String(9)),
    Column("name", Text, nullable=False),
    Column("population", Integer),
    Column("region", String(3)),
    Column("departement", String(3)),
    Column("epci", String(9)),
    Column("epci_type", String(8)),
    Column("postal_codes", Text, nullable=False, server_default=""),
    # Legal nature when it is not what the kind says (LegalType), and the INSEE codes of
    # the départements it governs when its own code is not one (migration 0007).
    Column("legal_type", String(24)),
    Column("territory", Text, nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("import_id", Integer, ForeignKey("registry_imports.id")),
    CheckConstraint("kind IN ('region', 'departement', 'commune', 'epci')", name="kind"),
    UniqueConstraint("kind", "code", name="uq_authorities_kind_code"),
)
Index("ix_authorities_kind_departement", authorities.c.kind, authorities.c.departement)
Index("ix_authorities_code", authorities.c.code)

websites = Table(
    "websites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("host", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("is_primary", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("authority_id", "url", name="uq_websites_authority_url"),
)
Index("ix_websites_host", websites.c.host)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("value", Text, nullable=False),
    Column("source", Text, nullable=False),
    CheckConstraint("kind IN ('email', 'phone')", name="kind"),
)
Index("ix_contacts_authority_id", contacts.c.authority_id)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("handle", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("source", Text, nullable=False),
    UniqueConstraint("authority_id", "platform", "handle", name="uq_accounts_authority_handle"),
)

registry_imports = Table(
    "registry_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("origin", Text, nullable=False),  # "embarqué", raw directory, CSV file
    Column("report", JSON, nullable=False),
)

editions = Table(
    "editions",
    metadata,
    Column("id", String(32), primary_key=True),  # YYYY-MM or a demo label
    Column("label", Text, nullable=False),
    Column("demo", Boolean, nullable=False, server_default=false()),
    Column("methodology_version", String(32)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("frozen_at", DateTime(timezone=True)),
    Column("manifest_sha256", String(64)),
    Column("manifest", JSON),
)

captures = Table(
    "captures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition_id", String(32), ForeignKey("editions.id"), nullable=False),
    Column("authority_id", String(32), ForeignKey("authorities.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(32), nullable=False, server_default="page"),
    Column("warc_path", Text, nullable=False),
    Column("warc_offset", BigInteger, nullable=False),
    Column("warc_length", BigInteger, nullable=False),
    Column("status_code", Integer),
    Column("content_type", Text),
    Column("outcome", String(32), nullable=False, server_default="ok"),
    Column("sha256", String(64)),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)
Index("ix_captures_edition_authority", captures.c.edition_id, captures.c.authority_id)

check_results = Table(
    "check_results",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), primary_key=True),
    Column("check_id", String(64), primary_key=True),
    Column("check_version", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("value", Float),
    Column("confidence", String(16), nullable=False, server_default="observed"),
    Column("evidence", JSON, nullable=False),
    Column("measured_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "status IN ('pass', 'partial', 'fail', 'not_applicable', 'not_measurable')",
        name="status",
    ),
    CheckConstraint("value IS NULL OR (value >= 0 AND value <= 1)", name="value_range"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition_id", String(32), ForeignKey("editions.id"), nullable=False),
    Column("authority_id", String(32), ForeignKey("authorities.id"), nullable=False),
    Column("category", String(32), nullable=False),  # social, app, participation, cms…
    Column("name", String(64), nullable=False),  # platform or product
    Column("url", Text),
    Column("handle", Text),
    Column("confidence", String(16), nullable=False, server_default="observed"),
    Column("evidence", JSON, nullable=False),
)
Index("ix_findings_edition_authority", findings.c.edition_id, findings.c.authority_id)
Index("ix_findings_edition_category", findings.c.edition_id, findings.c.category, findings.c.name)

scores = Table(
    "scores",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), primary_key=True),
    Column("scope", String(64), primary_key=True),  # "global" or a dimension id
    Column("value", Float),
    Column("coverage", Float, nullable=False),
    Column("grade", String(2)),
    Column("peer_group", String(64)),
    Column("rank", Integer),
    CheckConstraint("value IS NULL OR (value >= 0 AND value <= 100)", name="value_range"),
    CheckConstraint("coverage >= 0 AND coverage <= 1", name="coverage_range"),
)

# --- social layer (migration 0003) -------------------------------------------------------

ACCOUNT_STATES = ("ok", "not_found", "suspended", "moved", "closed", "disabled", "error")
SOCIAL_SOURCES = ("api", "feed", "import", "declared")

social_profiles = Table(
    "social_profiles",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("account_id", String(255), primary_key=True),  # stable: DID, UC… id, URI…
    Column("handle", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("display_name", Text),
    Column("description", Text),
    Column("followers", BigInteger),
    Column("followers_exact", Boolean, nullable=False, server_default=true()),
    Column("following", BigInteger),
    Column("posts_count", BigInteger),
    Column("created_at", DateTime(timezone=True)),
    Column("last_post_at", DateTime(timezone=True)),
    Column("links", JSON, nullable=False),
    Column("verified_domain", Text),
    Column("moved_to", Text),
    Column("reason", Text),
    Column("found_url", Text),  # the address the account was known by (discovery, registry)
    Column("found_at", Text),
    # why the account is the collectivité's own (« bloc de suivi du pied de page »,
    # « déclaré au registre »…): the evidence shown on the card [issue 12, item 3]
    Column("ownership", Text),
    Column("notes", JSON, nullable=False),
    CheckConstraint(
        "state IN ('ok', 'not_found', 'suspended', 'moved', 'closed', 'disabled', 'error')",
        name="state",
    ),
    CheckConstraint("source IN ('api', 'feed', 'import', 'declared')", name="source"),
)
Index("ix_social_profiles_account", social_profiles.c.platform, social_profiles.c.account_id)

social_posts = Table(
    "social_posts",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("account_id", String(255), primary_key=True),
    Column("post_id", String(255), primary_key=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("source", String(16), nullable=False),
    Column("url", Text),
    Column("text", Text, nullable=False, server_default=""),
    Column("reply_to", Text),
    Column("is_repost", Boolean, nullable=False, server_default=false()),
    Column("links", JSON, nullable=False),
    Column("card_title", Text),
    Column("media", JSON, nullable=False),
    Column("likes", BigInteger),
    Column("reposts", BigInteger),
    Column("replies", BigInteger),
    Column("quotes", BigInteger),
    Column("views", BigInteger),
    Column("application", Text),
    Column("language", String(16)),
    Column("poll", Boolean, nullable=False, server_default=false()),
    Column("live", Boolean, nullable=False, server_default=false()),
    Column("sponsored", Boolean, nullable=False, server_default=false()),
    Column("analysis", JSON, nullable=False),  # theme, mode, re-publication: see social/analysis
    CheckConstraint("source IN ('api', 'feed', 'import', 'declared')", name="source"),
)

social_followers = Table(
    "social_followers",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("account_id", String(255), primary_key=True),
    Column("observed_on", Date, primary_key=True),
    Column("source", String(16), primary_key=True),
    Column("followers", BigInteger, nullable=False),
    Column("exact", Boolean, nullable=False, server_default=true()),
    Column("edition_id", String(32), ForeignKey("editions.id")),
    CheckConstraint("followers >= 0", name="followers_positive"),
    CheckConstraint("source IN ('api', 'feed', 'import', 'declared')", name="source"),
)

social_metrics = Table(
    "social_metrics",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("account_id", String(255), primary_key=True),
    Column("metric", String(64), primary_key=True),
    Column("value", Float),
    Column("source", String(16), nullable=False),
    Column("sample", Integer),
    Column("detail", JSON, nullable=False),
    CheckConstraint("source IN ('api', 'feed', 'import', 'declared')", name="source"),
)
Index("ix_social_metrics_edition_metric", social_metrics.c.edition_id, social_metrics.c.metric)

social_imports = Table(
    "social_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("edition_id", String(32), ForeignKey("editions.id"), nullable=False),
    Column("authority_id", String(32), ForeignKey("authorities.id")),
    Column("platform", String(32), nullable=False),
    Column("source", String(16), nullable=False),
    Column("format", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("report", JSON, nullable=False),
    UniqueConstraint("edition_id", "sha256", name="uq_social_imports_edition_sha256"),
)

# --- scoring and editions (migration 0004) ------------------------------------------------

grade_bands = Table(
    "grade_bands",
    metadata,
    Column("methodology_version", String(32), primary_key=True),
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("bands", JSON, nullable=False),  # lower bounds of A, B, C, D
    Column("population", Integer, nullable=False),  # scores the quintiles were taken on
    Column("calibrated_at", DateTime(timezone=True), nullable=False),
)

explanations = Table(
    "explanations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), nullable=False),
    Column("check_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("author", Text),
    Column("received_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("source", Text, nullable=False),
    CheckConstraint("kind IN ('explanation', 'dispute')", name="kind"),
    CheckConstraint("expires_on >= received_on", name="dates"),
    UniqueConstraint(
        "authority_id", "check_id", "kind", "received_on", name="uq_explanations_authority_id"
    ),
)
Index("ix_explanations_authority", explanations.c.authority_id, explanations.c.check_id)

# --- one writer per (edition, collectivité) (migration 0006) -------------------------------

leases = Table(
    "leases",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), primary_key=True),
    Column("task", String(32), nullable=False),  # what the owner does: "capture"…
    Column("owner_host", Text, nullable=False),
    Column("owner_pid", Integer, nullable=False),
    Column("owner_token", String(32), nullable=False),  # random, one per owner
    # Boot and PID namespace of the owner: where its pid can be checked for liveness.
    Column("owner_node", String(128), nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("renewed_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_leases_owner_token", leases.c.owner_token)

# --- messages sent to collectivités (migration 0009) ----------------------------------------

notifications = Table(
    "notifications",
    metadata,
    Column("edition_id", String(32), ForeignKey("editions.id"), primary_key=True),
    Column("authority_id", String(32), ForeignKey("authorities.id"), primary_key=True),
    Column("address", String(320), primary_key=True),
    Column("message_id", String(255), nullable=False),
    # "sending" from just before the SMTP transaction until it succeeded ("sent"): a
    # crash in between leaves "sending", and the message is not sent again
    Column("state", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    CheckConstraint("state IN ('sending', 'sent')", name="state"),
)
# Work of the task queue, one row per (edition, collectivité, task): what is done, running,
# failed and why (``barometre status``). The queue's own tables (Procrastinate's) say what
# is scheduled; this one says it in the barometer's words and keeps the last error.
work = Table(
    "work",
    metadata,
    Column("edition_id", String(32), primary_key=True),
    # A collectivité, or "" for the edition's own steps (scores, publication…).
    Column("authority_id", String(32), primary_key=True),
    Column("task", String(16), primary_key=True),  # capture, render, audit, social, edition
    Column("state", String(16), nullable=False),  # queued, running, retrying, done, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("worker", Text),  # "processus PID sur HOST"
    Column("message", Text),  # the last error, in French
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_work_edition_state", work.c.edition_id, work.c.state)
