"""``barometre export``: the open data of an edition (CSV + Table Schema, JSON, Parquet,
SQLite for Datasette)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from barometre.cli.audit_cmd import load_methodology
from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import AppContext
from barometre.errors import ConfigurationError, EditionTamperedError, StorageError
from barometre.models import Edition
from barometre.publish.exports import ExportReport, default_out, export_edition, parse_formats
from barometre.scoring.editions import manifest_sha256
from barometre.storage import edition_repo
from barometre.storage.db import open_database
from barometre.vocab import fr


def _engine(context: AppContext, edition: str) -> Engine:
    """The database holding ``edition``: ``barometre demo`` writes its edition to a
    database of its own (``<data>/demo/``), used when no database was named."""
    named = context.database_url or context.settings.database_url
    path = context.settings.data_dir / "demo" / "barometre.sqlite3"
    if edition.startswith("demo") and not named and path.is_file():
        engine = open_database(f"sqlite:///{path.resolve()}")
        try:
            edition_repo.get_edition(engine, edition)
        except StorageError:
            engine.dispose()
        else:
            context.err.print(f"[dim]Base de démonstration : {path}[/dim]")
            return engine
    return context.engine


def check_frozen(engine: Engine, info: Edition) -> list[str]:
    """For a frozen edition, check that its tables still match the manifest whose
    fingerprint the export publishes; returns notes (the registry may have moved on)."""
    kept = info.extra.get("manifest")
    if info.frozen_at is None or not isinstance(kept, dict):
        return []
    if manifest_sha256(kept) != info.manifest_sha256:
        raise EditionTamperedError(
            f"Édition {info.id} : le manifeste enregistré ne correspond plus à son empreinte ; "
            "export refusé (voir « barometre edition verify »)."
        )
    now = edition_repo.table_digests(engine, info.id)
    changed = [t for t, digest in kept.get("tables", {}).items() if now.get(t) != digest]
    if changed:
        raise EditionTamperedError(
            f"Édition {info.id} modifiée depuis son gel (tables : {', '.join(changed)}) ; "
            "export refusé (voir « barometre edition verify »)."
        )
    notes = []
    if kept.get("registry") != edition_repo.registry_digest(engine, info.id):
        notes.append(
            "Le registre a changé depuis le gel de l'édition : la table collectivites "
            "reflète le registre actuel (noms, populations, sites)."
        )
    return notes


def _out_folder(context: AppContext, edition: str, out: Path | None) -> Path:
    folder = out if out is not None else default_out(context.settings.data_dir, edition)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"{folder} existe et n'est pas un dossier.")
    return folder


def print_report(context: AppContext, report: ExportReport, demo: bool) -> None:
    table = Table(title=f"Export de l'édition {report.edition}", title_justify="left")
    table.add_column("Table")
    table.add_column("Lignes", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, fr.integer(rows))
    context.console.print(table)
    for fmt in report.formats:
        files = [p for p in report.files if p.parent.name == fmt]
        context.console.print(
            f"{fmt} : {fr.count(len(files), 'fichier')} dans {report.out / fmt}", highlight=False
        )
    if demo:
        context.console.print(
            "[yellow]Édition de démonstration (collectivités fictives) : les fichiers le "
            "disent dans leur titre et leur description.[/yellow]"
        )


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
) -> ExportReport:
    """The export of ``barometre export`` (also run by ``barometre run`` and ``demo``)."""
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    folder = _out_folder(context, edition, out)
    engine = engine or _engine(context, edition)
    info = edition_repo.get_edition(engine, edition)
    methodology = load_methodology(info.methodology_version or "")
    if info.frozen_at is not None:
        with context.err.status(f"Vérification de l'édition figée {edition}…"):
            notes = check_frozen(engine, info)
        for note in notes:
            context.err.print(f"[yellow]{note}[/yellow]", highlight=False)
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[rows]} lignes"),
        TimeElapsedColumn(),
        console=context.err,
        transient=True,
    ) as progress:

        def on_rows(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table, rows="0")
            progress.update(tasks[table], rows=fr.integer(rows))

        report = export_edition(engine, edition, methodology, folder, formats, on_rows=on_rows)
    print_report(context, report, info.demo)
    return report
