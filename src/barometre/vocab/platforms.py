"""The social platforms: ids, display names, hosts and the rules that read their URLs.

Every layer names a platform by its id (:data:`PLATFORMS`), shows it by its display name
(:func:`platform_label`: « LinkedIn », « YouTube », « X »), recognises its hosts through
:func:`platform_of_host` and reads its links through :func:`parse_social_url`: discovery
(checks), the registry's user files, the social connectors and imports, the figures and
the site use these, never a table of their own [criteria.md §3 P4].

:func:`parse_social_url` turns a link into an :class:`Account` (platform, handle, and
whether the link pointed at one post rather than at the profile), or ``None`` for
everything that is not an account: share buttons and intents, hashtag and search pages,
groups, bare video or post links without a readable handle, the platforms' own pages
(settings, messages, help…). A person's LinkedIn profile is read as an account marked
``person``: discovery never takes it for a collectivité's account.

Facebook, X, Instagram, YouTube and Telegram links are read by ``ural`` (médialab), which
knows their localised hosts and legacy forms (``fr-fr.facebook.com``,
``permalink.php?story_fbid=…&id=…``, ``/people/Name/ID``, ``twitter.com/#!/name``,
``youtube.com/<name>``, ``yt.be``, ``telegram.me/s/…``). Its answers then pass our guards,
because ural reads the platforms' own pages as accounts (``facebook.com/sharer``,
``x.com/intent``, ``twitter.com/privacy``, ``instagram.com/about``,
``youtube.com/premium``, ``t.me/+invite``…) and misses a few forms (``fb.com``,
``instagr.am``, ``/@handle/videos``, ``/pages/Name/ID``). The other platforms have small
parsers of their own. Both are measured on public suites written by others
(``tests/outside/``: ural's own cases and the social-profile suites of lorey), where the
cases each one gets right decide which one answers.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from ural.facebook import (
    FacebookHandle,
    FacebookPhoto,
    FacebookPost,
    FacebookUser,
    FacebookVideo,
    is_facebook_url,
    parse_facebook_url,
)
from ural.instagram import InstagramPost, InstagramUser, is_instagram_url, parse_instagram_url
from ural.telegram import TelegramChannel, TelegramMessage, is_telegram_url, parse_telegram_url
from ural.twitter import TwitterTweet, TwitterUser, is_twitter_url, parse_twitter_url
from ural.youtube import YoutubeChannel, YoutubeUser, is_youtube_url, parse_youtube_url

# The social platforms the barometer knows (discovery, connectors, imports, figures), in
# the order they are listed, with their display names.
LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "threads": "Threads",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "peertube": "PeerTube",
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
}
PLATFORMS = tuple(LABELS)


def platform_label(platform: str) -> str:
    """The display name of a platform id (« LinkedIn »); an unknown id as it is."""
    return LABELS.get(platform, platform)


def platform_labels(platforms: list[str] | tuple[str, ...] | set[str] | frozenset[str]) -> str:
    """Display names in the order of :data:`PLATFORMS`, joined: « Facebook, X, YouTube »."""
    order = {p: i for i, p in enumerate(PLATFORMS)}
    return ", ".join(
        platform_label(p) for p in sorted(platforms, key=lambda p: (order.get(p, 99), p))
    )


# Platforms recognised by host alone (a host or any of its subdomains); Mastodon and
# PeerTube run on any host. ural adds the localised and alias hosts of the five platforms
# it reads (facebook.fr, fb.me, youtu.be, yt.be, youtubekids.com, telegram.org…).
HOSTS: dict[str, str] = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
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
_URAL_HOSTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("facebook", is_facebook_url),
    ("x", is_twitter_url),
    ("instagram", is_instagram_url),
    ("youtube", is_youtube_url),
    ("telegram", is_telegram_url),
)
# Alias hosts ural does not know: the link is read as if on the main host.
_ALIASES = {"fb.com": "www.facebook.com", "instagr.am": "www.instagram.com"}
# The public address of an account from its handle, per platform (see profile_url).
_PROFILE_URLS = {
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}/",
    "x": "https://x.com/{}",
    "linkedin": "https://www.linkedin.com/company/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
    "threads": "https://www.threads.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
    "bluesky": "https://bsky.app/profile/{}",
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
    person: bool = False  # a person's own profile (LinkedIn /in/), not an organisation's

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, handle_key(self.handle)


def handle_key(handle: str) -> str:
    """How two spellings of one handle compare (case and a leading ``@`` aside)."""
    return handle.lower().lstrip("@")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def path_segments(path: str) -> list[str]:
    """The non-empty segments of a URL path, unquoted: ``/@Ville/videos`` → ``["@Ville", "videos"]``."""
    return [unquote(s) for s in path.split("/") if s]


def is_share_url(url: str) -> bool:
    """Share buttons, intents and dialogs: never an account."""
    return _SHARE.search(url) is not None


def platform_of_host(host: str) -> str | None:
    host = host.lower().rstrip(".").removeprefix("www.")
    if not host:
        return None
    for suffix, platform in HOSTS.items():
        if host == suffix or host.endswith("." + suffix):
            return platform
    return next((platform for platform, known in _URAL_HOSTS if known(host)), None)


def with_scheme(url: str) -> str | None:
    """The link as an absolute http(s) URL: a bare ``facebook.com/ville`` (as JSON-LD
    ``sameAs`` sometimes writes it) gets ``https://``; anything else without a scheme is
    not a platform link."""
    text = url.strip()
    if text.lower().startswith(("http://", "https://")):
        return text
    if "://" in text or text.startswith(("/", "#", "?", ".")):
        return None
    host = re.split(r"[/?#]", text, maxsplit=1)[0]
    if ":" in host or "." not in host or platform_of_host(host) is None:
        return None
    return "https://" + text


def platform_of_url(url: str) -> str | None:
    """The platform whose host serves ``url`` (an account or not), or ``None``."""
    absolute = with_scheme(url)
    return platform_of_host(_host(absolute)) if absolute else None


def profile_url(platform: str, handle: str) -> str:
    """The public address of an account from its handle (empty when unknown)."""
    if platform == "facebook" and handle.isdigit():
        return f"https://www.facebook.com/profile.php?id={handle}"
    if platform == "mastodon" and handle.count("@") == 1:
        user, host = handle.split("@")
        return f"https://{host}/@{user}"
    pattern = _PROFILE_URLS.get(platform)
    return pattern.format(handle) if pattern else ""


# --- one parser per platform: (url, segments, query) -> (handle, post) or None -------

_Parsed = tuple[str, bool] | None

# The platforms' own pages, which ural (or a naive reading) takes for accounts.
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
        "logout.php",
        "recover",
        "hashtag",
        "search",
        "groups",
        "events",
        "watch",
        "reel",
        "reels",
        "stories",
        "live",
        "media",
        "photo.php",
        "photo",
        "video.php",
        "help",
        "policies",
        "privacy",
        "legal",
        "terms",
        "home.php",
        "gaming",
        "marketplace",
        "business",
        "ads",
        "l.php",
        "me",
        "messages",
        "notifications",
        "settings",
        "friends",
        "bookmarks",
        "fundraisers",
        "directory",
        "public",
        "pages",
        "pg",
        "people",
        "profile.php",
    }
)
# Tabs after an account that show one publication.
_FB_POST_TABS = frozenset({"posts", "videos", "photos", "reel", "reels", "permalink"})


def _facebook_pages(segments: list[str]) -> _Parsed:
    """``/pages/Name/ID`` (the stable id when there is one) and ``/pg/Name/…``."""
    if segments[0] == "pg":
        return (segments[1], len(segments) > 2 and segments[2] in _FB_POST_TABS)
    ident = next((s for s in segments[2:] if s.isdigit()), None)
    return (ident or segments[1]), len(segments) > 3


def _facebook(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments or _host(url).endswith("fb.me"):
        return None  # fb.me/… is a short link: its target is unknown
    first = segments[0].lower()
    if first in ("pages", "pg") and len(segments) >= 2:
        return _facebook_pages(segments)
    if first in _FB_RESERVED and first not in ("people", "profile.php"):
        return None
    target = parse_facebook_url(url)
    if isinstance(target, FacebookHandle):
        handle = str(target.handle)
        post = len(segments) > 1 and segments[1].lower() in _FB_POST_TABS
    elif isinstance(target, FacebookUser):
        handle, post = str(target.id), False
        if not handle.isdigit():
            return None
    elif isinstance(target, (FacebookPost, FacebookVideo, FacebookPhoto)):
        if getattr(target, "group_id", None) or getattr(target, "group_handle", None):
            return None  # a group's publication: groups are not accounts
        parent = getattr(target, "parent_handle", None) or getattr(target, "parent_id", None)
        if not parent:
            return None
        handle, post = str(parent), True
    else:  # a group, or nothing
        return None
    handle = unquote(handle)
    if handle.lower() in _FB_RESERVED or not _HANDLE.match(handle):
        return None
    return handle, post


_IG_RESERVED = frozenset(
    {
        "p",
        "reel",
        "reels",
        "tv",
        "explore",
        "accounts",
        "stories",
        "direct",
        "about",
        "developer",
        "legal",
        "your_activity",
        "emails",
        "web",
        "privacy",
        "challenge",
        "session",
        "ar",
        "static",
    }
)
# 1 to 30 letters, digits, underscores and dots; no dot first, last or twice in a row.
_IG_USER = re.compile(r"^(?!.*\.\.)[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?$")


def _instagram(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments or segments[0].lower() in _IG_RESERVED:
        return None
    target = parse_instagram_url(url)
    if isinstance(target, InstagramUser):
        name = str(target.name)
        post = len(segments) > 1 and segments[1] in ("p", "reel", "tv")
    elif isinstance(target, InstagramPost) and target.name:
        name, post = str(target.name), True
    else:  # a post or reel without its author, or nothing
        return None
    if name.lower() in _IG_RESERVED or not _IG_USER.match(name):
        return None
    return name, post


_X_RESERVED = frozenset(
    {
        "intent",
        "share",
        "home",
        "search",
        "hashtag",
        "i",
        "explore",
        "login",
        "logout",
        "signup",
        "tos",
        "privacy",
        "settings",
        "messages",
        "notifications",
        "compose",
        "account",
        "download",
        "about",
        "jobs",
    }
)
_X_USER = re.compile(r"^[A-Za-z0-9_]{1,30}$")


def _as_written(name: str, url: str) -> str:
    """ural lowers X handles: the spelling the link uses, for display."""
    found = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", url, re.IGNORECASE)
    return found.group(0) if found else name


def _x(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if segments and segments[0].lstrip("@").lower() in _X_RESERVED:
        return None
    target = parse_twitter_url(url)
    if isinstance(target, TwitterUser):
        name, post = str(target.screen_name), False
    elif isinstance(target, TwitterTweet):
        name, post = str(target.user_screen_name), True
    else:  # a list, or nothing
        return None
    if name.lower() in _X_RESERVED or not _X_USER.match(name):
        return None
    return _as_written(name, url), post


_LINKEDIN_PEOPLE = ("in", "pub")


def _linkedin(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    # organisation pages, and people's profiles (/in/<person>, /pub/<person>/…), which
    # parse_social_url marks as a person's.
    if len(segments) >= 2 and segments[0] in ("company", "showcase", "school"):
        return segments[1], len(segments) > 2 and segments[2] == "posts"
    if len(segments) >= 2 and segments[0] in _LINKEDIN_PEOPLE:
        return segments[1], False
    return None


# Pages of YouTube itself under the legacy ``youtube.com/<name>`` form.
_YT_RESERVED = frozenset(
    {
        "c",
        "user",
        "channel",
        "premium",
        "gaming",
        "music",
        "kids",
        "live",
        "feed",
        "results",
        "watch",
        "playlist",
        "shorts",
        "embed",
        "about",
        "t",
        "ads",
        "creators",
        "howyoutubeworks",
        "account",
        "trending",
        "signin",
        "logout",
        "upload",
        "redirect",
        "hashtag",
        "post",
        "podcasts",
        "news",
        "sports",
        "learning",
        "fashion",
        "movies",
        "new",
        "supported_browsers",
    }
)
_YT_NAME = re.compile(r"^[0-9A-Za-z_.\-\u00c0-\u024f]{1,100}$")


def _youtube(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if not segments:
        return None
    first = segments[0]
    if first.startswith("@") and len(first) > 1:  # ural misses /@handle/<tab>
        return first, len(segments) > 1 and segments[1] not in ("videos", "featured", "about")
    target = parse_youtube_url(url)
    if isinstance(target, (YoutubeChannel, YoutubeUser)):
        name = str(target.id or target.name or "")
    else:  # a video, a short, a playlist, a page of YouTube: no account in the URL
        return None
    if not _YT_NAME.match(name) or name.lower() in _YT_RESERVED:
        return None
    if len(segments) >= 2 and segments[0] == "c" and segments[1].startswith("@"):
        name = "@" + name  # /c/@handle is the handle
    return name, False


def _tiktok(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        return segments[0], len(segments) > 1
    return None


def _threads(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        return segments[0], len(segments) > 1
    return None


def _bluesky(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if len(segments) >= 2 and segments[0] == "profile" and segments[1]:
        return segments[1], len(segments) > 2 and segments[2] == "post"
    return None


def _whatsapp(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    if len(segments) >= 2 and segments[0] == "channel":
        return segments[1], False
    return None


_TG_RESERVED = frozenset(
    {
        "share",
        "joinchat",
        "addstickers",
        "addemoji",
        "addtheme",
        "proxy",
        "socks",
        "iv",
        "c",
        "setlanguage",
        "login",
        "confirmphone",
        "bg",
    }
)
_TG_NAME = re.compile(r"^[A-Za-z0-9_]{4,32}$")


def _telegram(url: str, segments: list[str], query: dict[str, list[str]]) -> _Parsed:
    host = _host(url)
    if not (host in ("t.me", "telegram.me") or host.endswith((".t.me", ".telegram.me"))):
        return None  # telegram.org: the platform's own site
    names = segments[1:] if segments[:1] == ["s"] else segments
    if not names or names[0].lower() in _TG_RESERVED or names[0].startswith("+"):
        return None  # invite links (+…, joinchat) and tools
    target = parse_telegram_url(url)
    if isinstance(target, TelegramChannel):
        name, post = str(target.name), False
    elif isinstance(target, TelegramMessage):
        name, post = str(target.name), True
    else:  # a group invite, or nothing
        return None
    if name.lower() in _TG_RESERVED or not _TG_NAME.match(name):
        return None
    return name, post


_PARSERS: dict[str, Callable[[str, list[str], dict[str, list[str]]], _Parsed]] = {
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


def _canonical(url: str, host: str) -> str:
    """The link on the platform's main host when it uses an alias ural does not know."""
    alias = _ALIASES.get(host.removeprefix("www."))
    if alias is None:
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, alias, parts.path, parts.query, parts.fragment))


def parse_social_url(url: str, *, hint: str = "") -> Account | None:
    """The account a link points at, or ``None``.

    ``hint`` is what the page says about the link (``"mastodon"``, ``"peertube"`` when
    its text or class names the platform, ``"fediverse"`` for ``rel="me"``): Mastodon and
    PeerTube run on any host, so a ``/@user`` path alone is not enough elsewhere.
    """
    absolute = with_scheme(url)
    if absolute is None or is_share_url(absolute):
        return None
    try:
        parts = urlsplit(absolute)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    segments = path_segments(parts.path)
    platform = platform_of_host(host)
    if platform is None:
        return _fediverse(absolute, segments, hint)
    try:
        parsed = _PARSERS[platform](_canonical(absolute, host), segments, parse_qs(parts.query))
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return None  # ural on a malformed address
    if parsed is None:
        return None
    handle, post = parsed
    person = platform == "linkedin" and segments[0] in _LINKEDIN_PEOPLE
    return Account(platform, handle, absolute, post, person)
