"""Third parties of a page: who a request or a script belongs to, and what it means here.

The entities are third-party-web's (patrickhulce/third-party-web, MIT; the list Lighthouse
uses), vendored in :mod:`barometre.refdata` with our additions layered on top
(``refdata/overlay/third_party_web.json``: French public-sector analytics, consent
managers, social-feed aggregators, the code signatures of tags).

Matching follows third-party-web: a host belongs to the entity that lists it exactly,
else to the one whose ``*.domain`` is the longest suffix of it (``*.example.com`` also
covers ``example.com``); a product of that entity is named when one of its
``urlPatterns`` is in the URL (``REGEXP:`` for a regular expression). Our overlay adds,
at entity level, ``urlPatterns`` that identify the entity on any host (a self-hosted
Matomo's ``/matomo.js``) and win over domains, ``scripts`` (regular expressions on inline
code, case-insensitive), ``aliases`` (words a privacy notice may use to name it) and
``consentExemptable`` (analytics the CNIL lets run without consent when configured so).

Categories become our notions (:data:`CATEGORY_NOTIONS`): ``ad``, ``analytics``,
``social``, ``video`` and ``tag-manager`` are trackers that need consent (unless the
entity is consent-exemptable), ``consent-provider`` is a consent manager, every other
category (cdn, hosting, utility, content, customer-success, marketing, other) is a third
party that is listed but not counted. Entities of ``social`` and ``video`` are the
embeds K2 looks for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from barometre import refdata
from barometre.checks.html import Doc
from barometre.checks.technologies import (
    Catalogue,
    Detection,
    analyze,
    detections_of,
    facts_of,
    merged,
)
from barometre.vocab.text import fold, slug

MAX_URL = 10_000
COOKIE_COMPLIANCE = 67  # Wappalyzer category of consent managers


class Notion(StrEnum):
    TRACKER = "tracker"  # needs consent before it runs
    EXEMPTABLE = "exemptable"  # audience measurement that can be set up without consent
    CONSENT_MANAGER = "consent_manager"
    THIRD_PARTY = "third_party"  # listed, not counted


CATEGORY_NOTIONS: dict[str, Notion] = {
    "ad": Notion.TRACKER,
    "analytics": Notion.TRACKER,
    "social": Notion.TRACKER,
    "video": Notion.TRACKER,
    "tag-manager": Notion.TRACKER,
    "consent-provider": Notion.CONSENT_MANAGER,
}
EMBED_CATEGORIES = frozenset({"social", "video"})
CATEGORY_LABELS = {
    "ad": "publicité",
    "analytics": "mesure d'audience",
    "social": "réseau social",
    "video": "vidéo",
    "tag-manager": "gestionnaire de balises",
    "consent-provider": "gestionnaire de consentement",
    "cdn": "CDN",
    "hosting": "hébergement",
    "utility": "service technique",
    "content": "contenu",
    "customer-success": "relation usager",
    "marketing": "marketing",
    "other": "autre",
}


def notion_of(category: str | None, exemptable: bool = False) -> Notion:
    notion = CATEGORY_NOTIONS.get(category or "", Notion.THIRD_PARTY)
    return Notion.EXEMPTABLE if notion is Notion.TRACKER and exemptable else notion


@dataclass(frozen=True)
class UrlPattern:
    text: str
    regex: re.Pattern[str] | None  # None: a plain substring

    def found_in(self, url: str) -> bool:
        return bool(self.regex.search(url)) if self.regex is not None else self.text in url


def url_pattern(raw: str) -> UrlPattern | None:
    if raw.startswith("REGEXP:"):
        try:
            return UrlPattern(raw, re.compile(raw.removeprefix("REGEXP:")))
        except re.error:
            return None
    return UrlPattern(raw, None)


def _url_patterns(raw: object) -> tuple[UrlPattern, ...]:
    items = raw if isinstance(raw, list) else []
    return tuple(p for p in (url_pattern(str(i)) for i in items) if p is not None)


def _code_patterns(raw: object) -> tuple[re.Pattern[str], ...]:
    out = []
    for item in raw if isinstance(raw, list) else []:
        try:
            out.append(re.compile(str(item), re.IGNORECASE))
        except re.error:
            continue
    return tuple(out)


@dataclass(frozen=True)
class Product:
    name: str
    url_patterns: tuple[UrlPattern, ...] = ()
    scripts: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Entity:
    name: str
    category: str
    company: str = ""
    domains: tuple[str, ...] = ()
    products: tuple[Product, ...] = ()
    url_patterns: tuple[UrlPattern, ...] = ()
    scripts: tuple[re.Pattern[str], ...] = ()
    aliases: tuple[str, ...] = ()
    exemptable: bool = False

    @property
    def notion(self) -> Notion:
        return notion_of(self.category, self.exemptable)

    @property
    def needs_consent(self) -> bool:
        return self.notion is Notion.TRACKER

    @property
    def is_embed(self) -> bool:
        return self.category in EMBED_CATEGORIES

    @property
    def names(self) -> tuple[str, ...]:
        """Folded words a privacy notice may use to name this third party."""
        words = [fold(self.name), *(fold(p.name) for p in self.products), *self.aliases]
        return tuple(dict.fromkeys(w for w in words if w))

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


def entity(spec: Mapping[str, Any]) -> Entity:
    products = tuple(
        Product(
            str(p.get("name")),
            _url_patterns(p.get("urlPatterns")),
            _code_patterns(p.get("scripts")),
        )
        for p in spec.get("products") or []
        if isinstance(p, Mapping)
    )
    return Entity(
        name=str(spec["name"]),
        category=str(spec.get("category") or "other"),
        company=str(spec.get("company") or spec["name"]),
        domains=tuple(str(d).lower() for d in spec.get("domains") or ()),
        products=products,
        url_patterns=_url_patterns(spec.get("urlPatterns")),
        scripts=_code_patterns(spec.get("scripts")),
        aliases=tuple(fold(str(a)) for a in spec.get("aliases") or ()),
        exemptable=bool(spec.get("consentExemptable")),
    )


@dataclass(frozen=True)
class Match:
    entity: Entity
    product: Product | None = None

    @property
    def label(self) -> str:
        if self.product is None:
            return self.entity.name
        return f"{self.entity.name} ({self.product.name})"


def host_of(url: str) -> str | None:
    """The host a URL (or ``host/path``, ``//host/path``) points at, in lower case."""
    if not url or len(url) > MAX_URL or url.startswith("data:"):
        return None
    text = url.strip()
    if text.startswith("//"):
        text = "https:" + text
    elif "://" not in text:
        if not re.match(r"^[a-z0-9.-]+\.[a-z0-9-]+(:\d+)?([/?#]|$)", text, re.IGNORECASE):
            return None
        text = "https://" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


class Directory:
    """Entities indexed by domain, with the lookups of third-party-web."""

    def __init__(self, specs: Iterable[Mapping[str, Any]]) -> None:
        self.entities = tuple(entity(s) for s in specs)
        self.exact: dict[str, Entity] = {}
        self.wildcard: dict[str, Entity] = {}
        for item in self.entities:
            for domain in item.domains:
                if domain.startswith("*."):
                    self.wildcard.setdefault(domain[2:], item)
                else:
                    self.exact.setdefault(domain, item)
        self.by_url = tuple(e for e in self.entities if e.url_patterns)
        self.by_code = tuple(
            e for e in self.entities if e.scripts or any(p.scripts for p in e.products)
        )

    def entity_for_host(self, host: str) -> Entity | None:
        found = self.exact.get(host)
        if found is not None:
            return found
        labels = host.split(".")
        for start in range(len(labels)):
            found = self.wildcard.get(".".join(labels[start:]))
            if found is not None:
                return found
        return None

    def match(self, url: str) -> Match | None:
        """The entity (and product) a request URL belongs to, if any."""
        host = host_of(url)
        if host is None:
            return None
        for item in self.by_url:
            if any(p.found_in(url) for p in item.url_patterns):
                return Match(item, self._product(item, url))
        found = self.entity_for_host(host)
        return Match(found, self._product(found, url)) if found is not None else None

    @staticmethod
    def _product(item: Entity, url: str) -> Product | None:
        return next(
            (p for p in item.products if any(u.found_in(url) for u in p.url_patterns)), None
        )

    def in_code(self, code: str) -> Iterator[tuple[Match, str]]:
        """Entities whose signature is in inline script code, with the matched text."""
        for item in self.by_code:
            for product in item.products:
                hit = next((m for p in product.scripts if (m := p.search(code))), None)
                if hit is not None:
                    yield Match(item, product), hit.group(0)
                    break
            else:
                hit = next((m for p in item.scripts if (m := p.search(code))), None)
                if hit is not None:
                    yield Match(item), hit.group(0)


@cache
def directory() -> Directory:
    return Directory(refdata.entities())


def classify(url: str) -> Match | None:
    return directory().match(url)


# --- what a page loads ------------------------------------------------------------------

# URL literals in inline code ("https://host/path", "//host/path"), e.g. a tag's loader.
_URL_LITERAL = re.compile(
    r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(?:/[^\s'"`<>()\\]*)?""", re.I
)
_NOSCRIPT = re.compile(r"<noscript\b[^>]*>(.*?)</noscript>", re.I | re.S)
_SRC = re.compile(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.I)


@dataclass(frozen=True)
class Seen:
    match: Match
    where: str  # "ressource chargée", "code dans la page"…
    text: str  # the URL or code that shows it


def loaded_urls(doc: Doc) -> list[str]:
    """Script, frame and ``<noscript>`` pixel sources of a page (absolute)."""
    urls = [*doc.scripts, *doc.iframes]
    for block in _NOSCRIPT.findall(doc.html()):
        urls += [u for u in _SRC.findall(block) if "//" in u]
    return urls


def seen_in(doc: Doc) -> Iterator[Seen]:
    """Third parties a page references: sources, then loaders and signatures in its code.

    A URL written in inline code counts when it is a script (``.js``) or a product's URL:
    a plain link to a social profile written in a script is not a tracker."""
    for url in loaded_urls(doc):
        found = classify(url)
        if found is not None:
            yield Seen(found, "ressource chargée", url)
    code = doc.inline_scripts
    if not code:
        return
    for literal in _URL_LITERAL.findall(code):
        url = "https:" + literal if literal.startswith("//") else literal
        found = classify(url)
        path = urlsplit(url).path
        if found is not None and (path.endswith(".js") or found.product is not None):
            yield Seen(found, "chargé par un script de la page", url)
    for found, text in directory().in_code(code):
        yield Seen(found, "code dans la page", text)


# --- consent managers -------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentManager:
    id: str  # slug: "tarteaucitron", "axeptio", "didomi"…
    label: str
    evidence: str


def consent_managers(
    docs: Iterable[Doc], requests: Iterable[str] = (), using: Catalogue | None = None
) -> list[ConsentManager]:
    """Consent managers of a site: Wappalyzer "cookie compliance" technologies found in
    its pages, and requests to a third-party-web consent provider (its aliases name the
    same product: OneTrust's "Optanon")."""
    found: dict[str, ConsentManager] = {}
    docs = list(docs)
    detections: list[Detection] = (
        analyze((facts_of(d) for d in docs), using)
        if using is not None
        else merged(*(detections_of(d) for d in docs))
    )
    for detection in detections:
        if COOKIE_COMPLIANCE in detection.categories:
            hit = detection.evidence[0]
            found.setdefault(
                detection.slug,
                ConsentManager(detection.slug, detection.name, f"{hit.signal} : {hit.text}"),
            )
    for url in [*(u for d in docs for u in loaded_urls(d)), *requests]:
        match = classify(url)
        if match is not None and match.entity.notion is Notion.CONSENT_MANAGER:
            key = slug(match.entity.name)
            keys = {key, *(slug(a) for a in match.entity.aliases)}
            if not any(k.startswith(f) or f.startswith(k) for k in keys for f in found):
                found[key] = ConsentManager(key, match.entity.name, url[:200])
    return list(found.values())
