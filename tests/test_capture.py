"""Crawl plan and edition capture against a small site served on loopback."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from barometre.capture.archive import as_page, unreadable_share
from barometre.capture.plan import classify, entry_points, extract_links
from barometre.capture.render import blocking_time, layout_shift_score, performance_metrics
from barometre.capture.run import Target, capture_edition, warc_path
from barometre.models import Authority, AuthorityKind, FetchOutcome, Page
from barometre.net.fetcher import FetchConfig, FetchResult
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, read_metadata
from barometre.storage import capture_repo, registry_repo

HOME = """<!doctype html><html lang="fr"><head><title>Commune de Test</title>
<link rel="alternate" type="application/rss+xml" href="/actualites/feed.xml"></head>
<body><nav><a href="/vie-municipale/conseil-municipal">Conseil municipal</a>
<a href="/demarches">Vos démarches</a><a href="https://www.facebook.com/commune">Facebook</a><!-- fixture --><!-- fixture: never fetched -->
<a href="#contenu">Aller au contenu</a></nav>
<footer><a href="/mentions-legales">Mentions légales</a>
<a href="/contact" title="Nous contacter">Écrire</a></footer></body></html>"""
LEGAL = """<html><body><h1>Mentions légales</h1>Directeur de la publication : le maire.
<footer><a href="/accessibilite">Accessibilité : partiellement conforme</a></footer></body></html>"""


def site_app(hits: list[str]) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        hits.append(f"{request.host.split(':')[0]}{request.path}")
        host = request.host.split(":")[0]
        if host == "commune.test":
            raise web.HTTPMovedPermanently(f"http://www.commune.test{request.path}")
        if host == "robots-all.test":
            if request.path == "/robots.txt":
                return web.Response(text="User-agent: *\nDisallow: /\n")
            return web.Response(text="interdit")
        pages = {
            "/": HOME,
            "/mentions-legales": LEGAL,
            "/accessibilite": "<h1>Déclaration d'accessibilité</h1>",
            "/contact": "<h1>Contact</h1>",
            "/demarches": "<h1>Démarches</h1>",
            "/vie-municipale/conseil-municipal": "<h1>Conseil</h1>",
            "/robots.txt": "User-agent: *\nDisallow: /prive/\nSitemap: http://www.commune.test/sitemap.xml\n",
            "/sitemap.xml": "<urlset><url><loc>http://www.commune.test/budget-2026</loc></url></urlset>",
            "/budget-2026": "<h1>Budget</h1>",
            "/actualites/feed.xml": "<rss><channel><title>Actus</title></channel></rss>",
        }
        if request.path not in pages:
            return web.Response(status=404, text="absent")
        ctype = (
            "application/xml"
            if request.path.endswith(".xml")
            else ("text/plain" if request.path.endswith(".txt") else "text/html")
        )
        return web.Response(text=pages[request.path], content_type=ctype)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return app


@pytest_asyncio.fixture
async def loopback_site() -> AsyncIterator[tuple[int, list[str]]]:
    hits: list[str] = []
    runner = web.AppRunner(site_app(hits))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port, hits
    await runner.cleanup()


def test_link_extraction_and_classification() -> None:
    links = extract_links(HOME, "http://www.commune.test/")
    urls = {link.url for link in links}
    assert "http://www.commune.test/mentions-legales" in urls
    assert not any(u.endswith("#contenu") for u in urls)
    plan = classify(links, "www.commune.test")
    assert plan.picks["legal"].url == "http://www.commune.test/mentions-legales"
    assert plan.picks["contact"].reason.startswith("texte")
    assert plan.picks["council"].url.endswith("/conseil-municipal")
    assert plan.feeds == ["http://www.commune.test/actualites/feed.xml"]
    assert "privacy" not in plan.picks  # facebook.com is not the site's own page


def test_entry_points() -> None:
    assert entry_points("http://commune.test") == [
        "http://commune.test/",
        "https://commune.test/",
        "https://www.commune.test/",
        "http://www.commune.test/",
    ]


CONFIG = FetchConfig(
    user_agent="BarometreNumeriqueTerritoires/test (+http://contact.test/)",
    per_host_delay=0.0,
    total_timeout=3,
    connect_timeout=1,
    retries=0,
)


@pytest.mark.asyncio
async def test_edition_capture_is_complete_resumable_and_replayable(
    loopback_site: tuple[int, list[str]],
    sqlite_engine,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    port, hits = loopback_site
    registry_repo.replace_registry(
        sqlite_engine,
        [
            Authority(AuthorityKind.COMMUNE, "99001", "Commune de Test"),
            Authority(AuthorityKind.COMMUNE, "99002", "Robots"),
        ],
        "test",
        {},
    )
    capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=dict.fromkeys(
            ("commune.test", "www.commune.test", "robots-all.test", "www.robots-all.test"),
            "127.0.0.1",
        ),
        port_map={80: port, 443: 9},  # nothing listens on 9: https probes fail fast
    )
    targets = [
        Target("commune:99001", "http://commune.test/"),
        Target("commune:99002", "http://robots-all.test/"),
    ]
    report = await capture_edition(
        sqlite_engine, "2026-11", targets, warc_root=tmp_path, config=CONFIG, resolver=resolver
    )
    assert report.done == 2 and not report.failed
    warc = warc_path(tmp_path, "2026-11", "commune:99001")
    plan = read_metadata(warc)
    assert plan is not None and plan["home"] == "http://www.commune.test/"
    assert set(plan["fetched"]) >= {
        "legal",
        "accessibility",
        "contact",
        "procedures",  # type: ignore[arg-type]
        "council",
        "budget",
    }
    assert plan["fetches"] <= 25
    # robots.txt is obeyed: nothing but robots.txt was asked of the disallow-all site
    assert [h for h in hits if h.startswith("robots-all")] == ["robots-all.test/robots.txt"]
    robots_plan = read_metadata(warc_path(tmp_path, "2026-11", "commune:99002"))
    assert robots_plan is not None and robots_plan["outcome"] == FetchOutcome.ROBOTS.value
    # The accessibility page was only linked from the legal notice's footer.
    replay = Replay(warc, CONFIG)
    page = await replay.fetch("http://www.commune.test/accessibilite")
    assert page.ok and "accessibilité" in page.text
    # A second run refetches nothing.
    before = len(hits)
    again = await capture_edition(
        sqlite_engine, "2026-11", targets, warc_root=tmp_path, config=CONFIG, resolver=resolver
    )
    assert again.skipped == 2 and again.done == 0 and len(hits) == before
    index = capture_repo.site_index(sqlite_engine, "2026-11", "commune:99001")
    assert [r["kind"] for r in index].count("plan") == 1 and all(r["sha256"] for r in index)
    raw = warc.read_bytes()
    first = index[0]
    assert (
        len(raw[first["warc_offset"] : first["warc_offset"] + first["warc_length"]])
        == first["warc_length"]
    )


@pytest.mark.asyncio
async def test_interrupted_site_is_captured_again(
    loopback_site: tuple[int, list[str]],
    sqlite_engine,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    port, _hits = loopback_site
    registry_repo.replace_registry(
        sqlite_engine, [Authority(AuthorityKind.COMMUNE, "99001", "Commune de Test")], "t", {}
    )
    capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
    final = warc_path(tmp_path, "2026-11", "commune:99001")
    final.parent.mkdir(parents=True)
    leftover = final.with_name(final.name + ".part")
    leftover.write_bytes(b"half a record")  # what a crash leaves behind
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts={"www.commune.test": "127.0.0.1"},
        port_map={80: port, 443: 9},
    )
    report = await capture_edition(
        sqlite_engine,
        "2026-11",
        [Target("commune:99001", "http://www.commune.test/")],
        warc_root=tmp_path,
        config=CONFIG,
        resolver=resolver,
    )
    assert report.done == 1 and final.exists() and not leftover.exists()
    assert read_metadata(final) is not None


def test_network_preflight() -> None:
    from barometre.capture.preflight import network_reachable

    assert not network_reachable(["www.landes.fr"])  # refused by the tests' DNS guard
    assert not network_reachable([])
    assert not network_reachable(["localhost"])  # loopback: refused by the default guard


@pytest.mark.asyncio
async def test_network_preflight_connects(
    loopback_site: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from barometre.capture import preflight

    port, _ = loopback_site
    allow = AddressPolicy.allowing(["127.0.0.1/32"])
    guarded = preflight.socket.getaddrinfo  # the tests' loopback-only resolver

    def to_port(host, _port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return guarded(host, port, *args, **kwargs)

    monkeypatch.setattr(preflight.socket, "getaddrinfo", to_port)
    assert await asyncio.to_thread(preflight.network_reachable, ["127.0.0.1"], 2, allow)


def _served(body: bytes, content_type: str) -> Page:
    url = "https://www.commune-test.test/"
    return as_page(
        FetchResult(url, url, FetchOutcome.OK, 200, [("Content-Type", content_type)], body)
    )


def test_bytes_that_are_not_text_are_told_apart_from_odd_text() -> None:
    html = "<!DOCTYPE html><html lang='fr'><body><p>Œuvres de l'été à la médiathèque.</p></body></html>"
    noise = random.Random(7).randbytes(20_000)
    binary = _served(noise, "text/html; charset=utf-8")
    assert binary.outcome is FetchOutcome.NOT_TEXT and not binary.ok and binary.text == ""
    assert "octets de contrôle ou indécodables" in (binary.error or "")
    assert _served(noise, "").outcome is FetchOutcome.NOT_TEXT  # no type: read as text
    readable = {
        "wrong charset": _served(html.encode("cp1252"), "text/html; charset=utf-8"),
        "UTF-16 with its BOM": _served(html.encode("utf-16"), "text/html"),
        "plain text": _served(b"User-agent: *\nDisallow:\n", "text/plain"),
    }
    for name, page in readable.items():
        assert page.outcome is FetchOutcome.OK and page.text, name
    assert "Œuvres" in readable["wrong charset"].text
    assert "Œuvres" in readable["UTF-16 with its BOM"].text
    assert _served(noise, "application/pdf").outcome is FetchOutcome.OK  # binary by nature
    assert unreadable_share("Une page ordinaire.\n\tAvec une tabulation.") == 0


# --- performance figures of a rendering ---------------------------------------------------


def test_blocking_time_counts_what_lies_beyond_50_ms_after_the_first_paint() -> None:
    tasks = [[100.0, 300.0], [900.0, 60.0], [1500.0, 49.0], [2000.0, 250.0]]
    # the first task is clipped at the first paint (300 ms): 100 ms left, 50 blocking
    assert blocking_time(tasks, 300.0, 5000.0) == pytest.approx(50 + 10 + 0 + 200)
    assert blocking_time(tasks, 0.0, 2100.0) == pytest.approx(250 + 10 + 50)  # clipped at the end
    assert blocking_time([], 0.0, 1000.0) == 0


def test_layout_shift_score_is_the_worst_session_window() -> None:
    assert layout_shift_score([]) == 0
    # two shifts 0.5 s apart form one window; a gap over 1 s opens another
    assert layout_shift_score([[1000.0, 0.1], [1500.0, 0.05], [3000.0, 0.12]]) == pytest.approx(
        0.15
    )
    # a window lasts at most 5 s (0 to 5,000 ms: 11 shifts), however close the shifts
    steady = [[float(t), 0.02] for t in range(0, 8000, 500)]
    assert layout_shift_score(steady) == pytest.approx(0.22)


def test_performance_metrics_from_the_observers_entries() -> None:
    raw = {
        "observed": True,
        "now": 4000.0,
        "navigation": {"ttfb": 36.4, "dom_content_loaded": 442.5, "load": 3069.6},
        "fcp": 336.0,
        "lcp": {"time": 3108.0, "size": 60840, "url": "https://x.test/photo.png", "element": "img"},
        "shifts": [[3079.3, 0.3055]],
        "long_tasks": [[2170.0, 905.0]],
    }
    figures = performance_metrics(raw, cpu_slowdown=4, network_quiet=True)
    assert figures["lcp_ms"] == 3108.0 and figures["lcp_element"] == "img"
    assert figures["cls"] == 0.3055 and figures["tbt_ms"] == 855.0
    assert figures["ttfb_ms"] == 36.4 and figures["load_ms"] == 3069.6
    assert figures["cpu_slowdown"] == 4 and figures["long_tasks"] == [[2170.0, 905.0]]
    empty = performance_metrics(
        {"observed": False, "now": 10.0}, cpu_slowdown=1, network_quiet=False
    )
    assert empty["lcp_ms"] is None and empty["cls"] == 0 and empty["tbt_ms"] == 0
