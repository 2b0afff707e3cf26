"""Checks T1-T10, S4, S5, S7, S8, D4, K4 on small inline pages and facts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from barometre.checks import identity, practical, quality, security
from barometre.checks.dates import date_labels, page_date
from barometre.checks.ecoindex import ecoindex, grade, quantile_position
from barometre.checks.html import Doc
from barometre.checks.subject import Subject
from barometre.methodology import bundled
from barometre.models import (
    Authority,
    AuthorityKind,
    Contact,
    FetchOutcome,
    Page,
    SiteArchive,
    Status,
    Website,
)
from barometre.vocab.text import fold_keep_punctuation
from barometre.vocab.when import read_when

AS_OF = date(2025, 3, 20)
HOST = "www.commune-test.test"
HOME = f"https://{HOST}/"
MARKER = (
    "<!-- Page synthétique écrite pour le Baromètre numérique des territoires (jeu d'essai). -->"
)


def page(
    url: str = HOME,
    body: str = "",
    *,
    headers: tuple[tuple[str, str], ...] = (),
    status: int | None = 200,
    chain: tuple[tuple[str, int | None], ...] | None = None,
    outcome: FetchOutcome = FetchOutcome.OK,
    final: str | None = None,
    content_type: str = "text/html; charset=utf-8",
) -> Page:
    final_url = final or url
    return Page(
        url=url,
        final_url=final_url,
        outcome=outcome,
        status=status,
        content_type=content_type,
        headers=headers,
        body=body.encode(),
        text=body,
        chain=chain if chain is not None else ((url, status),),
    )


def html(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html lang='fr'><head>{head}</head><body>{MARKER}{body}</body></html>"


def authority(
    name: str = "Commune-Test", email: str | None = "mairie@commune-test.test"
) -> Authority:
    contacts = (Contact("email", email, "test"),) if email else ()
    return Authority(
        AuthorityKind.COMMUNE,
        "99901",
        name,
        websites=(Website(HOME, HOST, "test", True),),
        contacts=contacts,
    )


def subject(
    home: Page | None = None,
    *,
    pages: Mapping[str, Page] | None = None,
    facts: Mapping[str, Any] | None = None,
    entry_points: Mapping[str, Page] | None = None,
    renders: tuple[Mapping[str, Any], ...] = (),
    feeds: Mapping[str, Page] | None = None,
    sitemap: Page | None = None,
    robots: Mapping[str, Any] | None = None,
    who: Authority | None = None,
    outcome: FetchOutcome = FetchOutcome.OK,
) -> Subject:
    site = SiteArchive(
        authority_id="commune:99901",
        start_url=HOME,
        outcome=outcome,
        captured_at=datetime(2025, 3, 20, tzinfo=UTC),
        home=home,
        pages=pages or {},
        entry_points=entry_points or {},
        feeds=feeds or {},
        sitemap=sitemap,
        robots=robots,
        facts=facts,
        renders=renders,
    )
    return Subject(authority=who or authority(), site=site, as_of=AS_OF)


def tls(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": HOST,
        "versions": {"TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True},
        "san": [HOST, "commune-test.test"],
        "issuer": "AC de test",
        "not_after": "2026-01-01T00:00:00+00:00",
        "chain_valid": True,
        "chain_error": None,
        "error": None,
    }
    return base | overrides


def dns(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": HOST,
        "domain": "commune-test.test",
        "a": ["127.0.0.1"],
        "aaaa": [],
        "mx": ["mx.commune-test.test"],
        "spf": "v=spf1 mx -all",
        "dmarc": "v=DMARC1; p=reject",
        "dnskey": False,
        "validated": False,
    }
    return base | overrides


def redirect(url: str, status: int = 301) -> Page:
    return page(url, "", chain=((url, status), (HOME, 200)), final=HOME)


# --- EcoIndex --------------------------------------------------------------------------


def test_quantile_position_interpolates_and_caps() -> None:
    quantiles = (0, 10, 20, 40)
    assert quantile_position(0, quantiles) == 0
    assert quantile_position(5, quantiles) == 0.5
    assert quantile_position(30, quantiles) == 2.5
    assert quantile_position(1000, quantiles) == 3
    with pytest.raises(ValueError):
        quantile_position(-1, quantiles)


def test_ecoindex_known_values() -> None:
    # The cnumr example: 2240 elements, 254 requests, 310 182.902 KB → 5.64 (G).
    heavy = ecoindex(2240, 254, 310182.902)
    assert heavy.score == pytest.approx(5.64, abs=0.01)
    assert heavy.grade == "G"
    # The medians of the HTTP Archive sample (693 / 78 / 2 420 KB) give a D.
    median = ecoindex(693, 78, 2420)
    assert median.score == pytest.approx(43.68, abs=0.01)
    assert median.grade == "D"
    assert ecoindex(0, 0, 0).score == 100
    assert ecoindex(0, 0, 0).grade == "A"


@pytest.mark.parametrize(
    ("score", "letter"),
    [(80.5, "A"), (80, "B"), (70.1, "B"), (56, "C"), (41, "D"), (26, "E"), (11, "F"), (10, "G")],
)
def test_grades(score: float, letter: str) -> None:
    assert grade(score) == letter


# --- T1 HTTPS ------------------------------------------------------------------------


def entry_points() -> dict[str, Page]:
    return {
        HOME: page(HOME, html("<p>Accueil</p>")),
        "http://commune-test.test/": redirect("http://commune-test.test/"),
        f"http://{HOST}/": redirect(f"http://{HOST}/", 302),
        "https://commune-test.test/": redirect("https://commune-test.test/"),
    }


def test_https_full_score_with_permanent_redirects() -> None:
    points = entry_points()
    points[f"http://{HOST}/"] = redirect(f"http://{HOST}/", 308)
    verdict = security.https(
        subject(points[HOME], facts={"tls": tls()}, entry_points=points),
        {"expiry_warning_days": 30},
    )
    assert verdict.status is Status.PASS


def test_https_temporary_redirect_and_expiring_certificate_are_partial() -> None:
    points = entry_points()
    verdict = security.https(
        subject(
            points[HOME],
            facts={"tls": tls(not_after="2025-04-01T00:00:00+00:00")},
            entry_points=points,
        ),
        {"expiry_warning_days": 30},
    )
    # 0.5 + 0.3 × (1 + 0.5) / 2, no expiry part
    assert verdict.value == pytest.approx(0.725)
    assert "expirant" in (verdict.reason or "")


@pytest.mark.parametrize(
    "facts",
    [
        tls(chain_valid=False, chain_error="certificate has expired"),
        tls(chain_valid=False, chain_error="self-signed certificate"),
        tls(san=["autre-hebergeur.test"]),
    ],
)
def test_https_bad_certificate_is_a_measured_failure(facts: dict[str, Any]) -> None:
    verdict = security.https(
        subject(None, facts={"tls": facts}, outcome=FetchOutcome.TLS_ERROR), {}
    )
    assert verdict.status is Status.FAIL
    assert verdict.evidence and verdict.evidence[0].text


def test_https_http_only_site_fails_and_nothing_captured_is_not_measurable() -> None:
    home = page("http://www.commune-test.test/", html("<p>Accueil</p>"))
    refused = tls(chain_valid=None, versions={}, error="ConnectionRefusedError")
    assert security.https(subject(home, facts={"tls": refused}), {}).status is Status.FAIL
    nothing = security.https(subject(None, outcome=FetchOutcome.CONNECTION_ERROR), {})
    assert nothing.status is Status.NOT_MEASURABLE


def test_redirect_score() -> None:
    assert security.redirect_score(redirect("http://a.test/", 301)) == 1
    assert security.redirect_score(redirect("http://a.test/", 307)) == 0.5
    assert security.redirect_score(page("http://a.test/", "x")) == 0
    lost = page("http://a.test/", "", status=None, outcome=FetchOutcome.DNS_ERROR)
    assert security.redirect_score(lost) is None


def test_san_wildcards_cover_one_label() -> None:
    assert security.san_matches("www.a.test", ["*.a.test"])
    assert not security.san_matches("x.www.a.test", ["*.a.test"])


# --- T2 TLS -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        ({"TLSv1.2": True, "TLSv1.3": True}, 1.0),
        ({"TLSv1.2": True, "TLSv1.3": False}, 0.8),
        ({"TLSv1.0": True, "TLSv1.2": True, "TLSv1.3": True}, 0.3),
        ({"TLSv1.2": False, "TLSv1.3": False}, 0.0),
    ],
)
def test_tls_versions(versions: dict[str, bool], expected: float) -> None:
    home = page(HOME, html("x"))
    verdict = security.tls_configuration(subject(home, facts={"tls": tls(versions=versions)}), {})
    assert verdict.value == expected


# --- T3 HSTS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected", "inferred"),
    [
        ("max-age=31536000; includeSubDomains; preload", 1.0, True),
        ("max-age=31536000; includeSubDomains", 0.8, False),
        ("max-age=31536000", 0.6, False),
        ("max-age=86400; includeSubDomains", 0.2, False),
        ("max-age=0", 0.0, False),
    ],
)
def test_hsts_parts(header: str, expected: float, inferred: bool) -> None:
    home = page(HOME, html("x"), headers=(("Strict-Transport-Security", header),))
    verdict = security.hsts(subject(home), {"min_max_age": 15552000})
    assert verdict.value == pytest.approx(expected)
    assert (verdict.confidence.value == "inferred") is inferred


def test_hsts_absent_fails() -> None:
    assert security.hsts(subject(page(HOME, html("x"))), {}).status is Status.FAIL


# --- T4 headers ---------------------------------------------------------------------------

GOOD_HEADERS = (
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=()"),
    ("Server", "nginx"),
)


def test_security_headers_full_and_report_only_half() -> None:
    full = security.security_headers(subject(page(HOME, html("x"), headers=GOOD_HEADERS)), {})
    assert full.status is Status.PASS  # frame-ancestors stands for X-Frame-Options
    report_only = (
        ("Content-Security-Policy-Report-Only", "default-src 'self'"),
        *GOOD_HEADERS[1:],
    )
    half = security.security_headers(subject(page(HOME, html("x"), headers=report_only)), {})
    assert half.value == pytest.approx((0.5 + 0 + 1 + 1 + 1) / 5)


def test_security_headers_cookies_and_disclosure() -> None:
    headers = (
        *GOOD_HEADERS[:-1],
        ("Set-Cookie", "PHPSESSID=abc; path=/; HttpOnly"),
        ("Server", "Apache/2.2.15"),
        ("X-Powered-By", "PHP/8.3.1"),
    )
    body = html("x", '<meta name="generator" content="Drupal 7 (https://www.drupal.org)">')
    verdict = security.security_headers(subject(page(HOME, body, headers=headers)), {})
    # items: 5 × 1 + cookie 1/3 → 16/18; Apache 2.2 EOL −0.25, PHP version −0.1, Drupal 7 −0.25
    assert verdict.value == pytest.approx(16 / 18 - 0.6, abs=1e-4)


def test_end_of_life_depends_on_the_audit_date() -> None:
    assert security.end_of_life("PHP/7.4.33", AS_OF) == "PHP 7.4.33"
    assert security.end_of_life("PHP/8.1", AS_OF) is None
    assert security.end_of_life("PHP/8.1", date(2026, 6, 1)) == "PHP 8.1"
    assert security.end_of_life("Drupal 10 (https://www.drupal.org)", AS_OF) is None
    assert security.end_of_life("Joomla! 3.10", AS_OF) == "Joomla! 3.10"


# --- T5 DNSSEC ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (dns(dnskey=True, validated=True), 1.0),
        (dns(dnskey=True), 0.5),
        (dns(dnskey=True, aaaa=["2001:db8::1"]), 0.7),
        (dns(aaaa=["2001:db8::1"]), 0.2),
        (dns(), 0.0),
    ],
)
def test_dnssec(facts: dict[str, Any], expected: float) -> None:
    verdict = security.dnssec(subject(page(HOME, "x"), facts={"dns": facts}), {"ipv6_bonus": 0.2})
    assert verdict.value == pytest.approx(expected)


# --- T6 mail --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (dns(), 1.0),
        (dns(dmarc="v=DMARC1; p=quarantine; pct=50"), 0.7),
        (dns(dmarc="v=DMARC1; p=none"), 0.7),
        (dns(dmarc=None), 0.5),
        (dns(mx=[], dmarc=None), 0.3),
        (dns(mx=[], spf=None, dmarc=None), 0.0),
    ],
)
def test_mail_authentication_parts(facts: dict[str, Any], expected: float) -> None:
    verdict = security.mail_authentication(subject(page(HOME, "x"), facts={"dns": facts}), {})
    assert verdict.value == pytest.approx(expected)


def test_mail_authentication_consumer_and_other_domain() -> None:
    consumer = subject(page(HOME, "x"), facts={"dns": dns()}, who=authority(email="m@orange.fr"))
    assert security.mail_authentication(consumer, {}).status is Status.NOT_APPLICABLE
    other = subject(page(HOME, "x"), facts={"dns": dns()}, who=authority(email="m@autre.test"))
    verdict = security.mail_authentication(other, {})
    assert verdict.status is Status.NOT_MEASURABLE
    assert "autre.test" in (verdict.reason or "")


# --- T7 mobile ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "responsive", "blocked"),
    [
        ("width=device-width, initial-scale=1", True, None),
        ("width=device-width, user-scalable=no", True, "user-scalable=no"),
        ("width=device-width, maximum-scale=1.0", True, "maximum-scale=1.0"),
        ("width=device-width, maximum-scale=5", True, None),
        ("width=1024", False, None),
    ],
)
def test_viewport_facts(content: str, responsive: bool, blocked: str | None) -> None:
    assert quality.viewport_facts(content) == (responsive, blocked)


def test_mobile_scores() -> None:
    head = '<meta name="viewport" content="width=device-width"><style>@media (max-width: 600px) {nav {display:none}}</style>'
    assert quality.mobile(subject(page(HOME, html("x", head))), {}).status is Status.PASS
    blocked = '<meta name="viewport" content="width=device-width, user-scalable=no"><link rel="stylesheet" href="/s.css">'
    verdict = quality.mobile(subject(page(HOME, html("x", blocked))), {})
    assert verdict.value == pytest.approx(0.5 / 0.8)
    assert verdict.confidence.value == "inferred"
    assert quality.mobile(subject(page(HOME, html("x"))), {}).value == pytest.approx(0.3)


T8 = next(c for c in bundled().criteria if c.id == "technique.performance").params


def mobile_render(**figures: Any) -> dict[str, Any]:
    performance = {"observed": True, "cpu_slowdown": 4.0, "ttfb_ms": 80.0, "fcp_ms": 600.0}
    performance |= {"load_ms": 900.0, "lcp_ms": 1200.0, "cls": 0.0, "tbt_ms": 0.0} | figures
    return {
        "viewport": "mobile",
        "outcome": "ok",
        "url": HOME,
        "final_url": HOME,
        "performance": performance,
    }


def test_performance_not_measurable_without_a_render_or_its_figures() -> None:
    none = quality.performance(subject(page(HOME, "x")), T8)
    assert none.status is Status.NOT_MEASURABLE and none.reason == quality.NO_RENDER
    assert "--render" in none.reason
    older = {"viewport": "mobile", "outcome": "ok"}
    old = quality.performance(subject(page(HOME, "x"), renders=(older,)), T8)
    assert old.status is Status.NOT_MEASURABLE and old.reason == quality.NO_TIMINGS
    failed = {"viewport": "mobile", "outcome": "timeout", "error": "Timeout 30000ms exceeded."}
    verdict = quality.performance(subject(page(HOME, "x"), renders=(failed,)), T8)
    assert verdict.status is Status.NOT_MEASURABLE and "Timeout 30000ms" in (verdict.reason or "")
    blank = quality.performance(subject(page(HOME, "x"), renders=(mobile_render(lcp_ms=None),)), T8)
    assert blank.status is Status.NOT_MEASURABLE and blank.reason == quality.NO_PAINT
    desktop_only = {**mobile_render(), "viewport": "desktop"}
    assert quality.performance(subject(page(HOME, "x"), renders=(desktop_only,)), T8).reason == (
        quality.NO_RENDER
    )


def test_performance_bands_are_the_published_core_web_vitals() -> None:
    assert T8["lcp_ms"] == [2500, 4000] and T8["cls"] == [0.1, 0.25]
    assert T8["tbt_ms"] == [200, 600]

    def value(**figures: Any) -> float | None:
        return quality.performance(
            subject(page(HOME, "x"), renders=(mobile_render(**figures),)), T8
        ).value

    assert value() == 1
    assert value(lcp_ms=2500.0, cls=0.1, tbt_ms=200.0) == 1  # the limits are still good
    assert value(lcp_ms=2500.1) == pytest.approx((0.5 + 1 + 1) / 3, abs=1e-4)
    assert value(lcp_ms=4000.0) == pytest.approx((0.5 + 1 + 1) / 3, abs=1e-4)
    assert value(lcp_ms=4000.1) == pytest.approx(2 / 3, abs=1e-4)
    assert value(cls=0.25) == pytest.approx((1 + 0.5 + 1) / 3, abs=1e-4)
    assert value(cls=0.3, tbt_ms=601.0) == pytest.approx(1 / 3, abs=1e-4)
    assert value(lcp_ms=5000.0, cls=0.3, tbt_ms=900.0) == 0


def test_performance_evidence_names_each_figure_and_its_band() -> None:
    render = mobile_render(lcp_ms=3108.0, cls=0.3055, tbt_ms=866.0)
    verdict = quality.performance(subject(page(HOME, "x"), renders=(render,)), T8)
    assert verdict.status is Status.PARTIAL and verdict.value == pytest.approx(0.5 / 3, abs=1e-4)
    texts = {e.text: e.note for e in verdict.evidence}
    assert texts["plus grand élément affiché (LCP) : 3,11 s"] == (
        "à améliorer (rendu mobile, processeur ralenti 4×)"
    )
    assert texts["décalages de mise en page (CLS) : 0,31"].startswith("mauvais")
    assert texts["temps de blocage total (TBT) : 866 ms"].startswith("mauvais")
    assert texts["premier octet 80 ms, premier affichage 600 ms, chargement 900 ms"].startswith(
        "Navigation Timing"
    )
    assert verdict.reason is not None and "à améliorer" in verdict.reason


# --- T9 sobriety -------------------------------------------------------------------------


def render(dom: int = 0, requests: int = 0, size: int = 0) -> dict[str, Any]:
    return {
        "viewport": "desktop",
        "outcome": "ok",
        "url": HOME,
        "dom_nodes": dom,
        "request_count": requests,
        "transferred_bytes": size,
    }


def test_sobriety_combines_ecoindex_and_statement() -> None:
    body = html('<footer><a href="/ecoconception">Déclaration d\'écoconception</a></footer>')
    light = render(dom=47, requests=2, size=int(1.37 * 1024))  # quantile 1 each → 95
    verdict = quality.sobriety(subject(page(HOME, body), renders=(light,)), {})
    assert verdict.value == pytest.approx(0.8 * 0.95 + 0.2)
    without = quality.sobriety(subject(page(HOME, html("x")), renders=(light,)), {})
    assert without.value == pytest.approx(0.8 * 0.95)


def test_sobriety_without_render_is_not_measurable() -> None:
    verdict = quality.sobriety(subject(page(HOME, html("x"))), {})
    assert verdict.status is Status.NOT_MEASURABLE


# --- T10 SEO ---------------------------------------------------------------------------------


def test_seo_share_of_items() -> None:
    head = (
        "<title>Mairie de Commune-Test</title>"
        '<meta name="description" content="Site officiel">'
        f'<link rel="canonical" href="{HOME}">'
        '<meta property="og:title" content="Commune-Test">'
    )
    sitemap = page(f"{HOME}sitemap.xml", "<urlset/>", content_type="application/xml")
    full = subject(page(HOME, html("x", head)), sitemap=sitemap, robots={"disallow_all": False})
    assert quality.seo(full, {}).status is Status.PASS
    noindex = head + '<meta name="robots" content="noindex">'
    blocked = subject(page(HOME, html("x", noindex)), robots={"disallow_all": True})
    assert quality.seo(blocked, {}).value == pytest.approx(4 / 7, abs=1e-3)


def test_title_has_name() -> None:
    assert quality.title_has_name("Accueil – Saint-Exemple-sur-Loire", "Saint-Exemple-sur-Loire")
    assert not quality.title_has_name("Accueil", "Saint-Exemple-sur-Loire")
    assert quality.title_has_name("Mairie de Murol", "Murol (archive 2018)")


# --- S4 contact --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Tél. 01 99 00 12 34", "01 99 00 12 34"),
        ("Appelez le 04.73.88.60.67 !", "04.73.88.60.67"),
        ("+33 1 99 00 12 34", "+33 1 99 00 12 34"),
        ("SIRET 219910101 00017", None),
        ("Code 00 12 34 56 78", None),
    ],
)
def test_phone_regex(text: str, found: str | None) -> None:
    match = practical.PHONE.search(text)
    assert (match.group(0) if match else None) == found


def test_contact_thirds_and_agency_credits_ignored() -> None:
    footer = (
        "<footer><p>Mairie, 2 place de l'Église, 99100 Commune-Test</p>"
        '<p><a href="tel:0199001234">01 99 00 12 34</a></p>'
        "<p>Site réalisé par l'agence Pixel, 12 rue du Web, 99000 Agence-Ville, contact@pixel.test</p></footer>"
    )
    verdict = practical.contact(subject(page(HOME, html(footer))), {})
    assert verdict.value == pytest.approx(2 / 3, abs=1e-3)
    agency_only = "<footer><p>Réalisé par Pixel, 12 rue du Web, 99000 Agence-Ville</p></footer>"
    assert practical.contact(subject(page(HOME, html(agency_only))), {}).status is Status.FAIL
    form = '<form><label for="m">Message</label><textarea id="m"></textarea></form>'
    contact_page = page(f"{HOME}contact/", html(form))
    verdict = practical.contact(
        subject(page(HOME, html(footer)), pages={"contact": contact_page}), {}
    )
    assert verdict.status is Status.PASS


def test_contact_point_fills_missing_parts() -> None:
    jsonld = (
        '<script type="application/ld+json">{"@type": "GovernmentOrganization", "name": "X",'
        ' "contactPoint": {"@type": "ContactPoint", "telephone": "+33199001234", "email": "m@x.test"}}</script>'
    )
    verdict = practical.contact(subject(page(HOME, html("<p>Bienvenue</p>", jsonld))), {})
    assert verdict.value == pytest.approx(2 / 3, abs=1e-3)


# --- S5 hours ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mairie ouverte du lundi au vendredi : 9h-12h et 14h-17h", True),
        ("Accueil : mardi de 8 h 30 à 12 h", True),
        ("Samedi 9:00-12:00", True),
        ("Médiathèque : mercredi 10h-18h", False),
        ("Réunion publique à 18h30 - 20h", False),
    ],
)
def test_hours_regex(text: str, found: bool) -> None:
    assert (practical.opening_hours(fold_keep_punctuation(text)) is not None) is found


def test_hours_present_scores_the_present_part_only() -> None:
    footer = "<footer><p>Mairie : lundi au vendredi 8h30-12h</p></footer>"
    verdict = practical.hours(subject(page(HOME, html(footer))), {"present": 0.7})
    assert verdict.value == pytest.approx(0.7)
    assert verdict.confidence.value == "inferred"
    pool = "<main><p>Piscine municipale : lundi 12h-14h</p></main>"
    assert practical.hours(subject(page(HOME, html(pool))), {}).status is Status.FAIL


# --- S7 freshness -------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Actus</title>
<item><title>Récent</title><pubDate>Mon, 17 Mar 2025 10:00:00 +0100</pubDate></item>
<item><title>Ancien</title><pubDate>Mon, 06 Jan 2025 10:00:00 +0100</pubDate></item>
</channel></rss>"""
STEPS = {"steps": [[7, 1.0], [30, 0.7], [90, 0.3]], "news_share": 0.8, "agenda": 0.2}


