"""Social-network URLs: which platform, which account, or nothing (share buttons…).

:func:`parse_social_url` turns a link into an :class:`Account` (platform, handle, and
whether the link pointed at one post rather than at the profile), or ``None`` for
everything that is not an account: share buttons and intents, hashtag and search pages,
groups, personal LinkedIn profiles, bare video or post links without a readable handle.

Platforms [criteria.md §3 P4]: facebook, instagram, x (twitter.com and x.com), linkedin,
youtube, tiktok, threads, bluesky, mastodon, peertube, whatsapp (channels), telegram.

Why not ``ural`` (médialab, named in DESIGN.md): it covers four of these twelve
platforms, ships no type information (``mypy --strict`` rejects the import), and reads
share intents as accounts (``facebook.com/sharer/sharer.php`` gives the handle
"sharer", ``x.com/intent/tweet`` the user "intent"), so the filtering below would be
needed anyway. Small explicit parsers are easier to test and to audit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from barometre.models import SOCIAL_PLATFORMS

PLATFORMS = SOCIAL_PLATFORMS
# Platforms recognised by host alone; Mastodon and PeerTube run on any host.
_HOSTS: dict[str, str] = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "twitter.com": "x",
    "x.com": "x",
    "linkedin.com": "linkedin",
    "youtube.com": "youtube",
    "tiktok.com": "tiktok",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
    "whatsapp.com": "whatsapp",
    "t.me": "telegram",
    "telegram.me": "telegram",
}
# Well-known Mastodon instances (a link there needs no other hint).
MASTODON_HOSTS = frozenset(
    {
        "mastodon.social",
        "mastodon.online",
        "piaille.fr",
        "mamot.fr",
        "framapiaf.org",
        "social.numerique.gouv.fr",
        "mastodon.gouv.fr",
        "social.sciences.re",
        "pouet.chapril.org",
        "toot.aquilenet.fr",
        "mastodon.zaclys.com",
        "mstdn.fr",
        "mastodon.collectivites.test",  # sample web
    }
)
# Share, intent and utility URLs that never name an account.
_SHARE = re.compile(
    r"/sharer|/share(?:\.php|/|\?|$)|/intent/|/shareArticle|/sharing/|/dialog/|/plugins/"
    r"|[?&](?:u|url|text|body)=https?|^https?://(?:[^/]*\.)?(?:addthis\.com|sharethis\.com"
    r"|api\.whatsapp\.com|wa\.me)(?:/|$)|pinterest\.[a-z.]+/pin/create",
    re.IGNORECASE,
)

_HANDLE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


@dataclass(frozen=True, slots=True)
class Account:
    platform: str
    handle: str
    url: str
    post: bool = False  # the link points at one post or video of the account

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, self.handle.lower().lstrip("@")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.split("/") if s]


def is_share_url(url: str) -> bool:
    """Share buttons, intents and dialogs: never an account."""
    return _SHARE.search(url) is not None


def platform_of_host(host: str) -> str | None:
    host = host.lower().removeprefix("www.")
    for suffix, platform in _HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return platform
    return None


# --- one parser per platform: (url, segments, query) -> (handle, post) or None -------

_Parsed = tuple[str, bool] | None

_FB_RESERVED = frozenset(
    {
        "sharer",
        "sharer.php",
        "share",
        "share.php",
        "dialog",
        "plugins",
        "tr",
        "login",
        "login.php",
        "hashtag",
        "search",
        "groups",
        "events",
        "watch",
        "photo.php",
        "photo",
        "permalink.php",
        "story.php",
        "help",
        "policies",
        "privacy",
        "legal",
        "home.php",
        "gaming",
        "marketplace",
        "business",
        "ads",
        "l.php",
    }
)


def _facebook(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments:
        return None
    first = segments[0]
    if first == "profile.php":
        ident = query.get("id", [""])[0]
        return (ident, False) if ident.isdigit() else None
    if first in ("pages", "people") and len(segments) >= 2:
        return segments[1], len(segments) > 3
    if first.lower() in _FB_RESERVED or not _HANDLE.match(first):
        return None
    return first, len(segments) > 1 and segments[1] in ("posts", "videos", "photos", "reel")


_IG_RESERVED = frozenset({"p", "reel", "reels", "tv", "explore", "accounts", "stories", "direct"})


def _instagram(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments or segments[0].lower() in _IG_RESERVED or not _HANDLE.match(segments[0]):
        return None
    return segments[0], len(segments) > 1 and segments[1] in ("p", "reel")


_X_RESERVED = frozenset(
    {"intent", "share", "home", "search", "hashtag", "i", "explore", "login", "signup", "tos"}
)


def _x(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments:
        return None
    first = segments[0].lstrip("@")
    if first.lower() in _X_RESERVED or not re.match(r"^[A-Za-z0-9_]{1,30}$", first):
        return None
    return first, len(segments) > 1 and segments[1] == "status"


def _linkedin(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    # company pages only: /in/<person> is a person (a mayor's own profile), not the
    # collectivité's account.
    if len(segments) >= 2 and segments[0] in ("company", "showcase", "school"):
        return segments[1], len(segments) > 2 and segments[2] == "posts"
    return None


def _youtube(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments:
        return None
    first = segments[0]
    if first.startswith("@") and len(first) > 1:
        return first, len(segments) > 1 and segments[1] not in ("videos", "featured", "about")
    if first in ("channel", "c", "user") and len(segments) >= 2:
        return segments[1], False
    return None  # /watch, /embed, /playlist, /results: no account in the URL


def _tiktok(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        return segments[0], len(segments) > 1
    return None


def _threads(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        return segments[0], len(segments) > 1
    return None


def _bluesky(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if len(segments) >= 2 and segments[0] == "profile" and segments[1]:
        return segments[1], len(segments) > 2 and segments[2] == "post"
    return None


def _whatsapp(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if len(segments) >= 2 and segments[0] == "channel":
        return segments[1], False
    return None


_TG_RESERVED = frozenset({"share", "joinchat", "addstickers", "proxy", "socks", "iv"})


def _telegram(segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments:
        return None
    if segments[0] == "s" and len(segments) >= 2:
        segments = segments[1:]
    first = segments[0]
    if first.lower() in _TG_RESERVED or first.startswith("+") or not _HANDLE.match(first):
        return None
    return first, len(segments) > 1


_PARSERS: dict[str, Callable[[list[str], dict[str, list[str]]], _Parsed]] = {
    "facebook": _facebook,
    "instagram": _instagram,
    "x": _x,
    "linkedin": _linkedin,
    "youtube": _youtube,
    "tiktok": _tiktok,
    "threads": _threads,
    "bluesky": _bluesky,
    "whatsapp": _whatsapp,
    "telegram": _telegram,
}


def _fediverse(url: str, segments: list[str], hint: str) -> Account | None:
    host = _host(url)
    mastodon = hint in ("mastodon", "fediverse") or host in MASTODON_HOSTS
    if mastodon and segments and segments[0].startswith("@") and len(segments[0]) > 1:
        user = segments[0].lstrip("@").split("@", 1)[0]
        return Account("mastodon", f"@{user}@{host}", url, len(segments) > 1)
    peertube = hint in ("peertube", "fediverse") or "peertube" in host or host.startswith("tube.")
    if peertube and len(segments) >= 2 and segments[0] in ("a", "c", "accounts", "video-channels"):
        return Account("peertube", f"{segments[1]}@{host}", url, len(segments) > 2)
    return None


def parse_social_url(url: str, *, hint: str = "") -> Account | None:
    """The account a link points at, or ``None``.

    ``hint`` is what the page says about the link (``"mastodon"``, ``"peertube"`` when
    its text or class names the platform, ``"fediverse"`` for ``rel="me"``): Mastodon and
    PeerTube run on any host, so a ``/@user`` path alone is not enough elsewhere.
    """
    if not url.startswith(("http://", "https://")) or is_share_url(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    segments = _segments(parts.path)
    platform = platform_of_host(parts.hostname or "")
    if platform is None:
        return _fediverse(url, segments, hint)
    parsed = _PARSERS[platform](segments, parse_qs(parts.query))
    if parsed is None:
        return None
    handle, post = parsed
    return Account(platform, handle, url, post)
