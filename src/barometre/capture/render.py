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
party), the EcoIndex inputs (DOM elements, requests, transferred bytes), an axe-core
run (vendored, MPL-2.0) and the page's performance: Navigation Timing, then the largest
contentful paint, layout shifts and long tasks from Chromium's PerformanceObserver, read
once the page has gone quiet after its load (CLS and total blocking time computed as
Lighthouse does; the mobile rendering runs with Lighthouse's 4× CPU slowdown).

The browser's requests go through a fetcher of their own (same guard, caps and archive
as the crawl's), with a browser's connections per host and no pause between requests: a
rendering is one page view, and its timings must not measure the crawl's politeness.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
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
    "desktop": {"width": 1366, "height": 768, "is_mobile": False, "cpu_slowdown": 1},
    # Lighthouse's mobile profile slows the CPU down 4 times; so do we, while measuring.
    "mobile": {"width": 390, "height": 844, "is_mobile": True, "cpu_slowdown": 4},
}
MAX_DOM_CHARS = 4 * 2**20
SETTLE_SECONDS = 1.0  # what a request in flight at the end of a rendering gets to finish
STOP_TIMEOUT = 10.0
ABANDONED = "abandoned"  # network log: asked by the page, cancelled when the rendering ended
# After ``load``, the page gets this long to go quiet (no request for QUIET_WINDOW) before
# its performance is read: what a page shows or computes just after its load counts.
NETWORK_QUIET_SECONDS = 3.0
QUIET_WINDOW = 0.5  # no request for this long: the page has gone quiet
# The browser loads a page as a visitor's would, several requests at a time and without
# the crawl's pause between requests (its timings would measure our politeness).
BROWSER_CONNECTIONS_PER_HOST = 6
LONG_TASK_MS = 50  # the part of a long task beyond this blocks the page (TBT)
MAX_PERFORMANCE_ENTRIES = 100  # long tasks and shifts kept as evidence
_HOP_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection"}
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  }));
}"""
# Registered before any script of the page (top frame only): PerformanceObserver entries
# of the largest contentful paint, layout shifts and long tasks, kept for _PERFORMANCE.
_OBSERVERS = """(() => {
  if (window.top !== window || window.__barometrePerformance) return;
  const store = {lcp: null, shifts: [], longTasks: [], unsupported: [], observers: []};
  Object.defineProperty(window, '__barometrePerformance', {value: store});
  const watch = (type, take) => {
    try {
      const observer = new PerformanceObserver(list => list.getEntries().forEach(take));
      observer.observe({type: type, buffered: true});
      store.observers.push([observer, take]);
    } catch (e) { store.unsupported.push(type); }
  };
  watch('largest-contentful-paint', e => {
    store.lcp = {time: e.startTime, size: e.size, url: e.url || null,
                 element: e.element ? e.element.tagName.toLowerCase() : null};
  });
  watch('layout-shift', e => {
    if (!e.hadRecentInput && store.shifts.length < 1000) store.shifts.push([e.startTime, e.value]);
  });
  watch('longtask', e => {
    if (store.longTasks.length < 1000) store.longTasks.push([e.startTime, e.duration]);
  });
})();"""
_PERFORMANCE = """async (limit) => {
  const store = window.__barometrePerformance || null;
  const take = () => {  // entries not yet handed to the observers' callbacks
    if (store) store.observers.forEach(([observer, t]) => observer.takeRecords().forEach(t));
  };
  const pause = ms => new Promise(done => setTimeout(done, ms));
  const frame = () => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  // What the page did last is painted, and its main thread has had no long task for
  // 500 ms (at most `limit` ms of waiting): then its figures are final.
  const started = performance.now();
  await frame();
  await frame();
  while (store && performance.now() - started < limit) {
    take();
    const busy = store.longTasks.reduce((end, [start, length]) => Math.max(end, start + length), 0);
    if (performance.now() - busy >= 500) break;
    await pause(100);
  }
  take();
  const nav = performance.getEntriesByType('navigation')[0] || null;
  const fcp = performance.getEntriesByName('first-contentful-paint')[0] || null;
  return {
    observed: store !== null,
    now: performance.now(),
    navigation: nav && {ttfb: nav.responseStart, dom_content_loaded: nav.domContentLoadedEventEnd,
                        load: nav.loadEventEnd, transfer_size: nav.transferSize},
    fcp: fcp ? fcp.startTime : null,
    lcp: store ? store.lcp : null,
    shifts: store ? store.shifts : [],
    long_tasks: store ? store.longTasks : [],
    unsupported: store ? store.unsupported : [],
  };
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
    performance: dict[str, Any] | None = None  # see performance_metrics()

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
            "performance": self.performance,
        }


