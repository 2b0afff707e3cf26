"""YouTube payloads and the pure functions that turn them into records.

Three sources, all documented or observable without a key:

* the channel page (HTML): the ``UC…`` id and the description, read with selectolax;
* the channel's Atom feed ``/feeds/videos.xml?channel_id=UC…``: the latest 15 videos
  with ``yt:videoId``, ``published``, ``title``, ``link``, ``media:group`` →
  ``media:description``, ``media:community`` → ``media:statistics@views`` and
  ``media:starRating@count`` (likes), read with feedparser;
* the Data API v3 with a key: ``channels`` (``snippet``, ``statistics``) and ``videos``
  (``statistics``, ``liveStreamingDetails``). Field names follow the API reference
  (developers.google.com/youtube/v3/docs/channels and /videos): counts are strings,
  ``hiddenSubscriberCount`` is a boolean, ``subscriberCount`` is rounded by YouTube.

Nothing here does I/O; the client sequences the calls.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

import feedparser
from selectolax.lexbor import LexborHTMLParser

from barometre.models import (
    AccountState,
    Media,
    ProfileLink,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.social.errors import MalformedPayload
from barometre.social.youtube.urls import CHANNEL_ID, is_channel_id

PLATFORM = "youtube"


# -- Data API v3 payloads (the fields the connector reads) --------------------------------


class ApiChannelSnippet(TypedDict, total=False):
    title: str
    description: str
    customUrl: str
    publishedAt: str
    country: str


class ApiChannelStatistics(TypedDict, total=False):
    viewCount: str
    subscriberCount: str
    hiddenSubscriberCount: bool
    videoCount: str


class ApiChannel(TypedDict):
    kind: str
    id: str
    snippet: NotRequired[ApiChannelSnippet]
    statistics: NotRequired[ApiChannelStatistics]


class ApiPageInfo(TypedDict, total=False):
    totalResults: int
    resultsPerPage: int


class ApiChannelList(TypedDict, total=False):
    kind: str
    etag: str
    pageInfo: ApiPageInfo
    items: list[ApiChannel]


class ApiVideoStatistics(TypedDict, total=False):
    viewCount: str
    likeCount: str
    favoriteCount: str
    commentCount: str


class ApiLiveStreamingDetails(TypedDict, total=False):
    actualStartTime: str
    actualEndTime: str
    scheduledStartTime: str


class ApiVideo(TypedDict):
    kind: str
    id: str
    statistics: NotRequired[ApiVideoStatistics]
    liveStreamingDetails: NotRequired[ApiLiveStreamingDetails]


class ApiVideoList(TypedDict, total=False):
    kind: str
    items: list[ApiVideo]


class ApiErrorItem(TypedDict, total=False):
    message: str
    domain: str
    reason: str


class ApiErrorDetail(TypedDict, total=False):
    reason: str  # google.rpc.ErrorInfo: "API_KEY_INVALID"…
    domain: str


class ApiErrorBody(TypedDict, total=False):
    code: int
    message: str
    status: str
    errors: list[ApiErrorItem]
    details: list[ApiErrorDetail]


class ApiError(TypedDict):
    error: ApiErrorBody


# -- records read from the payloads -------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    """What the channel page shows without a key."""

    channel_id: str | None
    title: str | None
    description: str | None


@dataclass(frozen=True)
class ChannelInfo:
    """What the Data API says of a channel (``channels?part=snippet,statistics``)."""

    channel_id: str
    title: str | None
    description: str | None
    custom_url: str | None
    subscribers: int | None  # None when hidden
    subscribers_hidden: bool
    video_count: int | None
    published_at: datetime | None


@dataclass(frozen=True)
class ChannelFeed:
    """The channel's Atom feed: who, since when, and the latest videos (newest first)."""

    channel_id: str | None
    title: str | None
    channel_url: str | None
    created_at: datetime | None
    videos: tuple[SocialPost, ...]


