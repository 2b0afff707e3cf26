"""Proximité, practical side (S4, S5, S7, S8): contact means, opening hours, fresh news
and events, audience-targeted entry points. Read from the home page, the contact and
news pages, the feeds and the sitemap of the archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from barometre.checks.base import Verdict, check, scored
from barometre.checks.dates import DateLabel, date_labels, find_dates, page_date, parse_date
from barometre.checks.html import Doc
from barometre.checks.subject import Subject
from barometre.models import Confidence, Evidence
from barometre.vocab import fr
from barometre.vocab.fr import sentence
from barometre.vocab.text import excerpt, fold, fold_aligned, fold_keep_punctuation
from barometre.vocab.when import DateError, read_when

# --- dates -------------------------------------------------------------------------------


def dates_in_text(text: str) -> Iterator[tuple[date, int]]:
    """French dates in ``text`` (found in its folded form), with their position."""
    for found, _, position in find_dates(text):
        yield found, position


def _jsonld_items(doc: Doc) -> Iterator[Mapping[str, Any]]:
    for block in doc.jsonld:
        yield block
        for value in block.values():
            if isinstance(value, dict):
                yield value
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, dict))


def _types(item: Mapping[str, Any]) -> set[str]:
    raw = item.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


# --- S4 contact ------------------------------------------------------------------------

PHONE = re.compile(r"(?<!\d)(?:\+33 ?|0)[1-9](?:[ .\-]?\d\d){4}(?!\d)")
POSTAL_ADDRESS = re.compile(r"\b\d{5}\s+[A-ZÉÈÀÂÎÔ][\w'’\-]+(?:[\s\-][\w'’\-]+){0,4}")
CREDIT_WORDS = (
    "realise par",
    "realisation",
    "conception",
    "concu par",
    "developpe par",
    "creation du site",
    "site cree par",
    "hebergement",
    "heberge par",
    "hebergeur",
    "agence",
)
_BLOCKS = "address, p, li, td, dd, div.footer-contact, span"


def _blocks(doc: Doc) -> Iterator[str]:
    """Text blocks of a page, without the credits of the web agency or the host."""
    for node in doc.css(_BLOCKS):
        text = " ".join(node.text(separator=" ").split())
        if text and not any(word in fold(text) for word in CREDIT_WORDS):
            yield text


def _contact_docs(subject: Subject) -> list[tuple[str, Doc]]:
    return [(kind, doc) for kind, doc in subject.docs() if kind in ("home", "contact")]


def _contact_point(doc: Doc) -> Mapping[str, Any] | None:
    for item in _jsonld_items(doc):
        if "ContactPoint" in _types(item) or isinstance(item.get("contactPoint"), (dict, list)):
            return item
    return None


def _form_with_message(doc: Doc) -> bool:
    for form in doc.css("form"):
        if form.css_first("textarea") is not None:
            return True
        names = " ".join(
            (n.attributes.get("name") or "") + " " + (n.attributes.get("id") or "")
            for n in form.css("input")
        )
        if "message" in names.lower():
            return True
    return False


def contact_parts(doc: Doc) -> dict[str, Evidence]:
    """Which contact means one page shows: phone, address, electronic channel."""
    found: dict[str, Evidence] = {}
    for link in doc.links:
        if link.url.startswith("tel:") and "phone" not in found:
            found["phone"] = Evidence(url=doc.url, text=link.url, selector='a[href^="tel:"]')
        if link.url.startswith("mailto:") and "electronic" not in found:
            found["electronic"] = Evidence(
                url=doc.url, text=link.url, selector='a[href^="mailto:"]'
            )
    if "electronic" not in found and _form_with_message(doc):
        found["electronic"] = Evidence(
            url=doc.url, selector="form textarea", note="formulaire de contact"
        )
    for block in _blocks(doc):
        if "phone" not in found and (match := PHONE.search(block)):
            found["phone"] = Evidence(url=doc.url, text=match.group(0))
        if "address" not in found and (match := POSTAL_ADDRESS.search(block)):
            found["address"] = Evidence(url=doc.url, text=match.group(0))
    point = _contact_point(doc)
    if point is not None:
        note = "schema.org ContactPoint"
        if "phone" not in found and (point.get("telephone") or _nested(point, "telephone")):
            found["phone"] = Evidence(url=doc.url, note=note)
        if "electronic" not in found and (point.get("email") or _nested(point, "email")):
            found["electronic"] = Evidence(url=doc.url, note=note)
        if "address" not in found and point.get("address"):
            found["address"] = Evidence(url=doc.url, note=note)
    return found


def _nested(item: Mapping[str, Any], key: str) -> bool:
    point = item.get("contactPoint")
    points = point if isinstance(point, list) else [point]
    return any(isinstance(p, dict) and p.get(key) for p in points)


CONTACT_LABELS = {
    "phone": "téléphone",
    "address": "adresse postale",
    "electronic": "courriel ou formulaire",
}


@check("services.contact", version="1")
def contact(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """1/3 each for a phone number (``tel:`` link or French number), a postal address
    (postcode + commune) and an electronic channel (``mailto:`` or a form with a message
    field), on the home page or the contact page; a schema.org ``ContactPoint`` fills a
    missing part. Blocks crediting the web agency or the host are ignored."""
    found: dict[str, Evidence] = {}
    for _, doc in _contact_docs(subject):
        for key, evidence in contact_parts(doc).items():
            found.setdefault(key, evidence)
    missing = [label for key, label in CONTACT_LABELS.items() if key not in found]
    reason = ("Manque : " + ", ".join(missing) + ".") if missing else None
    return scored(len(found) / 3, list(found.values()), reason=reason)


# --- S5 opening hours ----------------------------------------------------------------------

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_HOUR = r"\d{1,2}\s?(?:h|:)\s?(?:\d\d)?"
HOUR_RANGE = re.compile(
    rf"(?:de\s+)?{_HOUR}\s*(?:-|–|a|au|/)\s*{_HOUR}"
)  # on fold_keep_punctuation() text
DAY = re.compile(r"\b(?:" + "|".join(DAYS) + r")s?\b")
OTHER_FACILITIES = (
    "mediatheque",
    "bibliotheque",
    "piscine",
    "dechetterie",
    "decheterie",
    "musee",
    "office de tourisme",
    "ludotheque",
    "cinema",
)


def opening_hours(text: str) -> str | None:
    """The first "day … hour range" of ``text`` not about another facility, quoted as it
    appears (found in its folded form, which keeps the positions)."""
    text = " ".join(text.split())
    folded = fold_aligned(text)
    for match in HOUR_RANGE.finditer(folded):
        before = folded[max(0, match.start() - 80) : match.start()]
        if not DAY.search(before) and not DAY.search(folded[match.end() : match.end() + 20]):
            continue
        if any(
            word in folded[max(0, match.start() - 120) : match.start()] for word in OTHER_FACILITIES
        ):
            continue
        return excerpt(text, match.start(), match.end(), before=40, after=0)
    return None


def _structured_hours(doc: Doc) -> str | None:
    for item in _jsonld_items(doc):
        hours = item.get("openingHours") or item.get("openingHoursSpecification")
        if hours:
            return str(hours)[:120]
    node = doc.first('[itemprop="openingHours"]')
    if node is not None:
        return node.attributes.get("content") or node.text()[:120]
    return None


def _hours_texts(subject: Subject) -> Iterator[tuple[Doc, str, str]]:
    """(page, text, where): the contact page, the home footer, and home blocks about the
    town hall (not the whole home page: hours of other facilities are frequent there)."""
    for kind, doc in subject.docs():
        if kind == "contact":
            yield doc, doc.text, "page contact"
        elif kind == "home":
            yield doc, doc.zone_text.get("footer", ""), "pied de page"
            for block in _blocks(doc):
                folded = fold_keep_punctuation(block)
                if any(w in folded for w in ("mairie", "hotel de ville", "accueil", "siege")):
                    yield doc, block, "accueil (bloc mairie)"


@check("services.horaires", version="1")
def hours(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """``present`` when the town hall's opening hours are published (schema.org
    ``openingHours`` or day names with hour ranges, on the contact page, the footer or
    a town-hall block of the home page) + ``consistent`` when they match the registry.
    The registry holds no opening hours yet: only the first part is scored (confidence
    inferred)."""
    present = float(params.get("present", 0.7))
    for kind, doc in subject.docs():
        if kind in ("home", "contact") and (structured := _structured_hours(doc)):
            evidence = Evidence(url=doc.url, text=structured, note="schema.org openingHours")
            return _hours_verdict(present, evidence)
    for doc, text, where in _hours_texts(subject):
        found = opening_hours(text)
        if found:
            return _hours_verdict(present, Evidence(url=doc.url, text=found, note=where))
    return scored(0, reason="Horaires d'ouverture de la mairie introuvables (accueil, contact).")


def _hours_verdict(present: float, evidence: Evidence) -> Verdict:
    return scored(
        present,
        [evidence],
        confidence=Confidence.INFERRED,
        reason="Horaires publiés ; cohérence avec l'annuaire non vérifiable (horaires absents du registre).",
    )


# --- S7 freshness ------------------------------------------------------------------------

_PARIS = ZoneInfo("Europe/Paris")


def _feed_dates(subject: Subject) -> Iterator[tuple[date, Evidence]]:
    import feedparser

    site = subject.site
    for url, page in site.feeds.items() if site is not None else ():
        if not page.ok or not page.body:
            continue
        parsed = feedparser.parse(page.body)
        for entry in parsed.entries[:50]:
            found = _entry_day(entry)
            if found is not None:
                title = str(entry.get("title") or "")[:120]
                yield found, Evidence(url=url, text=title, note=f"flux : {found.isoformat()}")


def _entry_day(entry: Mapping[str, Any]) -> date | None:
    """The item's day: feedparser's reading of RFC 822 and ISO 8601, else the shared
    date reader for what feedparser leaves unread (French day and month names, as some
    French CMS write them), a time without an offset being Paris time."""
    for key in ("published", "updated"):
        stamp = dict.get(entry, f"{key}_parsed") if isinstance(entry, dict) else None
        if stamp:
            return date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    for key in ("published", "updated"):
        raw = dict.get(entry, key) if isinstance(entry, dict) else None
        if isinstance(raw, str) and raw.strip():
            try:
                found = read_when(raw.strip(), tz=_PARIS, day_first=True)
            except DateError:
                continue
            if found is not None:
                return found.at.astimezone(_PARIS).date()
    return None


ARTICLE_TYPES = {"Article", "NewsArticle", "BlogPosting", "Report", "AnalysisNewsArticle"}


def is_article(doc: Doc) -> bool:
    """A page that is one news item (not a listing): Open Graph ``article``, a schema.org
    ``Article``, or a single ``<article>`` holding the page's ``<h1>``."""
    if (doc.meta("og:type") or "").lower() == "article":
        return True
    if any(_types(item) & ARTICLE_TYPES for item in _jsonld_items(doc)):
        return True
    articles = doc.css("article")
    return len(articles) == 1 and articles[0].css_first("h1") is not None


