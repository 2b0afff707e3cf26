"""Conformité (L5–L7): privacy notice, cookie consent, third-party trackers.

Tracker entities and consent managers come from ``data/trackers_fr.toml`` (categories:
``analytics``, ``tag_manager``, ``ads``, ``social`` need consent; ``exempt_analytics``
can be configured as exempt and is neutral, since the configuration cannot be seen).

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
  entities from the served HTML (script and iframe sources, ``gtag('config','G-…')``,
  ``GTM-``, ``fbq(``…) and the rendered network log; DashLord grades from
  ``params.grades`` (count ≤ threshold → value), ``params.beyond`` above. Exempt-capable
  analytics (Matomo, Piano…) are listed in the evidence but not counted. Google
  Analytics and the Meta pixel are flagged.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.html import Doc
from barometre.checks.legal import LEGAL_WORDS, normalise, script_only_link
from barometre.checks.subject import Subject
from barometre.models import Confidence, Evidence
from barometre.text import fold

CONSENT_CATEGORIES = frozenset({"analytics", "tag_manager", "ads", "social"})
FLAGGED = frozenset({"google-analytics", "meta-pixel"})
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


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    category: str
    hosts: tuple[str, ...] = ()
    path_hosts: tuple[tuple[str, str], ...] = ()
    path_suffixes: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    names: tuple[str, ...] = ()

    @property
    def needs_consent(self) -> bool:
        return self.category in CONSENT_CATEGORIES

    def matches_url(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = parts.path.lower()
        if any(host == h or host.endswith("." + h) for h in self.hosts):
            return True
        if any(
            (host == h or host.endswith("." + h)) and path.startswith(p) for h, p in self.path_hosts
        ):
            return True
        return any(path.endswith(s) for s in self.path_suffixes)


@dataclass(frozen=True)
class Cmp:
    id: str
    label: str
    patterns: tuple[re.Pattern[str], ...]


@cache
def catalogue() -> tuple[tuple[Entity, ...], tuple[Cmp, ...]]:
    raw = (
        resources.files("barometre.checks")
        .joinpath("data", "trackers_fr.toml")
        .read_text(encoding="utf-8")
    )
    data = tomllib.loads(raw)
    entities = tuple(
        Entity(
            key,
            str(value["label"]),
            str(value["category"]),
            tuple(value.get("hosts", ())),
            tuple((h, p) for h, p in dict(value.get("path_hosts", {})).items()),
            tuple(value.get("path_suffixes", ())),
            tuple(re.compile(p, re.IGNORECASE) for p in value.get("patterns", ())),
            tuple(value.get("names", ())),
        )
        for key, value in data["entities"].items()
    )
    cmps = tuple(
        Cmp(key, str(value["label"]), tuple(re.compile(p) for p in value["patterns"]))
        for key, value in data["cmps"].items()
    )
    return entities, cmps


def entities_for_url(url: str) -> list[Entity]:
    return [e for e in catalogue()[0] if e.matches_url(url)]


@dataclass
class Sighting:
    """Tracker entities seen on the home page, with where each was seen."""

    seen: dict[str, tuple[Entity, Evidence]] = field(default_factory=dict)

    def add(self, entity: Entity, evidence: Evidence) -> None:
        self.seen.setdefault(entity.id, (entity, evidence))

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
    """Entities referenced by the served (or rendered) HTML: sources, then code patterns."""
    for url in [*doc.scripts, *doc.iframes]:
        for entity in entities_for_url(url):
            sighting.add(
                entity,
                Evidence(url=doc.url, text=url[:200], note=f"{entity.label} : ressource chargée"),
            )
    html = doc.html()
    for entity in catalogue()[0]:
        if entity.id in sighting.seen:
            continue
        for pattern in entity.patterns:
            match = pattern.search(html)
            if match:
                sighting.add(
                    entity,
                    Evidence(
                        url=doc.url,
                        text=match.group(0)[:120],
                        note=f"{entity.label} : code dans la page",
                    ),
                )
                break


def _renders(subject: Subject) -> list[Mapping[str, Any]]:
    if subject.site is None:
        return []
    return [
        r
        for r in subject.site.renders
        if r.get("outcome") == "ok" and r.get("requests") is not None
    ]


def rendered_trackers(subject: Subject, sighting: Sighting) -> list[tuple[Entity, str]]:
    """Entities requested by the browser before any click (every viewport)."""
    fired: list[tuple[Entity, str]] = []
    for render in _renders(subject):
        for request in render.get("requests") or []:
            url = str(request.get("url") or "")
            for entity in entities_for_url(url):
                fired.append((entity, url))
                sighting.add(
                    entity,
                    Evidence(
                        url=url,
                        note=f"{entity.label} : requête avant consentement ({render.get('viewport')})",
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


def detect_cmps(docs: Iterable[Doc]) -> list[Cmp]:
    found: dict[str, Cmp] = {}
    for doc in docs:
        html = doc.html()
        for cmp in catalogue()[1]:
            if cmp.id not in found and any(p.search(html) for p in cmp.patterns):
                found[cmp.id] = cmp
    return list(found.values())


def _controls(doc: Doc) -> list[str]:
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
            out.append(folded)
    return out


def banner_controls(doc: Doc) -> tuple[str | None, str | None]:
    """(refusal, acceptance) control texts found in the page, if any."""
    controls = _controls(doc)
    refusal = next(
        (c for c in controls if any(c == r or c.startswith(r + " ") for r in REFUSALS)), None
    )
    accept = next(
        (c for c in controls if any(c == a or c.startswith(a + " ") for a in ACCEPTS)), None
    )
    return refusal, accept


def config_refusal(cmps: Iterable[Cmp], docs: Iterable[Doc]) -> str | None:
    """A first-layer refusal the CMP's configuration promises (it is drawn by script)."""
    html = "\n".join(d.html() for d in docs)
    ids = {c.id for c in cmps}
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
    cmps = detect_cmps(docs)
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
    fired = [(e, url) for e, url in rendered_trackers(subject, Sighting()) if e.needs_consent]
    if fired:
        evidence = [
            Evidence(url=url, note=f"{e.label} ({e.category}) appelé avant tout consentement")
            for e, url in fired[:8]
        ]
        labels = sorted({e.label for e, _ in fired})
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
            + ", ".join(e.label for e in sighting.exempt)
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
    tracked = any(entities_for_url(src) for src in images if "://" in src)
    return not doc.css("script, iframe, object, embed") and not tracked


