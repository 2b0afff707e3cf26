"""Rich display of an edition on the task queue (``barometre status``, ``run --workers``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

from barometre.display.progress import stage_bar
from barometre.vocab import fr
from barometre.workers.edition import STATE_LABELS, STEPS, TASK_LABELS, EditionStatus, Queued


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


def print_queued(err: Console, edition: str, queued: Queued) -> None:
    if queued.frozen:
        err.print(f"L'édition {edition} est figée : rien à faire.")
        return
    err.print(
        f"Édition {edition} confiée aux workers : {fr.count(queued.authorities, 'collectivité')}"
        f", dont {fr.count(queued.sites, 'site')} à capturer ; "
        f"{fr.count(queued.jobs, 'tâche mise', 'tâches mises')} en file.",
        highlight=False,
    )


@contextmanager
def workers_bar(err: Console) -> Iterator[Callable[[EditionStatus], None]]:
    """The progress of an edition on the workers: tasks done, running, failed."""
    with stage_bar("Workers", err) as bar:

        def show(state: EditionStatus) -> None:
            done, total = state.progress()
            failed = sum(state.count(t, "failed") for t in STEPS)
            running = len(state.running)
            bar.update(
                completed=done, total=total, description=f"{running} en cours, {failed} en échec"
            )

        yield show
