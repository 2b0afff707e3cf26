"""The bodies of the queue's tasks: one collectivité of one edition each, idempotent.

A collectivité's work is a chain: capture (or render) → audit → social reading; each task
queues the next one before it records itself as done, so that a worker dying in between
leaves a task that another worker runs again (the stalled-job relaunch), which finds its
work done and queues the next one. Each task works under the collectivité's lease: a
duplicate delivery finds the work done, or the lease taken (then it tries again later).
The edition's closing step waits until no task of its collectivités is pending, then
scores, exports, publishes and (monthly edition) freezes the edition.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from procrastinate import JobContext
from sqlalchemy import Engine

from barometre.audit import audit_edition, audit_social, load_methodology
from barometre.capture.run import Target, capture_edition
from barometre.errors import BarometreError
from barometre.methodology import Methodology
from barometre.pipeline import editions as editions_stage
from barometre.pipeline import export as export_stage
from barometre.pipeline import publish as publish_stage
from barometre.pipeline import score as score_stage
from barometre.pipeline import social as social_stage
from barometre.pipeline.core import Setup, open_edition
from barometre.settings import Settings
from barometre.storage import capture_repo, lease_repo, registry_repo, work_repo
from barometre.storage.lease_repo import LeaseOwner
from barometre.workers import queue
from barometre.workers.archives import ArchiveStore, SharedFolder
from barometre.workers.network import Network, from_settings

log = logging.getLogger(__name__)
RUNTIME = "barometre"


@dataclass
class Runtime:
    """What the tasks of one worker process share."""

    settings: Settings
    engine: Engine
    network: Network
    archives: ArchiveStore
    # The edition's closing step builds the edition's site.
    publish: bool = True
    finish_poll: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, **kwargs: Any) -> Runtime:
        kwargs.setdefault("network", from_settings(settings))
        kwargs.setdefault("archives", SharedFolder(settings.data_dir / "warc"))
        return cls(settings, engine, **kwargs)


def runtime(context: JobContext) -> Runtime:
    found = context.additional_context.get(RUNTIME)
    if not isinstance(found, Runtime):  # pragma: no cover - a worker always sets it
        raise RuntimeError("worker started without its runtime")
    return found


def methodology_of(options: dict[str, Any]) -> Methodology:
    return load_methodology(options.get("methodology") or None)


def as_of(options: dict[str, Any]) -> date | None:
    value = options.get("as_of")
    return date.fromisoformat(value) if value else None


@contextlib.asynccontextmanager
async def step(
    context: JobContext,
    edition: str,
    authority_id: str,
    task: str,
    then: Callable[[], Awaitable[None]] | None = None,
) -> AsyncIterator[LeaseOwner]:
    """Record the task as running, then done, or retrying or failed with its reason;
    ``then`` (the next task of the chain) runs after the work is done, and also after a
    final failure (the audit still measures what needs no capture)."""
    rt = runtime(context)
    owner = LeaseOwner.current()
    job = context.job
    strategy = queue.retry_strategy(rt.settings)
    await asyncio.to_thread(
        work_repo.mark,
        rt.engine,
        edition,
        authority_id,
        task,
        work_repo.RUNNING,
        worker=owner.describe(),
        attempts=job.attempts + 1,
    )
    try:
        yield owner
    except Exception as exc:
        message = _reason(exc)
        if strategy.will_retry(exc, job):
            state = work_repo.RETRYING
        else:
            state = work_repo.FAILED
            if then is not None:
                await then()
        await asyncio.to_thread(
            work_repo.mark, rt.engine, edition, authority_id, task, state, message=message
        )
        raise
    if then is not None:
        await then()
    await asyncio.to_thread(work_repo.mark, rt.engine, edition, authority_id, task, work_repo.DONE)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, queue.LeaseBusy | queue.TaskFailed | BarometreError):
        return str(exc)
    return f"erreur inattendue ({type(exc).__name__}) : {exc}"


@contextlib.asynccontextmanager
async def leased(
    engine: Engine, owner: LeaseOwner, edition: str, authority_id: str, task: str
) -> AsyncIterator[None]:
    """Hold the collectivité's lease while the block runs (renewed in the background)."""
    ttl = lease_repo.DEFAULT_TTL
    lease = await asyncio.to_thread(
        lease_repo.acquire, engine, owner, edition, authority_id, task=task, ttl=ttl
    )
    if not lease.held_by(owner):
        raise queue.LeaseBusy(f"Collectivité déjà prise — {lease.describe()}.")

    async def renew() -> None:
        while True:
            await asyncio.sleep(ttl / 4)
            await asyncio.to_thread(
                lease_repo.renew, engine, owner, ttl=ttl, edition=edition, keys=[authority_id]
            )

    renewal = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewal.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewal
        await asyncio.to_thread(lease_repo.release, engine, owner, edition, authority_id)