@dataclass(frozen=True)
class VideoStats:
    views: int | None
    likes: int | None
    comments: int | None
    live: bool


# -- small helpers ----------------------------------------------------------------------------


def _count(value: object) -> int | None:
    """A count given as a string or a number (the API's counts are strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_api_time(value: object) -> datetime | None:
    """An RFC 3339 time of the API (``2016-05-02T08:00:00Z``, fractions allowed)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _struct_time(value: object) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC ``struct_time``) as an aware datetime."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»'\""


def links_in_text(text: str | None) -> tuple[str, ...]:
    """The web addresses written in a description (``https://…`` or ``www.…``), in order.

    YouTube shows the links of a description as plain text; trailing punctuation is
    not part of the address. ``www.x.fr`` becomes ``https://www.x.fr``.
    """
    if not text:
        return ()
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url.lower().startswith("www."):
            url = "https://" + url
        if len(url) > len("https://") and url not in found:
            found.append(url)
    return tuple(found)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


# -- channel page -----------------------------------------------------------------------------

_JSON_IDS = (
    re.compile(r'"externalId"\s*:\s*"(UC[0-9A-Za-z_-]{22})"'),
    re.compile(r'"channelId"\s*:\s*"(UC[0-9A-Za-z_-]{22})"'),
)


def _meta(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    value = node.attributes.get("content")
    return _clean(value) if isinstance(value, str) else None


def _id_in(value: str | None) -> str | None:
    if not value:
        return None
    match = CHANNEL_ID.search(value)
    return match.group(0) if match else None


def channel_id_from_page(html: str) -> str | None:
    """The channel's own ``UC…`` id on its page, strongest signal first.

    ``<link rel="canonical" href="…/channel/UC…">``, ``<meta itemprop="identifier">``
    (or ``channelId``), the RSS ``<link rel="alternate">``, then ``"externalId"`` and
    ``"channelId"`` in the page's embedded JSON (the first one: later ones can be other
    channels shown on the page).
    """
    return page_info(html).channel_id


def page_info(html: str) -> PageInfo:
    tree = LexborHTMLParser(html)
    candidates: list[str | None] = []
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical is not None:
        href = canonical.attributes.get("href") or ""
        candidates.append(_id_in(href) if "/channel/" in href else None)
    candidates.append(_id_in(_meta(tree, 'meta[itemprop="identifier"]')))
    candidates.append(_id_in(_meta(tree, 'meta[itemprop="channelId"]')))
    for node in tree.css('link[rel="alternate"]'):
        href = node.attributes.get("href") or ""
        if "channel_id=" in href:
            candidates.append(_id_in(href.split("channel_id=", 1)[1]))
    for pattern in _JSON_IDS:
        match = pattern.search(html)
        candidates.append(match.group(1) if match else None)
    channel_id = next((c for c in candidates if is_channel_id(c)), None)

    title = _meta(tree, 'meta[property="og:title"]')
    if title is None:
        heading = tree.css_first("title")
        text = heading.text().strip() if heading is not None else ""
        title = _clean(text.removesuffix("- YouTube").strip())
    description = _meta(tree, 'meta[property="og:description"]') or _meta(
        tree, 'meta[name="description"]'
    )
    return PageInfo(channel_id, title, description)


# -- Data API ---------------------------------------------------------------------------------


def _malformed(what: str, url: str | None) -> MalformedPayload:
    return MalformedPayload(f"Réponse de l'API YouTube inattendue ({what}) : {url or '?'}", url=url)


def channel_from_api(payload: object, url: str | None = None) -> ChannelInfo | None:
    """The first channel of a ``channels.list`` answer, or ``None`` when it has none.

    ``subscriberCount`` is rounded by YouTube (the profile says ``followers_exact=False``);
    with ``hiddenSubscriberCount`` the count is ``None``.
    """
    if not isinstance(payload, Mapping):
        raise _malformed("objet JSON attendu", url)
    items = payload.get("items", [])
    if not isinstance(items, list):
        raise _malformed("« items » n'est pas une liste", url)
    if not items:
        return None
    item = items[0]
    if not isinstance(item, Mapping) or not is_channel_id(item.get("id")):
        raise _malformed("chaîne sans identifiant UC…", url)
    snippet = item.get("snippet") or {}
    statistics = item.get("statistics") or {}
    if not isinstance(snippet, Mapping) or not isinstance(statistics, Mapping):
        raise _malformed("« snippet » ou « statistics » mal formé", url)
    hidden = statistics.get("hiddenSubscriberCount") is True
    return ChannelInfo(
        channel_id=str(item["id"]),
        title=_clean(snippet.get("title")) if isinstance(snippet.get("title"), str) else None,
        description=(
            _clean(snippet.get("description"))
            if isinstance(snippet.get("description"), str)
            else None
        ),
        custom_url=(
            _clean(snippet.get("customUrl")) if isinstance(snippet.get("customUrl"), str) else None
        ),
        subscribers=None if hidden else _count(statistics.get("subscriberCount")),
        subscribers_hidden=hidden,
        video_count=_count(statistics.get("videoCount")),
        published_at=parse_api_time(snippet.get("publishedAt")),
    )


def video_stats_from_api(payload: object, url: str | None = None) -> dict[str, VideoStats]:
    """Per video id, the counts of a ``videos.list?part=statistics,liveStreamingDetails``."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("items", []), list):
        raise _malformed("liste de vidéos attendue", url)
    stats: dict[str, VideoStats] = {}
    for item in payload.get("items", []):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            continue
        numbers = item.get("statistics") or {}
        if not isinstance(numbers, Mapping):
            numbers = {}
        stats[item["id"]] = VideoStats(
            views=_count(numbers.get("viewCount")),
            likes=_count(numbers.get("likeCount")),
            comments=_count(numbers.get("commentCount")),
            live=isinstance(item.get("liveStreamingDetails"), Mapping),
        )
    return stats


def with_video_stats(post: SocialPost, stats: VideoStats | None) -> SocialPost:
    """The post with the API's counts where it gave one (the feed's stay otherwise)."""
    if stats is None:
        return post
    return replace(
        post,
        views=stats.views if stats.views is not None else post.views,
        likes=stats.likes if stats.likes is not None else post.likes,
        replies=stats.comments,
        live=post.live or stats.live,
    )


# -- the channel's Atom feed --------------------------------------------------------------------


def _channel_id_of(value: object) -> str | None:
    """``UC…`` from a feed's ``yt:channelId`` (some feeds drop the ``UC`` prefix)."""
    if not isinstance(value, str):
        return None
    value = value.strip().removeprefix("yt:channel:")
    if is_channel_id(value):
        return value
    candidate = "UC" + value
    return candidate if is_channel_id(candidate) else None


