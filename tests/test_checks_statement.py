"""Unit tests of the accessibility statement reader (L1/L2 rules from issue 12), of the
legal notice's address and emptiness rules (L4) and of the crawl plan's choice of the
statement and privacy pages."""

from __future__ import annotations

from datetime import date

import pytest

from barometre.capture.plan import classify, extract_links
from barometre.checks.accessibility import (
    accessibility_statement,
    audit_date,
    auditor,
    compliance_rate,
    contact,
    find_mention,
    fuzzy_mention,
    mentions_article,
    plan_valid,
    read_statement,
    schema_valid,
    sections,
    standard,
    update_date,
)
from barometre.checks.html import Doc
from barometre.checks.legal import has_address, is_empty, legal_notice
from barometre.models import Status
from barometre.vocab.text import fold_document, fold_traced
from test_checks_legal import FOOTER, html_page, page, subject

AS_OF = date(2025, 3, 20)


def _doc(body: str) -> Doc:
    return Doc(page("/accessibilite/", html_page(body)))


# --- L1 mention ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Accessibilité du site : non conforme", "non"),
        ("Accessibilité (partiellement conforme)", "partiellement"),
        ("Accessibilité partiellement conforme", "partiellement"),
        ("Accessibilité : totalement non conforme", "non"),
        ("Accessibilité : totalement conforme", "totalement"),
    ],
)
def test_mention_wordings(text: str, status: str) -> None:
    found = find_mention(f"Plan du site | {text} | Contact")
    assert found is not None and found[0] == status


def test_mention_refuses_other_words() -> None:
    assert find_mention("Accessibilité de n'importe quoi : totalement conforme") is None
    assert find_mention("Accessibilité conforme") is None
    hit = fuzzy_mention("Accessibilité : totalement non conforme")
    assert hit is None or hit[0] != "totalement"


# --- L2 statement facts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        (
            "le taux de conformité global était de 60,8 % [...] le taux de conformité global est de 70,9 %.",
            70.9,
        ),
        (
            "94,03 % des critères RGAA sont respectés. Le taux moyen de conformité est de 99 %",
            94.03,
        ),
        ("Le taux global de conformité était de 51,43 %, mis à jour à 71,21 %.", 71.21),
        ("taux de conformité globale est de 95 pour cent", 95.0),
        ("Le site compte 12 % de pages en PDF.", None),
    ],
)
def test_current_compliance_rate(text: str, rate: float | None) -> None:
    found = compliance_rate(fold_traced(text))
    assert (found[0] if found else None) == rate
    if found is not None:  # quoted as written, accents and capitals kept
        assert found[1].strip("… ") in text and "conformite" not in found[1]


@pytest.mark.parametrize(
    ("text", "name", "version"),
    [
        ("conforme au RGAA v4.1.1", "RGAA", "4.1.1"),
        (
            "référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.2",
            "RGAA",
            "4.1.2",
        ),
        ("la version 4,1 du RGAA", "RGAA", "4.1"),
        ("des critères WCAG", "WCAG", None),
    ],
)
def test_standard_spellings(text: str, name: str, version: str | None) -> None:
    found = standard(fold_traced(text))
    assert found is not None and (found.name, found.version) == (name, version)
    assert found.text in text and name in found.text  # « RGAA », not « rgaa »


def test_audit_and_update_dates() -> None:
    text = fold_traced(
        "Conformément à la loi n° 2005-102 du 11 février 2005. Elle a été Réalisée le "
        "23\u00a0septembre  2020 et mise à jour le 4 novembre 2024. Prochain audit en mars 2026."
    )
    # Found on the folded text, quoted as written (accents, capitals, one space).
    assert audit_date(text, AS_OF) == (date(2020, 9, 23), "Réalisée le 23 septembre 2020")
    assert update_date(text, AS_OF) == date(2024, 11, 4)
    # The law's date and a date after the reference date are never the audit's.
    assert audit_date(fold_traced("loi n° 2005-102 du 11 février 2005"), AS_OF) is None
    assert audit_date(fold_traced("audit prévu en mars 2026"), AS_OF) is None
    assert audit_date(fold_traced("audit du 35 mai 2024"), AS_OF) is None


def test_auditor_and_article() -> None:
    assert auditor("Audit réalisé le 15 mars 2024 par la Société ABC, qui révèle") == "ABC"
    assert auditor("réalisé par XYZ (cabinet d'audit), sur 10 pages") == "XYZ (cabinet d'audit)"
    assert auditor("par ailleurs vous pouvez compter sur nous") is None
    assert mentions_article(fold_document("art. 47 de la loi numéro 2005-102 du 11 février 2005"))
    assert not mentions_article(fold_document("Contactez-nous"))


def test_contact_is_read_in_the_model_section() -> None:
    structured = _doc(
        "<h2>État de conformité</h2><p>auditeur@agence.test</p>"
        "<h2>Résultats des tests</h2><p>54 %</p>"
    )
    assert contact(sections(structured)) == (None, None)
    model = _doc(
        "<h2>Retour d'information et contact</h2><p>Écrire à a11y(at)commune.test ou "
        '<a href="/aide">Demande d\'assistance</a></p><h2>Voies de recours</h2>'
    )
    assert contact(sections(model)) == ("a11y@commune.test", "https://www.commune-test.test/aide")
    loose = _doc('<p>Un souci ? <a href="mailto:mairie@commune.test?subject=a11y">Écrivez</a></p>')
    assert contact(sections(loose))[0] == "mairie@commune.test"


