"""Unit tests of the legal checks (L1–L9) and of the static RGAA rules, on inline HTML."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from barometre.checks.accessibility import (
    accessibility_mention,
    accessibility_statement,
    automatic_rgaa,
    find_mention,
    fuzzy_mention,
)
from barometre.checks.dates import parse_date
from barometre.checks.html import Doc
from barometre.checks.legal import acts, budget, legal_notice
from barometre.checks.privacy import consent, grade, privacy, trackers
from barometre.checks.rgaa import RuleResult, static_rules
from barometre.checks.subject import Subject
from barometre.models import (
    Authority,
    AuthorityKind,
    FetchOutcome,
    Page,
    SiteArchive,
    Status,
    Website,
)
from barometre.vocab.text import fold_document

AS_OF = date(2025, 3, 20)
HOST = "https://www.commune-test.test"


def page(path: str, html: str, content_type: str = "text/html") -> Page:
    url = HOST + path
    return Page(url, url, FetchOutcome.OK, 200, content_type, text=html, body=html.encode())


def html_page(body: str, head: str = "<title>Test</title>", lang: str = "fr") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


def subject(
    home_body: str,
    *,
    head: str = "<title>Commune-Test</title>",
    pages: Mapping[str, Page] | None = None,
    renders: tuple[Mapping[str, Any], ...] = (),
    population: int = 5000,
) -> Subject:
    authority = Authority(
        AuthorityKind.COMMUNE,
        "99999",
        "Commune-Test",
        population=population,
        websites=(Website(HOST + "/", "www.commune-test.test", "test", True),),
    )
    home = page("/", html_page(home_body, head))
    site = SiteArchive(
        authority.id,
        HOST + "/",
        FetchOutcome.OK,
        datetime(2025, 3, 20, tzinfo=UTC),
        home=home,
        pages=dict(pages or {}),
        renders=renders,
    )
    return Subject(authority, site, AS_OF)


FOOTER = '<footer><a href="/mentions-legales/">Mentions légales</a> | {}</footer>'


# --- normalisation, mention and dates ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Accessibilité : partiellement conforme", "partiellement"),
        ("Accessibilité\u00a0: totalement conforme", "totalement"),
        ("Accessibilité\u202f: non conforme", "non"),
        ("ACCESSIBILITE : NON CONFORME", "non"),
        ("Accessibilite: partiellement conforme", "partiellement"),
        ("Accessibilité numérique : partiellement conforme", "partiellement"),
        ("Accessibilite numerique\u00a0:\u00a0non conforme", "non"),
    ],
)
def test_mention_variants(text: str, status: str) -> None:
    found = find_mention(f"Pied de page – {text} – Plan du site")
    assert found is not None
    assert found[0] == status


def test_mention_absent_and_fuzzy_fallback() -> None:
    assert find_mention("Déclaration d'accessibilité") is None
    assert find_mention("Accessibilité : conforme") is None
    # Typo the regex misses, the fuzzy fallback (≥ 0.9) catches.
    fuzzy = fuzzy_mention("Mentions légales | Accessibilité : partiellement conformee")
    assert fuzzy is not None and fuzzy[0] == "partiellement"
    assert fuzzy_mention("Mentions légales | Plan du site | Contact") is None


def test_normalise_keeps_punctuation() -> None:
    assert fold_document("Accessibilité\u202f: 54\u00a0%") == "accessibilite : 54 %"
    assert fold_document("« Défenseur des droits »") == '" defenseur des droits "'
    assert fold_document("accessi-\nbilité") == "accessibilite"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("établie le 12 mars 2024.", date(2024, 3, 12)),
        ("établie le 1er février 2023", date(2023, 2, 1)),
        ("le 12/03/2024", date(2024, 3, 12)),
        ("le 2024-03-12", date(2024, 3, 12)),
        ("le 5 décembre 2022", date(2022, 12, 5)),
        ("le 31/02/2024 puis le 3 août 2024", date(2024, 8, 3)),
        ("aucune date ici", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


# --- L1 ---------------------------------------------------------------------------


def test_l1_mention_and_link_passes_and_records_status() -> None:
    link = '<a href="/accessibilite/">Accessibilité : non conforme</a>'
    verdict = accessibility_mention(subject(FOOTER.format(link)), {})
    assert verdict.status is Status.PASS
    assert any("non conforme" in (e.note or "") for e in verdict.evidence)
    assert "pas une conformité" in (verdict.reason or "")


def test_l1_link_only_and_mention_only_are_half() -> None:
    link_only = accessibility_mention(
        subject(FOOTER.format('<a href="/a11y/">Accessibilité</a>')), {}
    )
    assert link_only.value == 0.5
    text_only = accessibility_mention(
        subject(FOOTER.format("Accessibilité : partiellement conforme")), {}
    )
    assert text_only.value == 0.5
    assert "sans lien" in (text_only.reason or "")


def test_l1_none() -> None:
    verdict = accessibility_mention(subject(FOOTER.format("Plan du site")), {})
    assert verdict.status is Status.FAIL


# --- L2 ---------------------------------------------------------------------------

STATEMENT = """<main><h1>Déclaration d'accessibilité</h1>
<p>Le site est <strong>partiellement conforme</strong> avec le RGAA version 4.1.</p>
<p>L'audit révèle que 62 % des critères du RGAA sont respectés.</p>
<h2>Contenus non accessibles</h2><p>Contrastes insuffisants.</p>
<p>Cette déclaration a été établie le {date}.</p>
<p>Contact : <a href="mailto:a11y@commune-test.test">a11y@commune-test.test</a></p>
<p>Vous pouvez saisir le Défenseur des droits.</p>
{plans}</main>"""
PLANS = "<p>Schéma pluriannuel 2024-2026 et plan d'action 2025.</p>"


def _statement_subject(date_text: str, plans: str, home_status: str = "partiellement") -> Subject:
    footer = FOOTER.format(f'<a href="/accessibilite/">Accessibilité : {home_status} conforme</a>')
    statement = page("/accessibilite/", html_page(STATEMENT.format(date=date_text, plans=plans)))
    return subject(footer, pages={"accessibility": statement})


def test_l2_complete_statement() -> None:
    verdict = accessibility_statement(
        _statement_subject("12 mars 2024", PLANS), {"max_age_years": 3}
    )
    assert verdict.status is Status.PASS, verdict.reason


def test_l2_old_date_missing_plans_and_inconsistent_status() -> None:
    verdict = accessibility_statement(
        _statement_subject("12/03/2021", "", home_status="totalement"), {"max_age_years": 3}
    )
    # date, status and plans are missing: 5 of 8.
    assert verdict.value == pytest.approx(5 / 8, abs=1e-3)
    notes = " ".join(e.note or "" for e in verdict.evidence)
    assert "plus de 3 ans" in notes
    assert "accueil « totalement conforme »" in notes


def test_l2_half_credit_for_schema_only() -> None:
    verdict = accessibility_statement(
        _statement_subject("2024-03-12", "<p>Schéma pluriannuel 2023-2025.</p>"), {}
    )
    assert verdict.value == pytest.approx(7.5 / 8, abs=1e-3)


def test_l2_status_contradicting_rate() -> None:
    html = STATEMENT.format(date="12 mars 2024", plans=PLANS).replace("62 %", "30 %")
    statement = page("/accessibilite/", html_page(html))
    footer = FOOTER.format('<a href="/accessibilite/">Accessibilité : partiellement conforme</a>')
    verdict = accessibility_statement(subject(footer, pages={"accessibility": statement}), {})
    assert verdict.value == pytest.approx(7 / 8, abs=1e-3)


def test_l2_no_statement() -> None:
    verdict = accessibility_statement(subject(FOOTER.format("")), {})
    assert verdict.status is Status.FAIL


# --- rgaa.static_rules and L3 -----------------------------------------------------------

GOOD = """<a href="#contenu">Aller au contenu</a><header><nav><a href="/">Accueil</a></nav></header>
<main id="contenu"><h1>Titre</h1><h2>Sous-titre</h2><img src="a.png" alt="">
<form><label for="q">Rechercher</label><input id="q" type="search"><input type="submit" value="OK"></form>
<iframe src="https://video.test/x" title="Vidéo"></iframe>
<p><a href="/doc.pdf">Rapport (PDF)</a> – <a href="/rapport/">version HTML</a></p></main>"""
BAD = """<nav><a href="/"></a></nav><h2>Sans h1</h2><h4>Saut</h4><img src="a.png"><img src="b.png">
<input type="text" name="q"><iframe src="https://video.test/x"></iframe><p><a href="/doc.pdf">Rapport</a></p>"""


def _rules(
    body: str, head: str = "<title>T</title>", lang: str = "fr", doctype: bool = True
) -> dict[str, RuleResult]:
    html = html_page(body, head, lang)
    if not doctype:
        html = html.replace("<!DOCTYPE html>", "")
    doc = Doc(page("/", html))
    return {r.rule: r for r in static_rules(doc, html)}


def test_static_rules_all_pass() -> None:
    rules = _rules(
        GOOD, '<title>T</title><meta name="viewport" content="width=device-width, initial-scale=1">'
    )
    assert len(rules) == 13
    failed = [r.rule for r in rules.values() if r.passed is False]
    assert failed == []
    assert rules["meta-refresh"].passed is True
    assert rules["image-alt"].rgaa == "1.1"


def test_static_rules_failures_and_counts() -> None:
    head = '<title></title><meta name="viewport" content="width=device-width, user-scalable=no"><meta http-equiv="refresh" content="30">'
    rules = _rules(BAD, head, lang="", doctype=False)
    for rule in (
        "lang",
        "title",
        "doctype",
        "image-alt",
        "frame-title",
        "skip-link",
        "headings",
        "landmarks",
        "form-label",
        "empty-link",
        "viewport-zoom",
        "meta-refresh",
        "pdf-alternative",
    ):
        assert rules[rule].passed is False, rule
    assert rules["image-alt"].count == 2
    assert rules["headings"].count == 2  # no h1, one skipped level


def test_static_rules_not_applicable_and_invalid_lang() -> None:
    rules = _rules("<main><h1>T</h1></main>", lang="français")
    assert rules["lang"].passed is False
    assert rules["image-alt"].passed is None
    assert rules["form-label"].passed is None
    assert rules["pdf-alternative"].passed is None


def test_static_rules_skip_pdf() -> None:
    pdf = Page(
        HOST + "/a.pdf", HOST + "/a.pdf", FetchOutcome.OK, 200, "application/pdf", body=b"%PDF-1.4"
    )
    assert static_rules(Doc(pdf), "") == []


def test_l3_is_a_risk_indicator_and_uses_axe() -> None:
    render = {
        "viewport": "desktop",
        "outcome": "ok",
        "url": HOST + "/",
        "requests": [],
        "axe_violations": [
            {
                "id": "color-contrast",
                "impact": "serious",
                "help": "Contraste",
                "nodes": 10,
                "targets": ["a"],
            }
        ],
    }
    good = automatic_rgaa(subject(GOOD), {})
    with_axe = automatic_rgaa(subject(GOOD, renders=(render,)), {})
    bad = automatic_rgaa(subject(BAD), {})
    assert "pas un taux de conformité" in (good.reason or "")
    assert good.value is not None and with_axe.value is not None and bad.value is not None
    assert with_axe.value < good.value
    assert bad.value < good.value


# --- L4 ---------------------------------------------------------------------------

LEGAL = """<main><h1>Mentions légales</h1>
<h2>Éditeur du site</h2><p>Commune-Test, 1 place de la Mairie, 99999 Commune-Test. Tél. 01 99 99 99 99</p>
<h2>Directeur de la publication</h2><p>Mme Test, maire</p>
<h2>Hébergement</h2><p>{host}</p></main>"""


def _legal(html: str) -> Subject:
    return subject(FOOTER.format(""), pages={"legal": page("/mentions-legales/", html_page(html))})


def test_l4_complete() -> None:
    verdict = legal_notice(
        _legal(LEGAL.format(host="Héberg SAS, 3 rue du Serveur, 99000 Ville")),
        {"page": 0.4, "item": 0.2},
    )
    assert verdict.status is Status.PASS


def test_l4_host_without_address() -> None:
    verdict = legal_notice(_legal(LEGAL.format(host="Héberg SAS")), {"page": 0.4, "item": 0.2})
    assert verdict.value == pytest.approx(0.8, abs=1e-3)


def test_l4_agency_as_publisher_is_not_counted() -> None:
    html = """<main><p>Site édité par l'agence Web Création SARL.</p><p>Directeur de la publication : M. X</p>
    <p>Hébergeur : Héberg SAS, 01 98 76 54 32</p></main>"""
    verdict = legal_notice(_legal(html), {"page": 0.4, "item": 0.2})
    assert verdict.value == pytest.approx(0.8, abs=1e-3)
    assert any("prestataire" in (e.note or "") for e in verdict.evidence)


def test_l4_no_page() -> None:
    assert legal_notice(subject(FOOTER.format("")), {}).status is Status.FAIL


# --- L5 / L6 / L7 -------------------------------------------------------------------

GA_HEAD = '<title>T</title><script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST"></script><script>gtag("config", "G-TEST");</script>'
PRIVACY = """<main><h1>Données personnelles</h1><p>Finalité : répondre à vos demandes. Durée de conservation : 1 an.
Sous-traitant : notre hébergeur. Vos droits d'accès et de rectification. Délégué à la protection des données :
dpo@commune-test.test. Réclamation auprès de la CNIL. {extra}</p></main>"""


def _render(*urls: str) -> dict[str, Any]:
    return {
        "viewport": "desktop",
        "outcome": "ok",
        "url": HOST + "/",
        "requests": [{"url": u, "status": None, "third_party": True} for u in urls],
        "axe_violations": [],
    }


def test_l5_complete_names_trackers() -> None:
    pages = {
        "privacy": page(
            "/donnees/", html_page(PRIVACY.format(extra="Nous utilisons Google Analytics."))
        )
    }
    assert privacy(subject("<p>x</p>", head=GA_HEAD, pages=pages), {}).status is Status.PASS
    pages = {"privacy": page("/donnees/", html_page(PRIVACY.format(extra="")))}
    partial = privacy(subject("<p>x</p>", head=GA_HEAD, pages=pages), {})
    assert partial.value == pytest.approx(7 / 8, abs=1e-3)
    # Found on the folded text, quoted as the page writes it.
    quotes = {e.note: e.text for e in partial.evidence}
    assert quotes["délégué à la protection des données (DPO) : trouvé"] == (
        "Délégué à la protection des données"
    )
    assert quotes["sous-traitant : trouvé"] == "Sous-traitant"
    assert quotes["CNIL : trouvé"] == "CNIL"


def test_l5_without_dpo_or_page() -> None:
    html = (
        PRIVACY.format(extra="")
        .replace("Délégué à la protection des données :", "Contact :")
        .replace("dpo@", "mairie@")
    )
    verdict = privacy(subject("<p>x</p>", pages={"privacy": page("/d/", html_page(html))}), {})
    assert verdict.value == pytest.approx(6 / 7, abs=1e-3)
    assert privacy(subject("<p>x</p>"), {}).status is Status.FAIL


def test_l6_tracker_before_consent_fails() -> None:
    verdict = consent(
        subject(
            "<p>x</p>",
            head=GA_HEAD,
            renders=(_render("https://www.googletagmanager.com/gtag/js?id=G-TEST"),),
        ),
        {},
    )
    assert verdict.status is Status.FAIL


def test_l6_static_fallback_and_not_measurable() -> None:
    inferred = consent(subject("<p>x</p>", head=GA_HEAD), {})
    assert inferred.status is Status.FAIL and inferred.confidence.value == "inferred"
    scripted = '<title>T</title><script src="/theme.js"></script>'
    clean = consent(subject("<p>x</p>", head=scripted), {})
    assert clean.status is Status.NOT_MEASURABLE


def test_l6_cmp_with_and_without_refusal() -> None:
    tac = '<title>T</title><script src="/tarteaucitron/tarteaucitron.js"></script><script>tarteaucitron.init({"DenyAllCta": %s}); tarteaucitron.user.gtagUa = "G-X";</script>'
    params = {"no_pre_consent_tracker": 0.6, "first_layer_refusal": 0.4}
    ok = consent(
        subject(
            "<p>x</p>",
            head=tac % "true",
            renders=(_render(HOST + "/tarteaucitron/tarteaucitron.js"),),
        ),
        params,
    )
    assert ok.status is Status.PASS
    no = consent(subject("<p>x</p>", head=tac % "false", renders=(_render(),)), params)
    assert no.value == pytest.approx(0.6, abs=1e-3)
    banner = '<div id="cookie-banner"><button>Tout accepter</button><button>TOUT   Refuser</button></div>'
    verdict = consent(subject(banner, renders=(_render(),)), params)
    assert verdict.status is Status.PASS
    refusal = [e.text for e in verdict.evidence if e.note == "refus au premier niveau"]
    assert refusal == ["bouton « TOUT Refuser » dans la page"]  # as written, not folded


def test_l6_exempt_analytics_only_needs_no_banner() -> None:
    head = "<title>T</title><script>var _paq = window._paq || []; _paq.push(['trackPageView']);</script>"
    verdict = consent(
        subject("<p>x</p>", head=head, renders=(_render(HOST + "/matomo/matomo.js"),)), {}
    )
    assert verdict.status is Status.PASS


def test_l7_grades() -> None:
    params = {"grades": [[0, 1.0], [2, 0.8], [10, 0.4]], "beyond": 0.0}
    assert [grade(n, params) for n in (0, 1, 2, 3, 10, 11)] == [1.0, 0.8, 0.8, 0.4, 0.4, 0.0]
    head = (
        GA_HEAD
        + "<script>fbq('init', '1'); fbq('track', 'PageView');</script><script src='https://static.hotjar.com/c/hotjar-1.js'></script>"
    )
    verdict = trackers(
        subject(
            "<p>x</p>",
            head=head,
            renders=(_render("https://connect.facebook.net/en_US/fbevents.js"),),
        ),
        params,
    )
    assert verdict.value == pytest.approx(0.4, abs=1e-3)
    assert "Google Analytics" in (verdict.reason or "") and "Meta" in (verdict.reason or "")
    matomo = trackers(
        subject("<p>x</p>", head="<title>T</title><script>_paq.push(['trackPageView'])</script>"),
        params,
    )
    assert matomo.status is Status.PASS and "Matomo" in (matomo.reason or "")


# --- L8 / L9 ----------------------------------------------------------------------------


def _council(items: str) -> Subject:
    html = f"<main><h1>Délibérations</h1><ul>{items}</ul></main>"
    return subject("<p>x</p>", pages={"council": page("/deliberations/", html_page(html))})


@pytest.mark.parametrize(
    ("when", "value"),
    [("14 mars 2025", 1.0), ("2 décembre 2024", 0.5), ("1er juillet 2024", 0.25)],
)
def test_l8_freshness(when: str, value: float) -> None:
    item = f'<li><a href="/d/deliberation-12.pdf">Délibération n° 12 – Tarifs</a> – mis en ligne le {when}</li>'
    verdict = acts(_council(item), {"fresh_days": 90, "stale_days": 180, "low": 0.25})
    assert verdict.value == pytest.approx(value, abs=1e-3)


def test_l8_nothing() -> None:
    assert acts(subject("<p>Bienvenue</p>"), {}).status is Status.FAIL


def test_l9_budget() -> None:
    recent = '<main><a href="/bp-2025.pdf">Budget primitif 2025</a></main>'
    old = '<main><a href="/ca.pdf">Compte administratif 2019</a> (délibération n° 2024-3)</main>'
    pages = {"budget": page("/budget/", html_page(recent))}
    assert budget(subject("<p>x</p>", pages=pages), {}).status is Status.PASS
    debate = "<main><h2>Rapport d’Orientation Budgétaire 2025</h2></main>"
    pages = {"budget": page("/budget/", html_page(debate))}
    quoted = budget(subject("<p>x</p>", pages=pages), {}).evidence
    assert [(e.text, e.note) for e in quoted] == [
        ("Rapport d’Orientation Budgétaire 2025", "document budgétaire 2025"),
        ("Rapport d’Orientation Budgétaire 2025", "« Rapport d’Orientation Budgétaire »"),
    ]
    pages = {"budget": page("/budget/", html_page(old))}
    assert budget(subject("<p>x</p>", pages=pages), {}).value == pytest.approx(0.5, abs=1e-3)
    assert budget(subject("<p>x</p>"), {}).status is Status.FAIL


def test_l6_scriptless_page_needs_no_render() -> None:
    verdict = consent(subject("<p>Bienvenue</p>"), {})
    assert verdict.status is Status.PASS
    assert verdict.confidence.value == "inferred"
