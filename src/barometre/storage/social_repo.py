"""Social records per edition: profiles, posts, follower history, metrics, imports.

A profile belongs to one collectivité (two collectivités may share an account: a
commune nouvelle and its former commune); posts belong to the account. Each account of
a collectivité is written in one transaction (profile, posts, follower count, metrics),
so an interrupted run leaves whole accounts only and resumes after the last one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, or_, select
from sqlalchemy.engine import Connection

from barometre.models import (
    AccountState,
    FollowerCount,
    Media,
    ProfileLink,
    SocialAccount,
    SocialMetric,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.storage.audit_repo import assert_writable
from barometre.storage.schema import (
    authorities,
    social_followers,
    social_imports,
    social_metrics,
    social_posts,
    social_profiles,
)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _profile_row(
    edition: str,
    authority_id: str,
    profile: SocialProfile,
    found_at: str | None,
    notes: Sequence[str],
    found_url: str | None = None,
    ownership: str | None = None,
) -> dict[str, Any]:
    return {
        "edition_id": edition,
        "authority_id": authority_id,
        "platform": profile.platform,
        "account_id": profile.account_id,
        "handle": profile.handle,
        "url": profile.url,
        "state": profile.state.value,
        "source": profile.source.value,
        "fetched_at": profile.fetched_at,
        "display_name": profile.display_name,
        "description": profile.description,
        "followers": profile.followers,
        "followers_exact": profile.followers_exact,
        "following": profile.following,
        "posts_count": profile.posts_count,
        "created_at": profile.created_at,
        "last_post_at": profile.last_post_at,
        "links": [
            {k: v for k, v in asdict(link).items() if v is not None} for link in profile.links
        ],
        "verified_domain": profile.verified_domain,
        "moved_to": profile.moved_to,
        "reason": profile.reason,
        "found_url": found_url or profile.url,
        "found_at": found_at,
        "ownership": ownership,
        "notes": list(notes),
    }


def _post_row(
    edition: str, post: SocialPost, analysis: Mapping[str, Any], sponsored: bool
) -> dict[str, Any]:
    return {
        "edition_id": edition,
        "platform": post.platform,
        "account_id": post.account_id,
        "post_id": post.post_id,
        "published_at": post.published_at,
        "source": post.source.value,
        "url": post.url,
        "text": post.text,
        "reply_to": post.reply_to,
        "is_repost": post.is_repost,
        "links": list(post.links),
        "card_title": post.card_title,
        "media": [{k: v for k, v in asdict(m).items() if v is not None} for m in post.media],
        "likes": post.likes,
        "reposts": post.reposts,
        "replies": post.replies,
        "quotes": post.quotes,
        "views": post.views,
        "application": post.application,
        "language": post.language,
        "poll": post.poll,
        "live": post.live,
        "sponsored": sponsored,
        "analysis": dict(analysis),
    }


def _metric_row(edition: str, authority_id: str, metric: SocialMetric) -> dict[str, Any]:
    return {
        "edition_id": edition,
        "authority_id": authority_id,
        "platform": metric.platform,
        "account_id": metric.account_id,
        "metric": metric.metric,
        "value": metric.value,
        "source": metric.source.value,
        "sample": metric.sample,
        "detail": dict(metric.detail),
    }


def _replace_posts(
    connection: Connection,
    edition: str,
    platform: str,
    account_id: str,
    posts: Sequence[SocialPost],
    analysis: Mapping[str, Mapping[str, Any]],
    sponsored: frozenset[str],
) -> None:
    connection.execute(
        delete(social_posts).where(
            social_posts.c.edition_id == edition,
            social_posts.c.platform == platform,
            social_posts.c.account_id == account_id,
        )
    )
    seen: set[str] = set()
    rows = []
    for post in posts:
        if post.post_id in seen:
            continue
        seen.add(post.post_id)
        rows.append(
            _post_row(edition, post, analysis.get(post.post_id, {}), post.post_id in sponsored)
        )
    if rows:
        connection.execute(insert(social_posts), rows)


def _add_followers(connection: Connection, points: Iterable[FollowerCount], edition: str) -> None:
    for point in points:
        key = (
            social_followers.c.platform == point.platform,
            social_followers.c.account_id == point.account_id,
            social_followers.c.observed_on == point.observed_on,
            social_followers.c.source == point.source.value,
        )
        connection.execute(delete(social_followers).where(*key))
        connection.execute(
            insert(social_followers).values(
                platform=point.platform,
                account_id=point.account_id,
                observed_on=point.observed_on,
                source=point.source.value,
                followers=point.followers,
                exact=point.exact,
                edition_id=edition,
            )
        )


def store_account(
    engine: Engine,
    edition: str,
    authority_id: str,
    profile: SocialProfile,
    posts: Sequence[SocialPost] = (),
    *,
    found_url: str | None = None,
    found_at: str | None = None,
    ownership: str | None = None,
    notes: Sequence[str] = (),
    metrics: Sequence[SocialMetric] = (),
    analysis: Mapping[str, Mapping[str, Any]] | None = None,
    sponsored: frozenset[str] = frozenset(),
) -> None:
    """Write one account of one collectivité (replacing what this edition had of it).

    ``found_url`` is the address the account was known by (the discovered link): an
    earlier row for it is replaced even if the stable id changed (first read by
    handle, then by DID). ``ownership`` says why the account is the collectivité's own
    (the evidence discovery found, or the registry). The follower count of the profile
    joins the history.
    """
    with engine.begin() as connection:
        assert_writable(connection, edition)
        same = social_profiles.c.account_id == profile.account_id
        if found_url:
            same = or_(same, social_profiles.c.found_url == found_url)
        earlier = (
            social_profiles.c.edition_id == edition,
            social_profiles.c.authority_id == authority_id,
            social_profiles.c.platform == profile.platform,
            same,
        )
        for (old_id,) in connection.execute(select(social_profiles.c.account_id).where(*earlier)):
            # a stable id that changed (read by handle, then by DID) leaves no metric behind
            connection.execute(
                delete(social_metrics).where(
                    social_metrics.c.edition_id == edition,
                    social_metrics.c.authority_id == authority_id,
                    social_metrics.c.platform == profile.platform,
                    social_metrics.c.account_id == old_id,
                )
            )
        connection.execute(delete(social_profiles).where(*earlier))
        connection.execute(
            insert(social_profiles),
            [_profile_row(edition, authority_id, profile, found_at, notes, found_url, ownership)],
        )
        if profile.state is AccountState.OK:
            _replace_posts(
                connection,
                edition,
                profile.platform,
                profile.account_id,
                posts,
                analysis or {},
                sponsored,
            )
            if profile.followers is not None:
                _add_followers(
                    connection,
                    [
                        FollowerCount(
                            profile.platform,
                            profile.account_id,
                            profile.fetched_at.date(),
                            profile.followers,
                            profile.source,
                            profile.followers_exact,
                        )
                    ],
                    edition,
                )
        _replace_metrics(connection, edition, authority_id, profile, metrics)


def _replace_metrics(
    connection: Connection,
    edition: str,
    authority_id: str,
    profile: SocialProfile,
    metrics: Sequence[SocialMetric],
) -> None:
    connection.execute(
        delete(social_metrics).where(
            social_metrics.c.edition_id == edition,
            social_metrics.c.authority_id == authority_id,
            social_metrics.c.platform == profile.platform,
            social_metrics.c.account_id == profile.account_id,
        )
    )
    if metrics:
        connection.execute(
            insert(social_metrics), [_metric_row(edition, authority_id, m) for m in metrics]
        )


def store_metrics(
    engine: Engine,
    edition: str,
    authority_id: str,
    profile: SocialProfile,
    metrics: Sequence[SocialMetric],
) -> None:
    """Replace the metrics of one account (a re-analysis without fetching)."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        _replace_metrics(connection, edition, authority_id, profile, metrics)


