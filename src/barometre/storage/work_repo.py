"""Work of the task queue: one row per (edition, collectivité, task) with its state.

The queue (Procrastinate, on PostgreSQL) decides who runs what; these rows say, in the
barometer's own words, what is queued, running, done or failed, and why a task failed
(its last error, in French). Written by the tasks themselves, read by ``barometre status``
and by the edition's closing step. Works on SQLite too (the table exists everywhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from barometre.storage.schema import work

QUEUED = "queued"
RUNNING = "running"
RETRYING = "retrying"
DONE = "done"
FAILED = "failed"
STATES = (QUEUED, RUNNING, RETRYING, DONE, FAILED)
# A state in which the task will still do something (the edition is not finished).
PENDING = (QUEUED, RUNNING, RETRYING)
EDITION_STEP = ""  # authority_id of the edition's own steps


@dataclass(frozen=True)
class WorkItem:
    edition: str
    authority_id: str
    task: str
    state: str
    attempts: int
    worker: str | None
    message: str | None
    updated_at: datetime


def _item(row: Any) -> WorkItem:
    moment = row.updated_at
    return WorkItem(
        row.edition_id,
        row.authority_id,
        row.task,
        row.state,
        row.attempts,
        row.worker,
        row.message,
        moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment,
    )


def _upsert(engine: Engine, values: dict[str, Any], update_set: dict[str, Any]) -> None:
    with engine.begin() as connection:
        dialect: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(work).values(values)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[work.c.edition_id, work.c.authority_id, work.c.task],
                set_=update_set,
            )
        )


def plan(engine: Engine, edition: str, items: Iterable[tuple[str, str]]) -> int:
    """Queue (collectivité, task) pairs: new ones, and failed ones again; a task done or
    under way stays as it is. Returns how many were (re)queued."""
    wanted = list(dict.fromkeys(items))
    now = datetime.now(UTC)
    with engine.connect() as connection:
        known = {
            (r.authority_id, r.task): r.state
            for r in connection.execute(
                select(work.c.authority_id, work.c.task, work.c.state).where(
                    work.c.edition_id == edition
                )
            )
        }
    fresh = [
        {
            "edition_id": edition,
            "authority_id": a,
            "task": t,
            "state": QUEUED,
            "attempts": 0,
            "updated_at": now,
        }
        for a, t in wanted
        if (a, t) not in known
    ]
    again = [(a, t) for a, t in wanted if known.get((a, t)) == FAILED]
    with engine.begin() as connection:
        for start in range(0, len(fresh), 1000):
            connection.execute(work.insert(), fresh[start : start + 1000])
        for authority_id, task in again:
            connection.execute(
                update(work)
                .where(_key(edition, authority_id, task), work.c.state == FAILED)
                .values(state=QUEUED, message=None, updated_at=now)
            )
    return len(fresh) + len(again)


def _key(edition: str, authority_id: str, task: str) -> Any:
    return and_(
        work.c.edition_id == edition, work.c.authority_id == authority_id, work.c.task == task
    )


def mark(
    engine: Engine,
    edition: str,
    authority_id: str,
    task: str,
    state: str,
    *,
    worker: str | None = None,
    attempts: int | None = None,
    message: str | None = None,
) -> None:
    """Record a task's state (created when unknown): its worker, attempt and last error."""
    if state not in STATES:
        raise ValueError(f"unknown work state {state!r}")
    now = datetime.now(UTC)
    values: dict[str, Any] = {"state": state, "message": message, "updated_at": now}
    if worker is not None:
        values["worker"] = worker
    if attempts is not None:
        values["attempts"] = attempts
    _upsert(
        engine,
        {
            "edition_id": edition,
            "authority_id": authority_id,
            "task": task,
            "attempts": attempts or 0,
            **values,
        },
        values,
    )


def counts(engine: Engine, edition: str) -> dict[str, dict[str, int]]:
    """Task → state → number of collectivités (the edition's own steps included)."""
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(work.c.task, work.c.state, func.count())
            .where(work.c.edition_id == edition)
            .group_by(work.c.task, work.c.state)
        )
        for task, state, n in rows:
            out.setdefault(task, {})[state] = int(n)
    return out


def items(
    engine: Engine, edition: str, states: Iterable[str] | None = None, task: str | None = None
) -> list[WorkItem]:
    """The edition's rows (in some states, of one task), by collectivité and task."""
    query = select(work).where(work.c.edition_id == edition)
    if states is not None:
        query = query.where(work.c.state.in_(list(states)))
    if task is not None:
        query = query.where(work.c.task == task)
    with engine.connect() as connection:
        return [
            _item(r) for r in connection.execute(query.order_by(work.c.authority_id, work.c.task))
        ]


def pending(engine: Engine, edition: str) -> int:
    """How many tasks of the edition's collectivités are queued, running or retrying."""
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count()).where(
                    work.c.edition_id == edition,
                    work.c.authority_id != EDITION_STEP,
                    work.c.state.in_(PENDING),
                )
            )
            or 0
        )
