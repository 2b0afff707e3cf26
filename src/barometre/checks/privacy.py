"""Conformité (L5–L7): privacy notice, cookie consent, third-party trackers.

Third parties come from :mod:`.thirdparty` (third-party-web's entities with our overlay):
an entity of category ``ad``, ``analytics``, ``social``, ``video`` or ``tag-manager``
needs consent; consent-exemptable analytics (Matomo, AT Internet / Piano, Eulerian,
Wysistat…, configurable so as to be exempt per the CNIL) are neutral, since the
configuration cannot be seen; other third parties (CDN, fonts, maps) are not trackers.
Consent managers are found by their script's host (third-party-web's consent providers)
and by their Wappalyzer "cookie compliance" fingerprints (self-hosted tarteaucitron,
Orejime, Klaro…).

- L5 ``conformite.confidentialite`` [criteria.md §3 L5, §5.3]: the privacy page (else the
  personal-data section of the legal notice) must name: finalité, durée de conservation,
  sous-traitant, a contact (e-mail or form), the DPO (« délégué à la protection des
  données »), the rights, the CNIL; plus every tracker entity L7 sees, by name. Score =
  share of the items found.
- L6 ``conformite.consentement`` [criteria.md §3 L6]: from the render's request log,
  which is the log *before any click* (the renderer clicks nothing; cookies are not
  logged, requests are). A consent-requiring tracker request → 0. Otherwise
  ``no_pre_consent_tracker`` (0.6) + ``first_layer_refusal`` (0.4) when a first-layer
  refusal exists (a « Tout refuser », « Refuser », « Continuer sans accepter » control in
  the static or rendered HTML, or the CMP configuration: tarteaucitron ``DenyAllCta``,
  Klaro ``hideDeclineAll``, Orejime's default notice); no banner because no
  consent-requiring tracker is used → 1. Without a render: not measurable, unless the
  served HTML loads a consent-requiring tracker with no CMP at all (0, inferred).
- L7 ``conformite.traceurs`` [criteria.md §3 L7]: distinct consent-requiring tracker
  entities from the served HTML (script, frame and ``<noscript>`` pixel sources, loaders
  written in inline code, tag signatures such as ``gtag('config','G-…')``, ``GTM-``,
  ``fbq('init'``) and the rendered network log; DashLord grades from ``params.grades``
  (count ≤ threshold → value), ``params.beyond`` above. Exempt-capable analytics are
  listed in the evidence but not counted. Google Analytics and the Meta pixel are flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.html import Doc
from barometre.checks.legal import LEGAL_WORDS, script_only_link
from barometre.checks.subject import Subject
from barometre.checks.thirdparty import (
    ConsentManager,
    Entity,
    Match,
    Notion,
    classify,
    consent_managers,
    seen_in,
)
from barometre.models import Confidence, Evidence
from barometre.vocab import fr
from barometre.vocab.text import fold, fold_document, fold_traced

TRACKING = frozenset({Notion.TRACKER, Notion.EXEMPTABLE})
FLAGGED = frozenset({"Google Analytics", "Meta Pixel"})  # entity or product names
REFUSALS = (
    "tout refuser",
    "refuser tout",
    "refuser",
    "je refuse",
    "refuser les cookies",
    "tout rejeter",
    "rejeter",
    "continuer sans accepter",
    "non merci",
)
ACCEPTS = ("tout accepter", "accepter", "j accepte", "accepter les cookies", "ok pour moi")


def tracking(url: str) -> Match | None:
    """The tracker (or exemptable analytics) a URL belongs to, if any."""
    found = classify(url)
    return found if found is not None and found.entity.notion in TRACKING else None


@dataclass
class Sighting:
    """Tracker entities seen on the home page, with the products and where first seen."""

    seen: dict[str, tuple[Entity, Evidence]] = field(default_factory=dict)
    products: dict[str, set[str]] = field(default_factory=dict)

    def add(self, match: Match, evidence: Evidence) -> None:
        if match.entity.notion not in TRACKING:
            return
        self.seen.setdefault(match.entity.name, (match.entity, evidence))
        if match.product is not None:
            self.products.setdefault(match.entity.name, set()).add(match.product.name)

    def label(self, entity: Entity) -> str:
        products = sorted(self.products.get(entity.name, ()))
        return f"{entity.name} ({', '.join(products)})" if products else entity.name

    def flagged(self, entity: Entity) -> bool:
        return entity.name in FLAGGED or bool(self.products.get(entity.name, set()) & FLAGGED)

    @property
    def counted(self) -> list[Entity]:
        return [e for e, _ in self.seen.values() if e.needs_consent]

    @property
    def exempt(self) -> list[Entity]:
        return [e for e, _ in self.seen.values() if not e.needs_consent]


def _html_docs(subject: Subject) -> list[Doc]:
    docs = [subject.static_home_doc, subject.rendered_home_doc]
    return [d for d in docs if d is not None and not d.is_pdf]


def static_trackers(doc: Doc, sighting: Sighting) -> None:
    """Trackers referenced by the served (or rendered) HTML: sources, loaders, code."""
    for seen in seen_in(doc):
        sighting.add(
            seen.match,
            Evidence(url=doc.url, text=seen.text[:200], note=f"{seen.match.label} : {seen.where}"),
        )


def _renders(subject: Subject) -> list[Mapping[str, Any]]:
    if subject.site is None:
        return []
    return [
        r
        for r in subject.site.renders
        if r.get("outcome") == "ok" and r.get("requests") is not None
    ]


def _requests(subject: Subject) -> list[str]:
    return [
        str(request.get("url") or "")
        for render in _renders(subject)
        for request in render.get("requests") or []
    ]


def rendered_trackers(subject: Subject, sighting: Sighting) -> list[tuple[Match, str]]:
    """Trackers requested by the browser before any click (every viewport)."""
    fired: list[tuple[Match, str]] = []
    for render in _renders(subject):
        for request in render.get("requests") or []:
            url = str(request.get("url") or "")
            found = tracking(url)
            if found is None:
                continue
            fired.append((found, url))
            sighting.add(
                found,
                Evidence(
                    url=url,
                    note=f"{found.label} : requête avant consentement ({render.get('viewport')})",
                ),
            )
    return fired


def home_sighting(subject: Subject) -> Sighting:
    sighting = Sighting()
    for doc in _html_docs(subject):
        static_trackers(doc, sighting)
    rendered_trackers(subject, sighting)
    return sighting


# --- CMP and refusal ----------------------------------------------------------------------


def detect_cmps(docs: Iterable[Doc], requests: Iterable[str] = ()) -> list[ConsentManager]:
    return consent_managers(docs, requests)


def _controls(doc: Doc) -> list[tuple[str, str]]:
    """(folded, as written) text of the page's buttons and links."""
    nodes = doc.css('button, a, [role="button"], input[type="button"], input[type="submit"]')
    out = []
    for node in nodes:
        text = (
            node.text(separator=" ")
            or node.attributes.get("value")
            or node.attributes.get("aria-label")
            or ""
        )
        folded = fold(text)
        if folded and len(folded) <= 40:
            out.append((folded, " ".join(text.split())))
    return out


