"""``barometre check URL``: check one site now and show its report card."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from barometre.cli.audit_cmd import styled_status
from barometre.cli.context import AppContext, ensure_registry, find_authority
from barometre.cli.render import describe_evidence
from barometre.errors import ConfigurationError
from barometre.models import Status
from barometre.outreach.check import CheckReport, check_with_settings
from barometre.vocab import fr
from barometre.vocab.status import label_of

EVIDENCE_SHOWN = 2


def check(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Adresse du site (https://…).")],
    authority: Annotated[
        str | None,
        typer.Option(
            "--authority",
            help="Code ou identifiant de la collectivité (ex. commune:75056) : ses faits du "
            "registre sont pris en compte.",
        ),
    ] = None,
    render: Annotated[
        bool, typer.Option("--render", help="Rendre aussi l'accueil dans Chromium.")
    ] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Écrire aussi le bulletin en PDF.")] = False,
    compare: Annotated[
        bool,
        typer.Option(
            "--comparer",
            help="Comparer avec le bulletin de la collectivité dans la dernière édition.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Dossier du bulletin (défaut : <données>/verifications/…)."),
    ] = None,
    as_of: Annotated[
        str, typer.Option("--date", help="Date de référence AAAA-MM-JJ (défaut : aujourd'hui).")
    ] = "",
    methodology: Annotated[
        str, typer.Option("--methodologie", help="Version embarquée ou fichier TOML.")
    ] = "",
) -> None:
    """Vérifier un site maintenant : capture, audit avec la méthodologie en vigueur et
    bulletin (terminal, HTML, PDF sur demande), sans toucher aux éditions."""
    context: AppContext = ctx.obj
    reference = None
    if as_of:
        try:
            reference = date.fromisoformat(as_of)
        except ValueError as exc:
            raise ConfigurationError(f"Date « {as_of} » invalide : AAAA-MM-JJ attendu.") from exc
    registered = None
    if authority:
        ensure_registry(context)
        registered = find_authority(context, authority)
    with context.err.status(f"Vérification de {url}…"):
        report = check_with_settings(
            context.settings,
            context.engine,
            url,
            methodology,
            registered=registered,
            render=render,
            pdf=pdf,
            compare=compare,
            out=out,
            as_of=reference,
        )
    print_card(context.console, report)


def print_card(console: Console, report: CheckReport) -> None:
    card = report.card
    a = report.authority
    who = f"{a.name} ({a.id})" if report.from_registry else "site hors registre"
    console.print(f"[bold]{report.url}[/bold] — {who}", highlight=False)
    console.print(
        f"Vérification du {fr.day(date.today())}, méthodologie {report.methodology}, "
        f"capture : {report.outcome}. Résultat indicatif, hors édition.",
        highlight=False,
    )
    g = card.global_score
    grade = g.grade if g and g.grade else "non noté"
    value = fr.score(g.value) if g and g.value is not None else "—"
    coverage = fr.percent(g.coverage if g else 0.0)
    console.print(
        f"[bold]Score : {value} / 100 — note : {grade}.[/bold] Couverture : {coverage} ; "
        f"barèmes des notes {report.bands_origin}.",
        highlight=False,
    )
    if report.previous is not None:
        edition, before, before_grade = report.previous
        delta = (
            fr.signed(g.value - before, 1)
            if g and g.value is not None and before is not None
            else "—"
        )
        console.print(
            f"Édition {fr.month(edition)} : {fr.score(before)} / 100, note "
            f"{before_grade or 'non noté'} ; écart : {delta}.",
            highlight=False,
        )
    dims = Table(title="Dimensions", title_justify="left")
    dims.add_column("Dimension")
    dims.add_column("Score", justify="right")
    dims.add_column("Couverture", justify="right")
    for d in card.dimensions:
        dims.add_row(
            f"{d.code} — {d.name}",
            fr.score(d.score.value if d.score else None),
            fr.percent(d.score.coverage if d.score else 0.0),
        )
    console.print(dims)
    for d in card.dimensions:
        table = Table(title=f"{d.code} — {d.name}", title_justify="left", show_lines=False)
        table.add_column("Critère", overflow="fold", max_width=38)
        table.add_column("Résultat", no_wrap=True)
        table.add_column("Preuves et motif", overflow="fold")
        for line in d.lines:
            notes = [line.reason] if line.reason else []
            notes += [describe_evidence(e) for e in line.evidence[:EVIDENCE_SHOWN]]
            table.add_row(
                f"{line.criterion.code} {line.criterion.name}",
                styled_status(line.status),
                "\n".join(notes) or "—",
            )
        console.print(table)
    if report.changes:
        moves = Table(title="Changements depuis l'édition", title_justify="left")
        moves.add_column("Critère")
        moves.add_column("Avant")
        moves.add_column("Maintenant")
        for change in report.changes:
            moves.add_row(
                f"{change.code} {change.name}",
                label_of(change.before) if change.before else "—",
                styled_status(change.after),
            )
        console.print(moves)
    if report.recommendations:
        console.print("[bold]Recommandations[/bold] (par ordre de priorité)")
        for i, item in enumerate(report.recommendations, 1):
            console.print(
                f"  {i}. {item.code} — {item.name} : {item.advice}",
                highlight=False,
                markup=False,
            )
    failed = card.counts.get(Status.FAIL.value, 0)
    console.print(
        f"{fr.count(failed, 'critère')} en échec. Bulletin : {report.html}"
        + (f" ; PDF : {report.pdf}" if report.pdf else "")
        + f" (en {fr.number(report.seconds, 1)} s).",
        highlight=False,
    )
