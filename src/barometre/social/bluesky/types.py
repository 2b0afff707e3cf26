"""Bluesky AppView payloads and their translation into the shared records (pure).

The TypedDicts list what the barometer reads of the lexicons (github.com/bluesky-social/
atproto, ``lexicons/app/bsky``): ``app.bsky.actor.defs#profileViewDetailed``,
``app.bsky.feed.defs#feedViewPost`` / ``#postView`` / ``#reasonRepost``, the record
``app.bsky.feed.post``, the embed views (``app.bsky.embed.external#view``,
``images#view``, ``video#view``, ``record#view``, ``recordWithMedia#view``) and the
rich-text facets (``app.bsky.richtext.facet#link``). Readers validate what they use and
raise :class:`~barometre.social.errors.MalformedPayload` naming the field.

Dates: a post's ``createdAt`` is written by the author's client and can be anything;
the research note (anchors-social.md) warns of forged dates such as 1970 used to push a
post up or down a timeline. A post dated in the future, or before 2023-02-01 (Bluesky
opened its public beta in February 2023, so no genuine post is older), is ignored.
Paging decisions use the AppView's own ``indexedAt`` instead, which the author cannot set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from barometre.domains import registrable_domain
from barometre.models import AccountState, Media, SocialPost, SocialProfile, SocialSource
from barometre.social.bluesky.urls import (
    INVALID_HANDLE,
    did_of,
    is_handle,
    parse_at_uri,
    post_url,
    profile_url,
)
from barometre.social.errors import MalformedPayload

PLATFORM = "bluesky"
EARLIEST_POST = datetime(2023, 2, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=10)  # a client clock slightly ahead is not a forgery

REPOST = "app.bsky.feed.defs#reasonRepost"
PIN = "app.bsky.feed.defs#reasonPin"
LINK_FEATURE = "app.bsky.richtext.facet#link"


class ProfileViewBasic(TypedDict, total=False):
    did: str
    handle: str
    displayName: str


class ProfileViewDetailed(ProfileViewBasic, total=False):
    description: str
    followersCount: int
    followsCount: int
    postsCount: int
    createdAt: str
    indexedAt: str


class StrongRef(TypedDict):
    uri: str
    cid: str


class ReplyRef(TypedDict):
    root: StrongRef
    parent: StrongRef


class Facet(TypedDict, total=False):
    index: dict[str, int]  # byteStart, byteEnd
    features: list[dict[str, Any]]  # $type #link (uri), #mention (did), #tag (tag)


class PostRecord(TypedDict, total=False):
    text: str
    createdAt: str
    langs: list[str]
    reply: ReplyRef
    facets: list[Facet]
    embed: dict[str, Any]


class PostView(TypedDict, total=False):
    uri: str
    cid: str
    author: ProfileViewBasic
    record: PostRecord
    embed: dict[str, Any]  # one of the embed views
    replyCount: int
    repostCount: int
    likeCount: int
    quoteCount: int
    indexedAt: str


class ReasonRepost(TypedDict, total=False):
    by: ProfileViewBasic
    uri: str
    cid: str
    indexedAt: str


class FeedViewPost(TypedDict, total=False):
    post: PostView
    reason: dict[str, Any]  # ReasonRepost or reasonPin, by ``$type``


# -- validation helpers -----------------------------------------------------------------


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"Bluesky : {what} n'est pas un objet JSON.")
    return value


def _str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"Bluesky : champ « {key} » absent ou invalide dans {what}.")
    return value


def _opt_str(data: Mapping[str, Any] | None, key: str) -> str | None:
    if data is None:
        return None
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _count(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _mapping(data: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
    value = data.get(key) if data is not None else None
    return value if isinstance(value, Mapping) else None


def parse_time(value: Any) -> datetime | None:
    """An atproto datetime (RFC 3339) as aware UTC, or ``None`` if unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def plausible(when: datetime, now: datetime) -> bool:
    """Whether a ``createdAt`` can be genuine: not before 2023-02-01, not in the future."""
    return EARLIEST_POST <= when <= now + CLOCK_SKEW


# -- profile ----------------------------------------------------------------------------


