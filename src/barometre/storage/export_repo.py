"""Reads for the open-data exports of an edition, and the standalone public database.

Every reader streams its rows in a stable order (``yield_per``: the national edition,
about 1.5 million results, never sits whole in memory) as plain tuples whose columns
are documented on each function. :class:`PublicDatabase` writes the public tables into
a separate SQLite file (not a copy of the internal database): the publish layer
describes the tables, this module alone turns them into SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Select,
    Table,
    Text,
    cast,
    create_engine,
    event,
    exists,
    func,
    insert,
    select,
    union,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from barometre.errors import StorageError
from barometre.storage.schema import (
    authorities,
    check_results,
    findings,
    scores,
    social_metrics,
    social_profiles,
    websites,
)

BATCH = 5000


# JSON columns are read as their stored text (``CAST … AS TEXT``): the export parses
# each distinct text once, whatever the driver would otherwise decode row by row.


def _stream(engine: Engine, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    try:
        with engine.connect() as connection:
            result = connection.execution_options(yield_per=BATCH).execute(query)
            for row in result:
                yield tuple(row)
    except SQLAlchemyError as exc:
        raise StorageError(f"Lecture de la base impossible pendant l'export : {exc}") from exc


def _authority_ids(edition: str) -> Any:
    """Every collectivité the edition holds something for (results, scores, findings,
    social accounts or metrics): the ``collectivites`` table, so that every foreign key
    of the other tables finds its row."""
    return union(
        *(
            select(table.c.authority_id).where(table.c.edition_id == edition)
            for table in (check_results, scores, findings, social_profiles, social_metrics)
        )
    ).subquery()


def has_content(engine: Engine, edition: str) -> bool:
    """Whether the edition holds any result, score, finding or social account."""
    with engine.connect() as connection:
        for table in (check_results, scores, findings, social_profiles):
            query = select(table.c.authority_id).where(table.c.edition_id == edition).limit(1)
            if connection.execute(query).first() is not None:
                return True
    return False


def iter_authorities(engine: Engine, edition: str) -> Iterator[tuple[Any, ...]]:
    """``(id, kind, legal type, code, siren, name, population, region, departement, epci,
    epci_type, territory, website)`` by id; ``website`` is the primary site, else the first
    declared; the legal type is the kind's when none is recorded."""
    ids = _authority_ids(edition)
    site = (
        select(websites.c.url)
        .where(websites.c.authority_id == authorities.c.id)
        .order_by(websites.c.is_primary.desc(), websites.c.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            authorities.c.id,
            authorities.c.kind,
            func.coalesce(authorities.c.legal_type, authorities.c.kind),
            authorities.c.code,
            authorities.c.siren,
            authorities.c.name,
            authorities.c.population,
            authorities.c.region,
            authorities.c.departement,
            authorities.c.epci,
            authorities.c.epci_type,
            func.nullif(authorities.c.territory, ""),
            site,
        )
        .where(authorities.c.id.in_(select(ids.c.authority_id)))
        .order_by(authorities.c.id)
    )
    return _stream(engine, query)


def result_check_ids(engine: Engine, edition: str) -> list[str]:
    """The criteria the edition's results refer to (for the ``criteres`` table)."""
    query = (
        select(check_results.c.check_id)
        .where(check_results.c.edition_id == edition)
        .distinct()
        .order_by(check_results.c.check_id)
    )
    with engine.connect() as connection:
        return list(connection.scalars(query))


def iter_results(engine: Engine, edition: str) -> Iterator[tuple[Any, ...]]:
    """``(authority_id, check_id, status, value, confidence, reason, evidence,
    check_version, measured_at)`` by collectivité then criterion; ``evidence`` is the
    stored JSON text (a list of objects)."""
    c = check_results.c
    query = (
        select(
            c.authority_id,
            c.check_id,
            c.status,
            c.value,
            c.confidence,
            c.reason,
            cast(c.evidence, Text),
            c.check_version,
            c.measured_at,
        )
        .where(c.edition_id == edition)
        .order_by(c.authority_id, c.check_id)
    )
    return _stream(engine, query)


def iter_scores(engine: Engine, edition: str) -> Iterator[tuple[Any, ...]]:
    """``(authority_id, scope, value, coverage, grade, peer_group, rank)`` by collectivité
    then scope."""
    c = scores.c
    query = (
        select(c.authority_id, c.scope, c.value, c.coverage, c.grade, c.peer_group, c.rank)
        .where(c.edition_id == edition)
        .order_by(c.authority_id, c.scope)
    )
    return _stream(engine, query)


def iter_findings(engine: Engine, edition: str) -> Iterator[tuple[Any, ...]]:
    """``(authority_id, category, name, url, handle, confidence, evidence)`` by
    collectivité, in the order the audit found them."""
    c = findings.c
    query = (
        select(
            c.authority_id,
            c.category,
            c.name,
            c.url,
            c.handle,
            c.confidence,
            cast(c.evidence, Text),
        )
        .where(c.edition_id == edition)
        .order_by(c.authority_id, c.id)
    )
    return _stream(engine, query)


