"""Conformité (L1–L3): what the collectivité declares about accessibility, and the
defects a machine can see.

- L1 ``conformite.accessibilite_mention`` [criteria.md §3 L1, §5.1]: the text is
  normalised (NBSP and narrow NBSP, curly quotes, case, accents, « Accessibilité
  numérique : … ») and matched with
  ``accessibilit[eé]\\s*(num[eé]rique)?\\s*:\\s*(non|partiellement|totalement)\\s+conforme``
  on the footer first, then on the whole page; a rapidfuzz match ≥ 0.9 against the three
  official strings is the fallback. 1 = mention + link to the statement; 0.5 = link only
  or mention without link; 0 = none. « Accessibilité : non conforme » is a mention (the
  status is displayed), never a conformity claim: the claimed status is recorded in the
  evidence, and L2 compares it with the statement.
- L2 ``conformite.accessibilite_declaration`` [criteria.md §3 L2]: the statement (HTML
  page and the PDF documents the capture fetched: kinds ``accessibility``,
  ``accessibility_document``, ``accessibility_plan``). Eight items: « établie le <date> »
  younger than ``params.max_age_years`` on ``as_of``; status consistent with L1 (and with
  the rate, RGAA 4.1.2 thresholds); conformance rate « % »; RGAA 4.1 / 4.1.2; a
  non-accessible content section; a contact (e-mail or form); « Défenseur des droits »;
  the schéma pluriannuel (≤ 3 years, half) and an action plan of the current or previous
  year (half). Score = share of the 8 items.
- L3 ``conformite.rgaa_automatique`` [criteria.md §3 L3, §5.2]: a *risk indicator*
  (« défauts détectables automatiquement »), never a conformity rate. Static rules
  (:mod:`barometre.checks.rgaa`) on the home page and the fetched contact, news and
  procedures pages; axe-core violations of the desktop render when present.

  Formula. Per page, each failed static rule ``r`` weighs ``w_r`` (1 for lang, title,
  image-alt, form-label, viewport-zoom, meta-refresh; 0.5 for the others) times a
  saturation ``min(1, count_r / k_r)`` (``k_r`` = 1 for page-level rules, 3 for element
  rules); the page density is that sum over the weights of the applicable rules. The
  static density ``S`` is the mean over pages. The axe density ``A`` is
  ``min(1, Σ impact_v × min(1, nodes_v / 5) / 5)`` with impacts critical 1, serious 0.75,
  moderate 0.5, minor 0.25 (five fully weighted violations saturate it). Score =
  ``1 − min(1, 0.6·S + 0.4·A)`` with a render, ``1 − min(1, S)`` without.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from rapidfuzz import fuzz

from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.html import Doc, Link
from barometre.checks.rgaa import RuleResult, static_rules
from barometre.checks.subject import Subject
from barometre.models import Evidence
from barometre.vocab import fr
from barometre.vocab.fr import MONTH_NUMBERS as MONTHS
from barometre.vocab.text import Folded, excerpt, fold_document, fold_traced

# « Accessibilité : non conforme », « accessibilité du site : … », « Accessibilité
# (partiellement conforme) »; « totalement non conforme » is « non » (never « totalement »).
MENTION = re.compile(
    r"accessibilit[eé]\s*(?:num[eé]rique\s*|du\s+site(?:\s+internet)?\s*|de\s+ce\s+site\s*)?"
    r"[:(\-–]?\s*\(?\s*(?:totalement\s+)?(non|partiellement|totalement)\s+conforme"
)
STATUSES = ("non", "partiellement", "totalement")
NEEDLES = {s: f"accessibilite : {s} conforme" for s in STATUSES}
FUZZY_THRESHOLD = 90.0


@dataclass(frozen=True, slots=True)
class Mention:
    status: str | None  # "non" | "partiellement" | "totalement" | None
    text: str | None
    zone: str | None  # "footer" | "page" | "fuzzy"
    link: Link | None
    url: str

    @property
    def label(self) -> str | None:
        return f"{self.status} conforme" if self.status else None


def find_mention(text: str) -> tuple[str, str] | None:
    """(status, matched text as it appears) of an « Accessibilité : … conforme » mention,
    exact first."""
    match = MENTION.search(fold_document(text))
    if match:
        return match.group(1), fold_traced(text).quote(match.start(), match.end())
    return None


def fuzzy_mention(text: str) -> tuple[str, str] | None:
    """(status, matched text as it appears) of an approximate mention (rapidfuzz)."""
    folded = fold_traced(text)
    normal = folded.text
    best: tuple[float, str, int, int] | None = None
    for status, needle in NEEDLES.items():
        found = fuzz.partial_ratio_alignment(needle, normal, score_cutoff=FUZZY_THRESHOLD)
        if found is not None and (best is None or found.score > best[0]):
            best = (found.score, status, found.dest_start, found.dest_end)
    if best is None:
        return None
    _, status, start, end = best
    # « totalement non conforme » aligns with « totalement conforme »: the words around
    # the match say which status is displayed.
    around = _STATUS.search(normal[max(0, start - 5) : end + 15])
    return (around.group(1) if around else status), folded.quote(start, end)


def _statement_link(doc: Doc) -> Link | None:
    """The link to the statement: its text is the mention, else « Accessibilité »-like."""
    candidates = [link for link in doc.links if "accessibilit" in fold_document(link.text)]
    for link in candidates:
        if find_mention(link.text):
            return link
    for link in candidates:
        text = fold_document(link.text)
        if (
            fuzz.ratio(text, "accessibilite") >= FUZZY_THRESHOLD
            or "declaration d'accessibilite" in text
        ):
            return link
    return candidates[0] if candidates else None


def page_mention(doc: Doc) -> Mention | None:
    """The accessibility mention of one page: the status (footer first, then the page,
    then an approximate match) and the link to the statement, or ``None``."""
    link = _statement_link(doc)
    for zone, text in (("footer", doc.zone_text.get("footer", "")), ("page", doc.text)):
        hit = find_mention(text)
        if hit:
            return Mention(hit[0], hit[1], zone, link, doc.url)
    hit = fuzzy_mention(doc.zone_text.get("footer", "") or doc.text[-3000:])
    if hit:
        return Mention(hit[0], hit[1], "fuzzy", link, doc.url)
    if link is not None:
        return Mention(None, None, None, link, doc.url)
    return None


def home_mention(subject: Subject) -> Mention | None:
    """The accessibility mention of the home page (static, else rendered), or ``None``."""
    docs = [d for d in (subject.home_doc, subject.rendered_home_doc) if d is not None]
    return next((m for m in (page_mention(d) for d in docs) if m is not None), None)


@check("conformite.accessibilite_mention", version="1")
def accessibility_mention(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    mention = home_mention(subject)
    if mention is None:
        return scored(
            0,
            reason="Ni mention « Accessibilité : … conforme » ni lien vers une déclaration d'accessibilité en page d'accueil.",
        )
    evidence = []
    if mention.status:
        evidence.append(
            Evidence(
                url=mention.url,
                text=mention.text,
                note=f"statut affiché : {mention.label}"
                + (" (correspondance approchée)" if mention.zone == "fuzzy" else "")
                + (" — dans le pied de page" if mention.zone == "footer" else ""),
            )
        )
    if mention.link is not None:
        evidence.append(
            Evidence(url=mention.link.url, text=mention.link.text, note="lien vers la déclaration")
        )
    if mention.status and mention.link is not None:
        value = float(params.get("mention_and_link", 1.0))
        reason = f"Mention « Accessibilité : {mention.label} » avec lien vers la déclaration."
        if mention.status == "non":
            reason += " Le site se déclare non conforme (mention présente, pas une conformité)."
    elif mention.status:
        value = float(params.get("mention_only", 0.5))
        reason = f"Mention « Accessibilité : {mention.label} » sans lien vers la déclaration."
    else:
        value = float(params.get("link_only", 0.5))
        reason = "Lien vers l'accessibilité, mais sans la mention du statut de conformité."
    return scored(value, evidence, reason=reason)


# --- L2 statement -----------------------------------------------------------------------

# The headings of the RGAA model statement (« modèle de déclaration d'accessibilité »),
# normalised. A page with two of them follows the model; its contact is then read in
# « Retour d'information et contact » only.
MODEL_HEADINGS = (
    "etat de conformite",
    "resultats des tests",
    "contenus non accessibles",
    "non-conformites",
    "derogations pour charge disproportionnee",
    "contenus non soumis a l'obligation d'accessibilite",
    "etablissement de cette declaration d'accessibilite",
    "technologies utilisees pour la realisation du site",
    "environnement de test",
    "outils pour evaluer l'accessibilite",
    "pages du site ayant fait l'objet de la verification de conformite",
    "retour d'information et contact",
    "voies de recours",
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN = frozenset({"script", "style", "noscript", "template"})
_STATUS = re.compile(r"\b(non|partiellement|totalement)\s+conforme")
LAW_DATE = date(2005, 2, 11)  # loi n° 2005-102, quoted by every statement
_MONTHS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = (
    rf"(?:(?:(\d{{1,2}})(?:er)?\s+)?({_MONTHS})\.?\s+((?:19|20)\d\d)"
    r"|(\d{1,2})[/.\-](\d{1,2})[/.\-]((?:19|20)\d\d)"
    r"|((?:19|20)\d\d)-(\d{1,2})-(\d{1,2}))\b"
)
# « réalisé(e) le », « établi(e) le » name the audit; « en », « du », « le », « au » only
# when nothing more precise is written.
_AUDIT_STRONG = re.compile(
    r"\b(?:(?:realisee?s?|etablie?s?|effectuee?s?|redigee?s?)\s+(?:le\s+)?"
    r"|date\s+de\s+(?:la\s+)?declaration\s*:?\s*)" + _DATE
)
_AUDIT_WEAK = re.compile(r"(?<![\w'])(?:en|du|le|au)\s+" + _DATE)
_UPDATE = re.compile(r"\b(?:mise?s?\s+a\s+jour|actualisee?s?|modifiee?s?)\s+(?:le\s+)?" + _DATE)
_RATE_NUMBER = r"(\d{1,3}(?:[.,]\d+)?)\s*(?:%|pour\s?cent)"
# A conformance rate is a percentage tied to its own words; the « taux moyen » is another
# measure, and the last rate written is the current one (« était de 60,8 % […] est de
# 70,9 % »).
_RATES = (
    re.compile(
        r"taux\s+(?:global\s+)?de\s+conformite(?:\s+globale?)?(?P<avg>\s+moyen)?[^.%]{0,60}?"
        + _RATE_NUMBER
    ),
    re.compile(r"\bconformes?\s+(?:au\s+rgaa\s+)?a\s+" + _RATE_NUMBER),
    re.compile(r"\brevele\s+que\b[^.%]{0,80}?" + _RATE_NUMBER),
    re.compile(r"\bmise?\s+a\s+jour\s+a\s+" + _RATE_NUMBER),
    re.compile(_RATE_NUMBER + r"\s*(?:des\s+criteres|de\s+conformite|au\s+rgaa)"),
)
_STANDARD = re.compile(
    r"\b(rgaa|wcag)\b\)?(?:\s*,?\s*(?:version|v)?\s*\.?\s*(\d(?:[.,]\d+){1,2}))?"
    r"|\bversion\s+(\d(?:[.,]\d+){1,2})\s+du\s+(rgaa)\b"
)
_ARTICLE = re.compile(r"\bart(?:icle|\.)?\s*47\b[^.]{0,60}?2005-102")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = re.compile(r"\s*(?:\(at\)|\[at\]|\(arobase\)|\[arobase\])\s*", re.IGNORECASE)
_FORM_WORDS = re.compile(r"formulaire|form|contact|aide|assistance|ecrire|signaler")
# An auditor is a proper name (capitalised words, an optional parenthesis) after « par »,
# « la société » or « l'agence ».
_AUDITOR = re.compile(
    r"(?i:\bpar|\bl['’]\s*agence|\bla\s+soci[ée]t[ée])\s+"
    r"(?i:la\s+soci[ée]t[ée]\s+|l['’]\s*agence\s+|le\s+cabinet\s+)?"
    r"([A-ZÀ-Ý][\w&'’-]*(?:\s+[A-ZÀ-Ý0-9&][\w&'’-]*){0,3}(?:\s+\([^()]{1,60}\))?)"
)
_YEARS = r"(?:\s*:?\s*(?:de\s+)?(20\d\d)(?:\s*(?:-|–|—|/|a|au)\s*(20\d\d))?)?"
SCHEMA = re.compile(
    r"schema\s+(?:"
    r"(?:pluri-?annuel|annuel)\s+(?:de\s+mise\s+en\s+accessibilite|d'accessibilite|"
    r"de\s+l'accessibilite|rgaa)(?:\s+numerique)?"
    r"|pluri-?annuel(?=\s*(?:$|[\d.,;:()\-–]))"
    r"|d'accessibilite\s+(?:numerique|pluri-?annuel)"
    r"|de\s+mise\s+en\s+accessibilite)"
    + _YEARS
    + r"|accessibilite\s+numerique\s*[-–—]\s*schema\s+(?:pluri-?)?annuel"
    + _YEARS
)
PLAN = re.compile(
    r"plan\s+(?:"
    r"annuel\s+(?:de\s+mise\s+en\s+accessibilite|d'accessibilite)(?:\s+numerique)?"
    r"|annuel(?=\s+20\d\d)"
    r"|(?:(20\d\d)\s+)?d'actions?(?:\s+(?:de\s+mise\s+en\s+accessibilite|d'accessibilite))?"
    r")" + _YEARS
)
SCHEMA_MAX_YEARS = 3  # a schéma pluriannuel covers at most three years
PLAN_MAX_SPAN = 1  # an annual plan: one year, or two calendar years (2025-2026)
_THRESHOLDS = {"totalement": (100.0, 100.0), "partiellement": (50.0, 99.99), "non": (0.0, 49.99)}


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a statement: the (normalised) heading above it, its text, its links."""

    heading: str
    text: str
    links: tuple[Link, ...]