def replace_named_metric(
    engine: Engine,
    edition: str,
    authority_id: str,
    name: str,
    metrics: Sequence[SocialMetric],
) -> None:
    """Replace one metric over every account of a collectivité (a measurement that
    compares its accounts, computed once they are all stored)."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        connection.execute(
            delete(social_metrics).where(
                social_metrics.c.edition_id == edition,
                social_metrics.c.authority_id == authority_id,
                social_metrics.c.metric == name,
            )
        )
        chosen = [m for m in metrics if m.metric == name]
        if chosen:
            connection.execute(
                insert(social_metrics), [_metric_row(edition, authority_id, m) for m in chosen]
            )


def store_post_analysis(
    engine: Engine,
    edition: str,
    platform: str,
    account_id: str,
    analysis: Mapping[str, Mapping[str, Any]],
) -> None:
    with engine.begin() as connection:
        assert_writable(connection, edition)
        for post_id, data in analysis.items():
            connection.execute(
                social_posts.update()
                .where(
                    social_posts.c.edition_id == edition,
                    social_posts.c.platform == platform,
                    social_posts.c.account_id == account_id,
                    social_posts.c.post_id == post_id,
                )
                .values(analysis=dict(data))
            )


def store_followers(engine: Engine, edition: str, points: Sequence[FollowerCount]) -> None:
    with engine.begin() as connection:
        assert_writable(connection, edition)
        _add_followers(connection, points, edition)


def has_social(engine: Engine, edition: str) -> bool:
    """Whether the social stage (or an import) wrote anything in this edition."""
    with engine.connect() as connection:
        return (
            connection.execute(
                select(social_profiles.c.authority_id)
                .where(social_profiles.c.edition_id == edition)
                .limit(1)
            ).first()
            is not None
        )


def done_accounts(engine: Engine, edition: str) -> set[tuple[str, str, str]]:
    """``(authority_id, platform, url)`` of every account already written this edition."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                social_profiles.c.authority_id,
                social_profiles.c.platform,
                social_profiles.c.found_url,
            ).where(social_profiles.c.edition_id == edition)
        )
        return {(r[0], r[1], r[2]) for r in rows}