def _loaded_without_cmp(subject: Subject, sighting: Sighting, cmps: list[Cmp]) -> list[Evidence]:
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
        for entity in entities_for_url(
            src if "://" in src else "https://x.invalid/" + src.lstrip("/")
        ):
            if entity.needs_consent:
                out.append(
                    Evidence(
                        url=doc.url, text=src[:200], note=f"{entity.label} chargé sans consentement"
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
        flag = " — jamais exempté, consentement obligatoire" if entity.id in FLAGGED else ""
        neutral = (
            " — exemptable selon sa configuration (neutre)" if not entity.needs_consent else ""
        )
        evidence.append(
            Evidence(url=ev.url, text=ev.text, note=(ev.note or entity.label) + flag + neutral)
        )
    rendered = (
        " et du rendu"
        if _renders(subject)
        else " (sans rendu : les traceurs chargés par un gestionnaire de balises peuvent manquer)"
    )
    if not counted:
        reason = "Aucun traceur tiers soumis à consentement (note A)"
    else:
        names = ", ".join(e.label for e in counted)
        reason = f"{len(counted)} traceur(s) tiers soumis à consentement, note {letter} : {names}"
    if sighting.exempt:
        reason += "; mesure d'audience exemptable : " + ", ".join(e.label for e in sighting.exempt)
    flagged = [e.label for e in counted if e.id in FLAGGED]
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
    if legal is not None and _PRIVACY_SECTION.search(normalise(legal.text)):
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
    text = normalise(doc.text)
    evidence: list[Evidence] = []
    found = 0
    missing = []
    for label, pattern in PRIVACY_ITEMS:
        match = re.search(pattern, text)
        evidence.append(
            Evidence(
                url=doc.url,
                text=match.group(0)[:80] if match else None,
                note=f"{label} : {'trouvé' if match else 'absent'}",
            )
        )
        found += bool(match)
        if not match:
            missing.append(label)
    total = len(PRIVACY_ITEMS)
    for entity in home_sighting(subject).seen.values():
        tracker = entity[0]
        total += 1
        named = any(name in text for name in tracker.names)
        found += named
        evidence.append(
            Evidence(
                url=doc.url,
                note=f"traceur {tracker.label} {'nommé' if named else 'non nommé'} dans la politique",
            )
        )
        if not named:
            missing.append(f"mention de {tracker.label}")
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