def read_profile(payload: Any) -> Mapping[str, Any]:
    """``app.bsky.actor.getProfile`` output, checked for ``did`` and ``handle``."""
    view = _object(payload, "le profil")
    _str(view, "did", "le profil")
    _str(view, "handle", "le profil")
    return view


def verified_domain(handle: str, site_host: str | None) -> str | None:
    """The collectivité's domain when the handle, as the AppView verified it, is on it.

    The AppView shows a handle only after checking it (DNS ``_atproto`` TXT record or
    ``https://<handle>/.well-known/atproto-did``); otherwise it says ``handle.invalid``.
    A handle whose registrable domain is the official site's is thus proof of control
    of that domain (the research note's free authenticity signal).
    """
    handle = handle.lower().rstrip(".")
    if not site_host or handle == INVALID_HANDLE or not is_handle(handle):
        return None
    domain = registrable_domain(handle)
    return domain if domain == registrable_domain(site_host.lower().rstrip(".")) else None


def shown_handle(view: Mapping[str, Any], claimed: str | None) -> str:
    """The handle to record: the AppView's, or the claimed one when it says ``handle.invalid``."""
    handle = str(view["handle"]).lower()
    if handle == INVALID_HANDLE and claimed:
        return claimed
    return handle


def profile_from_view(
    payload: Any,
    *,
    claimed_handle: str | None,
    site_host: str | None,
    fetched_at: datetime,
    last_post_at: datetime | None = None,
) -> SocialProfile:
    """The profile a ``profileViewDetailed`` describes (``account_id`` = the DID)."""
    view = read_profile(payload)
    did = str(view["did"])
    handle = shown_handle(view, claimed_handle)
    valid = str(view["handle"]).lower() != INVALID_HANDLE
    return SocialProfile(
        platform=PLATFORM,
        account_id=did,
        handle=handle,
        url=profile_url(handle if valid else did),
        state=AccountState.OK,
        fetched_at=fetched_at,
        source=SocialSource.API,
        display_name=_opt_str(view, "displayName"),
        description=_opt_str(view, "description"),
        followers=_count(view, "followersCount"),
        following=_count(view, "followsCount"),
        posts_count=_count(view, "postsCount"),
        created_at=parse_time(view.get("createdAt")),
        last_post_at=last_post_at,
        verified_domain=verified_domain(str(view["handle"]), site_host) if valid else None,
    )


# -- feed -------------------------------------------------------------------------------


def read_feed(payload: Any) -> tuple[Sequence[Mapping[str, Any]], str | None]:
    """The items and the next ``cursor`` of one ``getAuthorFeed`` page."""
    page = _object(payload, "le fil")
    feed = page.get("feed")
    if not isinstance(feed, list):
        raise MalformedPayload("Bluesky : champ « feed » absent ou invalide dans le fil.")
    items = [_object(item, "un élément du fil") for item in feed]
    for item in items:
        post = _object(item.get("post"), "« post » d'un élément du fil")
        _str(post, "uri", "une publication")
        _object(post.get("record"), "« record » d'une publication")
    cursor = page.get("cursor")
    return items, cursor if isinstance(cursor, str) and cursor else None


def reason_type(item: Mapping[str, Any]) -> str | None:
    return _opt_str(_mapping(item, "reason"), "$type")


def sort_time(item: Mapping[str, Any]) -> datetime | None:
    """When the item entered the feed, as the AppView dates it (the author cannot set it):
    the repost's ``indexedAt`` for a repost, else the post's ``indexedAt``."""
    reason = _mapping(item, "reason")
    if reason_type(item) == REPOST and reason is not None:
        return parse_time(reason.get("indexedAt"))
    post = _mapping(item, "post")
    return parse_time(post.get("indexedAt")) if post is not None else None


def _images(view: Mapping[str, Any]) -> list[Media]:
    images = view.get("images")
    found = []
    for image in images if isinstance(images, list) else []:
        if isinstance(image, Mapping):
            alt = image.get("alt")
            found.append(
                Media(
                    "image",
                    alt.strip() if isinstance(alt, str) and alt.strip() else None,
                    _opt_str(image, "fullsize") or _opt_str(image, "thumb"),
                )
            )
    return found