def _chain(
    context: JobContext, step_name: str, edition: str, authority_id: str, options: dict[str, Any]
) -> Callable[[], Awaitable[None]]:
    async def next_step() -> None:
        await queue.defer_step(context.app, step_name, edition, authority_id, options)

    return next_step


async def _capture(
    context: JobContext, edition: str, authority_id: str, options: dict[str, Any], render: bool
) -> None:
    rt = runtime(context)
    task = queue.RENDER if render else queue.CAPTURE
    then = _chain(context, queue.AUDIT, edition, authority_id, options)
    async with step(context, edition, authority_id, task, then) as owner:
        if await asyncio.to_thread(capture_repo.is_complete, rt.engine, edition, authority_id):
            return
        (authority,) = await asyncio.to_thread(
            registry_repo.load_authorities, rt.engine, ids=[authority_id]
        )
        if authority.website is None:
            return
        network = rt.network
        report = await capture_edition(
            rt.engine,
            edition,
            [Target(authority_id, authority.website.url)],
            warc_root=rt.archives.writable_root(),
            config=network.fetch,
            resolver=network.resolver,
            ssl_context=network.ssl_context,
            max_fetches=rt.settings.capture_max_fetches,
            sites_in_flight=1,
            agent=network.agent,
            facts=network.facts,
            render=render,
            owner=owner,
        )
        if report.leased:
            raise queue.LeaseBusy(f"Site déjà en capture — {report.leased[0].describe()}.")
        if report.failed:
            raise queue.TaskFailed(f"Capture impossible : {report.failed[0][1]}")


async def capture(
    context: JobContext, edition: str, authority_id: str, options: dict[str, Any]
) -> None:
    """Capture the collectivité's site into the edition (without rendering)."""
    await _capture(context, edition, authority_id, options, render=False)


async def render(
    context: JobContext, edition: str, authority_id: str, options: dict[str, Any]
) -> None:
    """Capture the collectivité's site and render its home page in Chromium."""
    await _capture(context, edition, authority_id, options, render=True)


def _audit_one(rt: Runtime, edition: str, authority_id: str, options: dict[str, Any]) -> None:
    selection = registry_repo.load_authorities(rt.engine, ids=[authority_id])
    report = audit_edition(
        rt.engine, edition, methodology_of(options), selection=selection, as_of=as_of(options)
    )
    if report.failed:
        raise queue.TaskFailed(f"Audit impossible : {report.failed[0][1]}")


def _social_targets(
    rt: Runtime, edition: str, authority_id: str
) -> list[social_stage.SocialTarget]:
    selection = registry_repo.load_authorities(rt.engine, ids=[authority_id])
    return social_stage.build_targets(rt.engine, edition, selection)


async def audit(
    context: JobContext, edition: str, authority_id: str, options: dict[str, Any]
) -> None:
    """The criteria grid of the collectivité: registry, and its site when captured;
    then the reading of its social accounts, when it has some."""
    rt = runtime(context)

    async def then() -> None:
        if not await asyncio.to_thread(_social_targets, rt, edition, authority_id):
            return
        await asyncio.to_thread(work_repo.plan, rt.engine, edition, [(authority_id, queue.SOCIAL)])
        await queue.defer_step(context.app, queue.SOCIAL, edition, authority_id, options)

    async with (
        step(context, edition, authority_id, queue.AUDIT, then) as owner,
        leased(rt.engine, owner, edition, authority_id, queue.AUDIT),
    ):
        await asyncio.to_thread(_audit_one, rt, edition, authority_id, options)


def social_moment(options: dict[str, Any]) -> datetime:
    """When the accounts are read "as of": noon of the edition's reference day, or now."""
    day = as_of(options)
    return datetime.combine(day, time(12), tzinfo=UTC) if day else datetime.now(UTC)


def _social_one(rt: Runtime, edition: str, authority_id: str, options: dict[str, Any]) -> None:
    targets = _social_targets(rt, edition, authority_id)
    if not targets:
        return
    moment = social_moment(options)
    network = rt.network
    social_stage.read_accounts(
        Setup(rt.settings, rt.engine),
        edition,
        targets,
        config=network.social,
        as_of=moment,
        network=social_stage.Network(
            resolver=network.resolver,
            ssl_context=network.ssl_context,
            fetch_config=network.social_fetch,
        ),
        warc_root=rt.archives.writable_root(),
    )
    audit_social(rt.engine, edition, methodology_of(options), [authority_id], as_of=moment.date())


