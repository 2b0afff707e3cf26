"""Cohérence (K2): social feeds shown on the site, and loaded only after consent.

Embeds [criteria.md §3 K2]: Facebook page plugin, Instagram embed, Juicer, Curator,
Walls.io, Elfsight, SnapWidget, Tagembed, YouTube players. With a rendering, the
network log (nothing is clicked, so it is the log *before consent*) says whether the
embed loaded before consent: a request to a third party of category ``social`` or
``video`` (:mod:`.thirdparty`: third-party-web's entities, so also their CDNs such as
fbcdn.net, cdninstagram.com, twimg.com, ytimg.com, youtube-nocookie.com); without one, a
static ``iframe src`` counts as loaded and a consent-manager placeholder (tarteaucitron,
Didomi, ``data-src``) as gated, with confidence ``inferred``.

Scoring (Dentsu's "flux en direct" is a good practice, art. 82 requires consent for the
third-party cookies): 1 when a feed is embedded and gated, 0.5 when it loads before
consent, 0 when the site embeds no feed at all (the good practice is absent; it is not a
case of non-applicability).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from barometre.checks.base import Verdict, check, scored
from barometre.checks.html import Doc
from barometre.checks.subject import Subject
from barometre.checks.thirdparty import classify, consent_managers
from barometre.models import Confidence, Evidence
from barometre.vocab.platforms import platform_label

# (name, URL marker)
EMBED_URLS: tuple[tuple[str, str], ...] = (
    ("facebook", "facebook.com/plugins/"),
    ("facebook", "/sdk.js"),  # connect.facebook.net/<locale>/sdk.js, not the pixel
    ("instagram", "instagram.com/embed"),
    ("instagram", "/embed/captioned"),
    ("juicer", "juicer.io"),
    ("curator", "curator.io"),
    ("walls.io", "walls.io"),
    ("elfsight", "elfsight"),
    ("snapwidget", "snapwidget.com"),
    ("tagembed", "tagembed.com"),
    ("youtube", "youtube.com/embed"),
    ("youtube", "youtube-nocookie.com/embed"),
    ("x", "platform.twitter.com"),
)
# the widget services by their own names (the platforms by the shared vocabulary)
WIDGET_NAMES = {
    "juicer": "Juicer",
    "curator": "Curator",
    "elfsight": "Elfsight",
    "snapwidget": "SnapWidget",
    "tagembed": "Tagembed",
}
# Static placeholders that a consent manager replaces after consent.
PLACEHOLDERS = (
    (".fb-page", "facebook"),
    (".fb-post", "facebook"),
    (".tac_facebook", "facebook"),
    (".instagram-media", "instagram"),
    (".youtube_player", "youtube"),
    (".tac_player", "youtube"),
    ("iframe[data-src]", ""),
)


def widget_name(name: str) -> str:
    """How a reader knows a feed's source: « Facebook », « Juicer »."""
    return WIDGET_NAMES.get(name) or platform_label(name) or "intégration"


def _embed_request(url: str) -> bool:
    """A request to a social network or video player (or their CDNs)."""
    found = classify(url)
    return found is not None and found.entity.is_embed


def _embeds(doc: Doc) -> list[tuple[str, str]]:
    """(name, url) of the embeds whose ``src`` is in the page itself."""
    found = []
    for url in [*doc.iframes, *doc.scripts]:
        for name, marker in EMBED_URLS:
            if marker in url and _embed_request(url):
                found.append((name, url))
                break
    return found


def _placeholders(doc: Doc) -> list[tuple[str, str]]:
    cmp = bool(consent_managers([doc]))
    found = []
    for selector, name in PLACEHOLDERS:
        for node in doc.css(selector):
            target = node.attributes.get("data-src") or node.attributes.get("data-href") or ""
            if selector == "iframe[data-src]":
                name = next((n for n, m in EMBED_URLS if m in target), "")
                if not name or node.attributes.get("src"):
                    continue
            if cmp or selector == "iframe[data-src]":
                found.append((name, target or selector))
    return found


@check("coherence.flux_sociaux", version="1")
def social_feeds(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    static = subject.static_home_doc
    rendered = subject.rendered_home_doc
    docs = [d for d in (static, rendered) if d is not None]
    embeds = [e for d in docs for e in _embeds(d)]
    gated = [p for d in docs for p in _placeholders(d)]
    render = subject.site.render("desktop") if subject.site is not None else None
    home_url = subject.home.final_url if subject.home else None
    if render and render.get("outcome", "ok") == "ok":
        requests = [
            str(r.get("url", "")) for r in render.get("requests") or [] if isinstance(r, Mapping)
        ]
        # a tracking pixel from the same hosts is L7's business, not a feed
        loaded = [
            u
            for u in requests
            if _embed_request(u) and (embeds or gated or any(m in u for _, m in EMBED_URLS))
        ]
        if loaded:
            return scored(
                0.5,
                [
                    Evidence(url=home_url, text=u, note="requête avant tout consentement (rendu)")
                    for u in loaded[:3]
                ],
                reason="Flux social intégré, mais chargé avant le consentement aux cookies tiers.",
            )
        if embeds or gated:
            items = embeds or gated
            return scored(
                1,
                [
                    Evidence(
                        url=home_url,
                        text=t,
                        note=f"{widget_name(n)} : aucune requête avant consentement (rendu)",
                    )
                    for n, t in items[:3]
                ],
                reason="Flux social intégré, chargé seulement après consentement.",
            )
        return scored(
            0,
            [Evidence(url=home_url, note="aucun flux intégré")],
            reason="Aucun flux de réseau social intégré au site.",
        )
    if embeds:
        return scored(
            0.5,
            [Evidence(url=home_url, text=u, note=widget_name(n)) for n, u in embeds[:3]],
            confidence=Confidence.INFERRED,
            reason="Flux social intégré directement dans la page (chargé sans consentement) ; pas de rendu pour le confirmer.",
        )
    if gated:
        return scored(
            1,
            [
                Evidence(
                    url=home_url,
                    text=t,
                    note=f"{widget_name(n)} : espace réservé du gestionnaire de consentement",
                )
                for n, t in gated[:3]
            ],
            confidence=Confidence.INFERRED,
            reason="Flux social derrière le gestionnaire de consentement ; pas de rendu pour le confirmer.",
        )
    return scored(
        0,
        [Evidence(url=home_url, note="aucun flux intégré")],
        confidence=Confidence.INFERRED,
        reason="Aucun flux de réseau social intégré au site (page non rendue).",
    )
