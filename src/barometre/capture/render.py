"""Rendering in headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright).

Every request the browser makes is intercepted and served by the crawler's own
:class:`~barometre.net.fetcher.Fetcher`: the SSRF guard, the politeness rules, the
size caps and the WARC archive apply to the browser too, and Chromium itself resolves
no name at all (``--host-resolver-rules=MAP * ~NOTFOUND``). Only GET is forwarded;
nothing is clicked, so the network log is the one *before any consent*. When a rendering
ends, its traffic stops first (:meth:`_Traffic.stop`): what the page still asks for is
refused, what is in flight finishes or is cancelled unrecorded (``abandoned`` in the
network log), so nothing is written into the site's archive once it may be closed.

Measured per page: desktop and mobile screenshots, the network log (first or third
party), the EcoIndex inputs (DOM elements, requests, transferred bytes) and an axe-core
run (vendored, MPL-2.0).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Error, Route, async_playwright
from playwright.async_api import Request as BrowserRequest

from barometre.domains import registrable_domain
from barometre.net.fetcher import Fetcher, FetchResult

log = logging.getLogger(__name__)

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
SETTLE_SECONDS = 1.0  # what a request in flight at the end of a rendering gets to finish
STOP_TIMEOUT = 10.0
ABANDONED = "abandoned"  # network log: asked by the page, cancelled when the rendering ended
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
        self,
        fetcher: Fetcher,
        *,
        executable: str = CHROMIUM,
        timeout: float = 30.0,
        settle: float = SETTLE_SECONDS,
    ) -> None:
        self.fetcher = fetcher
        self.executable = executable
        self.timeout_ms = timeout * 1000
        self.settle = settle
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
        traffic = _Traffic(self.fetcher, result, registrable_domain(urlsplit(url).hostname or ""))
        try:
            await context.route("**/*", traffic.serve)
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
            await traffic.stop(context, self.settle)
        return result


class _Traffic:
    """The browser's requests during one rendering, each served through the fetcher (and
    so recorded in the site's archive) until :meth:`stop`.

    A page may still be asking for something when its rendering ends (a widget polling
    its server, a slow beacon). Such a request must neither write into the archive
    later, when the site's archive may be closed, nor raise: Playwright hands an error
    of a route handler to the next call made on the browser, whichever site makes it.
    """

    def __init__(self, fetcher: Fetcher, result: RenderResult, site: str) -> None:
        self.fetcher = fetcher
        self.result = result
        self.site = site
        self.stopping = False
        self.inflight: set[asyncio.Task[FetchResult]] = set()
        # Playwright calls the handler from its own task: the fetches run in the
        # context of the rendering's caller (which names the site's WARC recorder).
        self.caller = contextvars.copy_context()

    def _entry(self, request: BrowserRequest, outcome: str) -> None:
        third = registrable_domain(urlsplit(request.url).hostname or "") != self.site
        self.result.requests.append(
            NetworkEntry(request.url, request.resource_type, None, 0, third, outcome)
        )

    async def serve(self, route: Route, request: BrowserRequest) -> None:
        try:
            await self._serve(route, request)
        except Exception as exc:  # never raise from a handler (see the class)
            if not isinstance(exc, Error):
                log.warning(
                    "requête du navigateur %s : %s: %s", request.url, type(exc).__name__, exc
                )
            with contextlib.suppress(Error):
                await route.abort("failed")

    async def _serve(self, route: Route, request: BrowserRequest) -> None:
        if self.stopping or request.method != "GET":
            self._entry(request, ABANDONED if self.stopping else "not_forwarded")
            await route.abort("blockedbyclient")
            return
        task = asyncio.create_task(
            self.fetcher.fetch(request.url, follow_redirects=False), context=self.caller
        )
        self.inflight.add(task)
        try:
            fetched = await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not task.cancelled() or (current is not None and current.cancelling()):
                raise  # this handler itself is cancelled
            self._entry(request, ABANDONED)  # stopped by stop(): nothing was recorded
            await route.abort("aborted")
            return
        finally:
            self.inflight.discard(task)
        third = registrable_domain(urlsplit(request.url).hostname or "") != self.site
        self.result.requests.append(
            NetworkEntry(
                request.url,
                request.resource_type,
                fetched.status,
                sum(len(e.raw_body) for e in fetched.chain),
                third,
                fetched.outcome.value,
            )
        )
        if self.stopping:
            await route.abort("aborted")  # recorded, but the page is going away
            return
        if fetched.status is None:
            await route.abort("failed")
            return
        headers = {k: v for k, v in fetched.headers if k.lower() not in _HOP_HEADERS}
        await route.fulfill(status=fetched.status, headers=headers, body=fetched.body)

    async def stop(self, context: BrowserContext, settle: float) -> None:
        """End the rendering's traffic before the context closes: new requests are
        refused, requests in flight get ``settle`` seconds to finish (and be recorded),
        the others are cancelled before they record anything; then the pages are
        closed, the route removed once its handlers have returned, and the context
        closed. When this returns, nothing of this rendering can write any more."""
        self.stopping = True
        if self.inflight:
            _, pending = await asyncio.wait(set(self.inflight), timeout=settle)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(Error, TimeoutError):
            async with asyncio.timeout(STOP_TIMEOUT):
                for page in context.pages:
                    await page.close()
                await context.unroute_all(behavior="wait")
        with contextlib.suppress(Error):
            await context.close()
