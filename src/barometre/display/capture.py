"""Rich display of the capture: what it is about to fetch, then what it fetched."""

from __future__ import annotations

from rich.console import Console

from barometre.pipeline.capture import CapturePlan, CaptureReport
from barometre.vocab import fr


def print_plan(err: Console, plan: CapturePlan) -> None:
    err.print(
        f"Édition {plan.edition} : {fr.count(len(plan.targets), 'site')} à capturer"
        + (f", {fr.count(plan.without, 'collectivité')} sans site déclaré" if plan.without else "")
        + (f", {fr.integer(len(plan.done))} déjà faits" if plan.done else "")
        + "."
    )


def print_capture(console: Console, err: Console, captured: CaptureReport) -> None:
    """The sites captured and their outcomes; failures and sites left to another process
    on ``err``."""
    report = captured.run
    console.print(
        f"{fr.count(report.done, 'site capturé', 'sites capturés')}, "
        f"{fr.integer(report.skipped)} {fr.plural(report.skipped, 'déjà fait', 'déjà faits')}. "
        + ", ".join(f"{k} : {fr.integer(v)}" for k, v in sorted(report.outcomes.items()))
    )
    for authority_id, error in report.failed:
        err.print(f"[red]Échec {authority_id} : {error}[/red]")
    if report.leased:
        count = len(report.leased)
        err.print(
            f"[yellow]{fr.count(count, 'site laissé', 'sites laissés')} de côté : un autre "
            "processus "
            f"{'les' if count > 1 else 'le'} capture en ce moment. Relancez avec --resume "
            "quand il aura fini, ou avec --attendre.[/yellow]"
        )
        for lease in report.leased:
            err.print(f"  {lease.describe()}.", markup=False, highlight=False)