def known_ids(engine: Engine, before: str) -> dict[tuple[str, str, str], str]:
    """Stable ids read in editions before ``before``: ``(authority, platform, url) → id``
    (the latest edition wins), so that a renamed handle still finds the same account."""
    query = (
        select(
            social_profiles.c.authority_id,
            social_profiles.c.platform,
            social_profiles.c.found_url,
            social_profiles.c.account_id,
        )
        .where(
            social_profiles.c.edition_id < before,
            social_profiles.c.state.in_(["ok", "moved"]),
        )
        .order_by(social_profiles.c.edition_id)
    )
    with engine.connect() as connection:
        return {(r[0], r[1], r[2]): r[3] for r in connection.execute(query)}


def _links(data: Any) -> tuple[ProfileLink, ...]:
    if not isinstance(data, list):
        return ()
    return tuple(
        ProfileLink(str(d.get("url", "")), d.get("label"), d.get("verified")) for d in data
    )


def _media(data: Any) -> tuple[Media, ...]:
    if not isinstance(data, list):
        return ()
    return tuple(Media(str(d.get("kind", "other")), d.get("alt"), d.get("url")) for d in data)


def _profile(row: Any) -> SocialProfile:
    return SocialProfile(
        platform=row.platform,
        account_id=row.account_id,
        handle=row.handle,
        url=row.url,
        state=AccountState(row.state),
        fetched_at=_aware(row.fetched_at) or datetime.now(UTC),
        source=SocialSource(row.source),
        display_name=row.display_name,
        description=row.description,
        followers=row.followers,
        followers_exact=bool(row.followers_exact),
        following=row.following,
        posts_count=row.posts_count,
        created_at=_aware(row.created_at),
        last_post_at=_aware(row.last_post_at),
        links=_links(row.links),
        verified_domain=row.verified_domain,
        moved_to=row.moved_to,
        reason=row.reason,
    )