def test_freshness_from_feed_and_agenda() -> None:
    feed = page(f"{HOME}feed/", RSS, content_type="application/rss+xml")
    agenda = '<section class="agenda"><time datetime="2025-04-02">2 avril</time></section>'
    verdict = practical.freshness(subject(page(HOME, html(agenda)), feeds={feed.url: feed}), STEPS)
    assert verdict.status is Status.PASS
    without = practical.freshness(subject(page(HOME, html("x")), feeds={feed.url: feed}), STEPS)
    assert without.value == pytest.approx(0.8)


def test_freshness_reads_feeds_dated_in_french() -> None:
    """A feed dated only in French RFC 822 dates (real pubDates from Planet Jupiter,
    tests/fixtures/platforms/feeds) dates the site: feedparser leaves them unread, the
    shared date reader reads them."""
    fixture = Path(__file__).parent / "fixtures/platforms/feeds/planet-jupiter-french-pubdates.json"
    written = json.loads(fixture.read_text(encoding="utf-8"))["dates"]
    items = "".join(
        f"<item><title>Épisode {n}</title><pubDate>{t}</pubDate></item>"
        for n, t in enumerate(written)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>p</title>{items}</channel></rss>'
    )
    feed = page(f"{HOME}rss", body, content_type="application/rss+xml")
    read = [read_when(t, tz=ZoneInfo("Europe/Paris"), day_first=True) for t in written]
    newest = max(w.at for w in read if w is not None).astimezone(ZoneInfo("Europe/Paris")).date()
    dated = replace(
        subject(page(HOME, html("x")), feeds={feed.url: feed}), as_of=newest + timedelta(days=3)
    )
    verdict = practical.freshness(dated, STEPS)
    assert verdict.status is not Status.NOT_MEASURABLE
    assert any(newest.isoformat() in (e.note or "") for e in verdict.evidence)


