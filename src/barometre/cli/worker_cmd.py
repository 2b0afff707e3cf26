"""``barometre worker``, ``barometre status`` and ``barometre run --workers``: the
barometer on a task queue (several processes and machines, one PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

from barometre.cli.context import AppContext
from barometre.cli.options import EditionArgument
from barometre.display.workers import print_queued, print_status, workers_bar
from barometre.workers.edition import EditionStatus, edition_status, enqueue_edition, follow
from barometre.workers.run import run_worker


def worker(
    ctx: typer.Context,
    queues: Annotated[
        list[str] | None,
        typer.Option(
            "--queue",
            "-q",
            help="Files servies (répétable) : capture, render, audit, social, edition ; "
            "défaut : toutes.",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", "-c", help="Tâches menées en même temps (défaut : 8)."),
    ] = None,
) -> None:
    """Démarrer un worker : il prend les tâches de la file (PostgreSQL) jusqu'à son arrêt."""
    context: AppContext = ctx.obj
    settings = context.settings
    context.err.print(
        f"Worker démarré ({', '.join(queues) if queues else 'toutes les files'}) ; "
        "Ctrl-C pour l'arrêter après les tâches en cours.",
        highlight=False,
    )
    run_worker(settings, queues=queues, concurrency=concurrency)


def status(
    ctx: typer.Context,
    edition: EditionArgument,
) -> None:
    """Où en est une édition confiée aux workers : tâches terminées, en cours, en
    échec et pourquoi."""
    context: AppContext = ctx.obj
    print_status(context.console, edition_status(context.engine, edition))


def run_on_workers(
    context: AppContext,
    edition: str,
    kinds: list[str],
    *,
    render: bool = False,
) -> EditionStatus:
    """``barometre run --workers``: queue the edition, follow it to its end."""
    queued = enqueue_edition(context.settings, context.engine, edition, kinds=kinds, render=render)
    print_queued(context.err, edition, queued)
    if queued.frozen:
        return edition_status(context.engine, edition)
    with workers_bar(context.err) as show:
        final = follow(context.engine, edition, show)
    print_status(context.console, final)
    return final
