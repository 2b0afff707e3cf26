"""Scores of an edition (global, per dimension, social indexes) and grade calibrations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from barometre.models import Status
from barometre.storage.audit_repo import assert_writable
from barometre.storage.schema import check_results, grade_bands, scores, websites


@dataclass(frozen=True, slots=True)
class ScoreRow:
    authority_id: str
    scope: str  # "global", a dimension id, or "social:<platform>"
    value: float | None
    coverage: float
    grade: str | None = None
    peer_group: str | None = None
    rank: int | None = None


def iter_results(
    engine: Engine, edition: str
) -> Iterator[tuple[str, list[tuple[str, Status, float | None]]]]:
    """``(authority_id, [(check_id, status, value)…])`` for every audited collectivité,
    streamed in authority order (the national edition never sits whole in memory)."""
    query = (
        select(
            check_results.c.authority_id,
            check_results.c.check_id,
            check_results.c.status,
            check_results.c.value,
        )
        .where(check_results.c.edition_id == edition)
        .order_by(check_results.c.authority_id)
        .execution_options(yield_per=5000)
    )
    current: str | None = None
    batch: list[tuple[str, Status, float | None]] = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            if row[0] != current:
                if current is not None:
                    yield current, batch
                current, batch = row[0], []
            batch.append((row[1], Status(row[2]), row[3]))
    if current is not None:
        yield current, batch


def replace_scores(engine: Engine, edition: str, rows: Sequence[ScoreRow]) -> None:
    """All the edition's scores, replaced in one transaction."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        connection.execute(delete(scores).where(scores.c.edition_id == edition))
        values: list[dict[str, Any]] = [
            {
                "edition_id": edition,
                "authority_id": r.authority_id,
                "scope": r.scope,
                "value": None if r.value is None else round(r.value, 4),
                "coverage": round(min(1.0, max(0.0, r.coverage)), 6),
                "grade": r.grade,
                "peer_group": r.peer_group,
                "rank": r.rank,
            }
            for r in rows
        ]
        for start in range(0, len(values), 5000):
            connection.execute(insert(scores), values[start : start + 5000])


def load_scores(
    engine: Engine,
    edition: str,
    *,
    authority_id: str | None = None,
    scope: str | None = None,
) -> list[ScoreRow]:
    query = select(scores).where(scores.c.edition_id == edition)
    if authority_id is not None:
        query = query.where(scores.c.authority_id == authority_id)
    if scope is not None:
        query = query.where(scores.c.scope == scope)
    with engine.connect() as connection:
        return [
            ScoreRow(r.authority_id, r.scope, r.value, r.coverage, r.grade, r.peer_group, r.rank)
            for r in connection.execute(query.order_by(scores.c.authority_id, scores.c.scope))
        ]


def calibration(
    engine: Engine, methodology_version: str, edition: str | None = None
) -> tuple[str, tuple[float, ...]] | None:
    """The grade bands kept for a methodology version: those calibrated on ``edition``
    if given, else the earliest national calibration."""
    query = select(grade_bands.c.edition_id, grade_bands.c.bands).where(
        grade_bands.c.methodology_version == methodology_version
    )
    if edition is not None:
        query = query.where(grade_bands.c.edition_id == edition)
    with engine.connect() as connection:
        row = connection.execute(query.order_by(grade_bands.c.calibrated_at)).first()
    return (row[0], tuple(float(b) for b in row[1])) if row is not None else None


def keep_calibration(
    engine: Engine,
    methodology_version: str,
    edition: str,
    bands: Sequence[float],
    population: int,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            delete(grade_bands).where(
                grade_bands.c.methodology_version == methodology_version,
                grade_bands.c.edition_id == edition,
            )
        )
        connection.execute(
            insert(grade_bands).values(
                methodology_version=methodology_version,
                edition_id=edition,
                bands=list(bands),
                population=population,
                calibrated_at=datetime.now(UTC),
            )
        )


def forget_calibration(engine: Engine, methodology_version: str, edition: str) -> None:
    """Drop the bands once calibrated on ``edition`` (it no longer qualifies)."""
    with engine.begin() as connection:
        connection.execute(
            delete(grade_bands).where(
                grade_bands.c.methodology_version == methodology_version,
                grade_bands.c.edition_id == edition,
            )
        )


def site_measured(engine: Engine, edition: str, site_criteria: Sequence[str]) -> set[str]:
    """Collectivités with a declared site and a stored result for one of
    ``site_criteria`` (:func:`barometre.methodology.policy.site_criteria`): those whose
    site the edition captured."""
    if not site_criteria:
        return set()
    query = (
        select(check_results.c.authority_id)
        .where(
            check_results.c.edition_id == edition,
            check_results.c.check_id.in_(list(site_criteria)),
            check_results.c.authority_id.in_(select(websites.c.authority_id)),
        )
        .distinct()
    )
    with engine.connect() as connection:
        return set(connection.scalars(query))


def result_values(
    engine: Engine, edition: str, check_ids: Sequence[str]
) -> dict[str, dict[str, tuple[Status, float | None]]]:
    """``authority_id → {check_id: (status, value)}`` of the given criteria (the registry
    indicators of :mod:`barometre.methodology.policy`)."""
    out: dict[str, dict[str, tuple[Status, float | None]]] = {}
    query = (
        select(
            check_results.c.authority_id,
            check_results.c.check_id,
            check_results.c.status,
            check_results.c.value,
        )
        .where(check_results.c.edition_id == edition, check_results.c.check_id.in_(check_ids))
        .execution_options(yield_per=10000)
    )
    with engine.connect() as connection:
        for authority_id, check_id, status, value in connection.execute(query):
            out.setdefault(authority_id, {})[check_id] = (Status(status), value)
    return out
