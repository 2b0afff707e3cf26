"""``barometre refdata``: the outside reference data the detectors build on (show, update)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from barometre.cli.context import AppContext
from barometre.pipeline import refdata as refdata_stage
from barometre.pipeline.refdata import Installed, refdata, verify
from barometre.vocab import fr

app = typer.Typer(
    help="Données de référence extérieures (third-party-web, empreintes Wappalyzer) : "
    "versions, licences, mise à jour.",
    no_args_is_help=True,
)


class Dataset(StrEnum):
    third_party_web = refdata.THIRD_PARTY_WEB
    webappanalyzer = refdata.WEBAPPANALYZER


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Versions, licences, tailles et empreintes des données embarquées (vérifiées)."""
    context: AppContext = ctx.obj
    manifest = refdata.read_manifest()
    table = Table(title="Données de référence embarquées", title_justify="left")
    for column in ("jeu", "version", "licence", "source", "fichiers", "octets"):
        table.add_column(column)
    for dataset in refdata.DATASETS:
        entry = manifest.get(dataset) or {}
        files = entry.get("files") or {}
        table.add_row(
            dataset,
            str(entry.get("version", "?")),
            str(entry.get("licence", "?")),
            str(entry.get("source", "?")),
            fr.integer(len(files)),
            fr.integer(sum(int(f.get("bytes", 0)) for f in files.values())),
        )
    context.console.print(table)
    problems = verify()
    for problem in problems:
        context.err.print(f"[red]{problem}[/red]")
    if problems:
        raise typer.Exit(1)
    context.console.print("Empreintes SHA-256 conformes au manifeste.")


def _report(context: AppContext, installed: Installed) -> None:
    sizes = ", ".join(
        f"{name} ({fr.integer(size)} octets)" for name, size in installed.files.items()
    )
    context.console.print(
        f"{installed.dataset} {installed.version} installé : {sizes}. "
        f"Vérifiez la différence (git diff src/barometre/refdata) puis lancez les tests "
        f"des références extérieures."
    )


@app.command("update")
def update(
    ctx: typer.Context,
    dataset: Annotated[Dataset, typer.Argument(help="Jeu de données à mettre à jour.")],
    version: Annotated[
        str | None,
        typer.Option("--version", help="Version npm de third-party-web (défaut : la dernière)."),
    ] = None,
    commit: Annotated[
        str | None,
        typer.Option("--commit", help="Commit d'enthec/webappanalyzer (défaut : le dernier)."),
    ] = None,
    archive: Annotated[
        Path | None,
        typer.Option(
            "--archive",
            help="Archive déjà téléchargée (npm pack, ou archive GitHub du commit) : rien "
            "n'est téléchargé.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="Empreinte SHA-256 attendue de l'archive.")
    ] = None,
) -> None:
    """Télécharge une version, la vérifie, réécrit les fichiers et le manifeste."""
    context: AppContext = ctx.obj
    if archive is not None:
        _report(
            context,
            refdata_stage.install_archive(
                dataset.value, archive, version=version, commit=commit, sha256=sha256
            ),
        )
        return
    _report(
        context,
        refdata_stage.update(
            context.settings, dataset.value, version=version, commit=commit, sha256=sha256
        ),
    )
