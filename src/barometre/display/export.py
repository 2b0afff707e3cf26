"""Rich display of an export: rows per table, files per format."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from barometre.pipeline.export import ExportReport
from barometre.vocab import fr


def print_export(console: Console, report: ExportReport, demo: bool) -> None:
    table = Table(title=f"Export de l'édition {report.edition}", title_justify="left")
    table.add_column("Table")
    table.add_column("Lignes", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, fr.integer(rows))
    console.print(table)
    for fmt in report.formats:
        files = [p for p in report.files if p.parent.name == fmt]
        console.print(
            f"{fmt} : {fr.count(len(files), 'fichier')} dans {report.out / fmt}", highlight=False
        )
    if demo:
        console.print(
            "[yellow]Édition de démonstration (collectivités fictives) : les fichiers le "
            "disent dans leur titre et leur description.[/yellow]"
        )
