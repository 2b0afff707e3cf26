"""Aggregates behind recommendations and the provider view, counted in SQL.

Every function returns counts grouped in the database (never the edition's results one
by one), so that they stay cheap on the national edition (about 1.5 million results).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, Subquery, and_, func, select

from barometre.storage.schema import check_results, findings, scores

PROVIDER_CATEGORIES = ("cms", "provider")


def peer_status_counts(
    engine: Engine, edition: str, group: str | None = None
) -> list[tuple[str, str, str, int]]:
    """``(peer_group, check_id, status, collectivités)`` over the edition's results, the
    peer group being the one stored with the global score (``barometre score``)."""
    query = (
        select(scores.c.peer_group, check_results.c.check_id, check_results.c.status, func.count())
        .join(
            scores,
            and_(
                scores.c.edition_id == check_results.c.edition_id,
                scores.c.authority_id == check_results.c.authority_id,
                scores.c.scope == "global",
            ),
        )
        .where(check_results.c.edition_id == edition, scores.c.peer_group.is_not(None))
        .group_by(scores.c.peer_group, check_results.c.check_id, check_results.c.status)
    )
    if group is not None:
        query = query.where(scores.c.peer_group == group)
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], int(r[3])) for r in connection.execute(query)]


def peer_group_of(engine: Engine, edition: str, authority_id: str) -> str | None:
    """The peer group stored with the collectivité's global score, if it was scored."""
    with engine.connect() as connection:
        value = connection.scalar(
            select(scores.c.peer_group).where(
                scores.c.edition_id == edition,
                scores.c.authority_id == authority_id,
                scores.c.scope == "global",
            )
        )
    return None if value is None else str(value)


def national_status_counts(engine: Engine, edition: str) -> list[tuple[str, str, int]]:
    """``(check_id, status, collectivités)`` over the whole edition."""
    query = (
        select(check_results.c.check_id, check_results.c.status, func.count())
        .where(check_results.c.edition_id == edition)
        .group_by(check_results.c.check_id, check_results.c.status)
    )
    with engine.connect() as connection:
        return [(r[0], r[1], int(r[2])) for r in connection.execute(query)]


def _members(edition: str, categories: Sequence[str]) -> Subquery:
    """One row per (category, name, collectivité): a site credited twice counts once."""
    return (
        select(findings.c.category, findings.c.name, findings.c.authority_id)
        .where(findings.c.edition_id == edition, findings.c.category.in_(list(categories)))
        .distinct()
        .subquery("members")
    )


def provider_sites(
    engine: Engine, edition: str, categories: Sequence[str] = PROVIDER_CATEGORIES
) -> list[tuple[str, str, int]]:
    """``(category, name, collectivités)`` for every CMS and provider found."""
    members = _members(edition, categories)
    query = select(
        members.c.category,
        members.c.name,
        func.count(),
    ).group_by(members.c.category, members.c.name)
    with engine.connect() as connection:
        return [(r[0], r[1], int(r[2])) for r in connection.execute(query)]


def provider_labels(
    engine: Engine, edition: str, categories: Sequence[str] = PROVIDER_CATEGORIES
) -> list[tuple[str, str, str | None, int]]:
    """``(category, name, handle, findings)``: a provider's credited display names
    (for a CMS the handle is its version, not a name: only providers are asked)."""
    query = (
        select(findings.c.category, findings.c.name, findings.c.handle, func.count())
        .where(
            findings.c.edition_id == edition,
            findings.c.category.in_([c for c in categories if c != "cms"]),
        )
        .group_by(findings.c.category, findings.c.name, findings.c.handle)
    )
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], int(r[3])) for r in connection.execute(query)]


def provider_status_counts(
    engine: Engine,
    edition: str,
    *,
    min_sites: int = 1,
    categories: Sequence[str] = PROVIDER_CATEGORIES,
) -> list[tuple[str, str, str, str, int]]:
    """``(category, name, check_id, status, collectivités)`` over the results of the
    collectivités of each CMS or provider found on at least ``min_sites`` sites."""
    members = _members(edition, categories)
    m = members.c
    large = (
        select(m.category, m.name)
        .group_by(m.category, m.name)
        .having(func.count() >= min_sites)
        .subquery("large")
    )
    query = (
        select(m.category, m.name, check_results.c.check_id, check_results.c.status, func.count())
        .select_from(members)
        .join(large, and_(large.c.category == m.category, large.c.name == m.name))
        .join(
            check_results,
            and_(
                check_results.c.edition_id == edition,
                check_results.c.authority_id == m.authority_id,
            ),
        )
        .group_by(m.category, m.name, check_results.c.check_id, check_results.c.status)
    )
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in connection.execute(query)]