def test_freshness_ignores_dates_outside_articles_and_in_the_future() -> None:
    body = (
        "<header><time datetime='2025-03-20'>20 mars 2025</time></header>"
        "<article><time datetime='2025-02-10'>10 février</time></article>"
        "<article><time datetime='2025-05-01'>1er mai</time></article>"
    )
    verdict = practical.freshness(subject(page(HOME, html(body))), STEPS)
    assert verdict.value == pytest.approx(0.8 * 0.3)  # 38 days old


def test_freshness_sitemap_fallback_is_inferred() -> None:
    sitemap = page(
        f"{HOME}sitemap.xml",
        "<urlset><url><loc>x</loc><lastmod>2025-03-01</lastmod></url></urlset>",
        content_type="application/xml",
    )
    verdict = practical.freshness(subject(page(HOME, html("x")), sitemap=sitemap), STEPS)
    assert verdict.value == pytest.approx(0.8 * 0.7)
    assert verdict.confidence.value == "inferred"


LISTING_FORMS: dict[str, tuple[str, date]] = {
    "publié le": (
        '<div class="item"><h3><a href="/a">Fête du village</a></h3><p>Publié le 3 mars 2025</p></div>',
        date(2025, 3, 3),
    ),
    "le jj/mm/aaaa in a span": (
        '<ul><li><a href="/b">Travaux rue Haute</a> <span>Le 05/03/2025</span></li></ul>',
        date(2025, 3, 5),
    ),
    "date in its own span": (
        '<article><h2>Vœux du maire</h2><span class="date">12 févr. 2025</span><p>Le maire a'
        " présenté ses vœux aux habitants et aux associations de la commune.</p></article>",
        date(2025, 2, 12),
    ),
    "day, month, year in three spans": (
        '<div class="card"><div class="date"><span>05</span> <span>mars</span> <span>2025</span>'
        "</div><h3>Marché de printemps</h3></div>",
        date(2025, 3, 5),
    ),
    "1er and an author": (
        '<div class="news"><h3>Conseil des jeunes</h3><em>Publié le 1er mars 2025 par la mairie</em></div>',
        date(2025, 3, 1),
    ),
    "posté le in an entry header": (
        '<article><header class="entry-header"><h2>Fibre optique</h2><div class="entry-meta">'
        "Posté le 11/03/2025</div></header></article>",
        date(2025, 3, 11),
    ),
    "date first in a paragraph": (
        "<p>18/03/2025 – La collecte des déchets verts reprend dès la semaine prochaine dans"
        " tous les quartiers.</p>",
        date(2025, 3, 18),
    ),
    "weekday and date": (
        '<div class="actu"><p class="jour">Mardi 4 mars 2025</p><h3>Inscriptions scolaires</h3></div>',
        date(2025, 3, 4),
    ),
    "time element": (
        '<article><h2>Budget</h2><p>Publié le <time datetime="2025-03-07">7 mars</time></p></article>',
        date(2025, 3, 7),
    ),
}


