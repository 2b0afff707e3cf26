"""Metrics of one account in one edition, each with its source and sample size.

Definitions (published with the methodology; the research note §5 lists how the tools
communicators know define theirs — we keep to what public data allows and say so):

* ``followers`` — as the source gave it (YouTube rounds: ``detail.exact`` is false);
* ``follower_growth_month`` — geometric monthly growth between the latest count and
  the oldest count kept at least 7 days before it: ``(now / then) ** (30.44 / days) - 1``;
* ``posts_per_week`` — own publications (reposts excluded, replies included) over the
  window (90 days by default) ÷ weeks; ``detail.lower_bound`` when the source shows
  fewer posts than the window holds (a feed of the last 15 videos, a page limit);
* ``days_since_last_post``;
* ``reply_share`` — share of own publications that answer someone else (conversation
  rather than broadcast, research note lesson 6);
* ``answered_share`` — replies to others ÷ own posts that received comments, capped at
  1: a proxy of "replies in the threads that have user comments" (§5.5), since the
  comments themselves are not read;
* ``engagement_per_follower`` — mean interactions (likes, reposts, replies, quotes) per
  post ÷ followers; engagement per follower, not per reach (reach is never public);
* ``format_image``, ``format_video``, ``format_link``, ``format_text`` (shares) and
  ``formats`` (how many formats carry at least 10 % of the posts);
* ``alt_text_share`` — images with alternative text ÷ images;
* ``auto_post_share`` — posts sent by a feed-relaying tool (application, shortener or
  ``utm_source`` fingerprint);
* ``republication_share``, ``pure_republication_share``, ``items_pushed_share``,
  ``republication_lag_hours`` — see :mod:`barometre.social.analysis.republication`;
* ``mode_information``, ``mode_conversation``, ``mode_promotion``,
  ``mode_mobilisation``, ``themes`` (share of posts with a theme, distribution in
  ``detail``) — from the lexicon classifier, whose measured quality is published;
* ``conversational_formats`` — polls and live videos in the window;
* ``sponsored_ads`` — ads in the Meta Ad Library over the window, with their EU reach
  added up in ``detail`` (``couverture_ue``; its bounds and a note when Meta gave some
  reaches as ranges); ``sponsored_posts`` — posts an imported export marks as sponsored;
* ``good_practice_level`` — the 1–5 index of criteria.md §5.5 (after the Institut
  Edgar Quinet's scale), on this account;
* ``cross_post_share`` — own posts published almost word for word on another account of
  the collectivité within 48 hours ÷ its comparable posts (:mod:`.crosspost`; computed
  once all the collectivité's accounts are stored, not here).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from barometre.models import (
    POST_MODES,
    FollowerCount,
    SocialMetric,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.social.analysis.republication import Match, Summary
from barometre.social.metaads.types import AdsSummary

MODES = POST_MODES

LABELS: dict[str, str] = {
    "followers": "Abonnés",
    "follower_growth_month": "Croissance mensuelle des abonnés",
    "posts_per_week": "Publications par semaine",
    "days_since_last_post": "Jours depuis la dernière publication",
    "reply_share": "Part de réponses à des tiers",
    "answered_share": "Réponses ÷ publications commentées",
    "engagement_per_follower": "Interactions par publication et par abonné",
    "format_image": "Part de publications avec image",
    "format_video": "Part de publications vidéo",
    "format_link": "Part de publications avec lien",
    "format_text": "Part de publications texte seul",
    "formats": "Formats utilisés",
    "alt_text_share": "Images avec texte alternatif",
    "auto_post_share": "Publications automatiques (outil de relais)",
    "republication_share": "Part de republication du site",
    "pure_republication_share": "Part de simple relais du site",
    "items_pushed_share": "Actualités du site relayées",
    "republication_lag_hours": "Délai médian de relais (heures)",
    "mode_information": "Mode information",
    "mode_conversation": "Mode conversation",
    "mode_promotion": "Mode promotion",
    "mode_mobilisation": "Mode mobilisation",
    "themes": "Publications classées par thème",
    "conversational_formats": "Sondages et directs",
    "sponsored_ads": "Publicités (bibliothèque Meta)",
    "sponsored_posts": "Publications sponsorisées (export)",
    "good_practice_level": "Indice de bonnes pratiques (1 à 5)",
    "cross_post_share": "Publications reprises d'un autre compte",
}
PERCENT_METRICS = frozenset(
    {
        "follower_growth_month",
        "reply_share",
        "answered_share",
        "format_image",
        "format_video",
        "format_link",
        "format_text",
        "alt_text_share",
        "auto_post_share",
        "republication_share",
        "pure_republication_share",
        "items_pushed_share",
        "mode_information",
        "mode_conversation",
        "mode_promotion",
        "mode_mobilisation",
        "themes",
        "cross_post_share",
    }
)
AVERAGE_MONTH_DAYS = 30.44


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def weeks(self) -> float:
        return max((self.end - self.start).total_seconds() / (7 * 86400), 1 / 7)

    @classmethod
    def ending(cls, end: datetime, days: int) -> Window:
        if end.tzinfo is None:
            end = end.replace(tzinfo=UTC)
        return cls(end - timedelta(days=days), end)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def follower_growth(
    history: Sequence[FollowerCount], min_days: int = 7
) -> tuple[float, dict[str, Any]] | None:
    """Monthly geometric growth from the oldest count at least ``min_days`` before the latest."""
    points = sorted(history, key=lambda p: p.observed_on)
    if len(points) < 2:
        return None
    latest = points[-1]
    older = [p for p in points if (latest.observed_on - p.observed_on).days >= min_days]
    if not older or older[0].followers <= 0:
        return None
    first = older[0]
    days = (latest.observed_on - first.observed_on).days
    rate = (latest.followers / first.followers) ** (AVERAGE_MONTH_DAYS / days) - 1
    return round(rate, 5), {
        "depuis": first.observed_on.isoformat(),
        "jusqu_au": latest.observed_on.isoformat(),
        "de": first.followers,
        "a": latest.followers,
        "sources": sorted({first.source.value, latest.source.value}),
    }


def good_practice_level(
    *,
    days_since_last: float | None,
    pure_or_auto_share: float | None,
    original_per_week: float | None,
    formats: int,
    answered_share: float | None,
    alt_share: float | None,
    conversational: int,
) -> int:
    """The 1–5 scale of criteria.md §5.5; each level requires the lower ones."""
    if days_since_last is None or days_since_last > 90:
        return 1
    level = 1
    if days_since_last <= 30:
        level = 2
    else:
        return level
    if (pure_or_auto_share or 0) >= 0.8:
        return level
    if (original_per_week or 0) >= 1 and formats >= 2:
        level = 3
    else:
        return level
    if answered_share is not None and answered_share >= 0.2:
        level = 4
    else:
        return level
    if alt_share is not None and alt_share >= 0.8 and conversational > 0:
        level = 5
    return level


def account_metrics(
    profile: SocialProfile,
    posts: Sequence[SocialPost],
    window: Window,
    *,
    history: Sequence[FollowerCount] = (),
    matches: Mapping[str, Match] | None = None,
    republication: Summary | None = None,
    labels: Mapping[str, Mapping[str, Any]] | None = None,
    ads: AdsSummary | None = None,
    complete: bool = True,
) -> list[SocialMetric]:
    """Every metric this account's data supports; a metric without data is left out.

    ``complete`` is false when the source may hold more posts in the window than were
    read (a feed's last 15 entries, a page limit): rates are then lower bounds.
    """
    platform, account = profile.platform, profile.account_id
    post_source = posts[0].source if posts else profile.source
    out: list[SocialMetric] = []

    def add(
        name: str,
        value: float | None,
        source: SocialSource,
        sample: int | None = None,
        **detail: Any,
    ) -> None:
        if value is not None:
            out.append(SocialMetric(platform, account, name, value, source, sample, detail))

    if profile.followers is not None:
        add("followers", float(profile.followers), profile.source, exact=profile.followers_exact)
    growth = follower_growth(history)
    if growth is not None:
        add("follower_growth_month", growth[0], profile.source, len(history), **growth[1])

    own = [p for p in posts if not p.is_repost and window.start <= p.published_at <= window.end]
    last = max((p.published_at for p in posts if not p.is_repost), default=None)
    if last is None and profile.last_post_at is not None:
        last = profile.last_post_at
    if last is not None:
        days = max(0.0, (window.end - last).total_seconds() / 86400)
        add(
            "days_since_last_post",
            round(days, 1),
            post_source if posts else profile.source,
            derniere=last.isoformat(),
        )
    if ads is not None:
        add("sponsored_ads", float(ads.count), SocialSource.API, **ads.detail())
    if not posts and profile.posts_count is None:
        return out
    oldest = min((p.published_at for p in posts), default=None)
    lower_bound = not complete and oldest is not None and oldest > window.start
    add(
        "posts_per_week",
        round(len(own) / window.weeks, 3),
        post_source,
        len(own),
        debut=window.start.date().isoformat(),
        fin=window.end.date().isoformat(),
        borne_inferieure=lower_bound,
    )
    if not own:
        return out
    replies = [p for p in own if p.is_reply]
    add("reply_share", _ratio(len(replies), len(own)), post_source, len(own))
    commented = [p for p in own if not p.is_reply and (p.replies or 0) > 0]
    if commented:
        add(
            "answered_share",
            round(min(1.0, len(replies) / len(commented)), 4),
            post_source,
            len(commented),
        )
    interactions = [p.interactions for p in own if p.interactions is not None]
    if interactions and profile.followers:
        mean = sum(interactions) / len(interactions)
        add(
            "engagement_per_follower",
            round(mean / profile.followers, 6),
            post_source,
            len(interactions),
            interactions_moyennes=round(mean, 2),
        )
    broadcast = [p for p in own if not p.is_reply]
    if broadcast:
        formats = Counter(p.format for p in broadcast)
        for kind in ("image", "video", "link", "text"):
            add(
                f"format_{kind}", _ratio(formats[kind], len(broadcast)), post_source, len(broadcast)
            )
        used = sum(1 for n in formats.values() if n / len(broadcast) >= 0.1)
        add("formats", float(used), post_source, len(broadcast), repartition=dict(formats))
    images = [m for p in own for m in p.media if m.kind == "image"]
    if images:
        with_alt = sum(1 for m in images if m.alt and m.alt.strip())
        add("alt_text_share", _ratio(with_alt, len(images)), post_source, len(images))
    auto = None
    if matches is not None:
        tooled = [m for m in matches.values() if m.tool]
        auto = _ratio(len(tooled), len(matches))
        add(
            "auto_post_share",
            auto,
            post_source,
            len(matches),
            outils=dict(Counter(m.tool for m in tooled)),
        )
    if republication is not None and republication.posts:
        add(
            "republication_share",
            republication.share,
            post_source,
            republication.posts,
            inconnus=republication.unknown,
            outils=dict(republication.tools),
        )
        add("pure_republication_share", republication.pure_share, post_source, republication.posts)
        if republication.items:
            add(
                "items_pushed_share",
                republication.items_pushed_share,
                SocialSource.FEED,
                republication.items,
            )
        add(
            "republication_lag_hours",
            republication.median_lag_hours,
            post_source,
            republication.republished,
        )
    if labels:
        labelled = [labels[p.post_id] for p in own if p.post_id in labels]
        if labelled:
            modes = Counter(str(item.get("mode")) for item in labelled)
            for mode in MODES:
                add(f"mode_{mode}", _ratio(modes[mode], len(labelled)), post_source, len(labelled))
            themes = Counter(t for item in labelled for t in item.get("themes", ()))
            with_theme = sum(1 for item in labelled if item.get("themes"))
            add(
                "themes",
                _ratio(with_theme, len(labelled)),
                post_source,
                len(labelled),
                repartition={t: round(n / len(labelled), 4) for t, n in themes.most_common()},
            )
    conversational = sum(1 for p in own if p.poll or p.live)
    add("conversational_formats", float(conversational), post_source, len(own))
    values = {m.metric: m.value for m in out}
    originals = [
        p
        for p in own
        if not p.is_reply
        and not (matches and matches.get(p.post_id, None) and matches[p.post_id].pure)
    ]
    level = good_practice_level(
        days_since_last=values.get("days_since_last_post"),
        pure_or_auto_share=max(
            (v for v in (values.get("pure_republication_share"), auto) if v is not None),
            default=None,
        ),
        original_per_week=len(originals) / window.weeks,
        formats=int(values.get("formats") or 0),
        answered_share=values.get("answered_share"),
        alt_share=values.get("alt_text_share"),
        conversational=conversational,
    )
    add("good_practice_level", float(level), post_source, len(own))
    return out
