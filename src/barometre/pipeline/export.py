"""The export stage: the open data of an edition (CSV + Table Schema, JSON, Parquet,
SQLite for Datasette)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from barometre.errors import ConfigurationError, StorageError
from barometre.pipeline.core import EditionRun, Setup
from barometre.publish.exports import (
    FORMATS,
    ExportReport,
    default_out,
    export_edition,
    parquet_available,
    parse_formats,
)
from barometre.scoring.editions import check_frozen
from barometre.settings import Settings
from barometre.storage import edition_repo
from barometre.storage.db import open_database

__all__ = [
    "ExportReport",
    "available_formats",
    "demo_database",
    "export",
    "out_folder",
    "parse_formats",
    "verify_frozen",
]


def available_formats() -> tuple[str, ...]:
    """Every format this installation can write (Parquet needs its extra)."""
    return tuple(f for f in FORMATS if f != "parquet" or parquet_available())


def demo_database(settings: Settings, edition: str, named: bool) -> tuple[Engine, Path] | None:
    """The database ``barometre demo`` wrote ``edition`` to (``<data>/demo/``), when no
    database was named and it holds that edition."""
    path = settings.data_dir / "demo" / "barometre.sqlite3"
    if edition.startswith("demo") and not named and path.is_file():
        engine = open_database(f"sqlite:///{path.resolve()}")
        try:
            edition_repo.get_edition(engine, edition)
        except StorageError:
            engine.dispose()
        else:
            return engine, path
    return None


def out_folder(setup: Setup, edition: str, out: Path | None) -> Path:
    folder = out if out is not None else default_out(setup.settings.data_dir, edition)
    if folder.exists() and not folder.is_dir():
        raise ConfigurationError(f"{folder} existe et n'est pas un dossier.")
    return folder


def verify_frozen(setup: Setup, run: EditionRun) -> list[str]:
    """For a frozen edition, check that its tables still match its manifest (an error
    otherwise); returns notes."""
    return check_frozen(setup.engine, run.info) if run.info.frozen_at is not None else []


def export(
    setup: Setup,
    run: EditionRun,
    folder: Path,
    formats: Sequence[str],
    *,
    on_rows: Callable[[str, int], None] | None = None,
) -> ExportReport:
    """Write the edition's open data in ``formats`` into ``folder``."""
    return export_edition(setup.engine, run.id, run.methodology, folder, formats, on_rows=on_rows)
