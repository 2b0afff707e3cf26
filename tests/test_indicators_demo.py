"""The indicator catalogue on the demonstration: two editions a month apart, every
indicator in ``barometre stats`` and the synthèse with its change, the follower
progressions, and (with Chromium) the map selector and the progression ranking."""

from __future__ import annotations

import json
import shutil
import threading
import tomllib
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
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.pipeline.demo import DEMO_EDITION, PREVIOUS_EDITION
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
    run_publish(context, DEMO_EDITION, root / "site", engine=engine)
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
    assert maps.count('class="carte-indicateur"') == len(
        [i for i in bundled_catalogue().indicators if i.scope == "tout"]
    )


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