def banner_controls(doc: Doc) -> tuple[str | None, str | None]:
    """(refusal, acceptance) control texts found in the page, if any, as written."""
    controls = _controls(doc)
    refusal = next(
        (w for c, w in controls if any(c == r or c.startswith(r + " ") for r in REFUSALS)), None
    )
    accept = next(
        (w for c, w in controls if any(c == a or c.startswith(a + " ") for a in ACCEPTS)), None
    )
    return refusal, accept


def config_refusal(cmps: Iterable[ConsentManager], docs: Iterable[Doc]) -> str | None:
    """A first-layer refusal the CMP's configuration promises (it is drawn by script)."""
    html = "\n".join(d.html() for d in docs)
    ids = {c.id.split("-")[0] for c in cmps}
    if "tarteaucitron" in ids:
        option = re.search(r"[\"']?DenyAllCta[\"']?\s*:\s*(true|false)", html)
        if option is None or option.group(1) == "true":
            return "tarteaucitron : bouton « Tout refuser » (option DenyAllCta" + (
                ")" if option else " par défaut)"
            )
    if "klaro" in ids and not re.search(r"hideDeclineAll\s*:\s*true", html):
        return "Klaro : bouton « Tout refuser » (hideDeclineAll non activé)"
    if "orejime" in ids:
        return "Orejime : bouton « Refuser » dans le bandeau par défaut"
    return None


def _banner(docs: Iterable[Doc]) -> bool:
    for doc in docs:
        for node in doc.css(
            '[id*="cookie" i], [class*="cookie" i], [id*="consent" i], [class*="consent" i], [id*="rgpd" i]'
        ):
            text = fold(node.text(separator=" "))
            if any(a in text for a in ACCEPTS):
                return True
    return False