async def social(
    context: JobContext, edition: str, authority_id: str, options: dict[str, Any]
) -> None:
    """Read the collectivité's social accounts, then evaluate its social criteria."""
    rt = runtime(context)
    async with (
        step(context, edition, authority_id, queue.SOCIAL) as owner,
        leased(rt.engine, owner, edition, authority_id, queue.SOCIAL),
    ):
        await asyncio.to_thread(_social_one, rt, edition, authority_id, options)


BODIES: dict[str, Callable[..., Awaitable[None]]] = {
    queue.CAPTURE: capture,
    queue.RENDER: render,
    queue.AUDIT: audit,
    queue.SOCIAL: social,
}


async def finish(context: JobContext, edition: str, options: dict[str, Any]) -> None:
    """The edition's closing step, once no task of its collectivités is pending: the
    registry's criteria for every collectivité, scores, exports, site, and the freeze of
    the monthly edition. Queued again a little later while tasks are pending."""
    rt = runtime(context)
    edition_step = work_repo.EDITION_STEP
    if await asyncio.to_thread(work_repo.pending, rt.engine, edition):
        await queue.defer(
            context.app,
            queue.FINISH,
            lock=queue.lock_of(edition, edition_step),
            queueing_lock=f"finish/{edition}",
            schedule_in=rt.finish_poll,
            edition=edition,
            options=options,
        )
        return
    # One closing at a time, even when a slow worker's task was handed to another one.
    with queue.edition_guard(rt.settings, edition):
        closing = await asyncio.to_thread(work_repo.items, rt.engine, edition, None, queue.EDITION)
        if closing and closing[0].state == work_repo.DONE:
            return  # a duplicate delivery: closed meanwhile
        async with step(context, edition, edition_step, queue.EDITION):
            await asyncio.to_thread(close_edition, rt, edition, options)


def close_edition(rt: Runtime, edition: str, options: dict[str, Any]) -> None:
    """Registry criteria of the others, scores, freeze (monthly edition), exports, site."""
    setup = Setup(rt.settings, rt.engine)
    run = open_edition(rt.engine, edition, methodology=options.get("methodology") or "")
    if run.info.frozen_at is not None:
        return
    # The registry's criteria of the collectivités no task audited (outside the scope of
    # the captures); those audited by their task are left as they are.
    audited = {i.authority_id for i in work_repo.items(rt.engine, edition, task=queue.AUDIT)}
    others = [a for a in registry_repo.load_authorities(rt.engine) if a.id not in audited]
    if others:
        audit_edition(
            rt.engine,
            edition,
            run.methodology,
            selection=others,
            sites=False,
            as_of=as_of(options),
        )
    score_stage.score(setup, run)
    if options.get("freeze"):
        editions_stage.freeze(setup, run)
        run = open_edition(rt.engine, edition, methodology=options.get("methodology") or "")
    export_stage.export(
        setup,
        run,
        export_stage.out_folder(setup, edition, None),
        export_stage.available_formats(),
    )
    if rt.publish:
        publish_stage.publish(setup, run)


async def relaunch_stalled(context: JobContext, timestamp: int) -> None:
    """Give the tasks of workers that stopped sending heartbeats to the other workers."""
    rt = runtime(context)
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(
        seconds_since_heartbeat=rt.settings.workers_stalled_after
    )
    for job in stalled:
        if job.id == context.job.id:
            continue
        try:
            await manager.retry_job(job)
        except Exception:  # finished or relaunched meanwhile
            log.info("tâche %s déjà reprise", job.id)
            continue
        kwargs = job.task_kwargs
        if "edition" in kwargs and "authority_id" in kwargs:
            step_name = next(
                (k for k, v in queue.TASK_NAMES.items() if v == job.task_name), queue.EDITION
            )
            await asyncio.to_thread(
                work_repo.mark,
                rt.engine,
                str(kwargs["edition"]),
                str(kwargs["authority_id"]),
                step_name,
                work_repo.RETRYING,
                message="Le worker qui l'exécutait ne répond plus : tâche confiée à un autre.",
            )


async def monthly(context: JobContext, timestamp: int) -> None:
    """The monthly edition (periodic, ``schedule_cron``): opens the month's edition and
    queues its collectivités and its closing step (scores, freeze, exports, site)."""
    from barometre.workers.edition import open_edition

    rt = runtime(context)
    edition = f"{datetime.fromtimestamp(timestamp, UTC):%Y-%m}"
    await open_edition(
        context.app,
        rt.engine,
        rt.settings,
        edition,
        kinds=rt.settings.schedule_kinds,
        render=rt.settings.schedule_render,
        freeze=True,
    )
