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

from rapidfuzz import fuzz

from barometre.checks.base import Verdict, check, not_measurable, scored
from barometre.checks.html import Doc, Link
from barometre.checks.legal import find_dates, normalise, snippet
from barometre.checks.rgaa import RuleResult, static_rules
from barometre.checks.subject import Subject
from barometre.models import Evidence

MENTION = re.compile(
    r"accessibilit[eé]\s*(?:num[eé]rique\s*)?:\s*(non|partiellement|totalement)\s+conforme"
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
    """(status, matched text) of an « Accessibilité : … conforme » mention, exact first."""
    normal = normalise(text)
    match = MENTION.search(normal)
    if match:
        return match.group(1), snippet(normal, match.start(), match.end(), 0)
    return None


def fuzzy_mention(text: str) -> tuple[str, str] | None:
    normal = normalise(text)
    best: tuple[float, str, str] | None = None
    for status, needle in NEEDLES.items():
        found = fuzz.partial_ratio_alignment(needle, normal, score_cutoff=FUZZY_THRESHOLD)
        if found is not None and (best is None or found.score > best[0]):
            best = (found.score, status, normal[found.dest_start : found.dest_end])
    return (best[1], best[2]) if best else None


def _statement_link(doc: Doc) -> Link | None:
    """The link to the statement: its text is the mention, else « Accessibilité »-like."""
    candidates = [link for link in doc.links if "accessibilit" in normalise(link.text)]
    for link in candidates:
        if find_mention(link.text):
            return link
    for link in candidates:
        text = normalise(link.text)
        if (
            fuzz.ratio(text, "accessibilite") >= FUZZY_THRESHOLD
            or "declaration d'accessibilite" in text
        ):
            return link
    return candidates[0] if candidates else None


def home_mention(subject: Subject) -> Mention | None:
    """The accessibility mention of the home page (static, else rendered), or ``None``."""
    docs = [d for d in (subject.home_doc, subject.rendered_home_doc) if d is not None]
    for doc in docs:
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

_ESTABLISHED = re.compile(
    r"(etablie|etabli|redigee|mise a jour)\s+le\s+|date de (la )?declaration\s*:?\s*"
)
_STATUS = re.compile(r"\b(non|partiellement|totalement)\s+conforme")
_RATE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s?%")
_RGAA = re.compile(
    r"rgaa\)?,?\s*(?:version\s*)?(4[.,]1(?:[.,]\d)?)|version\s*(4[.,]1(?:[.,]\d)?)\s*du\s*rgaa"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SCHEMA = re.compile(r"schema (pluri-?annuel|de mise en accessibilite)")
_PLAN = re.compile(r"plan (d'actions?|annuel)(?: de mise en accessibilite)?[^.]{0,60}?\b(20\d\d)\b")
_YEARS = re.compile(r"\b(20\d\d)\b")
_THRESHOLDS = {"totalement": (100.0, 100.0), "partiellement": (50.0, 99.99), "non": (0.0, 49.99)}


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


def _established(text: str, as_of: date, max_years: float) -> StatementItem:
    for match in _ESTABLISHED.finditer(text):
        window = text[match.end() : match.end() + 40]
        dates = list(find_dates(window))
        if not dates:
            continue
        when, raw = dates[0]
        age = (as_of - when).days / 365.25
        quote = snippet(text, match.start(), match.end() + len(raw), 0)
        if 0 <= age < max_years:
            return StatementItem(
                "date", "date d'établissement", 1, quote, f"{when.isoformat()}, {age:.1f} an(s)"
            )
        return StatementItem(
            "date",
            "date d'établissement",
            0,
            quote,
            f"{when.isoformat()} : plus de {max_years:g} ans",
        )
    return StatementItem("date", "date d'établissement", 0, None, "« établie le » non trouvé")


def _rate(text: str) -> tuple[float, str] | None:
    for match in _RATE.finditer(text):
        around = text[max(0, match.start() - 150) : match.end() + 150]
        if "critere" in around or "conformite" in around or "rgaa" in around or "taux" in around:
            value = float(match.group(1).replace(",", "."))
            if value <= 100:
                return value, snippet(text, match.start(), match.end(), 40)
    return None


def _status_item(text: str, home_status: str | None, rate: float | None) -> StatementItem:
    label = "statut cohérent avec l'accueil"
    match = _STATUS.search(text)
    if match is None:
        return StatementItem("status", label, 0, None, "aucun statut dans la déclaration")
    status = match.group(1)
    quote = snippet(text, match.start(), match.end(), 30)
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


def _plans(text: str, as_of: date, max_years: float) -> StatementItem:
    label = "schéma pluriannuel et plan d'action"
    credit, notes, quotes = 0.0, [], []
    schema = _SCHEMA.search(text)
    if schema:
        window = text[schema.start() : schema.end() + 80]
        years = [int(y) for y in _YEARS.findall(window)]
        quotes.append(snippet(text, schema.start(), schema.end() + 20, 0))
        if not years or max(years) >= as_of.year or min(years) > as_of.year - max_years:
            credit += 0.5
            notes.append(
                "schéma " + ("-".join(map(str, sorted(set(years)))) if years else "non daté")
            )
        else:
            notes.append(f"schéma périmé ({min(years)}-{max(years)})")
    else:
        notes.append("pas de schéma pluriannuel")
    plan = next(
        (m for m in _PLAN.finditer(text) if int(m.group(2)) in (as_of.year, as_of.year - 1)), None
    )
    if plan:
        credit += 0.5
        quotes.append(snippet(text, plan.start(), plan.end(), 0))
        notes.append(f"plan d'action {plan.group(2)}")
    else:
        notes.append(f"pas de plan d'action {as_of.year - 1} ou {as_of.year}")
    return StatementItem("plans", label, credit, " … ".join(quotes) or None, ", ".join(notes))


def statement_items(
    text: str, home_status: str | None, as_of: date, max_years: float, emails: bool = False
) -> list[StatementItem]:
    """The 8 items of an accessibility statement, on its normalised text."""
    rate = _rate(text)
    rgaa = _RGAA.search(text)
    unavailable: re.Match[str] | None = re.search(
        r"contenus? non accessibles?|non-conformites|derogations", text
    )
    status = _STATUS.search(text)
    if unavailable is None and status is not None and status.group(1) == "totalement":
        # A fully conformant site has nothing to list.
        unavailable = status
    email = _EMAIL.search(text)
    form = re.search(r"formulaire de contact|formulaire en ligne|nous contacter|contactez", text)
    defender = re.search(r"defenseur des droits", text)
    return [
        _established(text, as_of, max_years),
        _status_item(text, home_status, rate[0] if rate else None),
        StatementItem("rate", "taux de conformité", 1 if rate else 0, rate[1] if rate else None),
        StatementItem(
            "rgaa", "version du RGAA (4.1)", 1 if rgaa else 0, rgaa.group(0) if rgaa else None
        ),
        StatementItem(
            "unavailable",
            "contenus non accessibles",
            1 if unavailable else 0,
            unavailable.group(0) if unavailable else None,
        ),
        StatementItem(
            "contact",
            "contact pour signaler un défaut",
            1 if (email or form or emails) else 0,
            email.group(0) if email else form.group(0) if form else None,
        ),
        StatementItem(
            "defender",
            "Défenseur des droits",
            1 if defender else 0,
            defender.group(0) if defender else None,
        ),
        _plans(text, as_of, max_years),
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
    text = " \n ".join(normalise(d.text) for d in docs)
    mailto = any(link.url.startswith("mailto:") for d in docs for link in d.links)
    max_years = float(params.get("max_age_years", 3))
    items = statement_items(
        text, mention.status if mention else None, subject.as_of, max_years, mailto
    )
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
                    note=f"axe-core {violation.get('id')} ({violation.get('impact')}, {violation.get('nodes')} élément(s)) : {violation.get('help')}",
                )
            )
        source = f"{len(pages)} page(s) en statique et rendu axe-core ({len(violations)} règle(s) en échec)"
    else:
        penalty = static
        source = f"{len(pages)} page(s) en statique, sans rendu navigateur"
    evidence.append(Evidence(note=RISK_NOTE))
    value = 1 - min(1.0, penalty)
    reason = (
        f"Défauts détectables automatiquement : {failures} test(s) statique(s) en échec sur {source}. "
        "Indicateur de risque, pas un taux de conformité RGAA."
    )
    return scored(value, evidence, reason=reason)
