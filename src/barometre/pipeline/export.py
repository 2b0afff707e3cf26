"""The export stage: the open data of an edition (CSV + Table Schema, JSON, Parquet,
SQLite for Datasette)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine

from barometre.errors import ConfigurationError, StorageError
from barometre.indicators.series import earlier_editions, edition_rows
from barometre.methodology import Methodology
from barometre.methodology.indicators import Catalogue
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.pipeline.core import EditionRun, Setup
from barometre.publish.exports import (
    FORMATS,
    ExportReport,
    IndicatorRecord,
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
    "indicator_records",
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


def indicator_records(
    engine: Engine, edition: str, methodology: Methodology, catalogue: Catalogue | None = None
) -> list[IndicatorRecord]:
    """The catalogue's figures of ``edition`` for the exports: the rows ``barometre
    stats`` shows (:func:`barometre.indicators.series.edition_rows`, the same
    computation), with the editions they are compared with."""
    catalogue = catalogue or bundled_catalogue()
    earlier = earlier_editions(engine, edition)
    out = []
    for row in edition_rows(engine, edition, methodology, catalogue):
        v = row.value
        out.append(
            IndicatorRecord(
                indicator=row.indicator.id,
                label=row.indicator.label,
                section=row.indicator.section,
                group=v.group,
                group_label=row.group_label,
                share=row.indicator.is_share,
                unit=v.unit,
                numerator=v.numerator,
                denominator=v.denominator,
                value=v.value,
                measured=v.measured,
                eligible=v.eligible,
                coverage=v.coverage,
                source=row.indicator.sources(),
                previous_edition=earlier.previous,
                previous=row.previous.value if row.previous is not None else None,
                year_ago_edition=earlier.year_ago,
                year_ago=row.year_ago.value if row.year_ago is not None else None,
            )
        )
    return out


def export(
    setup: Setup,
    run: EditionRun,
    folder: Path,
    formats: Sequence[str],
    *,
    on_rows: Callable[[str, int], None] | None = None,
) -> ExportReport:
    """Write the edition's open data in ``formats`` into ``folder``, the catalogue's
    figures with them."""
    return export_edition(
        setup.engine,
        run.id,
        run.methodology,
        folder,
        formats,
        on_rows=on_rows,
        indicators=indicator_records(setup.engine, run.id, run.methodology),
    )
