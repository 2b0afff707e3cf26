"""Bluesky actors, AT URIs and AppView URLs (pure functions, no I/O).

An actor is named by a handle (a domain name, e.g. ``ville-exemple.fr``) or by a DID
(``did:plc:…``, ``did:web:…``), the stable identifier kept across editions. Syntax
from the AT Protocol specifications (atproto.com, specs "Handle", "DID", "AT URI"):
a handle is at least two DNS labels of letters, digits and hyphens, the last not
starting with a digit; ``handle.invalid`` is what an AppView shows when it could not
verify an account's handle.

Accepted inputs: ``https://bsky.app/profile/<handle-or-did>`` (a post URL under it
too), ``@handle``, ``handle``, a DID, an ``at://`` URI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from barometre.vocab.platforms import platform_of_host

INVALID_HANDLE = "handle.invalid"
WEB_APP = "https://bsky.app"

_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?"
_HANDLE = re.compile(rf"^(?:{_LABEL}\.)+[a-zA-Z](?:[a-zA-Z0-9\-]{{0,61}}[a-zA-Z0-9])?$")
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%\-]*[a-zA-Z0-9._\-]$")


def is_did(value: str) -> bool:
    return bool(_DID.match(value))


def is_handle(value: str) -> bool:
    return len(value) <= 253 and bool(_HANDLE.match(value))


def _actor(value: str) -> str | None:
    value = unquote(value).strip().lstrip("@")
    if is_did(value):
        return value
    lowered = value.lower()
    return lowered if is_handle(lowered) else None


def parse_actor(value: str) -> str | None:
    """The handle (lower-case) or DID an URL or handle names, or ``None``."""
    text = value.strip()
    if not text:
        return None
    if text.startswith("at://"):
        parsed = parse_at_uri(text)
        return _actor(parsed.authority) if parsed is not None else None
    if "://" not in text:
        return _actor(text)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or platform_of_host(parts.hostname or "") != "bluesky":
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 2 and segments[0] == "profile":
        return _actor(segments[1])
    return None


@dataclass(frozen=True)
class AtUri:
    """``at://<authority>/<collection>/<rkey>``."""

    authority: str
    collection: str | None = None
    rkey: str | None = None


def parse_at_uri(uri: str) -> AtUri | None:
    if not uri.startswith("at://"):
        return None
    parts = uri[len("at://") :].split("#", 1)[0].split("?", 1)[0].split("/")
    if not parts or not parts[0]:
        return None
    return AtUri(
        parts[0],
        parts[1] if len(parts) > 1 and parts[1] else None,
        parts[2] if len(parts) > 2 and parts[2] else None,
    )


def did_of(uri: str) -> str | None:
    """The DID inside an AT URI (the author of a post), if the authority is one."""
    parsed = parse_at_uri(uri)
    return parsed.authority if parsed is not None and is_did(parsed.authority) else None


def profile_url(actor: str) -> str:
    return f"{WEB_APP}/profile/{quote(actor, safe=':.')}"


def post_url(actor: str, rkey: str) -> str:
    """The web address of a post: ``https://bsky.app/profile/<handle>/post/<rkey>``."""
    return f"{profile_url(actor)}/post/{quote(rkey, safe='')}"


def xrpc_url(appview: str, method: str) -> str:
    """``<appview>/xrpc/<method>`` (e.g. ``app.bsky.actor.getProfile``)."""
    return f"{appview.rstrip('/')}/xrpc/{method}"


GET_PROFILE = "app.bsky.actor.getProfile"
GET_AUTHOR_FEED = "app.bsky.feed.getAuthorFeed"
