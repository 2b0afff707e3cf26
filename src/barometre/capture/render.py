"""Rendering in headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright).

Every request the browser makes is intercepted and served by the crawler's own
:class:`~barometre.net.fetcher.Fetcher`: the SSRF guard, the politeness rules, the
size caps and the WARC archive apply to the browser too, and Chromium itself resolves
no name at all (``--host-resolver-rules=MAP * ~NOTFOUND``). Only GET is forwarded;
nothing is clicked, so the network log is the one *before any consent*.

Measured per page: desktop and mobile screenshots, the network log (first or third
party), the EcoIndex inputs (DOM elements, requests, transferred bytes) and an axe-core
run (vendored, MPL-2.0).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Error, Route, async_playwright
from playwright.async_api import Request as BrowserRequest

from barometre.domains import registrable_domain
from barometre.net.fetcher import Fetcher

CHROMIUM = "/usr/bin/chromium"
AXE_VERSION = "4.14.1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 768, "is_mobile": False},
    "mobile": {"width": 390, "height": 844, "is_mobile": True},
}
MAX_DOM_CHARS = 4 * 2**20
_HOP_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection"}
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  }));
}"""
_METRICS = """() => ({
  dom_nodes: document.getElementsByTagName('*').length,
  title: document.title,
  lang: document.documentElement.getAttribute('lang'),
})"""


@dataclass
class NetworkEntry:
    url: str
    resource_type: str
    status: int | None
    bytes: int
    third_party: bool
    outcome: str


@dataclass
class RenderResult:
    url: str
    viewport: str
    outcome: str = "ok"
    error: str | None = None
    final_url: str | None = None
    title: str | None = None
    lang: str | None = None
    dom_nodes: int = 0
    requests: list[NetworkEntry] = field(default_factory=list)
    axe: list[dict[str, Any]] = field(default_factory=list)
    screenshot: bytes = b""
    html: str = ""  # the DOM after scripts ran, serialised (capped)

    @property
    def request_count(self) -> int:
        return len(self.requests)

    @property
    def transferred_bytes(self) -> int:
        return sum(entry.bytes for entry in self.requests)

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "viewport": self.viewport,
            "outcome": self.outcome,
            "error": self.error,
            "final_url": self.final_url,
            "title": self.title,
            "lang": self.lang,
            "dom_nodes": self.dom_nodes,
            "request_count": self.request_count,
            "transferred_bytes": self.transferred_bytes,
            "third_party_requests": [e.url for e in self.requests if e.third_party],
            "requests": [vars(e) for e in self.requests],
            "axe_version": AXE_VERSION,
            "axe_violations": self.axe,
        }


def _axe_source() -> str:
    return (
        resources.files("barometre.capture")
        .joinpath("vendor", "axe-core", "axe.min.js")
        .read_text(encoding="utf-8")
    )


class Renderer:
    """``async with Renderer(fetcher) as r: await r.render(url, "desktop")``."""

    def __init__(
        self, fetcher: Fetcher, *, executable: str = CHROMIUM, timeout: float = 30.0
    ) -> None:
        self.fetcher = fetcher
        self.executable = executable
        self.timeout_ms = timeout * 1000
        self._browser: Browser | None = None
        self._manager: Any = None
        self._axe = _axe_source()

    async def __aenter__(self) -> Renderer:
        self._manager = async_playwright()
        playwright = await self._manager.__aenter__()
        self._browser = await playwright.chromium.launch(
            executable_path=self.executable, headless=True, args=CHROMIUM_ARGS
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._manager is not None:
            await self._manager.__aexit__(None, None, None)

    async def render(self, url: str, viewport: str = "desktop") -> RenderResult:
        assert self._browser is not None, "use `async with Renderer(...)`"
        view = VIEWPORTS[viewport]
        result = RenderResult(url=url, viewport=viewport)
        site = registrable_domain(urlsplit(url).hostname or "")
        context = await self._browser.new_context(
            viewport={"width": view["width"], "height": view["height"]},
            is_mobile=bool(view["is_mobile"]),
            has_touch=bool(view["is_mobile"]),
            user_agent=self.fetcher.config.user_agent,
            bypass_csp=True,
            service_workers="block",
            java_script_enabled=True,
            locale="fr-FR",
        )

        caller = contextvars.copy_context()

        async def serve(route: Route, request: BrowserRequest) -> None:
            third = registrable_domain(urlsplit(request.url).hostname or "") != site
            if request.method != "GET":
                result.requests.append(
                    NetworkEntry(
                        request.url, request.resource_type, None, 0, third, "not_forwarded"
                    )
                )
                await route.abort("blockedbyclient")
                return
            # Playwright calls this handler from its own task: run the fetch in the
            # caller's context (which names the site's WARC recorder).
            fetched = await asyncio.create_task(
                self.fetcher.fetch(request.url, follow_redirects=False), context=caller
            )
            result.requests.append(
                NetworkEntry(
                    request.url,
                    request.resource_type,
                    fetched.status,
                    sum(len(e.raw_body) for e in fetched.chain),
                    third,
                    fetched.outcome.value,
                )
            )
            if fetched.status is None:
                await route.abort("failed")
                return
            headers = {k: v for k, v in fetched.headers if k.lower() not in _HOP_HEADERS}
            await route.fulfill(status=fetched.status, headers=headers, body=fetched.body)

        try:
            await context.route("**/*", serve)
            page = await context.new_page()
            page.set_default_timeout(self.timeout_ms)
            response = await page.goto(url, wait_until="load", timeout=self.timeout_ms)
            result.final_url = page.url
            if response is None or response.status >= 400:
                result.outcome = "http_error"
                result.error = f"HTTP {response.status if response else '?'}"
            metrics = await page.evaluate(_METRICS)
            result.dom_nodes = int(metrics["dom_nodes"])
            result.title, result.lang = metrics["title"], metrics["lang"]
            result.html = (await page.content())[:MAX_DOM_CHARS]
            result.screenshot = await page.screenshot(full_page=False, type="png")
            await page.add_script_tag(content=self._axe)
            result.axe = json.loads(json.dumps(await page.evaluate(_AXE_RUN)))
        except Error as exc:
            result.outcome = "timeout" if "Timeout" in str(exc) else "render_error"
            result.error = str(exc).splitlines()[0][:300]
        finally:
            await context.close()
        return result
