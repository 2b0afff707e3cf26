"""Shared state of one command invocation: settings, console, database engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from barometre.models import Authority, AuthorityKind
from barometre.pipeline import registry as registry_stage
from barometre.pipeline.core import Setup
from barometre.settings import Settings, load_settings
from barometre.vocab import fr


@dataclass
class AppContext:
    data_dir: Path | None = None
    database_url: str | None = None
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    """Progress and notices go to stderr, so that CSV/JSON on stdout stay clean."""
    _settings: Settings | None = None
    _setup: Setup | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(data_dir=self.data_dir, database_url=self.database_url)
        return self._settings

    @property
    def setup(self) -> Setup:
        """The settings and the database (opened on first use)."""
        if self._setup is None:
            self._setup = Setup.open(self.settings)
        return self._setup

    @property
    def engine(self) -> Engine:
        return self.setup.engine


def import_embedded(context: AppContext) -> int:
    """Load the registry shipped with the package into the database."""
    with context.err.status("Lecture du registre embarqué…"):
        registry = registry_stage.embedded_registry()
    with context.err.status(f"Écriture de {fr.count(len(registry.authorities), 'collectivité')}…"):
        return registry_stage.store_registry(context.setup, registry)


def ensure_registry(context: AppContext) -> None:
    """Import the embedded registry first when the database has none."""
    if not registry_stage.has_registry(context.setup):
        context.err.print("[dim]Base vide : import du registre embarqué.[/dim]")
        import_embedded(context)


def find_authorities(
    context: AppContext,
    codes: Sequence[str],
    kind: AuthorityKind | None = None,
    *,
    single: bool = False,
) -> list[Authority]:
    """The collectivités the user named (``commune:75056``, ``75056``, ``75`` with
    ``--type``), the one way every command reads them: an identifier of INSEE's map that
    now designates another collectivité (``departement:2A``, ``region:94``…) finds it,
    and says so. French errors for an unknown code, and for an ambiguous one when
    ``single``."""

    def said(old: str, new: str) -> None:
        context.err.print(
            f"[dim]{old} désigne désormais {new} (une seule collectivité, "
            "voir registry/data/collectivites.csv).[/dim]",
            highlight=False,
        )

    return registry_stage.find_authorities(
        context.setup, codes, kind, single=single, on_successor=said
    )


def find_authority(context: AppContext, code: str, kind: AuthorityKind | None = None) -> Authority:
    """The one collectivité ``code`` designates (an ambiguous code is an error)."""
    return find_authorities(context, [code], kind, single=True)[0]
