"""``barometre worker``, ``barometre status`` and ``barometre run --workers``: the
barometer on a task queue (several processes and machines, one PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer

from barometre.cli.context import AppContext
from barometre.cli.options import EditionArgument
from barometre.display.progress import stage_bar
from barometre.display.workers import print_status
from barometre.vocab import fr
from barometre.workers.edition import STEPS, EditionStatus, edition_status, enqueue_edition, follow
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
    if queued.frozen:
        context.err.print(f"L'édition {edition} est figée : rien à faire.")
        return edition_status(context.engine, edition)
    context.err.print(
        f"Édition {edition} confiée aux workers : {fr.count(queued.authorities, 'collectivité')}"
        f", dont {fr.count(queued.sites, 'site')} à capturer ; "
        f"{fr.count(queued.jobs, 'tâche mise', 'tâches mises')} en file.",
        highlight=False,
    )
    with stage_bar("Workers", context.err) as bar:

        def show(state: EditionStatus) -> None:
            done, total = state.progress()
            failed = sum(state.count(t, "failed") for t in STEPS)
            running = len(state.running)
            bar.update(
                completed=done, total=total, description=f"{running} en cours, {failed} en échec"
            )

        final = follow(context.engine, edition, show)
    print_status(context.console, final)
    return final
