"""Capture of an edition: many sites in flight, one WARC per site, resumable.

A site's WARC is written under a ``.part`` name and renamed when the site is done; its
index then goes to storage in one transaction. A run that stops (crash, Ctrl-C) leaves
at most some ``.part`` files: the next run deletes them and captures those sites again,
and never refetches a site whose capture was completed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import re
import ssl
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import dns.asyncresolver
from sqlalchemy import Engine

from barometre.capture.facts import as_json, dns_facts, tls_facts
from barometre.capture.render import CHROMIUM, VIEWPORTS, Renderer
from barometre.capture.site import (
    RENDERED_PAGES_TYPE,
    SiteCapture,
    capture_site,
    script_linked_pages,
)
from barometre.domains import registrable_domain
from barometre.models import Capture, FetchOutcome
from barometre.net.fetcher import Exchange, FetchConfig, Fetcher
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import DOM_PREFIX, FACTS_TYPE, PLAN_TYPE, RENDER_TYPE, WarcRecorder
from barometre.storage import capture_repo

_current: ContextVar[WarcRecorder] = ContextVar("warc_recorder")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Target:
    authority_id: str
    url: str


@dataclass(frozen=True)
class FactsConfig:
    """How to gather DNS and TLS facts (skipped when the run has none)."""

    dns: dns.asyncresolver.Resolver
    trust: ssl.SSLContext | None = None
    timeout: float = 10.0


@dataclass
class RunReport:
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


def warc_path(root: Path, edition: str, authority_id: str) -> Path:
    return root / edition / f"{_SAFE.sub('_', authority_id)}.warc.gz"


def _record(exchange: Exchange) -> None:
    _current.get().record(exchange)


async def capture_edition(
    engine: Engine,
    edition: str,
    targets: Sequence[Target],
    *,
    warc_root: Path,
    config: FetchConfig,
    resolver: GuardedResolver,
    ssl_context: ssl.SSLContext | None = None,
    max_fetches: int = 25,
    sites_in_flight: int = 32,
    agent: str = "BarometreNumeriqueTerritoires",
    on_site: Callable[[Target, SiteCapture | None], None] | None = None,
    facts: FactsConfig | None = None,
    render: bool = False,
    chromium: str = CHROMIUM,
) -> RunReport:
    report = RunReport()
    done = capture_repo.completed_sites(engine, edition)
    todo = [t for t in targets if t.authority_id not in done]
    report.skipped = len(targets) - len(todo)
    semaphore = asyncio.Semaphore(sites_in_flight)
    async with contextlib.AsyncExitStack() as stack:
        fetcher = await stack.enter_async_context(
            Fetcher(config, resolver=resolver, ssl_context=ssl_context, recorder=_record)
        )
        renderer = (
            await stack.enter_async_context(Renderer(fetcher, executable=chromium))
            if render
            else None
        )

        async def one(target: Target) -> None:
            async with semaphore:
                final = warc_path(warc_root, edition, target.authority_id)
                part = final.with_name(final.name + ".part")
                part.unlink(missing_ok=True)
                recorder = WarcRecorder(part)
                token = _current.set(recorder)
                site: SiteCapture | None = None
                try:
                    site = await capture_site(
                        fetcher.fetch,
                        target.authority_id,
                        target.url,
                        agent=agent,
                        max_fetches=max_fetches,
                        set_delay=fetcher.set_host_delay,
                    )
                    # The plan closes the crawl phase; facts and rendering come after it.
                    recorder.record_metadata(target.url, site.summary(), PLAN_TYPE)
                    if facts is not None:
                        await _facts(recorder, site, facts, resolver)
                    if renderer is not None and site.home is not None and site.home.ok:
                        await _render(recorder, renderer, site, agent)
                except Exception as exc:  # a bug on one site must not stop the edition
                    report.failed.append((target.authority_id, f"{type(exc).__name__}: {exc}"))
                    recorder.close()
                    part.unlink(missing_ok=True)
                    return
                finally:
                    _current.reset(token)
                recorder.close()
                part.replace(final)
                _index(engine, edition, target.authority_id, final, recorder)
                report.done += 1
                outcome = site.outcome.value
                report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
                if on_site is not None:
                    on_site(target, site)

        await asyncio.gather(*(one(t) for t in todo))
    return report


async def _facts(
    recorder: WarcRecorder, site: SiteCapture, config: FactsConfig, resolver: GuardedResolver
) -> None:
    url = site.home.final_url if site.home else site.start_url
    host = urlsplit(url).hostname or ""
    domain = registrable_domain(host)
    try:
        ipaddress.ip_address(host)
        names: dict[str, object] | None = None  # an address, not a name: no DNS facts
    except ValueError:
        names = as_json(await dns_facts(config.dns, host, domain))
    data = {
        "outcome": "ok",
        "dns": names,
        "tls": as_json(await tls_facts(resolver, host, trust=config.trust, timeout=config.timeout)),
    }
    recorder.record_metadata(url, data, FACTS_TYPE)


DOM_TYPE = "text/html; charset=utf-8"
_KINDS = {FACTS_TYPE: "facts", RENDER_TYPE: "render", "image/png": "screenshot", DOM_TYPE: "dom"}


def screenshot_uri(url: str, viewport: str) -> str:
    return f"urn:barometre:screenshot:{viewport}:{url}"


def dom_uri(url: str, viewport: str) -> str:
    return f"{DOM_PREFIX}{viewport}:{url}"


async def _render(
    recorder: WarcRecorder, renderer: Renderer, site: SiteCapture, agent: str
) -> None:
    assert site.home is not None
    url = site.home.final_url
    linked: dict[str, str] = {}
    for viewport in VIEWPORTS:
        result = await renderer.render(url, viewport)
        if result.screenshot:
            recorder.record_resource(screenshot_uri(url, viewport), result.screenshot, "image/png")
        if result.html:
            recorder.record_resource(dom_uri(url, viewport), result.html.encode("utf-8"), DOM_TYPE)
        recorder.record_metadata(url, result.as_json(), RENDER_TYPE)
        if viewport == "desktop" and result.html:
            linked = script_linked_pages(site, result.html, result.final_url or url, agent)
    # Pages the home links to only once its scripts ran: their DOM after rendering.
    pages: dict[str, dict[str, str | None]] = {}
    for kind, page_url in linked.items():
        page = await renderer.dom(page_url)
        if page.html:
            recorder.record_resource(
                dom_uri(page_url, "desktop"), page.html.encode("utf-8"), DOM_TYPE
            )
        pages[kind] = {"url": page_url, "outcome": page.outcome, "error": page.error}
    if pages:
        recorder.record_metadata(url, {"outcome": "ok", "pages": pages}, RENDERED_PAGES_TYPE)


def _index(
    engine: Engine, edition: str, authority_id: str, path: Path, recorder: WarcRecorder
) -> None:
    rows: list[Capture] = []
    kinds: list[str] = []
    data = path.read_bytes()
    now = datetime.now(UTC)
    for entry in recorder.index:
        if entry.record_type not in ("response", "metadata", "resource"):
            continue
        chunk = data[entry.offset : entry.offset + entry.length]
        is_plan = entry.content_type == PLAN_TYPE
        rows.append(
            Capture(
                edition=edition,
                authority_id=authority_id,
                url=entry.url,
                warc_path=str(path),
                warc_offset=entry.offset,
                warc_length=entry.length,
                status_code=entry.status,
                content_type=None,
                fetched_at=now,
                outcome=entry.outcome if not is_plan else FetchOutcome.OK.value,
                sha256=hashlib.sha256(chunk).hexdigest(),
            )
        )
        kinds.append(
            capture_repo.PLAN_KIND if is_plan else _KINDS.get(entry.content_type, entry.record_type)
        )
    capture_repo.record_site(engine, edition, authority_id, rows, kinds)
