"""Rich display of the audit: what a run measured, the national shares per type of
collectivité, one criterion's result for one collectivité (``barometre explain``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.table import Table

from barometre.display.results import describe_evidence, styled_status
from barometre.methodology import Criterion
from barometre.models import Authority, CheckResult, Status
from barometre.pipeline.audit import NO_SITE, AuditReport, NationalShares
from barometre.vocab import fr
from barometre.vocab.authorities import kind_plural
from barometre.vocab.status import label_of


def print_audit(
    console: Console, err: Console, edition: str, version: str, report: AuditReport
) -> None:
    """What the audit measured, its failures and damaged archives (on ``err``)."""
    console.print(
        f"Édition {edition}, méthodologie {version} : critères du registre pour "
        f"{fr.count(report.registry_level, 'collectivité')}, grille complète pour "
        f"{fr.count(report.sites, 'site capturé', 'sites capturés')}."
    )
    for aid, message in report.failed:
        err.print(f"[red]{aid}[/red] : {message}")
    if report.damaged:
        err.print(
            f"[yellow]{fr.count(len(report.damaged), 'site')} dont l'archive est endommagée : critères du site "
            f"« non mesurables », les résultats précédents sont remplacés. Pour les capturer "
            f"à nouveau : barometre edition check {edition} --reparer, puis "
            f"barometre capture --edition {edition} --resume.[/yellow]",
            highlight=False,
        )
        for aid, message in report.damaged:
            err.print(f"  {aid} : {message}", markup=False, highlight=False)


def print_national(console: Console, shares: NationalShares) -> None:
    """One table per type of collectivité: the shares of each status, criterion by criterion."""
    for kind, rows in shares.by_kind.items():
        table = Table(title=f"{kind_plural(kind).capitalize()} — édition {shares.edition}")
        table.add_column("Critère", overflow="fold", max_width=40)
        for label in (
            *(label_of(s) for s in (Status.PASS, Status.PARTIAL, Status.FAIL)),
            "mesurées",
            "non mes.",
        ):
            table.add_column(label, justify="right", no_wrap=True)
        for row in rows:
            cell, measured = row.counts, row.measured
            table.add_row(
                f"{row.criterion.code} {row.criterion.name}",
                fr.ratio(cell.get("pass", 0), measured),
                fr.ratio(cell.get("partial", 0), measured),
                fr.ratio(cell.get("fail", 0), measured),
                fr.integer(measured),
                fr.integer(cell.get("not_measurable", 0)),
            )
        console.print(table)
    if not shares.captured:
        console.print(
            "[yellow]Aucun site capturé dans cette édition : seuls les critères du registre "
            "sont mesurés, et P1 ne compte que les collectivités sans site déclaré.[/yellow]"
        )
    console.print(
        "Parts calculées sur les collectivités mesurées (ni non applicable, ni non "
        "mesurable) ; « non mes. » : collectivités dont le critère n'a pas pu être mesuré."
    )


def print_result(
    console: Console,
    authority: Authority,
    criterion: Criterion,
    edition: str,
    rows: Sequence[tuple[CheckResult, datetime]],
) -> None:
    """The stored result of ``criterion`` for ``authority`` (newest first), with its evidence."""
    console.print(
        f"[bold]{authority.name}[/bold] ({authority.id}) — {criterion.code} {criterion.name}"
    )
    console.print(f"  Nature : {criterion.nature} ; base : {criterion.basis}")
    if not rows:
        if authority.website is None:
            console.print(f"  Statut : {styled_status(Status.NOT_APPLICABLE)} — {NO_SITE}")
        else:
            console.print(f"  Pas de résultat dans l'édition {edition}.")
        return
    result, measured_at = rows[0]
    value = fr.number(result.value, 2)
    console.print(
        f"  Statut : {styled_status(result.status)} ; valeur : {value} ; confiance : "
        f"{label_of(result.confidence)} ; "
        f"contrôle v{result.check_version}, mesuré le {fr.numeric_day(measured_at)}"
    )
    if result.reason:
        console.print(f"  Motif : {result.reason}", markup=False)
    for item in result.evidence:
        console.print("  Preuve — " + describe_evidence(item), markup=False, highlight=False)
