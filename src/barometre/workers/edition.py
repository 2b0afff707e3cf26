"""An edition on the workers: queue it, follow it, say where it stands.

``open_edition`` records every (collectivité, task) of the edition as queued in the
``work`` table and queues the first task of each collectivité (capture, or render, then
audit; the audit alone for a collectivité without a site), plus the edition's closing
step. Queuing again is harmless: what is done stays done, what failed is queued again,
and a job already waiting in the queue is not queued twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import procrastinate
from sqlalchemy import Engine

from barometre.models import Authority, AuthorityKind
from barometre.settings import Settings
from barometre.storage import capture_repo, edition_repo, lease_repo, registry_repo, work_repo
from barometre.storage.lease_repo import Lease
from barometre.storage.work_repo import WorkItem
from barometre.workers import queue

STEPS = (queue.CAPTURE, queue.RENDER, queue.AUDIT, queue.SOCIAL, queue.EDITION)


@dataclass(frozen=True)
class Queued:
    edition: str
    authorities: int
    sites: int
    jobs: int
    frozen: bool = False


def _chain(authority: Authority, render: bool) -> list[str]:
    if authority.website is None:
        return [queue.AUDIT]
    return [queue.RENDER if render else queue.CAPTURE, queue.AUDIT]


def _ensure_registry(engine: Engine) -> None:
    if registry_repo.last_import(engine) is None:
        from barometre.registry.bundle import read_bundle

        registry = read_bundle()
        registry_repo.replace_registry(
            engine, registry.authorities, "registre embarqué", registry.report.as_dict()
        )


async def open_edition(
    app: procrastinate.App,
    engine: Engine,
    settings: Settings,
    edition: str,
    *,
    kinds: Iterable[str] | None = None,
    authorities: Sequence[Authority] | None = None,
    render: bool = False,
    freeze: bool = False,
    as_of: str | None = None,
    methodology: str = "",
    label: str | None = None,
) -> Queued:
    """Queue the edition's collectivités (``authorities``, or those of ``kinds``) and its
    closing step. A frozen edition is left as it is."""
    existing = {e.id: e for e in await asyncio.to_thread(edition_repo.list_editions, engine)}
    if edition in existing and existing[edition].frozen_at is not None:
        return Queued(edition, 0, 0, 0, frozen=True)
    await asyncio.to_thread(_ensure_registry, engine)
    await asyncio.to_thread(
        capture_repo.ensure_edition, engine, edition, label or f"Édition {edition}"
    )
    if authorities is None:
        wanted = [AuthorityKind(k) for k in (kinds or ("region", "departement"))]
        authorities = await asyncio.to_thread(registry_repo.load_authorities, engine, kinds=wanted)
    chains = {a.id: _chain(a, render) for a in authorities}
    rows = [(aid, task) for aid, tasks in chains.items() for task in tasks]
    rows.append((work_repo.EDITION_STEP, queue.EDITION))
    await asyncio.to_thread(work_repo.plan, engine, edition, rows)
    closing = await asyncio.to_thread(work_repo.items, engine, edition, None, queue.EDITION)
    if closing and closing[0].state == work_repo.DONE:  # closed before: close it again
        await asyncio.to_thread(
            work_repo.mark, engine, edition, work_repo.EDITION_STEP, queue.EDITION, work_repo.QUEUED
        )
    queued = {
        (item.authority_id, item.task)
        for item in await asyncio.to_thread(work_repo.items, engine, edition, [work_repo.QUEUED])
    }
    options = {"as_of": as_of, "methodology": methodology, "freeze": freeze}
    jobs = 0
    for authority_id, tasks in chains.items():
        first = tasks[0]
        if (authority_id, first) not in queued:
            continue
        if await queue.defer_step(app, first, edition, authority_id, options) is not None:
            jobs += 1
    await queue.defer(
        app,
        queue.FINISH,
        lock=queue.lock_of(edition, work_repo.EDITION_STEP),
        queueing_lock=f"finish/{edition}",
        edition=edition,
        options=options,
    )
    sites = sum(1 for tasks in chains.values() if len(tasks) > 1)
    return Queued(edition, len(chains), sites, jobs)


def enqueue_edition(settings: Settings, engine: Engine, edition: str, **kwargs: object) -> Queued:
    """:func:`open_edition` from synchronous code (``barometre run --workers``)."""
    queue.ensure_schema(settings)
    app = queue.make_app(settings)

    async def go() -> Queued:
        async with app.open_async():
            return await open_edition(app, engine, settings, edition, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


@dataclass
class EditionStatus:
    """Where an edition stands on the workers (``barometre status``)."""

    edition: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    running: list[WorkItem] = field(default_factory=list)
    problems: list[WorkItem] = field(default_factory=list)  # failed, or to be retried
    leases: list[Lease] = field(default_factory=list)
    closing: str | None = None  # state of the closing step

    def total(self, task: str) -> int:
        return sum(self.counts.get(task, {}).values())

    def count(self, task: str, state: str) -> int:
        return self.counts.get(task, {}).get(state, 0)

    @property
    def finished(self) -> bool:
        return self.closing in (work_repo.DONE, work_repo.FAILED)

    def progress(self) -> tuple[int, int]:
        """Tasks of the collectivités settled (done or failed) and their total."""
        settled = total = 0
        for task in STEPS:
            if task == queue.EDITION:
                continue
            total += self.total(task)
            settled += self.count(task, work_repo.DONE) + self.count(task, work_repo.FAILED)
        return settled, total


def edition_status(engine: Engine, edition: str) -> EditionStatus:
    counts = work_repo.counts(engine, edition)
    closing = work_repo.items(engine, edition, task=queue.EDITION)
    return EditionStatus(
        edition,
        counts,
        running=work_repo.items(engine, edition, [work_repo.RUNNING]),
        problems=work_repo.items(engine, edition, [work_repo.FAILED, work_repo.RETRYING]),
        leases=lease_repo.list_leases(engine, edition),
        closing=closing[0].state if closing else None,
    )


def follow(
    engine: Engine,
    edition: str,
    on_change: Callable[[EditionStatus], None],
    *,
    interval: float = 1.0,
) -> EditionStatus:
    """Poll the edition's state until its closing step is settled; ``on_change`` hears
    every state read."""
    while True:
        status = edition_status(engine, edition)
        on_change(status)
        if status.finished:
            return status
        time.sleep(interval)


# How ``barometre status`` names the tasks and their states (French).
TASK_LABELS = {
    queue.CAPTURE: "Capture",
    queue.RENDER: "Capture avec rendu",
    queue.AUDIT: "Audit",
    queue.SOCIAL: "Comptes sociaux",
    queue.EDITION: "Clôture de l'édition",
}
# (singular, plural) of each state, in the order they are shown.
STATE_LABELS = {
    work_repo.DONE: ("terminée", "terminées"),
    work_repo.RUNNING: ("en cours", "en cours"),
    work_repo.QUEUED: ("en attente", "en attente"),
    work_repo.RETRYING: ("à reprendre", "à reprendre"),
    work_repo.FAILED: ("en échec", "en échec"),
}
