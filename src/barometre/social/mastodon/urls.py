"""Mastodon account addresses and API URLs (pure functions, no I/O).

An account lives on one server: its API is that server's host. A handle names a domain,
which is often the server's host but need not be: ``@mairie@ville.test`` may be served
by ``social.ville.test`` (Mastodon's ``LOCAL_DOMAIN`` / ``WEB_DOMAIN``). The server is
found by WebFinger (RFC 7033, ``/.well-known/webfinger?resource=acct:user@domain``) on
the handle's domain; until then, and when WebFinger gives nothing, the domain is taken
for the server. The addresses a collectivité's site gives take several shapes, all read
here:

* ``https://instance/@user`` (profile page, optionally followed by a post id),
* ``https://instance/users/user`` (the ActivityPub actor URI),
* ``https://instance/@user@other`` (another instance's view of a remote account: the
  account's home is ``other``),
* ``@user@instance``, ``user@instance`` and ``acct:user@instance`` handles.

Endpoints, per the Mastodon documentation (docs.joinmastodon.org, methods/accounts and
spec/webfinger): ``GET /.well-known/webfinger?resource=acct:…``, ``GET
/api/v1/accounts/lookup?acct=`` and ``GET /api/v1/accounts/:id/statuses``.
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
    """One account: its username, the server that holds it (lower-case host, where its
    API is) and, when it differs from that host, the domain of its handle."""

    username: str
    instance: str
    domain: str | None = None

    @property
    def handle_domain(self) -> str:
        return self.domain or self.instance

    @property
    def handle(self) -> str:
        """``@user@domain``, the form shown across the fediverse."""
        return f"@{self.username}@{self.handle_domain}"

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


def webfinger_url(domain: str) -> str:
    """``GET /.well-known/webfinger`` (``resource=acct:user@domain`` added by the caller)."""
    return f"https://{domain}/.well-known/webfinger"


def acct_uri(address: MastodonAddress) -> str:
    return f"acct:{address.username}@{address.handle_domain}"


def parse_acct(value: str) -> tuple[str, str] | None:
    """``(user, domain)`` of an ``acct:user@domain`` URI (RFC 7565), else ``None``."""
    found = _HANDLE.match(value.strip()) if value.strip().startswith("acct:") else None
    return (found.group("user"), found.group("host").lower()) if found else None


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
