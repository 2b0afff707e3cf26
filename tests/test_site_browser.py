"""The published site in a real browser: Debian's Chromium driven by Playwright.

The demonstration edition is built once for the module (sample web on loopback,
capture, audit, social, scores, open-data exports, ``barometre publish``) and served by
the project's own preview server (:func:`barometre.publish.serve.make_server`, the one
``barometre serve`` runs, with its security headers: the pages run under the strict
Content-Security-Policy they ship with). One Chromium serves every test.

Chromium resolves no name by itself: ``--host-resolver-rules`` maps every host to
« not found » except the loopback literal the preview server listens on, so a page
asking for anything else fails (and the test sees the failed request).

What is checked, against what storage holds (never against numbers copied from an
earlier run):

- every page type loads without a console error or warning, an uncaught exception, a
  failed request or an HTTP error, and requests nothing but its own origin; a desktop
  and a mobile screenshot of each is kept as a test artefact;
- the ranking tables sort (order of the rows, ``aria-sort``) and filter (by text, by
  grade, « sans note »), and the count line says how many rows are shown;
- the sort buttons are reachable and operable with the keyboard, with a visible focus;
- the search finds the collectivité typed, by name or by code, and leads to its card;
- the Ville-Exemple report card shows the status of every criterion and the evidence
  links and texts of its stored results;
- the maps of ``cartes.html`` are drawn by the vendored Vega (the live SVG replaces the
  static fallback, one shape per région or département), and without JavaScript the
  static SVG and the tables remain.

Artefacts go to ``$BAROMETRE_TEST_ARTIFACTS/site`` or ``test-artifacts/site`` at the
root of the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import threading
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright
from pypdf import PdfReader
from rich.console import Console
from sqlalchemy import Engine

from barometre.capture.render import CHROMIUM, CHROMIUM_ARGS
from barometre.cli.context import AppContext
from barometre.cli.publish_cmd import run_publish
from barometre.methodology import bundled
from barometre.models import Authority
from barometre.pipeline.demo import DEMO_EDITION
from barometre.pipeline.export import indicator_records
from barometre.publish.exports import export_edition
from barometre.publish.pdf import local_fetcher
from barometre.publish.serve import make_server
from barometre.publish.site.formatting import safe_url, truncate
from barometre.publish.site.views import card_path, ranking_path
from barometre.storage import audit_repo, registry_repo, score_repo
from barometre.vocab.status import STATUS_LABELS
from demo_edition import build_demo_edition
from french_slips import scan_site

pytestmark = pytest.mark.skipif(
    os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
    reason="Debian chromium not installed (apt-get install chromium)",
)

REPO = Path(__file__).resolve().parents[1]
VILLE = "commune:99101"
# Chromium resolves nothing: every name is "not found"; the loopback literal of the
# preview server needs no resolution (and is a potentially trustworthy origin).
BROWSER_ARGS = [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")] + [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
]
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 390, "height": 844}
DRAWN = """() => [...document.querySelectorAll('figure[data-vega-spec]')]
  .every(f => ['ready', 'failed'].includes(f.getAttribute('data-vega-state')))"""


def artifacts() -> Path:
    base = os.environ.get("BAROMETRE_TEST_ARTIFACTS")
    folder = (Path(base) if base else REPO / "test-artifacts") / "site"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fold(text: str) -> str:
    """The folding of ``site.js`` (NFD, combining marks removed, lower case)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# --- the demonstration site ---------------------------------------------------------------


@dataclass
class Ranked:
    authority: Authority
    value: float | None
    grade: str | None
    rank: int | None
    group: str


@dataclass
class DemoSite:
    engine: Engine
    folder: Path
    base: str
    ranked: list[Ranked]

    def url(self, path: str) -> str:
        return self.base + path

    def group(self, group: str) -> list[Ranked]:
        return [r for r in self.ranked if r.group == group]