@pytest.mark.parametrize("form", sorted(LISTING_FORMS))
def test_date_labels_read_every_listing_form(form: str) -> None:
    body, expected = LISTING_FORMS[form]
    labels = date_labels(Doc(page(f"{HOME}actualites/", html(f"<main>{body}</main>"))))
    assert [(label.day, label.event) for label in labels] == [(expected, False)]


@pytest.mark.parametrize(
    "body",
    [
        "<main><p>Le conseil municipal se réunira le <strong>15 mars 2025</strong> à 19 h.</p></main>",
        "<main><p>Les élections auront lieu le <span>16 mars 2025</span> dans les bureaux habituels.</p></main>",
        "<main><p>Fermeture le 14/03/2025</p></main>",
        '<div id="header"><p class="today">Jeudi 20 mars 2025</p></div><main><p>Bienvenue</p></main>',
        "<footer><p>Mis à jour le 19/03/2025</p></footer>",
        '<nav><a href="/x">Lettre du 12/03/2025</a></nav>',
    ],
)
def test_date_labels_skip_sentences_banner_menus_and_footer(body: str) -> None:
    assert date_labels(Doc(page(HOME, html(body)))) == []


def test_date_labels_of_agenda_blocks_and_pages_are_events() -> None:
    block = '<main><section class="agenda"><div><h3>Concert</h3><p>Samedi 12 avril 2025</p></div></section></main>'
    (label,) = date_labels(Doc(page(HOME, html(block))))
    assert label.event and label.day == date(2025, 4, 12) and label.title == "Concert"
    listing = "<main><h1>Agenda</h1><div><h3>Brocante</h3><p>Le 02/03/2025</p></div></main>"
    (past,) = date_labels(Doc(page(f"{HOME}agenda/", html(listing))))
    assert past.event  # a past event is not a news item


