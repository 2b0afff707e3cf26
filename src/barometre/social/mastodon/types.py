"""Mastodon payloads and their translation into the shared social records (pure).

The TypedDicts list the fields of the documented entities that the barometer reads
(docs.joinmastodon.org, entities Account, Field, Status, MediaAttachment, PreviewCard,
Poll, Application), and the WebFinger document (RFC 7033 JRD, docs spec/webfinger);
payloads carry more, which is ignored. Every reader validates what
it uses and raises :class:`~barometre.social.errors.MalformedPayload` naming the field,
so that a broken instance gives a clear reason instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypedDict
from urllib.parse import urlsplit

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
from barometre.social.mastodon.urls import MastodonAddress, parse_acct

PLATFORM = "mastodon"
REMOTE_PREFIX = "mastodon:"
"""``reply_to`` of a reply to another account: its API id on the instance, prefixed
(its stable URI is not in the status, only its instance-local id)."""


class JrdLink(TypedDict, total=False):
    rel: str
    type: str
    href: str
    template: str


class Jrd(TypedDict, total=False):
    """A WebFinger answer (RFC 7033 §4.4, JSON Resource Descriptor)."""

    subject: str  # acct:user@domain, the canonical address
    aliases: list[str]
    links: list[JrdLink]


ACTIVITY_TYPES = frozenset(
    {
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    }
)
"""Types of the ``self`` link that names an ActivityPub actor (docs: spec/webfinger)."""


class Field(TypedDict):
    name: str
    value: str  # HTML
    verified_at: str | None  # rel="me" verification date, or null


class Application(TypedDict, total=False):
    name: str
    website: str | None


class MediaAttachment(TypedDict, total=False):
    id: str
    type: str  # unknown | image | gifv | video | audio
    url: str | None
    description: str | None  # alternative text


class PreviewCard(TypedDict, total=False):
    url: str
    title: str
    description: str
    type: str


class Poll(TypedDict, total=False):
    id: str
    votes_count: int


class Account(TypedDict, total=False):
    id: str
    username: str
    acct: str
    url: str
    uri: str  # ActivityPub actor id (Mastodon 4.2+)
    display_name: str
    note: str  # HTML
    created_at: str
    last_status_at: str | None  # a date (YYYY-MM-DD) since Mastodon 3.1
    followers_count: int
    following_count: int
    statuses_count: int
    fields: list[Field]
    moved: Account | None
    suspended: bool
    limited: bool


class Status(TypedDict, total=False):
    id: str
    created_at: str
    url: str | None
    uri: str
    content: str  # HTML
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    reblog: Status | None
    card: PreviewCard | None
    media_attachments: list[MediaAttachment]
    replies_count: int
    reblogs_count: int
    favourites_count: int
    application: Application | None
    language: str | None
    poll: Poll | None


# -- validation helpers -----------------------------------------------------------------


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"Mastodon : {what} n'est pas un objet JSON.")
    return value


def _str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"Mastodon : champ « {key} » absent ou invalide dans {what}.")
    return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _count(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def parse_datetime(value: Any, key: str, what: str) -> datetime:
    """An ISO 8601 datetime (``…Z`` or with an offset), as an aware UTC datetime."""
    if not isinstance(value, str):
        raise MalformedPayload(f"Mastodon : date « {key} » absente dans {what}.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedPayload(
            f"Mastodon : date « {key} » illisible dans {what} : {value!r}."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _day(value: Any) -> datetime | None:
    """``last_status_at``: a date (or, on older servers, a datetime)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        return parse_datetime(value, "last_status_at", "le compte")
    except (ValueError, MalformedPayload):
        return None


# -- WebFinger ----------------------------------------------------------------------------


def address_from_jrd(payload: Any, asked: MastodonAddress) -> MastodonAddress | None:
    """Where the account ``asked`` lives, from its WebFinger answer; ``None`` if unusable.

    The server is the host of the ``self`` link of an ActivityPub type (the actor's
    URI), else of the profile page (``http://webfinger.net/rel/profile-page``); the
    handle is the ``subject`` when it is an ``acct:`` URI (the canonical address, which
    may differ from the one asked), else the one asked.
    """
    if not isinstance(payload, Mapping):
        return None
    links = [link for link in payload.get("links") or [] if isinstance(link, Mapping)]
    hosts: list[str] = []
    for wanted in ("self", "http://webfinger.net/rel/profile-page"):
        for link in links:
            href = link.get("href")
            if link.get("rel") != wanted or not isinstance(href, str):
                continue
            if (
                wanted == "self"
                and str(link.get("type", "")).replace("'", '"') not in ACTIVITY_TYPES
            ):
                continue
            parts = urlsplit(href.strip())
            if parts.scheme == "https" and parts.hostname:
                hosts.append(parts.hostname.lower().rstrip("."))
    if not hosts:
        return None
    subject = payload.get("subject")
    canonical = parse_acct(subject) if isinstance(subject, str) else None
    user, domain = canonical or (asked.username, asked.handle_domain)
    server = hosts[0]
    return MastodonAddress(user, server, None if domain == server else domain)


