"""Proximité & services (S1-S3, S6): online procedures, planning e-filing, online
payment, practical "how to" information. Read from the ``service`` findings of
discovery (see :mod:`.discovery` for the fingerprints, [criteria.md §4.3])."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from barometre.checks.base import Verdict, check, scored
from barometre.checks.subject import Subject
from barometre.domains import registrable_domain
from barometre.models import Confidence, Evidence, Finding
from barometre.vocab import fr
from barometre.vocab.cms import finding_label
from barometre.vocab.text import excerpt, fold

# Findings that are an online procedure of the collectivité (S1). Payment (S3) and
# Service-Public information (S6) are measured on their own; ANTS and other State
# procedures are not the collectivité's.
PROCEDURES = frozenset(
    {
        "demarches_numeriques",
        "teleservice",
        "espace_citoyens",
        "maelis",
        "portail_famille",
        "rendez_vous",
        "urbanisme",
    }
)
FAMILY_PORTALS = frozenset({"portail_famille", "espace_citoyens", "maelis"})
PAY_WORDS = (
    "payer en ligne",
    "paiement en ligne",
    "payfip",
    "regler en ligne",
    "reglement en ligne",
)
SECTION_WORDS = (
    "comment faire",
    "vos droits et demarches",
    "vos droits",
    "infos pratiques",
    "informations pratiques",
)


def _evidence(findings: Iterable[Finding]) -> list[Evidence]:
    return [
        Evidence(
            url=f.evidence.url if f.evidence else f.url,
            text=f.evidence.text if f.evidence else f.handle,
            note=f"{finding_label(f.name)} → {f.url}" if f.url else finding_label(f.name),
        )
        for f in findings
    ]


def _home(subject: Subject) -> str | None:
    return subject.home.final_url if subject.home else None


def _page_url(subject: Subject, kind: str) -> str | None:
    page = subject.page(kind)
    return page.final_url if page is not None else _home(subject)


def _distinct(findings: Iterable[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        out.setdefault((f.handle or f.url or "").lower(), f)
    return out


@check("services.demarches_en_ligne", version="1")
def online_procedures(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    procedures = _distinct(f for f in subject.found("service") if f.name in PROCEDURES)
    feedback = [f for f in subject.found("service") if f.name == "jedonnemonavis"]
    if not procedures:
        return scored(
            0,
            [Evidence(url=_page_url(subject, "procedures"), note="aucun téléservice")],
            reason="Aucune démarche en ligne de la collectivité trouvée (liens d'information Service-Public et ANTS non comptés).",
        )
    value = float(params.get("one", 0.5))
    if len(procedures) >= 3:
        value += float(params.get("three", 0.25))
    if feedback:
        value += float(params.get("feedback", 0.25))
    reason = (
        f"{fr.count(len(procedures), 'démarche')} en ligne "
        f"{fr.plural(len(procedures), 'distincte')}"
    ) + (
        ", bouton « Je donne mon avis »." if feedback else ", pas de bouton « Je donne mon avis »."
    )
    return scored(value, _evidence([*procedures.values(), *feedback[:1]]), reason=reason)


def _epci_domain(subject: Subject) -> str | None:
    epci = subject.epci
    if epci is None or epci.website is None:
        return None
    return registrable_domain(epci.website.host)


def _mentions(
    subject: Subject, words: tuple[str, ...], also: tuple[str, ...] = ()
) -> Evidence | None:
    for _, doc in subject.docs():
        text = doc.folded
        for word in words:
            at = text.find(word)
            if at >= 0 and (not also or any(a in text[max(0, at - 200) : at + 200] for a in also)):
                return Evidence(
                    url=doc.url,
                    text=excerpt(doc.traced, at, at + len(word)),
                    note="mention dans le texte, sans lien",
                )
    return None


@check("services.urbanisme_en_ligne", version="1")
def planning_efiling(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    filing = list(_distinct(f for f in subject.found("service") if f.name == "urbanisme").values())
    if filing:
        epci = _epci_domain(subject)
        shared = [
            f
            for f in filing
            if epci and registrable_domain((f.handle or "").split("/", 1)[0]) == epci
        ]
        note = " (guichet de l'intercommunalité)" if shared and len(shared) == len(filing) else ""
        return scored(
            1, _evidence(filing), reason=f"Dépôt en ligne des autorisations d'urbanisme{note}."
        )
    mention = _mentions(
        subject,
        ("depot en ligne", "deposer en ligne", "guichet numerique"),
        ("urbanisme", "permis"),
    )
    if mention is not None:
        return scored(
            0.5,
            [mention],
            confidence=Confidence.INFERRED,
            reason="Saisine électronique de l'urbanisme annoncée, sans lien vers le guichet.",
        )
    return scored(
        0,
        [Evidence(url=_home(subject), note="aucun guichet d'urbanisme")],
        reason="Aucun guichet numérique des autorisations d'urbanisme trouvé.",
    )


@check("services.paiement_en_ligne", version="1")
def online_payment(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    services = subject.found("service")
    payfip = [f for f in services if f.name == "payfip"]
    if payfip:
        return scored(1, _evidence(payfip[:2]), reason="Paiement en ligne par PayFiP.")
    portals = [f for f in services if f.name in FAMILY_PORTALS]
    paying = (
        [
            f
            for f in portals
            if any(
                w in fold(f.evidence.text or "" if f.evidence else "")
                for w in ("pai", "pay", "regl", "factur")
            )
        ]
        if portals
        else []
    )
    mention = _mentions(subject, PAY_WORDS)
    if paying or mention is not None:
        evidence = _evidence(paying) if paying else [mention] if mention else []
        return scored(
            0.5,
            evidence,
            confidence=Confidence.INFERRED,
            reason="Paiement en ligne annoncé (portail famille ou texte), sans lien PayFiP.",
        )
    return scored(
        0,
        [Evidence(url=_home(subject), note="aucun lien de paiement")],
        reason="Aucun moyen de paiement en ligne trouvé.",
    )


def _section(subject: Subject) -> Evidence | None:
    for _, doc in subject.docs():
        for node in doc.css("h1, h2, h3"):
            title = fold(node.text())
            if any(w in title for w in SECTION_WORDS):
                return Evidence(url=doc.url, text=" ".join(node.text().split()), selector=node.tag)
    return None


@check("services.comment_faire", version="1")
def how_to(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    minimum = int(params.get("min_fiches", 3))
    services = subject.found("service")
    fiches = _distinct(f for f in services if f.name in ("service_public", "comarquage"))
    comarquage = [f for f in services if f.name == "comarquage"]
    section = _section(subject)
    evidence = _evidence(list(fiches.values())[:6]) + ([section] if section else [])
    if len(fiches) >= minimum:
        kind = "co-marquage Service-Public" if comarquage else "liens vers Service-Public"
        return scored(1, evidence, reason=f"{len(fiches)} fiches pratiques ({kind}).")
    if fiches or section:
        return scored(
            0.5,
            evidence,
            reason=f"{fr.count(len(fiches), 'fiche pratique', 'fiches pratiques')} (moins de {minimum})"
            + (", rubrique « Comment faire » présente." if section else "."),
        )
    return scored(
        0,
        [Evidence(url=_home(subject), note="aucune fiche pratique")],
        reason="Aucune information pratique « Comment faire » (fiches Service-Public) trouvée.",
    )