def test_page_date_markup_then_french_mentions_then_text() -> None:
    def doc(body: str, head: str = "") -> Doc:
        return Doc(page(f"{HOME}actualites/fete/", html(body, head)))

    meta = '<meta property="article:published_time" content="2025-03-02T09:00:00+01:00">'
    found = page_date(doc("<p>Publié le 1er mars 2025</p>", meta), as_of=AS_OF)
    assert found is not None and (found.day, found.how) == (date(2025, 3, 2), "balisage")
    both = "<p>Publié le 1er févr. 2025</p><p>Mis à jour le 3 mars 2025</p>"
    published = page_date(doc(both), original=True, as_of=AS_OF)
    updated = page_date(doc(both), original=False, as_of=AS_OF)
    assert published is not None and published.day == date(2025, 2, 1)
    assert updated is not None and updated.day == date(2025, 3, 3) and updated.how == "mention"
    assert page_date(doc("<p>© 2024 Mairie de Commune-Test</p>"), as_of=AS_OF) is None
    weekday = page_date(doc("<p>Le mardi 4 mars 2025, fermeture de la mairie</p>"), as_of=AS_OF)
    assert weekday is None or weekday.how != "mention"  # « le mardi … » is no publication
    assert (
        page_date(doc("<p>Publié le 1er mars 2025</p>"), extensive=False, as_of=date(2025, 2, 1))
        is None
    )