def post_from_row(row: Any) -> SocialPost:
    return SocialPost(
        platform=row.platform,
        account_id=row.account_id,
        post_id=row.post_id,
        published_at=_aware(row.published_at) or datetime.now(UTC),
        source=SocialSource(row.source),
        url=row.url,
        text=row.text or "",
        reply_to=row.reply_to,
        is_repost=bool(row.is_repost),
        links=tuple(row.links or ()),
        card_title=row.card_title,
        media=_media(row.media),
        likes=row.likes,
        reposts=row.reposts,
        replies=row.replies,
        quotes=row.quotes,
        views=row.views,
        application=row.application,
        language=row.language,
        poll=bool(row.poll),
        live=bool(row.live),
    )


def load_accounts(
    engine: Engine,
    edition: str,
    authority_ids: Sequence[str] | None = None,
    *,
    with_posts: bool = True,
) -> dict[str, list[SocialAccount]]:
    """The social accounts of the given collectivités (all when ``None``) in one edition."""
    profile_query = select(social_profiles).where(social_profiles.c.edition_id == edition)
    metric_query = select(social_metrics).where(social_metrics.c.edition_id == edition)
    if authority_ids is not None:
        profile_query = profile_query.where(social_profiles.c.authority_id.in_(authority_ids))
        metric_query = metric_query.where(social_metrics.c.authority_id.in_(authority_ids))
    out: dict[str, list[SocialAccount]] = {}
    with engine.connect() as connection:
        profiles = list(connection.execute(profile_query.order_by(social_profiles.c.platform)))
        metrics: dict[tuple[str, str, str], dict[str, SocialMetric]] = {}
        for r in connection.execute(metric_query):
            metrics.setdefault((r.authority_id, r.platform, r.account_id), {})[r.metric] = (
                SocialMetric(
                    r.platform,
                    r.account_id,
                    r.metric,
                    r.value,
                    SocialSource(r.source),
                    r.sample,
                    dict(r.detail or {}),
                )
            )
        posts: dict[tuple[str, str], list[SocialPost]] = {}
        if with_posts and profiles:
            keys = {(p.platform, p.account_id) for p in profiles}
            accounts = sorted({k[1] for k in keys})
            for start in range(0, len(accounts), 500):
                chunk = accounts[start : start + 500]
                for r in connection.execute(
                    select(social_posts)
                    .where(
                        social_posts.c.edition_id == edition,
                        social_posts.c.account_id.in_(chunk),
                    )
                    .order_by(social_posts.c.published_at.desc())
                ):
                    if (r.platform, r.account_id) in keys:
                        posts.setdefault((r.platform, r.account_id), []).append(post_from_row(r))
        for row in profiles:
            out.setdefault(row.authority_id, []).append(
                SocialAccount(
                    authority_id=row.authority_id,
                    profile=_profile(row),
                    posts=tuple(posts.get((row.platform, row.account_id), ())),
                    metrics=metrics.get((row.authority_id, row.platform, row.account_id), {}),
                    found_at=row.found_at,
                    ownership=row.ownership,
                )
            )
    return out


def post_analysis(
    engine: Engine, edition: str, platform: str, account_id: str
) -> dict[str, dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(social_posts.c.post_id, social_posts.c.analysis).where(
                social_posts.c.edition_id == edition,
                social_posts.c.platform == platform,
                social_posts.c.account_id == account_id,
            )
        )
        return {r[0]: dict(r[1] or {}) for r in rows}