def _news_docs(subject: Subject) -> Iterator[tuple[str, Doc, list[DateLabel]]]:
    for kind, doc in subject.docs():
        if kind in ("home", "news"):
            yield kind, doc, date_labels(doc)


def _label_evidence(doc: Doc, label: DateLabel) -> Evidence:
    title = f"{label.title} — " if label.title else ""
    return Evidence(
        url=doc.url,
        text=f"{title}{label.text}"[:160],
        selector="time[datetime]" if label.markup else None,
        note=f"{'événement' if label.event else 'actualité'} du {fr.numeric_day(label.day)}",
    )


def _page_dates(
    subject: Subject, news: list[tuple[str, Doc, list[DateLabel]]]
) -> Iterator[tuple[date, Evidence]]:
    """JSON-LD ``datePublished`` (home, news and council pages), the dates printed on
    the items of the home and news pages (``<time datetime>``, « Publié le 3 mars 2025 »,
    « Le 05/03/2025 », a date in its own ``<span>``; not the banner, the menus, the
    footer nor an agenda), and the publication date of a news page that is one article."""
    for kind, doc in subject.docs():
        if kind not in ("home", "news", "council"):
            continue
        for item in _jsonld_items(doc):
            found = parse_date(str(item.get("datePublished") or ""))
            if found is not None:
                yield (
                    found,
                    Evidence(
                        url=doc.url,
                        text=str(item.get("headline") or "")[:120],
                        note=f"JSON-LD datePublished {found}",
                    ),
                )
    for kind, doc, labels in news:
        for label in labels:
            if not label.event:
                yield label.day, _label_evidence(doc, label)
        if kind == "news" and is_article(doc):
            published = page_date(doc, original=True, as_of=subject.as_of)
            if published is not None:
                yield (
                    published.day,
                    Evidence(
                        url=doc.url,
                        text=(published.text or doc.title)[:160],
                        note=f"article publié le {fr.numeric_day(published.day)} ({published.how})",
                    ),
                )


