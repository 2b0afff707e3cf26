"""Qualité technique (T7-T10): mobile layout, performance, eco-design (EcoIndex and
statement) and search-engine basics, read from the home page and its browser renders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.ecoindex import ecoindex
from barometre.checks.html import Doc
from barometre.checks.lexicon import name_tokens
from barometre.checks.subject import Subject
from barometre.models import Confidence, Evidence
from barometre.vocab import fr
from barometre.vocab.fr import sentence
from barometre.vocab.text import fold

# --- T7 mobile -----------------------------------------------------------------------------

_MEDIA_QUERY = re.compile(r"@media[^{]*\(\s*(?:max|min)-width", re.I)
_MAX_SCALE = re.compile(r"maximum-scale\s*=\s*([\d.]+)", re.I)


def viewport_facts(content: str) -> tuple[bool, str | None]:
    """(responsive: width=device-width, why zoom is blocked or ``None``)."""
    folded = content.lower().replace(" ", "")
    responsive = "width=device-width" in folded
    if re.search(r"user-scalable=(no|0)\b", folded):
        return responsive, "user-scalable=no"
    match = _MAX_SCALE.search(content)
    if match:
        try:
            scale = float(match.group(1))
        except ValueError:
            scale = 10.0
        if scale < 2:
            return responsive, f"maximum-scale={match.group(1)}"
    return responsive, None


def media_queries(doc: Doc) -> tuple[bool | None, str | None]:
    """Whether width media queries exist in inline CSS or ``<link media>``; ``None``
    when the only stylesheets are external files the capture did not keep."""
    for node in doc.css("style"):
        match = _MEDIA_QUERY.search(node.text())
        if match:
            return True, match.group(0)
    external = False
    for node in doc.css('link[rel~="stylesheet"]'):
        external = True
        media = node.attributes.get("media") or ""
        if "width" in media:
            return True, f'<link media="{media}">'
    return (None, None) if external else (False, None)


@check("technique.mobile", version="1", reads_content=False)
def mobile(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """0.5 viewport ``width=device-width`` + 0.3 zoom not blocked (no
    ``user-scalable=no``, no ``maximum-scale`` < 2: RGAA 10.4) + 0.2 width media queries
    (inline CSS or ``<link media>``). External stylesheets are not kept by the capture:
    when they may hold the media queries, that part is left out and the score is scaled
    over the rest (confidence inferred). The render records no scroll width, so
    horizontal scrolling (RGAA 10.11) is not measured."""
    doc = subject.static_home_doc
    assert doc is not None
    content = doc.meta("viewport")
    evidence = [Evidence(url=doc.url, selector='meta[name="viewport"]', text=content or "absent")]
    responsive, blocked = viewport_facts(content or "")
    earned, total = 0.0, 0.8
    reasons = []
    if responsive:
        earned += 0.5
    else:
        reasons.append("pas de balise viewport width=device-width")
    if blocked is None:
        earned += 0.3
    else:
        reasons.append(f"zoom bloqué ({blocked}, RGAA 10.4)")
    found, where = media_queries(doc)
    confidence = Confidence.OBSERVED
    if found is None:
        confidence = Confidence.INFERRED
        reasons.append("feuilles de style externes non analysées (media queries non vérifiées)")
    else:
        total += 0.2
        if found:
            earned += 0.2
            evidence.append(Evidence(url=doc.url, text=where, note="media query"))
        else:
            reasons.append("aucune media query de largeur")
    reason = sentence(reasons) if reasons else None
    return scored(earned / total, evidence, confidence=confidence, reason=reason)


# --- T8 performance ---------------------------------------------------------------------

NO_RENDER = (
    "Performance non mesurable : la page d'accueil n'a pas été rendue dans un navigateur "
    "(capture sans --render)."
)
NO_TIMINGS = (
    "Performance non mesurable : le rendu mobile n'a relevé aucune mesure de performance "
    "(capture antérieure à ces mesures)."
)
NO_PAINT = (
    "Performance non mesurable : aucun affichage de contenu relevé pendant le rendu mobile "
    "(pas de plus grand élément affiché)."
)
BANDS = ("bon", "à améliorer", "mauvais")
# (key in the render's figures, methodology parameter, label, unit)
T8_METRICS = (
    ("lcp_ms", "lcp_ms", "plus grand élément affiché (LCP)", "ms"),
    ("cls", "cls", "décalages de mise en page (CLS)", ""),
    ("tbt_ms", "tbt_ms", "temps de blocage total (TBT)", "ms"),
)


def band(value: float, limits: Any) -> int:
    """0 good, 1 needs improvement, 2 poor, for ``limits`` = [good up to, poor above]."""
    good, poor = float(limits[0]), float(limits[1])
    return 0 if value <= good else 1 if value <= poor else 2


def _figure(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{fr.number(value / 1000, 2)} s" if value >= 1000 else f"{fr.number(value)} ms"
    return fr.number(value, 2)


@check("technique.performance", version="2", reads_content=False)
def performance(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Core Web Vitals of the mobile rendering (4× CPU slowdown, as Lighthouse's mobile
    profile): largest contentful paint, cumulative layout shift and total blocking time
    (the lab stand-in for interaction delay: nothing is clicked), each put in its band
    by the methodology's published thresholds (good / needs improvement / poor), worth
    1, ``needs_improvement`` and 0; the value is their mean. Navigation Timing (time to
    first byte, first paint, load) is kept as evidence."""
    site = subject.site
    render = site.render(str(params.get("viewport", "mobile"))) if site is not None else None
    if render is None:
        return not_measurable(NO_RENDER)
    if render.get("outcome") != "ok":
        error = str(render.get("error") or render.get("outcome") or "erreur inconnue")[:160]
        return not_measurable(f"Performance non mesurable : rendu mobile en échec ({error}).")
    figures = render.get("performance")
    if not isinstance(figures, Mapping) or not figures.get("observed"):
        return not_measurable(NO_TIMINGS)
    if not isinstance(figures.get("lcp_ms"), int | float):
        return not_measurable(NO_PAINT)
    url = str(render.get("final_url") or render.get("url"))
    slowdown = figures.get("cpu_slowdown") or 1
    where = f"rendu {render.get('viewport')}" + (
        f", processeur ralenti {slowdown:g}×" if slowdown != 1 else ""
    )
    scores = {0: 1.0, 1: float(params.get("needs_improvement", 0.5)), 2: 0.0}
    earned: list[float] = []
    evidence: list[Evidence] = []
    weak: list[str] = []
    for key, param, label, unit in T8_METRICS:
        value = figures.get(key)
        if not isinstance(value, int | float):
            continue
        rank = band(float(value), params[param])
        earned.append(scores[rank])
        evidence.append(
            Evidence(
                url=url,
                text=f"{label} : {_figure(float(value), unit)}",
                note=f"{BANDS[rank]} ({where})",
            )
        )
        if rank:
            weak.append(f"{label} {BANDS[rank]}")
    timings = [
        f"{name} {_figure(float(figures[key]), 'ms')}"
        for key, name in (
            ("ttfb_ms", "premier octet"),
            ("fcp_ms", "premier affichage"),
            ("load_ms", "chargement"),
        )
        if isinstance(figures.get(key), int | float)
    ]
    if timings:
        evidence.append(
            Evidence(url=url, text=", ".join(timings), note=f"Navigation Timing ({where})")
        )
    reason = sentence(weak) if weak else None
    return scored(sum(earned) / len(earned), evidence, reason=reason)


