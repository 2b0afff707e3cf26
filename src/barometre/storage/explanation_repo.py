"""Explanations and disputes of collectivités about their results (comply-or-explain).

They live outside editions (no ``edition_id``): a frozen edition's results never change,
and the explanations received after its freeze are still shown beside them. Nothing
here touches ``check_results``: an explanation is shown beside a result, never in it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, and_, insert, select, update

from barometre.storage.schema import authorities, explanations

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Explanation:
    """One explanation (``kind = "explanation"``) or dispute (``"dispute"``) of a
    collectivité about one criterion, valid from ``received_on`` to ``expires_on``."""

    authority_id: str
    check_id: str
    kind: str
    text: str
    received_on: date
    expires_on: date
    author: str | None = None
    source: str = ""
    line: int | None = None  # line of the source file it was read from (not stored)

    @property
    def key(self) -> tuple[str, str, str, date]:
        """What identifies it in storage (one per collectivité, criterion, kind, day)."""
        return (self.authority_id, self.check_id, self.kind, self.received_on)


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def _row(item: Explanation) -> dict[str, Any]:
    return {
        "authority_id": item.authority_id,
        "check_id": item.check_id,
        "kind": item.kind,
        "text": item.text,
        "author": item.author,
        "received_on": item.received_on,
        "expires_on": item.expires_on,
        "source": item.source,
    }


def _explanation(row: Any) -> Explanation:
    return Explanation(
        authority_id=row.authority_id,
        check_id=row.check_id,
        kind=row.kind,
        text=row.text,
        received_on=row.received_on,
        expires_on=row.expires_on,
        author=row.author,
        source=row.source,
    )


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def known_authorities(engine: Engine, ids: Collection[str]) -> set[str]:
    """The ids among ``ids`` that name an active collectivité of the registry."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    with engine.connect() as connection:
        for chunk in _chunks(wanted):
            found.update(
                connection.scalars(
                    select(authorities.c.id).where(
                        authorities.c.id.in_(chunk), authorities.c.active.is_(True)
                    )
                )
            )
    return found


def store(engine: Engine, items: Sequence[Explanation]) -> ImportReport:
    """Add the explanations, in one transaction. One already stored (same collectivité,
    criterion, kind and day of receipt) with the same text, author and expiry is left as
    it is, so importing a file twice changes nothing; with another text, author or
    expiry it is updated (a corrected file)."""
    report = ImportReport()
    ids = sorted({item.authority_id for item in items})
    with engine.begin() as connection:
        stored: dict[tuple[str, str, str, date], Any] = {}
        for chunk in _chunks(ids):
            for row in connection.execute(
                select(explanations).where(explanations.c.authority_id.in_(chunk))
            ):
                stored[(row.authority_id, row.check_id, row.kind, row.received_on)] = row
        fresh: dict[tuple[str, str, str, date], dict[str, Any]] = {}
        for item in items:
            found = stored.get(item.key)
            if found is None:
                if item.key not in fresh:
                    report.added += 1
                fresh[item.key] = _row(item)  # the last of repeated keys wins
            elif (found.text, found.author, found.expires_on) == (
                item.text,
                item.author,
                item.expires_on,
            ):
                report.unchanged += 1
            else:
                connection.execute(
                    update(explanations)
                    .where(explanations.c.id == found.id)
                    .values(
                        text=item.text,
                        author=item.author,
                        expires_on=item.expires_on,
                        source=item.source,
                    )
                )
                report.updated += 1
        if fresh:
            connection.execute(insert(explanations), list(fresh.values()))
    return report


def _ordered(query: Any) -> Any:
    return query.order_by(
        explanations.c.authority_id,
        explanations.c.check_id,
        explanations.c.received_on.desc(),
        explanations.c.kind,
        explanations.c.id,
    )


def load(
    engine: Engine,
    *,
    authority_ids: Collection[str] | None = None,
    check_id: str | None = None,
) -> list[Explanation]:
    """Every stored explanation (of the given collectivités, of one criterion), whatever
    its dates, newest first for each result."""
    query = select(explanations)
    if check_id is not None:
        query = query.where(explanations.c.check_id == check_id)
    with engine.connect() as connection:
        if authority_ids is None:
            return [_explanation(r) for r in connection.execute(_ordered(query))]
        out: list[Explanation] = []
        for chunk in _chunks(sorted(set(authority_ids))):
            rows = connection.execute(_ordered(query.where(explanations.c.authority_id.in_(chunk))))
            out.extend(_explanation(r) for r in rows)
        return out


def _in_force(on: date) -> Any:
    return and_(explanations.c.received_on <= on, explanations.c.expires_on >= on)


def current(engine: Engine, authority_id: str, check_id: str, on: date) -> list[Explanation]:
    """The explanations in force on ``on`` (received on or before it, expiring on or
    after it) for one result, newest first."""
    query = select(explanations).where(
        explanations.c.authority_id == authority_id,
        explanations.c.check_id == check_id,
        _in_force(on),
    )
    with engine.connect() as connection:
        return [_explanation(r) for r in connection.execute(_ordered(query))]


def current_many(
    engine: Engine,
    on: date,
    authority_ids: Collection[str] | None = None,
    *,
    with_expired: bool = False,
) -> dict[tuple[str, str], list[Explanation]]:
    """In one pass (publishing every report card of an edition): the explanations in
    force on ``on``, per ``(authority_id, check_id)``; with ``with_expired``, the
    expired ones too (so that a page can say an explanation has expired)."""
    condition = explanations.c.received_on <= on if with_expired else _in_force(on)
    query = select(explanations).where(condition)
    out: dict[tuple[str, str], list[Explanation]] = {}
    chunks: list[Sequence[str] | None] = (
        [None] if authority_ids is None else list(_chunks(sorted(set(authority_ids))))
    )
    with engine.connect() as connection:
        for chunk in chunks:
            selected = (
                query if chunk is None else query.where(explanations.c.authority_id.in_(chunk))
            )
            for row in connection.execute(_ordered(selected)):
                out.setdefault((row.authority_id, row.check_id), []).append(_explanation(row))
    return out
