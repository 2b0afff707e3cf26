"""Shared state of one command invocation: settings, console, database engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from barometre.registry import read_bundle
from barometre.settings import Settings, load_settings
from barometre.storage import registry_repo
from barometre.storage.db import open_database


@dataclass
class AppContext:
    data_dir: Path | None = None
    database_url: str | None = None
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    """Progress and notices go to stderr, so that CSV/JSON on stdout stay clean."""
    _settings: Settings | None = None
    _engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(data_dir=self.data_dir, database_url=self.database_url)
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_database(self.settings.effective_database_url)
        return self._engine


def import_embedded(context: AppContext) -> int:
    """Load the registry shipped with the package into the database."""
    with context.err.status("Lecture du registre embarqué…"):
        registry = read_bundle()
    with context.err.status(f"Écriture de {len(registry.authorities):,} collectivités…"):
        return registry_repo.replace_registry(
            context.engine, registry.authorities, "registre embarqué", registry.report.as_dict()
        )


def ensure_registry(context: AppContext) -> None:
    """Import the embedded registry first when the database has none."""
    if registry_repo.last_import(context.engine) is None:
        context.err.print("[dim]Base vide : import du registre embarqué.[/dim]")
        import_embedded(context)