# --- T9 eco-design ----------------------------------------------------------------------

STATEMENT_WORDS = (
    "declaration d ecoconception",
    "declaration d eco conception",
    "ecoconception",
    "eco conception",
    "rgesn",
    "referentiel general d ecoconception",
)


def eco_statement(subject: Subject) -> Evidence | None:
    """A link to, or a page holding, an eco-design statement (« écoconception », RGESN)."""
    for kind, doc in subject.docs():
        for link in doc.links:
            folded = (
                link.folded + " " + fold(link.url.rsplit("/", 2)[-2] if "/" in link.url else "")
            )
            if any(word in folded for word in STATEMENT_WORDS):
                return Evidence(url=link.url, text=link.text, note=f"lien depuis la page {kind}")
        if kind != "home":
            text = doc.folded
            for word in STATEMENT_WORDS[:2]:
                if (at := text.find(word)) >= 0:
                    said = doc.traced.quote(at, at + len(word))
                    return Evidence(url=doc.url, text=said, note=f"page {kind}")
    return None


@check("technique.sobriete", version="1")
def sobriety(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """``ecoindex`` × EcoIndex/100 of the rendered home page (desktop: DOM elements,
    requests, transferred KB) + ``statement`` when an eco-design statement is linked.
    Without a render nothing is computed from the static HTML (a static EcoIndex is
    biased): not measurable, with the statement as evidence when found."""
    statement = eco_statement(subject)
    site = subject.site
    render = site.render("desktop") if site is not None else None
    if render is None or render.get("outcome") != "ok" or not render.get("dom_nodes"):
        return not_measurable(
            "EcoIndex non calculé : page d'accueil non rendue dans un navigateur (--render)."
            + (" Déclaration d'écoconception trouvée." if statement else ""),
            [statement] if statement else [],
        )
    index = ecoindex(
        int(render.get("dom_nodes") or 0),
        int(render.get("request_count") or 0),
        float(render.get("transferred_bytes") or 0) / 1024,
    )
    evidence = [
        Evidence(
            url=str(render.get("final_url") or render.get("url")),
            text=f"EcoIndex {fr.number(index.score)} ({index.grade})",
            note=(
                f"{fr.count(index.dom_nodes, 'élément')}, {fr.count(index.requests, 'requête')}, "
                f"{fr.number(index.size_kb)} Ko"
            ),
        )
    ]
    value = float(params.get("ecoindex", 0.8)) * index.score / 100
    reason = None
    if statement is not None:
        value += float(params.get("statement", 0.2))
        evidence.append(statement)
    else:
        reason = "Pas de déclaration d'écoconception (RGESN) trouvée."
    return scored(value, evidence, reason=reason)


# --- T10 search-engine basics -------------------------------------------------------------


def official_tokens(name: str) -> list[str]:
    """Distinctive words of the official name, without a parenthesised note."""
    return name_tokens(re.sub(r"\(.*?\)", " ", name))


def title_has_name(title: str, name: str) -> bool:
    tokens = official_tokens(name)
    folded = fold(title)
    return bool(tokens) and all(re.search(rf"\b{re.escape(t)}\b", folded) for t in tokens)


def _noindex(subject: Subject, doc: Doc) -> bool:
    home = subject.home
    robots = (doc.meta("robots") or "") + " " + (home.header("X-Robots-Tag") or "" if home else "")
    return "noindex" in robots.lower()


@check("technique.referencement", version="1", reads_content=False)
def seo(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Share of seven basics: the title names the collectivité, a meta description, a
    canonical link, no ``noindex``, robots.txt not blocking ``/``, an XML sitemap,
    OpenGraph tags. Search-engine rank is not measured."""
    doc = subject.home_doc
    site = subject.site
    assert doc is not None and site is not None
    robots = site.robots or {}
    sitemap_ok = (site.sitemap is not None and site.sitemap.ok) or site.sitemap_urls > 0
    items = {
        "titre avec le nom officiel": title_has_name(doc.title, subject.authority.name),
        "meta description": bool(doc.meta("description")),
        "lien canonical": any("canonical" in link.rel for link in doc.head_links),
        "pas de noindex": not _noindex(subject, doc),
        "robots.txt n'interdit pas /": not robots.get("disallow_all"),
        "plan du site XML": sitemap_ok,
        "balises OpenGraph": any(doc.meta(f"og:{p}") for p in ("title", "description", "image")),
    }
    missing = [label for label, ok in items.items() if not ok]
    evidence = [Evidence(url=doc.url, selector="title", text=doc.title or "(vide)")]
    if sitemap_ok and site.sitemap is not None:
        evidence.append(
            Evidence(url=site.sitemap.final_url, note=fr.count(site.sitemap_urls, "adresse"))
        )
    reason = ("Manque : " + ", ".join(missing) + ".") if missing else None
    return scored(sum(items.values()) / len(items), evidence, reason=reason)
