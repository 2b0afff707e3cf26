"""Shared state of one command invocation: settings, console, database engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from barometre.models import Authority, AuthorityKind
from barometre.registry import read_bundle
from barometre.registry.collectivites import successors
from barometre.settings import Settings, load_settings
from barometre.storage import registry_repo
from barometre.storage.db import open_database
from barometre.vocab import fr
from barometre.vocab.authorities import parse_references

# How every command takes a collectivité (read by find_authorities).
AuthorityCode = Annotated[
    str,
    typer.Argument(help="Code INSEE, SIREN d'EPCI ou identifiant complet (ex. commune:75056)."),
]
AuthorityKindOption = Annotated[
    AuthorityKind | None,
    typer.Option("--type", "-t", help="Type, si le code est ambigu.", case_sensitive=False),
]
AuthorityCodes = Annotated[
    list[str] | None,
    typer.Option("--only", help="Codes ou identifiants des collectivités (répétable)."),
]


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
    with context.err.status(f"Écriture de {fr.count(len(registry.authorities), 'collectivité')}…"):
        return registry_repo.replace_registry(
            context.engine, registry.authorities, "registre embarqué", registry.report.as_dict()
        )


def ensure_registry(context: AppContext) -> None:
    """Import the embedded registry first when the database has none."""
    if registry_repo.last_import(context.engine) is None:
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
    refs = parse_references(codes, kind)
    table = successors()
    for ref in refs:
        for old, new in ref.successors(table):
            context.err.print(
                f"[dim]{old} désigne désormais {new} (une seule collectivité, "
                "voir registry/data/collectivites.csv).[/dim]",
                highlight=False,
            )
    return registry_repo.find_authorities(context.engine, refs, table, single=single)


def find_authority(context: AppContext, code: str, kind: AuthorityKind | None = None) -> Authority:
    """The one collectivité ``code`` designates (an ambiguous code is an error)."""
    return find_authorities(context, [code], kind, single=True)[0]
