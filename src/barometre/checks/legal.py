"""Conformité (L4, L8, L9): legal notice, electronic publication of acts, budget documents.

Also the text helpers the other legal checks share (accessibility, privacy): French dates
in text folded by :func:`barometre.vocab.text.fold_document` (:func:`find_dates`, from
:mod:`checks.dates`) and the block reader used to read one section of a page (:func:`blocks`).

- L4 ``conformite.mentions_legales`` [criteria.md §3 L4, §5.3]: DashLord-style required
  groups on the legal notice page (HTML or PDF): director of publication, host (name and
  address or phone), publisher (the collectivité, not its web agency). Score
  ``params.page`` for the page + ``params.item`` per group (0.4 + 3 × 0.2).
- L8 ``conformite.actes`` [criteria.md §3 L8]: sections « Délibérations », « Arrêtés »,
  « Actes administratifs », « Publications légales », « Recueil », links to
  « délibération n° » / « arrêté n° » documents, and the age of the newest dated act on
  ``subject.as_of``: < ``fresh_days`` → 1, < ``stale_days`` → 0.5, older or undated →
  ``params.low`` (0.25); nothing → 0. Communes < 3,500 are bonus-only (methodology rule).
- L9 ``conformite.budget`` [criteria.md §3 L9]: budget keywords (budget primitif, compte
  administratif, compte financier unique, ROB, présentation brève et synthétique, note
  explicative de synthèse) → ``params.keywords`` (0.5), + ``params.recent`` (0.5) when a
  budget document or heading carries a year ≥ ``as_of.year − 1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from barometre.checks import dates
from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.html import Doc
from barometre.checks.lexicon import name_tokens
from barometre.checks.subject import Subject
from barometre.models import Evidence
from barometre.vocab.text import fold_document, fold_traced

# --- text helpers shared by the legal checks ---------------------------------------------


def find_dates(text: str) -> Iterator[tuple[date, str]]:
    """Every date in the text, with the matched string (see :mod:`checks.dates`)."""
    for found, matched, _ in dates.find_dates(fold_document(text)):
        yield found, matched


_BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, dt, dd, address, td, th, caption, figcaption, summary"


def blocks(doc: Doc) -> list[str]:
    """Readable blocks (headings, paragraphs, list items…) in document order; a PDF or a
    page without block markup is split into lines or sentences instead."""
    if doc.tree is not None:
        out = [" ".join(node.text(separator=" ").split()) for node in doc.css(_BLOCKS)]
        out = [b for b in out if b]
        if out:
            return out
    raw = doc.text if doc.is_pdf else doc.text.replace(". ", ".\n")
    return [" ".join(line.split()) for line in raw.splitlines() if line.strip()]


def section(parts: list[str], index: int, *, short: int = 60, limit: int = 3) -> str:
    """The block at ``index``, plus the following blocks when it is only a heading or a
    label (shorter than ``short`` characters), up to ``limit`` blocks."""
    taken = [parts[index]]
    cursor = index
    while len(" ".join(taken)) < short and cursor + 1 < len(parts) and len(taken) < limit:
        cursor += 1
        taken.append(parts[cursor])
    return " ".join(taken)


# --- L4 legal notice ------------------------------------------------------------------

_DIRECTOR = re.compile(
    r"(directeur|directrice|responsable|direction)\s+(de\s+(la\s+)?)?publication"
)
_HOST = re.compile(r"\bheberg(eur|ement|e par|ee par)\b|\bhost(ed by|ing)\b")
_PUBLISHER = re.compile(r"\bedit(eur|rice)\b|\bedite par\b|\bpublie par\b|\bproprietaire du site\b")
POSTCODE = re.compile(
    r"\b\d{5}\b|\bcedex\b|\b(rue|avenue|place|boulevard|chemin|allee|quai|route)\b"
)
PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[ .\-]?\d\d){4}(?!\d)")
# Addresses outside France (hosts are often in Ireland, Germany, Luxembourg, the United
# States…): a street in another language, a foreign postal code, a country after a comma,
# an international phone number. On normalised text.
_STREETS = (
    r"street|st|road|rd|lane|drive|way|parkway|square|place|avenue|ave|boulevard|blvd|"
    r"strasse|str|gasse|weg|platz|allee|straat|laan|gracht|via|viale|piazza|calle|"
    r"avenida|plaza|rua|rue|route|chemin|quai"
)
FOREIGN_ADDRESS = re.compile(
    rf"\b(?!(?:19|20)\d\d\b)\d{{1,5}}[a-z]?,?\s+(?:[\w.'-]+\s+){{0,3}}(?:{_STREETS})\b"
    rf"|\b[a-z'-]+\s+(?:{_STREETS})\.?,?\s+\d{{1,5}}\b"
    r"|\b[a-z'-]+(?:strasse|str\.|straat|weg|gasse|platz)\s*\d{1,5}\b"
    r"|\b[a-z]{1,2}-\d{4,5}\b"  # L-1855, CH-1227, D-91710
    r"|\b[a-z]{1,2}\d[a-z\d]?\s\d[a-z]{2}\b"  # SW1A 1AA
    r"|\b[a-z]\d{2}\s[a-z\d]{4}\b"  # D02 X525 (Eircode)
    r"|,\s*\d{4}\s+[a-z][a-z'-]+"  # , 1227 Les Acacias / , 1000 Bruxelles
    r"|,\s*(?:irlande|ireland|etats-unis|usa|united states|allemagne|germany|luxembourg|"
    r"belgique|belgium|suisse|switzerland|pays-bas|netherlands|royaume-uni|united kingdom|"
    r"canada|espagne|spain|italie|italy|israel|finlande|finland|pologne|poland|"
    r"danemark|denmark|suede|sweden|autriche|austria|portugal|singapour|singapore)\b"
    r"|\+(?!33)\d{1,3}[\s.\-]?(?:\(0\)\s?)?\d(?:[\s.\-]?\d){5,}"
)


def has_address(text: str) -> bool:
    """A postal address or a phone number, in France or abroad (normalised text)."""
    return bool(POSTCODE.search(text) or PHONE.search(text) or FOREIGN_ADDRESS.search(text))


_AGENCY = re.compile(
    r"\b(agence|sarl|sas|eurl|societe|web|communication|digital|creation|studio|conception)\b"
)


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    label: str
    found: bool
    text: str | None = None
    note: str | None = None


def _labelled(parts: list[str], pattern: re.Pattern[str]) -> Iterator[str]:
    for index, part in enumerate(parts):
        if pattern.search(fold_document(part)):
            yield section(parts, index)


def _after_keyword(text: str, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text)
    return text[match.end() :] if match else text


def legal_items(doc: Doc, authority_name: str) -> list[Item]:
    parts = blocks(doc)
    director = next(_labelled(parts, _DIRECTOR), None)
    items = [Item("director", "directeur de la publication", director is not None, director)]
    host_found: tuple[bool, str | None, str | None] = (False, None, None)
    for text in _labelled(parts, _HOST):
        rest = fold_document(_after_keyword(fold_document(text), _HOST))
        has_name = len(re.sub(r"[^a-z]", "", rest)) >= 3
        if has_name and has_address(rest):
            host_found = (True, text, None)
            break
        host_found = (False, text, "hébergeur nommé sans adresse ni téléphone")
    items.append(Item("host", "hébergeur (nom et adresse ou téléphone)", *host_found))
    items.append(_publisher(parts, authority_name))
    return items


def _publisher(parts: list[str], authority_name: str) -> Item:
    tokens = name_tokens(authority_name)
    note = None
    for text in _labelled(parts, _PUBLISHER):
        folded = fold_document(text)
        names_us = any(t in folded for t in tokens) or any(
            w in folded
            for w in ("commune", "mairie", "ville de", "region", "departement", "communaute")
        )
        if not names_us and _AGENCY.search(folded):
            note = "l'éditeur indiqué est un prestataire, pas la collectivité"
            continue
        if POSTCODE.search(folded) or PHONE.search(folded) or names_us:
            return Item("publisher", "éditeur (la collectivité)", True, text)
    # Without the word « éditeur »: the collectivité's name with its address and phone.
    for part in parts:
        folded = fold_document(part)
        if (
            tokens
            and any(t in folded for t in tokens)
            and POSTCODE.search(folded)
            and PHONE.search(folded)
        ):
            return Item(
                "publisher", "éditeur (la collectivité)", True, part, "sans le mot « éditeur »"
            )
    return Item("publisher", "éditeur (la collectivité)", False, None, note)


def _item_evidence(url: str, items: Iterable[Item]) -> list[Evidence]:
    out = []
    for item in items:
        state = "trouvé" if item.found else "absent"
        note = f"{item.label} : {state}" + (f" ({item.note})" if item.note else "")
        out.append(Evidence(url=url, text=(item.text or "")[:300] or None, note=note))
    return out


def script_only_link(subject: Subject, words: Iterable[str]) -> str | None:
    """The URL of a page the home links to only after JavaScript ran (an application
    shell): the crawl, which follows served links, could not fetch it."""
    rendered, static = subject.rendered_home_doc, subject.static_home_doc
    if rendered is None or static is None:
        return None
    wanted = tuple(words)

    def hit(doc: Doc) -> str | None:
        return next((lk.url for lk in doc.links if any(w in lk.folded for w in wanted)), None)

    return hit(rendered) if hit(static) is None else None


LEGAL_WORDS = ("mentions legales", "informations legales")
MIN_WORDS = 12


def is_empty(doc: Doc) -> bool:
    """No legal notice to read: fewer than ``MIN_WORDS`` words and none of the notice's
    own labels (publication director, host, publisher). A short notice that names them is
    a notice, however brief."""
    text = fold_document(doc.text)
    if _DIRECTOR.search(text) or _HOST.search(text) or _PUBLISHER.search(text):
        return False
    return len(re.findall(r"\w+", text)) < MIN_WORDS


@check("conformite.mentions_legales", version="1")
def legal_notice(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    doc = subject.kind_doc("legal")
    if doc is None:
        hidden = script_only_link(subject, LEGAL_WORDS)
        if hidden is not None:
            return not_measurable(
                "Mentions légales liées seulement après exécution du JavaScript : page non capturée.",
                [Evidence(url=hidden)],
            )
        return scored(0, reason="Aucune page de mentions légales trouvée depuis l'accueil.")
    page_credit = float(params.get("page", 0.4))
    item_credit = float(params.get("item", 0.2))
    if is_empty(doc):
        why = "document PDF illisible" if doc.is_pdf else "contenu vide sans JavaScript"
        return scored(
            page_credit,
            [Evidence(url=doc.url, note=why)],
            reason=f"Page de mentions légales présente mais sans texte lisible ({why}).",
        )
    items = legal_items(doc, subject.authority.name)
    value = page_credit + item_credit * sum(1 for i in items if i.found)
    missing = [i.label for i in items if not i.found]
    reason = (
        "Mentions légales complètes (directeur de la publication, hébergeur, éditeur)."
        if not missing
        else "Mentions légales incomplètes : manque " + ", ".join(missing) + "."
    )
    return scored(value, _item_evidence(doc.url, items), reason=reason)


# --- L8 acts --------------------------------------------------------------------------

_ACT_SECTIONS = (
    "deliberations",
    "arretes",
    "actes administratifs",
    "publications legales",
    "recueil des actes",
    "registre des deliberations",
    "liste des deliberations",
    "proces verbal",
    "proces-verbal",
)
_ACT_DOC = re.compile(
    r"\b(deliberation|arrete|proces[- ]verbal|recueil des actes|liste des deliberations)\b"
    r"(\s+(n\s?°|no|numero|n\.)\s*[\w\-/]+)?"
)


@dataclass(frozen=True, slots=True)
class Act:
    url: str
    text: str
    when: date | None


def _acts(doc: Doc) -> list[Act]:
    found: list[Act] = []
    for link in doc.links:
        label = fold_document(f"{link.text} {link.url.rsplit('/', 1)[-1]}")
        match = _ACT_DOC.search(label)
        if match is None:
            continue
        numbered = bool(match.group(2)) or link.url.lower().endswith(".pdf")
        if not numbered and "seance" not in label and "conseil" not in label:
            continue
        when = max((d for d, _ in find_dates(label)), default=None)
        found.append(Act(link.url, link.text, when))
    if doc.tree is not None:
        for node in doc.css("li, tr, article, p"):
            text = " ".join(node.text(separator=" ").split())
            folded = fold_document(text)
            if _ACT_DOC.search(folded) and (
                "n°" in folded or "mis en ligne" in folded or "publie le" in folded
            ):
                when = max((d for d, _ in find_dates(folded)), default=None)
                if when is not None:
                    found.append(Act(doc.url, text[:200], when))
    return found


def _act_sections(doc: Doc) -> list[str]:
    headings = " | ".join(
        fold_document(n.text()) for n in doc.css("h1, h2, h3, h4, nav a, header a, title")
    )
    return [s for s in _ACT_SECTIONS if s in headings]


@check("conformite.actes", version="1")
def acts(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    fresh = int(params.get("fresh_days", 90))
    stale = int(params.get("stale_days", 180))
    low = float(params.get("low", 0.25))
    sections: dict[str, str] = {}
    found: list[Act] = []
    for kind in ("council", "home", "news"):
        doc = subject.home_doc if kind == "home" else subject.kind_doc(kind)
        if doc is None:
            continue
        for name in _act_sections(doc):
            sections.setdefault(name, doc.url)
        if kind == "council":
            found += _acts(doc)
        else:
            found += [a for a in _acts(doc) if a.url.lower().endswith(".pdf")]
    dated = [a for a in found if a.when is not None and a.when <= subject.as_of]
    if not sections and not found:
        return scored(0, reason="Aucune rubrique ni aucun acte (délibérations, arrêtés) trouvé.")
    evidence = [Evidence(url=url, note=f"rubrique « {name} »") for name, url in sections.items()]
    if not dated:
        evidence += [
            Evidence(url=a.url, text=a.text[:200], note="acte non daté") for a in found[:3]
        ]
        return scored(
            low,
            evidence,
            reason="Rubrique des actes présente, mais aucun acte daté n'a été trouvé.",
        )
    newest = max(dated, key=lambda a: a.when or date.min)
    assert newest.when is not None
    age = (subject.as_of - newest.when).days
    evidence.insert(
        0,
        Evidence(
            url=newest.url,
            text=newest.text[:200],
            note=f"acte le plus récent : {newest.when.isoformat()} ({age} jours)",
        ),
    )
    if age < fresh:
        return scored(
            1, evidence, reason=f"Actes publiés en ligne, le plus récent date de {age} jours."
        )
    if age < stale:
        return scored(
            0.5, evidence, reason=f"Dernier acte publié il y a {age} jours (plus de {fresh} jours)."
        )
    return scored(low, evidence, reason=f"Actes anciens : le plus récent date de {age} jours.")


# --- L9 budget ------------------------------------------------------------------------

BUDGET_WORDS = (
    "budget primitif",
    "compte administratif",
    "compte financier unique",
    "rapport d'orientation budgetaire",
    "rapport d orientation budgetaire",
    "debat d'orientation budgetaire",
    "presentation breve et synthetique",
    "note explicative de synthese",
    "budget supplementaire",
    "decision modificative",
)
_YEAR = re.compile(r"\b(20\d\d)\b")


def _budget_lines(doc: Doc, *, listing: bool) -> Iterator[tuple[str, str, str]]:
    """(text to read, text as written, url) of what may name a budget *document*: links
    anywhere (their text and file name, whose hyphens separate words), and on the budget
    page its headings, list items and table cells. Prose (a news item saying the budget
    was voted) is not the document."""
    for link in doc.links:
        name = link.url.rsplit("/", 1)[-1]
        words = f"{link.text} {name.replace('-', ' ').replace('_', ' ')}"
        yield words, " ".join(f"{link.text} {name}".split()), link.url
    if listing:
        for node in doc.css("h1, h2, h3, h4, li, dt, td, caption"):
            written = node.text(separator=" ")
            yield written, " ".join(written.split()), doc.url


@check("conformite.budget", version="1")
def budget(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    keyword_credit = float(params.get("keywords", 0.5))
    recent_credit = float(params.get("recent", 0.5))
    minimum_year = subject.as_of.year - 1
    words: dict[str, Evidence] = {}
    recent: Evidence | None = None
    for kind in ("budget", "home", "council", "news"):
        doc = subject.home_doc if kind == "home" else subject.kind_doc(kind)
        if doc is None:
            continue
        for source, written, url in _budget_lines(doc, listing=kind == "budget"):
            text = fold_document(source)
            hit = next((w for w in BUDGET_WORDS if w in text), None)
            if hit is None:
                continue
            at = text.index(hit)
            said = fold_traced(source).quote(at, at + len(hit))  # the page's own words
            words.setdefault(hit, Evidence(url=url, text=written[:200], note=f"« {said} »"))
            # The document's own year follows its name (« budget primitif 2025 »), not
            # an act number or a publication date elsewhere in the line.
            after = text[text.index(hit) + len(hit) :][:30]
            first = _YEAR.search(after)
            years = [int(first.group(1))] if first else []
            fresh = [y for y in years if minimum_year <= y <= subject.as_of.year + 1]
            if recent is None and fresh:
                recent = Evidence(
                    url=url, text=written[:200], note=f"document budgétaire {max(fresh)}"
                )
    if not words:
        return scored(
            0,
            reason="Aucun document budgétaire (budget primitif, compte administratif, ROB…) trouvé.",
        )
    evidence = ([recent] if recent else []) + list(words.values())[:5]
    if recent is None:
        return scored(
            keyword_credit,
            evidence,
            reason=f"Documents budgétaires cités, mais aucun de {minimum_year} ou après.",
        )
    return scored(
        keyword_credit + recent_credit,
        evidence,
        reason="Documents budgétaires du cycle en cours en ligne.",
    )
