"""Editions: listing, freezing, and the digests a frozen edition's manifest is made of."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, Table, select

from barometre.errors import EditionFrozenError, StorageError
from barometre.models import Edition
from barometre.storage.schema import (
    authorities,
    captures,
    check_results,
    editions,
    findings,
    grade_bands,
    scores,
    social_metrics,
    social_posts,
    social_profiles,
)

# Everything an edition is made of, in the database (``edition_id`` column).
EDITION_TABLES: tuple[Table, ...] = (
    captures,
    check_results,
    findings,
    social_profiles,
    social_posts,
    social_metrics,
    scores,
    grade_bands,
)
# Columns that identify a row but whose value depends on insertion order.
_SURROGATE = frozenset({"id"})


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _digest(engine: Engine, table: Table, where: Any) -> dict[str, Any]:
    # Surrogate ids are not hashed (they only number the rows), but they order them:
    # JSON columns cannot be sorted on every database.
    columns = [c for c in table.columns if c.name not in _SURROGATE]
    order = list(table.primary_key.columns)
    digest = hashlib.sha256()
    rows = 0
    query = select(*columns).where(where).order_by(*order).execution_options(yield_per=5000)
    with engine.connect() as connection:
        for row in connection.execute(query):
            digest.update(
                json.dumps(
                    [_canonical(v) for v in row], ensure_ascii=False, sort_keys=True, default=str
                ).encode("utf-8")
            )
            digest.update(b"\n")
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def table_digests(engine: Engine, edition: str) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of each table's rows of the edition (canonical order)."""
    return {t.name: _digest(engine, t, t.c.edition_id == edition) for t in EDITION_TABLES}


def registry_digest(engine: Engine, edition: str) -> dict[str, Any]:
    """Digest of the registry rows of the collectivités the edition holds results for."""
    ids = select(check_results.c.authority_id).where(check_results.c.edition_id == edition)
    return _digest(engine, authorities, authorities.c.id.in_(ids))


def check_versions(engine: Engine, edition: str) -> dict[str, list[str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(check_results.c.check_id, check_results.c.check_version)
            .where(check_results.c.edition_id == edition)
            .distinct()
        )
        out: dict[str, list[str]] = {}
        for check_id, version in rows:
            out.setdefault(check_id, []).append(version)
    return {k: sorted(v) for k, v in sorted(out.items())}


def archive_files(engine: Engine, edition: str) -> list[str]:
    with engine.connect() as connection:
        return sorted(
            set(
                connection.scalars(
                    select(captures.c.warc_path).where(captures.c.edition_id == edition)
                )
            )
        )


def _edition(row: Any) -> Edition:
    return Edition(
        id=row.id,
        label=row.label,
        methodology_version=row.methodology_version,
        demo=bool(row.demo),
        created_at=row.created_at,
        frozen_at=row.frozen_at,
        manifest_sha256=row.manifest_sha256,
        extra={"manifest": row.manifest} if row.manifest else {},
    )


def get_edition(engine: Engine, edition: str) -> Edition:
    with engine.connect() as connection:
        row = connection.execute(select(editions).where(editions.c.id == edition)).first()
    if row is None:
        raise StorageError(f"Édition {edition} inconnue.")
    return _edition(row)


def list_editions(engine: Engine) -> list[Edition]:
    with engine.connect() as connection:
        return [_edition(r) for r in connection.execute(select(editions).order_by(editions.c.id))]


def freeze(engine: Engine, edition: str, manifest: Mapping[str, Any], sha256: str) -> None:
    """Mark the edition frozen with its manifest (once: a frozen edition stays so)."""
    with engine.begin() as connection:
        row = connection.execute(
            select(editions.c.frozen_at).where(editions.c.id == edition)
        ).first()
        if row is None:
            raise StorageError(f"Édition {edition} inconnue.")
        if row.frozen_at is not None:
            raise EditionFrozenError(f"L'édition {edition} est déjà figée.")
        connection.execute(
            editions.update()
            .where(editions.c.id == edition)
            .values(frozen_at=datetime.now(UTC), manifest=dict(manifest), manifest_sha256=sha256)
        )
