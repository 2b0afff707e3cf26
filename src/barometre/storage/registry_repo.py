"""Reading and writing the registry tables. Every write is one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from barometre.errors import StorageError
from barometre.models import Account, Authority, AuthorityKind, Contact, LegalType, Website
from barometre.storage.schema import (
    accounts,
    authorities,
    contacts,
    registry_imports,
    websites,
)
from barometre.vocab.authorities import AuthorityRef, ambiguous_error, unknown_error

USER_SOURCE_PREFIX = "user:"
_CHUNK = 5000
_KEYS: dict[Any, tuple[str, ...]] = {
    websites: ("authority_id", "url"),
    contacts: ("authority_id", "kind", "value"),
    accounts: ("authority_id", "platform", "handle"),
}
"""What makes two rows of a child table the same fact, whatever their source."""


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    dialect = connection.dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        stmt = module.insert(authorities)
        stmt = stmt.on_conflict_do_update(
            index_elements=[authorities.c.id],
            set_={c.name: stmt.excluded[c.name] for c in authorities.columns if c.name != "id"},
        )
        connection.execute(stmt, chunk)


def _authority_row(a: Authority, import_id: int) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind.value,
        "code": a.code,
        "siren": a.siren,
        "name": a.name,
        "population": a.population,
        "region": a.region,
        "departement": a.departement,
        "epci": a.epci,
        "epci_type": a.epci_type,
        "postal_codes": " ".join(a.postal_codes),
        "legal_type": a.legal_type.value if a.legal_type else None,
        "territory": " ".join(a.territory),
        "active": True,
        "import_id": import_id,
    }


def _children(items: Sequence[Authority]) -> tuple[list[dict[str, Any]], ...]:
    sites = [
        {
            "authority_id": a.id,
            "url": w.url,
            "host": w.host,
            "source": w.source,
            "is_primary": w.primary,
        }
        for a in items
        for w in a.websites
    ]
    mails = [
        {"authority_id": a.id, "kind": c.kind, "value": c.value, "source": c.source}
        for a in items
        for c in a.contacts
    ]
    accs = [
        {
            "authority_id": a.id,
            "platform": x.platform,
            "handle": x.handle,
            "url": x.url,
            "source": x.source,
        }
        for a in items
        for x in a.accounts
    ]
    return sites, mails, accs


def _insert_many(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        connection.execute(insert(table), rows[start : start + _CHUNK])


@contextmanager
def _import_transaction(
    engine: Engine, origin: str, report: dict[str, Any]
) -> Iterator[tuple[Connection, int]]:
    """One import = one transaction, recorded in ``registry_imports``; errors roll back."""
    try:
        with engine.begin() as connection:
            yield connection, _record_import(connection, origin, report)
    except IntegrityError as exc:
        raise StorageError(f"Import annulé, contrainte violée : {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"Import annulé, erreur de base de données : {exc}") from exc


def _key(table: Any, row: Any) -> tuple[Any, ...]:
    return tuple(row[c] for c in _KEYS[table])


def _insert_children(
    connection: Connection, items: Sequence[Authority], *, kept_win: bool = False
) -> None:
    """Insert the sites, contacts and accounts of ``items``.

    ``kept_win``: a row whose key a row already in the table holds is left out (the
    sources' rebuild keeps the user's rows); otherwise the rows already there with the
    key of a new row are replaced by it (a user's import wins)."""
    for table, rows in zip((websites, contacts, accounts), _children(items), strict=True):
        if kept_win:
            columns = [table.c[c] for c in _KEYS[table]]
            held = {tuple(r) for r in connection.execute(select(*columns))}
            rows = [row for row in rows if _key(table, row) not in held]
        else:
            _delete_keys(connection, table, {_key(table, row) for row in rows})
        _insert_many(connection, table, rows)


def _delete_keys(connection: Connection, table: Any, keys: set[tuple[Any, ...]]) -> None:
    ordered = sorted(keys)
    columns = tuple_(*(table.c[c] for c in _KEYS[table]))
    for start in range(0, len(ordered), _CHUNK // 5):
        connection.execute(delete(table).where(columns.in_(ordered[start : start + _CHUNK // 5])))


def replace_registry(
    engine: Engine, items: Sequence[Authority], origin: str, report: dict[str, Any]
) -> int:
    """Load a whole registry (embedded bundle or raw rebuild) in one transaction.

    Authorities are upserted; those absent from the new registry are kept but marked
    inactive (results of past editions still point to them). Websites, contacts and
    accounts from the sources are replaced; rows a user imported (source ``user:…``)
    are kept, and win over a source row with the same key (same site URL, contact or
    account of the same authority). Returns the id of the import.
    """
    with _import_transaction(engine, origin, report) as (connection, import_id):
        _upsert(connection, [_authority_row(a, import_id) for a in items])
        new_ids = {a.id for a in items}
        old_ids = set(connection.scalars(select(authorities.c.id)))
        gone = sorted(old_ids - new_ids)
        for start in range(0, len(gone), _CHUNK):
            connection.execute(
                update(authorities)
                .where(authorities.c.id.in_(gone[start : start + _CHUNK]))
                .values(active=False)
            )
        for table in (websites, contacts, accounts):
            connection.execute(delete(table).where(~table.c.source.startswith(USER_SOURCE_PREFIX)))
        # A user's site stays primary over the sources' one.
        user_primary = set(
            connection.scalars(
                select(websites.c.authority_id).where(websites.c.is_primary.is_(True))
            )
        )
        items = [
            replace(a, websites=tuple(replace(w, primary=False) for w in a.websites))
            if a.id in user_primary
            else a
            for a in items
        ]
        _insert_children(connection, items, kept_win=True)
        return import_id


def merge_user_rows(
    engine: Engine, items: Sequence[Authority], origin: str, report: dict[str, Any]
) -> int:
    """Apply a user CSV: new or updated authorities, their sites, contacts and accounts.

    A website given by the user becomes the primary one. Existing rows of the same user
    source are replaced, so importing the same file twice changes nothing; a row of any
    source with the key of a user's row (same site URL, contact or account of the same
    authority) is replaced by it.
    """
    with _import_transaction(engine, origin, report) as (connection, import_id):
        existing = {
            row.id: row
            for row in connection.execute(
                select(authorities).where(authorities.c.id.in_([a.id for a in items]))
            )
        }
        rows = []
        for a in items:
            row = _authority_row(a, import_id)
            old = existing.get(a.id)
            if old is not None:  # keep what the user left empty
                for key, value in list(row.items()):
                    if value in (None, "") and key in old._mapping:
                        row[key] = old._mapping[key]
            rows.append(row)
        _upsert(connection, rows)
        sources = {w.source for a in items for w in a.websites}
        sources |= {c.source for a in items for c in a.contacts}
        sources |= {x.source for a in items for x in a.accounts}
        for table in (websites, contacts, accounts):
            connection.execute(delete(table).where(table.c.source.in_(sources)))
        with_site = sorted({a.id for a in items if a.websites})
        if with_site:
            connection.execute(
                update(websites)
                .where(websites.c.authority_id.in_(with_site))
                .values(is_primary=False)
            )
        _insert_children(connection, items)
        return import_id


def _record_import(connection: Connection, origin: str, report: dict[str, Any]) -> int:
    result = connection.execute(
        insert(registry_imports).values(imported_at=datetime.now(UTC), origin=origin, report=report)
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def count_authorities(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(authorities.c.kind, func.count())
            .where(authorities.c.active.is_(True))
            .group_by(authorities.c.kind)
        )
        return {str(kind): int(n) for kind, n in rows}


def last_import(engine: Engine) -> dict[str, Any] | None:
    imports = recent_imports(engine, limit=1)
    return imports[0] if imports else None


def recent_imports(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports, newest first, with their reports (joins, anomaly counts)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(registry_imports).order_by(registry_imports.c.id.desc()).limit(limit)
        )
        return [dict(row._mapping) for row in rows]


def ids_with_accounts(engine: Engine) -> set[str]:
    """Collectivités with at least one account declared in the registry."""
    with engine.connect() as connection:
        return set(connection.scalars(select(accounts.c.authority_id).distinct()))


def load_authorities(
    engine: Engine,
    *,
    kinds: Iterable[AuthorityKind] | None = None,
    departement: str | None = None,
    ids: Iterable[str] | None = None,
    codes: Iterable[str] | None = None,
) -> list[Authority]:
    """Active authorities matching the filters, with their websites, contacts, accounts."""
    query = select(authorities).where(authorities.c.active.is_(True))
    if kinds is not None:
        query = query.where(authorities.c.kind.in_([k.value for k in kinds]))
    if departement is not None:
        query = query.where(authorities.c.departement == departement.upper())
    if ids is not None:
        query = query.where(authorities.c.id.in_(list(ids)))
    if codes is not None:
        query = query.where(authorities.c.code.in_([c.upper() for c in codes]))
    query = query.order_by(authorities.c.kind, authorities.c.code)
    with engine.connect() as connection:
        rows = list(connection.execute(query))
        wanted = (
            None
            if kinds is None and departement is None and ids is None and codes is None
            else [r.id for r in rows]
        )
        sites = _group(connection, websites, wanted)
        mails = _group(connection, contacts, wanted)
        accs = _group(connection, accounts, wanted)
    out = []
    for r in rows:
        out.append(
            Authority(
                kind=AuthorityKind(r.kind),
                code=r.code,
                name=r.name,
                siren=r.siren,
                population=r.population,
                region=r.region,
                departement=r.departement,
                epci=r.epci,
                epci_type=r.epci_type,
                postal_codes=tuple(r.postal_codes.split()),
                legal_type=LegalType(r.legal_type) if r.legal_type else None,
                territory=tuple(r.territory.split()),
                websites=tuple(
                    Website(s.url, s.host, s.source, bool(s.is_primary))
                    for s in sorted(sites.get(r.id, []), key=lambda s: (not s.is_primary, s.id))
                ),
                contacts=tuple(Contact(c.kind, c.value, c.source) for c in mails.get(r.id, [])),
                accounts=tuple(
                    Account(x.platform, x.handle, x.url, x.source) for x in accs.get(r.id, [])
                ),
            )
        )
    return out


def find_authorities(
    engine: Engine,
    refs: Sequence[AuthorityRef],
    successors: Mapping[str, str] | None = None,
    *,
    single: bool = False,
) -> list[Authority]:
    """The active collectivités the references designate (see
    :mod:`barometre.vocab.authorities`), each once, in the order of the references.

    ``successors`` maps the identifiers of INSEE's map that the law replaced to the
    collectivité that now holds them (the registry's table of statutes). Raises
    :class:`~barometre.errors.UnknownAuthorityError` when a reference designates
    nothing, and, with ``single``, when one designates several collectivités.
    """
    wanted = {ref: ref.ids(successors) for ref in refs}
    found = load_authorities(engine, ids={i for ids in wanted.values() for i in ids})
    by_id = {a.id: a for a in found}
    missing = [ref for ref, ids in wanted.items() if not any(i in by_id for i in ids)]
    if missing:
        raise unknown_error(missing)
    out: dict[str, Authority] = {}
    for ref, ids in wanted.items():
        matches = [by_id[i] for i in ids if i in by_id]
        if single and len(matches) > 1:
            raise ambiguous_error(ref, [(a.id, a.name) for a in matches])
        out.update((a.id, a) for a in matches)
    return list(out.values())


def _group(connection: Connection, table: Any, ids: list[str] | None) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    if ids is not None and not ids:
        return grouped
    if ids is None:
        chunks: list[list[str] | None] = [None]
    else:
        chunks = [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    for chunk in chunks:
        query = select(table).order_by(table.c.id)
        if chunk is not None:
            query = query.where(table.c.authority_id.in_(chunk))
        for row in connection.execute(query):
            grouped[row.authority_id].append(row)
    return grouped
