"""Editions and the index of captures (the bytes stay in the WARC files)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.engine import Connection

from barometre.errors import EditionFrozenError
from barometre.models import Capture
from barometre.storage.audit_repo import assert_writable
from barometre.storage.schema import captures, check_results, editions, findings

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


def is_complete(engine: Engine, edition: str, authority_id: str) -> bool:
    """Whether the site's capture finished (its plan record is indexed)."""
    with engine.connect() as connection:
        found = connection.execute(
            select(captures.c.id)
            .where(
                captures.c.edition_id == edition,
                captures.c.authority_id == authority_id,
                captures.c.kind == PLAN_KIND,
            )
            .limit(1)
        ).first()
    return found is not None


def record_site(
    engine: Engine, edition: str, authority_id: str, rows: Sequence[Capture], kinds: Sequence[str]
) -> None:
    """Index one finished site, replacing any earlier partial index, in one transaction."""
    with engine.begin() as connection:
        record_site_on(connection, edition, authority_id, rows, kinds)


def record_site_on(
    connection: Connection,
    edition: str,
    authority_id: str,
    rows: Sequence[Capture],
    kinds: Sequence[str],
) -> None:
    """:func:`record_site` inside the caller's transaction (e.g. one holding a lease)."""
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


def forget_site(engine: Engine, edition: str, authority_id: str) -> None:
    """Drop a site's index and the audit results drawn from it, so that the next
    ``capture --resume`` captures it again (a damaged archive, for instance)."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        for table in (captures, check_results, findings):
            connection.execute(
                delete(table).where(
                    table.c.edition_id == edition, table.c.authority_id == authority_id
                )
            )


def site_index(engine: Engine, edition: str, authority_id: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(captures)
            .where(captures.c.edition_id == edition, captures.c.authority_id == authority_id)
            .order_by(captures.c.id)
        )
        return [dict(r._mapping) for r in rows]


def iter_site_indexes(
    engine: Engine, edition: str, authority_ids: Iterable[str] | None = None
) -> Iterator[tuple[str, list[Any]]]:
    """``(authority_id, index rows)`` of every indexed site of the edition, one site at a
    time (rows, with the columns as attributes, in the order they were written)."""
    query = select(captures).where(captures.c.edition_id == edition)
    if authority_ids is not None:
        query = query.where(captures.c.authority_id.in_(list(authority_ids)))
    query = query.order_by(captures.c.authority_id, captures.c.id)
    current: str | None = None
    batch: list[Any] = []
    with engine.connect() as connection:
        for row in connection.execution_options(yield_per=2000).execute(query):
            if row.authority_id != current and batch:
                assert current is not None
                yield current, batch
                batch = []
            current = row.authority_id
            batch.append(row)
    if batch and current is not None:
        yield current, batch


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
