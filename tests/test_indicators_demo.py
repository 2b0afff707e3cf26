"""The indicator catalogue on the demonstration: two editions a month apart, every
indicator in ``barometre stats`` and the synthèse with its change, the follower
progressions, and (with Chromium) the map selector and the progression ranking."""

from __future__ import annotations

import csv
import json
import re
import shutil
import threading
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import Engine
from typer.testing import CliRunner

from barometre.capture.render import CHROMIUM
from barometre.cli.app import app
from barometre.cli.context import AppContext
from barometre.cli.publish_cmd import run_publish
from barometre.indicators import read, series
from barometre.methodology import bundled
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.pipeline.demo import DEMO_EDITION, PREVIOUS_EDITION
from barometre.pipeline.export import indicator_records
from barometre.publish.exports import export_edition
from barometre.publish.serve import make_server
from barometre.sampleweb import platforms as sample_platforms
from barometre.social.analysis.crosspost import METRIC
from barometre.storage import indicator_repo, social_repo
from demo_edition import build_demo_edition

COPY_LABELS = Path(sample_platforms.__file__).parent / "data" / "copies_labels.toml"
ADAPTS_BELOW = bundled_catalogue().get("pratiques.adaptation_par_plateforme").below or 0.0


@dataclass
class Demo:
    engine: Engine
    url: str
    site: Path
    base: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("indicators-demo")
    database = root / "b.sqlite3"
    engine = build_demo_edition(root, database, previous=True)
    context = AppContext(data_dir=root, console=Console(width=120), err=Console(stderr=True))
    # the exports as « barometre demo » writes them, joined to the site
    grid = bundled()
    export_edition(
        engine,
        DEMO_EDITION,
        grid,
        root / "exports",
        ("csv", "json"),
        indicators=indicator_records(engine, DEMO_EDITION, grid),
    )
    run_publish(
        context, DEMO_EDITION, root / "site", engine=engine, extra={"exports": root / "exports"}
    )
    server = make_server(root / "site", "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="site-preview", daemon=True)
    thread.start()
    try:
        yield Demo(
            engine,
            f"sqlite:///{database}",
            root / "site",
            f"http://127.0.0.1:{server.server_address[1]}/",
        )
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


def _stats(url: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["--database-url", url, "stats", "-e", DEMO_EDITION, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_two_editions_a_month_apart_with_their_series(demo: Demo) -> None:
    earlier = series.earlier_editions(demo.engine, DEMO_EDITION)
    assert earlier.period == "2025-03" and earlier.previous == PREVIOUS_EDITION
    assert earlier.year_ago is None  # twelve months back: no edition, « — »
    periods = indicator_repo.periods(demo.engine, True)
    assert periods == [("2025-02", PREVIOUS_EDITION), ("2025-03", DEMO_EDITION)]
    # the sample web a month earlier: Rivière-Exemple had no Facebook link yet, and
    # Saint-Exemple-sur-Loire no PanneauPocket
    facebook = indicator_repo.series(demo.engine, "reseaux.facebook", "commune", True)
    assert [round(v.numerator) for v in facebook] == [
        round(facebook[1].numerator) - 1,
        round(facebook[1].numerator),
    ]
    panneau = indicator_repo.series(
        demo.engine, "sites.application_panneaupocket", "ensemble", True
    )
    assert [v.numerator for v in panneau] == [0, 1]


def test_stats_shows_every_catalogue_indicator_with_its_change(demo: Demo) -> None:
    data = _stats(demo.url)
    catalogue = bundled_catalogue()
    shown = {row["indicateur"] for row in data["indicateurs"]}
    assert shown == set(catalogue.ids)
    by = {(r["indicateur"], r["groupe"]): r for r in data["indicateurs"]}
    facebook = by[("reseaux.facebook", "commune")]
    assert facebook["valeur_precedente"] is not None
    assert facebook["valeur"] > facebook["valeur_precedente"]
    assert facebook["denominateur"] == facebook["mesurees"] <= facebook["eligibles"]
    # budget and activity: the sample départements are in no OFGL export
    budget = {c["groupe"]: c for c in data["budget_activite"]}
    assert "non fourni" in budget["departement"]["non_calculable"]
    # no search connector: « non mesuré », never 0 %
    assert by[("recherche.premier_resultat", "ensemble")]["valeur"] is None
    table = CliRunner().invoke(app, ["--database-url", demo.url, "stats", "-e", DEMO_EDITION])
    assert table.exit_code == 0, table.output
    assert "Indicateurs du catalogue" in table.output and "non mesuré" in table.output
    assert "+" in table.output and "pts" in table.output


def test_synthesis_lists_every_indicator_and_progressions(demo: Demo) -> None:
    html = (demo.site / "synthese.html").read_text(encoding="utf-8")
    for indicator in bundled_catalogue().ids:
        assert f'data-indicateur="{indicator}"' in html, indicator
    assert "Depuis « " in html and "Sur 12 mois" in html
    # who moved from information to conversation is named beside the figure
    assert "Ancienne-Commune-Exemple (99105), Val-Fusion-Exemple (99104)</small>" in html
    progressions = (demo.site / "progressions.html").read_text(encoding="utf-8")
    assert "API publique → API publique" in progressions
    found = series.progressions(demo.engine, DEMO_EDITION, PREVIOUS_EDITION)
    # the sample platforms grew (those whose payloads give a follower count a month
    # earlier: Mastodon and Bluesky); none lost followers
    assert any(p.gain > 0 for p in found) and all(p.gain >= 0 for p in found)
    assert {p.platform for p in found if p.gain > 0} >= {"mastodon", "bluesky"}
    best = max(found, key=lambda p: p.gain)
    assert f">{best.handle}</a>" in progressions
    maps = (demo.site / "indicateurs.html").read_text(encoding="utf-8")
    # each indicator's series, month by month
    assert "février 2025" in maps and "mars 2025" in maps
    # every indicator has its section (those computed on the largest communes have no
    # map: they are not computed per area)
    assert maps.count('class="carte-indicateur"') == len(bundled_catalogue().indicators)


def test_copied_messages_match_the_sample_platform_labels(demo: Demo) -> None:
    labels = tomllib.loads(COPY_LABELS.read_text(encoding="utf-8"))
    verdicts: dict[str, dict[str, bool]] = labels["comptes"]
    stored = social_repo.load_accounts(
        demo.engine, DEMO_EDITION, sorted(verdicts), with_posts=False
    )
    for authority_id, expected in verdicts.items():
        found: set[tuple[str, str]] = set()
        adapts: dict[str, bool] = {}
        for account in stored[authority_id]:
            metric = account.metrics.get(METRIC)
            if metric is None:
                continue
            assert metric.value is not None, authority_id
            adapts[account.profile.platform] = metric.value < ADAPTS_BELOW
            for copy in metric.detail["publications"]:
                pair = {account.profile.platform: copy["publication"]}
                pair[copy["autre_plateforme"]] = copy["autre_publication"]
                found.add((pair["mastodon"], pair["bluesky"]))
        wanted = {
            (c["mastodon"], c["bluesky"])
            for c in labels["copies"]
            if c["collectivite"] == authority_id
        }
        assert found == wanted, authority_id
        assert not found & {(c["mastodon"], c["bluesky"]) for c in labels["non_copies"]}
        assert adapts == expected, authority_id


def test_adaptation_and_mode_switch_in_stats(demo: Demo) -> None:
    data = _stats(demo.url)
    by = {(r["indicateur"], r["groupe"]): r for r in data["indicateurs"]}
    # the accounts compared: Ville-Exemple (3, all adapting), Val-Fusion-Exemple and the
    # commune déléguée that shares its accounts (2 + 2, copying), the Région (3, its
    # YouTube channel adapting)
    adapts = by[("pratiques.adaptation_par_plateforme", "ensemble")]
    assert (adapts["numerateur"], adapts["denominateur"]) == (4, 10)
    assert adapts["eligibles"] == 10 and adapts["unite"] == "comptes"
    # Val-Fusion-Exemple answers its residents since the end of February: its dominant
    # mode moved from information to conversation (with the commune sharing its accounts)
    assert read.collectivite_modes(demo.engine, PREVIOUS_EDITION)["commune:99104"] == (
        "information"
    )
    assert read.collectivite_modes(demo.engine, DEMO_EDITION)["commune:99104"] == "conversation"
    moved = by[("pratiques.passage_conversation", "commune")]
    assert moved["numerateur"] == 2 and moved["valeur_precedente"] is None
    assert [c["id"] for c in moved["detail"]["collectivites"]] == [
        "commune:99105",
        "commune:99104",
    ]
    assert by[("pratiques.passage_conversation", "region")]["numerateur"] == 0
    assert by[("pratiques.retour_information", "ensemble")]["numerateur"] == 0
    stored = indicator_repo.series(demo.engine, "pratiques.passage_conversation", "ensemble", True)
    assert [(v.edition, v.numerator, v.denominator) for v in stored] == [
        (PREVIOUS_EDITION, 0, 0),
        (DEMO_EDITION, 2, stored[1].denominator),
    ]
    result = CliRunner().invoke(
        app, ["--database-url", demo.url, "stats", "-e", DEMO_EDITION, "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    line = next(
        row
        for row in result.stdout.splitlines()
        if row.startswith("indicateurs:pratiques,commune,pratiques.passage_conversation")
    )
    assert "Val-Fusion-Exemple (99104)" in line and "Ancienne-Commune-Exemple (99105)" in line
    table = CliRunner().invoke(
        app, ["--database-url", demo.url, "stats", "-e", DEMO_EDITION], env={"COLUMNS": "200"}
    )
    assert "Ancienne-Commune-Exemple (99105), Val-Fusion-Exemple (99104)" in table.output


# --- in the browser -----------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="chromium absent")


@pytest.fixture(scope="module")
def tab(demo: Demo) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from test_site_browser import BROWSER_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        context.close()
        browser.close()


@needs_chromium
def test_map_selector_shows_the_chosen_indicator(demo: Demo, tab: Any) -> None:
    page, errors = tab
    page.goto(demo.base + "indicateurs.html")
    select = page.locator("#choix-indicateur")
    assert select.is_visible()
    visible = page.locator("section.carte-indicateur:visible")
    assert visible.count() == 1
    assert visible.first.get_attribute("data-indicateur") == "registre.site_declare"
    select.select_option("reseaux.facebook")
    assert visible.count() == 1
    assert visible.first.get_attribute("data-indicateur") == "reseaux.facebook"
    assert "Sur Facebook" in page.locator("[data-cartes] [role=status]").inner_text()
    # the data table under the map names the sample département and its denominator
    assert "Mesurées" in visible.first.inner_text()
    assert errors == []


@needs_chromium
def test_progression_ranking_switches_between_number_and_percent(demo: Demo, tab: Any) -> None:
    page, errors = tab
    page.goto(demo.base + "progressions.html")
    shown = page.locator("section.progression:visible")
    assert shown.count() > 0
    assert all(shown.nth(i).get_attribute("data-par") == "gain" for i in range(shown.count()))
    page.locator("#choix-progression").select_option("percent")
    assert shown.count() > 0
    assert all(shown.nth(i).get_attribute("data-par") == "percent" for i in range(shown.count()))
    assert "%" in shown.first.inner_text()
    assert errors == []


@needs_chromium
def test_ranking_filter_by_criterion(demo: Demo, tab: Any) -> None:
    from barometre.publish.site.views import ranking_path

    page, errors = tab
    page.goto(demo.base + ranking_path("commune:2"))
    rows = page.locator("#classement tbody tr")
    total = rows.count()
    with_p1 = page.locator('#classement tbody tr[data-reussis~="P1"]').count()
    assert 0 < with_p1 < total  # some communes of the group reach their site, not all
    page.locator("#filtre-critere").select_option("P1")
    visible = page.locator("#classement tbody tr:visible")
    assert visible.count() == with_p1
    assert all(
        "P1" in (visible.nth(i).get_attribute("data-reussis") or "").split()
        for i in range(visible.count())
    )
    assert str(with_p1) in page.locator("#compte").inner_text()
    page.locator("#filtre-critere").select_option("")
    assert page.locator("#classement tbody tr:visible").count() == total
    assert errors == []


# --- a chart per indicator, and the exports -----------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _sections(html: str) -> dict[str, str]:
    parts = re.split(r'(?=<section class="carte-indicateur")', html)
    out = {}
    for part in parts[1:]:
        found = re.search(r'data-indicateur="([^"]+)"', part)
        assert found
        out[found.group(1)] = part.split("</section>")[0]
    return out


def _series_svg(section: str) -> ET.Element:
    after = section.split("<h3>Édition par édition</h3>", 1)[1]
    svg = re.search(r"<svg\b.*?</svg>", after, re.S)
    assert svg, "no static chart"
    return ET.fromstring(svg.group(0))


def test_every_indicator_has_its_series_chart(demo: Demo) -> None:
    html = (demo.site / "indicateurs.html").read_text(encoding="utf-8")
    sections = _sections(html)
    catalogue = bundled_catalogue()
    assert list(sections) == catalogue.ids
    labels = {i.id: i.label for i in catalogue.indicators}
    for indicator, section in sections.items():
        root = _series_svg(section)
        assert root.get("role") == "img", indicator
        title, desc = root[0], root[1]
        assert title.tag == f"{SVG}title" and title.text == labels[indicator]
        assert desc.tag == f"{SVG}desc"
        assert "février 2025" in (desc.text or "") and "mars 2025" in (desc.text or "")
        assert float(root.get("width", "0")) <= 358, indicator  # a 390 px phone
        # the chart's data table follows it: a row per group and month
        table = section.split("<h3>Édition par édition</h3>", 1)[1]
        assert "série par groupe, édition par édition</caption>" in table
    # an indicator shown per peer group has a second chart for them
    by_peers = [i.id for i in catalogue.indicators if "strates" in i.groups]
    assert by_peers
    for indicator in by_peers:
        assert f"{labels[indicator]} : par groupe de pairs</title>" in sections[indicator]
        assert "Communes &lt; 500" in sections[indicator] or "Communes < 500" in sections[indicator]
    # Facebook: two points per group, the communes' share up since February
    facebook = _series_svg(sections["reseaux.facebook"])
    assert "Communes : février 2025" in (facebook[1].text or "")
    assert "en hausse" in (facebook[1].text or "")
    texts = ["".join(t.itertext()) for t in facebook.iter(f"{SVG}text")]
    assert "février 2025" in texts and "Communes" in texts
    # no search connector: « non mesuré » in both months, written, and no point at 0
    search = _series_svg(sections["recherche.premier_resultat"])
    texts = ["".join(t.itertext()) for t in search.iter(f"{SVG}text")]
    assert texts.count("non mesuré") == 2 * 5  # two months, five groups
    assert "Toutes collectivités" in texts and "Intercommunalités (EPCI)" in texts
    points = [
        path
        for g in search.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("mark-symbol")
        for path in g.iter(f"{SVG}path")
    ]
    assert points == []
    assert "non mesuré" in sections["recherche.premier_resultat"].split("</figure>", 1)[1]


def test_a_series_stops_at_the_edition_published(demo: Demo) -> None:
    from barometre.indicators.site import edition_series

    now = edition_series(demo.engine, DEMO_EDITION)
    before = edition_series(demo.engine, PREVIOUS_EDITION)
    assert set(now) == set(before) == set(bundled_catalogue().ids)
    assert {p["period"] for points in now.values() for p in points} == {"2025-02", "2025-03"}
    # the previous edition's site shows its own month only, not the later one
    assert {p["period"] for points in before.values() for p in points} == {"2025-02"}
    # groups only: the areas of the maps are not series
    assert not any(":" in p["group"] and p["family"] == "type" for v in now.values() for p in v)
    facebook = [p for p in now["reseaux.facebook"] if p["group"] == "commune"]
    assert [p["period"] for p in facebook] == ["2025-02", "2025-03"]
    assert facebook[0]["value"] < facebook[1]["value"]


def test_exports_carry_the_catalogue_with_its_changes(demo: Demo) -> None:
    path = demo.site / "donnees" / "csv" / "indicateurs.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    data = _stats(demo.url)
    assert len(rows) == len(data["indicateurs"])
    by = {(r["indicateur"], r["groupe"]): r for r in rows}
    assert {r["indicateur"] for r in rows} == set(bundled_catalogue().ids)
    assert {r["edition_precedente"] for r in rows} == {PREVIOUS_EDITION}
    assert {r["edition_12_mois"] for r in rows} == {""}
    facebook = by[("reseaux.facebook", "commune")]
    assert float(facebook["evolution_precedente"]) > 0
    assert float(facebook["evolution_precedente"]) == round(
        float(facebook["valeur"]) - float(facebook["valeur_precedente"]), 6
    )
    search = by[("recherche.premier_resultat", "ensemble")]
    assert search["etat"] == "non mesuré" and search["valeur"] == ""
    listing = (demo.site / "donnees.html").read_text(encoding="utf-8")
    assert 'href="donnees/csv/indicateurs.csv"' in listing
    assert 'href="donnees/csv/indicateurs.schema.json"' in listing
    assert 'href="donnees/json/indicateurs.json"' in listing
    package = json.loads((demo.site / "donnees" / "csv" / "datapackage.json").read_text("utf-8"))
    assert "indicateurs" in [r["name"] for r in package["resources"]]


MOBILE = {"width": 390, "height": 844}


@needs_chromium
def test_series_chart_holds_on_a_phone_and_in_print(demo: Demo, tab: Any) -> None:
    page, _ = tab
    browser = page.context.browser
    context = browser.new_context(locale="fr-FR", viewport=MOBILE)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    try:
        phone.goto(demo.base + "indicateurs.html")
        phone.locator("#choix-indicateur").select_option("reseaux.facebook")
        chart = phone.locator("#carte-reseaux\\.facebook figure[data-vega-spec]").first
        chart.scroll_into_view_if_needed()
        phone.wait_for_function(
            "el => ['ready', 'failed'].includes(el.getAttribute('data-vega-state'))",
            arg=chart.element_handle(),
            timeout=20_000,
        )
        assert chart.get_attribute("data-vega-state") == "ready"
        box = chart.locator("svg").first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        overflow = phone.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, overflow
        # in print, the chart stays on the page, within its width
        phone.emulate_media(media="print")
        box = chart.locator("svg").first.bounding_box()
        width = phone.evaluate("() => document.documentElement.clientWidth")
        assert box is not None and box["width"] > 100 and box["x"] + box["width"] <= width
        assert errors == []
    finally:
        context.close()
    # without JavaScript, every static chart is there, named
    static = browser.new_context(java_script_enabled=False, viewport=MOBILE)
    try:
        bare = static.new_page()
        bare.goto(demo.base + "indicateurs.html")
        named = bare.locator("section.carte-indicateur figure [data-vega-fallback] svg[role=img]")
        assert named.count() >= len(bundled_catalogue().indicators)
    finally:
        static.close()
