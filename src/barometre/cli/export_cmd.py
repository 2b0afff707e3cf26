"""``barometre export``: the open data of an edition (CSV + Table Schema, JSON, Parquet,
SQLite for Datasette)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from barometre.cli.context import AppContext
from barometre.display.export import print_export
from barometre.display.progress import rows_progress
from barometre.pipeline import export as export_stage
from barometre.pipeline.core import EditionRun, Setup, check_edition, open_edition
from barometre.pipeline.export import ExportReport, parse_formats


def _setup(context: AppContext, edition: str) -> Setup:
    """The database holding ``edition``: ``barometre demo`` writes its edition to a
    database of its own (``<data>/demo/``), used when no database was named."""
    named = bool(context.database_url or context.settings.database_url)
    found = export_stage.demo_database(context.settings, edition, named)
    if found is None:
        return context.setup
    engine, path = found
    context.err.print(f"[dim]Base de démonstration : {path}[/dim]")
    return Setup(context.settings, engine)


def export(
    ctx: typer.Context,
    edition: Annotated[
        str, typer.Option("--edition", "-e", help="Édition AAAA-MM (ou demo).")
    ] = "",
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="csv, json, parquet, sqlite ou all ; plusieurs séparés par des virgules.",
        ),
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Dossier de sortie (défaut : <données>/exports/<édition>/).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Exporter une édition en données ouvertes : CSV avec schémas Table Schema et
    datapackage.json, JSON, Parquet, base SQLite avec son metadata.json pour Datasette.

    Chaque fichier est écrit sous un nom provisoire puis renommé quand tout l'export est
    complet : une interruption ne laisse aucun fichier à moitié écrit.
    """
    run_export(ctx.obj, edition, parse_formats(format), out)


def run_export(
    context: AppContext,
    edition: str,
    formats: Sequence[str],
    out: Path | None = None,
    *,
    engine: Engine | None = None,
    loaded: EditionRun | None = None,
) -> ExportReport:
    """The export of ``barometre export`` (also run by ``barometre run`` and ``demo``)."""
    edition = check_edition(edition)
    setup = _setup(context, edition) if engine is None else Setup(context.settings, engine)
    folder = export_stage.out_folder(setup, edition, out)
    run = loaded or open_edition(setup.engine, edition)
    info = run.info
    if info.frozen_at is not None:
        with context.err.status(f"Vérification de l'édition figée {edition}…"):
            notes = export_stage.verify_frozen(setup, run)
        for note in notes:
            context.err.print(f"[yellow]{note}[/yellow]", highlight=False)
    with rows_progress(context.err) as on_rows:
        report = export_stage.export(setup, run, folder, formats, on_rows=on_rows)
    print_export(context.console, report, info.demo)
    return report
