"""YouTube addresses: what a channel link says, and the URLs the connector asks.

A channel is linked in four shapes (``/@Handle``, ``/channel/UC…``, ``/c/Name``,
``/user/Name``), possibly with a tab after it (``/@Handle/live``, ``/videos``…). Only
``/channel/UC…`` carries the stable id; the others name something that can change
hands, so the connector turns them into the ``UC…`` id before anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit

from barometre.social.http import with_params
from barometre.vocab.platforms import path_segments, platform_of_host

ChannelKind = Literal["channel", "handle", "custom", "user"]

CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")
"""A channel id: ``UC`` and 22 characters of the URL-safe base64 alphabet."""

_HANDLE = re.compile(r"[0-9A-Za-z_.\-\u00c0-\u024f]{1,100}")
TABS = frozenset(
    {"live", "videos", "featured", "about", "streams", "shorts", "playlists", "community"}
)


@dataclass(frozen=True)
class ChannelRef:
    """What a channel link names: an id, a handle (without ``@``), a custom or user name."""

    kind: ChannelKind
    value: str
    tab: str | None = None  # "live" for ``/@Handle/live``…

    @property
    def handle(self) -> str:
        """How the account is shown: ``@Handle``, the id, or the legacy name."""
        return f"@{self.value}" if self.kind == "handle" else self.value


def is_channel_id(value: str | None) -> bool:
    return value is not None and CHANNEL_ID.fullmatch(value) is not None


def _host(base: str) -> str:
    return (urlsplit(base).hostname or "").lower()


def _segments(text: str, web_base: str) -> list[str] | None:
    """The path segments of a link on YouTube (or on ``web_base``), ``None`` elsewhere."""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if platform_of_host(host) != "youtube" and host != _host(web_base):
        return None
    return path_segments(parts.path)


def parse_channel_url(url: str, web_base: str = "https://www.youtube.com") -> ChannelRef | None:
    """The channel a link or a bare ``@Handle`` / ``UC…`` names, or ``None``.

    Accepts YouTube's hosts (:mod:`barometre.vocab.platforms`) and the host of ``web_base`` (the sample web's
    recorded YouTube); any other address, or a video or playlist link, gives ``None``.
    """
    text = url.strip()
    if not text:
        return None
    if is_channel_id(text):
        return ChannelRef("channel", text)
    if text.startswith("@") and _HANDLE.fullmatch(text[1:]):
        return ChannelRef("handle", text[1:])
    segments = _segments(text, web_base)
    if not segments:
        return None
    first, rest = segments[0], segments[1:]
    tab = rest[0].lower() if rest and rest[0].lower() in TABS else None
    if first.startswith("@") and _HANDLE.fullmatch(first[1:]):
        return ChannelRef("handle", first[1:], tab)
    if not rest:
        return None
    name, tab = rest[0], (rest[1].lower() if len(rest) > 1 and rest[1].lower() in TABS else None)
    if first == "channel" and is_channel_id(name):
        return ChannelRef("channel", name, tab)
    if first in ("c", "user") and _HANDLE.fullmatch(name):
        return ChannelRef("custom" if first == "c" else "user", name, tab)
    return None


def legacy_channel(
    url: str, name: str, web_base: str = "https://www.youtube.com"
) -> ChannelRef | None:
    """A channel linked by its legacy address ``youtube.com/<name>`` (a custom name
    without ``/c/``), when discovery found it as the account ``name``.

    The address alone does not say it: ``youtube.com/watch`` has the same shape. The
    account found on the collectivité's site does, so both must agree.
    """
    segments = _segments(url.strip(), web_base)
    if (
        segments is not None
        and len(segments) == 1
        and segments[0] == name
        and _HANDLE.fullmatch(name)
    ):
        return ChannelRef("custom", name)
    return None


def channel_page_url(web_base: str, ref: ChannelRef) -> str:
    """The channel's page on ``web_base`` (the page that gives the id without a key)."""
    base = web_base.rstrip("/")
    value = quote(ref.value, safe="")
    if ref.kind == "handle":
        return f"{base}/@{value}"
    if ref.kind == "channel":
        return f"{base}/channel/{value}"
    return f"{base}/{'c' if ref.kind == 'custom' else 'user'}/{value}"


def channel_url(web_base: str, channel_id: str) -> str:
    return f"{web_base.rstrip('/')}/channel/{channel_id}"


def feed_url(web_base: str, channel_id: str) -> str:
    """The keyless Atom feed of the channel's latest 15 videos."""
    return with_params(f"{web_base.rstrip('/')}/feeds/videos.xml", {"channel_id": channel_id})


def video_url(web_base: str, video_id: str) -> str:
    return with_params(f"{web_base.rstrip('/')}/watch", {"v": video_id})


def api_url(api_base: str, resource: str) -> str:
    """A Data API v3 resource (``channels``, ``videos``) under ``api_base``."""
    return f"{api_base.rstrip('/')}/{resource}"
