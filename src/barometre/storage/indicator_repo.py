"""Reads behind the indicator catalogue (:mod:`barometre.indicators`), and the stored
indicator values of each edition (the series).

The reads return plain rows of one edition: the collectivités in it (those with at
least one criterion result), their criterion statuses, their findings, their social
accounts and account metrics. The computation is done in Python, indicator by
indicator, by :mod:`barometre.indicators.compute`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, literal, not_, or_, select

from barometre.storage.schema import (
    authorities,
    check_results,
    editions,
    findings,
    indicator_values,
    social_metrics,
    social_profiles,
    websites,
)


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: str
    kind: str
    code: str
    name: str
    population: int | None
    region: str | None
    departement: str | None
    epci_type: str | None
    has_site: bool


def members(engine: Engine, edition: str) -> list[MemberRow]:
    """The collectivités of ``edition`` (at least one criterion result)."""
    in_edition = (
        select(literal(1))
        .where(
            check_results.c.edition_id == edition,
            check_results.c.authority_id == authorities.c.id,
        )
        .exists()
    )
    has_site = select(literal(1)).where(websites.c.authority_id == authorities.c.id).exists()
    query = (
        select(
            authorities.c.id,
            authorities.c.kind,
            authorities.c.code,
            authorities.c.name,
            authorities.c.population,
            authorities.c.region,
            authorities.c.departement,
            authorities.c.epci_type,
            has_site.label("site"),
        )
        .where(in_edition)
        .order_by(authorities.c.id)
    )
    with engine.connect() as connection:
        return [
            MemberRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))
            for r in connection.execute(query)
        ]


def statuses(engine: Engine, edition: str) -> Iterator[tuple[str, str, str]]:
    """``(authority_id, check_id, status)`` of every stored result of the edition."""
    query = select(
        check_results.c.authority_id, check_results.c.check_id, check_results.c.status
    ).where(check_results.c.edition_id == edition)
    with engine.connect() as connection:
        for row in connection.execute(query):
            yield row[0], row[1], row[2]


def finding_names(engine: Engine, edition: str) -> list[tuple[str, str, str, str | None]]:
    """``(authority_id, category, name, handle)`` of the edition's findings (distinct)."""
    query = (
        select(findings.c.authority_id, findings.c.category, findings.c.name, findings.c.handle)
        .where(findings.c.edition_id == edition)
        .distinct()
    )
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3]) for r in connection.execute(query)]


def profiles(engine: Engine, edition: str) -> list[tuple[str, str, str, str, int | None]]:
    """``(authority_id, platform, account_id, state, followers)`` read in the edition."""
    query = select(
        social_profiles.c.authority_id,
        social_profiles.c.platform,
        social_profiles.c.account_id,
        social_profiles.c.state,
        social_profiles.c.followers,
    ).where(social_profiles.c.edition_id == edition)
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3], r[4]) for r in connection.execute(query)]


def metrics(
    engine: Engine, edition: str, names: list[str]
) -> list[tuple[str, str, str, str, float | None]]:
    """``(authority_id, platform, account_id, metric, value)`` of the named metrics."""
    query = select(
        social_metrics.c.authority_id,
        social_metrics.c.platform,
        social_metrics.c.account_id,
        social_metrics.c.metric,
        social_metrics.c.value,
    ).where(social_metrics.c.edition_id == edition, social_metrics.c.metric.in_(names))
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3], r[4]) for r in connection.execute(query)]


def metrics_with_samples(
    engine: Engine, edition: str, names: list[str]
) -> list[tuple[str, str, str, str, float | None, int | None]]:
    """``(authority_id, platform, account_id, metric, value, sample)`` of the named metrics."""
    query = select(
        social_metrics.c.authority_id,
        social_metrics.c.platform,
        social_metrics.c.account_id,
        social_metrics.c.metric,
        social_metrics.c.value,
        social_metrics.c.sample,
    ).where(social_metrics.c.edition_id == edition, social_metrics.c.metric.in_(names))
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in connection.execute(query)]


# --- stored values (the series) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredValue:
    edition: str
    period: str
    indicator: str
    group: str
    numerator: float
    denominator: int
    measured: int
    eligible: int
    unit: str
    value: float | None
    detail: dict[str, Any]


