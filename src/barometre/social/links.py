"""Shortened links: recognise them, name the posting tool they reveal, expand them.

A post that republishes a site's news often links to it through a shortener, which
hides the URL the republication analysis compares; the shortener (or the ``utm_source``
a tool adds) also fingerprints the posting tool. Hosts and tools from the research note
(anchors-social.md §1.2 and §3.1: ural's shortener list, "dlvr.it, ift.tt IFTTT, buff.ly
Buffer, ow.ly Hootsuite, trib.al Echobox").

:func:`expand` follows redirects hop by hop (``follow_redirects=False``, reading
``Location``) only while the address is on a shortener: the target page itself is
never downloaded. Each distinct URL is expanded once; a failure (HTTP error, loop, too
many hops, no answer) leaves the URL as it was, and :func:`expand_all` keeps why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

from barometre.social.errors import ConnectorError
from barometre.social.http import SocialHttp

SAMPLE_SHORTENER = "lien.plateformes.test"  # the sample web's recorded shortener

SHORTENER_HOSTS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "buff.ly",
        "ow.ly",
        "dlvr.it",
        "ift.tt",
        "trib.al",
        "lnkd.in",
        "fb.me",
        "t.co",
        "tinyurl.com",
        "goo.gl",
        "is.gd",
        "v.gd",
        "urlz.fr",
        "bit.do",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "t.ly",
        "tiny.cc",
        "s.id",
        "po.st",
        SAMPLE_SHORTENER,
    }
)

TOOL_BY_HOST = {
    "dlvr.it": "dlvr.it",
    "ift.tt": "IFTTT",
    "buff.ly": "Buffer",
    "ow.ly": "Hootsuite",
    "trib.al": "Echobox",
}

# ``utm_source`` values that name a posting tool (not a channel such as "facebook").
TOOL_BY_UTM_SOURCE = {
    "dlvr.it": "dlvr.it",
    "dlvrit": "dlvr.it",
    "ifttt": "IFTTT",
    "ifttt.com": "IFTTT",
    "buffer": "Buffer",
    "bufferapp": "Buffer",
    "hootsuite": "Hootsuite",
    "echobox": "Echobox",
    "feed2toot": "feed2toot",
}

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def is_shortened(url: str) -> bool:
    """Whether ``url`` is on a known link shortener."""
    return _host(url) in SHORTENER_HOSTS


def tool_of(url: str) -> str | None:
    """The posting tool a link reveals: its shortener host, else its ``utm_source``."""
    tool = TOOL_BY_HOST.get(_host(url))
    if tool is not None:
        return tool
    try:
        sources = parse_qs(urlsplit(url).query).get("utm_source", [])
    except ValueError:
        return None
    for source in sources:
        tool = TOOL_BY_UTM_SOURCE.get(source.strip().lower())
        if tool is not None:
            return tool
    return None


@dataclass(frozen=True)
class Expansion:
    """Where a link leads: ``final`` (the link itself when not expanded), the addresses
    visited on the way, and ``reason`` (French) when the expansion failed."""

    url: str
    final: str
    hops: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def expanded(self) -> bool:
        return self.reason is None and self.final != self.url


async def _expand_one(http: SocialHttp, url: str, max_hops: int) -> Expansion:
    current = url
    visited: list[str] = []
    while is_shortened(current):
        if current in visited:
            return Expansion(url, url, tuple(visited), f"boucle de redirections à {current}")
        if len(visited) >= max_hops:
            return Expansion(url, url, tuple(visited), f"plus de {max_hops} redirections")
        visited.append(current)
        try:
            response = await http.get(current, accept="*/*", follow_redirects=False)
        except ConnectorError as exc:
            return Expansion(url, url, tuple(visited), str(exc))
        location = response.header("Location")
        if response.status not in REDIRECTS or not location:
            what = (
                f"HTTP {response.status}"
                if response.status >= 400
                else f"pas de redirection (HTTP {response.status})"
            )
            return Expansion(url, url, tuple(visited), f"{current} : {what}")
        current = urljoin(current, location.strip())
        if urlsplit(current).scheme not in ("http", "https"):
            return Expansion(
                url, url, tuple(visited), f"redirection vers une adresse non web : {current}"
            )
    return Expansion(url, current, tuple(visited))


async def expand_all(
    http: SocialHttp, urls: Iterable[str], max_hops: int = 5
) -> dict[str, Expansion]:
    """Every distinct URL of ``urls`` with where it leads (only shorteners are requested)."""
    unique = list(dict.fromkeys(u for u in urls if u))
    results = await asyncio.gather(*(_expand_one(http, u, max_hops) for u in unique))
    return dict(zip(unique, results, strict=True))


async def expand(http: SocialHttp, urls: Iterable[str], max_hops: int = 5) -> dict[str, str]:
    """``{url: final URL}`` for every distinct URL (unchanged when not expanded)."""
    return {url: found.final for url, found in (await expand_all(http, urls, max_hops)).items()}
