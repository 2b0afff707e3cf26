"""``barometre score`` and ``barometre edition``: scores, grades, ranks; frozen editions."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from statistics import median
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine

from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import AppContext
from barometre.errors import ArchiveDamagedError, EditionTamperedError
from barometre.methodology import policy
from barometre.pipeline import editions
from barometre.pipeline import score as score_stage
from barometre.pipeline.core import EditionRun, open_edition
from barometre.pipeline.editions import Lease, criterion_moves, group_means
from barometre.pipeline.score import ScoreReport, ScoreRow
from barometre.vocab import fr
from barometre.vocab.authorities import peer_group_short
from barometre.vocab.status import GRADES

edition_app = typer.Typer(help="Éditions mensuelles : gel, vérification, différences.")


def _csv_number(value: float | None) -> str:
    """A score in the CSV output: a plain decimal (read by any tool), empty when absent."""
    return "" if value is None else str(fr.rounded(value, 1))


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
    engine, edition = context.engine, run.id
    print_distribution(context, engine, edition, report)
    return report


def print_distribution(
    context: AppContext, engine: Engine, edition: str, report: ScoreReport
) -> None:
    rows = score_stage.global_scores(engine, edition)
    table = Table(title=f"Scores de l'édition {edition} par groupe de pairs")
    for label in (
        "Groupe",
        "Collectivités",
        "Notées",
        "Score médian",
        "Couverture médiane",
        *GRADES,
    ):
        table.add_column(label, justify="left" if label == "Groupe" else "right")
    groups: dict[str, list[ScoreRow]] = {}
    for row in rows:
        groups.setdefault(row.peer_group or "", []).append(row)
    for group in sorted(groups):
        members = groups[group]
        values = [r.value for r in members if r.value is not None]
        grades = Counter(r.grade for r in members if r.grade)
        table.add_row(
            peer_group_short(group),
            fr.integer(len(members)),
            fr.integer(sum(grades.values())),
            fr.score(median(values) if values else None),
            fr.percent(median(r.coverage for r in members)),
            *(fr.integer(grades[g]) for g in GRADES),
        )
    context.console.print(table)
    context.console.print(policy.summary(report.publications))
    if report.calibrated_on is None:
        where = (
            "un partage provisoire (trop peu de scores bien couverts pour calibrer : "
            "rien n'est gardé)"
        )
    elif report.calibrated_on == "méthodologie":
        where = "la méthodologie"
    else:
        where = f"l'édition {report.calibrated_on}" + (
            " (calibrées maintenant)" if report.calibrated_now else ""
        )
    bands = " ; ".join(f"{g} ≥ {fr.score(b)}" for g, b in zip(GRADES, report.bands, strict=False))
    context.console.print(
        f"Bornes des notes ({bands}) tirées de {where}. Une note n'est donnée qu'avec une "
        "couverture suffisante ; le score et sa couverture sont publiés ensemble."
    )
    if report.social:
        context.console.print(
            f"{fr.count(report.social, 'indice')} de bonnes pratiques sociales (1 à 5) par "
            "collectivité et plateforme."
        )


def score(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    recalibrate: Annotated[
        bool,
        typer.Option("--recalibrer", help="Recalculer les bornes des notes sur cette édition."),
    ] = False,
    methodology: Annotated[
        str, typer.Option("--methodologie", help="Version embarquée ou fichier TOML.")
    ] = "",
) -> None:
    """Calculer scores, couvertures, notes et rangs de l'édition (par groupe de pairs)."""
    run_score(ctx.obj, edition, methodology=methodology, recalibrate=recalibrate)


@edition_app.command("list")
def list_editions(ctx: typer.Context) -> None:
    """Les éditions de la base, figées ou non."""
    context: AppContext = ctx.obj
    table = Table(title="Éditions")
    for label in ("Édition", "Libellé", "Méthodologie", "Figée le", "Empreinte du manifeste"):
        table.add_column(label)
    for item in editions.list_editions(context.setup):
        table.add_row(
            item.id,
            item.label + (" (démonstration)" if item.demo else ""),
            item.methodology_version or "—",
            fr.moment(item.frozen_at) if item.frozen_at else "—",
            (item.manifest_sha256 or "—")[:16],
        )
    context.console.print(table)