@check("conformite.consentement", version="1")
def consent(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    base = float(params.get("no_pre_consent_tracker", 0.6))
    refusal_credit = float(params.get("first_layer_refusal", 0.4))
    docs = _html_docs(subject)
    cmps = detect_cmps(docs, _requests(subject))
    sighting = Sighting()
    for doc in docs:
        static_trackers(doc, sighting)
    renders = _renders(subject)
    cmp_names = ", ".join(c.label for c in cmps)
    if not renders:
        loaded = _loaded_without_cmp(subject, sighting, cmps)
        if loaded:
            return scored(
                0,
                loaded,
                confidence=Confidence.INFERRED,
                reason="Traceur soumis à consentement chargé par la page, sans gestionnaire de consentement (déduit du HTML, sans rendu).",
            )
        if _scriptless(subject):
            return scored(
                1,
                [
                    Evidence(
                        url=docs[0].url if docs else None, note="ni script ni cadre dans la page"
                    )
                ],
                confidence=Confidence.INFERRED,
                reason="Page sans script ni cadre : aucun traceur ne peut s'y déclencher (déduit du HTML, sans rendu).",
            )
        return not_measurable(
            "Rendu navigateur nécessaire pour observer les requêtes avant consentement (--render)."
        )
    fired = [
        (m, url) for m, url in rendered_trackers(subject, Sighting()) if m.entity.needs_consent
    ]
    if fired:
        evidence = [
            Evidence(
                url=url,
                note=f"{m.label} ({m.entity.category_label}) appelé avant tout consentement",
            )
            for m, url in fired[:8]
        ]
        labels = sorted({m.label for m, _ in fired})
        return scored(
            0,
            evidence,
            reason="Traceurs déclenchés avant tout consentement : " + ", ".join(labels) + ".",
        )
    needing = sighting.counted
    banner = bool(cmps) or _banner(docs)
    if not needing and not banner:
        note = (
            "mesure d'audience exemptable seulement : "
            + ", ".join(sighting.label(e) for e in sighting.exempt)
            if sighting.exempt
            else None
        )
        return scored(
            1,
            [
                Evidence(
                    url=docs[0].url if docs else None,
                    note=note or "aucun traceur soumis à consentement",
                )
            ],
            reason="Aucun traceur soumis à consentement : pas de bandeau nécessaire.",
        )
    refusal = None
    for doc in docs:
        control, _ = banner_controls(doc)
        if control:
            refusal = f"bouton « {control} » dans la page"
            break
    refusal = refusal or config_refusal(cmps, docs)
    evidence = [
        Evidence(
            url=docs[0].url if docs else None,
            note=f"gestionnaire de consentement : {cmp_names or 'bandeau maison'}",
        )
    ]
    evidence += [ev for _, ev in sighting.seen.values()][:5]
    if refusal:
        evidence.append(
            Evidence(
                url=docs[0].url if docs else None, text=refusal, note="refus au premier niveau"
            )
        )
        return scored(
            base + refusal_credit,
            evidence,
            reason="Aucun traceur avant consentement, et un refus possible au premier niveau du bandeau.",
        )
    return scored(
        base,
        evidence,
        reason="Aucun traceur avant consentement, mais pas de bouton « Tout refuser » visible au premier niveau.",
    )


def _scriptless(subject: Subject) -> bool:
    """The served home page runs no script and embeds no frame or tracker image."""
    doc = subject.static_home_doc
    if doc is None or doc.tree is None:
        return False
    images = [n.attributes.get("src") or "" for n in doc.css("img[src]")]
    tracked = any(tracking(src) for src in images if "://" in src)
    return not doc.css("script, iframe, object, embed") and not tracked


def _loaded_without_cmp(
    subject: Subject, sighting: Sighting, cmps: list[ConsentManager]
) -> list[Evidence]:
    """Consent-requiring trackers the served HTML loads directly, when there is no CMP."""
    doc = subject.static_home_doc
    if cmps or doc is None:
        return []
    out = []
    for node in doc.css("script[src], iframe[src]"):
        kind = (node.attributes.get("type") or "").lower()
        if kind in ("text/plain", "text/x-template"):
            continue
        src = node.attributes.get("src") or ""
        found = tracking(
            src if "://" in src or src.startswith("//") else "https://x.invalid/" + src.lstrip("/")
        )
        if found is not None and found.entity.needs_consent:
            out.append(
                Evidence(
                    url=doc.url, text=src[:200], note=f"{found.label} chargé sans consentement"
                )
            )
    return out


# --- L7 trackers ----------------------------------------------------------------------------


def grade(count: int, params: Mapping[str, Any]) -> float:
    grades = params.get("grades") or [[0, 1.0], [2, 0.8], [10, 0.4]]
    for threshold, value in grades:
        if count <= int(threshold):
            return float(value)
    return float(params.get("beyond", 0.0))


@check("conformite.traceurs", version="1")
def trackers(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    sighting = home_sighting(subject)
    counted = sighting.counted
    value = grade(len(counted), params)
    letter = {1.0: "A", 0.8: "B", 0.4: "C"}.get(value, "F")
    evidence = []
    for entity, ev in sighting.seen.values():
        flag = " — jamais exempté, consentement obligatoire" if sighting.flagged(entity) else ""
        neutral = (
            " — exemptable selon sa configuration (neutre)" if not entity.needs_consent else ""
        )
        evidence.append(
            Evidence(
                url=ev.url,
                text=ev.text,
                note=f"{ev.note or entity.name} [{entity.category_label}]" + flag + neutral,
            )
        )
    rendered = (
        " et du rendu"
        if _renders(subject)
        else " (sans rendu : les traceurs chargés par un gestionnaire de balises peuvent manquer)"
    )
    if not counted:
        reason = "Aucun traceur tiers soumis à consentement (note A)"
    else:
        names = ", ".join(sighting.label(e) for e in counted)
        reason = (
            f"{fr.count(len(counted), 'traceur tiers soumis', 'traceurs tiers soumis')} à "
            f"consentement, note {letter} : {names}"
        )
    if sighting.exempt:
        reason += "; mesure d'audience exemptable : " + ", ".join(
            sighting.label(e) for e in sighting.exempt
        )
    flagged = [sighting.label(e) for e in counted if sighting.flagged(e)]
    if flagged:
        reason += ". Signalé : " + ", ".join(flagged) + " (consentement requis)"
    return scored(value, evidence, reason=reason + f". Source : HTML de l'accueil{rendered}.")


# --- L5 privacy notice ------------------------------------------------------------------------

PRIVACY_ITEMS: tuple[tuple[str, str], ...] = (
    ("finalite", r"finalites?"),
    (
        "durée de conservation",
        r"duree (de (la )?)?conservation|conserve(e|es|s)? (pendant|durant|pour une duree)",
    ),
    ("sous-traitant", r"sous[- ]?traitants?"),
    ("contact (adresse ou formulaire)", r"[\w.+-]+@[\w-]+(\.[\w-]+)+|formulaire"),
    (
        "délégué à la protection des données (DPO)",
        r"delegue(e)? a la protection des donnees|\bdpo\b",
    ),
    (
        "droits des personnes",
        r"droits? d'acces|droit de rectification|droit d'opposition|droit a l'effacement|vos droits",
    ),
    ("CNIL", r"\bcnil\b|commission nationale de l'informatique"),
)
_PRIVACY_SECTION = re.compile(r"donnees personnelles|protection des donnees|rgpd|vie privee")


def privacy_doc(subject: Subject) -> tuple[Doc | None, str | None]:
    doc = subject.kind_doc("privacy")
    if doc is not None and doc.text:
        return doc, None
    legal = subject.kind_doc("legal")
    if legal is not None and _PRIVACY_SECTION.search(fold_document(legal.text)):
        return legal, "section « données personnelles » des mentions légales"
    return None, None


@check("conformite.confidentialite", version="1")
def privacy(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    doc, where = privacy_doc(subject)
    if doc is None:
        hidden = script_only_link(
            subject, (*LEGAL_WORDS, "donnees personnelles", "confidentialite")
        )
        if hidden is not None:
            return not_measurable(
                "Pages légales liées seulement après exécution du JavaScript : non capturées.",
                [Evidence(url=hidden)],
            )
        return scored(
            0,
            reason="Aucune politique de confidentialité ni section « données personnelles » trouvée.",
        )
    folded = fold_traced(doc.text)
    text = folded.text
    evidence: list[Evidence] = []
    found = 0
    missing = []
    for label, pattern in PRIVACY_ITEMS:
        match = re.search(pattern, text)
        evidence.append(
            Evidence(
                url=doc.url,
                text=folded.quote(*match.span())[:80] if match else None,
                note=f"{label} : {'trouvé' if match else 'absent'}",
            )
        )
        found += bool(match)
        if not match:
            missing.append(label)
    total = len(PRIVACY_ITEMS)
    for tracker, _ in home_sighting(subject).seen.values():
        total += 1
        named = any(name in text for name in tracker.names)
        found += named
        evidence.append(
            Evidence(
                url=doc.url,
                note=f"traceur {tracker.name} {'nommé' if named else 'non nommé'} dans la politique",
            )
        )
        if not named:
            missing.append(f"mention de {tracker.name}")
    if where:
        evidence.insert(0, Evidence(url=doc.url, note=where))
    reason = (
        "Politique de confidentialité complète."
        if not missing
        else f"Politique de confidentialité{' (' + where + ')' if where else ''} : manque "
        + ", ".join(missing)
        + "."
    )
    return scored(found / total, evidence, reason=reason)