# -- HTML ---------------------------------------------------------------------------------

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p(?:\s[^>]*)?>", re.IGNORECASE)


def html_text(html: str | None) -> str:
    """Plain text of Mastodon's HTML: paragraphs as blank lines, ``<br>`` as new lines.

    Links keep their full URL: Mastodon hides the scheme and the tail of long URLs in
    ``<span class="invisible">``, whose text is still part of the link's text.
    """
    if not isinstance(html, str) or not html:
        return ""
    prepared = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", html))
    body = LexborHTMLParser(prepared).body
    return body.text(separator="").strip() if body is not None else ""


def _is_mention_or_tag(classes: str, rel: str) -> bool:
    names = classes.split()
    return "mention" in names or "hashtag" in names or "tag" in rel.split()


def html_links(html: str | None) -> list[str]:
    """Outbound links of Mastodon HTML, in order, without mentions and hashtag links."""
    if not isinstance(html, str) or not html:
        return []
    found: list[str] = []
    for node in LexborHTMLParser(html).css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        classes = node.attributes.get("class") or ""
        rel = node.attributes.get("rel") or ""
        if not href.startswith(("http://", "https://")) or _is_mention_or_tag(classes, rel):
            continue
        if href not in found:
            found.append(href)
    return found


# -- profile ----------------------------------------------------------------------------


def _profile_link(raw: Any) -> ProfileLink | None:
    if not isinstance(raw, Mapping):
        return None
    value = raw.get("value")
    if not isinstance(value, str):
        return None
    links = html_links(value)
    text = html_text(value)
    url = links[0] if links else (text if text.startswith(("http://", "https://")) else None)
    if url is None:
        return None
    name = raw.get("name")
    return ProfileLink(
        url=url,
        label=name if isinstance(name, str) and name else None,
        verified=isinstance(raw.get("verified_at"), str),
    )


def _moved_handle(moved: Mapping[str, Any], address: MastodonAddress) -> str | None:
    """``@user@instance`` of the account moved to (``acct`` is bare for a local one)."""
    acct = _opt_str(moved, "acct")
    if acct is None:
        return _opt_str(moved, "url")
    if "@" in acct:
        return "@" + acct.lstrip("@")
    url = _opt_str(moved, "url")
    host = urlsplit(url).hostname if url else None
    return f"@{acct}@{host or address.instance}"


def account_id_of(account: Mapping[str, Any]) -> str:
    """The stable id kept across editions: the actor ``uri``, else the profile ``url``."""
    found = _opt_str(account, "uri") or _opt_str(account, "url")
    if found is None:
        raise MalformedPayload("Mastodon : le compte n'a ni « uri » ni « url ».")
    return found


def read_account(payload: Any) -> Mapping[str, Any]:
    """The Account entity, checked for the fields every profile needs."""
    account = _object(payload, "le compte")
    _str(account, "id", "le compte")
    _str(account, "username", "le compte")
    account_id_of(account)
    return account


def profile_from_account(
    payload: Any,
    address: MastodonAddress,
    *,
    fetched_at: datetime,
    newest_post: datetime | None = None,
) -> SocialProfile:
    """The profile an Account entity describes.

    A ``moved`` account is recorded as :attr:`AccountState.MOVED` with ``moved_to`` its
    new profile URL; ``suspended`` as :attr:`AccountState.SUSPENDED`. ``newest_post``
    (the newest status read) refines ``last_status_at``, which is only a day.
    """
    account = read_account(payload)
    fields = account.get("fields")
    links = tuple(
        link
        for link in (_profile_link(f) for f in (fields if isinstance(fields, list) else []))
        if link is not None
    )
    state, moved_to, reason = AccountState.OK, None, None
    moved = account.get("moved")
    if isinstance(moved, Mapping):
        state = AccountState.MOVED
        moved_to = _opt_str(moved, "url") or _opt_str(moved, "uri")
        reason = f"Le compte a migré vers {_moved_handle(moved, address) or 'un autre compte'}."
    elif account.get("suspended") is True:
        state = AccountState.SUSPENDED
        reason = "Le compte est suspendu par son instance."
    blanked = state is AccountState.SUSPENDED  # a suspended account's counts read 0
    last_day = _day(account.get("last_status_at"))
    candidates = [d for d in (last_day, newest_post) if d is not None]
    created = account.get("created_at")
    return SocialProfile(
        platform=PLATFORM,
        account_id=account_id_of(account),
        handle=address.handle,
        url=_opt_str(account, "url") or address.profile_url,
        state=state,
        fetched_at=fetched_at,
        source=SocialSource.API,
        display_name=_opt_str(account, "display_name"),
        description=html_text(account.get("note")) or None,
        followers=None if blanked else _count(account, "followers_count"),
        following=None if blanked else _count(account, "following_count"),
        posts_count=None if blanked else _count(account, "statuses_count"),
        created_at=parse_datetime(created, "created_at", "le compte") if created else None,
        last_post_at=max(candidates) if candidates else None,
        links=links,
        moved_to=moved_to,
        reason=reason,
    )