@edition_app.command("freeze")
def freeze(
    ctx: typer.Context,
    edition: Annotated[str, typer.Argument(help="Édition AAAA-MM.")],
) -> None:
    """Figer l'édition : manifeste avec empreintes, plus aucune écriture ensuite."""
    context: AppContext = ctx.obj
    run = open_edition(context.engine, edition)
    edition = run.id
    with context.err.status(f"Empreintes de l'édition {edition}…"):
        manifest, digest = editions.freeze(context.setup, run)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    context.console.print(
        f"Édition {edition} figée : {fr.count(rows, 'ligne')} et "
        f"{fr.count(len(manifest['archives']), 'archive')} sous empreinte, manifeste {digest}."
    )


@edition_app.command("verify")
def verify(
    ctx: typer.Context,
    edition: Annotated[str, typer.Argument(help="Édition AAAA-MM.")],
) -> None:
    """Recalculer les empreintes d'une édition figée et signaler toute modification."""
    context: AppContext = ctx.obj
    run = open_edition(context.engine, edition)
    edition, info = run.id, run.info
    with context.err.status(f"Vérification de l'édition {edition}…"):
        result = editions.verify(context.setup, run)
    for note in result.notes:
        context.err.print(f"[yellow]{note}[/yellow]", highlight=False)
    if not result.ok:
        raise EditionTamperedError(
            f"Édition {edition} altérée depuis son gel : " + " ".join(result.problems)
        )
    context.console.print(f"Édition {edition} intacte (manifeste {info.manifest_sha256}).")


