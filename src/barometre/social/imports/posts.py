"""From the rows of a posts export to accounts, posts and the sponsored set.

Every posts family (Meta, X, LinkedIn, TikTok, the generic CSV) turns a row into a
:class:`PostFields`; :func:`build_posts` does the rest the same way for all of them:

* which account a post belongs to: the platform's id when the file gives one (Meta's
  ``Page ID``/``Account ID``), else the handle, lower-cased and without ``@`` (a handle
  column, the ``--handle`` given by the caller, or the one read in the permalink);
* one :class:`~barometre.models.SocialProfile` per account, state ``ok``, source
  ``import``, ``fetched_at`` = the latest date in the file (the figures are as of the
  export, not as of the import);
* duplicated post ids (reported; with ``strict`` they reject the file);
* replies: ``reply_to`` holds the account replied to, as far as the file tells it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from barometre.models import (
    AccountState,
    FollowerCount,
    Media,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.social.base import newest_first
from barometre.social.imports.rows import Source
from barometre.social.imports.values import normalize_handle
from barometre.vocab.platforms import profile_url
from barometre.vocab.when import When


@dataclass
class Extracted:
    """What one family read from one file, before it becomes an ``ImportBatch``."""

    profiles: list[SocialProfile] = field(default_factory=list)
    posts: list[SocialPost] = field(default_factory=list)
    followers: list[FollowerCount] = field(default_factory=list)
    sponsored: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PostFields:
    """One post as a family read it from a row (before the account is resolved)."""

    post_id: str
    published: When
    account_id: str | None = None  # the platform's stable id, when the file has it
    handle: str | None = None  # handle from a column of the file (authoritative)
    url_handle: str | None = None  # handle read in the permalink (fallback)
    name: str | None = None  # display name of the account
    url: str | None = None
    text: str = ""
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    media: tuple[Media, ...] = ()
    links: tuple[str, ...] = ()
    is_repost: bool = False
    reply_to_handle: str | None = None
    sponsored: bool = False
    poll: bool = False
    live: bool = False


@dataclass
class _Account:
    account_id: str
    handle: str | None = None
    url_handle: str | None = None
    name: str | None = None
    last_post: datetime | None = None


def build_posts(source: Source, rows: list[tuple[int, PostFields]]) -> Extracted:
    """Resolve accounts, drop or refuse duplicates, and build the records of the file."""
    given = normalize_handle(source.account_handle) if source.account_handle else None
    accounts: dict[str, _Account] = {}
    seen: dict[tuple[str, str], int] = {}
    out = Extracted()
    pending: list[tuple[PostFields, str]] = []
    resolved: list[tuple[int, PostFields, str | None]] = []
    for line, fields in rows:
        if given and fields.handle and normalize_handle(fields.handle) != given:
            raise source.fail(
                f"le fichier concerne le compte « {fields.handle} », et non « {given} » "
                "(compte indiqué pour l'import)",
                line,
            )
        resolved.append((line, fields, _account_of(fields, given)))
    # A row that names no account (no link, say) belongs to the file's only account.
    named = {account for _, _, account in resolved if account}
    for line, fields, found in resolved:
        account_id = found or (next(iter(named)) if len(named) == 1 else None)
        if not account_id:
            raise source.fail(
                "le fichier ne dit pas de quel compte il s'agit : indiquez le compte "
                "(option --handle)",
                line,
            )
        key = (account_id, fields.post_id)
        if key in seen:
            message = f"publication « {fields.post_id} » en double (déjà ligne {seen[key]})"
            if source.strict:
                raise source.fail(message, line)
            source.warn(f"ligne {line} ignorée : {message}")
            continue
        seen[key] = line
        account = accounts.setdefault(account_id, _Account(account_id))
        account.handle = account.handle or fields.handle
        account.url_handle = account.url_handle or fields.url_handle
        account.name = account.name or fields.name
        at = fields.published.at
        account.last_post = at if account.last_post is None else max(account.last_post, at)
        pending.append((fields, account_id))
    if given and len(accounts) > 1:
        names = ", ".join(sorted(accounts))
        raise source.fail(
            f"le fichier contient {len(accounts)} comptes ({names}) : le compte indiqué "
            f"« {given} » ne peut en désigner qu'un"
        )
    if not pending:
        return out
    fetched_at = max(f.published.at for f, _ in pending)
    handles = {}
    for account in accounts.values():
        handle = (
            (normalize_handle(account.handle) if account.handle else None)
            or given
            or (normalize_handle(account.url_handle) if account.url_handle else None)
            or account.account_id
        )
        handles[account.account_id] = handle
        out.profiles.append(
            SocialProfile(
                platform=source.platform,
                account_id=account.account_id,
                handle=handle,
                url=profile_url(source.platform, handle),
                state=AccountState.OK,
                fetched_at=fetched_at,
                source=SocialSource.IMPORT,
                display_name=account.name,
                last_post_at=account.last_post,
            )
        )
    posts = []
    for fields, account_id in pending:
        reply_to = None
        if fields.reply_to_handle:
            replied = normalize_handle(fields.reply_to_handle)
            reply_to = account_id if replied == handles[account_id] else replied
        posts.append(
            SocialPost(
                platform=source.platform,
                account_id=account_id,
                post_id=fields.post_id,
                published_at=fields.published.at,
                source=SocialSource.IMPORT,
                url=fields.url,
                text=fields.text,
                reply_to=reply_to,
                is_repost=fields.is_repost,
                links=fields.links,
                media=fields.media,
                likes=fields.likes,
                reposts=fields.reposts,
                replies=fields.replies,
                views=fields.views,
                poll=fields.poll,
                live=fields.live,
            )
        )
        if fields.sponsored:
            out.sponsored.add(fields.post_id)
    out.posts = list(newest_first(posts))
    return out


def _account_of(fields: PostFields, given: str | None) -> str | None:
    """The row's account: the platform's id, else a handle (column, caller, permalink)."""
    return (
        fields.account_id
        or (normalize_handle(fields.handle) if fields.handle else None)
        or given
        or (normalize_handle(fields.url_handle) if fields.url_handle else None)
    )


# --- permalinks ------------------------------------------------------------------------
# Just enough URL reading for the permalinks the exports carry; the full account-URL
# parser belongs to discovery (checks stage), which this stage may not import.

_NOT_HANDLES = {
    "facebook": {
        "permalink.php", "photo.php", "photo", "photos", "reel", "reels", "watch", "story.php",
        "groups", "events", "videos", "posts", "share", "profile.php", "people", "pages",
    },
    "instagram": {"p", "reel", "reels", "tv", "stories", "explore"},
    "x": {"i", "intent", "home", "search", "hashtag"},
    "threads": set(),
    "tiktok": set(),
}  # fmt: skip


def handle_from_permalink(platform: str, url: str | None) -> str | None:
    """The account name written in a post's permalink, when the platform puts one there."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    first = segments[0]
    if platform in ("tiktok", "threads"):
        return first[1:] if first.startswith("@") and len(first) > 1 else None
    if platform == "facebook" and first == "permalink.php":
        page = parse_qs(parts.query).get("id", [""])[0]
        return page if page.isdigit() else None
    if platform in _NOT_HANDLES and first.lower() not in _NOT_HANDLES[platform]:
        return first.lstrip("@") or None
    return None


_LINKEDIN_URN = re.compile(r"urn:li:(?:activity|share|ugcPost):\d+")
_NUMBERED = {"tiktok": re.compile(r"/video/(\d+)"), "x": re.compile(r"/status(?:es)?/(\d+)")}


def post_id_from_permalink(platform: str, url: str | None) -> str | None:
    """A stable post id read in a permalink (LinkedIn URN, TikTok video or X post number)."""
    if not url:
        return None
    if platform == "linkedin":
        found = _LINKEDIN_URN.search(url)
        return found.group(0) if found else None
    pattern = _NUMBERED.get(platform)
    found_number = pattern.search(url) if pattern is not None else None
    return found_number.group(1) if found_number else None


def media_of(kind: str | None) -> tuple[tuple[Media, ...], bool, bool]:
    """``(media, poll, live)`` for a normalised post kind read from the file."""
    if kind in ("image", "video", "gif", "audio", "other"):
        return (Media(kind=kind),), False, False
    if kind == "live":
        return (Media(kind="video"),), False, True
    if kind == "poll":
        return (), True, False
    return (), False, False