def test_freshness_reads_plain_text_dates_and_agenda_text() -> None:
    listing = page(
        f"{HOME}actualites/", html(f"<main>{LISTING_FORMS['le jj/mm/aaaa in a span'][0]}</main>")
    )
    agenda = '<main><div class="agenda"><h3>Brocante</h3><p>Dimanche 6 avril 2025</p></div></main>'
    verdict = practical.freshness(subject(page(HOME, html(agenda)), pages={"news": listing}), STEPS)
    assert verdict.value == pytest.approx(0.8 * 0.7 + 0.2)  # 15 days old, an event ahead
    assert any("Travaux rue Haute" in (e.text or "") for e in verdict.evidence)


def test_freshness_reads_a_news_page_that_is_one_article() -> None:
    article = html(
        "<main><article><h1>Nouvelle aire de jeux</h1><p>Mis en ligne le 17 mars 2025</p></article></main>"
    )
    news = page(f"{HOME}actualites/aire-de-jeux/", article)
    verdict = practical.freshness(subject(page(HOME, html("x")), pages={"news": news}), STEPS)
    assert verdict.value == pytest.approx(0.8)


# --- S8 audiences -------------------------------------------------------------------------------


def test_audiences_counted_in_menus_only() -> None:
    nav = "<nav><a href='/a'>Seniors</a><a href='/b'>Petite enfance</a></nav>"
    body = "<main><p><a href='/c'>Les jeunes du quartier</a></p></main>"
    verdict = practical.audiences(subject(page(HOME, html(nav + body))), {"audiences_for_full": 3})
    assert verdict.value == pytest.approx(2 / 3, abs=1e-3)
    more = nav.replace("</nav>", "<a href='/d'>Vie associative</a></nav>")
    full = practical.audiences(subject(page(HOME, html(more))), {"audiences_for_full": 3})
    assert full.status is Status.PASS