def sections(doc: Doc) -> list[Section]:
    """The page cut at its headings, in document order (a PDF is one section)."""
    body = doc.tree.body if doc.tree is not None else None
    if body is None:
        return [Section("", doc.text, tuple(doc.links))]
    out: list[Section] = []
    heading = ""
    parts: list[str] = []
    links: list[Link] = []

    def flush() -> None:
        if heading or parts or links:
            out.append(Section(heading, " ".join(" ".join(parts).split()), tuple(links)))

    for node in body.traverse(include_text=True):
        tag = node.tag
        if tag in _HEADING_TAGS:
            flush()
            heading, parts, links = fold_document(node.text(separator=" ")), [], []
        elif tag == "-text":
            parent, depth, hidden = node.parent, 0, False
            while parent is not None and depth < 8:
                if parent.tag in _HEADING_TAGS or parent.tag in _HIDDEN:
                    hidden = True
                    break
                parent, depth = parent.parent, depth + 1
            if not hidden:
                parts.append(node.text_content or "")
        elif tag in ("a", "area"):
            href = (node.attributes.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                try:
                    url = urljoin(doc.url, href)
                except ValueError:
                    continue
                links.append(Link(url, " ".join(node.text(separator=" ").split())))
    flush()
    return out


def _model_heading(heading: str) -> str | None:
    for model in MODEL_HEADINGS:
        if model in heading or fuzz.ratio(model, heading) >= 80:
            return model
    return None


def _scope(parts: list[Section], names: tuple[str, ...], before: str | None = None) -> str:
    """The text of the sections under the given model headings (and of those before the
    heading ``before``); the whole text when the page has none of them."""
    models = [_model_heading(p.heading) for p in parts]
    chosen = [p.text for p, m in zip(parts, models, strict=True) if m in names]
    if before is not None and before in models:
        chosen = [p.text for p in parts[: models.index(before)]] + chosen
    if not any(m in names for m in models):
        return " ".join(p.text for p in parts)
    return " ".join(chosen)


@dataclass(frozen=True, slots=True)
class Standard:
    name: str  # "RGAA" | "WCAG"
    version: str | None
    text: str


@dataclass(frozen=True, slots=True)
class NamedDocument:
    """A schéma pluriannuel or an action plan named on the statement, with its years."""

    years: tuple[int, ...]
    valid: bool
    text: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class StatementFacts:
    """What an accessibility statement says, read on its text, headings and links."""

    status: str | None = None
    status_text: str | None = None
    rate: float | None = None
    rate_text: str | None = None
    standard: Standard | None = None
    audit_date: date | None = None
    audit_text: str | None = None
    update_date: date | None = None
    auditor: str | None = None
    article: bool = False
    unavailable: str | None = None
    contact_email: str | None = None
    contact_form: str | None = None
    defender: bool = False
    schema: NamedDocument | None = None
    plan: NamedDocument | None = None
    model_headings: int = 0

    @property
    def is_statement(self) -> bool:
        """A statement declares a status or a rate, or follows the model's headings; a
        page that only announces a future audit does none of these."""
        return self.status is not None or self.rate is not None or self.model_headings >= 2


def _date_of(match: re.Match[str], first: int) -> date | None:
    day, month, year, dnum, mnum, ynum, yiso, miso, diso = match.groups()[first : first + 9]
    try:
        if year:
            return date(int(year), MONTHS[month], int(day) if day else 1)
        if ynum:
            return date(int(ynum), int(mnum), int(dnum))
        return date(int(yiso), int(miso), int(diso))
    except ValueError:
        return None


def _dated(
    folded: Folded, patterns: Iterable[re.Pattern[str]], as_of: date
) -> tuple[date, str] | None:
    for pattern in patterns:
        for match in pattern.finditer(folded.text):
            when = _date_of(match, 0)
            if when is None or when == LAW_DATE or when > as_of:
                continue
            return when, folded.quote(match.start(), match.end())
    return None


def audit_date(folded: Folded, as_of: date) -> tuple[date, str] | None:
    """The date the statement was made (« réalisée le 23 septembre 2020 », « établie le
    1er janvier 2024 », else « en mars 2024 », « du 15 février 2024 »), found on the
    normalised text (:func:`fold_traced`) and quoted as written; the law's own date and
    dates after ``as_of`` are not it."""
    text = folded.text
    weak = [
        m
        for m in _AUDIT_WEAK.finditer(text)
        if not re.search(r"(?:mise?s?\s+a\s+jour|actualisee?s?|modifiee?s?)\s*$", text[: m.start()])
    ]
    found = _dated(folded, (_AUDIT_STRONG,), as_of)
    if found is not None:
        return found
    for match in weak:
        when = _date_of(match, 0)
        if when is not None and when != LAW_DATE and when <= as_of:
            return when, folded.quote(match.start(), match.end())
    return None


def update_date(folded: Folded, as_of: date) -> date | None:
    """The date of the last update (« mise à jour le 10 avril 2024 »)."""
    found = _dated(folded, (_UPDATE,), as_of)
    return found[0] if found else None


def compliance_rate(folded: Folded) -> tuple[float, str] | None:
    """The current conformance rate, found on the normalised text (:func:`fold_traced`)
    and quoted as written: the last rate written, the average rate (« taux moyen »)
    excluded."""
    found: list[tuple[int, float, str]] = []
    for pattern in _RATES:
        for match in pattern.finditer(folded.text):
            if "avg" in pattern.groupindex and match.group("avg"):
                continue
            number = next(g for g in reversed(match.groups()) if g is not None)
            value = float(number.replace(",", "."))
            if value <= 100:
                quote = excerpt(folded, match.start(), match.end(), before=20, after=20)
                found.append((match.end(), value, quote))
    if not found:
        return None
    _, value, quote = max(found)
    return value, quote


def standard(folded: Folded) -> Standard | None:
    """The standard named (« RGAA version 4.1.2 », « RGAA v4.1.1 », « WCAG »), the most
    precise first, found on the normalised text (:func:`fold_traced`) and quoted as
    written."""
    best: Standard | None = None
    for match in _STANDARD.finditer(folded.text):
        name = (match.group(1) or match.group(4)).upper()
        version = match.group(2) or match.group(3)
        quote = folded.quote(match.start(), match.end())
        found = Standard(name, version.replace(",", ".") if version else None, quote)
        if version:
            return found
        best = best or found
    return best


def auditor(raw: str) -> str | None:
    """The auditor's name (« réalisé par la société ABC »), on the page's own text (its
    capitals mark the name)."""
    match = _AUDITOR.search(raw)
    return match.group(1).strip() if match else None


def mentions_article(text: str) -> bool:
    """Does the statement cite article 47 of loi n° 2005-102 (normalised text)?"""
    return _ARTICLE.search(text) is not None


def _email(raw: str) -> str | None:
    match = _EMAIL.search(_AT.sub("@", raw))
    return match.group(0) if match else None


def _mailto(links: Iterable[Link]) -> str | None:
    for link in links:
        if link.url.lower().startswith("mailto:"):
            address = unquote(link.url[7:].split("?", 1)[0]).strip()
            if _EMAIL.fullmatch(address):
                return address
    return None


def _form(links: Iterable[Link]) -> str | None:
    for link in links:
        if link.url.lower().startswith(("mailto:", "tel:")):
            continue
        if _FORM_WORDS.search(fold_document(f"{link.text} {urlsplit(link.url).path}")):
            return link.url
    return None


def contact(parts: list[Section]) -> tuple[str | None, str | None]:
    """(e-mail, form URL) to report a defect: in « Retour d'information et contact » when
    the page follows the model, else anywhere on the page."""
    models = [_model_heading(p.heading) for p in parts]
    chosen = [
        p
        for p, m in zip(parts, models, strict=True)
        if m == "retour d'information et contact" or (m is None and "contact" in p.heading)
    ]
    if not chosen:
        if sum(1 for m in set(models) if m) >= 2:
            return None, None
        chosen = parts
    links = [link for p in chosen for link in p.links]
    email = next((e for e in (_email(p.text) for p in chosen) if e), None) or _mailto(links)
    return email, _form(links)


def _years(*groups: str | None) -> tuple[int, ...]:
    return tuple(sorted({int(g) for g in groups if g}))


def schema_valid(years: Iterable[int], as_of: date) -> bool:
    """A schéma covers at most three years, and covers the reference date."""
    found = sorted(years)
    if not found:
        return False
    return found[-1] - found[0] <= SCHEMA_MAX_YEARS and found[0] <= as_of.year <= found[-1]


def plan_valid(years: Iterable[int], as_of: date) -> bool:
    """An action plan is annual (one year, or two calendar years) and is the plan of the
    current or of the next year."""
    found = sorted(years)
    if not found or found[-1] - found[0] > PLAN_MAX_SPAN:
        return False
    return any(y in (as_of.year, as_of.year + 1) for y in range(found[0], found[-1] + 1))


def named_document(
    pattern: re.Pattern[str], folded: Folded, links: Iterable[Link], as_of: date, kind: str
) -> NamedDocument | None:
    """The schéma (``kind="schema"``) or plan named on the statement: a link whose text
    names it (years from its text, else from its file name), else the text itself (found
    on its normalised form, quoted as written)."""
    valid = schema_valid if kind == "schema" else plan_valid
    best: NamedDocument | None = None
    for link in links:
        label = fold_document(link.text)
        match = pattern.search(label)
        if match is None:
            continue
        years = _years(*match.groups()) or _years(
            *re.findall(r"(?<!\d)(20\d\d)(?!\d)", urlsplit(link.url).path.rsplit("/", 1)[-1])
        )
        found = NamedDocument(years, valid(years, as_of), link.text, link.url)
        if best is None or found.years > best.years:
            best = found
    if best is not None:
        return best
    for match in pattern.finditer(folded.text):
        years = _years(*match.groups())
        found = NamedDocument(years, valid(years, as_of), folded.quote(match.start(), match.end()))
        if best is None or found.years > best.years:
            best = found
    return best


def read_statement(docs: Iterable[Doc], as_of: date) -> StatementFacts:
    """Everything the checks read in an accessibility statement (HTML pages and PDFs)."""
    docs = list(docs)
    parts = [part for doc in docs for part in sections(doc)]
    folded = fold_traced(" \n ".join(doc.text for doc in docs))  # headings included
    text = folded.text
    links = [link for p in parts for link in p.links]
    models = {m for m in (_model_heading(p.heading) for p in parts) if m}
    dating = fold_traced(
        _scope(
            parts,
            (
                "etablissement de cette declaration d'accessibilite",
                "etat de conformite",
                "resultats des tests",
            ),
            before="etat de conformite",
        )
    )
    results = fold_traced(_scope(parts, ("resultats des tests", "etat de conformite")))
    status = _STATUS.search(text)
    rate = compliance_rate(results)
    audit = audit_date(dating, as_of)
    unavailable = re.search(r"contenus? non accessibles?|non-conformites|derogations", text)
    email, form = contact(parts)
    return StatementFacts(
        status=status.group(1) if status else None,
        status_text=excerpt(folded, status.start(), status.end(), before=30, after=30)
        if status
        else None,
        rate=rate[0] if rate else None,
        rate_text=rate[1] if rate else None,
        standard=standard(folded),
        audit_date=audit[0] if audit else None,
        audit_text=audit[1] if audit else None,
        update_date=update_date(dating, as_of),
        auditor=auditor(_scope(parts, ("resultats des tests",))),
        article=mentions_article(text),
        unavailable=folded.quote(*unavailable.span()) if unavailable else None,
        contact_email=email,
        contact_form=form,
        defender="defenseur des droits" in text,
        schema=named_document(SCHEMA, folded, links, as_of, "schema"),
        plan=named_document(PLAN, folded, links, as_of, "plan"),
        model_headings=len(models),
    )


@dataclass(frozen=True, slots=True)
class StatementItem:
    key: str
    label: str
    credit: float  # 0, 0.5 or 1
    text: str | None = None
    note: str | None = None


def statement_docs(subject: Subject) -> list[Doc]:
    kinds = ("accessibility", "accessibility_document", "accessibility_plan")
    return [d for d in (subject.kind_doc(k) for k in kinds) if d is not None and d.text]


def _date_item(facts: StatementFacts, as_of: date, max_years: float) -> StatementItem:
    label = "date de la déclaration"
    dates = [d for d in (facts.audit_date, facts.update_date) if d is not None]
    if not dates:
        return StatementItem("date", label, 0, None, "ni « réalisée le » ni « établie le »")
    when = max(dates)
    age = (as_of - when).days / 365.25
    kind = "mise à jour" if when == facts.update_date and when != facts.audit_date else "audit"
    if age < max_years:
        return StatementItem(
            "date",
            label,
            1,
            facts.audit_text,
            f"{kind} du {when.isoformat()}, {fr.number(age, 1)} {fr.plural(fr.rounded(age, 1), 'an')}",
        )
    return StatementItem(
        "date", label, 0, facts.audit_text, f"{when.isoformat()} : plus de {max_years:g} ans"
    )


def _status_item(facts: StatementFacts, home_status: str | None) -> StatementItem:
    label = "statut cohérent avec l'accueil"
    status, quote, rate = facts.status, facts.status_text, facts.rate
    if status is None:
        return StatementItem("status", label, 0, None, "aucun statut dans la déclaration")
    if home_status is not None and status != home_status:
        return StatementItem(
            "status",
            label,
            0,
            quote,
            f"déclaration « {status} conforme », accueil « {home_status} conforme »",
        )
    if rate is not None:
        low, high = _THRESHOLDS[status]
        if not low <= rate <= high:
            return StatementItem(
                "status",
                label,
                0,
                quote,
                f"« {status} conforme » incompatible avec un taux de {rate:g} %",
            )
    note = f"« {status} conforme »" + ("" if home_status else " (pas de mention en accueil)")
    return StatementItem("status", label, 1, quote, note)


def _span(years: tuple[int, ...]) -> str:
    return "-".join(str(y) for y in (years[0], years[-1]) if y) if years else "non daté"


def _plans(facts: StatementFacts, as_of: date) -> StatementItem:
    label = "schéma pluriannuel et plan d'action"
    credit, notes, quotes = 0.0, [], []
    schema, plan = facts.schema, facts.plan
    if schema is None:
        notes.append("pas de schéma pluriannuel")
    else:
        quotes.append(schema.text)
        if schema.valid:
            credit += 0.5
            notes.append(f"schéma {_span(schema.years)}")
        elif not schema.years:
            notes.append("schéma non daté")
        else:
            notes.append(
                f"schéma {_span(schema.years)} non valable en {as_of.year} "
                f"(au plus {SCHEMA_MAX_YEARS} ans, couvrant l'année en cours)"
            )
    if plan is not None and plan.valid:
        credit += 0.5
        quotes.append(plan.text)
        notes.append(f"plan d'action {_span(plan.years)}")
    elif plan is not None:
        quotes.append(plan.text)
        notes.append(
            f"plan d'action {_span(plan.years)} : ni de {as_of.year} ni de {as_of.year + 1}"
        )
    else:
        notes.append(f"pas de plan d'action {as_of.year} ou {as_of.year + 1}")
    return StatementItem("plans", label, credit, " … ".join(quotes) or None, ", ".join(notes))


def statement_items(
    facts: StatementFacts,
    home_status: str | None,
    as_of: date,
    max_years: float,
    emails: bool = False,
) -> list[StatementItem]:
    """The 8 items of an accessibility statement."""
    rgaa = facts.standard
    rgaa_ok = rgaa is not None and rgaa.name == "RGAA" and (rgaa.version or "").startswith("4.1")
    unavailable = facts.unavailable
    if unavailable is None and facts.status == "totalement":
        unavailable = facts.status_text  # a fully conformant site has nothing to list
    contact_text = facts.contact_email or facts.contact_form
    return [
        _date_item(facts, as_of, max_years),
        _status_item(facts, home_status),
        StatementItem(
            "rate",
            "taux de conformité",
            1 if facts.rate is not None else 0,
            facts.rate_text,
            f"{facts.rate:g} %" if facts.rate is not None else None,
        ),
        StatementItem(
            "rgaa",
            "version du RGAA (4.1)",
            1 if rgaa_ok else 0,
            rgaa.text if rgaa else None,
            None if rgaa_ok or rgaa is None else "version du RGAA absente ou ancienne",
        ),
        StatementItem(
            "unavailable", "contenus non accessibles", 1 if unavailable else 0, unavailable
        ),
        StatementItem(
            "contact",
            "contact pour signaler un défaut",
            1 if (contact_text or emails) else 0,
            contact_text,
        ),
        StatementItem(
            "defender",
            "Défenseur des droits",
            1 if facts.defender else 0,
            "Défenseur des droits" if facts.defender else None,
        ),
        _plans(facts, as_of),
    ]


def _evidence(items: Iterable[StatementItem], url: str) -> list[Evidence]:
    out = []
    for item in items:
        state = "trouvé" if item.credit >= 1 else "en partie" if item.credit > 0 else "absent"
        note = f"{item.label} : {state}" + (f" ({item.note})" if item.note else "")
        out.append(Evidence(url=url, text=item.text, note=note))
    return out


@check("conformite.accessibilite_declaration", version="1")
def accessibility_statement(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    docs = statement_docs(subject)
    mention = home_mention(subject)
    if not docs:
        if mention is not None and mention.link is not None and subject.site is not None:
            host = mention.link.host
            if host and host != (subject.site_host or ""):
                return not_measurable(
                    f"La déclaration d'accessibilité est publiée sur un autre site ({host}), non capturé.",
                    [Evidence(url=mention.link.url, text=mention.link.text)],
                )
            fetched = subject.site.pages.get("accessibility")
            if fetched is None:
                return not_measurable(
                    "Déclaration d'accessibilité liée mais non capturée (lien ajouté par JavaScript "
                    "ou budget de la collecte épuisé).",
                    [Evidence(url=mention.link.url, text=mention.link.text)],
                )
            return scored(
                0,
                [
                    Evidence(
                        url=fetched.final_url, header=f"HTTP {fetched.status}", note=fetched.error
                    )
                ],
                reason="Page de déclaration d'accessibilité liée mais illisible ou en erreur.",
            )
        return scored(0, reason="Aucune déclaration d'accessibilité trouvée.")
    facts = read_statement(docs, subject.as_of)
    if not facts.is_statement:
        return scored(
            0,
            [Evidence(url=d.url, text=d.title or None, note="page lue") for d in docs],
            reason="Page « Accessibilité » sans déclaration : ni statut de conformité, ni taux, "
            "ni rubriques du modèle de déclaration (un audit annoncé n'est pas une déclaration).",
        )
    max_years = float(params.get("max_age_years", 3))
    items = statement_items(facts, mention.status if mention else None, subject.as_of, max_years)
    value = sum(i.credit for i in items) / len(items)
    missing = [i.label for i in items if i.credit < 1]
    urls = ", ".join(d.url for d in docs)
    reason = (
        "Déclaration d'accessibilité complète."
        if not missing
        else "Déclaration d'accessibilité : manque " + ", ".join(missing) + "."
    )
    return scored(
        value,
        [*_evidence(items, docs[0].url), Evidence(text=urls, note="documents lus")],
        reason=reason,
    )


# --- L3 automatable RGAA tests --------------------------------------------------------

WEIGHTS = {
    "lang": 1.0,
    "title": 1.0,
    "image-alt": 1.0,
    "form-label": 1.0,
    "viewport-zoom": 1.0,
    "meta-refresh": 1.0,
}
ELEMENT_RULES = {
    "image-alt",
    "frame-title",
    "form-label",
    "empty-link",
    "headings",
    "pdf-alternative",
}
IMPACTS = {"critical": 1.0, "serious": 0.75, "moderate": 0.5, "minor": 0.25}
RISK_NOTE = (
    "indicateur de risque : défauts détectables automatiquement, pas un taux de conformité RGAA"
)


def page_density(results: Iterable[RuleResult]) -> float:
    total = failed = 0.0
    for result in results:
        if result.passed is None:
            continue
        weight = WEIGHTS.get(result.rule, 0.5)
        total += weight
        if result.passed is False:
            saturation = 3 if result.rule in ELEMENT_RULES else 1
            failed += weight * min(1.0, max(1, result.count) / saturation)
    return failed / total if total else 0.0


def axe_density(violations: Iterable[Mapping[str, Any]]) -> float:
    total = sum(
        IMPACTS.get(str(v.get("impact")), 0.5) * min(1.0, int(v.get("nodes") or 1) / 5)
        for v in violations
    )
    return min(1.0, total / 5)


def _l3_pages(subject: Subject) -> list[tuple[str, Doc]]:
    out = []
    home = subject.home_doc
    if home is not None:
        out.append(("accueil", home))
    for kind in ("contact", "news", "procedures"):
        doc = subject.kind_doc(kind)
        if doc is not None and not doc.is_pdf and doc.tree is not None:
            out.append((kind, doc))
    return out


@check("conformite.rgaa_automatique", version="1")
def automatic_rgaa(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    pages = _l3_pages(subject)
    if not pages:
        return not_measurable("Aucune page HTML lisible pour les tests automatiques.")
    evidence: list[Evidence] = []
    densities = []
    failures = 0
    for kind, doc in pages:
        results = static_rules(doc, doc.html())
        densities.append(page_density(results))
        for result in results:
            if result.passed is False:
                failures += 1
                evidence.append(
                    Evidence(
                        url=doc.url,
                        selector=result.selector,
                        note=f"RGAA {result.rgaa} ({result.rule}, {kind}) : {result.detail}",
                    )
                )
    static = sum(densities) / len(densities)
    render = subject.site.render("desktop") if subject.site is not None else None
    violations = (
        list(render.get("axe_violations") or []) if render and render.get("outcome") == "ok" else []
    )
    if render is not None and render.get("outcome") == "ok":
        axe = axe_density(violations)
        penalty = 0.6 * static + 0.4 * axe
        for violation in violations[:10]:
            evidence.append(
                Evidence(
                    url=str(render.get("final_url") or render.get("url")),
                    selector=", ".join(violation.get("targets") or [])[:200] or None,
                    note=(
                        f"axe-core {violation.get('id')} ({violation.get('impact')}, "
                        f"{fr.count(int(violation.get('nodes') or 0), 'élément')}) : "
                        f"{violation.get('help')}"
                    ),
                )
            )
        source = (
            f"{fr.count(len(pages), 'page')} en statique et rendu axe-core "
            f"({fr.count(len(violations), 'règle')} en échec)"
        )
    else:
        penalty = static
        source = f"{fr.count(len(pages), 'page')} en statique, sans rendu navigateur"
    evidence.append(Evidence(note=RISK_NOTE))
    value = 1 - min(1.0, penalty)
    reason = (
        f"Défauts détectables automatiquement : "
        f"{fr.count(failures, 'test statique', 'tests statiques')} en échec sur {source}. "
        "Indicateur de risque, pas un taux de conformité RGAA."
    )
    return scored(value, evidence, reason=reason)
