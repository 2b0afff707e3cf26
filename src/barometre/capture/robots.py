"""robots.txt, read with Protego (Scrapy's parser, which passes Google's test cases).

Rules per origin: a 2xx answer is parsed; a 4xx answer means no restriction (RFC 9309,
§2.3.1.3); a 5xx answer or an unreachable file means "disallow everything" for this
crawl (§2.3.1.4), and pages of the site are then ``not_measurable (robots)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from barometre.models import FetchOutcome
from barometre.net.fetcher import FetchResult

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB


@dataclass
class RobotsFile:
    origin: str
    status: int | None
    outcome: FetchOutcome
    parser: Protego | None = None
    disallow_all: bool = False
    sitemaps: list[str] = field(default_factory=list)

    def allows(self, url: str, agent: str) -> bool:
        if self.disallow_all:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay_for(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def parse_robots(origin: str, result: FetchResult) -> RobotsFile:
    robots = RobotsFile(origin=origin, status=result.status, outcome=result.outcome)
    status = result.status or 0
    if result.outcome is FetchOutcome.OK and 200 <= status < 300:
        text = result.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        robots.parser = Protego.parse(text)
        robots.sitemaps = list(robots.parser.sitemaps)
    elif 400 <= status < 500:
        pass  # unavailable: no restriction
    else:
        robots.disallow_all = True  # server error or unreachable: stay away
    return robots


class RobotsCache:
    """One robots.txt per origin, fetched through the same fetcher (and archive)."""

    def __init__(self, fetch: Callable[[str], Awaitable[FetchResult]], agent: str) -> None:
        self._fetch = fetch
        self.agent = agent
        self.files: dict[str, RobotsFile] = {}
        self.results: dict[str, FetchResult] = {}

    async def get(self, url: str) -> RobotsFile:
        origin = origin_of(url)
        if origin not in self.files:
            result = await self._fetch(f"{origin}/robots.txt")
            self.results[origin] = result
            self.files[origin] = parse_robots(origin, result)
        return self.files[origin]

    async def allows(self, url: str) -> bool:
        return (await self.get(url)).allows(url, self.agent)
