"""Hostile strings through the whole chain: crawl → storage → site, exports and PDF.

One small edition holds:

- the sample web's ``injection.hostile.test`` (« Injection (site piégé) »), really
  captured and audited: its ``<title>`` is ``Mairie de Piège <script>alert("titre")
  </script>``, its links ``javascript:`` and ``…%22onmouseover=alert(1)`` URLs;
- a hand-made collectivité whose name, results, evidence, findings, social account and
  explanation, stored with the storage repositories, carry ``<script>`` elements,
  ``" onmouseover="`` breakouts, ``javascript:`` / ``data:`` URLs (in several spellings)
  and spreadsheet formulas; some of its URLs point at a recording server on loopback,
  so that any fetch of them is seen.

The site is built with every report card in PDF too, and its open-data exports. Then:

- every page, parsed with lexbor (the HTML5 parser of selectolax, which splits a page as
  a browser does), has no ``<script>`` but the site's own files, no ``on*`` attribute, no
  ``javascript:``/``data:``/``vbscript:`` URL in a link or resource attribute, and no
  JSON inside a ``<script>`` that could close it; the hostile strings are there as text,
  exactly as stored;
- in Chromium, the hostile card and the search (typing ``<script>``) show the strings as
  text, and hovering, focusing every link opens no dialog and breaks no
  Content-Security-Policy rule;
- the CSV exports neutralise every cell starting with ``=``, ``+``, ``-`` or ``@`` (and
  the JSON export keeps the exact text);
- the PDF renderer fetches nothing that is not a file of the site: neither the hostile
  URLs of the cards nor a page written to make it fetch (``http``, ``file`` outside the
  site, ``@import``).
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from playwright.sync_api import Browser, Dialog, sync_playwright
from rich.console import Console
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Engine

from barometre.audit import audit_edition
from barometre.capture.render import CHROMIUM
from barometre.capture.run import Target, capture_edition
from barometre.cli.context import AppContext
from barometre.cli.publish_cmd import run_publish
from barometre.methodology import bundled
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    CheckResult,
    Evidence,
    Finding,
    SocialProfile,
    SocialSource,
    Status,
    Website,
)
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import fetch_config, sample_authorities
from barometre.publish.exports import export_edition
from barometre.publish.pdf import local_fetcher, render_pdf
from barometre.publish.serve import make_server
from barometre.publish.site.views import card_path
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, explanation_repo, registry_repo, social_repo
from barometre.storage.db import open_database
from test_site_browser import BROWSER_ARGS, Watch

EDITION = "2026-11"
INJECTION = "commune:99213"
PIEGE = "commune:99301"
TITLE = 'Mairie de Piège <script>alert("titre")</script>'  # the hostile page's <title>
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '" onmouseover="alert(1)'
NAME = f'Commune {SCRIPT}{BREAKOUT} x="'
FORMULA = '=HYPERLINK("http://127.0.0.1/piege";"clic")'
REASON = f"{FORMULA} {SCRIPT} <img src=x onerror=alert('motif')>"
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href")
OWN_SCRIPTS = (
    "static/site.js",
    "static/js/barometre-charts.js",
    "static/vendor/vega/vega.min.js",
    "static/vendor/vega-lite/vega-lite.min.js",
    "static/vendor/vega-embed/vega-embed.min.js",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Recorder(BaseHTTPRequestHandler):
    """Answers anything on loopback and remembers it: nothing should ever ask."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorder.hits.append(self.path)
        body = b"\x89PNG\r\n\x1a\n" if self.path.endswith(".png") else b"body{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Hostile:
    engine: Engine
    root: Path
    site: Path
    exports: Path
    trap: str  # http://127.0.0.1:<port> of the recording server

    def pages(self) -> list[Path]:
        return sorted(self.site.rglob("*.html"))


