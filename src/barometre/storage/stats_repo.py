"""Aggregate queries behind the national figures (``barometre stats``).

Everything is counted in SQL, grouped by type of collectivité (and, where the
methodology's applicability rules need it, by population bucket): the national edition
holds ~36,000 collectivités and up to ~1.5 million results, and none of it is loaded
row by row except the global scores (one per collectivité).

"In the edition" means: the collectivité has at least one criterion result in it (the
set the scoring scores).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, case, func, literal, or_, select, union
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from barometre.storage.schema import (
    authorities,
    check_results,
    findings,
    scores,
    social_metrics,
    social_profiles,
    websites,
)

MEASURED = ("pass", "partial", "fail")


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One global score with what the figures need of its collectivité."""

    kind: str
    code: str
    population: int | None
    peer_group: str | None
    value: float | None
    coverage: float
    grade: str | None


def _in_edition(edition: str) -> ColumnElement[bool]:
    return (
        select(literal(1))
        .where(
            check_results.c.edition_id == edition,
            check_results.c.authority_id == authorities.c.id,
        )
        .exists()
    )


def _has_site() -> ColumnElement[bool]:
    return select(literal(1)).where(websites.c.authority_id == authorities.c.id).exists()


def _bucket(thresholds: Sequence[int]) -> ColumnElement[int]:
    """Index of the population bucket: -1 unknown, i for ``thresholds[i-1] ≤ p < thresholds[i]``."""
    population = authorities.c.population
    whens: list[tuple[ColumnElement[bool], int]] = [(population.is_(None), -1)]
    whens += [(population < t, i) for i, t in enumerate(thresholds)]
    return case(*whens, else_=len(thresholds))


def has_results(engine: Engine, edition: str) -> bool:
    with engine.connect() as connection:
        row = connection.execute(
            select(check_results.c.authority_id)
            .where(check_results.c.edition_id == edition)
            .limit(1)
        ).first()
    return row is not None


def population_groups(
    engine: Engine, edition: str, thresholds: Sequence[int]
) -> list[tuple[str, int, bool, int]]:
    """``(kind, population bucket, has a declared site, collectivités)`` in the edition."""
    inner = (
        select(
            authorities.c.kind.label("kind"),
            _bucket(thresholds).label("bucket"),
            _has_site().label("site"),
        )
        .where(_in_edition(edition))
        .subquery()
    )
    query = select(inner.c.kind, inner.c.bucket, inner.c.site, func.count()).group_by(
        inner.c.kind, inner.c.bucket, inner.c.site
    )
    with engine.connect() as connection:
        return [(r[0], int(r[1]), bool(r[2]), int(r[3])) for r in connection.execute(query)]


def stored_groups(
    engine: Engine, edition: str, check_ids: Sequence[str], thresholds: Sequence[int]
) -> list[tuple[str, int, bool, str, str, int]]:
    """``(kind, population bucket, has a site, check_id, status, results)`` of the
    stored results of the given criteria."""
    sited = select(websites.c.authority_id).distinct().subquery()
    query = (
        select(
            authorities.c.kind,
            _bucket(thresholds).label("bucket"),
            sited.c.authority_id.is_not(None).label("site"),
            check_results.c.check_id,
            check_results.c.status,
            func.count(),
        )
        .select_from(check_results)
        .join(authorities, authorities.c.id == check_results.c.authority_id)
        .outerjoin(sited, sited.c.authority_id == check_results.c.authority_id)
        .where(check_results.c.edition_id == edition, check_results.c.check_id.in_(check_ids))
        .group_by(
            authorities.c.kind,
            "bucket",
            "site",
            check_results.c.check_id,
            check_results.c.status,
        )
    )
    with engine.connect() as connection:
        return [
            (r[0], int(r[1]), bool(r[2]), r[3], r[4], int(r[5])) for r in connection.execute(query)
        ]


@dataclass(frozen=True, slots=True)
class Presence:
    measured: dict[str, int]  # kind → collectivités whose accounts could be found
    on_platform: dict[tuple[str, str], int]  # (kind, platform) → with an account there
    on_any: dict[str, int]  # kind → with at least one account