def sponsored_posts(engine: Engine, edition: str) -> set[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                social_posts.c.platform, social_posts.c.account_id, social_posts.c.post_id
            ).where(social_posts.c.edition_id == edition, social_posts.c.sponsored.is_(True))
        )
        return {(r[0], r[1], r[2]) for r in rows}


def follower_history(
    engine: Engine, platform: str, account_id: str, *, until: date | None = None
) -> list[FollowerCount]:
    """Every follower count kept for one account, oldest first."""
    query = select(social_followers).where(
        social_followers.c.platform == platform, social_followers.c.account_id == account_id
    )
    if until is not None:
        query = query.where(social_followers.c.observed_on <= until)
    with engine.connect() as connection:
        return [
            FollowerCount(
                r.platform,
                r.account_id,
                r.observed_on,
                int(r.followers),
                SocialSource(r.source),
                bool(r.exact),
            )
            for r in connection.execute(query.order_by(social_followers.c.observed_on))
        ]


def record_import(
    engine: Engine,
    edition: str,
    *,
    authority_id: str | None,
    platform: str,
    source: SocialSource,
    format: str,
    path: str,
    sha256: str,
    report: Mapping[str, Any],
) -> bool:
    """Note an imported file; ``False`` when this edition already imported the same bytes."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        seen = connection.execute(
            select(social_imports.c.id).where(
                social_imports.c.edition_id == edition, social_imports.c.sha256 == sha256
            )
        ).first()
        if seen is not None:
            return False
        connection.execute(
            insert(social_imports).values(
                imported_at=datetime.now(UTC),
                edition_id=edition,
                authority_id=authority_id,
                platform=platform,
                source=source.value,
                format=format,
                path=path,
                sha256=sha256,
                report=dict(report),
            )
        )
        return True


def state_counts(engine: Engine, edition: str) -> list[tuple[str, str, str, str, int]]:
    """``(kind, platform, state, source, accounts)`` over the edition (coverage tables)."""
    query = (
        select(
            authorities.c.kind,
            social_profiles.c.platform,
            social_profiles.c.state,
            social_profiles.c.source,
            func.count(),
        )
        .join(authorities, authorities.c.id == social_profiles.c.authority_id)
        .where(social_profiles.c.edition_id == edition)
        .group_by(
            authorities.c.kind,
            social_profiles.c.platform,
            social_profiles.c.state,
            social_profiles.c.source,
        )
    )
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in connection.execute(query)]


def platform_presence(engine: Engine, edition: str) -> dict[tuple[str, str], tuple[int, int]]:
    """``(authority_id, platform) → (accounts present, accounts read)`` over the edition."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                social_profiles.c.authority_id, social_profiles.c.platform, social_profiles.c.state
            ).where(social_profiles.c.edition_id == edition)
        )
        for authority_id, platform, state in rows:
            present, read = out.get((authority_id, platform), (0, 0))
            out[(authority_id, platform)] = (present + 1, read + (state == "ok"))
    return out


def metric_samples(engine: Engine, edition: str, metric: str) -> list[tuple[float, int]]:
    """``(value, sample)`` of one metric over the edition (for sample-weighted totals)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(social_metrics.c.value, social_metrics.c.sample).where(
                social_metrics.c.edition_id == edition,
                social_metrics.c.metric == metric,
                social_metrics.c.value.is_not(None),
                social_metrics.c.sample > 0,
            )
        )
        return [(float(r[0]), int(r[1])) for r in rows]


def metric_values(
    engine: Engine, edition: str, metric: str
) -> list[tuple[str, str, str, float | None]]:
    """``(authority_id, platform, account_id, value)`` of one metric over the edition."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                social_metrics.c.authority_id,
                social_metrics.c.platform,
                social_metrics.c.account_id,
                social_metrics.c.value,
            ).where(social_metrics.c.edition_id == edition, social_metrics.c.metric == metric)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]