def hostile_records(trap: str) -> tuple[list[CheckResult], list[Finding]]:
    results = [
        CheckResult(
            PIEGE,
            "presence.site_joignable",
            "1",
            Status.PARTIAL,
            0.5,
            reason=REASON,
            evidence=(
                Evidence(url="javascript:alert('preuve')", text=SCRIPT),
                Evidence(url=f"https://piege.test/{BREAKOUT}", text=BREAKOUT),
                Evidence(url="  JaVaScRiPt:alert('casse')", text="</q><script>alert(2)</script>"),
                Evidence(
                    url="java\tscript:alert('tab')", header="X-Piege: <script>alert(3)</script>"
                ),
                Evidence(url="data:text/html,<script>alert('data')</script>", note=f"{BREAKOUT}"),
                Evidence(url=f"{trap}/preuve.png", selector="a[href^='javascript:']"),
            ),
        ),
        CheckResult(
            PIEGE,
            "conformite.mentions_legales",
            "1",
            Status.FAIL,
            0.0,
            reason="-1 mention manquante",
            evidence=(Evidence(url="vbscript:msgbox(1)", text="@SUM(1+1)"),),
        ),
    ]
    findings = [
        Finding("app", f"<svg onload=alert('app')>{SCRIPT}", "javascript:alert('app')"),
        Finding(
            "service",
            FORMULA,
            "https://service.test/\"><script>alert('service')</script>",
            None,
            Evidence(text="+33 1 99 00 00 00"),
        ),
        Finding("participation", "Plateforme", f"{trap}/decouverte.png"),
        Finding("cms", f"{BREAKOUT} <iframe src=javascript:alert(1)>"),
    ]
    return results, findings


def hostile_account() -> SocialProfile:
    return SocialProfile(
        platform="mastodon",
        account_id="https://social.test/users/piege",
        handle=f"@{SCRIPT}@social.test",
        url="javascript:alert('compte')",
        state=AccountState.ERROR,
        fetched_at=datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
        source=SocialSource.API,
        display_name="=cmd|' /C calc'!A0",
        description=f"-- {SCRIPT}",
        reason=f"{BREAKOUT} <b>gras</b>",
    )


def build_hostile(root: Path, trap: str) -> Hostile:
    engine = open_database(f"sqlite:///{root / 'barometre.sqlite3'}")
    context = AppContext(data_dir=root, console=Console(width=120), err=Console(stderr=True))
    grid = bundled()
    injection = next(a for a in sample_authorities() if a.id == INJECTION)
    piege = Authority(
        AuthorityKind.COMMUNE,
        "99301",
        NAME,
        population=4200,
        region="99",
        departement="99",
        websites=(
            Website("https://www.commune-piegee.test/", "www.commune-piegee.test", "test", True),
        ),
    )
    registry_repo.replace_registry(engine, [injection, piege], "registre piégé", {})
    capture_repo.ensure_edition(engine, EDITION, "Édition piégée")
    with BackgroundSampleWeb(with_dns=False, slow_drip_limit=3) as web:
        resolver = GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
            static_only=True,
        )
        assert injection.website is not None
        report = asyncio.run(
            capture_edition(
                engine,
                EDITION,
                [Target(injection.id, injection.website.url)],
                warc_root=root / "warc",
                config=fetch_config(),
                resolver=resolver,
                ssl_context=web.client_ssl_context(),
            )
        )
    assert report.done == 1, report
    audit_edition(engine, EDITION, grid)
    results, findings = hostile_records(trap)
    audit_repo.store_audit(engine, EDITION, PIEGE, results, findings)
    social_repo.store_account(
        engine, EDITION, PIEGE, hostile_account(), found_at=f"https://x.test/{BREAKOUT}"
    )
    explanation_repo.store(
        engine,
        [
            explanation_repo.Explanation(
                PIEGE,
                "presence.site_joignable",
                "dispute",
                f"Nous contestons {SCRIPT}{BREAKOUT}",
                date(2026, 11, 1),
                date(2027, 1, 31),
            )
        ],
    )
    score_edition(engine, EDITION, grid)
    exports = root / "exports" / EDITION
    export_edition(engine, EDITION, grid, exports, ("csv", "json"))
    site = root / "site"
    run_publish(context, EDITION, site, engine=engine, pdf=True)
    return Hostile(engine, root, site, exports, trap)


