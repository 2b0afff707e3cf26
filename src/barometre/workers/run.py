"""Run one worker process (``barometre worker``): it takes tasks from the queue until
stopped (SIGINT/SIGTERM let the running tasks finish; ``kill -9`` loses nothing: its
tasks go to another worker once its heartbeats stop)."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Sequence
from typing import Any

from barometre.settings import Settings
from barometre.storage.db import open_database
from barometre.workers import queue
from barometre.workers.tasks import RUNTIME, Runtime

log = logging.getLogger(__name__)


def run_worker(
    settings: Settings,
    *,
    queues: Sequence[str] | None = None,
    concurrency: int | None = None,
    name: str | None = None,
    wait: bool = True,
    runtime: Callable[[Runtime], None] | None = None,
    **runtime_options: Any,
) -> None:
    """Serve the queue's tasks until stopped (or, without ``wait``, until it is empty).

    ``runtime_options`` go to :class:`Runtime` (``network``, ``archives``, ``publish``…);
    ``runtime`` hears of the runtime once it is built (the tests and the demonstration
    serve the sample web from the worker process)."""
    unknown = sorted(set(queues or ()) - set(queue.QUEUES))
    if unknown:
        from barometre.errors import ConfigurationError

        raise ConfigurationError(
            f"File(s) inconnue(s) : {', '.join(unknown)} (attendu : {', '.join(queue.QUEUES)})."
        )
    queue.ensure_schema(settings)
    engine = open_database(settings.effective_database_url)
    state = Runtime.from_settings(settings, engine, **runtime_options)
    if runtime is not None:
        runtime(state)
    app = queue.make_app(settings)
    heartbeat = min(settings.workers_heartbeat, settings.workers_stalled_after / 3)

    options: dict[str, Any] = {"queues": list(queues)} if queues else {}

    async def serve() -> None:
        async with app.open_async():
            await app.run_worker_async(
                **options,
                concurrency=concurrency or settings.workers_concurrency,
                name=name or f"{socket.gethostname()}",
                wait=wait,
                additional_context={RUNTIME: state},
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=settings.workers_stalled_after,
                fetch_job_polling_interval=min(5.0, heartbeat),
            )

    try:
        asyncio.run(serve())
    finally:
        engine.dispose()
