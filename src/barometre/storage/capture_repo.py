"""Editions and the index of captures (the bytes stay in the WARC files)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from barometre.errors import EditionFrozenError
from barometre.models import Capture
from barometre.storage.audit_repo import assert_writable
from barometre.storage.schema import captures, editions

PLAN_KIND = "plan"  # the record that closes a site's capture


def ensure_edition(engine: Engine, edition: str, label: str, *, demo: bool = False) -> None:
    with engine.begin() as connection:
        row = connection.execute(select(editions).where(editions.c.id == edition)).first()
        if row is None:
            connection.execute(
                insert(editions).values(
                    id=edition, label=label, demo=demo, created_at=datetime.now(UTC)
                )
            )
        elif row.frozen_at is not None:
            raise EditionFrozenError(f"L'édition {edition} est figée : plus aucune capture.")


def completed_sites(engine: Engine, edition: str) -> set[str]:
    """Authorities whose capture finished (their plan record is indexed)."""
    with engine.connect() as connection:
        return set(
            connection.scalars(
                select(captures.c.authority_id).where(
                    captures.c.edition_id == edition, captures.c.kind == PLAN_KIND
                )
            )
        )


def record_site(
    engine: Engine, edition: str, authority_id: str, rows: Sequence[Capture], kinds: Sequence[str]
) -> None:
    """Index one finished site, replacing any earlier partial index, in one transaction."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        connection.execute(
            delete(captures).where(
                captures.c.edition_id == edition, captures.c.authority_id == authority_id
            )
        )
        values: list[dict[str, Any]] = [
            {
                "edition_id": edition,
                "authority_id": authority_id,
                "url": c.url,
                "kind": kind,
                "warc_path": c.warc_path,
                "warc_offset": c.warc_offset,
                "warc_length": c.warc_length,
                "status_code": c.status_code,
                "content_type": c.content_type,
                "outcome": c.outcome,
                "sha256": c.sha256,
                "fetched_at": c.fetched_at,
            }
            for c, kind in zip(rows, kinds, strict=True)
        ]
        if values:
            connection.execute(insert(captures), values)


def site_index(engine: Engine, edition: str, authority_id: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(captures)
            .where(captures.c.edition_id == edition, captures.c.authority_id == authority_id)
            .order_by(captures.c.id)
        )
        return [dict(r._mapping) for r in rows]


def archive_paths(engine: Engine, edition: str) -> dict[str, str]:
    """``authority_id → WARC path`` of every completed site of the edition."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(captures.c.authority_id, captures.c.warc_path).where(
                captures.c.edition_id == edition, captures.c.kind == PLAN_KIND
            )
        )
        return {r.authority_id: r.warc_path for r in rows}


def set_methodology(engine: Engine, edition: str, version: str) -> None:
    with engine.begin() as connection:
        assert_writable(connection, edition)
        connection.execute(
            editions.update().where(editions.c.id == edition).values(methodology_version=version)
        )
