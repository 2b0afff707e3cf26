"""Crawl plan of one official site: which pages to fetch, within a fixed budget.

1. the home page, and the four entry points http/https × apex/www with their whole
   redirect chains (evidence for HTTPS and canonical-host criteria);
2. robots.txt, then the sitemap(s) it names or ``/sitemap.xml``;
3. from the links of the home page (then of the pages fetched, for footers), the pages
   the checks need, recognised by their link text, title or path: legal notice,
   accessibility statement (HTML or PDF), privacy/cookies, contact, online procedures,
   news/agenda, council and acts, budget, open data; plus RSS/Atom feeds.

The budget (``max_fetches``, default 25) counts every request, robots and redirects
included. Pages disallowed by robots.txt are listed, not fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from barometre.vocab.text import fold

PAGE_KINDS: dict[str, tuple[str, ...]] = {
    # kind: keywords (folded: lower case, no accents) matched in link text, title or path
    "legal": (
        "mentions legales",
        "mentions-legales",
        "mentionslegales",
        "informations legales",
        "mentions legal",
        "legal notice",
        "credits et mentions",
    ),
    "accessibility": ("accessibilite", "declaration d accessibilite", "rgaa", "accessibility"),
    # A cookie policy alone is not the privacy notice (RGPD art. 13): the privacy check
    # then reads the « données personnelles » section of the legal notice.
    "privacy": (
        "donnees personnelles",
        "confidentialite",
        "rgpd",
        "vie privee",
        "protection des donnees",
    ),
    "contact": ("contact", "nous contacter", "nous ecrire", "contactez"),
    "procedures": (
        "demarches",
        "e services",
        "eservices",
        "services en ligne",
        "teleservices",
        "teleprocedures",
        "vos demarches",
        "guichet",
    ),
    "news": ("actualites", "actualite", "actus", "agenda", "evenements", "a la une"),
    "council": (
        "conseil municipal",
        "conseil communautaire",
        "conseil departemental",
        "conseil regional",
        "deliberations",
        "comptes rendus",
        "proces verbaux",
        "recueil des actes",
        "actes administratifs",
    ),
    "budget": ("budget", "finances", "comptes administratifs"),
    "opendata": ("open data", "opendata", "donnees ouvertes", "data gouv"),
}
# Words of a statement link: the link that says more of them is more likely the
# statement (« Accessibilité : non conforme » → /declaration-accessibilite first).
STATEMENT_TERMS = ("accessibilit", "declaration", "conform", "rgaa")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    rel: str = ""
    type: str = ""


@dataclass
class PagePick:
    kind: str
    url: str
    reason: str  # "texte « Mentions légales »" or "chemin /mentions-legales"
    score: int


@dataclass
class Plan:
    picks: dict[str, PagePick] = field(default_factory=dict)
    feeds: list[str] = field(default_factory=list)


def canonical(url: str) -> str:
    """Drop the fragment and default port; keep the query (CMS pages use it)."""
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        netloc = parts.hostname or netloc
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


@lru_cache(maxsize=16384)
def _absolute(base: str, href: str) -> str:
    """``canonical(urljoin(base, href))``, remembered: the menus and footers of a site
    repeat the same links on every page (raises ``ValueError`` like ``urljoin``)."""
    return canonical(urljoin(base, href))


def _origin(url: str) -> str:
    """``scheme://netloc`` of ``url``: all a path starting with one "/" needs of its base."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=-1)
    return url if end < 0 else f"{scheme}://{rest[:end]}"


def extract_links(html: str, base_url: str) -> list[Link]:
    """Links and feed declarations of a page (one selectolax parse)."""
    tree = LexborHTMLParser(html)
    base = base_url
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = urljoin(base_url, base_tag.attributes.get("href") or "")
    origin = _origin(base)
    links: list[Link] = []
    for node in tree.css("a[href], link[href], area[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        # A path from the root ("/contact") depends on the base's origin only.
        rooted = href.startswith("/") and not href.startswith("//") and "\\" not in href
        try:
            url = _absolute(origin if rooted else base, href)
        except ValueError:
            continue
        if not url.startswith(("http://", "https://")):
            continue
        text = " ".join(
            filter(
                None,
                (
                    node.text(separator=" ", strip=True),
                    node.attributes.get("title"),
                    node.attributes.get("aria-label"),
                ),
            )
        )
        links.append(
            Link(
                url,
                text[:300],
                (node.attributes.get("rel") or "").lower(),
                (node.attributes.get("type") or "").lower(),
            )
        )
    return links


@lru_cache(maxsize=16384)
def _path_and_host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parts.hostname or ""


def _same_site(url: str, host: str) -> bool:
    other = _path_and_host(url)[1].removeprefix("www.")
    return other == host.removeprefix("www.") or other.endswith("." + host.removeprefix("www."))


@lru_cache(maxsize=16384)
def _kinds(text: str, path: str) -> tuple[tuple[str, int, bool], ...]:
    """What a link's words say it is, before where it points is weighed: (kind, score,
    matched in its text), remembered since menus and footers repeat on every page."""
    folded_text, folded_path = fold(text), fold(path)
    found = []
    for kind, words in PAGE_KINDS.items():
        if any(w in folded_text for w in words):
            score, in_text = 3, True
        elif any(w in folded_path for w in words):
            score, in_text = 2, False
        else:
            continue
        if kind == "accessibility":
            said = f"{folded_text} {folded_path}"
            score += sum(1 for term in STATEMENT_TERMS if term in said) - 1
        found.append((kind, score, in_text))
    return tuple(found)


def classify(links: Iterable[Link], site_host: str) -> Plan:
    """Best candidate per page kind: text beats path, same site beats elsewhere."""
    plan = Plan()
    for link in links:
        if link.type in FEED_TYPES or ("alternate" in link.rel and link.type.endswith("xml")):
            if link.url not in plan.feeds:
                plan.feeds.append(link.url)
            continue
        path = _path_and_host(link.url)[0]
        kinds = _kinds(link.text, path)
        if not kinds:
            continue
        same_site = _same_site(link.url, site_host)
        for kind, score, in_text in kinds:
            reason = f"texte « {link.text[:80]} »" if in_text else f"chemin {path}"
            if same_site:
                score += 2
            elif kind not in ("procedures", "opendata"):
                continue  # a legal notice elsewhere is not the site's own
            if link.url.lower().endswith(".pdf"):
                score -= 1 if kind != "accessibility" else 0
            current = plan.picks.get(kind)
            if (
                current is None
                or score > current.score
                or (score == current.score and len(link.url) < len(current.url))
            ):
                plan.picks[kind] = PagePick(kind, link.url, reason, score)
    return plan


def entry_points(url: str) -> list[str]:
    """http/https × apex/www variants of a site's home (the declared one first)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    apex = host.removeprefix("www.")
    variants = [canonical(url)]
    for scheme in ("https", "http"):
        for name in (apex, f"www.{apex}"):
            candidate = f"{scheme}://{name}/"
            if candidate not in variants:
                variants.append(candidate)
    return variants
