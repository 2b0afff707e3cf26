"""Technologies of a page from Wappalyzer-format fingerprints (our own matcher).

The fingerprints are enthec/webappanalyzer's (GPL-3.0), vendored in
:mod:`barometre.refdata` with our French additions on top. This module reads the format;
it copies no one's code.

Pattern strings are JavaScript regular expressions, matched case-insensitively, with
optional tags: ``regex\\;confidence:50\\;version:\\1``. Long quantifiers are bounded
(``+`` → ``{1,250}``, ``*`` → ``{0,250}``) as Wappalyzer does, so that no fingerprint can
make a large page slow. A pattern Python cannot compile is left out (counted by
:func:`catalogue`).

Signals read from a capture (:class:`PageFacts`): ``url``, ``headers``, ``cookies``
(from ``Set-Cookie``), ``meta``, ``html``, ``text`` (visible text), ``scriptSrc``,
``scripts`` (inline script code: external scripts are not captured) and ``dom`` (CSS
selectors, with ``exists``, ``attributes`` and ``text``). Relations: ``implies`` (with its
own confidence), ``excludes``, ``requires`` and ``requiresCategory``. Not read, because a
capture does not hold them: ``js`` (global variables), ``css``, ``robots``, ``dns``,
``xhr``, ``certIssuer``, ``probe`` and DOM ``properties``.

Per technology, confidences add up (at most 100) and the most precise version wins (more
numbers, then the higher one). A technology whose confidence is 0 is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from barometre import refdata
from barometre.checks.html import Doc
from barometre.models import Page
from barometre.vocab.text import slug

MAX_TEXT = 2_000_000  # characters of HTML, script or text a pattern is run against
MAX_VERSION_PART = 10  # a captured group longer than this is not a version (Wappalyzer)

# --- patterns ---------------------------------------------------------------------------


def js_regex(source: str) -> str:
    """A JavaScript regular expression rewritten for Python's ``re``, with unescaped
    ``+`` and ``*`` quantifiers bounded to 250 repetitions (outside character classes)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif source.startswith("[^]", i):
            out.append(r"[\s\S]")
            i += 3
            continue
        elif char == "[":
            in_class = True
            opening = "[^" if source.startswith("[^", i) else "["
            i += len(opening)
            if source.startswith("]", i):  # a literal "]" first in the class
                opening += "]"
                i += 1
            out.append(opening)
            continue
        elif char == "+":
            out.append("{1,250}")
        elif char == "*":
            out.append("{0,250}")
        elif source.startswith("(?<", i) and source[i + 3 : i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Pattern:
    value: str  # the regular expression as written
    regex: re.Pattern[str]
    confidence: int = 100
    version: str = ""  # template: "\\1", "\\1?yes:no", "v\\1"…

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text[:MAX_TEXT])


def parse_pattern(raw: object) -> Pattern | None:
    """``regex\\;confidence:N\\;version:T`` → :class:`Pattern` (None if it cannot compile)."""
    text = str(raw)
    parts = text.split("\\;")
    tags: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition(":")
        if sep:
            tags[key.strip()] = value
    try:
        regex = re.compile(js_regex(parts[0]), re.IGNORECASE)
        confidence = int(tags.get("confidence", "100") or 100)
    except (re.error, ValueError, OverflowError, RecursionError):
        return None
    return Pattern(parts[0], regex, confidence, tags.get("version", ""))


def _backrefs(template: str) -> int:
    return max((int(n) for n in re.findall(r"\\(\d)", template)), default=0)


def resolve_version(pattern: Pattern, text: str) -> str:
    """The version a match gives: back references replaced, ternaries
    (``\\1?then:else``) resolved, captures longer than 10 characters ignored."""
    template = pattern.version
    match = pattern.search(text)
    if not template or match is None:
        return ""
    groups: list[str | None] = [match.group(0), *match.groups()]
    groups += [None] * max(0, _backrefs(template) + 1 - len(groups))
    resolved = template
    for index, value in enumerate(groups):
        if value is not None and len(value) > MAX_VERSION_PART:
            continue
        ternary = re.search(rf"\\{index}\?([^:]*):(.*)$", template)
        if ternary:
            resolved = template.replace(ternary.group(0), ternary.group(1 if value else 2))
        resolved = resolved.strip().replace(f"\\{index}", value or "")
    return re.sub(r"\\\d", "", resolved, count=1).strip()


def _patterns(raw: object) -> tuple[Pattern, ...]:
    items = raw if isinstance(raw, list) else [raw]
    return tuple(p for p in (parse_pattern(i) for i in items if i is not None) if p is not None)