def build_demo(
    root: Path, publisher: dict[str, str] | None = None, base_url: str | None = None
) -> tuple[Engine, Path]:
    """The ``barometre demo`` pipeline (without rendering) and ``barometre publish``."""
    engine = build_demo_edition(root, root / "barometre.sqlite3", with_dns=True)
    context = AppContext(data_dir=root, console=Console(width=120), err=Console(stderr=True))
    grid = bundled()
    export_edition(
        engine,
        DEMO_EDITION,
        grid,
        root / "exports" / DEMO_EDITION,
        ("csv", "json"),
        indicators=indicator_records(engine, DEMO_EDITION, grid),
    )
    out = root / "site"
    extra: dict[str, object] = {"publisher": publisher} if publisher else {}
    # the Ville-Exemple card shows a home page rendered at desktop width, as a rendering
    # capture gives it (1280 px wide: it must never widen a phone's page)
    extra["screenshot"] = lambda aid: desktop_png() if aid == VILLE else None
    if base_url:
        extra["base_url"] = base_url
    run_publish(context, DEMO_EDITION, out, engine=engine, extra=extra)
    return engine, out


def desktop_png(width: int = 1280, height: int = 800) -> bytes:
    """A plain grey PNG of a desktop screenshot's size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xcc" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def ranked_rows(engine: Engine) -> list[Ranked]:
    authorities = {a.id: a for a in registry_repo.load_authorities(engine)}
    return [
        Ranked(authorities[s.authority_id], s.value, s.grade, s.rank, s.peer_group or "")
        for s in score_repo.load_scores(engine, DEMO_EDITION, scope="global")
    ]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    engine, folder = build_demo(tmp_path_factory.mktemp("site-browser"))
    server = make_server(folder, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="site-preview", daemon=True)
    thread.start()
    try:
        yield DemoSite(
            engine, folder, f"http://127.0.0.1:{server.server_address[1]}/", ranked_rows(engine)
        )
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


@pytest.fixture(scope="module")
def browser(demo: DemoSite) -> Iterator[Browser]:
    # after ``demo``: its asyncio runs must be over before Playwright's loop starts
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


class Watch:
    """Everything a page reports that a visitor should never cause."""

    def __init__(self, page: Page, origin: str) -> None:
        self.origin = origin.rstrip("/")
        self.console: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.bad: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning", "assert"):
            self.console.append(f"{message.type}: {message.text} ({message.location})")

    def _failed(self, request: Request) -> None:
        self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.bad.append(f"HTTP {response.status} {response.url}")

    def third_party(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.origin + "/")]

    def problems(self) -> list[str]:
        return [*self.console, *self.errors, *self.failed, *self.bad]


@pytest.fixture
def page(browser: Browser, demo: DemoSite) -> Iterator[tuple[Page, Watch]]:
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)  # type: ignore[arg-type]
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    try:
        yield tab, Watch(tab, demo.base)
    finally:
        context.close()


def draw_figures(tab: Page) -> list[str]:
    """Bring every chart into view (they are drawn near the viewport), wait until each
    is drawn or has given up, and return their states."""
    figures = tab.locator("figure[data-vega-spec]")
    for index in range(figures.count()):
        figures.nth(index).scroll_into_view_if_needed()
    tab.wait_for_function(DRAWN, timeout=30_000)
    states: list[str] = tab.eval_on_selector_all(
        "figure[data-vega-spec]", "els => els.map(e => e.getAttribute('data-vega-state'))"
    )
    return states


def largest_group(demo: DemoSite) -> str:
    counts = Counter(r.group for r in demo.ranked)
    return max(sorted(counts), key=lambda g: counts[g])


# --- every page type ----------------------------------------------------------------------

PAGES = {
    "accueil": "index.html",
    "classements": "classements/index.html",
    "classement": None,  # the largest peer group of the edition
    "bulletin": card_path("commune", "99101"),
    "bulletin-region": card_path("region", "99"),
    "cartes": "cartes.html",
    "recherche": "recherche.html",
    "methodologie": "methodologie.html",
    "donnees": "donnees.html",
    "prestataires": "prestataires.html",
    "synthese": "synthese.html",
    "mentions-legales": "mentions-legales.html",
    "accessibilite": "accessibilite.html",
    "donnees-personnelles": "donnees-personnelles.html",
    "contact": "contact.html",
    "ecoconception": "ecoconception.html",
    "plan-du-site": "plan-du-site.html",
    "page-introuvable": "404.html",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_console_errors(
    name: str, demo: DemoSite, page: tuple[Page, Watch]
) -> None:
    tab, watch = page
    path = PAGES[name] or ranking_path(largest_group(demo))
    response = tab.goto(demo.url(path), wait_until="load")
    assert response is not None and response.status == 200, path
    tab.wait_for_load_state("networkidle")
    if name == "recherche":
        tab.locator("#q").fill("exemple")
        tab.wait_for_function("() => document.getElementById('resultats-compte').textContent")
    states = draw_figures(tab)
    assert "failed" not in states, states
    assert tab.locator("h1").count() == 1
    assert tab.title().endswith("Baromètre numérique des territoires, édition de démonstration")
    assert tab.locator(".bandeau-demo").is_visible()  # a demonstration says so everywhere
    folder = artifacts()
    tab.screenshot(path=str(folder / f"{name}-bureau.png"), full_page=True)
    tab.set_viewport_size(MOBILE)  # type: ignore[arg-type]
    tab.wait_for_timeout(100)
    overflow = tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    stuck = tab.eval_on_selector_all(
        "table",
        """els => els.filter(t => t.scrollWidth > t.clientWidth + 1 && t.tabIndex !== 0)
                     .map(t => t.caption ? t.caption.textContent : t.className)""",
    )
    tab.screenshot(path=str(folder / f"{name}-mobile.png"), full_page=True)
    assert watch.problems() == [], watch.problems()
    assert watch.third_party() == [], watch.third_party()
    # on a phone the page never scrolls sideways: a wide table scrolls by itself, keeps
    # its table role and can be scrolled from the keyboard
    assert overflow <= 0, f"{path}: {overflow}px of horizontal scrolling at 390px"
    assert tab.get_by_role("table").count() == tab.locator("table").count()
    assert stuck == [], stuck


# --- rankings: sorting and filtering -----------------------------------------------------


def _names(tab: Page) -> list[str]:
    names: list[str] = tab.eval_on_selector_all(
        "#classement tbody tr:not([hidden]) th[scope=row] a", "els => els.map(e => e.textContent)"
    )
    return names


def _values(tab: Page, column: int) -> list[float]:
    raw: list[str] = tab.eval_on_selector_all(
        f"#classement tbody tr:not([hidden]) > :nth-child({column})",
        "els => els.map(e => e.getAttribute('data-valeur'))",
    )
    return [float(v) for v in raw]


def _sort_by(tab: Page, label: str) -> None:
    tab.locator("#classement thead button.tri", has_text=label).click()


def _sort_state(tab: Page, label: str) -> str | None:
    header = tab.locator("#classement thead th", has=tab.locator("button.tri", has_text=label))
    return header.get_attribute("aria-sort")


def _count_text(shown: int, total: int) -> str:
    s = "s" if shown > 1 else ""
    return f"{shown} collectivité{s} affichée{s} sur {total}."


def test_ranking_sorts_and_filters(demo: DemoSite, page: tuple[Page, Watch]) -> None:
    tab, watch = page
    group = largest_group(demo)
    members = demo.group(group)
    assert len(members) >= 5, "the demo needs a ranking worth sorting"
    tab.goto(demo.url(ranking_path(group)), wait_until="load")
    status = tab.locator("#compte")
    assert status.text_content() == _count_text(len(members), len(members))

    # as published: by rank, every collectivité of the group
    initial = _names(tab)
    assert sorted(initial) == sorted(m.authority.name for m in members)
    ranks = _values(tab, 1)
    assert ranks == sorted(ranks)

    by_name = sorted(initial, key=fold)
    assert by_name != initial, "the published order is not already alphabetical"
    _sort_by(tab, "Collectivité")
    assert _sort_state(tab, "Collectivité") == "ascending"
    assert _names(tab) == by_name
    _sort_by(tab, "Collectivité")
    assert _sort_state(tab, "Collectivité") == "descending"
    assert _names(tab) == by_name[::-1]

    _sort_by(tab, "Population")
    assert _sort_state(tab, "Population") == "ascending"
    assert _sort_state(tab, "Collectivité") is None  # one sorted column at a time
    populations = _values(tab, 4)
    assert populations == sorted(populations)
    smallest = min(members, key=lambda m: m.authority.population or 0)
    assert populations[0] == (smallest.authority.population or 0)

    _sort_by(tab, "Score")
    _sort_by(tab, "Score")
    assert _sort_state(tab, "Score") == "descending"
    scores = _values(tab, 5)
    assert scores == sorted(scores, reverse=True)
    best = max((m.value for m in members if m.value is not None), default=None)
    assert best is not None and scores[0] == pytest.approx(best, abs=1e-6)

    # text filter: the rows whose name holds the word, and the count says so
    word = "piégé"
    expected = {m.authority.name for m in members if fold(word) in fold(m.authority.name)}
    assert 0 < len(expected) < len(members)
    tab.locator("#filtre").fill(word)
    assert set(_names(tab)) == expected
    assert status.text_content() == _count_text(len(expected), len(members))

    # grade filter, combined with the text filter, then alone
    grades = Counter(m.grade or "-" for m in members)
    grade = max(sorted(grades), key=lambda g: grades[g])
    tab.locator("#filtre-note").select_option(grade)
    both = {
        m.authority.name
        for m in members
        if (m.grade or "-") == grade and fold(word) in fold(m.authority.name)
    }
    assert set(_names(tab)) == both
    assert status.text_content() == _count_text(len(both), len(members))
    tab.locator("#filtre").fill("")
    alone = {m.authority.name for m in members if (m.grade or "-") == grade}
    assert set(_names(tab)) == alone
    assert status.text_content() == _count_text(len(alone), len(members))
    shown_grades = tab.eval_on_selector_all(
        "#classement tbody tr:not([hidden])", "els => els.map(e => e.getAttribute('data-note'))"
    )
    assert set(shown_grades) == {grade}

    tab.locator("#filtre-note").select_option("")
    assert len(_names(tab)) == len(members)
    assert status.text_content() == _count_text(len(members), len(members))
    assert watch.problems() == []


def test_sort_buttons_work_with_the_keyboard(demo: DemoSite, page: tuple[Page, Watch]) -> None:
    tab, _ = page
    group = largest_group(demo)
    tab.goto(demo.url(ranking_path(group)), wait_until="load")
    tab.keyboard.press("Tab")
    first = tab.evaluate("() => document.activeElement.className")
    assert first == "evitement", "the first stop is the skip link"

    def focused() -> dict[str, Any]:
        info: dict[str, Any] = tab.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
              return {tag: e.tagName, text: e.textContent.trim(),
                      sortable: !!e.closest('th[data-tri]'),
                      outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
        )
        return info

    for _ in range(80):
        tab.keyboard.press("Tab")
        if focused()["sortable"]:
            break
    info = focused()
    assert info["sortable"] and info["tag"] == "BUTTON", info
    assert info["outline"] != "none" and info["width"] >= 2, "visible focus indicator"
    label = info["text"]
    before = _names(tab)
    tab.keyboard.press("Enter")
    assert _sort_state(tab, label) == "ascending"
    tab.keyboard.press("Enter")
    assert _sort_state(tab, label) == "descending"

    tab.keyboard.press("Tab")  # the next column's button
    info = focused()
    assert info["sortable"] and info["text"] == "Collectivité", info
    tab.keyboard.press("Space")
    assert _sort_state(tab, "Collectivité") == "ascending"
    assert _names(tab) == sorted(before, key=fold)


# --- search ------------------------------------------------------------------------------


def _search(tab: Page, query: str) -> tuple[str, list[tuple[str, str]]]:
    tab.locator("#q").fill("")
    tab.locator("#q").press_sequentially(query)
    count = tab.locator("#resultats-compte")
    # the list says which query it answers: wait for this one, not an earlier keystroke
    tab.wait_for_function(
        "q => document.getElementById('resultats').getAttribute('data-requete') === q",
        arg=query,
        timeout=10_000,
    )
    items = tab.eval_on_selector_all(
        "#resultats li a", "els => els.map(e => [e.textContent, e.getAttribute('href')])"
    )
    return count.text_content() or "", [(text, href) for text, href in items]


def test_search_finds_the_collectivite_typed(demo: DemoSite, page: tuple[Page, Watch]) -> None:
    tab, watch = page
    tab.goto(demo.url("recherche.html"), wait_until="networkidle")
    ville = next(r.authority for r in demo.ranked if r.authority.id == VILLE)

    def expected(query: str) -> list[str]:
        found = [
            r.authority
            for r in demo.ranked
            if fold(query) in fold(f"{r.authority.name} {r.authority.code}")
        ]
        return [a.name for a in sorted(found, key=lambda a: (a.name, a.code))][:50]

    text, items = _search(tab, ville.name)
    assert [name for name, _ in items] == expected(ville.name) == [ville.name]
    assert text == "1 résultat."
    text, items = _search(tab, "exemple")
    assert [name for name, _ in items] == expected("exemple")
    assert text == f"{len(items)} résultats." and len(items) > 10
    text, items = _search(tab, ville.code)
    assert [name for name, _ in items] == [ville.name]
    text, items = _search(tab, "zzqx")
    assert (text, items) == ("Aucun résultat.", [])

    _search(tab, ville.name)
    tab.locator("#resultats li a").first.click()
    tab.wait_for_load_state("load")
    assert tab.url == demo.url(card_path("commune", ville.code))
    assert tab.locator("h1").text_content() == ville.name
    assert watch.problems() == []


# --- a report card -----------------------------------------------------------------------


def test_report_card_shows_every_criterion_and_its_evidence(
    demo: DemoSite, page: tuple[Page, Watch]
) -> None:
    tab, watch = page
    grid = bundled()
    stored = {
        r.check_id: r
        for r, _ in audit_repo.load_results(demo.engine, DEMO_EDITION, authority_id=VILLE)
    }
    assert len(stored) >= 40, "Ville-Exemple was audited on the whole grid"
    tab.goto(demo.url(card_path("commune", "99101")), wait_until="load")
    assert tab.locator("h1").text_content() == "Ville-Exemple"

    rows = tab.locator("table.criteres tbody tr")
    assert rows.count() == len(grid.criteria)
    shown = dict(
        tab.eval_on_selector_all(
            "table.criteres tbody tr",
            """els => els.map(e => [e.querySelector('.code').textContent,
                                   e.querySelector('.statut').textContent.trim()])""",
        )
    )
    for criterion in grid.criteria:
        result = stored.get(criterion.id)
        if result is not None:
            label = STATUS_LABELS[result.status]
            assert shown[criterion.code].endswith(label), (criterion.id, shown[criterion.code])

    hrefs = set(
        tab.eval_on_selector_all(
            "ul.preuves a[href]", "els => els.map(e => e.getAttribute('href'))"
        )
    )
    quotes = tab.eval_on_selector_all("ul.preuves q", "els => els.map(e => e.textContent)")
    urls = {
        e.url
        for r in stored.values()
        for e in r.evidence[:6]
        if e.url and safe_url(e.url) is not None
    }
    texts = {truncate(e.text, 200) for r in stored.values() for e in r.evidence[:6] if e.text}
    assert len(urls) >= 10 and texts
    assert urls <= hrefs, sorted(urls - hrefs)
    assert texts <= set(quotes), sorted(texts - set(quotes))
    # a few pages the crawl read, named by the evidence of specific criteria
    for check_id in ("conformite.mentions_legales", "conformite.accessibilite_declaration"):
        for evidence in stored[check_id].evidence[:6]:  # the card shows six per criterion
            if evidence.url:
                assert evidence.url in hrefs, (check_id, evidence.url)
    links = tab.locator("ul.preuves a[href]")
    assert links.count() >= len(urls)
    for index in range(min(5, links.count())):
        rel = links.nth(index).get_attribute("rel") or ""
        assert {"noopener", "noreferrer", "nofollow"} <= set(rel.split())
    assert watch.problems() == []


# --- maps ---------------------------------------------------------------------------------


def test_maps_are_drawn_by_vega(demo: DemoSite, page: tuple[Page, Watch]) -> None:
    tab, watch = page
    tab.goto(demo.url("cartes.html"), wait_until="load")
    figures = tab.locator("section figure[data-vega-spec]")
    assert figures.count() >= 2, "one map by région and one by département"
    states = draw_figures(tab)
    assert states and set(states) == {"ready"}, states
    shapes = []
    for index in range(figures.count()):
        figure = figures.nth(index)
        assert figure.locator("[data-vega-fallback]").count() == 0  # replaced by the live view
        svg = figure.locator("svg")
        assert svg.count() == 1
        holder = figure.locator(".chart-live")
        assert holder.get_attribute("role") == "img" and (holder.get_attribute("aria-label") or "")
        assert svg.get_attribute("aria-hidden") == "true"  # named by its container
        shapes.append(svg.locator("g.mark-shape path").count())
        section = figure.locator("xpath=ancestor::section[1]")
        assert section.locator("table.donnees tbody tr").count() > 0  # the data alternative
    assert max(shapes) >= 101, shapes  # every département drawn
    assert min(shapes) >= 18, shapes  # every région
    tab.screenshot(path=str(artifacts() / "cartes-dessinees.png"), full_page=True)
    assert watch.problems() == [] and watch.third_party() == []


def test_without_javascript_the_static_maps_and_tables_remain(
    browser: Browser, demo: DemoSite
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)  # type: ignore[arg-type]
    try:
        tab = context.new_page()
        tab.goto(demo.url("cartes.html"), wait_until="load")
        fallbacks = tab.locator("figure[data-vega-spec] [data-vega-fallback] svg")
        assert fallbacks.count() >= 2
        assert fallbacks.first.is_visible()
        assert tab.locator("table.donnees").count() >= 2
        tab.goto(demo.url(ranking_path(largest_group(demo))), wait_until="load")
        # the whole table is there, the tools that need a script are not shown
        assert tab.locator("#classement tbody tr").count() == len(demo.group(largest_group(demo)))
        assert not tab.locator(".outils-tableau").is_visible()
    finally:
        context.close()


# --- paper: report card and national summary in PDF --------------------------------------

HEADINGS = ("h1", "h2", "h3", "h4")
LEAVES = (*HEADINGS, "p", "li", "tr", "dt", "dd", "figcaption", "caption")


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def paper(demo: DemoSite, path: str) -> tuple[int, list[str], list[str]]:
    """The page as WeasyPrint lays it out on A4 (the site's print stylesheet): pages,
    boxes that overflow the page's text area, and pages that end on a heading."""
    from weasyprint import HTML

    page = demo.folder / path
    document = HTML(
        string=page.read_text("utf-8"),
        base_url=page.resolve().as_uri(),
        url_fetcher=local_fetcher(demo.folder),
    ).render()
    overflow: list[str] = []
    orphaned: list[str] = []
    for number, laid in enumerate(document.pages, 1):
        area = laid._page_box
        right = area.content_box_x() + area.width
        body = area.children[0] if area.children else area
        last = None
        for box in _boxes(body):
            if getattr(box, "width", None) is None or not hasattr(box, "position_x"):
                continue
            if box.position_x + box.margin_width() > right + 0.5:
                text = getattr(box, "text", "") or getattr(box, "element_tag", "")
                overflow.append(f"page {number} : {type(box).__name__} {text[:60]!r}")
            if getattr(box, "element_tag", None) in LEAVES and box.height:
                last = box
        if last is not None and last.element_tag in HEADINGS and number < len(document.pages):
            orphaned.append(f"page {number} : {last.element_tag}")
    return len(document.pages), overflow, orphaned


def test_the_ville_exemple_card_holds_on_four_pages(demo: DemoSite) -> None:
    pages, overflow, orphaned = paper(demo, card_path("commune", "99101"))
    assert pages <= 4, pages
    assert overflow == [], overflow
    assert orphaned == [], orphaned


def test_the_national_summary_prints_without_overflow(demo: DemoSite) -> None:
    pages, overflow, orphaned = paper(demo, "synthese.html")
    assert pages <= 8, pages
    assert overflow == [], overflow
    assert orphaned == [], orphaned
    pdf = demo.folder / "pdf" / "synthese-nationale.pdf"
    assert len(PdfReader(pdf).pages) == pages  # the published PDF is this layout


# --- French: the slips a proofreader would mark --------------------------------------------


def test_the_demo_site_has_none_of_the_french_slips(demo: DemoSite) -> None:
    found = scan_site(demo.folder)
    listed = [
        f"{path}: {rule}: {excerpt}" for path, slips in found.items() for rule, excerpt in slips
    ]
    assert listed == [], "\n".join(listed[:40])


def test_the_national_summary_opens_with_findings_and_their_denominators(
    demo: DemoSite, page: tuple[Page, Watch]
) -> None:
    tab, _ = page
    tab.goto(demo.url("synthese.html"))
    findings = tab.locator(".constats li").all_inner_texts()
    assert 3 <= len(findings) <= 6, findings
    for sentence in findings:
        assert re.search(r"\d sur \d", sentence), sentence  # its denominator
    first_heading = tab.locator("main h2").first.inner_text()
    assert first_heading == "L'essentiel"
