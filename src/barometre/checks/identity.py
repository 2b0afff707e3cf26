"""Council and identity (D4, K4): council calendar, recorded sessions and elected
officials; a consistent official identity (publication director, structured data,
page title).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from barometre.checks.base import Verdict, check, scored
from barometre.checks.html import Doc
from barometre.checks.practical import dates_in_text
from barometre.checks.quality import title_has_name
from barometre.checks.subject import Subject
from barometre.checks.thirdparty import classify
from barometre.models import Confidence, Evidence
from barometre.vocab.fr import sentence
from barometre.vocab.text import excerpt, fold

# --- D4 council and officials -----------------------------------------------------------

COUNCIL = re.compile(
    r"(?:conseil (?:municipal|communautaire|departemental|regional|metropolitain)"
    r"|seance (?:du|publique)|prochain conseil|prochaine seance)"
)
_PEERTUBE_PATH = re.compile(r"/(?:videos/(?:watch|embed)|w)/[\w-]+")
ROLES = re.compile(
    r"\b(?:maire|1(?:er|re)\s+(?:adjointe?|vice-pr[eé]sidente?)|(?:\d+e\s+)?adjointe?s?(?: au maire)?"
    r"|(?:\d+e\s+)?vice-pr[eé]sidente?|pr[eé]sidente?"
    r"|conseill[eè]re?s?(?: municipale?s?| communautaires?| d[eé]l[eé]gu[eé]e?s?"
    r"| d[eé]partementale?s?| r[eé]gionale?s?)?)\b",
    re.I,
)
PERSON = re.compile(
    r"\b(?:M\.|Mme|Monsieur|Madame)?\s?[A-ZÉÈ][a-zéèëïîôç]+(?:-[A-ZÉÈ][a-zéèëïîôç]+)?\s+[A-ZÉÈ][A-Za-zÉÈéèëïîôç'\-]+"
)


def next_session(subject: Subject, doc: Doc) -> tuple[str, str] | None:
    """(date, context) of a council session dated on or after the audit date."""
    text = " ".join(doc.text.split())  # quoted as it appears; dates found in its folded form
    for found, position in dates_in_text(text):
        if found < subject.as_of:
            continue
        context = text[max(0, position - 150) : position + 30]
        if COUNCIL.search(fold(context)):
            return found.isoformat(), excerpt(text, position, position + 1, before=90, after=30)
    return None


def is_video(url: str) -> bool:
    """A video platform's page or player (third-party-web's ``video`` entities: YouTube,
    Vimeo, Dailymotion…), or a PeerTube video."""
    found = classify(url)
    if found is not None and found.entity.category == "video":
        return True
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    # PeerTube instances have no common host: a /videos/watch/ or /w/ path on a "tube" host.
    return "tube" in host and bool(_PEERTUBE_PATH.match(parts.path))


def council_video(subject: Subject) -> Evidence | None:
    """A video embed or link on the council page, or a link naming the council that
    leads to a video platform from any page."""
    for kind, doc in subject.docs():
        if kind == "council":
            for src in doc.iframes:
                if is_video(src):
                    return Evidence(
                        url=doc.url, text=src, selector="iframe", note="vidéo du conseil"
                    )
            for link in doc.links:
                # Site-wide social links (header, footer) are not recorded sessions.
                if link.zone not in ("footer", "header", "nav") and is_video(link.url):
                    return Evidence(
                        url=link.url, text=link.text, note="lien vidéo sur la page du conseil"
                    )
        for link in doc.links:
            if is_video(link.url) and COUNCIL.search(link.folded):
                return Evidence(url=link.url, text=link.text, note=f"lien depuis la page {kind}")
    return None


def officials(text: str) -> list[str]:
    """Name–role pairs (« Marie DUPONT, maire », « 1er adjoint : Paul MARTIN »)."""
    pairs: list[str] = []
    for match in ROLES.finditer(text):
        around = text[max(0, match.start() - 45) : match.end() + 45]
        person = PERSON.search(around)
        if person is not None:
            pair = f"{person.group(0).strip()} ({match.group(0).lower()})"
            if pair not in pairs:
                pairs.append(pair)
    return pairs


@check("dialogue.conseil_elus", version="1")
def council(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """``calendar`` for a council session dated on or after the audit date (council,
    news or home page) + ``video`` for recorded or live sessions (YouTube, Vimeo,
    Dailymotion, PeerTube embed or link on the council page) + ``officials`` for a list
    of elected officials (at least three names with their role on one page)."""
    evidence: list[Evidence] = []
    missing = []
    value = 0.0
    session = None
    for kind, doc in subject.docs():
        if kind in ("home", "council", "news") and (session := next_session(subject, doc)):
            evidence.append(
                Evidence(url=doc.url, text=session[1], note=f"prochaine séance : {session[0]}")
            )
            break
    if session:
        value += float(params.get("calendar", 0.4))
    else:
        missing.append("pas de date de prochaine séance du conseil")
    video = council_video(subject)
    if video is not None:
        value += float(params.get("video", 0.3))
        evidence.append(video)
    else:
        missing.append("pas de vidéo des séances")
    listed = max(
        ((doc.url, officials(doc.text)) for _, doc in subject.docs() if not doc.is_pdf),
        key=lambda item: len(item[1]),
        default=("", []),
    )
    if len(listed[1]) >= 3:
        value += float(params.get("officials", 0.3))
        evidence.append(
            Evidence(url=listed[0], text="; ".join(listed[1][:5]), note="liste des élus")
        )
    else:
        missing.append("pas de liste des élus avec leurs fonctions")
    reason = sentence(missing) if missing else None
    return scored(value, evidence, reason=reason)


# --- K4 identity ----------------------------------------------------------------------------

DIRECTOR = re.compile(r"direct(?:eur|rice)\s+(?:de\s+(?:la\s+)?)?publication", re.I)
ORGANISATION_TYPES = {
    "GovernmentOrganization",
    "City",
    "Organization",
    "AdministrativeArea",
    "LocalGovernment",
    "GovernmentOffice",
}


def publication_director(doc: Doc) -> str | None:
    """The person named after « directeur/directrice de la publication »."""
    text = doc.text
    for match in DIRECTOR.finditer(text):
        after = text[match.end() : match.end() + 90]
        person = PERSON.search(after)
        if person is not None:
            return f"{match.group(0)} {after[: person.end()].strip(' :,-–')}"
    return None


def structured_identity(subject: Subject) -> Evidence | None:
    for _, doc in subject.docs():
        for item in doc.jsonld:
            raw = item.get("@type")
            types = {str(t) for t in (raw if isinstance(raw, list) else [raw])}
            if types & ORGANISATION_TYPES and (item.get("name") or item.get("identifier")):
                return Evidence(
                    url=doc.url,
                    text=f"{'/'.join(sorted(types))} : {item.get('name')}",
                    note=f"identifiant : {item.get('identifier')}"
                    if item.get("identifier")
                    else None,
                    selector='script[type="application/ld+json"]',
                )
    return None


@check("coherence.identite", version="1")
def identity(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Mean of three parts: (a) a publication director named in the legal notice (the
    RNE cross-check is not available: a named person counts, confidence inferred);
    (b) JSON-LD GovernmentOrganization/City/Organization with a name or identifier;
    (d) the home page's ``<title>`` names the collectivité. (c) Wikidata P856 needs an
    external API and is left out of the denominator."""
    parts: list[float] = []
    evidence: list[Evidence] = []
    missing = []
    legal = subject.kind_doc("legal")
    director = publication_director(legal) if legal is not None else None
    parts.append(1.0 if director else 0.0)
    if director and legal is not None:
        evidence.append(
            Evidence(url=legal.url, text=director, note="non comparé au RNE (indisponible)")
        )
    else:
        missing.append("directeur de la publication non nommé")
    structured = structured_identity(subject)
    parts.append(1.0 if structured else 0.0)
    if structured is not None:
        evidence.append(structured)
    else:
        missing.append("pas de données structurées d'organisation (JSON-LD)")
    home = subject.home_doc
    titled = home is not None and title_has_name(home.title, subject.authority.name)
    parts.append(1.0 if titled else 0.0)
    if home is not None:
        evidence.append(Evidence(url=home.url, selector="title", text=home.title or "(vide)"))
    if not titled:
        missing.append("le titre de la page d'accueil ne reprend pas le nom officiel")
    missing.append("Wikidata (P856) non consulté, hors dénominateur")
    return scored(
        sum(parts) / len(parts),
        evidence,
        confidence=Confidence.INFERRED,
        reason=sentence(missing),
    )
