"""``barometre audit`` and ``barometre explain``: run the criteria grid, show the evidence.

The audit reads only what the capture archived (WARC files, replayed offline) and the
registry; it can be re-run at will on the same captures and gives the same results.
"""

from __future__ import annotations

from typing import Annotated

import typer

from barometre.cli.context import AppContext, ensure_registry, find_authorities
from barometre.cli.options import AuthorityCode, AuthorityCodes, AuthorityKindOption, Edition
from barometre.display.audit import print_audit, print_national, print_result
from barometre.display.progress import stage_bar
from barometre.display.reco import print_explanations
from barometre.methodology import bundled
from barometre.pipeline import audit as audit_stage
from barometre.pipeline import reco
from barometre.pipeline.audit import AuditReport
from barometre.pipeline.core import check_edition

app = typer.Typer(help="Évaluer la grille de critères sur une édition capturée.")


@app.callback(invoke_without_command=True)
def audit_command(
    ctx: typer.Context,
    edition: Edition = "",
    only: AuthorityCodes = None,
    registry_only: Annotated[
        bool,
        typer.Option(
            "--registre",
            help="Seulement les critères du registre (toutes les collectivités, sans capture).",
        ),
    ] = False,
    as_of: Annotated[
        str,
        typer.Option(
            "--date", help="Date de référence AAAA-MM-JJ (fraîcheur) ; défaut : date de capture."
        ),
    ] = "",
    methodology: Annotated[
        str,
        typer.Option(
            "--methodologie", help="Version embarquée (2026.1) ou chemin d'un fichier TOML."
        ),
    ] = "",
) -> None:
    """Évaluer les critères (registre pour toutes les collectivités, puis sites capturés)."""
    if ctx.invoked_subcommand is not None:
        return
    run_audit(
        ctx.obj,
        edition,
        only=only,
        registry_only=registry_only,
        as_of=as_of,
        methodology=methodology,
    )


def run_audit(
    context: AppContext,
    edition: str,
    *,
    only: list[str] | None = None,
    registry_only: bool = False,
    as_of: str = "",
    methodology: str = "",
) -> AuditReport:
    grid = audit_stage.methodology(methodology)
    edition = check_edition(edition)
    reference = audit_stage.parse_day(as_of)
    ensure_registry(context)
    selection = find_authorities(context, only) if only else None
    with stage_bar("Audit", context.err, description="critères du registre") as bar:
        report = audit_stage.audit(
            context.setup,
            edition,
            grid,
            selection=selection,
            registry_only=registry_only,
            as_of=reference,
            on_start=lambda n: bar.start(n, "sites"),
            on_site=bar.advance,
        ).report
    print_audit(context.console, context.err, edition, grid.version, report)
    return report


@app.command("national")
def national(ctx: typer.Context, edition: Edition = "") -> None:
    """Parts nationales par type de collectivité, critère par critère."""
    context: AppContext = ctx.obj
    print_national(
        context.console, audit_stage.national_shares(context.setup, check_edition(edition))
    )


def explain(
    ctx: typer.Context,
    code: AuthorityCode,
    check_id: Annotated[
        str, typer.Argument(help="Critère : identifiant (presence.site_joignable) ou code (P1).")
    ],
    edition: Edition = "",
    kind: AuthorityKindOption = None,
) -> None:
    """Afficher le résultat d'un critère pour une collectivité, avec ses preuves et
    l'explication ou la contestation de la collectivité s'il y en a une."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    criterion = bundled().criterion(check_id)
    for authority in find_authorities(context, [code], kind):
        rows = audit_stage.load_results(context.setup, edition, authority.id, criterion.id)
        print_result(context.console, authority, criterion, edition, rows)
        items, on = reco.result_explanations(context.engine, authority.id, criterion.id, edition)
        print_explanations(context.console, items, on)
