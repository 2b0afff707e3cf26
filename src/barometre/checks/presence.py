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
from barometre.text import fold

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
            down = f"Site injoignable : {site.outcome.label}" + (
                f" (HTTP {status})." if status else "."
            )
            return scored(0, evidence, reason=down)
        return not_measurable(reason, evidence)
    doc = subject.home_doc
    assert doc is not None
    text = doc.folded
    where = Evidence(url=home.final_url, header=f"HTTP {home.status}")
    for words in PARKING_WORDS:
        if words in text:
            return scored(
                0,
                [Evidence(url=home.final_url, text=words, note="page de domaine parqué")],
                reason="Le domaine déclaré affiche une page de parking, pas le site de la collectivité.",
            )
    if len(doc.text) < 2000 and any(fold(p) in text for p in DEFAULT_PAGES):
        return scored(0, [where], reason="Page par défaut du serveur, sans contenu.")
    minimum = int(params.get("min_text_chars", 500))
    if len(doc.text) >= minimum:
        return scored(
            1,
            [
                Evidence(
                    url=home.final_url,
                    header=f"HTTP {home.status}",
                    note=f"{len(doc.text)} caractères de texte visible",
                )
            ],
        )
    rendered = site.render("desktop") or site.render("mobile")
    if rendered and rendered.get("outcome") == "ok" and int(rendered.get("dom_nodes") or 0) >= 100:
        return scored(
            1,
            [
                Evidence(
                    url=home.final_url,
                    note=f"contenu produit par JavaScript : {rendered.get('dom_nodes')} nœuds après rendu",
                )
            ],
        )
    if doc.scripts:
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
