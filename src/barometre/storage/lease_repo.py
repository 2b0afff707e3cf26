"""Leases: one writer per (edition, collectivité) at a time, on SQLite and PostgreSQL alike.

A lease names its owner (host, pid, a random token, and the node where that pid means
something), when it was taken and when it expires. It is taken atomically before a
collectivité's work starts (``INSERT … ON CONFLICT DO NOTHING``, or a compare-and-swap
``UPDATE`` of a lease that expired or whose owner died on this node), renewed while the
work goes on, and released at the end. An owner that dies without releasing (``kill -9``,
power loss) loses its leases when they expire, or at once for an owner on this node whose
process is gone.

The API is independent of the command line and of the stage doing the work: the capture
takes ``task="capture"`` leases today; a task queue (one owner per task) can take the
same ones, keyed by (edition, collectivité), so that a duplicate delivery or a dead
worker neither loses nor duplicates anything. Times come from the caller's clock (UTC):
the workers of one installation keep their clocks in step (NTP), and a lease lasts far
longer than their drift.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from barometre.errors import LeaseLostError, StorageError
from barometre.storage.schema import leases

DEFAULT_TTL = 120.0  # seconds; owners renew every quarter of it
CAPTURE = "capture"


def _node() -> str:
    """Where a pid can be checked: this boot of the kernel and this PID namespace.

    Empty when the system does not tell (then only expiry frees a dead owner's leases)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = str(Path("/proc/self/ns/pid").readlink())
    except OSError:
        return ""
    return f"{boot}/{namespace}"[:128]


@dataclass(frozen=True)
class LeaseOwner:
    """Who holds leases: one per process run, or one per task of a task queue."""

    host: str
    pid: int
    token: str
    node: str = ""

    @classmethod
    def current(cls) -> LeaseOwner:
        """A new owner for this process (a fresh random token each time)."""
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(16), _node())

    def describe(self) -> str:
        return f"processus {self.pid} sur {self.host}"

    def alive(self) -> bool | None:
        """Whether the owning process still runs, or ``None`` when this node cannot tell
        (another machine, another PID namespace, or no node known)."""
        here = _node()
        if not self.node or self.node != here:
            return None
        if self.pid == os.getpid():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # exists, owned by another user
            return True
        return True


@dataclass(frozen=True)
class Lease:
    edition: str
    authority_id: str
    task: str
    owner: LeaseOwner
    taken_at: datetime
    renewed_at: datetime
    expires_at: datetime

    def held_by(self, owner: LeaseOwner) -> bool:
        return self.owner.token == owner.token

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or datetime.now(UTC))

    def describe(self) -> str:
        """French, for messages: who holds it and until when."""
        return (
            f"{self.authority_id} : {self.task} par le {self.owner.describe()}, depuis le "
            f"{_local(self.taken_at)}, bail jusqu'au {_local(self.expires_at)}"
        )


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%d/%m/%Y à %H:%M:%S")


def _utc(value: datetime) -> datetime:
    # SQLite gives the stored UTC wall time back without its zone.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _lease(row: Any) -> Lease:
    return Lease(
        edition=row.edition_id,
        authority_id=row.authority_id,
        task=row.task,
        owner=LeaseOwner(row.owner_host, row.owner_pid, row.owner_token, row.owner_node),
        taken_at=_utc(row.taken_at),
        renewed_at=_utc(row.renewed_at),
        expires_at=_utc(row.expires_at),
    )


def _key(edition: str, authority_id: str) -> Any:
    return and_(leases.c.edition_id == edition, leases.c.authority_id == authority_id)


def _owner_values(owner: LeaseOwner) -> dict[str, Any]:
    return {
        "owner_host": owner.host,
        "owner_pid": owner.pid,
        "owner_token": owner.token,
        "owner_node": owner.node,
    }


def _insert_if_free(connection: Connection, values: dict[str, Any]) -> bool:
    name = connection.dialect.name
    if name == "postgresql":
        statement: Any = postgresql.insert(leases).values(values).on_conflict_do_nothing()
    elif name == "sqlite":
        statement = sqlite.insert(leases).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - SQLite and PostgreSQL are the supported databases
        statement = insert(leases).values(values)
    try:
        # RETURNING says whether the row went in (rowcount is not reliable here).
        inserted = connection.execute(statement.returning(leases.c.owner_token)).first()
    except IntegrityError as exc:
        raise StorageError(
            f"Bail impossible pour {values['authority_id']} dans l'édition "
            f"{values['edition_id']} : édition ou collectivité inconnue."
        ) from exc
    return inserted is not None


