"""Capture of an edition: many sites in flight, one WARC per site, resumable.

One writer per (edition, collectivité) at a time, across processes and machines: a site
is captured only under its lease in the database (:mod:`barometre.storage.lease_repo`),
renewed while the run goes on and released at the end. A site another owner holds is
skipped (reported) or, with ``wait``, taken when that owner finishes or dies.

A site's WARC is written under a name of its own writer (``<site>.warc.gz.<token>.part``).
When the site is done, its index is read back against that file, record by record; then,
in one transaction that holds the lease, the file is renamed to its final name and the
index goes to storage, which marks the site complete. A run that stops (crash, Ctrl-C,
``kill -9``) leaves at most some ``.part`` files: the next holder of the site's lease
deletes them and captures the site again; a site whose capture was completed is never
refetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import hashlib
import ipaddress
import logging
import re
import ssl
from collections.abc import Callable, Coroutine, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dns.asyncresolver
from sqlalchemy import Engine

from barometre.capture.facts import as_json, dns_facts, tls_facts
from barometre.capture.integrity import damage_summary, index_problems
from barometre.capture.render import CHROMIUM, VIEWPORTS, Renderer
from barometre.capture.site import (
    SiteCapture,
    capture_site,
    script_linked_pages,
)
from barometre.domains import registrable_domain
from barometre.errors import ArchiveDamagedError, BarometreError
from barometre.models import Capture, FetchOutcome
from barometre.net.fetcher import Exchange, FetchConfig, Fetcher
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import (
    DOM_PREFIX,
    FACTS_TYPE,
    PLAN_TYPE,
    RENDER_TYPE,
    RENDERED_PAGES_TYPE,
    WarcRecorder,
)
from barometre.storage import capture_repo, lease_repo
from barometre.storage.lease_repo import Lease, LeaseOwner

log = logging.getLogger(__name__)
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
    # Sites left alone because another owner holds their lease (as found at the time).
    leased: list[Lease] = field(default_factory=list)


def warc_path(root: Path, edition: str, authority_id: str) -> Path:
    return root / edition / f"{_SAFE.sub('_', authority_id)}.warc.gz"


def part_path(final: Path, owner: LeaseOwner) -> Path:
    """Where ``owner`` writes the site's WARC until it is complete (unique per writer)."""
    return final.with_name(f"{final.name}.{owner.token}.part")


def _remove_leftovers(final: Path, keep: Path) -> None:
    """Delete what earlier writers of this site left (their lease is gone: ours holds)."""
    for leftover in final.parent.glob(glob.escape(final.name) + ".*part"):
        if leftover != keep:
            leftover.unlink(missing_ok=True)


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
    owner: LeaseOwner | None = None,
    lease_ttl: float = lease_repo.DEFAULT_TTL,
    wait: bool = False,
    wait_interval: float | None = None,
    on_wait: Callable[[Target, Lease], None] | None = None,
) -> RunReport:
    """Capture ``targets`` into ``edition``, each under its lease (see the module).

    ``owner`` names the lease holder (a new one for this process by default; a task
    queue passes one per task). With ``wait``, a site another owner holds is retried
    every ``wait_interval`` seconds until that owner finishes it (then it is skipped as
    done) or releases or loses its lease (then it is captured); ``on_wait`` hears of it
    once per site. Without it, such sites are skipped and listed in ``report.leased``."""
    report = RunReport()
    owner = owner or LeaseOwner.current()
    interval = wait_interval if wait_interval is not None else min(5.0, lease_ttl / 4)
    done = capture_repo.completed_sites(engine, edition)
    todo = [t for t in targets if t.authority_id not in done]
    report.skipped = len(targets) - len(todo)
    semaphore = asyncio.Semaphore(sites_in_flight)

    async def renew_leases() -> None:
        while True:
            await asyncio.sleep(lease_ttl / 4)
            try:
                lease_repo.renew(engine, owner, ttl=lease_ttl, edition=edition)
            except Exception:  # the lease check before indexing is what decides
                log.exception("renouvellement des baux de l'édition %s", edition)

    async with contextlib.AsyncExitStack() as stack:
        fetcher = await stack.enter_async_context(
            Fetcher(config, resolver=resolver, ssl_context=ssl_context, recorder=_record)
        )
        renderer = (
            await stack.enter_async_context(Renderer(fetcher, executable=chromium))
            if render
            else None
        )

        async def capture_one(target: Target) -> None:
            """Capture one site; the caller holds its lease."""
            final = warc_path(warc_root, edition, target.authority_id)
            part = part_path(final, owner)
            final.parent.mkdir(parents=True, exist_ok=True)
            _remove_leftovers(final, keep=part)
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
            try:
                _index(
                    engine, edition, target.authority_id, part, final, recorder, owner, lease_ttl
                )
            except (BarometreError, OSError) as exc:
                report.failed.append((target.authority_id, str(exc)))
                part.unlink(missing_ok=True)
                return
            report.done += 1
            outcome = site.outcome.value
            report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
            if on_site is not None:
                on_site(target, site)

        async def one(target: Target) -> None:
            heard = False
            while True:
                async with semaphore:
                    try:
                        lease = lease_repo.acquire(
                            engine, owner, edition, target.authority_id, ttl=lease_ttl
                        )
                    except BarometreError as exc:  # unknown collectivité…
                        report.failed.append((target.authority_id, str(exc)))
                        return
                    if lease.held_by(owner):
                        try:
                            # Another owner may have completed it since the run began.
                            if capture_repo.is_complete(engine, edition, target.authority_id):
                                report.skipped += 1
                            else:
                                await capture_one(target)
                        finally:
                            lease_repo.release(engine, owner, edition, target.authority_id)
                        return
                if not wait:
                    report.leased.append(lease)
                    return
                if on_wait is not None and not heard:
                    on_wait(target, lease)
                    heard = True
                await asyncio.sleep(interval)

        renewal = asyncio.create_task(renew_leases())
        try:
            # A bounded window of tasks, not one per site of the edition up front (22,000
            # for the national one); it leaves room for sites waiting on another owner.
            await _each(one, todo, window=4 * sites_in_flight)
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            lease_repo.release(engine, owner, edition)
    return report


async def _each(
    work: Callable[[Target], Coroutine[Any, Any, None]], items: Iterable[Target], *, window: int
) -> None:
    """``work(item)`` for every item, at most ``window`` tasks alive at a time; the first
    error stops the run (the tasks still going are cancelled) and is raised."""
    pending: set[asyncio.Task[None]] = set()
    try:
        for item in items:
            if len(pending) >= window:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            pending.add(asyncio.create_task(work(item)))
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)


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
    engine: Engine,
    edition: str,
    authority_id: str,
    part: Path,
    final: Path,
    recorder: WarcRecorder,
    owner: LeaseOwner,
    ttl: float,
) -> None:
    """Read the site's index back against its WARC, then, under its lease, rename the
    file to its final name and store the index (which marks the site complete)."""
    rows: list[Capture] = []
    kinds: list[str] = []
    data = part.read_bytes()
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
                warc_path=str(final),
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
    problems = index_problems([replace(row, warc_path=str(part)) for row in rows])
    if problems:
        raise ArchiveDamagedError(
            f"{part.name} : relecture après capture : {damage_summary(problems, len(rows))}."
        )
    with lease_repo.held(engine, owner, edition, authority_id, ttl=ttl) as connection:
        part.replace(final)
        capture_repo.record_site_on(connection, edition, authority_id, rows, kinds)