@pytest.mark.parametrize(
    ("text", "years", "valid"),
    [
        ("schéma annuel d'accessibilité 2025", (2025,), True),
        ("schéma d'accessibilité pluriannuel 2024-2026", (2024, 2026), True),
        ("schéma pluriannuel 2025-2036", (2025, 2036), False),  # more than three years
        ("schéma pluriannuel 2021-2023", (2021, 2023), False),  # over
        ("schéma pluriannuel de mise en accessibilité", (), False),  # undated
    ],
)
def test_schema_years_and_validity(text: str, years: tuple[int, ...], valid: bool) -> None:
    facts = read_statement([_doc(f"<p>{text}</p>")], AS_OF)
    assert facts.schema is not None
    assert (facts.schema.years, facts.schema.valid) == (years, valid)


def test_schema_and_plan_rules() -> None:
    assert read_statement([_doc("<p>schéma annuel accessibilité 2025</p>")], AS_OF).schema is None
    assert schema_valid([2022, 2025], AS_OF) and not schema_valid([2021, 2025], AS_OF)
    assert plan_valid([2025], AS_OF) and plan_valid([2026], AS_OF)
    assert not plan_valid([2024], AS_OF) and not plan_valid([2025, 2035], AS_OF)
    linked = read_statement(
        [_doc('<p><a href="/docs/plan-2026.pdf">Plan annuel d\'accessibilité</a></p>')], AS_OF
    )
    assert linked.plan is not None and linked.plan.years == (2026,) and linked.plan.valid


ANNOUNCEMENT = """<h1>Accessibilité</h1><p>La commune souhaite rendre son site accessible.
Un audit de conformité au RGAA sera réalisé prochainement ; la déclaration sera publiée
ensuite. Contact : mairie@commune-test.test. Défenseur des droits.</p>"""


def test_announcement_is_not_a_statement() -> None:
    facts = read_statement([_doc(ANNOUNCEMENT)], AS_OF)
    assert not facts.is_statement
    footer = FOOTER.format('<a href="/accessibilite/">Accessibilité</a>')
    statement = page("/accessibilite/", html_page(ANNOUNCEMENT))
    verdict = accessibility_statement(subject(footer, pages={"accessibility": statement}), {})
    assert verdict.status is Status.FAIL
    assert "un audit annoncé n'est pas une déclaration" in verdict.reason
    declared = ANNOUNCEMENT.replace("souhaite rendre", "est non conforme ; elle souhaite rendre")
    assert read_statement([_doc(declared)], AS_OF).is_statement


# --- L4 legal notice --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Nuage Ltd, 12 Harbour Road, Dublin 4, D04 X2Y7, Irlande", True),
        ("Serveur GmbH, Industriestr. 25, 91710 Gunzenhausen", True),
        ("Cloud SARL, 38 avenue John F. Kennedy, L-1855 Luxembourg", True),
        ("Web SA, chemin des Crêts 4, 1227 Les Acacias, Suisse", True),
        ("Host Inc., +1 650 319 8930", True),
        ("Héberg SAS", False),
        ("hébergé depuis 2019 chez Nuage SAS", False),
    ],
)
def test_addresses_in_france_and_abroad(text: str, found: bool) -> None:
    assert has_address(fold_document(text)) is found


LEGAL_BARE = "<html><body>{}</body></html>"


def _legal_subject(body: str) -> Doc:
    return Doc(page("/mentions-legales/", LEGAL_BARE.format(body)))


def test_foreign_host_is_a_host_with_address() -> None:
    html = html_page(
        "<main><p>Éditeur : Commune-Test, 1 place de la Mairie, 99000 Commune-Test.</p>"
        "<p>Directeur de la publication : M. X, maire.</p>"
        "<p>Hébergeur : Nuage Ltd, 12 Harbour Road, Dublin 4, D04 X2Y7, Irlande.</p></main>"
    )
    verdict = legal_notice(
        subject(FOOTER.format(""), pages={"legal": page("/mentions-legales/", html)}),
        {"page": 0.4, "item": 0.2},
    )
    assert verdict.status is Status.PASS, verdict.reason


def test_short_real_notice_is_not_empty() -> None:
    short = _legal_subject("<p>Directeur de la publication : le maire.</p>")
    assert len(short.text) < 80 and not is_empty(short)
    assert is_empty(_legal_subject("<div id='app'>Chargement…</div>"))
    legal = page(
        "/mentions-legales/", LEGAL_BARE.format("<p>Directeur de la publication : le maire.</p>")
    )
    verdict = legal_notice(subject(FOOTER.format(""), pages={"legal": legal}), {})
    assert "contenu vide" not in verdict.reason
    assert verdict.value == pytest.approx(0.6, abs=1e-3)


# --- crawl plan ---------------------------------------------------------------------------


def test_statement_link_says_the_most_terms() -> None:
    html = (
        '<a href="/accessibilite">Accessibilité</a><a href="/declaration">Déclaration '
        'd\'accessibilité</a><a href="/declaration-accessibilite">Accessibilité : non conforme</a>'
    )
    plan = classify(extract_links(html, "https://www.commune.test/"), "www.commune.test")
    assert plan.picks["accessibility"].url == "https://www.commune.test/declaration-accessibilite"


def test_cookie_policy_is_not_the_privacy_notice() -> None:
    host = "https://www.commune.test/"
    only = classify(extract_links('<a href="/cookies">Cookies</a>', host), "www.commune.test")
    assert "privacy" not in only.picks
    both = classify(
        extract_links(
            '<a href="/cookies">Cookies</a><a href="/donnees-personnelles">Données personnelles</a>',
            host,
        ),
        "www.commune.test",
    )
    assert both.picks["privacy"].url == "https://www.commune.test/donnees-personnelles"
