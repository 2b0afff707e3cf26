"""Mastodon account addresses and API URLs (pure functions, no I/O).

An account lives on one instance: its API is that instance's host. The addresses a
collectivité's site gives take several shapes, all read here:

* ``https://instance/@user`` (profile page, optionally followed by a post id),
* ``https://instance/users/user`` (the ActivityPub actor URI),
* ``https://instance/@user@other`` (another instance's view of a remote account: the
  account's home is ``other``),
* ``@user@instance``, ``user@instance`` and ``acct:user@instance`` handles.

Endpoints, per the Mastodon API documentation (docs.joinmastodon.org, methods/accounts):
``GET /api/v1/accounts/lookup?acct=`` and ``GET /api/v1/accounts/:id/statuses``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

# Mastodon usernames: letters, digits and underscores (docs: "must contain only letters,
# numbers and underscores"); other fediverse servers also allow dots and dashes.
_USER = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+"
_HANDLE = re.compile(rf"^(?:acct:)?@?(?P<user>{_USER})@(?P<host>{_HOST})$")
_LINK_PART = re.compile(r'<(?P<url>[^>]*)>\s*;(?P<params>[^,]*(?:"[^"]*"[^,]*)*)')


@dataclass(frozen=True)
class MastodonAddress:
    """One account: its username and its home instance (lower-case host)."""

    username: str
    instance: str

    @property
    def handle(self) -> str:
        """``@user@instance``, the form shown across the fediverse."""
        return f"@{self.username}@{self.instance}"

    @property
    def profile_url(self) -> str:
        return f"https://{self.instance}/@{self.username}"


def parse_address(value: str) -> MastodonAddress | None:
    """The account an URL or handle names, or ``None`` if it names none."""
    text = value.strip()
    if not text:
        return None
    handle = _HANDLE.match(text)
    if handle is not None:
        return MastodonAddress(handle.group("user"), handle.group("host").lower())
    if "://" not in text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    first = segments[0]
    if first.startswith("@") and len(first) > 1:
        remote = _HANDLE.match(first)
        if remote is not None:  # https://instance/@user@other: the account lives on other
            return MastodonAddress(remote.group("user"), remote.group("host").lower())
        user = first[1:]
        return MastodonAddress(user, host) if re.fullmatch(_USER, user) else None
    if first == "users" and len(segments) >= 2 and re.fullmatch(_USER, segments[1]):
        return MastodonAddress(segments[1], host)
    return None


def api_base(instance: str) -> str:
    return f"https://{instance}/api/v1"


def lookup_url(address: MastodonAddress) -> str:
    """``GET /api/v1/accounts/lookup`` (the ``acct`` parameter is added by the caller)."""
    return f"{api_base(address.instance)}/accounts/lookup"


def statuses_url(instance: str, account_id: str) -> str:
    return f"{api_base(instance)}/accounts/{quote(account_id, safe='')}/statuses"


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of an HTTP ``Link`` header (RFC 8288), or ``None``.

    Mastodon pages its lists this way: ``<…?max_id=123>; rel="next", <…>; rel="prev"``.
    """
    if not header:
        return None
    for match in _LINK_PART.finditer(header):
        params = match.group("params")
        rels = re.search(r'rel\s*=\s*"?([^";]+)"?', params)
        if rels is not None and "next" in rels.group(1).split():
            return match.group("url").strip() or None
    return None


def max_id_of(url: str) -> str | None:
    """The ``max_id`` parameter of a ``next`` link, if any."""
    values = parse_qs(urlsplit(url).query).get("max_id")
    return values[0] if values else None
