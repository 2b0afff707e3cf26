"""``barometre score`` and ``barometre edition``: scores, grades, ranks; frozen editions."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from barometre.cli.context import AppContext
from barometre.cli.options import Edition, EditionArgument, Methodology
from barometre.display.editions import (
    print_archive_check,
    print_capturing,
    print_diff,
    print_editions,
    print_leases,
    print_scores,
)
from barometre.errors import ArchiveDamagedError, EditionTamperedError
from barometre.pipeline import editions
from barometre.pipeline import score as score_stage
from barometre.pipeline.core import EditionRun, check_edition, open_edition
from barometre.pipeline.score import ScoreReport
from barometre.vocab import fr

edition_app = typer.Typer(help="Éditions mensuelles : gel, vérification, différences.")


def run_score(
    context: AppContext,
    edition: str,
    *,
    methodology: str = "",
    recalibrate: bool = False,
    loaded: EditionRun | None = None,
) -> ScoreReport:
    """``barometre score`` (``loaded``: the edition as a run already loaded it)."""
    run = loaded or open_edition(context.engine, edition, methodology=methodology)
    with context.err.status(f"Scores de l'édition {run.id}…"):
        report = score_stage.score(context.setup, run, recalibrate=recalibrate)
    groups = score_stage.group_scores(context.engine, run.id)
    print_scores(context.console, run.id, groups, report)
    return report


def score(
    ctx: typer.Context,
    edition: Edition = "",
    recalibrate: Annotated[
        bool,
        typer.Option("--recalibrer", help="Recalculer les bornes des notes sur cette édition."),
    ] = False,
    methodology: Methodology = "",
) -> None:
    """Calculer scores, couvertures, notes et rangs de l'édition (par groupe de pairs)."""
    run_score(ctx.obj, edition, methodology=methodology, recalibrate=recalibrate)


@edition_app.command("list")
def list_editions(ctx: typer.Context) -> None:
    """Les éditions de la base, figées ou non."""
    context: AppContext = ctx.obj
    print_editions(context.console, editions.list_editions(context.setup))


@edition_app.command("freeze")
def freeze(ctx: typer.Context, edition: EditionArgument) -> None:
    """Figer l'édition : manifeste avec empreintes, plus aucune écriture ensuite."""
    context: AppContext = ctx.obj
    run = open_edition(context.engine, edition)
    with context.err.status(f"Empreintes de l'édition {run.id}…"):
        manifest, digest = editions.freeze(context.setup, run)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    context.console.print(
        f"Édition {run.id} figée : {fr.count(rows, 'ligne')} et "
        f"{fr.count(len(manifest['archives']), 'archive')} sous empreinte, manifeste {digest}."
    )


@edition_app.command("verify")
def verify(ctx: typer.Context, edition: EditionArgument) -> None:
    """Recalculer les empreintes d'une édition figée et signaler toute modification."""
    context: AppContext = ctx.obj
    run = open_edition(context.engine, edition)
    with context.err.status(f"Vérification de l'édition {run.id}…"):
        result = editions.verify(context.setup, run)
    for note in result.notes:
        context.err.print(f"[yellow]{note}[/yellow]", highlight=False)
    if not result.ok:
        raise EditionTamperedError(
            f"Édition {run.id} altérée depuis son gel : " + " ".join(result.problems)
        )
    context.console.print(f"Édition {run.id} intacte (manifeste {run.info.manifest_sha256}).")


@edition_app.command("check")
def check_archives(
    ctx: typer.Context,
    edition: EditionArgument,
    repair: Annotated[
        bool,
        typer.Option(
            "--reparer",
            help="Retirer de l'index les sites endommagés (et leurs résultats) pour que "
            "« capture --resume » les capture à nouveau.",
        ),
    ] = False,
) -> None:
    """Relire chaque entrée de l'index dans son archive WARC et signaler les sites dont
    l'archive est endommagée, tronquée ou absente."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    with context.err.status(f"Relecture des archives de l'édition {edition}…"):
        result = editions.check_archives(context.setup, edition)
    print_capturing(context.err, editions.leases(context.setup, edition))
    print_archive_check(context.console, context.err, result)
    if result.ok:
        return
    count = len(result.damaged)
    if repair:
        editions.forget_sites(context.setup, edition, [d.authority_id for d in result.damaged])
        context.console.print(
            f"{fr.count(count, 'site retiré', 'sites retirés')} de l'index de l'édition {edition} avec "
            f"{'leurs' if count > 1 else 'ses'} résultats : « barometre capture --edition "
            f"{edition} --resume » {'les' if count > 1 else 'le'} capturera à nouveau."
        )
        return
    records = fr.count(result.records, "enregistrement relu", "enregistrements relus")
    raise ArchiveDamagedError(
        f"Édition {edition} : archive endommagée pour {fr.count(count, 'site')} sur "
        f"{fr.integer(result.sites)} ({records}). « barometre edition check {edition} "
        f"--reparer » {'les' if count > 1 else 'le'} retire de l'index pour une nouvelle capture."
    )


@edition_app.command("leases")
def show_leases(
    ctx: typer.Context,
    edition: Annotated[str, typer.Argument(help="Édition AAAA-MM (défaut : toutes).")] = "",
) -> None:
    """Les baux en cours : quel processus travaille sur quel site, depuis quand, jusqu'à quand."""
    context: AppContext = ctx.obj
    found = editions.leases(context.setup, check_edition(edition) if edition else None)
    print_leases(context.console, edition, found)


@edition_app.command("diff")
def diff_command(
    ctx: typer.Context,
    before: Annotated[str, typer.Argument(help="Édition de départ (AAAA-MM).")],
    after: Annotated[str, typer.Argument(help="Édition d'arrivée (AAAA-MM).")],
    limit: Annotated[int, typer.Option("--limit", help="Collectivités listées (0 : toutes).")] = 20,
    as_csv: Annotated[bool, typer.Option("--csv", help="Tout en CSV sur la sortie.")] = False,
) -> None:
    """Ce qui a changé entre deux éditions, par collectivité et au niveau national."""
    context: AppContext = ctx.obj
    before, after = check_edition(before), check_edition(after)
    found = editions.edition_diff(context.setup, before, after)
    if as_csv:
        editions.write_diff_csv(sys.stdout, found)
        return
    means = found.group_means(context.setup, before, after)
    print_diff(context.console, before, after, found, means, limit)
