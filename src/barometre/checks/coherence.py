"""Cohérence de l'écosystème (K): links between site, mail, accounts and registries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.lexicon import CONSUMER_MAIL, email_domain
from barometre.checks.subject import Subject
from barometre.domains import registrable_domain
from barometre.models import Evidence


@check("coherence.messagerie", version="2", needs="registry")
def official_mail_domain(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    address = subject.authority.email
    if not address:
        # Missing input is not a failure (publication policy): the registry's sources
        # may simply not give the address (they give none for councils).
        return not_measurable("Adresse électronique absente des sources du registre.")
    domain = email_domain(address)
    evidence = [
        Evidence(
            text=address,
            note=f"source : {next((c.source for c in subject.authority.contacts if c.value == address), 'registre')}",
        )
    ]
    if domain in CONSUMER_MAIL or registrable_domain(domain) in CONSUMER_MAIL:
        return scored(0, evidence, reason=f"Messagerie grand public ({domain}).")
    website = subject.authority.website
    if website is not None and registrable_domain(website.host) == registrable_domain(domain):
        return scored(1, evidence)
    other = float(params.get("other_own_domain", 0.5))
    return scored(
        other, evidence, reason="Adresse sur un domaine propre, différent de celui du site."
    )