# -- statuses ---------------------------------------------------------------------------

_MEDIA_KINDS = {"image": "image", "video": "video", "gifv": "gif", "audio": "audio"}


def _media(raw: Any) -> Media | None:
    if not isinstance(raw, Mapping):
        return None
    kind = _MEDIA_KINDS.get(str(raw.get("type")), "other")
    alt = raw.get("description")
    return Media(
        kind=kind,
        alt=alt.strip() if isinstance(alt, str) and alt.strip() else None,
        url=_opt_str(raw, "url"),
    )


def status_time(payload: Any) -> datetime:
    """When a status (or a boost) was published: its ``created_at``."""
    status = _object(payload, "un statut")
    return parse_datetime(status.get("created_at"), "created_at", "un statut")


def post_from_status(payload: Any, *, account_api_id: str, account_id: str) -> SocialPost:
    """One status of the account as a :class:`SocialPost`.

    ``account_api_id`` is the account's id on its instance (what
    ``in_reply_to_account_id`` holds); ``account_id`` its stable id. A reply to the
    account itself is a thread (``reply_to == account_id``); to anyone else,
    ``reply_to`` is ``"mastodon:<their id>"``. A boost keeps its own id and date and
    the boosted status's text, links and media; its counts belong to the original
    author and are not kept.
    """
    status = _object(payload, "un statut")
    post_id = _str(status, "id", "un statut")
    published = parse_datetime(status.get("created_at"), "created_at", f"le statut {post_id}")
    reblog = status.get("reblog")
    is_repost = isinstance(reblog, Mapping)
    shown: Mapping[str, Any] = reblog if isinstance(reblog, Mapping) else status
    content = shown.get("content") if isinstance(shown.get("content"), str) else ""
    links: list[str] = []
    card = shown.get("card")
    card_title = None
    if isinstance(card, Mapping):
        card_url = _opt_str(card, "url")
        if card_url is not None:
            links.append(card_url)
        card_title = _opt_str(card, "title")
    links.extend(link for link in html_links(content) if link not in links)
    attachments = shown.get("media_attachments")
    media = tuple(
        m
        for m in (_media(a) for a in (attachments if isinstance(attachments, list) else []))
        if m is not None
    )
    reply_to = None
    replied = status.get("in_reply_to_account_id")
    if not is_repost and isinstance(replied, str | int) and str(replied):
        reply_to = account_id if str(replied) == account_api_id else REMOTE_PREFIX + str(replied)
    application = status.get("application")
    app_name = _opt_str(application, "name") if isinstance(application, Mapping) else None
    return SocialPost(
        platform=PLATFORM,
        account_id=account_id,
        post_id=post_id,
        published_at=published,
        source=SocialSource.API,
        url=_opt_str(status, "url") or _opt_str(shown, "url"),
        text=html_text(content),
        reply_to=reply_to,
        is_repost=is_repost,
        links=tuple(links),
        card_title=card_title,
        media=media,
        likes=None if is_repost else _count(status, "favourites_count"),
        reposts=None if is_repost else _count(status, "reblogs_count"),
        replies=None if is_repost else _count(status, "replies_count"),
        application=None if is_repost else app_name,
        language=_opt_str(shown, "language"),
        poll=isinstance(shown.get("poll"), Mapping),
    )


def read_statuses(payload: Any) -> Sequence[Any]:
    """The array of statuses of one page (a JSON array, else :class:`MalformedPayload`)."""
    if not isinstance(payload, list):
        raise MalformedPayload("Mastodon : la liste des statuts n'est pas un tableau JSON.")
    return payload