@edition_app.command("check")
def check_archives(
    ctx: typer.Context,
    edition: Annotated[str, typer.Argument(help="Édition AAAA-MM.")],
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
    _print_leases(context, editions.leases(context.setup, edition))
    sites = fr.count(result.sites, "site")
    records = fr.count(result.records, "enregistrement relu", "enregistrements relus")
    if result.ok:
        context.console.print(
            f"Édition {edition} : {sites}, {records} dans leurs archives, aucune "
            "archive endommagée."
        )
        return
    count = len(result.damaged)
    for damage in result.damaged:
        context.err.print(
            f"{damage.authority_id} ({', '.join(damage.paths)}) : {damage.describe()}.",
            markup=False,
            highlight=False,
        )
    if repair:
        editions.forget_sites(context.setup, edition, [d.authority_id for d in result.damaged])
        context.console.print(
            f"{fr.count(count, 'site retiré', 'sites retirés')} de l'index de l'édition {edition} avec "
            f"{'leurs' if count > 1 else 'ses'} résultats : « barometre capture --edition "
            f"{edition} --resume » {'les' if count > 1 else 'le'} capturera à nouveau."
        )
        return
    raise ArchiveDamagedError(
        f"Édition {edition} : archive endommagée pour {fr.count(count, 'site')} sur "
        f"{fr.integer(result.sites)} ({records}). « barometre edition check {edition} "
        f"--reparer » {'les' if count > 1 else 'le'} retire de l'index pour une nouvelle capture."
    )


def _print_leases(context: AppContext, leases: list[Lease]) -> None:
    if not leases:
        return
    count = len(leases)
    context.err.print(
        f"[yellow]{fr.count(count, 'site')} en cours de capture (bail) : "
        f"{'leurs index peuvent' if count > 1 else 'son index peut'} encore changer.[/yellow]"
    )
    for lease in leases:
        context.err.print(
            f"  {lease.describe()} ({_lease_state(lease)}).", markup=False, highlight=False
        )


def _lease_state(lease: Lease) -> str:
    if lease.owner.alive() is False:
        return "propriétaire disparu : repris au prochain passage"
    return "expiré : repris au prochain passage" if lease.expired() else "actif"


@edition_app.command("leases")
def show_leases(
    ctx: typer.Context,
    edition: Annotated[str, typer.Argument(help="Édition AAAA-MM (défaut : toutes).")] = "",
) -> None:
    """Les baux en cours : quel processus travaille sur quel site, depuis quand, jusqu'à quand."""
    context: AppContext = ctx.obj
    found = editions.leases(context.setup, check_edition(edition) if edition else None)
    if not found:
        context.console.print(
            f"Aucun bail en cours pour l'édition {edition}." if edition else "Aucun bail en cours."
        )
        return
    count = len(found)
    context.console.print(
        f"{count} {'baux' if count > 1 else 'bail'} en cours (un seul écrivain par édition et "
        "collectivité) :"
    )
    for lease in found:
        context.console.print(
            f"  {lease.edition} — {lease.describe()} ({_lease_state(lease)}).",
            markup=False,
            highlight=False,
        )


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
    changes, scores, names = found.changes, found.scores, found.names
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(
            [
                "collectivite",
                "nom",
                "score_avant",
                "score_apres",
                "ecart",
                "note_avant",
                "note_apres",
                "criteres_gagnes",
                "criteres_perdus",
                "comptes_nouveaux",
                "comptes_fermes",
            ]
        )
        for c in changes:
            writer.writerow(
                [
                    c.authority_id,
                    names.get(c.authority_id, ""),
                    _csv_number(c.before),
                    _csv_number(c.after),
                    _csv_number(c.delta),
                    c.grade_before or "",
                    c.grade_after or "",
                    " ".join(c.gained),
                    " ".join(c.lost),
                    " ".join(c.new_accounts),
                    " ".join(c.closed_accounts),
                ]
            )
        return
    groups = found.groups(context.setup, before, after)
    means = (group_means(scores[0], groups), group_means(scores[1], groups))
    table = Table(title=f"Évolution {before} → {after} par groupe de pairs")
    for label in ("Groupe", f"Score moyen {before}", f"Score moyen {after}", "Écart"):
        table.add_column(label, justify="left" if label == "Groupe" else "right")
    for group in sorted(set(means[0]) | set(means[1])):
        a = means[0].get(group, (None, 0))[0]
        b = means[1].get(group, (None, 0))[0]
        table.add_row(
            peer_group_short(group),
            fr.score(a),
            fr.score(b),
            fr.signed(None if a is None or b is None else b - a, 1),
        )
    context.console.print(table)
    moves = criterion_moves(changes)
    if moves:
        moved = Table(title="Critères gagnés et perdus")
        for label in ("Critère", "Gagné par", "Perdu par"):
            moved.add_column(label, justify="left" if label == "Critère" else "right")
        for criterion, (won, lost) in sorted(moves.items(), key=lambda kv: -sum(kv[1])):
            moved.add_row(criterion, fr.integer(won), fr.integer(lost))
        context.console.print(moved)
    opened = sum(len(c.new_accounts) for c in changes)
    closed = sum(len(c.closed_accounts) for c in changes)
    context.console.print(
        f"{fr.count(len(changes), 'collectivité changée', 'collectivités changées')} ; comptes "
        f"sociaux : {fr.count(opened, 'nouveau', 'nouveaux')}, "
        f"{fr.count(closed, 'fermé ou disparu', 'fermés ou disparus')}."
    )
    ordered = sorted(changes, key=lambda c: -abs(c.delta or 0))
    shown = ordered if limit == 0 else ordered[:limit]
    if shown:
        detail = Table(title="Plus fortes évolutions")
        for label in ("Collectivité", "Avant", "Après", "Écart", "Note", "Gagnés", "Perdus"):
            detail.add_column(
                label, justify="left" if label in ("Collectivité", "Gagnés", "Perdus") else "right"
            )
        for c in shown:
            detail.add_row(
                names.get(c.authority_id, c.authority_id),
                fr.score(c.before),
                fr.score(c.after),
                fr.signed(c.delta, 1),
                f"{c.grade_before or '—'} → {c.grade_after or '—'}",
                ", ".join(c.gained) or "—",
                ", ".join(c.lost) or "—",
            )
        context.console.print(detail)