def replace_values(engine: Engine, edition: str, period: str, values: Iterable[StoredValue]) -> int:
    """Replace every stored value of ``edition`` (one transaction)."""
    now = datetime.now(UTC)
    rows = [
        {
            "edition_id": edition,
            "indicator_id": v.indicator,
            "group_key": v.group,
            "period": period,
            "numerator": v.numerator,
            "denominator": v.denominator,
            "measured": v.measured,
            "eligible": v.eligible,
            "unit": v.unit,
            "value": v.value,
            "detail": v.detail,
            "computed_at": now,
        }
        for v in values
    ]
    with engine.begin() as connection:
        connection.execute(delete(indicator_values).where(indicator_values.c.edition_id == edition))
        if rows:
            connection.execute(insert(indicator_values), rows)
    return len(rows)


def _stored(row: Any) -> StoredValue:
    return StoredValue(
        row.edition_id,
        row.period,
        row.indicator_id,
        row.group_key,
        float(row.numerator),
        int(row.denominator),
        int(row.measured),
        int(row.eligible),
        row.unit,
        row.value,
        dict(row.detail or {}),
    )


def stored_values(engine: Engine, edition: str) -> list[StoredValue]:
    query = (
        select(indicator_values)
        .where(indicator_values.c.edition_id == edition)
        .order_by(indicator_values.c.indicator_id, indicator_values.c.group_key)
    )
    with engine.connect() as connection:
        return [_stored(r) for r in connection.execute(query)]


def group_values(
    engine: Engine, editions_: Iterable[str], area_prefixes: Iterable[str] = ()
) -> list[StoredValue]:
    """The stored values of several editions (the points of the series), without the
    area groups (``<prefix>:<code>``) of the maps; oldest period first."""
    areas = [indicator_values.c.group_key.like(f"{p}:%") for p in area_prefixes]
    query = select(indicator_values).where(indicator_values.c.edition_id.in_(list(editions_)))
    if areas:
        query = query.where(not_(or_(*areas)))
    query = query.order_by(
        indicator_values.c.indicator_id, indicator_values.c.group_key, indicator_values.c.period
    )
    with engine.connect() as connection:
        return [_stored(r) for r in connection.execute(query)]


def periods(engine: Engine, demo: bool) -> list[tuple[str, str]]:
    """``(period, edition)`` of every edition with stored values, oldest first (demo
    editions and real ones are separate series)."""
    query = (
        select(indicator_values.c.period, indicator_values.c.edition_id)
        .join(editions, editions.c.id == indicator_values.c.edition_id)
        .where(editions.c.demo.is_(demo))
        .distinct()
        .order_by(indicator_values.c.period, indicator_values.c.edition_id)
    )
    with engine.connect() as connection:
        return [(r[0], r[1]) for r in connection.execute(query)]


def series(engine: Engine, indicator: str, group: str, demo: bool) -> list[StoredValue]:
    """One indicator over one group, edition by edition, oldest first."""
    query = (
        select(indicator_values)
        .join(editions, editions.c.id == indicator_values.c.edition_id)
        .where(
            indicator_values.c.indicator_id == indicator,
            indicator_values.c.group_key == group,
            editions.c.demo.is_(demo),
        )
        .order_by(indicator_values.c.period)
    )
    with engine.connect() as connection:
        return [_stored(r) for r in connection.execute(query)]


def follower_pairs(
    engine: Engine, edition: str, previous: str
) -> list[tuple[str, str, str, str, int, int, str, str, str]]:
    """Accounts read in both editions with a follower count in each: ``(authority_id,
    platform, account_id, handle, followers before, followers now, source before,
    source now, url)``."""
    before = social_profiles.alias("before")
    now = social_profiles.alias("now")
    query = (
        select(
            now.c.authority_id,
            now.c.platform,
            now.c.account_id,
            now.c.handle,
            before.c.followers,
            now.c.followers,
            before.c.source,
            now.c.source,
            now.c.url,
        )
        .join(
            before,
            (before.c.authority_id == now.c.authority_id)
            & (before.c.platform == now.c.platform)
            & (before.c.account_id == now.c.account_id),
        )
        .where(
            now.c.edition_id == edition,
            before.c.edition_id == previous,
            now.c.followers.is_not(None),
            before.c.followers.is_not(None),
        )
        .order_by(now.c.authority_id, now.c.platform, now.c.account_id)
    )
    with engine.connect() as connection:
        return [
            (r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), r[6], r[7], r[8])
            for r in connection.execute(query)
        ]