def _keyed(raw: object) -> dict[str, tuple[Pattern, ...]]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(key).lower(): _patterns(value) for key, value in raw.items()}


def _names(raw: object) -> tuple[tuple[str, int], ...]:
    """``implies``/``excludes``/``requires``: names, with an optional confidence tag."""
    items = raw if isinstance(raw, list) else [raw] if raw else []
    out = []
    for item in items:
        name, _, tags = str(item).partition("\\;")
        confidence = re.search(r"confidence:(\d+)", tags)
        out.append((name.strip(), int(confidence.group(1)) if confidence else 100))
    return tuple(out)


# --- technologies -----------------------------------------------------------------------


@dataclass(frozen=True)
class DomRule:
    selector: str
    exists: bool = True
    attributes: tuple[tuple[str, tuple[Pattern, ...]], ...] = ()
    text: tuple[Pattern, ...] = ()


_PROBE = LexborHTMLParser("<p></p>")


def _selector_ok(selector: str) -> bool:
    """Whether lexbor understands a CSS selector (a few fingerprints use jQuery's)."""
    try:
        _PROBE.css(selector)
    except SelectolaxError:
        return False
    return True


def _dom_rules(raw: object) -> tuple[DomRule, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, list):
        return tuple(DomRule(str(s)) for s in raw if _selector_ok(str(s)))
    if not isinstance(raw, Mapping):
        return ()
    rules = []
    for selector, spec in raw.items():
        if not isinstance(spec, Mapping) or not _selector_ok(str(selector)):
            continue
        attributes = tuple(
            (str(name).lower(), _patterns(value))
            for name, value in (spec.get("attributes") or {}).items()
        )
        text = _patterns(spec["text"]) if "text" in spec else ()
        exists = "exists" in spec
        if exists or attributes or text:
            rules.append(DomRule(str(selector), exists, attributes, text))
    return tuple(rules)


@dataclass(frozen=True)
class Technology:
    name: str
    categories: tuple[int, ...]
    website: str = ""
    url: tuple[Pattern, ...] = ()
    html: tuple[Pattern, ...] = ()
    text: tuple[Pattern, ...] = ()
    script_src: tuple[Pattern, ...] = ()
    scripts: tuple[Pattern, ...] = ()
    headers: Mapping[str, tuple[Pattern, ...]] = field(default_factory=dict)
    cookies: Mapping[str, tuple[Pattern, ...]] = field(default_factory=dict)
    meta: Mapping[str, tuple[Pattern, ...]] = field(default_factory=dict)
    dom: tuple[DomRule, ...] = ()
    implies: tuple[tuple[str, int], ...] = ()
    excludes: tuple[tuple[str, int], ...] = ()
    requires: tuple[tuple[str, int], ...] = ()
    requires_category: tuple[int, ...] = ()

    @property
    def slug(self) -> str:
        return slug(self.name)


def technology(name: str, spec: Mapping[str, Any]) -> Technology:
    cats = spec.get("cats") or []
    required_cats = spec.get("requiresCategory") or []
    return Technology(
        name=name,
        categories=tuple(int(c) for c in cats),
        website=str(spec.get("website") or ""),
        url=_patterns(spec.get("url")),
        html=_patterns(spec.get("html")),
        text=_patterns(spec.get("text")),
        script_src=_patterns(spec.get("scriptSrc")),
        scripts=_patterns(spec.get("scripts")),
        headers=_keyed(spec.get("headers")),
        cookies=_keyed(spec.get("cookies")),
        meta=_keyed(spec.get("meta")),
        dom=_dom_rules(spec.get("dom")),
        implies=_names(spec.get("implies")),
        excludes=_names(spec.get("excludes")),
        requires=_names(spec.get("requires")),
        requires_category=tuple(
            int(c) for c in (required_cats if isinstance(required_cats, list) else [required_cats])
        ),
    )


@dataclass(frozen=True)
class Catalogue:
    technologies: Mapping[str, Technology]
    categories: Mapping[int, str]  # id → name

    def category_names(self, tech: Technology) -> list[str]:
        return [self.categories.get(c, str(c)) for c in tech.categories]


def build_catalogue(
    technologies: Mapping[str, Mapping[str, Any]],
    categories: Mapping[str, Any] | None = None,
) -> Catalogue:
    techs = {name: technology(name, spec) for name, spec in technologies.items()}
    cats: dict[int, str] = {}
    for key, value in (categories or {}).items():
        name = value.get("name") if isinstance(value, Mapping) else value
        cats[int(key)] = str(name)
    return Catalogue(techs, cats)