@pytest.fixture(scope="module")
def trap() -> Iterator[str]:
    Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, name="trap", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, trap: str) -> Iterator[Hostile]:
    built = build_hostile(tmp_path_factory.mktemp("site-security"), trap)
    try:
        yield built
    finally:
        built.engine.dispose()


def parse(path: Path) -> LexborHTMLParser:
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def dangerous(url: str) -> bool:
    """What a browser would run: it drops ASCII whitespace and controls around and inside
    the scheme before reading it."""
    cleaned = "".join(c for c in url if c > " " and c != "\x7f").lower()
    return cleaned.startswith(DANGEROUS_SCHEMES)


# --- the HTML -------------------------------------------------------------------------------


def test_no_page_carries_a_script_a_handler_or_a_javascript_url(hostile: Hostile) -> None:
    problems = []
    for page in hostile.pages():
        tree = parse(page)
        name = str(page.relative_to(hostile.site))
        root = "../" * name.count("/")
        for node in tree.css("*"):
            for attribute, value in node.attributes.items():
                if attribute.lower().startswith("on"):
                    problems.append(f"{name}: <{node.tag} {attribute}={value!r}>")
                if attribute.lower() in URL_ATTRIBUTES and value and dangerous(value):
                    problems.append(f"{name}: <{node.tag} {attribute}={value!r}>")
        for node in tree.css("script"):
            src = node.attributes.get("src")
            kind = (node.attributes.get("type") or "").lower()
            if src is not None:
                if src.removeprefix(root) not in OWN_SCRIPTS:
                    problems.append(f"{name}: <script src={src!r}>")
                if (node.text() or "").strip():
                    problems.append(f"{name}: <script src> with content")
            elif kind in ("application/json", "application/ld+json"):
                text = node.text() or ""
                json.loads(text)  # a </script> inside would have cut it
                if "<" in text:
                    problems.append(f"{name}: '<' unescaped in JSON <script>")
            else:
                problems.append(f"{name}: inline <script> {node.text()[:80]!r}")
        for tag in ("iframe", "object", "embed", "base", "frame", "applet"):
            problems += [f"{name}: <{tag}>" for _ in tree.css(tag)]
        for node in tree.css("meta[http-equiv]"):
            if (node.attributes.get("http-equiv") or "").lower() == "refresh":
                problems.append(f"{name}: <meta http-equiv=refresh>")
        for node in tree.css("img[src]"):
            src = node.attributes.get("src") or ""
            # the site's own files: screenshots, assets, and the badges it draws (each
            # badge's text escaped: test_the_badge_holds_the_hostile_name_as_text)
            if not src.removeprefix(root).startswith(("captures/", "static/", "badges/")):
                problems.append(f"{name}: <img src={src!r}>")
    assert problems == []


def _text(path: Path) -> str:
    body = parse(path).body
    assert body is not None
    return body.text(separator=" ")


def test_the_crawled_title_is_shown_as_text(hostile: Hostile) -> None:
    card = hostile.site / card_path("commune", "99213")
    tree = parse(card)
    quotes = [q.text() for q in tree.css("ul.preuves q")]
    assert TITLE in quotes  # the exact string, a text node of <q>
    assert not [s for s in tree.css("script") if "alert" in (s.text() or "")]
    raw = card.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;titre&#34;)&lt;/script&gt;" in raw
    assert '<script>alert("titre")' not in raw


