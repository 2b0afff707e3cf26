"""The task queue: a Procrastinate application on the barometer's PostgreSQL database.

Queues: ``capture`` (sites), ``render`` (sites rendered in Chromium: give it only to
machines that have the browser), ``audit``, ``social`` and ``edition`` (the edition's own
steps, the monthly schedule, the relaunch of the tasks of dead workers).

Every task of a collectivité carries the lock ``<edition>/<collectivité>``: two tasks of
one collectivité never run at the same time, and a task is queued at most once at a time
(its queueing lock). Procrastinate's tables live beside the barometer's, in the same
database; :func:`ensure_schema` creates them (once, under an advisory lock) when a worker
starts or an edition is queued.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import procrastinate
import psycopg
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from barometre.errors import ConfigurationError, StorageError
from barometre.settings import Settings

CAPTURE = "capture"
RENDER = "render"
AUDIT = "audit"
SOCIAL = "social"
EDITION = "edition"
QUEUES = (CAPTURE, RENDER, AUDIT, SOCIAL, EDITION)
# Task names in the queue (stable: jobs in the database name them).
FINISH = "barometre.edition.finish"
MONTHLY = "barometre.edition.monthly"
RELAUNCH = "barometre.relaunch_stalled"
SITE_TASKS = {CAPTURE: "barometre.capture", RENDER: "barometre.render"}
TASK_NAMES = {
    CAPTURE: "barometre.capture",
    RENDER: "barometre.render",
    AUDIT: "barometre.audit",
    SOCIAL: "barometre.social",
}
LEASE_BUSY_WAIT = 15  # seconds between two tries of a collectivité another owner holds


class LeaseBusy(Exception):
    """Another live owner holds the collectivité's lease: try again later (no failure)."""


class TaskFailed(Exception):
    """The task could not do its work (the message is French and says why)."""


def conninfo(settings: Settings) -> str:
    """The libpq address of the settings' database, which must be PostgreSQL."""
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigurationError(
            "Les workers demandent une base PostgreSQL partagée (la base SQLite embarquée "
            "ne sert qu'à un seul processus) : réglez BAROMETRE_DATABASE_URL="
            "postgresql+psycopg://utilisateur@hote/base, ou database_url dans barometre.toml."
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True)
class Backoff(BaseRetryStrategy):
    """Retries with doubling waits (``base``, ``base²``…) up to ``max_attempts`` runs in
    all; a collectivité whose lease another live owner holds is tried again later without
    limit (the lease ends when its owner finishes or dies)."""

    max_attempts: int = 5
    base: int = 2

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, LeaseBusy):
            return RetryDecision(retry_in={"seconds": LEASE_BUSY_WAIT})
        if job.attempts + 1 >= self.max_attempts:
            return None
        return RetryDecision(retry_in={"seconds": self.base ** (job.attempts + 1)})

    def will_retry(self, exception: BaseException, job: Job) -> bool:
        return self.get_retry_decision(exception=exception, job=job) is not None


def retry_strategy(settings: Settings) -> Backoff:
    return Backoff(max_attempts=settings.workers_max_attempts, base=settings.workers_retry_wait)


def make_app(settings: Settings) -> procrastinate.App:
    """The application with the barometer's tasks, on the settings' database; the
    monthly edition is scheduled when ``schedule_enabled`` is set."""
    from barometre.workers import tasks  # the task bodies import the stages

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings)),
        periodic_defaults={"max_delay": 3600},
    )
    strategy = retry_strategy(settings)
    for step, name in TASK_NAMES.items():
        app.task(name=name, queue=step, retry=strategy, pass_context=True)(tasks.BODIES[step])
    app.task(name=FINISH, queue=EDITION, retry=strategy, pass_context=True)(tasks.finish)
    relaunch = app.task(name=RELAUNCH, queue=EDITION, pass_context=True)(tasks.relaunch_stalled)
    app.periodic_registry.register_task(
        task=relaunch,
        cron=settings.workers_stalled_cron,
        periodic_id="",
        configure_kwargs={"queueing_lock": RELAUNCH, "lock": RELAUNCH},
    )
    monthly = app.task(name=MONTHLY, queue=EDITION, retry=strategy, pass_context=True)(
        tasks.monthly
    )
    if settings.schedule_enabled:
        app.periodic_registry.register_task(
            task=monthly,
            cron=settings.schedule_cron,
            periodic_id="",
            configure_kwargs={"queueing_lock": MONTHLY, "lock": MONTHLY},
        )
    return app


def ensure_schema(settings: Settings) -> bool:
    """Create Procrastinate's tables in the database if they are missing (once, even with
    several workers starting together); whether it created them."""
    try:
        with psycopg.connect(conninfo(settings)) as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('barometre.procrastinate'))")
            row = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is not None and row[0] is not None:
                return False
            connection.execute(SchemaManager.get_schema())
            return True
    except psycopg.Error as exc:
        raise StorageError(
            f"File de tâches inaccessible ({exc.__class__.__name__}) : {exc}"
        ) from exc


def lock_of(edition: str, authority_id: str) -> str:
    return f"{edition}/{authority_id}"


async def defer(
    app: procrastinate.App,
    name: str,
    *,
    lock: str,
    queueing_lock: str,
    schedule_in: float | None = None,
    **kwargs: Any,
) -> int | None:
    """Queue one job; ``None`` when the same job already waits in the queue."""
    options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock}
    if schedule_in is not None:
        options["schedule_in"] = {"seconds": schedule_in}
    try:
        return await app.configure_task(name, **options).defer_async(**kwargs)
    except queue_errors.AlreadyEnqueued:
        return None


async def defer_step(
    app: procrastinate.App, step: str, edition: str, authority_id: str, options: Mapping[str, Any]
) -> int | None:
    """Queue a collectivité's task (capture, render, audit, social)."""
    return await defer(
        app,
        TASK_NAMES[step],
        lock=lock_of(edition, authority_id),
        queueing_lock=f"{step}/{edition}/{authority_id}",
        edition=edition,
        authority_id=authority_id,
        options=dict(options),
    )


@contextmanager
def edition_guard(settings: Settings, edition: str) -> Iterator[None]:
    """Hold the edition's closing step for this process: a session lock in PostgreSQL,
    released when the block ends or when the process dies (its session closes).

    Raises :class:`LeaseBusy` when another worker is closing the edition."""
    with psycopg.connect(conninfo(settings), autocommit=True) as connection:
        key = f"barometre.edition/{edition}"
        row = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
        if row is None or not row[0]:
            raise LeaseBusy(
                f"L'édition {edition} est déjà en cours de clôture par un autre worker."
            )
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
