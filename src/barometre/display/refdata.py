"""Rich display of the outside reference data (``barometre refdata``)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from barometre.pipeline.refdata import Bundled, Installed
from barometre.vocab import fr


def print_bundled(console: Console, items: Sequence[Bundled]) -> None:
    table = Table(title="Données de référence embarquées", title_justify="left")
    for column in ("jeu", "version", "licence", "source", "fichiers", "octets"):
        table.add_column(column)
    for item in items:
        table.add_row(
            item.dataset,
            item.version,
            item.licence,
            item.source,
            fr.integer(item.files),
            fr.integer(item.bytes),
        )
    console.print(table)


def print_installed(console: Console, installed: Installed) -> None:
    sizes = ", ".join(
        f"{name} ({fr.integer(size)} octets)" for name, size in installed.files.items()
    )
    console.print(
        f"{installed.dataset} {installed.version} installé : {sizes}. "
        f"Vérifiez la différence (git diff src/barometre/refdata) puis lancez les tests "
        f"des références extérieures."
    )