def _sitemap_dates(subject: Subject) -> Iterator[tuple[date, Evidence]]:
    site = subject.site
    sitemap = site.sitemap if site is not None else None
    if sitemap is None or not sitemap.ok:
        return
    for match in re.finditer(r"<lastmod>\s*([^<]+)</lastmod>", sitemap.text[:500_000]):
        found = parse_date(match.group(1))
        if found is not None:
            yield (
                found,
                Evidence(
                    url=sitemap.final_url, text=match.group(1).strip(), note="sitemap lastmod"
                ),
            )


def _future_event(
    subject: Subject, news: list[tuple[str, Doc, list[DateLabel]]]
) -> Evidence | None:
    """An agenda with an event on or after the audit date: schema.org ``Event``
    ``startDate``, or a date printed in an agenda or event block (or on an agenda page)."""
    for _, doc, labels in news:
        for item in _jsonld_items(doc):
            if "Event" in _types(item) or any(t.endswith("Event") for t in _types(item)):
                start = parse_date(str(item.get("startDate") or ""))
                if start is not None and start >= subject.as_of:
                    return Evidence(
                        url=doc.url,
                        text=str(item.get("name") or "")[:120],
                        note=f"événement le {start}",
                    )
        for label in labels:
            if label.event and label.day >= subject.as_of:
                return _label_evidence(doc, label)
    return None


