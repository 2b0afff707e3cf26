"""``barometre refdata``: the outside reference data the detectors build on (show, update)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.context import AppContext
from barometre.display.refdata import print_bundled, print_installed
from barometre.pipeline import refdata as refdata_stage
from barometre.pipeline.refdata import refdata, verify

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
    print_bundled(context.console, refdata_stage.bundled())
    problems = verify()
    for problem in problems:
        context.err.print(f"[red]{problem}[/red]")
    if problems:
        raise typer.Exit(1)
    context.console.print("Empreintes SHA-256 conformes au manifeste.")


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
    installed = refdata_stage.install(
        context.settings,
        dataset.value,
        archive=archive,
        version=version,
        commit=commit,
        sha256=sha256,
    )
    print_installed(context.console, installed)
