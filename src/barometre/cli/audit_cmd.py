"""``barometre audit`` and ``barometre explain``: run the criteria grid, show the evidence.

The audit reads only what the capture archived (WARC files, replayed offline) and the
registry; it can be re-run at will on the same captures and gives the same results.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import (
    AppContext,
    AuthorityCode,
    AuthorityCodes,
    AuthorityKindOption,
    ensure_registry,
    find_authorities,
)
from barometre.cli.render import describe_evidence, stage_progress
from barometre.errors import ConfigurationError
from barometre.methodology import bundled
from barometre.models import AuthorityKind, Status
from barometre.pipeline import audit as audit_stage
from barometre.pipeline.audit import NO_SITE, AuditReport
from barometre.vocab import fr
from barometre.vocab.authorities import kind_plural
from barometre.vocab.status import label_of

app = typer.Typer(help="Évaluer la grille de critères sur une édition capturée.")

# The statuses in colour for the terminal (the words are vocab.status's).
STATUS_STYLES = {
    Status.PASS: "green",
    Status.PARTIAL: "yellow",
    Status.FAIL: "red",
    Status.NOT_APPLICABLE: "dim",
    Status.NOT_MEASURABLE: "magenta",
}


def styled_status(status: Status) -> str:
    return f"[{STATUS_STYLES[status]}]{label_of(status)}[/{STATUS_STYLES[status]}]"


@app.callback(invoke_without_command=True)
def audit_command(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
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
    context: AppContext = ctx.obj
    run_audit(
        context,
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
    with stage_progress("Audit", context.err) as progress:
        task = progress.add_task("critères du registre", total=None)
        report = audit_stage.audit(
            context.setup,
            edition,
            grid,
            selection=selection,
            registry_only=registry_only,
            as_of=reference,
            on_start=lambda n: progress.update(task, total=n, completed=0, description="sites"),
            on_site=lambda aid: progress.update(task, advance=1, description=aid),
        ).report
    context.console.print(
        f"Édition {edition}, méthodologie {grid.version} : critères du registre pour "
        f"{fr.count(report.registry_level, 'collectivité')}, grille complète pour "
        f"{fr.count(report.sites, 'site capturé', 'sites capturés')}."
    )
    for aid, message in report.failed:
        context.err.print(f"[red]{aid}[/red] : {message}")
    if report.damaged:
        context.err.print(
            f"[yellow]{fr.count(len(report.damaged), 'site')} dont l'archive est endommagée : critères du site "
            f"« non mesurables », les résultats précédents sont remplacés. Pour les capturer "
            f"à nouveau : barometre edition check {edition} --reparer, puis "
            f"barometre capture --edition {edition} --resume.[/yellow]",
            highlight=False,
        )
        for aid, message in report.damaged:
            context.err.print(f"  {aid} : {message}", markup=False, highlight=False)
    return report


@app.command("national")
def national(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
) -> None:
    """Parts nationales par type de collectivité, critère par critère."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    grid = bundled()
    counts = audit_stage.status_counts(context.setup, edition)
    if not counts:
        raise ConfigurationError(
            f"Aucun résultat pour l'édition {edition} : lancez d'abord « barometre audit »."
        )
    kinds = [k for k in AuthorityKind if any(c[0] == k.value for c in counts)]
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for kind_id, check_id, status, n in counts:
        totals.setdefault((check_id, kind_id), {})[status] = n
    for kind in kinds:
        table = Table(title=f"{kind_plural(kind).capitalize()} — édition {edition}")
        table.add_column("Critère", overflow="fold", max_width=40)
        for label in (
            *(label_of(s) for s in (Status.PASS, Status.PARTIAL, Status.FAIL)),
            "mesurées",
            "non mes.",
        ):
            table.add_column(label, justify="right", no_wrap=True)
        for criterion in grid.criteria:
            cell = totals.get((criterion.id, kind.value), {})
            measured = sum(v for st, v in cell.items() if st in ("pass", "partial", "fail"))
            if not measured:
                continue
            table.add_row(
                f"{criterion.code} {criterion.name}",
                fr.ratio(cell.get("pass", 0), measured),
                fr.ratio(cell.get("partial", 0), measured),
                fr.ratio(cell.get("fail", 0), measured),
                fr.integer(measured),
                fr.integer(cell.get("not_measurable", 0)),
            )
        context.console.print(table)
    if not audit_stage.has_captures(context.setup, edition):
        context.console.print(
            "[yellow]Aucun site capturé dans cette édition : seuls les critères du registre "
            "sont mesurés, et P1 ne compte que les collectivités sans site déclaré.[/yellow]"
        )
    context.console.print(
        "Parts calculées sur les collectivités mesurées (ni non applicable, ni non "
        "mesurable) ; « non mes. » : collectivités dont le critère n'a pas pu être mesuré."
    )


def explain(
    ctx: typer.Context,
    code: AuthorityCode,
    check_id: Annotated[
        str, typer.Argument(help="Critère : identifiant (presence.site_joignable) ou code (P1).")
    ],
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    kind: AuthorityKindOption = None,
) -> None:
    """Afficher le résultat d'un critère pour une collectivité, avec ses preuves et
    l'explication ou la contestation de la collectivité s'il y en a une."""
    from barometre.cli.reco_cmd import print_explanations  # lives with the explanation commands

    context: AppContext = ctx.obj
    edition = check_edition(edition)
    criterion = bundled().criterion(check_id)
    engine = context.engine
    for authority in find_authorities(context, [code], kind):
        rows = audit_stage.load_results(context.setup, edition, authority.id, criterion.id)
        context.console.print(
            f"[bold]{authority.name}[/bold] ({authority.id}) — {criterion.code} {criterion.name}"
        )
        context.console.print(f"  Nature : {criterion.nature} ; base : {criterion.basis}")
        if not rows:
            if authority.website is None:
                context.console.print(
                    f"  Statut : {styled_status(Status.NOT_APPLICABLE)} — {NO_SITE}"
                )
            else:
                context.console.print(f"  Pas de résultat dans l'édition {edition}.")
            print_explanations(context.console, engine, authority.id, criterion.id, edition)
            continue
        result, measured_at = rows[0]
        value = fr.number(result.value, 2)
        context.console.print(
            f"  Statut : {styled_status(result.status)} ; valeur : {value} ; confiance : "
            f"{label_of(result.confidence)} ; "
            f"contrôle v{result.check_version}, mesuré le {fr.numeric_day(measured_at)}"
        )
        if result.reason:
            context.console.print(f"  Motif : {result.reason}", markup=False)
        for item in result.evidence:
            context.console.print(
                "  Preuve — " + describe_evidence(item), markup=False, highlight=False
            )
        print_explanations(context.console, engine, authority.id, criterion.id, edition)
