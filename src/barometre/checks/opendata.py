"""Conformité (L10): open data. Presence (a portal or a data.gouv.fr organisation linked
from the site, or the collectivité in the OpenDataFrance list by SIREN), freshness (a
date within 12 months shown next to the open-data link or on the site's open-data page)
and the mandated datasets (SCDL families named: subventions, marchés publics/DECP,
délibérations, budget)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from barometre.checks.base import Verdict, check, scored
from barometre.checks.dates import dates_in
from barometre.checks.subject import Subject
from barometre.models import Confidence, Evidence
from barometre.vocab import fr
from barometre.vocab.cms import finding_label
from barometre.vocab.text import fold

# SCDL / mandated families (CRPA L312-1-1, décret 2017-779, DECP) [criteria.md §3 L10].
MANDATED: dict[str, tuple[str, ...]] = {
    "subventions": ("subvention",),
    "marchés publics": ("marches publics", "donnees essentielles", "decp", "commande publique"),
    "délibérations": ("deliberation",),
    "budget": ("budget",),
}


def _texts(subject: Subject) -> list[tuple[str | None, str]]:
    """Text next to the open-data links, and the site's open-data page."""
    out: list[tuple[str | None, str]] = [
        (f.evidence.url, f.evidence.text or "")
        for f in subject.found("opendata")
        if f.evidence is not None and f.name != "reference_odf"
    ]
    for _, doc in subject.docs():
        for f in subject.found("opendata"):
            label = f.evidence.note if f.evidence is not None else None
            at = doc.text.find(label) if label and f.evidence and f.evidence.url == doc.url else -1
            if at >= 0:
                out.append((doc.url, doc.text[max(0, at - 100) : at + 500]))
    page = subject.kind_doc("opendata")
    if page is not None:
        out.append((page.url, page.text))
    return out


@check("conformite.donnees_ouvertes", version="1")
def open_data(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    found = subject.found("opendata")
    home = subject.home.final_url if subject.home else None
    if not found:
        return scored(
            0,
            [Evidence(url=home, note="aucun portail ni organisation data.gouv.fr")],
            reason="Aucune donnée ouverte trouvée (lien vers un portail, data.gouv.fr, liste OpenDataFrance).",
        )
    evidence = [
        Evidence(
            url=f.url,
            text=f.evidence.text[:160] if f.evidence and f.evidence.text else f.handle,
            note=finding_label(f.name),
        )
        for f in found[:3]
    ]
    value = float(params.get("presence", 0.4))
    texts = _texts(subject)
    window = int(params.get("fresh_months", 12))
    dates = [d for _, t in texts for d in dates_in(t) if d <= subject.as_of]
    notes = []
    confidence = Confidence.OBSERVED
    recent = [d for d in dates if (subject.as_of - d).days <= window * 30.5]
    if recent:
        value += float(params.get("fresh", 0.3))
        evidence.append(Evidence(text=max(recent).isoformat(), note="mise à jour visible"))
        notes.append(f"mise à jour le {fr.numeric_day(max(recent))}")
    elif dates:
        notes.append(f"dernière mise à jour visible le {fr.numeric_day(max(dates))}")
    else:
        confidence = Confidence.INFERRED
        notes.append("fraîcheur non mesurable (portail non capturé)")
    folded = fold(" ".join(t for _, t in texts))
    families = [name for name, words in MANDATED.items() if any(w in folded for w in words)]
    if families:
        value += float(params.get("mandated", 0.3)) * len(families) / len(MANDATED)
        notes.append("jeux obligatoires cités : " + ", ".join(families))
    else:
        notes.append("aucun jeu obligatoire (SCDL) cité")
    names = ", ".join(sorted({finding_label(f.name) for f in found}))
    return scored(
        value,
        evidence,
        confidence=confidence,
        reason=f"Données ouvertes ({names}) ; " + " ; ".join(notes) + ".",
    )
