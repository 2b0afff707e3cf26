"""The catalogue's figures as Rich tables (``barometre stats``): one table per section,
each indicator under its label with a row per group, its ratio, value, coverage and
change since the previous edition and over twelve months."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from barometre.indicators.report import Row
from barometre.methodology.indicators import Catalogue

CAPTION = (
    "n / mesurées : collectivités (ou comptes) comptées sur celles qui ont pu être "
    "mesurées ; couverture : mesurées / éligibles ; « non mesuré » : aucune ne l'a été. "
    "Évolution : depuis l'édition précédente et sur 12 mois (points de pourcentage)."
)


def section_table(title: str, rows: Sequence[Row]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, caption_justify="left")
    table.add_column("Indicateur", overflow="fold", ratio=1)
    table.add_column("n / mesurées", justify="right", no_wrap=True)
    table.add_column("Valeur", justify="right", no_wrap=True)
    table.add_column("Couverture", justify="right", no_wrap=True)
    table.add_column("Évol.", justify="right", no_wrap=True)
    table.add_column("12 mois", justify="right", no_wrap=True)
    previous: str | None = None
    for row in rows:
        if row.indicator.id != previous:
            if previous is not None:
                table.add_section()
            unit = "" if row.value.unit == "collectivités" else f" [dim](en {row.value.unit})[/dim]"
            table.add_row(f"[bold]{row.indicator.label}[/bold]{unit}")
            previous = row.indicator.id
        table.add_row(
            f"  {row.group_label}",
            row.ratio,
            row.shown,
            row.coverage,
            row.change(row.previous),
            row.change(row.year_ago),
        )
        if row.switched:
            table.add_row(f"    [dim]{escape(row.switched)}[/dim]")
    sources = list(dict.fromkeys(r.indicator.sources() for r in rows))
    table.caption = f"Sources : {' ; '.join(sources)}.\n{CAPTION}"
    return table


def print_indicators(console: Console, catalogue: Catalogue, rows: Sequence[Row]) -> None:
    console.print(
        f"[bold]Indicateurs du catalogue[/bold] (version {catalogue.version}, "
        f"{len(catalogue.indicators)} indicateurs)",
        highlight=False,
    )
    for section in catalogue.sections:
        chosen = [r for r in rows if r.indicator.section == section.id]
        if chosen:
            console.print(section_table(section.title, chosen))