@cache
def catalogue() -> Catalogue:
    """The vendored fingerprints with our overlay, compiled once."""
    technologies, categories = refdata.technologies()
    return build_catalogue(technologies, categories)


# --- page facts -------------------------------------------------------------------------


@dataclass
class PageFacts:
    """What the matcher reads from one captured page (names are lower case)."""

    url: str = ""
    html: str = ""
    text: str = ""
    headers: dict[str, list[str]] = field(default_factory=dict)
    cookies: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)
    script_src: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    tree: LexborHTMLParser | None = None


def cookies_from_headers(headers: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    cookies: dict[str, list[str]] = {}
    for name, value in headers:
        if name.lower() != "set-cookie":
            continue
        pair = value.split(";", 1)[0]
        key, _, content = pair.partition("=")
        if key.strip():
            cookies.setdefault(key.strip().lower(), []).append(content.strip())
    return cookies


def facts_of(doc: Doc, page: Page | None = None) -> PageFacts:
    """Facts of a parsed page; ``page`` (the served response) adds headers and cookies."""
    headers: dict[str, list[str]] = {}
    source = page or doc.page
    for name, value in source.headers:
        headers.setdefault(name.lower(), []).append(value)
    meta: dict[str, list[str]] = {}
    for node in doc.css("meta"):
        attrs = node.attributes
        key = attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or ""
        if key:
            meta.setdefault(key.lower(), []).append((attrs.get("content") or "").strip())
    scripts = [
        node.text()
        for node in doc.css("script:not([src])")
        if (node.attributes.get("type") or "").lower() != "application/ld+json"
    ]
    return PageFacts(
        url=doc.url,
        html=doc.html(),
        text=doc.text,
        headers=headers,
        cookies=cookies_from_headers(source.headers),
        meta=meta,
        script_src=list(doc.scripts),
        scripts=scripts,
        tree=doc.tree,
    )


# --- analysis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One pattern that matched: which technology, how sure, which version, where."""

    name: str
    confidence: int
    version: str
    signal: str  # e.g. "meta generator", "scriptSrc", "header x-powered-by", "implied by X"
    text: str  # what matched (truncated)


def _hits(
    tech: Technology, patterns: Sequence[Pattern], values: Iterable[str], signal: str
) -> list[Hit]:
    out = []
    values = list(values)
    for pattern in patterns:
        for value in values:
            match = pattern.search(value)
            if match is not None:
                out.append(
                    Hit(
                        tech.name,
                        pattern.confidence,
                        resolve_version(pattern, value),
                        signal,
                        match.group(0)[:160] or value[:160],
                    )
                )
                break
    return out


def _keyed_values(keyed: Mapping[str, list[str]], key: str) -> list[str]:
    if "*" in key:
        prefix = re.compile(re.escape(key).replace(r"\*", ".*") + "$")
        return [v for name, values in keyed.items() if prefix.match(name) for v in values]
    return keyed.get(key, [])


def _dom_hits(tech: Technology, tree: LexborHTMLParser) -> list[Hit]:
    out = []
    for rule in tech.dom:
        nodes = tree.css(rule.selector)
        if not nodes:
            continue
        if rule.exists:
            out.append(Hit(tech.name, 100, "", "dom", rule.selector[:160]))
        for attribute, patterns in rule.attributes:
            values = [n.attributes.get(attribute) or "" for n in nodes[:50]]
            values = [v for v in values if v is not None]
            out += _hits(tech, patterns, values, f"dom {rule.selector} [{attribute}]")
        if rule.text:
            texts = [n.text(separator=" ") for n in nodes[:50]]
            out += _hits(tech, rule.text, texts, f"dom {rule.selector} (texte)")
    return out


def raw_hits(facts: PageFacts, catalogue: Catalogue) -> list[Hit]:
    """Every signal of every technology that matched the page (before relations)."""
    out: list[Hit] = []
    for tech in catalogue.technologies.values():
        if facts.url:
            out += _hits(tech, tech.url, [facts.url], "url")
        if facts.html:
            out += _hits(tech, tech.html, [facts.html], "html")
        if facts.text:
            out += _hits(tech, tech.text, [facts.text], "texte")
        out += _hits(tech, tech.script_src, facts.script_src, "scriptSrc")
        out += _hits(tech, tech.scripts, facts.scripts, "scripts")
        for kind, keyed, facts_keyed in (
            ("header", tech.headers, facts.headers),
            ("cookie", tech.cookies, facts.cookies),
            ("meta", tech.meta, facts.meta),
        ):
            for key, patterns in keyed.items():
                values = _keyed_values(facts_keyed, key)
                if not values:
                    continue
                out += _hits(tech, patterns, values, f"{kind} {key}")
        if facts.tree is not None and tech.dom:
            out += _dom_hits(tech, facts.tree)
    return out


@dataclass(frozen=True)
class Detection:
    name: str
    confidence: int
    version: str
    categories: tuple[int, ...]
    evidence: tuple[Hit, ...]

    @property
    def slug(self) -> str:
        return slug(self.name)


def _version_key(version: str) -> tuple[int, tuple[int, ...], int]:
    numbers = tuple(int(n) for n in re.findall(r"\d+", version))
    return (len(numbers), numbers, len(version))


def best_version(versions: Iterable[str]) -> str:
    """The most precise version: more numbers, then the higher one, then the longer."""
    candidates = [v for v in versions if v]
    return max(candidates, key=_version_key) if candidates else ""


def resolve(hits: Iterable[Hit], catalogue: Catalogue) -> list[Detection]:
    """Hits → detections: confidences added (≤ 100), best version, ``requires`` and
    ``requiresCategory`` checked, ``excludes`` applied, ``implies`` followed."""
    grouped: dict[str, list[Hit]] = {}
    for hit in hits:
        grouped.setdefault(hit.name, []).append(hit)
    found: dict[str, tuple[int, str, list[Hit]]] = {}
    for name, group in grouped.items():
        confidence = min(100, sum(h.confidence for h in group))
        found[name] = (confidence, best_version(h.version for h in group), group)
    techs = catalogue.technologies

    def categories_of(names: Iterable[str]) -> set[int]:
        return {c for n in names if n in techs for c in techs[n].categories}

    changed = True
    while changed:  # requirements may depend on each other
        changed = False
        for name in list(found):
            tech = techs.get(name)
            if tech is None:
                continue
            required = all(r in found for r, _ in tech.requires)
            cats = categories_of(n for n in found if n != name)
            if not required or (tech.requires_category and not set(tech.requires_category) & cats):
                del found[name]
                changed = True
    for name in list(found):
        tech = techs.get(name)
        if tech is not None and name in found:
            for excluded, _ in tech.excludes:
                found.pop(excluded, None)
    queue = list(found)
    while queue:
        name = queue.pop()
        tech = techs.get(name)
        if tech is None:
            continue
        parent_confidence = found[name][0]
        for implied, tag_confidence in tech.implies:
            confidence = min(parent_confidence, tag_confidence)
            if implied in found:
                continue
            found[implied] = (
                confidence,
                "",
                [Hit(implied, confidence, "", f"impliqué par {name}", name)],
            )
            queue.append(implied)
    out = []
    for name, (confidence, version, group) in found.items():
        if confidence <= 0:
            continue
        tech = techs.get(name)
        out.append(
            Detection(name, confidence, version, tech.categories if tech else (), tuple(group))
        )
    return sorted(out, key=lambda d: (-d.confidence, d.name))


def analyze(facts: Iterable[PageFacts], using: Catalogue | None = None) -> list[Detection]:
    """Technologies detected on one or more pages of a site (their hits pooled)."""
    fingerprints = using or catalogue()
    hits: list[Hit] = []
    for page in facts:
        hits += raw_hits(page, fingerprints)
    return resolve(hits, fingerprints)


_BY_DOC: WeakKeyDictionary[Doc, list[Detection]] = WeakKeyDictionary()


def detections_of(doc: Doc) -> list[Detection]:
    """Technologies of one parsed page with the vendored fingerprints (once per page)."""
    found = _BY_DOC.get(doc)
    if found is None:
        found = _BY_DOC[doc] = analyze([facts_of(doc)])
    return found


def merged(*groups: Iterable[Detection]) -> list[Detection]:
    """Detections of several pages of a site, one per technology (best version, highest
    confidence, evidence of the first page that showed it)."""
    best: dict[str, Detection] = {}
    for group in groups:
        for detection in group:
            current = best.get(detection.name)
            if current is None:
                best[detection.name] = detection
                continue
            version = best_version([current.version, detection.version])
            best[detection.name] = Detection(
                current.name,
                max(current.confidence, detection.confidence),
                version,
                current.categories,
                current.evidence,
            )
    return list(best.values())