def _video(entry: Mapping[str, Any], channel_id: str, web_base: str) -> SocialPost | None:
    video_id = entry.get("yt_videoid")
    if not isinstance(video_id, str) or not video_id.strip():
        raw_id = entry.get("id")
        video_id = raw_id.removeprefix("yt:video:") if isinstance(raw_id, str) else None
    published = _struct_time(entry.get("published_parsed")) or _struct_time(
        entry.get("updated_parsed")
    )
    if not video_id or published is None:
        return None
    title = str(entry.get("title") or "").strip()
    description = str(entry.get("summary") or "").strip()
    link = entry.get("link")
    url = link if isinstance(link, str) and link else f"{web_base.rstrip('/')}/watch?v={video_id}"
    statistics = entry.get("media_statistics")
    rating = entry.get("media_starrating")
    views = _count(statistics.get("views")) if isinstance(statistics, Mapping) else None
    likes = _count(rating.get("count")) if isinstance(rating, Mapping) else None
    text = f"{title}\n\n{description}" if description else title
    return SocialPost(
        platform=PLATFORM,
        account_id=channel_id,
        post_id=video_id.strip(),
        published_at=published,
        source=SocialSource.FEED,
        url=url,
        text=text,
        links=links_in_text(description),
        media=(Media(kind="video", url=url),),
        likes=likes,
        views=views,
    )


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def parse_channel_feed(
    body: bytes, *, url: str, channel_id: str, web_base: str = "https://www.youtube.com"
) -> ChannelFeed:
    """The feed's channel and videos, newest first.

    A feed the XML parser had to repair (``bozo``) is kept if feedparser still found
    videos; one without any entry and with a parse error, or that is not Atom at all,
    raises :class:`MalformedPayload`. Entries without a video id or a date are skipped.
    """
    if _looks_like_html(body):
        raise MalformedPayload(
            f"Flux de la chaîne YouTube illisible, ce n'est pas un flux (page HTML) : {url}",
            status=200,
            url=url,
        )
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    entries = list(parsed.get("entries") or [])
    feed = parsed.get("feed") or {}
    videos = [v for v in (_video(e, channel_id, web_base) for e in entries) if v is not None]
    broken = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not videos and (entries or broken is not None or not parsed.get("version")):
        if broken is not None:
            detail = f"XML mal formé ({broken})"
        elif entries:
            detail = "aucune vidéo lisible : identifiant ou date absents"
        else:
            detail = "ce n'est pas un flux Atom"
        raise MalformedPayload(
            f"Flux de la chaîne YouTube illisible, {detail} : {url}", status=200, url=url
        )
    found_id = _channel_id_of(feed.get("yt_channelid")) or _channel_id_of(feed.get("id"))
    videos.sort(key=lambda p: p.published_at, reverse=True)
    author = feed.get("author_detail") or {}
    channel_url = author.get("href") if isinstance(author, Mapping) else None
    title = feed.get("title")
    return ChannelFeed(
        channel_id=found_id,
        title=_clean(title) if isinstance(title, str) else None,
        channel_url=channel_url if isinstance(channel_url, str) and channel_url else None,
        created_at=_struct_time(feed.get("published_parsed")),
        videos=tuple(videos),
    )