def iter_profiles(engine: Engine, edition: str) -> Iterator[tuple[Any, ...]]:
    """``(authority_id, platform, account_id, handle, url, state, source, fetched_at,
    display_name, description, followers, followers_exact, following, posts_count,
    created_at, last_post_at, verified_domain, moved_to, reason, found_at, found_url,
    ownership, links)`` by collectivité, platform, account."""
    c = social_profiles.c
    query = (
        select(
            c.authority_id,
            c.platform,
            c.account_id,
            c.handle,
            c.url,
            c.state,
            c.source,
            c.fetched_at,
            c.display_name,
            c.description,
            c.followers,
            c.followers_exact,
            c.following,
            c.posts_count,
            c.created_at,
            c.last_post_at,
            c.verified_domain,
            c.moved_to,
            c.reason,
            c.found_at,
            c.found_url,
            c.ownership,
            cast(c.links, Text),
        )
        .where(c.edition_id == edition)
        .order_by(c.authority_id, c.platform, c.account_id)
    )
    return _stream(engine, query)


def iter_metrics(engine: Engine, edition: str) -> Iterator[tuple[Any, ...]]:
    """``(authority_id, platform, account_id, metric, value, source, sample, detail)`` by
    collectivité, platform, account, metric.

    Only the metrics of an account that has its profile in the edition: a metric left
    behind by an account since replaced (renamed, re-identified) describes nothing the
    edition shows, and the public table keeps its foreign key to the accounts.
    """
    m, p = social_metrics.c, social_profiles.c
    has_profile = exists().where(
        p.edition_id == m.edition_id,
        p.authority_id == m.authority_id,
        p.platform == m.platform,
        p.account_id == m.account_id,
    )
    query = (
        select(m.authority_id, m.platform, m.account_id, m.metric, m.value, m.source, m.sample)
        .add_columns(cast(m.detail, Text))
        .where(m.edition_id == edition, has_profile)
        .order_by(m.authority_id, m.platform, m.account_id, m.metric)
    )
    return _stream(engine, query)


# --- the standalone public database -----------------------------------------------------

ColumnType = Literal["string", "integer", "number", "boolean", "datetime", "json"]


@dataclass(frozen=True, slots=True)
class PublicColumn:
    name: str
    type: ColumnType
    required: bool = False


@dataclass(frozen=True, slots=True)
class PublicForeignKey:
    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PublicTable:
    """A public table as the database sees it: columns, keys and indexes."""

    name: str
    columns: tuple[PublicColumn, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[PublicForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()


# Dates are ISO 8601 text and JSON is text: what SQLite and Datasette read natively.
_SQL_TYPES: dict[str, Any] = {
    "string": Text,
    "integer": Integer,
    "number": Float,
    "boolean": Boolean,
    "datetime": Text,
    "json": Text,
}


def _fast_load(dbapi_connection: Any, _record: Any) -> None:
    # The file is written under a temporary name and renamed once complete: a crash
    # leaves only a temporary file to delete, so no journal is needed while loading.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=OFF")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


class PublicDatabase:
    """A new SQLite file holding public tables: create, insert in batches, then
    :meth:`finish` (indexes, statistics) or :meth:`close` to give up."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._metadata = MetaData()
        self._tables: dict[str, tuple[Table, PublicTable, str]] = {}
        try:
            self._engine = create_engine(f"sqlite:///{path}")
            event.listen(self._engine, "connect", _fast_load)
            self._connection: Connection = self._engine.connect()
            self._connection.begin()
        except SQLAlchemyError as exc:
            raise StorageError(f"{path} : base publique impossible à créer ({exc}).") from exc

    def create(self, spec: PublicTable) -> None:
        try:
            self._create(spec)
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: SQLAlchemyError) -> StorageError:
        cause = getattr(exc, "orig", None) or exc
        return StorageError(f"{self.path} : écriture de la base publique impossible ({cause}).")

    def _create(self, spec: PublicTable) -> None:
        columns = [
            Column(c.name, _SQL_TYPES[c.type], nullable=not c.required) for c in spec.columns
        ]
        constraints: list[Any] = []
        if spec.primary_key:
            constraints.append(PrimaryKeyConstraint(*spec.primary_key))
        for fk in spec.foreign_keys:
            constraints.append(
                ForeignKeyConstraint(
                    list(fk.columns), [f"{fk.table}.{name}" for name in fk.references]
                )
            )
        table = Table(spec.name, self._metadata, *columns, *constraints)
        table.create(self._connection, checkfirst=False)
        statement = str(insert(table).compile(dialect=self._connection.dialect))
        self._tables[spec.name] = (table, spec, statement)

    def insert(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            # Positional rows straight to the driver's executemany: the fastest load.
            try:
                self._connection.exec_driver_sql(self._tables[name][2], list(map(tuple, rows)))
            except SQLAlchemyError as exc:
                raise self._error(exc) from exc

    def finish(self) -> None:
        """Build the indexes, gather the planner's statistics, commit and close."""
        try:
            # Indexes once the rows are in: one sort each instead of a b-tree per insert.
            for table, spec, _ in self._tables.values():
                for columns in spec.indexes:
                    name = f"ix_{table.name}_{'_'.join(columns)}"
                    Index(name, *(table.c[c] for c in columns)).create(self._connection)
            self._connection.exec_driver_sql("ANALYZE")
            self._connection.commit()
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc
        finally:
            self.close()

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()