def _ms(value: object) -> float | None:
    return round(float(value), 1) if isinstance(value, int | float) and value >= 0 else None


def blocking_time(long_tasks: list[list[float]], start: float, end: float) -> float:
    """Total blocking time: for each long task, clipped to [start, end] (first contentful
    paint, end of the observation), the part beyond 50 ms (as Lighthouse counts it)."""
    total = 0.0
    for task_start, duration in long_tasks:
        clipped = min(task_start + duration, end) - max(task_start, start)
        if clipped >= LONG_TASK_MS:
            total += clipped - LONG_TASK_MS
    return total


def layout_shift_score(shifts: list[list[float]]) -> float:
    """Cumulative layout shift: the largest session window (shifts less than 1 s apart,
    a window at most 5 s long) of shifts not caused by an input."""
    best = current = 0.0
    first = previous = float("-inf")
    for when, value in sorted(shifts):
        if when - first > 5000 or when - previous > 1000:
            first, current = when, 0.0
        previous = when
        current += value
        best = max(best, current)
    return best


def performance_metrics(
    raw: dict[str, Any], *, cpu_slowdown: float, network_quiet: bool
) -> dict[str, Any]:
    """The figures of one rendering, from Navigation Timing and the observers' entries:
    times in ms from the start of the navigation, CLS unitless."""
    navigation = raw.get("navigation") or {}
    fcp = _ms(raw.get("fcp"))
    end = float(raw.get("now") or 0.0)
    lcp = raw.get("lcp") or {}
    tasks = [list(map(float, t)) for t in raw.get("long_tasks") or []]
    shifts = [list(map(float, s)) for s in raw.get("shifts") or []]
    return {
        "observed": bool(raw.get("observed")),
        "ttfb_ms": _ms(navigation.get("ttfb")),
        "fcp_ms": fcp,
        "dom_content_loaded_ms": _ms(navigation.get("dom_content_loaded")),
        "load_ms": _ms(navigation.get("load")),
        "lcp_ms": _ms(lcp.get("time")),
        "lcp_element": lcp.get("element"),
        "lcp_url": (lcp.get("url") or None) and str(lcp["url"])[:300],
        "cls": round(layout_shift_score(shifts), 4),
        "tbt_ms": round(blocking_time(tasks, fcp or 0.0, end), 1),
        "long_tasks": [[round(a, 1), round(b, 1)] for a, b in tasks[:MAX_PERFORMANCE_ENTRIES]],
        "layout_shifts": [[round(a, 1), round(b, 4)] for a, b in shifts[:MAX_PERFORMANCE_ENTRIES]],
        "observed_until_ms": round(end, 1),
        "cpu_slowdown": cpu_slowdown,
        "network_quiet": network_quiet,
        "unsupported": list(raw.get("unsupported") or []),
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
        network_quiet: float = NETWORK_QUIET_SECONDS,
        concurrency: int | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.executable = executable
        self.timeout_ms = timeout * 1000
        self.settle = settle
        self.network_quiet = network_quiet
        # Timings measured while other pages render are the machine's load, not the
        # page's: by default one rendering per two processor cores at a time.
        self.concurrency = concurrency or max(1, (os.cpu_count() or 2) // 2)
        self._slots = asyncio.Semaphore(self.concurrency)
        self._browser: Browser | None = None
        self._manager: Any = None
        self._pages: Fetcher | None = None
        self._axe = _axe_source()

    async def __aenter__(self) -> Renderer:
        # The browser's own fetcher: same guard, caps and recorder as the crawl's, but
        # connections and pace of a visitor's browser (one page view, not a crawl).
        crawl = self.fetcher
        config = replace(
            crawl.config,
            per_host_concurrency=BROWSER_CONNECTIONS_PER_HOST,
            per_host_delay=0.0,
            retries=0,
        )
        self._pages = await Fetcher(
            config,
            policy=crawl.policy,
            resolver=crawl.resolver,
            ssl_context=crawl.ssl_context,
            recorder=crawl.recorder,
        ).__aenter__()
        try:
            self._manager = async_playwright()
            playwright = await self._manager.__aenter__()
            self._browser = await playwright.chromium.launch(
                executable_path=self.executable, headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._manager is not None:
            await self._manager.__aexit__(None, None, None)
        if self._pages is not None:
            await self._pages.__aexit__(None, None, None)

    async def render(self, url: str, viewport: str = "desktop") -> RenderResult:
        assert self._browser is not None, "use `async with Renderer(...)`"
        async with self._slots:
            return await self._render(url, viewport)

    async def dom(self, url: str) -> RenderResult:
        """Only the DOM of a page once its scripts ran (desktop view): no screenshot, no
        axe-core, no performance figures. For the pages of a JavaScript application that
        the crawl could not read."""
        assert self._browser is not None, "use `async with Renderer(...)`"
        async with self._slots:
            return await self._render(url, "desktop", full=False)

    async def _render(self, url: str, viewport: str, *, full: bool = True) -> RenderResult:
        assert self._browser is not None
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
        assert self._pages is not None
        site = registrable_domain(urlsplit(url).hostname or "")
        traffic = _Traffic(self._pages, result, site)
        slowdown = float(view["cpu_slowdown"]) if full else 1.0
        try:
            await context.route("**/*", traffic.serve)
            await context.add_init_script(_OBSERVERS)
            page = await context.new_page()
            page.set_default_timeout(self.timeout_ms)
            cdp = await context.new_cdp_session(page)
            if slowdown != 1:
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
            response = await page.goto(url, wait_until="load", timeout=self.timeout_ms)
            result.final_url = page.url
            if response is None or response.status >= 400:
                result.outcome = "http_error"
                result.error = f"HTTP {response.status if response else '?'}"
            quiet = await traffic.quiet(QUIET_WINDOW, self.network_quiet)
            raw = await page.evaluate(_PERFORMANCE, self.network_quiet * 1000)
            if full:
                result.performance = performance_metrics(
                    raw, cpu_slowdown=slowdown, network_quiet=quiet
                )
            if slowdown != 1:
                await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            metrics = await page.evaluate(_METRICS)
            result.dom_nodes = int(metrics["dom_nodes"])
            result.title, result.lang = metrics["title"], metrics["lang"]
            result.html = (await page.content())[:MAX_DOM_CHARS]
            if not full:
                return result
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
        self.last_activity = time.monotonic()
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
        self.last_activity = time.monotonic()
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
            self.last_activity = time.monotonic()
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

    async def quiet(self, window: float, limit: float) -> bool:
        """Wait until no request has been in flight for ``window`` seconds (``True``), or
        ``limit`` seconds at most (``False``: a page that keeps asking, e.g. polling)."""
        deadline = time.monotonic() + limit
        while True:
            now = time.monotonic()
            idle = now - self.last_activity
            if not self.inflight and idle >= window:
                return True
            if now >= deadline:
                return False
            wait = window - idle if not self.inflight else window
            await asyncio.sleep(max(0.01, min(wait, deadline - now)))

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
