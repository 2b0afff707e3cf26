"""Dialogue & participation (D1-D3): participation platform, participatory budget,
issue reporting. D1 reads the ``participation`` findings of discovery [criteria.md §4.1];
its activity part reads the dates shown next to the link on the captured pages (the
platforms themselves are not captured)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from barometre.checks.base import Verdict, check, scored
from barometre.checks.dates import dates_in
from barometre.checks.discovery import anchors
from barometre.checks.subject import Subject
from barometre.models import Confidence, Evidence
from barometre.vocab import fr
from barometre.vocab.cms import finding_label
from barometre.vocab.text import excerpt, fold, fold_aligned

BUDGET_WORDS = ("budget participatif", "budget citoyen", "budgets participatifs")
REPORT_WORDS = (
    "signaler un probleme",
    "signaler un dysfonctionnement",
    "signalement",
    "signaler une anomalie",
    "signaler un incident",
)
# Reporting tools [criteria.md §3 D3]; host names as seen in public links.
REPORT_HOSTS = (
    "tellmycity",
    "betterstreet",
    "fixmystreet",
    "dansmarue",
    "illiwap.com/fr/signalement",
)


def _months_between(older: date, newer: date) -> int:
    return (newer.year - older.year) * 12 + newer.month - older.month


@check("dialogue.participation", version="1")
def participation(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    platforms = subject.found("participation")
    if not platforms:
        return scored(
            0,
            [
                Evidence(
                    url=subject.home.final_url if subject.home else None, note="aucune plateforme"
                )
            ],
            reason="Aucune plateforme de participation liée depuis le site.",
        )
    linked = float(params.get("linked", 0.6))
    active = float(params.get("active", 0.4))
    window = int(params.get("active_months", 12))
    evidence = [
        Evidence(url=f.evidence.url if f.evidence else None, text=f.url, note=finding_label(f.name))
        for f in platforms[:3]
    ]
    names = ", ".join(sorted({finding_label(f.name) for f in platforms}))
    seen = [d for f in platforms for d in dates_in(f.evidence.text or "" if f.evidence else "")]
    seen = [d for d in seen if d <= date(subject.as_of.year + 2, 12, 31)]
    if not seen:
        return scored(
            linked,
            evidence,
            confidence=Confidence.INFERRED,
            reason=f"Plateforme liée ({names}) ; activité non mesurable : aucune date visible près du lien (plateforme non capturée).",
        )
    newest = max(seen)
    evidence.append(Evidence(text=newest.isoformat(), note="date la plus récente près du lien"))
    if _months_between(newest, subject.as_of) <= window:
        return scored(
            linked + active,
            evidence,
            reason=f"Plateforme liée ({names}), active ({fr.numeric_day(newest)}).",
        )
    return scored(
        linked,
        evidence,
        reason=f"Plateforme liée ({names}), dernière activité visible le {fr.numeric_day(newest)}.",
    )


def _budget_mentions(subject: Subject) -> list[tuple[str, str, str]]:
    """(page url, text read for the edition's year, text quoted as it appears) of every
    mention of a participatory budget."""
    out: list[tuple[str, str, str]] = []
    for _, doc in subject.docs():
        text = " ".join(doc.text.split())  # quoted as it appears, found in its folded form
        folded = fold_aligned(text)
        for word in BUDGET_WORDS:
            for match in re.finditer(word, folded):
                quote = excerpt(text, match.start(), match.end(), after=150)
                out.append((doc.url, quote, quote))
    for finding in subject.found("participation"):
        if "budget" in (finding.url or "") or "budget" in fold(
            finding.evidence.text or "" if finding.evidence else ""
        ):
            said = f"{finding.url} {finding.evidence.text if finding.evidence else ''}"
            out.append((finding.url or "", fold(said), " ".join(said.split())))
    return out


@check("dialogue.budget_participatif", version="1")
def participatory_budget(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    mentions = _budget_mentions(subject)
    if not mentions:
        return scored(
            0,
            [Evidence(url=subject.home.final_url if subject.home else None, note="aucune mention")],
            reason="Aucun budget participatif mentionné sur les pages lues.",
        )
    recent = subject.as_of.year - 1
    best = max(
        (int(y) for _, t, _ in mentions for y in re.findall(r"\b(20\d{2})\b", t)), default=None
    )
    url, _, text = mentions[0]
    if best is not None and best >= recent:
        url, text = next((u, q) for u, t, q in mentions if str(best) in t)
        return scored(
            1, [Evidence(url=url, text=text)], reason=f"Budget participatif, édition {best}."
        )
    reason = (
        f"Budget participatif mentionné, dernière édition visible : {best}."
        if best
        else "Budget participatif mentionné, sans année d'édition."
    )
    return scored(0.5, [Evidence(url=url, text=text)], reason=reason)


@check("dialogue.signalement", version="1")
def issue_reporting(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    mention: Evidence | None = None
    for _, doc in subject.docs():
        for anchor in anchors(doc):
            text = fold(anchor.text)
            if any(w in text for w in REPORT_WORDS) or any(
                h in anchor.url.lower() for h in REPORT_HOSTS
            ):
                return scored(
                    1,
                    [Evidence(url=doc.url, text=anchor.text, note=anchor.url)],
                    reason="Signalement en ligne proposé.",
                )
        for form in doc.css("form"):
            text = fold(form.text(separator=" ") + " " + (form.attributes.get("action") or ""))
            if "signal" in text:
                return scored(
                    1,
                    [
                        Evidence(
                            url=doc.url, selector="form", text=" ".join(form.text().split())[:160]
                        )
                    ],
                    reason="Formulaire de signalement.",
                )
        if mention is None and any(w in doc.folded for w in REPORT_WORDS):
            mention = Evidence(url=doc.url, note="mention « signalement » sans lien ni formulaire")
    if mention is not None:
        return scored(
            0.5,
            [mention],
            confidence=Confidence.INFERRED,
            reason="Signalement mentionné, sans outil en ligne.",
        )
    return scored(
        0,
        [
            Evidence(
                url=subject.home.final_url if subject.home else None,
                note="aucun outil de signalement",
            )
        ],
        reason="Aucun moyen de signaler un problème en ligne trouvé.",
    )