def test_hand_made_strings_are_text_and_hostile_urls_never_links(hostile: Hostile) -> None:
    card = hostile.site / card_path("commune", "99301")
    tree = parse(card)
    h1 = tree.css_first("h1")
    assert h1 is not None and h1.text() == NAME
    title = tree.css_first("title")
    assert title is not None and title.text().startswith(NAME)
    description = tree.css_first('meta[name="description"]')
    assert description is not None and NAME in (description.attributes.get("content") or "")
    text = _text(card)
    for needle in (
        SCRIPT,
        BREAKOUT,
        "</q><script>alert(2)</script>",
        "X-Piege: <script>alert(3)</script>",
        f"<svg onload=alert('app')>{SCRIPT}",
        f"{BREAKOUT} <iframe src=javascript:alert(1)>",
        f"@{SCRIPT}@social.test",
        f"Nous contestons {SCRIPT}{BREAKOUT}",
        f"{BREAKOUT} <b>gras</b>",
    ):
        assert needle in text, needle
    # hostile URLs are shown, not linked; the safe one keeps its quote inside the value
    spans = [s.text() for s in tree.css("span.texte-lien")]
    for url in (
        "javascript:alert('preuve')",
        "JaVaScRiPt:alert('casse')",
        "java\tscript:alert('tab')",
        "data:text/html,<script>alert('data')</script>",
        "vbscript:msgbox(1)",
        "javascript:alert('app')",
    ):
        shown = " ".join(url.split())  # as the card shows it (whitespace folded)
        assert any(shown in span for span in spans), url
    assert f"@{SCRIPT}@social.test" in spans  # the account, whose URL is javascript:
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a[href]")]
    # a contest link carries the evidence inside a mailto: address, percent-encoded
    contests = [h for h in hrefs if h.startswith("mailto:")]
    assert contests and all(not set("<>\"' ") & set(h) for h in contests)
    links = [a for a in tree.css("a[href]") if "piege.test" in (a.attributes.get("href") or "")]
    links = [a for a in links if not (a.attributes.get("href") or "").startswith("mailto:")]
    assert [a.attributes.get("href") for a in links] == [f"https://piege.test/{BREAKOUT}"]
    assert set(links[0].attributes) == {"href", "rel"}
    service = [a for a in tree.css("a[href]") if "service.test" in (a.attributes.get("href") or "")]
    assert len(service) == 1 and set(service[0].attributes) == {"href", "rel"}


def test_json_of_the_search_and_the_charts_holds_the_strings_as_data(hostile: Hostile) -> None:
    index = json.loads((hostile.site / "recherche.json").read_text(encoding="utf-8"))
    assert NAME in [item["n"] for item in index]
    for item in index:
        assert not dangerous(item["u"]) and not item["u"].startswith(("/", "http"))
    for spec in sorted((hostile.site / "graphiques").glob("*.json")):
        json.loads(spec.read_text(encoding="utf-8"))  # valid JSON, read as data by Vega
    for page in hostile.pages():
        for figure in parse(page).css("figure[data-vega-spec]"):
            target = figure.attributes.get("data-vega-spec") or ""
            assert not dangerous(target) and "://" not in target, (page, target)


