"""Capture of one site: runs the crawl plan through the fetcher, within the budget."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from barometre.capture.archive import not_text
from barometre.capture.plan import Link, Plan, canonical, classify, entry_points, extract_links
from barometre.capture.robots import RobotsCache, RobotsFile, origin_of
from barometre.domains import registrable_domain
from barometre.models import FetchOutcome
from barometre.net.fetcher import Exchange, FetchResult, follow
from barometre.vocab.text import fold

# The order in which missing page kinds are fetched when the budget is short.
PRIORITY = (
    "legal",
    "accessibility",
    "contact",
    "procedures",
    "privacy",
    "news",
    "council",
    "budget",
    "opendata",
)
_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.IGNORECASE)
MAX_SITEMAP_URLS = 5000
MAX_FEEDS = 2
# Kinds of pages rendered in the browser when the home links to them only once its
# scripts ran (a JavaScript application): what the content checks read.
RENDERED_KINDS = ("legal", "accessibility", "privacy", "contact", "procedures", "news")


class FetchFn(Protocol):
    async def __call__(self, url: str, *, follow_redirects: bool = True) -> FetchResult: ...


@dataclass
class SiteCapture:
    authority_id: str
    start_url: str
    home: FetchResult | None = None
    entry_points: dict[str, FetchResult] = field(default_factory=dict)
    robots: RobotsFile | None = None
    plan: Plan = field(default_factory=Plan)
    pages: dict[str, FetchResult] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    feeds: dict[str, FetchResult] = field(default_factory=dict)
    sitemap_urls: int = 0
    fetches: int = 0
    unreachable: FetchResult | None = None  # robots.txt could not even be asked

    @property
    def outcome(self) -> FetchOutcome:
        if self.home is not None:
            return self.home.outcome
        if self.unreachable is not None:
            return self.unreachable.outcome
        return FetchOutcome.ROBOTS

    def summary(self) -> dict[str, Any]:
        """What the archive keeps beside the exchanges, for the audit to find its inputs."""
        return {
            "authority_id": self.authority_id,
            "start_url": self.start_url,
            "home": self.home.final_url if self.home else None,
            "outcome": self.outcome.value,
            "entry_points": {
                url: {
                    "final_url": r.final_url,
                    "outcome": r.outcome.value,
                    "chain": [[e.url, e.status] for e in r.chain],
                }
                for url, r in self.entry_points.items()
            },
            "robots": None
            if self.robots is None
            else {
                "origin": self.robots.origin,
                "status": self.robots.status,
                "disallow_all": self.robots.disallow_all,
                "sitemaps": self.robots.sitemaps,
            },
            "pages": {k: {"url": p.url, "reason": p.reason} for k, p in self.plan.picks.items()},
            "fetched": {k: r.final_url for k, r in self.pages.items()},
            "skipped": self.skipped,
            "feeds": list(self.feeds),
            "sitemap_urls": self.sitemap_urls,
            "fetches": self.fetches,
        }


class _Budget:
    """Counts requests, and asks each URL at most once per site.

    Redirects are followed here, hop by hop, so that a URL met again (asked for, or
    passed through in another redirect chain) is answered from memory: the archive
    then holds one exchange per URL, and its replay gives what the live capture saw.
    """

    def __init__(self, fetch: FetchFn, limit: int, max_redirects: int = 10) -> None:
        self._fetch = fetch
        self.limit = limit
        self.max_redirects = max_redirects
        self.used = 0
        self._hops: dict[str, tuple[Exchange, bytes]] = {}

    @property
    def left(self) -> int:
        return self.limit - self.used

    async def _hop(self, url: str) -> tuple[Exchange, bytes]:
        if url not in self._hops:
            result = await self._fetch(url, follow_redirects=False)
            self.used += 1
            self._hops[url] = (result.chain[-1], result.body)
        return self._hops[url]

    async def __call__(self, url: str) -> FetchResult:
        return await follow(url, self._hop, self.max_redirects)


async def _statement_document(
    site: SiteCapture, budget: _Budget, robots: RobotsCache, links: list[Link], host: str
) -> None:
    """An accessibility page often only links to the documents themselves, as PDFs:
    the statement (« déclaration ») and the multi-year plan (« schéma pluriannuel »)."""
    pdfs = [link for link in links if urlsplit(link.url).path.lower().endswith(".pdf")]
    wanted = {
        "accessibility_document": ("declaration",),
        "accessibility_plan": ("schema", "pluriannuel"),
    }
    for kind, words in wanted.items():
        pick = next(
            (
                link
                for link in pdfs
                if any(w in fold(f"{link.text} {urlsplit(link.url).path}") for w in words)
            ),
            None,
        )
        if pick is None or budget.left <= 0 or not await robots.allows(pick.url):
            continue
        site.pages[kind] = await budget(pick.url)


def _no_answer(robots: RobotsFile) -> bool:
    return robots.status is None and robots.outcome is not FetchOutcome.OK


def _readable(result: FetchResult) -> FetchResult:
    """A home page answered but not text (random bytes served as text/html) has nothing
    to crawl: its outcome says so, as the audit will read it (see ``archive.as_page``)."""
    if result.ok and result.body:
        why = not_text(result.content_type, result.text)
        if why is not None:
            result.outcome, result.error = FetchOutcome.NOT_TEXT, why
    return result


async def capture_site(
    fetch: FetchFn,
    authority_id: str,
    url: str,
    *,
    agent: str,
    max_fetches: int = 25,
    set_delay: Callable[[str, float], None] | None = None,
) -> SiteCapture:
    site = SiteCapture(authority_id=authority_id, start_url=url)
    budget = _Budget(fetch, max_fetches)
    robots = RobotsCache(budget, agent)
    start = canonical(url)
    site.robots = await robots.get(start)
    if _no_answer(site.robots):
        # No answer at all (DNS, refused address, TLS, timeout): the home tells whether
        # that is the site's outcome.
        probe = await budget(start)
        if not probe.ok:
            site.unreachable = probe
            site.fetches = budget.used
            return site
        # The site answers but its robots.txt did not: an unreachable robots.txt means
        # complete disallow (RFC 9309 §2.3.1.4), so nothing of the site is read, whatever
        # its home said (the answer only told the site is up). Asking robots.txt again
        # would put two exchanges of one URL in the archive, which replays one.
        site.skipped["home"] = "robots"
        site.fetches = budget.used
        return site
    if (site.robots.status or 0) >= 500:
        # RFC 9309: a server error on robots.txt means "disallow all"; the site's state
        # is that server error, which is what the barometer reports.
        site.unreachable = next(iter(robots.results.values()))
        site.fetches = budget.used
        return site
    elif not site.robots.allows(start, agent):
        site.skipped["home"] = "robots"
        site.fetches = budget.used
        return site
    site.home = _readable(await budget(start))
    site.entry_points[start] = site.home
    for variant in entry_points(url)[1:]:
        if budget.left <= 8:
            break
        site.entry_points[variant] = _readable(await budget(variant))
    if not site.home.ok:
        working = next((r for r in site.entry_points.values() if r.ok), None)
        if working is None:
            site.fetches = budget.used
            return site
        site.home = working
    home_url = site.home.final_url
    host = home_url.split("://", 1)[1].split("/", 1)[0].split(":")[0]
    final_robots = await robots.get(home_url)
    site.robots = final_robots
    delay = final_robots.crawl_delay_for(agent)
    if delay and set_delay is not None:
        set_delay(host, delay)
    links: list[Link] = []
    if "html" in site.home.content_type or not site.home.content_type:
        links = extract_links(site.home.text, home_url)
    sitemaps = final_robots.sitemaps[:1] or [origin_of(home_url) + "/sitemap.xml"]
    for sitemap in sitemaps:
        if budget.left > 10 and final_robots.allows(sitemap, agent):
            result = await budget(sitemap)
            if result.ok:
                locs = _LOC.findall(result.body)[:MAX_SITEMAP_URLS]
                site.sitemap_urls = len(locs)
                links += [Link(canonical(loc.decode("utf-8", "replace")), "") for loc in locs]
    site.plan = classify(links, host)
    # Two passes: a kind first seen in a footer of a fetched page is fetched on the second.
    for kind in PRIORITY * 2:
        pick = site.plan.picks.get(kind)
        if pick is None or kind in site.pages or kind in site.skipped:
            continue
        if budget.left <= 0:
            site.skipped[kind] = "budget"
            continue
        if not await robots.allows(pick.url):
            site.skipped[kind] = "robots"
            continue
        result = await budget(pick.url)
        site.pages[kind] = result
        if result.ok and "html" in result.content_type:
            # Footers repeat on every page: later kinds may be found here.
            page_links = extract_links(result.text, result.final_url)
            extra = classify(page_links, host)
            if kind == "accessibility":
                await _statement_document(site, budget, robots, page_links, host)
            for other, candidate in extra.picks.items():
                if other not in site.plan.picks:
                    site.plan.picks[other] = candidate
            site.plan.feeds += [f for f in extra.feeds if f not in site.plan.feeds]
    for feed in site.plan.feeds[:MAX_FEEDS]:
        if budget.left <= 0:
            break
        if await robots.allows(feed):
            site.feeds[feed] = await budget(feed)
    site.fetches = budget.used
    return site


def script_linked_pages(site: SiteCapture, html: str, base_url: str, agent: str) -> dict[str, str]:
    """Pages of the kinds the checks read that the rendered home (``html``) links to and
    the crawl did not fetch: links written by scripts, which a crawl of the served HTML
    cannot see. Same site only, robots.txt obeyed; the renderer reads them instead."""
    home = canonical(base_url)
    site_domain = registrable_domain(urlsplit(base_url).hostname or "")
    plan = classify(extract_links(html, base_url), urlsplit(base_url).hostname or "")
    out: dict[str, str] = {}
    for kind in RENDERED_KINDS:
        pick = plan.picks.get(kind)
        if pick is None or kind in site.pages or kind in site.skipped:
            continue
        url = canonical(pick.url)
        if url == home or registrable_domain(urlsplit(url).hostname or "") != site_domain:
            continue
        if site.robots is not None and not site.robots.allows(url, agent):
            continue
        if url not in out.values():
            out[kind] = url
    return out