def social_presence(
    engine: Engine, edition: str, platforms: Sequence[str], discovery_check: str
) -> Presence:
    """Accounts per type and platform: discovered on the site (findings ``social``) or
    read by the social stage (profiles). A collectivité counts as measured when the
    discovery criterion (``discovery_check``) was measured on its site, or when the
    social layer holds one of its accounts."""
    pairs = union(
        select(findings.c.authority_id, findings.c.name.label("platform")).where(
            findings.c.edition_id == edition,
            findings.c.category == "social",
            findings.c.name.in_(platforms),
        ),
        select(social_profiles.c.authority_id, social_profiles.c.platform.label("platform")).where(
            social_profiles.c.edition_id == edition, social_profiles.c.platform.in_(platforms)
        ),
    ).subquery()
    joined = (
        select(authorities.c.kind, pairs.c.authority_id, pairs.c.platform)
        .join(authorities, authorities.c.id == pairs.c.authority_id)
        .where(_in_edition(edition))
        .subquery()
    )
    discovered = (
        select(literal(1))
        .where(
            check_results.c.edition_id == edition,
            check_results.c.authority_id == authorities.c.id,
            check_results.c.check_id == discovery_check,
            check_results.c.status.in_(MEASURED),
        )
        .exists()
    )
    profiled = (
        select(literal(1))
        .where(
            social_profiles.c.edition_id == edition,
            social_profiles.c.authority_id == authorities.c.id,
        )
        .exists()
    )
    with engine.connect() as connection:
        on_platform = {
            (r[0], r[1]): int(r[2])
            for r in connection.execute(
                select(joined.c.kind, joined.c.platform, func.count()).group_by(
                    joined.c.kind, joined.c.platform
                )
            )
        }
        on_any = {
            r[0]: int(r[1])
            for r in connection.execute(
                select(joined.c.kind, func.count(func.distinct(joined.c.authority_id))).group_by(
                    joined.c.kind
                )
            )
        }
        measured = {
            r[0]: int(r[1])
            for r in connection.execute(
                select(authorities.c.kind, func.count())
                .where(_in_edition(edition), or_(discovered, profiled))
                .group_by(authorities.c.kind)
            )
        }
    return Presence(measured, on_platform, on_any)


@dataclass(frozen=True, slots=True)
class TopCommune:
    authority_id: str
    population: int
    statuses: dict[str, str]  # check_id → status, for the criteria asked
    apps: int  # mobile applications discovered (findings ``app``)


def top_communes(
    engine: Engine, edition: str, limit: int, check_ids: Sequence[str]
) -> list[TopCommune]:
    """The ``limit`` most populous communes of the edition (ties: by code), with their
    results for ``check_ids`` and their discovered applications."""
    query = (
        select(authorities.c.id, authorities.c.population)
        .where(
            authorities.c.kind == "commune",
            authorities.c.population.is_not(None),
            _in_edition(edition),
        )
        .order_by(authorities.c.population.desc(), authorities.c.code)
        .limit(limit)
    )
    with engine.connect() as connection:
        top = [(r[0], int(r[1])) for r in connection.execute(query)]
        ids = [aid for aid, _ in top]
        statuses: dict[str, dict[str, str]] = {}
        apps: dict[str, int] = {}
        if ids:
            for aid, check_id, status in connection.execute(
                select(
                    check_results.c.authority_id, check_results.c.check_id, check_results.c.status
                ).where(
                    check_results.c.edition_id == edition,
                    check_results.c.authority_id.in_(ids),
                    check_results.c.check_id.in_(check_ids),
                )
            ):
                statuses.setdefault(aid, {})[check_id] = status
            for aid, count in connection.execute(
                select(findings.c.authority_id, func.count())
                .where(
                    findings.c.edition_id == edition,
                    findings.c.category == "app",
                    findings.c.authority_id.in_(ids),
                )
                .group_by(findings.c.authority_id)
            ):
                apps[aid] = int(count)
    return [TopCommune(aid, pop, statuses.get(aid, {}), apps.get(aid, 0)) for aid, pop in top]


@dataclass(frozen=True, slots=True)
class Counted:
    """Collectivités (or accounts) counted three ways for one figure."""

    eligible: int
    measured: int
    numerator: int


def _kind_counts(connection: Connection, query: Select[Any]) -> dict[str, int]:
    return {r[0]: int(r[1]) for r in connection.execute(query)}


def _metric_kind_counts(
    engine: Engine,
    edition: str,
    metrics: Sequence[str],
    eligible_platforms: Sequence[str] | None,
) -> dict[str, Counted]:
    """Per type: collectivités with an account (on ``eligible_platforms``, all when
    ``None``) or a value of ``metrics`` (eligible), with a value (measured), with a value
    above 0 (numerator)."""
    profiles = select(social_profiles.c.authority_id).where(social_profiles.c.edition_id == edition)
    if eligible_platforms is not None:
        profiles = profiles.where(social_profiles.c.platform.in_(eligible_platforms))
    valued = select(social_metrics.c.authority_id).where(
        social_metrics.c.edition_id == edition,
        social_metrics.c.metric.in_(metrics),
        social_metrics.c.value.is_not(None),
    )
    eligible_ids = union(profiles, valued).subquery()
    metric_rows = (
        select(
            authorities.c.kind,
            func.count(func.distinct(social_metrics.c.authority_id)),
            func.count(
                func.distinct(case((social_metrics.c.value > 0, social_metrics.c.authority_id)))
            ),
        )
        .join(authorities, authorities.c.id == social_metrics.c.authority_id)
        .where(
            social_metrics.c.edition_id == edition,
            social_metrics.c.metric.in_(metrics),
            social_metrics.c.value.is_not(None),
        )
        .group_by(authorities.c.kind)
    )
    with engine.connect() as connection:
        eligible = _kind_counts(
            connection,
            select(authorities.c.kind, func.count())
            .join(eligible_ids, eligible_ids.c.authority_id == authorities.c.id)
            .group_by(authorities.c.kind),
        )
        valued_counts = {r[0]: (int(r[1]), int(r[2])) for r in connection.execute(metric_rows)}
    return {
        kind: Counted(total, *valued_counts.get(kind, (0, 0))) for kind, total in eligible.items()
    }