# --- in the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(hostile: Hostile) -> Iterator[Browser]:
    if os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(hostile: Hostile) -> Iterator[str]:
    server = make_server(hostile.site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="site-preview", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_in_the_browser_nothing_runs(hostile: Hostile, browser: Browser, served: str) -> None:
    context = browser.new_context(locale="fr-FR")
    dialogs: list[str] = []
    try:
        tab = context.new_page()

        def opened(dialog: Dialog) -> None:
            dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        tab.on("dialog", opened)
        watch = Watch(tab, served)
        for path in (card_path("commune", "99301"), card_path("commune", "99213")):
            tab.goto(served + path, wait_until="load")
            tab.wait_for_load_state("networkidle")
            links = tab.locator("main a")
            for index in range(links.count()):
                link = links.nth(index)
                link.scroll_into_view_if_needed()
                link.hover()
                link.focus()
            assert (
                tab.evaluate(
                    "() => document.querySelectorAll('main script, main [onmouseover]').length"
                )
                == 0
            )
        heading = tab.locator("h1")
        tab.goto(served + card_path("commune", "99301"), wait_until="networkidle")
        assert heading.text_content() == NAME
        tab.goto(served + "recherche.html", wait_until="networkidle")
        tab.locator("#q").press_sequentially("<script>")
        tab.wait_for_function("() => document.getElementById('resultats-compte').textContent")
        found = tab.locator("#resultats li a")
        assert found.count() == 1 and found.first.text_content() == NAME
        assert tab.locator("#resultats script").count() == 0
        found.first.click()
        tab.wait_for_load_state("load")
        assert heading.text_content() == NAME
        assert dialogs == []
        assert watch.problems() == [], watch.problems()  # no CSP violation either
        assert watch.third_party() == []
    finally:
        context.close()
    assert Recorder.hits == []


# --- exports -------------------------------------------------------------------------------


def _csv(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / "csv" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_exports_neutralise_formulas(hostile: Hostile) -> None:
    for folder in (hostile.exports, hostile.site / "donnees"):
        names = [r["nom"] for r in _csv(folder, "decouvertes")]
        assert "'" + FORMULA in names, names
        results = {r["critere"]: r for r in _csv(folder, "resultats") if r["collectivite"] == PIEGE}
        assert results["conformite.mentions_legales"]["motif"] == "'-1 mention manquante"
        assert results["presence.site_joignable"]["motif"] == "'" + REASON
        accounts = [r for r in _csv(folder, "comptes_sociaux") if r["collectivite"] == PIEGE]
        assert [a["nom_affiche"] for a in accounts] == ["'=cmd|' /C calc'!A0"]
        assert accounts[0]["compte"] == f"'@{SCRIPT}@social.test"
        for table in sorted((folder / "csv").glob("*.csv")):
            with table.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle):
                    for cell in row:
                        assert not cell.startswith(FORMULA_PREFIXES), (table.name, cell)
    # the JSON export keeps the exact text (neutralisation is for spreadsheets only)
    document = json.loads((hostile.exports / "json" / "decouvertes.json").read_text("utf-8"))
    column = [c["nom"] for c in document["colonnes"]].index("nom")
    assert FORMULA in [row[column] for row in document["lignes"]]


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_cards_were_made_without_fetching_anything(hostile: Hostile) -> None:
    pdfs = sorted((hostile.site / "pdf").glob("*.pdf"))
    assert len(pdfs) >= 3  # both cards and the national summary
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert Recorder.hits == []


def test_the_pdf_renderer_refuses_non_local_urls(hostile: Hostile, tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "ok.png").write_bytes((hostile.site / "static" / "favicon.svg").read_bytes())
    secret = tmp_path / "hors-du-site.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    trap = hostile.trap
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="{trap}/style.css">
<link rel="stylesheet" href="{secret.as_uri()}">
<link rel="stylesheet" href="../hors-du-site.css">
<style>@import url("{trap}/import.css"); body {{ background: url("{trap}/fond.png") }}</style>
</head><body><p>Bulletin</p><img src="{trap}/image.png" alt=""><img src="ok.png" alt="">
<object data="{trap}/objet.png"></object><a href="{trap}/lien">lien</a></body></html>"""
    before = len(Recorder.hits)
    data = render_pdf(html, root / "page.html", root)
    assert data.startswith(b"%PDF")
    assert Recorder.hits[before:] == []
    fetcher = local_fetcher(root)
    for url in (f"{trap}/x.png", "https://127.0.0.1/x.png", secret.as_uri(), "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert Recorder.hits[before:] == []
    inside = fetcher.fetch((root / "ok.png").as_uri())  # a file of the site is read
    assert inside is not None


def test_the_badge_holds_the_hostile_name_as_text(hostile: Hostile) -> None:
    """The badge drawn for the collectivité with a hostile name: an SVG with no
    script, no handler and no element made of the name, which is escaped text."""
    badge = hostile.site / "badges" / "commune-99301.svg"
    svg = badge.read_text(encoding="utf-8")
    assert "<script" not in svg.lower() and "&lt;script&gt;" in svg  # the name, as text
    tree = parse(badge)
    assert not tree.css("script") and not tree.css("img")
    for node in tree.css("*"):
        assert not any(a.lower().startswith("on") for a in node.attributes), node.tag
