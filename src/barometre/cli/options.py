"""The options and arguments several commands share, declared once (same flags, same
French help everywhere)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from barometre.models import AuthorityKind

Edition = Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")]
EditionArgument = Annotated[str, typer.Argument(help="Édition AAAA-MM.")]
Methodology = Annotated[
    str, typer.Option("--methodologie", help="Version embarquée ou fichier TOML.")
]

# How every command takes a collectivité (read by find_authorities).
AuthorityCode = Annotated[
    str,
    typer.Argument(help="Code INSEE, SIREN d'EPCI ou identifiant complet (ex. commune:75056)."),
]
AuthorityKindOption = Annotated[
    AuthorityKind | None,
    typer.Option("--type", "-t", help="Type, si le code est ambigu.", case_sensitive=False),
]
AuthorityKinds = Annotated[
    list[AuthorityKind] | None,
    typer.Option("--type", "-t", help="Type de collectivité (répétable).", case_sensitive=False),
]
AuthorityCodes = Annotated[
    list[str] | None,
    typer.Option("--only", help="Codes ou identifiants des collectivités (répétable)."),
]


class Format(StrEnum):
    """What a listing writes: a Rich table, or CSV / JSON on stdout for scripts."""

    table = "table"
    csv = "csv"
    json = "json"