def republication(engine: Engine, edition: str) -> dict[str, Counted]:
    """Per type: collectivités with an account / with a republication figure / with at
    least one account republishing their site (``republication_share`` > 0)."""
    return _metric_kind_counts(engine, edition, ["republication_share"], None)


def sponsoring(engine: Engine, edition: str) -> dict[str, Counted]:
    """Per type: collectivités with a Facebook account (or a sponsorship figure) / whose
    ads or sponsored posts could be read / sponsoring at least one publication."""
    return _metric_kind_counts(engine, edition, ["sponsored_ads", "sponsored_posts"], ["facebook"])


def ads_read(engine: Engine, edition: str) -> tuple[int, int]:
    """``(Facebook accounts, those whose ads could be read)`` — accounts of collectivités."""
    with engine.connect() as connection:
        total = connection.scalar(
            select(func.count()).where(
                social_profiles.c.edition_id == edition, social_profiles.c.platform == "facebook"
            )
        )
        read = connection.scalar(
            select(func.count()).where(
                social_metrics.c.edition_id == edition,
                social_metrics.c.platform == "facebook",
                social_metrics.c.metric == "sponsored_ads",
                social_metrics.c.value.is_not(None),
            )
        )
    return int(total or 0), int(read or 0)


@dataclass(frozen=True, slots=True)
class Weighted:
    """A sample-weighted share over distinct accounts."""

    accounts_read: int  # accounts read (state ok): eligible
    accounts: int  # accounts with the metric: measured
    weighted: float  # Σ value × sample
    sample: int  # Σ sample


def weighted_metric(engine: Engine, edition: str, metric: str) -> dict[str, Weighted]:
    """Per type, and for all types together (key ``""``), ``Σ value × sample`` and
    ``Σ sample`` of one metric over **distinct** accounts (an account two collectivités
    share — a commune nouvelle and a former commune — counts once, with its largest
    value)."""
    per_account = (
        select(
            authorities.c.kind.label("kind"),
            social_metrics.c.platform,
            social_metrics.c.account_id,
            func.max(social_metrics.c.value).label("value"),
            func.max(social_metrics.c.sample).label("sample"),
        )
        .join(authorities, authorities.c.id == social_metrics.c.authority_id)
        .where(
            social_metrics.c.edition_id == edition,
            social_metrics.c.metric == metric,
            social_metrics.c.value.is_not(None),
            social_metrics.c.sample > 0,
        )
        .group_by(authorities.c.kind, social_metrics.c.platform, social_metrics.c.account_id)
        .subquery()
    )
    national = (
        select(
            per_account.c.platform,
            per_account.c.account_id,
            func.max(per_account.c.value).label("value"),
            func.max(per_account.c.sample).label("sample"),
        )
        .group_by(per_account.c.platform, per_account.c.account_id)
        .subquery()
    )
    read = (
        select(
            authorities.c.kind.label("kind"),
            social_profiles.c.platform,
            social_profiles.c.account_id,
        )
        .join(authorities, authorities.c.id == social_profiles.c.authority_id)
        .where(social_profiles.c.edition_id == edition, social_profiles.c.state == "ok")
        .distinct()
        .subquery()
    )
    out: dict[str, Weighted] = {}
    with engine.connect() as connection:
        accounts_read = _kind_counts(
            connection, select(read.c.kind, func.count()).group_by(read.c.kind)
        )
        national_read = connection.scalar(
            select(func.count()).select_from(
                select(read.c.platform, read.c.account_id).distinct().subquery()
            )
        )
        for kind, count, weighted, sample in connection.execute(
            select(
                per_account.c.kind,
                func.count(),
                func.sum(per_account.c.value * per_account.c.sample),
                func.sum(per_account.c.sample),
            ).group_by(per_account.c.kind)
        ):
            out[kind] = Weighted(
                accounts_read.get(kind, 0), int(count), float(weighted), int(sample)
            )
        for kind, total in accounts_read.items():
            out.setdefault(kind, Weighted(total, 0, 0.0, 0))
        row = connection.execute(
            select(
                func.count(),
                func.sum(national.c.value * national.c.sample),
                func.sum(national.c.sample),
            )
        ).one()
        out[""] = Weighted(
            int(national_read or 0), int(row[0]), float(row[1] or 0), int(row[2] or 0)
        )
    return out


def global_scores(engine: Engine, edition: str) -> list[ScoreLine]:
    """The global score of every scored collectivité of the edition."""
    query = (
        select(
            authorities.c.kind,
            authorities.c.code,
            authorities.c.population,
            scores.c.peer_group,
            scores.c.value,
            scores.c.coverage,
            scores.c.grade,
        )
        .join(authorities, authorities.c.id == scores.c.authority_id)
        .where(scores.c.edition_id == edition, scores.c.scope == "global")
        .execution_options(yield_per=10000)
    )
    with engine.connect() as connection:
        return [
            ScoreLine(r[0], r[1], r[2], r[3], r[4], float(r[5]), r[6])
            for r in connection.execute(query)
        ]
