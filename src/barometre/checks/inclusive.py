"""S9 Contenus inclusifs: easy-to-read documents (FALC), sign language (LSF) or a relay
service for deaf users, and content in other languages [criteria.md §3 S9]."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from barometre.checks.base import Verdict, check, scored
from barometre.checks.subject import Subject
from barometre.models import Confidence, Evidence
from barometre.vocab.text import fold

_FALC = re.compile(r"\b(falc|facile a lire et a comprendre)\b")
_SIGN = re.compile(r"\b(lsf|langue des signes( francaise)?)\b")
# Relay services for deaf and hard-of-hearing callers [criteria.md §3 S9, vendor list
# "à vérifier"]: matched in link hosts or text.
_RELAYS = ("elioz", "acceo", "deafi", "rogervoice")
_LANGUAGES = {
    "en": ("english", "in english"),
    "de": ("deutsch",),
    "es": ("espanol",),
    "it": ("italiano",),
    "br": ("brezhoneg",),
    "eu": ("euskara",),
    "oc": ("occitan",),
    "co": ("corsu",),
}


def _other_languages(subject: Subject) -> list[Evidence]:
    found: list[Evidence] = []
    doc = subject.home_doc
    if doc is None:
        return found
    for node in doc.css("link[hreflang], a[hreflang]"):
        lang = (node.attributes.get("hreflang") or "").lower()
        if lang and not lang.startswith(("fr", "x-default")):
            found.append(Evidence(url=doc.url, text=lang, selector=f"[hreflang={lang}]"))
    for link in doc.links:
        label = link.folded
        for code, words in _LANGUAGES.items():
            if label in words or label == code:
                found.append(Evidence(url=link.url, text=link.text, note=f"version {code}"))
    return found


@check("services.inclusif", version="1")
def inclusive_content(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    falc: list[Evidence] = []
    sign: list[Evidence] = []
    for _kind, doc in subject.docs():
        for link in doc.links:
            words = fold(f"{link.text} {link.url}")
            if _FALC.search(words):
                falc.append(Evidence(url=link.url, text=link.text or link.url))
            if _SIGN.search(words) or any(r in link.host for r in _RELAYS):
                sign.append(Evidence(url=link.url, text=link.text or link.url))
        if not falc and (match := _FALC.search(doc.folded)):
            falc.append(Evidence(url=doc.url, text=doc.traced.quote(*match.span())))
        if not sign and (match := _SIGN.search(doc.folded)):
            sign.append(Evidence(url=doc.url, text=doc.traced.quote(*match.span())))
    languages = _other_languages(subject)
    value = (
        float(params.get("falc", 0.4)) * bool(falc)
        + float(params.get("sign_language", 0.3)) * bool(sign)
        + float(params.get("languages", 0.3)) * bool(languages)
    )
    evidence = falc[:2] + sign[:2] + languages[:2]
    missing = [
        label
        for label, items in (
            ("documents FALC", falc),
            ("langue des signes ou relais", sign),
            ("autre langue", languages),
        )
        if not items
    ]
    reason = f"Absent : {', '.join(missing)}." if missing else None
    return scored(value, evidence, confidence=Confidence.INFERRED, reason=reason)