def _embed_parts(embed: Mapping[str, Any] | None) -> tuple[list[Media], str | None, str | None]:
    """Media, external link and its title of an embed view (``recordWithMedia`` unwrapped)."""
    if embed is None:
        return [], None, None
    kind = _opt_str(embed, "$type") or ""
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        return _embed_parts(_mapping(embed, "media"))
    if kind.startswith("app.bsky.embed.images"):
        return _images(embed), None, None
    if kind.startswith("app.bsky.embed.video"):
        alt = embed.get("alt")
        text = alt.strip() if isinstance(alt, str) and alt.strip() else None
        return [Media("video", text, _opt_str(embed, "playlist"))], None, None
    if kind.startswith("app.bsky.embed.external"):
        external = _mapping(embed, "external")
        return [], _opt_str(external, "uri"), _opt_str(external, "title")
    return [], None, None


def facet_links(record: Mapping[str, Any]) -> list[str]:
    """The ``app.bsky.richtext.facet#link`` URIs of a post record, in order."""
    found: list[str] = []
    facets = record.get("facets")
    for facet in facets if isinstance(facets, list) else []:
        features = facet.get("features") if isinstance(facet, Mapping) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, Mapping) and feature.get("$type") == LINK_FEATURE:
                uri = _opt_str(feature, "uri")
                if uri is not None and uri not in found:
                    found.append(uri)
    return found


def post_from_item(item: Mapping[str, Any], *, account_id: str, now: datetime) -> SocialPost | None:
    """One feed item as a :class:`SocialPost` (``None``: a post with an implausible date).

    A repost (``reason`` ``#reasonRepost``) is dated by the repost and carries the
    reposted post's text, links and media, not its counts (they belong to its author).
    A reply's ``reply_to`` is the DID in its parent's URI: the account's own DID is a
    thread, any other DID a conversation.
    """
    post = _object(item.get("post"), "« post » d'un élément du fil")
    uri = _str(post, "uri", "une publication")
    record = _object(post.get("record"), f"« record » de {uri}")
    reason = _mapping(item, "reason")
    is_repost = reason_type(item) == REPOST
    if is_repost:
        published = parse_time(reason.get("indexedAt") if reason else None)
        if published is None:
            raise MalformedPayload(f"Bluesky : date du repartage de {uri} illisible.")
        post_id = _opt_str(reason, "uri") or f"{uri}#repost@{published.isoformat()}"
    else:
        published = parse_time(record.get("createdAt"))
        if published is None:
            raise MalformedPayload(f"Bluesky : « createdAt » absent ou illisible dans {uri}.")
        if not plausible(published, now):
            return None
        post_id = uri
    author = _mapping(post, "author")
    author_handle = _opt_str(author, "handle")
    author_did = _opt_str(author, "did") or did_of(uri) or account_id
    at = parse_at_uri(uri)
    shown = author_handle if author_handle and author_handle != INVALID_HANDLE else author_did
    media, external, card_title = _embed_parts(_mapping(post, "embed"))
    links = [external] if external else []
    links.extend(link for link in facet_links(record) if link not in links)
    reply_to = None
    parent = _mapping(_mapping(record, "reply"), "parent")
    if not is_repost and parent is not None:
        reply_to = did_of(_opt_str(parent, "uri") or "") or None
    langs = record.get("langs")
    text = record.get("text")
    return SocialPost(
        platform=PLATFORM,
        account_id=account_id,
        post_id=post_id,
        published_at=published,
        source=SocialSource.API,
        url=post_url(shown, at.rkey) if at is not None and at.rkey else None,
        text=text if isinstance(text, str) else "",
        reply_to=reply_to,
        is_repost=is_repost,
        links=tuple(links),
        card_title=card_title,
        media=tuple(media),
        likes=None if is_repost else _count(post, "likeCount"),
        reposts=None if is_repost else _count(post, "repostCount"),
        replies=None if is_repost else _count(post, "replyCount"),
        quotes=None if is_repost else _count(post, "quoteCount"),
        language=langs[0]
        if isinstance(langs, list) and langs and isinstance(langs[0], str)
        else None,
    )
