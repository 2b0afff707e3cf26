"""Read a site's WARC back into the plain record the audit consumes (:class:`SiteArchive`).

The crawl plan stored in the archive says which URL served which page kind; each one is
replayed through :class:`Replay`, so the audit sees exactly the redirect chains, headers
and bytes the live capture saw, without any network.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from barometre.capture.plan import canonical
from barometre.capture.robots import origin_of
from barometre.capture.site import RENDERED_PAGES_TYPE
from barometre.errors import StorageError
from barometre.models import FetchOutcome, Page, SiteArchive
from barometre.net.fetcher import FetchConfig, FetchResult
from barometre.net.warc import DOM_PREFIX, FACTS_TYPE, PLAN_TYPE, RENDER_TYPE, Replay

_REPLAY_CONFIG = FetchConfig(user_agent="replay", max_bytes=64 * 2**20)


def as_page(result: FetchResult) -> Page:
    last = result.chain[-1] if result.chain else None
    return Page(
        url=result.url,
        final_url=result.final_url,
        outcome=result.outcome,
        status=result.status,
        content_type=result.content_type,
        headers=tuple(result.headers),
        body=result.body,
        text=result.text if result.body else "",
        chain=tuple((e.url, e.status) for e in result.chain),
        error=result.error,
        truncated=bool(last and last.truncated),
    )


@dataclass
class _Metadata:
    plan: dict[str, Any] | None = None
    facts: dict[str, Any] | None = None
    renders: list[dict[str, Any]] = field(default_factory=list)
    captured_at: datetime | None = None
    doms: dict[tuple[str, str], Page] = field(default_factory=dict)  # (viewport, url)
    rendered_pages: dict[str, Any] = field(default_factory=dict)  # kind -> url, outcome

    def rendered(self) -> dict[str, Page]:
        """The home page's DOM per viewport (the URL its render record names)."""
        out: dict[str, Page] = {}
        for render in self.renders:
            viewport, url = str(render.get("viewport")), str(render.get("url"))
            if viewport not in out and (viewport, url) in self.doms:
                out[viewport] = self.doms[(viewport, url)]
        return out

    def pages(self) -> dict[str, Page]:
        """The DOM of the pages rendered because only scripts linked to them, by kind."""
        out: dict[str, Page] = {}
        for kind, about in self.rendered_pages.items():
            page = self.doms.get(("desktop", str(about.get("url"))))
            if page is not None and about.get("outcome") == "ok":
                out[kind] = page
        return out


def _metadata(path: Path) -> _Metadata:
    found = _Metadata()
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.rec_type == "resource" and uri.startswith(DOM_PREFIX):
                viewport, url = uri.removeprefix(DOM_PREFIX).split(":", 1)
                body = record.content_stream().read()
                found.doms[(viewport, url)] = Page(
                    url=url,
                    final_url=url,
                    outcome=FetchOutcome.OK,
                    status=200,
                    content_type="text/html",
                    body=body,
                    text=body.decode("utf-8", "replace"),
                )
                continue
            if found.captured_at is None and record.rec_type in ("response", "metadata"):
                stamp = record.rec_headers.get_header("WARC-Date")
                if stamp:
                    found.captured_at = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(
                        tzinfo=UTC
                    )
            if record.rec_type != "metadata":
                continue
            if record.content_type == PLAN_TYPE:
                found.plan = json.loads(record.content_stream().read())
            elif record.content_type == FACTS_TYPE:
                found.facts = json.loads(record.content_stream().read())
            elif record.content_type == RENDER_TYPE:
                found.renders.append(json.loads(record.content_stream().read()))
            elif record.content_type == RENDERED_PAGES_TYPE:
                found.rendered_pages = dict(json.loads(record.content_stream().read())["pages"])
    if found.captured_at is None:
        found.captured_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return found


async def _load(path: Path) -> SiteArchive:
    found = _metadata(path)
    plan, facts, renders = found.plan, found.facts, found.renders
    assert found.captured_at is not None
    captured_at = found.captured_at
    if plan is None:
        raise StorageError(f"{path} : archive incomplète (pas de plan de collecte).")
    replay = Replay(path, _REPLAY_CONFIG)

    async def page(url: str) -> Page:
        return as_page(await replay.fetch(url))

    start = str(plan["start_url"])
    entry: dict[str, Page] = {}
    for url in plan.get("entry_points") or {}:
        entry[url] = await page(url)
    home_url = plan.get("home")
    home: Page | None = None
    if home_url:
        # The home is the first entry point that worked (or the start URL itself).
        home = next((p for p in entry.values() if p.final_url == home_url and p.ok), None)
        if home is None:
            home = await page(str(home_url))
    elif entry:
        home = next(iter(entry.values()))
    else:
        home = await page(canonical(start))
        if (home.error or "").startswith("absent de l'archive"):
            # Never asked: robots.txt already failed; its answer is the site's state.
            robots_url = origin_of(canonical(start)) + "/robots.txt"
            robots_page = await page(robots_url)
            if robots_page.status is not None and robots_page.status >= 500:
                home = robots_page
    picks: Mapping[str, Any] = plan.get("pages") or {}
    pages: dict[str, Page] = {}
    for kind, final in (plan.get("fetched") or {}).items():
        first = picks.get(kind, {}).get("url") if kind in picks else None
        pages[kind] = await page(str(first or final))
    feeds = {url: await page(url) for url in plan.get("feeds") or []}
    robots = plan.get("robots")
    sitemap = None
    if home is not None and home.ok:
        listed = (robots or {}).get("sitemaps") or []
        sitemap_url = listed[0] if listed else origin_of(home.final_url) + "/sitemap.xml"
        candidate = await page(sitemap_url)
        if not (candidate.error or "").startswith("absent de l'archive"):
            sitemap = candidate
    return SiteArchive(
        authority_id=str(plan["authority_id"]),
        start_url=start,
        outcome=FetchOutcome(plan.get("outcome", "ok")),
        captured_at=captured_at,
        home=home,
        pages=pages,
        entry_points=entry,
        feeds=feeds,
        sitemap=sitemap,
        robots=robots,
        skipped=dict(plan.get("skipped") or {}),
        sitemap_urls=int(plan.get("sitemap_urls") or 0),
        facts=facts,
        renders=tuple(renders),
        rendered=found.rendered(),
        rendered_pages=found.pages(),
    )


def load_site_archive(path: Path) -> SiteArchive:
    """The :class:`SiteArchive` of one WARC file (offline)."""
    if not path.exists():
        raise StorageError(f"{path} : archive introuvable.")
    return asyncio.run(_load(path))


def screenshot(path: Path, viewport: str = "desktop") -> bytes | None:
    """The screenshot the capture took of the home page (``None`` when not rendered)."""
    prefix = f"urn:barometre:screenshot:{viewport}:"
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.rec_type == "resource" and uri.startswith(prefix):
                return bytes(record.content_stream().read())
    return None