def acquire(
    engine: Engine,
    owner: LeaseOwner,
    edition: str,
    authority_id: str,
    *,
    task: str = CAPTURE,
    ttl: float = DEFAULT_TTL,
    now: datetime | None = None,
) -> Lease:
    """Take the lease on (edition, collectivité), or return the one standing in the way.

    The caller holds it when ``lease.held_by(owner)``. Taking it again renews it. A lease
    that expired, or whose owner's process is gone from this node, is taken over."""
    for _ in range(5):  # a lease released between two statements: try again
        moment = now or datetime.now(UTC)
        values = {
            "edition_id": edition,
            "authority_id": authority_id,
            "task": task,
            **_owner_values(owner),
            "taken_at": moment,
            "renewed_at": moment,
            "expires_at": moment + timedelta(seconds=ttl),
        }
        with engine.begin() as connection:
            if _insert_if_free(connection, values):
                return _lease(_row(connection, edition, authority_id))
        with engine.connect() as connection:
            row = _row(connection, edition, authority_id)
        if row is None:
            continue
        current = _lease(row)
        if current.held_by(owner):
            renewed = renew(
                engine, owner, ttl=ttl, now=moment, edition=edition, keys=[authority_id]
            )
            if renewed:
                return renewed[0]
            continue
        if not current.expired(moment) and current.owner.alive() is not False:
            return current
        # Compare and swap: only if nobody renewed or took it since it was read.
        with engine.begin() as connection:
            taken = connection.execute(
                update(leases)
                .where(
                    _key(edition, authority_id),
                    leases.c.owner_token == current.owner.token,
                    leases.c.expires_at == row.expires_at,
                )
                .values(
                    {k: v for k, v in values.items() if k not in ("edition_id", "authority_id")}
                )
            ).rowcount
            if taken:
                return _lease(_row(connection, edition, authority_id))
    with engine.connect() as connection:
        row = _row(connection, edition, authority_id)
    if row is None:  # pragma: no cover - five releases in a row
        raise StorageError(f"Bail impossible à prendre pour {authority_id} ({edition}).")
    return _lease(row)


def _row(connection: Connection, edition: str, authority_id: str) -> Any:
    return connection.execute(select(leases).where(_key(edition, authority_id))).first()


def renew(
    engine: Engine,
    owner: LeaseOwner,
    *,
    ttl: float = DEFAULT_TTL,
    now: datetime | None = None,
    edition: str | None = None,
    keys: list[str] | None = None,
) -> list[Lease]:
    """Push back the expiry of the owner's leases (of one edition, or some collectivités);
    returns those it still holds (a lease taken over after expiring is not among them)."""
    moment = now or datetime.now(UTC)
    where = [leases.c.owner_token == owner.token]
    if edition is not None:
        where.append(leases.c.edition_id == edition)
    if keys is not None:
        where.append(leases.c.authority_id.in_(keys))
    with engine.begin() as connection:
        connection.execute(
            update(leases)
            .where(*where)
            .values(renewed_at=moment, expires_at=moment + timedelta(seconds=ttl))
        )
        rows = connection.execute(select(leases).where(*where).order_by(leases.c.authority_id))
        return [_lease(r) for r in rows]


def release(
    engine: Engine, owner: LeaseOwner, edition: str | None = None, authority_id: str | None = None
) -> int:
    """Give back the owner's leases (all, one edition's, or one); the count released."""
    where = [leases.c.owner_token == owner.token]
    if edition is not None:
        where.append(leases.c.edition_id == edition)
    if authority_id is not None:
        where.append(leases.c.authority_id == authority_id)
    with engine.begin() as connection:
        return int(connection.execute(delete(leases).where(*where)).rowcount)


def list_leases(engine: Engine, edition: str | None = None) -> list[Lease]:
    """Every lease in the database (of one edition), expired ones included."""
    query = select(leases).order_by(leases.c.edition_id, leases.c.authority_id)
    if edition is not None:
        query = query.where(leases.c.edition_id == edition)
    with engine.connect() as connection:
        return [_lease(r) for r in connection.execute(query)]


@contextmanager
def held(
    engine: Engine,
    owner: LeaseOwner,
    edition: str,
    authority_id: str,
    *,
    ttl: float = DEFAULT_TTL,
    now: datetime | None = None,
) -> Iterator[Connection]:
    """A transaction that holds the lease for its whole length (its row is locked by the
    renewal that opens it), for the writes that must only happen under the lease.

    Raises :class:`LeaseLostError` when another owner took the lease over."""
    moment = now or datetime.now(UTC)
    with engine.begin() as connection:
        kept = connection.execute(
            update(leases)
            .where(_key(edition, authority_id), leases.c.owner_token == owner.token)
            .values(renewed_at=moment, expires_at=moment + timedelta(seconds=ttl))
        ).rowcount
        if not kept:
            row = _row(connection, edition, authority_id)
            holder = f" ; il est au {_lease(row).owner.describe()}" if row is not None else ""
            raise LeaseLostError(
                f"{authority_id} : le bail de l'édition {edition} a expiré et a été repris"
                f"{holder} ; ce travail est abandonné."
            )
        yield connection
