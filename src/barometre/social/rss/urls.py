"""Feed addresses: normalising them, and finding them in a site's pages.

A site announces its feeds with ``<link rel="alternate" type="application/rss+xml">``
(or ``atom+xml``, ``rdf+xml``) in the ``<head>``; the address may be relative to the
page, or to its ``<base href>``.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from barometre.social.rss.errors import InvalidFeedUrl

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_feed_url(url: str, base: str | None = None, *, keep_fragment: bool = False) -> str:
    """``url`` made absolute (against ``base``), scheme and host in lower case.

    ``feed://host/x`` and ``feed:https://host/x`` (old browser conventions) become the
    web address they stand for; the default port is dropped, and the fragment too (the
    feed is the same document) unless ``keep_fragment`` (news items of one page told
    apart by anchors, ``actualites.html#rd999``). Raises :class:`InvalidFeedUrl` for anything that is not
    an ``http(s)`` address with a host.
    """
    text = url.strip()
    lowered = text.lower()
    if lowered.startswith("feed:"):
        rest = text[5:]
        text = rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest
    if base:
        text = urljoin(base, text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidFeedUrl(f"Adresse de flux invalide : {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise InvalidFeedUrl(f"Adresse de flux invalide (ni http ni https) : {url!r}")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" if port in (None, _DEFAULT_PORTS[scheme]) else f"[{host}]:{port}"
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, fragment))


def feed_links(html: str, base_url: str) -> list[str]:
    """The RSS/Atom/RDF feeds a page announces, absolute, in page order, without repeats.

    WordPress comment feeds (``…/comments/feed/``) are left out: they carry readers'
    comments, not the collectivité's news.
    """
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = urljoin(base_url, base_node.attributes.get("href") or "") if base_node else base_url
    found: list[str] = []
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").split(";", 1)[0].strip().lower()
        href = node.attributes.get("href") or ""
        if "alternate" not in rel or kind not in FEED_TYPES or not href.strip():
            continue
        try:
            url = normalise_feed_url(href, base)
        except InvalidFeedUrl:
            continue
        if "/comments/feed" in urlsplit(url).path.lower():
            continue
        if url not in found:
            found.append(url)
    return found