# --- D4 council ---------------------------------------------------------------------------------

COUNCIL_PAGE = """<main><h1>Conseil municipal</h1>
<p>Prochaine séance du conseil municipal : lundi 14 avril 2025 à 19 h.</p>
<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>
<ul><li>Claire Martin, maire</li><li>Paul Bernard, 1er adjoint</li><li>Sophie Petit, 2e adjointe</li></ul>
</main><footer><a href="https://www.youtube.com/@Commune">YouTube</a></footer>"""


def test_council_parts() -> None:
    council = page(f"{HOME}conseil/", html(COUNCIL_PAGE))
    verdict = identity.council(subject(page(HOME, html("x")), pages={"council": council}), {})
    assert verdict.status is Status.PASS
    past = COUNCIL_PAGE.replace("14 avril 2025", "10 mars 2025").replace(
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>', ""
    )
    council = page(f"{HOME}conseil/", html(past))
    verdict = identity.council(
        subject(page(HOME, html("x")), pages={"council": council}),
        {"calendar": 0.4, "video": 0.3, "officials": 0.3},
    )
    assert verdict.value == pytest.approx(0.3)  # officials only; footer YouTube is not a session


def test_officials_and_video_hosts() -> None:
    pairs = identity.officials(
        "Jean-Marc Rivière, président ; Françoise Lemoine, 1re vice-présidente"
    )
    assert len(pairs) == 2
    assert identity.is_video("https://video.tube-exemple.test/videos/watch/123")
    assert identity.is_video("https://vimeo.com/12345")
    assert not identity.is_video("https://www.facebook.com/commune")


# --- K4 identity --------------------------------------------------------------------------------


def test_identity_parts() -> None:
    jsonld = '<script type="application/ld+json">{"@type": "GovernmentOrganization", "name": "Commune-Test", "identifier": "219999999"}</script>'
    home = page(HOME, html("x", f"<title>Commune-Test – site officiel</title>{jsonld}"))
    legal = page(
        f"{HOME}mentions-legales/",
        html("<p>Directrice de la publication : Mme Claire Martin, maire.</p>"),
    )
    verdict = identity.identity(subject(home, pages={"legal": legal}), {})
    assert verdict.status is Status.PASS
    assert verdict.confidence.value == "inferred"
    bare = page(HOME, html("x", "<title>Accueil</title>"))
    anonymous = page(
        f"{HOME}mentions-legales/", html("<p>Directeur de la publication : le maire.</p>")
    )
    assert identity.identity(subject(bare, pages={"legal": anonymous}), {}).status is Status.FAIL
