"""Rich display of ``barometre check URL``: the report card of one site checked now."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from barometre.display.results import describe_evidence, styled_status
from barometre.models import Status
from barometre.outreach.check import CheckReport
from barometre.vocab import fr
from barometre.vocab.status import label_of

EVIDENCE_SHOWN = 2


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