# -- the profile --------------------------------------------------------------------------------

KEY_HINT = (
    "Nombre d'abonnés non mesuré : il faut une clé d'API YouTube (réglage "
    "social_youtube_key, variable BAROMETRE_SOCIAL_YOUTUBE_KEY)."
)
HIDDEN_HINT = "La chaîne masque son nombre d'abonnés."


def build_profile(
    *,
    channel_id: str,
    handle: str,
    url: str,
    fetched_at: datetime,
    page: PageInfo | None,
    api: ChannelInfo | None,
    feed: ChannelFeed,
) -> SocialProfile:
    """One channel's profile from whatever was read (API first, then page, then feed)."""
    description = (api.description if api else None) or (page.description if page else None)
    reason: str | None = None
    if api is None:
        reason = KEY_HINT
    elif api.subscribers_hidden:
        reason = HIDDEN_HINT
    return SocialProfile(
        platform=PLATFORM,
        account_id=channel_id,
        handle=(api.custom_url if api and api.custom_url else handle),
        url=url,
        state=AccountState.OK,
        fetched_at=fetched_at,
        source=SocialSource.API if api is not None else SocialSource.FEED,
        display_name=(api.title if api else None) or feed.title or (page.title if page else None),
        description=description,
        followers=api.subscribers if api else None,
        followers_exact=False,
        posts_count=api.video_count if api else None,
        created_at=(api.published_at if api else None) or feed.created_at,
        last_post_at=feed.videos[0].published_at if feed.videos else None,
        links=tuple(ProfileLink(u) for u in links_in_text(description)),
        reason=reason,
    )
