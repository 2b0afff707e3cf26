"""Rendering in Debian's Chromium, all traffic served through the guarded fetcher."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from barometre.capture.render import ABANDONED, CHROMIUM, Renderer
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.sampleweb import SampleWeb

pytestmark = pytest.mark.skipif(
    os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
    reason="Debian chromium not installed (apt-get install chromium)",
)
CONFIG = FetchConfig(
    user_agent="BarometreNumeriqueTerritoires/test (+http://contact.test/)",
    per_host_delay=0.0,
    total_timeout=5,
    retries=0,
)


@pytest_asyncio.fixture
async def renderer() -> AsyncIterator[tuple[SampleWeb, Renderer, list[str]]]:
    asked: list[str] = []
    async with SampleWeb() as web:
        resolver = GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
        )

        async with (
            Fetcher(
                CONFIG,
                resolver=resolver,
                ssl_context=web.client_ssl_context(),
                recorder=lambda e: asked.append(e.url),
            ) as fetcher,
            Renderer(fetcher, timeout=20) as r,
        ):
            yield web, r, asked


@pytest.mark.asyncio
async def test_spa_is_rendered_and_measured(
    renderer: tuple[SampleWeb, Renderer, list[str]],
) -> None:
    web, r, asked = renderer
    url = web.url("www.ville-numerique-exemple.test")
    desktop = await r.render(url, "desktop")
    assert desktop.outcome == "ok", desktop.error
    assert desktop.screenshot.startswith(b"\x89PNG")
    assert desktop.dom_nodes > 5 and desktop.request_count >= 1
    assert desktop.transferred_bytes > 0
    assert url in asked  # the browser's requests went through our fetcher (and archive)
    assert isinstance(desktop.axe, list)
    mobile = await r.render(url, "mobile")
    assert mobile.outcome == "ok" and mobile.screenshot != desktop.screenshot


@pytest.mark.asyncio
async def test_nothing_of_a_rendering_runs_after_it_ends(
    renderer: tuple[SampleWeb, Renderer, list[str]],
) -> None:
    """The application keeps polling a slow server after its load: when ``render``
    returns, no fetch of that rendering is left to write into the archive later."""
    web, r, asked = renderer
    result = await r.render(web.url("www.ville-numerique-exemple.test"), "desktop")
    assert result.outcome == "ok", result.error
    fetching = [
        t
        for t in asyncio.all_tasks()
        if not t.done() and getattr(t.get_coro(), "__qualname__", "") == "Fetcher.fetch"
    ]
    assert fetching == []
    polls = [e for e in result.requests if e.url.endswith("/api/alertes.json")]
    assert polls and polls[-1].outcome == ABANDONED and polls[-1].status is None
    # an abandoned request was never recorded
    assert asked.count(polls[-1].url) == len([e for e in polls if e.outcome != ABANDONED])


@pytest.mark.asyncio
async def test_performance_figures_of_a_slow_page_and_of_a_light_one(
    renderer: tuple[SampleWeb, Renderer, list[str]],
) -> None:
    """The sample's slow home page: a photo that takes 1 s to come and stays hidden until
    a script has blocked the page for 3.2 s, then a banner pushes the page down. Only
    lower bounds are asserted: they follow from how the page is built."""
    web, r, _ = renderer
    slow = await r.render(web.url("www.cote-exemple.test"), "mobile")
    assert slow.outcome == "ok", slow.error
    figures = slow.performance
    assert figures is not None and figures["observed"] and figures["cpu_slowdown"] == 4
    assert figures["lcp_element"] == "img" and figures["lcp_url"].endswith("/plage-grande.png")
    assert figures["lcp_ms"] >= 1000 + 3200
    assert figures["tbt_ms"] >= 3200 - 50 - 5
    assert figures["cls"] > 0.25  # 280 px of banner over an 844 px high screen
    assert figures["load_ms"] >= figures["fcp_ms"] > figures["ttfb_ms"] > 0
    assert slow.as_json()["performance"] == figures
    light = await r.render(web.url("www.ville-exemple.test"), "desktop")
    assert light.performance is not None and light.performance["cpu_slowdown"] == 1
    assert light.performance["cls"] == 0 and light.performance["lcp_element"] is not None


@pytest.mark.asyncio
async def test_axe_tells_a_page_without_lang_from_a_clean_one(
    renderer: tuple[SampleWeb, Renderer, list[str]],
) -> None:
    web, r, _ = renderer
    poor = await r.render(web.url("www.petit-village-exemple.test", https=False), "desktop")
    clean = await r.render(web.url("www.ville-exemple.test"), "desktop")
    assert poor.outcome == clean.outcome == "ok", (poor.error, clean.error)
    assert poor.lang is None and clean.lang == "fr-FR"
    assert "html-has-lang" in {v["id"] for v in poor.axe}
    assert clean.axe == []
    data = poor.as_json()
    assert data["axe_version"] == "4.14.1" and data["dom_nodes"] == poor.dom_nodes > 0


@pytest.mark.asyncio
async def test_browser_cannot_reach_a_refused_address(
    renderer: tuple[SampleWeb, Renderer, list[str]],
) -> None:
    web, r, _ = renderer
    result = await r.render(web.url("redirect-forbidden.hostile.test", https=False), "desktop")
    assert result.outcome != "ok"
    assert any(e.outcome == "forbidden_address" for e in result.requests) or result.error
