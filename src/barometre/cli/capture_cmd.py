"""``barometre capture``: fetch the official sites of an edition into WARC files."""

from __future__ import annotations

from typing import Annotated

import typer

from barometre.cli.context import AppContext, AuthorityCodes, ensure_registry, find_authorities
from barometre.cli.render import stage_progress
from barometre.pipeline.capture import Lease, Scope, Target, plan_capture
from barometre.pipeline.capture import capture as capture_stage
from barometre.pipeline.core import check_edition
from barometre.vocab import fr

__all__ = ["Scope", "capture", "check_edition", "run_capture"]


def capture(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    only: AuthorityCodes = None,
    scope: Annotated[Scope, typer.Option(help="Périmètre si --only est absent.")] = Scope.councils,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Reprendre une édition commencée (les sites finis ne sont pas refaits).",
        ),
    ] = False,
    render: Annotated[
        bool,
        typer.Option("--render", help="Rendre aussi l'accueil dans Chromium (écrans, axe-core)."),
    ] = False,
    facts: Annotated[
        bool,
        typer.Option("--facts/--no-facts", help="Relever les faits DNS (MX, SPF, DMARC) et TLS."),
    ] = True,
    wait: Annotated[
        bool,
        typer.Option(
            "--attendre",
            help="Attendre les sites qu'un autre processus est en train de capturer, "
            "au lieu de les laisser.",
        ),
    ] = False,
) -> None:
    """Capturer les sites officiels (page d'accueil et pages utiles) dans des archives WARC."""
    run_capture(
        ctx.obj,
        edition,
        only=only,
        scope=scope,
        resume=resume,
        render=render,
        facts=facts,
        wait=wait,
    )


def run_capture(
    context: AppContext,
    edition: str,
    *,
    only: list[str] | None = None,
    scope: Scope = Scope.councils,
    resume: bool = False,
    render: bool = False,
    facts: bool = True,
    wait: bool = False,
) -> None:
    """Capture the selected sites into the edition (shared by ``capture`` and ``run``)."""
    edition = check_edition(edition)
    ensure_registry(context)
    plan = plan_capture(
        context.setup,
        edition,
        selection=find_authorities(context, only) if only else None,
        scope=scope,
        resume=resume,
    )
    edition, targets, done = plan.edition, plan.targets, plan.done
    context.err.print(
        f"Édition {edition} : {fr.count(len(targets), 'site')} à capturer"
        + (f", {fr.count(plan.without, 'collectivité')} sans site déclaré" if plan.without else "")
        + (f", {fr.integer(len(done))} déjà faits" if done else "")
        + "."
    )
    with stage_progress("Capture", context.err) as progress:
        task = progress.add_task("", total=len(targets), completed=plan.already)

        def advance(target: Target, site: object) -> None:
            progress.update(task, advance=1, description=target.authority_id)

        def waiting(target: Target, lease: Lease) -> None:
            context.err.print(f"En attente — {lease.describe()}.", markup=False, highlight=False)

        report = capture_stage(
            context.setup,
            plan,
            render=render,
            facts=facts,
            wait=wait,
            on_site=advance,
            on_wait=waiting,
        ).run
    context.console.print(
        f"{fr.count(report.done, 'site capturé', 'sites capturés')}, "
        f"{fr.integer(report.skipped)} {fr.plural(report.skipped, 'déjà fait', 'déjà faits')}. "
        + ", ".join(f"{k} : {fr.integer(v)}" for k, v in sorted(report.outcomes.items()))
    )
    for authority_id, error in report.failed:
        context.err.print(f"[red]Échec {authority_id} : {error}[/red]")
    if report.leased:
        count = len(report.leased)
        context.err.print(
            f"[yellow]{fr.count(count, 'site laissé', 'sites laissés')} de côté : un autre "
            "processus "
            f"{'les' if count > 1 else 'le'} capture en ce moment. Relancez avec --resume "
            "quand il aura fini, ou avec --attendre.[/yellow]"
        )
        for lease in report.leased:
            context.err.print(f"  {lease.describe()}.", markup=False, highlight=False)
