"""``barometre worker``, ``barometre status`` and ``barometre run --workers``: the
barometer on a task queue (several processes and machines, one PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from barometre.cli.context import AppContext
from barometre.cli.render import stage_progress
from barometre.vocab import fr
from barometre.workers.edition import (
    STATE_LABELS,
    STEPS,
    TASK_LABELS,
    EditionStatus,
    edition_status,
    enqueue_edition,
    follow,
)
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
    edition: Annotated[str, typer.Argument(help="Édition AAAA-MM.")],
) -> None:
    """Où en est une édition confiée aux workers : tâches terminées, en cours, en
    échec et pourquoi."""
    context: AppContext = ctx.obj
    print_status(context.console, edition_status(context.engine, edition))


def print_status(console: Console, state: EditionStatus) -> None:
    if not state.counts:
        console.print(f"Aucune tâche pour l'édition {state.edition} dans la file.")
        return
    console.print(f"[bold]Édition {state.edition}[/bold]", highlight=False)
    for task in STEPS:
        total = state.total(task)
        if not total:
            continue
        parts = [
            f"{fr.integer(n)} {fr.plural(n, *labels)}"
            for key, labels in STATE_LABELS.items()
            if (n := state.count(task, key))
        ]
        console.print(
            f"  {TASK_LABELS[task]} : {', '.join(parts)} (sur {fr.integer(total)})",
            highlight=False,
        )
    if state.running:
        console.print("[bold]En cours[/bold]")
        for item in state.running:
            console.print(
                f"  {item.authority_id or 'édition'} — {TASK_LABELS.get(item.task, item.task)}, "
                f"{item.worker or 'worker inconnu'} (essai {item.attempts})",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    if state.problems:
        console.print("[bold]En échec ou à reprendre[/bold]")
        for item in state.problems:
            what = STATE_LABELS[item.state][0]
            console.print(
                f"  {item.authority_id or 'édition'} — {TASK_LABELS.get(item.task, item.task)} "
                f"{what} après {fr.count(item.attempts, 'essai')} : "
                f"{item.message or 'raison inconnue'}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    for lease in state.leases:
        console.print(
            f"  Bail : {lease.describe()}.", markup=False, highlight=False, soft_wrap=True
        )


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
    with stage_progress("Workers", context.err) as progress:
        bar = progress.add_task("", total=None)

        def show(state: EditionStatus) -> None:
            done, total = state.progress()
            failed = sum(state.count(t, "failed") for t in STEPS)
            running = len(state.running)
            progress.update(
                bar,
                completed=done,
                total=total,
                description=f"{running} en cours, {failed} en échec",
            )

        final = follow(context.engine, edition, show)
    print_status(context.console, final)
    return final
