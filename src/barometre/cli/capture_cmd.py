"""``barometre capture``: fetch the official sites of an edition into WARC files."""

from __future__ import annotations

from typing import Annotated

import typer

from barometre.cli.context import AppContext, ensure_registry, find_authorities
from barometre.cli.options import AuthorityCodes, Edition
from barometre.display.capture import print_capture, print_plan
from barometre.display.progress import stage_bar
from barometre.pipeline.capture import Lease, Scope, Target, plan_capture
from barometre.pipeline.capture import capture as capture_stage
from barometre.pipeline.core import check_edition


def capture(
    ctx: typer.Context,
    edition: Edition = "",
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
    print_plan(context.err, plan)
    with stage_bar("Capture", context.err, total=len(plan.targets), completed=plan.already) as bar:

        def advance(target: Target, site: object) -> None:
            bar.advance(target.authority_id)

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
        )
    print_capture(context.console, context.err, report)