def freshness_step(age: int, steps: Any) -> float:
    for limit, value in steps:
        if age <= int(limit):
            return float(value)
    return 0.0


def newest(dates: Iterator[tuple[date, Evidence]], as_of: date) -> tuple[date, Evidence] | None:
    """The most recent date not after ``as_of`` (a later date is an event or an error)."""
    best: tuple[date, Evidence] | None = None
    for found, evidence in dates:
        if found <= as_of and (best is None or found > best[0]):
            best = (found, evidence)
    return best


@check("services.actualite", version="2")
def freshness(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """``news_share`` × step(age of the newest news item: feeds, JSON-LD
    ``datePublished``, the dates printed on the items of the home and news pages, the
    publication date of a news page that is an article; sitemap ``lastmod`` as a
    fallback with confidence inferred) + ``agenda`` when an event on or after the audit
    date is announced."""
    steps = params.get("steps", [[7, 1.0], [30, 0.7], [90, 0.3]])
    confidence = Confidence.OBSERVED
    news = list(_news_docs(subject))
    found = newest(_feed_dates(subject), subject.as_of)
    page = newest(_page_dates(subject, news), subject.as_of)
    if found is None or (page is not None and page[0] > found[0]):
        found = page
    if found is None:
        found = newest(_sitemap_dates(subject), subject.as_of)
        confidence = Confidence.INFERRED
    evidence: list[Evidence] = []
    reasons = []
    value = 0.0
    if found is not None:
        age = (subject.as_of - found[0]).days
        value = float(params.get("news_share", 0.8)) * freshness_step(age, steps)
        evidence.append(found[1])
        if age > 7:
            reasons.append(f"dernière actualité datée il y a {age} jours ({found[0].isoformat()})")
    else:
        reasons.append("aucune actualité datée")
    event = _future_event(subject, news)
    if event is not None:
        value += float(params.get("agenda", 0.2))
        evidence.append(event)
    else:
        reasons.append("pas d'agenda avec un événement à venir")
    reason = sentence(reasons) if reasons else None
    return scored(value, evidence, confidence=confidence, reason=reason)


# --- S8 audiences -------------------------------------------------------------------------

# Audience words [criteria.md §3 S8], folded.
AUDIENCES: dict[str, tuple[str, ...]] = {
    "seniors": ("seniors", "senior", "aines", "personnes agees", "retraites"),
    "jeunesse": ("jeunesse", "jeunes", "ados", "adolescents"),
    "familles": ("famille", "familles", "parents"),
    "petite enfance": ("petite enfance", "creche", "creches", "multi accueil"),
    "nouveaux arrivants": ("nouveaux arrivants", "nouvel arrivant", "nouveaux habitants"),
    "handicap": ("handicap", "personnes handicapees", "situation de handicap"),
    "entreprises": ("entreprises", "entreprendre", "professionnels", "commercants"),
    "associations": ("associations", "vie associative"),
}


def audiences_in(labels: list[str]) -> dict[str, str]:
    """Audience → the first label (menu entry or heading) that names it."""
    found: dict[str, str] = {}
    for label in labels:
        folded = fold(label)
        for audience, words in AUDIENCES.items():
            if audience not in found and any(re.search(rf"\b{w}\b", folded) for w in words):
                found[audience] = label
    return found


def _menu_labels(doc: Doc) -> list[str]:
    labels = [link.text for link in doc.links if link.zone in ("nav", "header", "footer")]
    labels += [" ".join(n.text().split()) for n in doc.css("nav h2, nav h3, h1, h2, h3")]
    return [label for label in labels if label and len(label) <= 80]


@check("services.publics", version="1")
def audiences(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    """Distinct audiences (seniors, youth, families, early childhood, newcomers,
    disability, businesses, associations) named by menu entries or headings of the home
    page; ``audiences_for_full`` of them → 1, proportionally below."""
    doc = subject.home_doc
    assert doc is not None
    found = audiences_in(_menu_labels(doc))
    full = int(params.get("audiences_for_full", 3))
    evidence = [
        Evidence(url=doc.url, text=label, note=audience) for audience, label in found.items()
    ]
    reason = (
        None
        if len(found) >= full
        else f"{fr.count(len(found), 'public identifié', 'publics identifiés')} dans les menus "
        f"(sur {full} attendus)."
    )
    return scored(len(found) / full, evidence, reason=reason)
