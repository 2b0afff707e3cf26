"""The search-engine connector against a loopback server speaking the SearXNG search API
(https://docs.searxng.org/dev/search_api.html: ``GET /search?q=…&format=json``, a JSON
object whose ``results`` list each result's ``url``, ``title``, ``content``, ``engine``,
``engines``…; 403 when the instance does not allow the requested format)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from barometre.capture.search import (
    CATEGORY,
    SearchConfig,
    is_official,
    parse_results,
    position_of,
    search_edition,
    search_url,
)
from barometre.cli.app import main
from barometre.indicators.compute import compute
from barometre.indicators.read import read_facts
from barometre.methodology import bundled
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.models import Authority, AuthorityKind, CheckResult, Finding, Status, Website
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import sample_authorities
from barometre.storage import audit_repo, capture_repo, registry_repo
from barometre.storage.db import open_database

HOST = "searx.instance.test"


def _result(url: str, engine: str = "duckduckgo") -> dict[str, object]:
    return {
        "url": url,
        "title": "Titre",
        "content": "Extrait",
        "engine": engine,
        "engines": [engine, "qwant"],
        "parsed_url": ["https", url.split("/")[2], "/", "", "", ""],
        "template": "default.html",
        "positions": [1],
        "score": 1.0,
        "category": "general",
    }


ANSWERS = {
    # first result: the official site (www. aside)
    "Région Val-d'Exemple": ["https://region-exemple.test/", "https://fr.wikipedia.org/x"],
    # third on the first page, after a namesake and an encyclopaedia
    "Ville-Exemple": [
        "https://www.ville-exemple.example.org/",
        "https://fr.wikipedia.org/wiki/Ville",
        "https://www.ville-exemple.test/actualites/",
    ],
    # the shared host, but another commune's folder: not the official site
    "Bourg-Exemple": ["https://sites.hebergeur-generique.test/autre-commune/"],
}


@pytest_asyncio.fixture
async def searxng() -> AsyncIterator[tuple[int, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        # an instance whose settings.yml does not list the json format refuses it
        if request.path.startswith("/nojson") or request.query.get("format") != "json":
            return web.Response(status=403, text="Forbidden")
        query = request.query.get("q", "")
        results = [_result(u) for u in ANSWERS.get(query, ["https://ailleurs.example.org/"])]
        return web.json_response(
            {
                "query": query,
                "number_of_results": len(results),
                "results": results,
                "answers": [],
                "corrections": [],
                "infoboxes": [],
                "suggestions": [],
                "unresponsive_engines": [],
            }
        )

    application = web.Application()
    application.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port, seen
    await runner.cleanup()


def _fetcher(port: int) -> Fetcher:
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts={HOST: "127.0.0.1"},
        port_map={80: port},
        static_only=True,
    )
    config = FetchConfig(user_agent="test", per_host_delay=0, retries=1, backoff=0.01)
    return Fetcher(config, resolver=resolver)


def test_official_site_matching_and_positions() -> None:
    assert is_official("https://www.ville.test/a/b", "https://ville.test/")
    assert not is_official("https://ville.test.example.org/", "https://ville.test/")
    shared = "https://sites.hebergeur-generique.test/ma-commune/"
    assert is_official(shared + "contact/", shared)
    assert not is_official("https://sites.hebergeur-generique.test/autre/", shared)
    assert position_of(["https://a.test/", "https://ville.test/x"], "https://ville.test/") == 2
    assert (
        position_of(["https://a.test/"] * 10 + ["https://ville.test/"], "https://ville.test")
        is None
    )
    url = search_url(SearchConfig("http://h.test/", ("qwant",)), "Saint-Étienne")
    assert url.startswith("http://h.test/search?q=Saint-%C3%89tienne&format=json&pageno=1")
    assert url.endswith("&engines=qwant")
    with pytest.raises(ValueError, match="results"):
        parse_results(b'{"query": "x"}')


@pytest.mark.asyncio
async def test_search_against_a_searxng_api(
    searxng: tuple[int, list[dict[str, str]]], tmp_path: Path
) -> None:
    port, seen = searxng
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    authorities = sample_authorities()
    registry_repo.replace_registry(engine, authorities, "test", {})
    capture_repo.ensure_edition(engine, "2025-03", "Test")
    chosen = {
        "Région Val-d'Exemple": None,
        "Ville-Exemple": None,
    }
    picked = [a for a in authorities if a.name in chosen]
    bourg = Authority(
        AuthorityKind.COMMUNE,
        "99199",
        "Bourg-Exemple",
        websites=(Website("https://sites.hebergeur-generique.test/ma-commune/", "x", "t"),),
    )
    registry_repo.replace_registry(engine, [*authorities, bourg], "test", {})
    config = SearchConfig(f"http://{HOST}/")
    async with _fetcher(port) as fetcher:
        report = await search_edition(engine, "2025-03", [*picked, bourg], config, fetcher)
    assert (report.searched, report.first, report.first_page) == (3, 1, 2)
    assert [s["q"] for s in seen] == [a.name for a in picked] + ["Bourg-Exemple"]
    assert all(s["format"] == "json" and s["pageno"] == "1" for s in seen)
    region = next(a for a in picked if a.kind is AuthorityKind.REGION)
    found = audit_repo.load_findings(engine, "2025-03", region.id)
    assert [(f.category, f.name) for f in found] == [(CATEGORY, "premier")]
    evidence = found[0].evidence
    assert evidence is not None and evidence.text == "Région Val-d'Exemple"
    assert evidence.note is not None and "duckduckgo, qwant" in evidence.note
    assert "position 1" in evidence.note
    ville = next(a for a in picked if a.kind is AuthorityKind.COMMUNE)
    (f,) = audit_repo.load_findings(engine, "2025-03", ville.id)
    assert (f.name, f.url) == ("premiere_page", "https://www.ville-exemple.test/actualites/")
    # an audit run keeps the connector's findings
    audit_repo.store_audit(
        engine,
        "2025-03",
        ville.id,
        [CheckResult(ville.id, "presence.site_joignable", "1", Status.PASS)],
        [Finding("cms", "wordpress")],
    )
    kept = {(x.category, x.name) for x in audit_repo.load_findings(engine, "2025-03", ville.id)}
    assert kept == {("search", "premiere_page"), ("cms", "wordpress")}
    # the indicators: over the collectivités searched
    catalogue = bundled_catalogue()
    values = compute(catalogue, read_facts(engine, "2025-03", catalogue), bundled())
    by = {(v.indicator, v.group): v for v in values}
    first = by[("recherche.premier_resultat", "ensemble")]
    page = by[("recherche.premiere_page", "ensemble")]
    assert (first.numerator, first.denominator) == (0, 1)  # only Ville-Exemple has a result row
    assert (page.numerator, page.denominator) == (1, 1)
    engine.dispose()


@pytest.mark.asyncio
async def test_an_instance_refusing_json_is_not_counted_as_absent(
    searxng: tuple[int, list[dict[str, str]]], tmp_path: Path
) -> None:
    port, _ = searxng
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    authorities = sample_authorities()
    registry_repo.replace_registry(engine, authorities, "test", {})
    capture_repo.ensure_edition(engine, "2025-03", "Test")
    ville = next(a for a in authorities if a.name == "Ville-Exemple")
    config = SearchConfig(f"http://{HOST}/nojson")
    async with _fetcher(port) as fetcher:
        report = await search_edition(engine, "2025-03", [ville], config, fetcher)
    assert report.searched == 0 and report.errors
    assert "Ville-Exemple" in report.errors[0] and "format JSON refusé" in report.errors[0]
    assert audit_repo.load_findings(engine, "2025-03", ville.id) == []
    engine.dispose()


def test_without_a_connector_the_command_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--database-url", f"sqlite:///{tmp_path / 'b.sqlite3'}", "search", "-e", "2025-03"])
    assert exit.value.code != 0
    err = capsys.readouterr().err
    assert "Erreur : Aucune instance SearXNG" in err and "non mesurée" in err
    assert "Traceback" not in err
