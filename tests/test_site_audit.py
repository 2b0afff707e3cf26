"""The published site audited like a collectivité's: axe-core, third parties, our grid.

The demonstration site is built once for the module, with the publisher's details a real
deployment gives (``publish_*`` settings: publisher, director, host, contact, DPO), then:

1. **axe-core** (the vendored 4.14.1 the capture uses) runs on every page type, desktop
   and mobile, with the WCAG 2.0, 2.1 and 2.2 A and AA rules, after the charts are
   drawn. axe is served from the site's own origin, so the pages keep their strict
   Content-Security-Policy during the audit. No violation is accepted.
2. **Third parties.** Every request of every page type goes to the site's own origin;
   every resource referenced by any built page or stylesheet is relative; the capture's
   pre-consent network log of the home page (desktop and mobile) holds no third party.
3. **The barometer's own grid.** The built site is served by the sample web as
   ``https://www.barometre-exemple.test/`` (HTTPS with the test CA, http → https
   redirects), with the response headers of the ``_headers`` file the builder writes for
   static hosts (Content-Security-Policy, HSTS, nosniff, Referrer-Policy,
   Permissions-Policy, X-Frame-Options…), and a host configured not to disclose its
   software version (``Server: nginx``, as ``server_tokens off`` does). The project's
   capture (with the browser render and the DNS/TLS facts) and audit then measure it
   exactly as they measure a collectivité, registered as a fictitious collectivité whose
   official site it is. Every criterion's status is reported (``autoaudit.md`` and
   ``autoaudit.json`` among the artefacts).

In scope — every criterion that applies to any public website, whoever publishes it:

- P1 site reachable with real content;
- L1 accessibility mention on the home page, L2 accessibility statement (RGAA), L3
  automatically detectable accessibility defects (lang, title, image alternatives, form
  labels, zoom… and axe-core);
- L4 legal notice (LCEN), L5 privacy notice (GDPR), L6 consent before any tracker, L7
  third-party trackers;
- T1 HTTPS, redirects and certificate, T2 TLS versions, T3 HSTS, T4 security headers,
  T7 mobile (viewport, zoom not blocked), T8 performance, T9 EcoIndex and eco-design
  statement, T10 search-engine basics (title, description, canonical, sitemap…).

Each must be ``pass``, with two documented exceptions:

- L2 may be ``partial`` only for the conformance rate: a rate comes from a complete RGAA
  audit by a person, which the statement says has not been done yet (and stays
  « partiellement conforme » until it is). Every other item of the statement must be
  there.
- T9 cannot reach 1: its value is 0.8 × EcoIndex/100 + 0.2 for the statement, and an
  EcoIndex of 100 needs an empty page. Best on the grid: EcoIndex grade A and the
  statement found.

Out of scope — what only makes sense for a collectivité (reported, not asserted):

- P2 Annuaire de l'administration, P3 sovereign domain name (registry facts about a
  public body), P4 social accounts, P5 mobile channels (newsletter, app, RSS);
- S1–S9 online procedures, planning permits, payment, contact details of the town hall,
  opening hours, « comment faire », news and agenda, audiences, inclusive content;
- D1–D7 participation, participatory budget, reporting, council and elected members,
  social accounts' activity, replies and quality;
- K1–K4 cross-links with social accounts, social feeds, mail on the collectivité's
  domain, identity against the official registers (RNE, Wikidata, public-body JSON-LD);
- L8 council acts, L9 budget documents, L10 open data of a collectivité;
- T5 DNSSEC and IPv6, T6 mail authentication: properties of the publisher's DNS zone
  and mail service, not of the generated site (the sample web's test zone has neither).

The site's score on the in-scope criteria is the scoring engine's, with the other
criteria not applicable (their weight goes to the measured ones, as the methodology
says), and its grade the best one, A, both on the bands the demonstration edition
calibrated and on the grid's even split.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dns.asyncresolver
import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Engine

from barometre.audit import audit_edition
from barometre.capture.archive import load_site_archive
from barometre.capture.render import AXE_VERSION, CHROMIUM, _axe_source
from barometre.capture.run import FactsConfig, Target, capture_edition
from barometre.methodology import Methodology, bundled
from barometre.models import Authority, AuthorityKind, CheckResult, Contact, Status, Website
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import DEMO_EDITION, fetch_config
from barometre.publish.serve import make_server
from barometre.publish.site.views import ranking_path
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.scoring.engine import Result, calibrate_bands, grade, score_authority
from barometre.storage import audit_repo, capture_repo, registry_repo, score_repo
from barometre.storage.db import open_database
from test_site_browser import (
    BROWSER_ARGS,
    DESKTOP,
    MOBILE,
    PAGES,
    Watch,
    artifacts,
    build_demo,
    draw_figures,
    largest_group,
    ranked_rows,
)
from test_site_browser import DemoSite as _DemoSite
from test_site_browser import pytestmark as _chromium_required

pytestmark = _chromium_required

HOST = "www.barometre-exemple.test"
SITE_URL = f"https://{HOST}/"
EDITION = "autoaudit"
SELF = Authority(
    AuthorityKind.REGION,
    "00",
    "Baromètre numérique des territoires",
    websites=(Website(SITE_URL, HOST, "test", True),),
    contacts=(Contact("email", "contact@barometre-exemple.test", "test"),),
)
PUBLISHER = {
    "publisher": (
        "Association Baromètre numérique des territoires, 1 place de l'Exemple, "
        "99000 Ville-Exemple, 01 99 00 00 00"
    ),
    "director": "Camille Exemple, présidente de l'association",
    "host": "Hébergeur Exemple, 2 rue de l'Exemple, 99000 Ville-Exemple, 01 99 00 00 01",
    "contact": "contact@barometre-exemple.test",
    "dpo": "Dominique Exemple, dpo@barometre-exemple.test",
}
IN_SCOPE = (
    "presence.site_joignable",
    "conformite.accessibilite_mention",
    "conformite.accessibilite_declaration",
    "conformite.rgaa_automatique",
    "conformite.mentions_legales",
    "conformite.confidentialite",
    "conformite.consentement",
    "conformite.traceurs",
    "technique.https",
    "technique.tls",
    "technique.hsts",
    "technique.entetes",
    "technique.mobile",
    "technique.performance",
    "technique.sobriete",
    "technique.referencement",
)
OUT_OF_SCOPE = (
    "presence.annuaire",
    "presence.domaine_souverain",
    "presence.reseaux_sociaux",
    "presence.canaux_mobiles",
    "services.demarches_en_ligne",
    "services.urbanisme_en_ligne",
    "services.paiement_en_ligne",
    "services.contact",
    "services.horaires",
    "services.comment_faire",
    "services.actualite",
    "services.publics",
    "services.inclusif",
    "dialogue.participation",
    "dialogue.budget_participatif",
    "dialogue.signalement",
    "dialogue.conseil_elus",
    "dialogue.activite_comptes",
    "dialogue.reponses",
    "dialogue.qualite_publications",
    "coherence.liens_croises",
    "coherence.flux_sociaux",
    "coherence.messagerie",
    "coherence.identite",
    "conformite.actes",
    "conformite.budget",
    "conformite.donnees_ouvertes",
    "technique.dnssec",
    "technique.messagerie",
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_PATH = "/__axe-core.js"  # served by the test from the page's own origin
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""
RESOURCE_ATTRIBUTES = (
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
    ("form", "action"),
    ("image", "href"),
    ("use", "href"),
)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.I)


# --- the site, built and audited once -----------------------------------------------------


@dataclass
class SelfAudit:
    demo: _DemoSite
    demo_engine: Engine
    engine: Engine
    results: dict[str, CheckResult]
    renders: tuple[Any, ...]
    capture_seconds: float


def host_headers(site: Path) -> dict[str, str]:
    """The headers of the ``/*`` block of the ``_headers`` file the builder wrote."""
    headers: dict[str, str] = {}
    inside = False
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.startswith((" ", "\t")):
            inside = line.strip() == "/*"
            continue
        if inside and ":" in line:
            name, value = line.strip().split(":", 1)
            headers[name.strip()] = value.strip()
    assert "Strict-Transport-Security" in headers and "Content-Security-Policy" in headers
    return headers


def serve_as_sample_site(site: Path, sites_dir: Path) -> None:
    """The built site as one site of the sample web, with its host's headers."""
    target = sites_dir / HOST
    shutil.copytree(site, target)
    headers = {"Server": "nginx", **host_headers(site)}
    lines = [
        'kind = "autre"',
        'name = "Baromètre numérique des territoires"',
        'description = "Le site publié du baromètre, audité avec sa propre grille."',
        'expected = "ok"',
        "https = true",
        "placeholder_assets = false",  # a missing file is a 404, as on a real host
        f'aliases = ["{HOST.removeprefix("www.")}"]',
        "[headers]",
        *(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in headers.items()),
    ]
    (target / "site.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def self_audit(root: Path, site: Path, grid: Methodology) -> tuple[Engine, float]:
    sites_dir = root / "sites"
    sites_dir.mkdir()
    serve_as_sample_site(site, sites_dir)
    engine = open_database(f"sqlite:///{root / 'autoaudit.sqlite3'}")
    registry_repo.replace_registry(engine, [SELF], "autoaudit du site publié", {})
    capture_repo.ensure_edition(engine, EDITION, "Audit du site du baromètre", demo=True)
    started = time.perf_counter()
    with BackgroundSampleWeb(sites_dir=sites_dir, with_dns=True, slow_drip_limit=3) as web:
        assert web.dns is not None
        resolver = GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
            static_only=True,
        )
        names = dns.asyncresolver.Resolver(configure=False)
        names.nameservers, names.port = web.dns.nameservers, web.dns.port
        report = asyncio.run(
            capture_edition(
                engine,
                EDITION,
                [Target(SELF.id, SITE_URL)],
                warc_root=root / "warc",
                config=fetch_config(10),
                resolver=resolver,
                ssl_context=web.client_ssl_context(),
                facts=FactsConfig(dns=names, trust=web.client_ssl_context(), timeout=2),
                render=True,
            )
        )
    seconds = time.perf_counter() - started
    assert report.done == 1 and report.outcomes == {"ok": 1}, report
    audit_edition(engine, EDITION, grid)
    return engine, seconds


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SelfAudit]:
    root = tmp_path_factory.mktemp("site-audit")
    grid = bundled()
    demo_engine, site = build_demo(root / "demo", PUBLISHER, base_url=f"https://{HOST}/")
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="site-preview", daemon=True)
    thread.start()
    engine, seconds = self_audit(root, site, grid)
    results = {r.check_id: r for r, _ in audit_repo.load_results(engine, EDITION)}
    archive = load_site_archive(Path(capture_repo.archive_paths(engine, EDITION)[SELF.id]))
    demo = _DemoSite(
        demo_engine,
        site,
        f"http://127.0.0.1:{server.server_address[1]}/",
        ranked_rows(demo_engine),
    )
    try:
        yield SelfAudit(demo, demo_engine, engine, results, archive.renders, seconds)
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()
        demo_engine.dispose()


@pytest.fixture(scope="module")
def browser(audited: SelfAudit) -> Iterator[Browser]:
    # after ``audited``: its asyncio runs must be over before Playwright's loop starts
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


# --- the grid ------------------------------------------------------------------------------


def _status_table(audited: SelfAudit, grid: Methodology) -> list[dict[str, Any]]:
    rows = []
    for criterion in grid.criteria:
        result = audited.results.get(criterion.id)
        status = result.status if result else criterion.missing_status(SELF)
        rows.append(
            {
                "code": criterion.code,
                "id": criterion.id,
                "scope": "site" if criterion.id in IN_SCOPE else "collectivité",
                "status": status.value,
                "value": result.value if result else None,
                "reason": result.reason if result else None,
            }
        )
    return rows


def test_every_criterion_is_measured_and_reported(audited: SelfAudit) -> None:
    grid = bundled()
    ids = [c.id for c in grid.criteria]
    # the scope is decided for every criterion of the grid, once
    assert sorted(IN_SCOPE + OUT_OF_SCOPE) == sorted(ids)
    assert not set(IN_SCOPE) & set(OUT_OF_SCOPE)
    rows = _status_table(audited, grid)
    folder = artifacts()
    (folder / "autoaudit.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "| code | critère | périmètre | statut | valeur | motif |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        value = "" if row["value"] is None else f"{row['value']:.3f}"
        reason = (row["reason"] or "").replace("|", "/")
        lines.append(
            f"| {row['code']} | {row['id']} | {row['scope']} | {row['status']} | {value} "
            f"| {reason} |"
        )
    (folder / "autoaudit.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))  # shown with -s and in the CI log of a failure
    # the whole grid ran on the site (only the social criteria lack data, as for a
    # collectivité without accounts)
    for criterion_id in IN_SCOPE:
        assert criterion_id in audited.results, criterion_id


def _check_declaration(result: CheckResult) -> None:
    """L2: every item of the statement but the conformance rate, which needs an audit."""
    if result.status is Status.PASS:
        return
    missing = {e.note.split(" : ", 1)[0] for e in result.evidence if e.note and "absent" in e.note}
    partly = [e.note for e in result.evidence if e.note and "en partie" in e.note]
    assert result.status is Status.PARTIAL and missing == {"taux de conformité"}, result
    assert partly == [], partly


def _check_sobriety(result: CheckResult) -> None:
    """T9: EcoIndex grade A (the best) and the eco-design statement found."""
    eco = next(e for e in result.evidence if e.text and e.text.startswith("EcoIndex"))
    match = re.fullmatch(r"EcoIndex (\d+) \(([A-G])\)", eco.text or "")
    assert match is not None and match.group(2) == "A", eco
    statements = [e for e in result.evidence if e.url and "ecoconception" in e.url]
    assert statements, "déclaration d'écoconception"
    assert result.reason is None, result.reason


EXCEPTIONS = {
    "conformite.accessibilite_declaration": _check_declaration,
    "technique.sobriete": _check_sobriety,
}


@pytest.mark.parametrize("criterion_id", IN_SCOPE)
def test_the_site_passes_every_criterion_of_a_public_website(
    criterion_id: str, audited: SelfAudit
) -> None:
    result = audited.results[criterion_id]
    special = EXCEPTIONS.get(criterion_id)
    if special is not None:
        special(result)
        return
    assert result.status is Status.PASS, (result.status, result.value, result.reason)


def test_the_site_gets_the_best_grade_on_those_criteria(audited: SelfAudit) -> None:
    grid = bundled()
    results = [
        Result(r.check_id, r.status, r.value)
        for r in audited.results.values()
        if r.check_id in IN_SCOPE
    ]
    results += [Result(c, Status.NOT_APPLICABLE) for c in OUT_OF_SCOPE]
    scored = score_authority(SELF.id, results, grid)
    assert scored.value is not None
    dimensions = {d.dimension: d for d in scored.dimensions if d.value is not None}
    assert set(dimensions) == {"presence", "conformite", "technique"}
    kept = score_repo.calibration(audited.demo_engine, grid.version, DEMO_EDITION)
    assert kept is not None, "the demonstration edition calibrated its bands"
    for bands in (kept[1], calibrate_bands([])):
        assert grade(scored.value, scored.coverage, bands, min_coverage=0.5) == "A", (
            scored.value,
            bands,
        )
    # what the whole grid gives, collectivité criteria included, for the record
    everything = score_authority(
        SELF.id, [Result(r.check_id, r.status, r.value) for r in audited.results.values()], grid
    )
    summary = {
        "score_site": round(scored.value, 1),
        "couverture_site": round(scored.coverage, 3),
        "dimensions_site": {k: round(v.value or 0, 1) for k, v in dimensions.items()},
        "score_grille_entiere": round(everything.value or 0, 1),
        "bornes_demo": kept[1],
        "capture_s": round(audited.capture_seconds, 1),
    }
    (artifacts() / "autoaudit-note.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(summary)


# --- third parties ---------------------------------------------------------------------------


def test_the_render_of_the_home_page_requests_no_third_party(audited: SelfAudit) -> None:
    viewports = {r.get("viewport"): r for r in audited.renders}
    assert set(viewports) == {"desktop", "mobile"}
    for viewport, render in viewports.items():
        assert render.get("outcome") == "ok", render.get("error")
        requests = render.get("requests") or []
        assert requests, viewport
        assert render.get("third_party_requests") == []
        for entry in requests:
            assert not entry["third_party"] and urlsplit(entry["url"]).hostname == HOST, entry
            assert entry["status"] == 200, entry  # nothing missing either
        assert render.get("axe_version") == AXE_VERSION  # its violations count in L3


def _foreign(reference: str) -> bool:
    reference = reference.strip()
    if not reference or reference.startswith(("#", "data:")):
        return False
    parts = urlsplit(reference)
    return bool(parts.scheme or parts.netloc)


def test_no_page_or_stylesheet_references_another_site(audited: SelfAudit) -> None:
    """Every resource a page of the site loads is one of its own files (links to the
    collectivités' sites are navigation, not requests, and are not counted)."""
    site = audited.demo.folder
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > len(PAGES)
    foreign = []
    for page in pages:
        tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
        for tag, attribute in RESOURCE_ATTRIBUTES:
            for node in tree.css(f"{tag}[{attribute}]"):
                for part in (node.attributes.get(attribute) or "").split(","):
                    reference = part.strip().split(" ")[0]
                    if _foreign(reference):
                        foreign.append(f"{page.name}: <{tag} {attribute}={reference}>")
        for node in tree.css("link[href]"):
            rel = set((node.attributes.get("rel") or "").lower().split())
            loads = rel & {"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest"}
            if loads and _foreign(node.attributes.get("href") or ""):
                foreign.append(f"{page.name}: <link {rel} {node.attributes.get('href')}>")
        for node in tree.css("[style]"):
            for reference in CSS_URL.findall(node.attributes.get("style") or ""):
                if _foreign(reference):
                    foreign.append(f"{page.name}: style url({reference})")
    for sheet in sorted(site.rglob("*.css")):
        text = sheet.read_text(encoding="utf-8")
        foreign += [f"{sheet.name}: url({r})" for r in CSS_URL.findall(text) if _foreign(r)]
        foreign += [f"{sheet.name}: @import" for _ in re.finditer(r"@import", text)]
    assert foreign == []


# --- axe-core on every page type ----------------------------------------------------------


@pytest.fixture(scope="module")
def axe_source() -> str:
    return _axe_source()


def _audit(
    browser: Browser, audited: SelfAudit, axe_source: str, path: str, viewport: dict[str, int]
) -> tuple[list[dict[str, Any]], Watch, Page]:
    context = browser.new_context(locale="fr-FR", viewport=viewport)  # type: ignore[arg-type]
    origin = audited.demo.base.rstrip("/")

    def serve_axe(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=axe_source)

    context.route(origin + AXE_PATH, serve_axe)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    watch = Watch(tab, audited.demo.base)
    tab.goto(audited.demo.url(path), wait_until="load")
    tab.wait_for_load_state("networkidle")
    draw_figures(tab)
    tab.add_script_tag(url=AXE_PATH)  # same origin: allowed by the page's own CSP
    violations: list[dict[str, Any]] = tab.evaluate(AXE_RUN, AXE_TAGS)
    return violations, watch, tab


@pytest.mark.parametrize("viewport", ["bureau", "mobile"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violation(
    name: str, viewport: str, browser: Browser, audited: SelfAudit, axe_source: str
) -> None:
    path = PAGES[name] or ranking_path(largest_group(audited.demo))
    size = DESKTOP if viewport == "bureau" else MOBILE
    violations, watch, tab = _audit(browser, audited, axe_source, path, size)
    try:
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
        requests = [u for u in watch.requests if not u.endswith(AXE_PATH)]
        assert requests and all(u.startswith(audited.demo.base) for u in requests), requests
        assert watch.problems() == [], watch.problems()
    finally:
        tab.context.close()


def test_the_badge_on_the_card_loads_and_says_what_it_shows(
    browser: Browser, audited: SelfAudit, axe_source: str
) -> None:
    """The badge a collectivité may embed, shown on its card: a static image of the site's
    own origin whose text alternative is the badge's own ``<title>``; axe finds nothing
    on the section that shows it and its embedding code."""
    path = PAGES["bulletin"]
    assert path is not None
    violations, watch, tab = _audit(browser, audited, axe_source, path, DESKTOP)
    try:
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
        image = tab.locator("section[aria-labelledby=badge] img")
        assert image.count() == 1
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 0  # the SVG loaded under the page's CSP
        source = image.evaluate("img => img.src")
        assert source.startswith(audited.demo.base + "badges/")
        svg = tab.request.get(source)
        assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
        title = re.search(r"<title[^>]*>(.*?)</title>", svg.text(), re.S)
        assert title is not None and html.unescape(title[1]) == image.get_attribute("alt")
        assert "<script" not in svg.text()
        snippet = tab.locator("section[aria-labelledby=badge] pre code").inner_text()
        assert snippet.startswith("<a href=") and "<img src=" in snippet
        assert watch.problems() == [], watch.problems()
    finally:
        tab.context.close()
