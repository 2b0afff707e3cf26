"""Présence (P): the official site answers, is declared, sits on a sovereign domain,
and the collectivité is present on social networks and mobile channels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from barometre.checks.base import Verdict, check, not_applicable, not_measurable, scored
from barometre.checks.engine import unreachable_reason
from barometre.checks.lexicon import (
    GENERIC_HOSTS,
    SOVEREIGN_SUFFIXES_TEST,
    UNOFFICIAL_DIRECTORIES,
    domain_matches_name,
)
from barometre.checks.subject import Subject
from barometre.domains import registrable_domain
from barometre.models import Confidence, Evidence, FetchOutcome
from barometre.vocab import fr
from barometre.vocab.cms import finding_label
from barometre.vocab.platforms import platform_label, platform_labels
from barometre.vocab.status import label_of
from barometre.vocab.text import fold

PARKING_WORDS = (
    "ce domaine est a vendre",
    "ce nom de domaine est a vendre",
    "domaine a vendre",
    "domain is for sale",
    "this domain is for sale",
    "buy this domain",
    "domain parking",
    "parked free",
    "nom de domaine est disponible",
)
DEFAULT_PAGES = (
    "it works!",
    "welcome to nginx",
    "apache2 debian default page",
    "index of /",
    "site en construction",
    "under construction",
)
# Failures a visitor would see as "the site is down", not as a measurement problem.
_DOWN = {FetchOutcome.HTTP_ERROR, FetchOutcome.DNS_ERROR}


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split(":")[0].lower()


@check("presence.site_joignable", version="1", handles_unreachable=True)
def site_reachable(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    website = subject.authority.website
    if website is None:
        return scored(0, reason="Aucun site officiel déclaré.")
    site = subject.site
    if site is None:
        return not_measurable("Site non capturé dans cette édition.")
    home = subject.home
    if home is None:
        reason = unreachable_reason(subject) or ""
        page = site.home
        evidence = [Evidence(url=page.final_url if page else site.start_url, note=reason)]
        status = page.status if page is not None else None
        if site.outcome in _DOWN and status not in (403, 429):
            down = f"Site injoignable : {label_of(site.outcome)}" + (
                f" (HTTP {status})." if status else "."
            )
            return scored(0, evidence, reason=down)
        return not_measurable(reason, evidence)
    doc = subject.home_doc
    assert doc is not None
    text = doc.folded
    where = Evidence(url=home.final_url, header=f"HTTP {home.status}")
    for words in PARKING_WORDS:
        if (at := text.find(words)) >= 0:
            said = doc.traced.quote(at, at + len(words))
            return scored(
                0,
                [Evidence(url=home.final_url, text=said, note="page de domaine parqué")],
                reason="Le domaine déclaré affiche une page de parking, pas le site de la collectivité.",
            )
    if len(doc.text) < 2000 and any(fold(p) in text for p in DEFAULT_PAGES):
        return scored(0, [where], reason="Page par défaut du serveur, sans contenu.")
    minimum = int(params.get("min_text_chars", 500))
    after = " après rendu JavaScript" if doc.page is not home else ""
    if len(doc.text) >= minimum:
        note = f"{fr.count(len(doc.text), 'caractère', 'caractères')} de texte visible{after}"
        return scored(1, [Evidence(url=home.final_url, header=f"HTTP {home.status}", note=note)])
    if doc.scripts and subject.rendered_home_doc is None:
        return not_measurable(
            "Page d'accueil vide sans JavaScript (application côté client) : rendu navigateur nécessaire (--render).",
            [where],
        )
    if len(doc.text) >= minimum // 5:
        return scored(
            0.5,
            [where],
            reason=f"Peu de contenu sur la page d'accueil ({len(doc.text)} caractères).",
        )
    return scored(0, [where], reason=f"Page d'accueil presque vide ({len(doc.text)} caractères).")


@check("presence.annuaire", version="1", needs="registry")
def declared_in_directory(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    website = subject.authority.website
    if website is None:
        return scored(0, reason="Aucun site déclaré dans l'annuaire ni dans le registre.")
    declared = Evidence(url=website.url, note=f"déclaré par {website.source}")
    parts = [1.0, 1.0 if website.url.startswith("https://") else 0.0]
    evidence = [declared]
    if parts[1] == 0:
        evidence.append(Evidence(url=website.url, note="adresse déclarée en http, pas en https"))
    confidence = Confidence.OBSERVED
    home = subject.home
    if home is not None:
        final = registrable_domain(_host(home.final_url))
        same = final == registrable_domain(website.host)
        parts.append(1.0 if same else 0.0)
        if not same:
            evidence.append(
                Evidence(
                    url=home.final_url,
                    note=f"l'adresse déclarée redirige vers un autre domaine ({final})",
                )
            )
    else:
        confidence = Confidence.INFERRED
    return scored(sum(parts) / len(parts), evidence, confidence=confidence)


@check("presence.domaine_souverain", version="1", needs="registry")
def sovereign_domain(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    website = subject.authority.website
    if website is None:
        return not_applicable("Aucun site déclaré : pas de domaine à évaluer.")
    host = website.host.lower()
    domain = registrable_domain(host)
    suffix = domain.split(".", 1)[1] if "." in domain else domain
    evidence = [Evidence(url=website.url, text=domain)]
    if domain in UNOFFICIAL_DIRECTORIES:
        return scored(0, evidence, reason=f"{domain} est un annuaire non officiel.")
    if domain in GENERIC_HOSTS or any(host.endswith("." + g) for g in GENERIC_HOSTS):
        return scored(0, evidence, reason=f"Site sur un hébergeur générique ({domain}).")
    if suffix == "gouv.fr" or domain.endswith(".gouv.fr"):
        return scored(
            0, evidence, reason="Extension .gouv.fr réservée à l'État (circulaire 6411-SG)."
        )
    epci = subject.epci
    if epci is not None and epci.website is not None:
        parent = registrable_domain(epci.website.host)
        if domain == parent and host != epci.website.host.lower():
            shared = float(params.get("shared_subdomain", 0.75))
            return scored(
                shared,
                [
                    Evidence(
                        url=website.url,
                        text=host,
                        note=f"sous-domaine du portail intercommunal {parent}",
                    )
                ],
            )
    sovereign = set(params.get("sovereign_suffixes", ())) | set(SOVEREIGN_SUFFIXES_TEST)
    top = suffix.rsplit(".", 1)[-1]
    named = domain_matches_name(host, subject.authority.name)
    if suffix in sovereign or top in sovereign:
        return scored(
            1.0 if named else 0.8,
            evidence,
            reason=None if named else "Le domaine ne reprend pas le nom de la collectivité.",
        )
    return scored(
        0.25 if named else 0.0, evidence, reason=f"Extension « .{suffix} » non souveraine."
    )


# --- P4, P5: social accounts and mobile channels (from discovery findings) ----------


def _platform_points(platforms: set[str], double: set[str]) -> float:
    """Facebook and one video channel count double [criteria.md §3 P4]."""
    points = float(len(platforms))
    if "facebook" in platforms and "facebook" in double:
        points += 1
    if platforms & (double - {"facebook"}):
        points += 1
    return points


@check("presence.reseaux_sociaux", version="1")
def social_presence(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    accounts = subject.found("social")
    platforms = {f.name for f in accounts}
    full = float(params.get("platforms_for_full", 3))
    double = set(params.get("double_weight", ("facebook", "youtube", "peertube")))
    evidence = [
        Evidence(
            url=f.url,
            text=f"{platform_label(f.name)} : {f.handle}",
            note=f.evidence.note if f.evidence else None,
        )
        for f in sorted(accounts, key=lambda f: (f.name, f.handle or ""))
    ]
    if not platforms:
        return scored(
            0,
            [
                Evidence(
                    url=subject.home.final_url if subject.home else None, note="aucun compte trouvé"
                )
            ],
            reason="Aucun compte officiel sur les réseaux sociaux lié depuis le site.",
        )
    points = _platform_points(platforms, double)
    observed = any(f.confidence is Confidence.OBSERVED for f in accounts)
    return scored(
        points / full,
        evidence,
        confidence=Confidence.OBSERVED if observed else Confidence.INFERRED,
        reason=f"{fr.count(len(platforms), 'plateforme')} : {platform_labels(platforms)}.",
    )


@check("presence.canaux_mobiles", version="1")
def mobile_channels(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    parts = {
        "app": (subject.found("app"), float(params.get("app", 0.5)), "application"),
        "newsletter": (
            subject.found("newsletter"),
            float(params.get("newsletter", 0.25)),
            "lettre d'information",
        ),
        "feed": (subject.found("feed"), float(params.get("feed", 0.25)), "flux RSS/Atom"),
    }
    value = 0.0
    evidence: list[Evidence] = []
    present, missing = [], []
    for findings, weight, label in parts.values():
        if findings:
            value += weight
            present.append(label)
            evidence.extend(
                Evidence(
                    url=f.url or (f.evidence.url if f.evidence else None),
                    text=f"{label} : {finding_label(f.name)}",
                )
                for f in findings[:3]
            )
        else:
            missing.append(label)
    reason = ("Présents : " + ", ".join(present) + ". " if present else "") + (
        "Absents : " + ", ".join(missing) + "." if missing else ""
    )
    if not evidence:
        evidence.append(
            Evidence(
                url=subject.home.final_url if subject.home else None, note="aucun canal trouvé"
            )
        )
    return scored(value, evidence, reason=reason.strip())
