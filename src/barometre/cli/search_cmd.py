"""``barometre search``: the search-engine position of each official site, through the
JSON API of a SearXNG instance the user runs (thin wrapper of pipeline.search)."""

from __future__ import annotations

from typing import Annotated

import typer

from barometre.cli.context import AppContext, find_authorities
from barometre.cli.options import Edition
from barometre.pipeline import search as search_stage
from barometre.vocab import fr


def search(
    ctx: typer.Context,
    edition: Edition = "",
    searxng: Annotated[
        str,
        typer.Option("--searxng", help="Adresse de votre instance SearXNG (format JSON autorisé)."),
    ] = "",
    engines: Annotated[
        str, typer.Option(help="Moteurs demandés à l'instance, séparés par des virgules.")
    ] = "",
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Seulement ces collectivités.")
    ] = None,
) -> None:
    """Position du site officiel dans un moteur de recherche pour le nom de la
    collectivité (premier résultat, première page), avec la requête, le moteur et la
    date en preuve. Sans instance, l'indicateur reste « non mesuré »."""
    context: AppContext = ctx.obj
    url = search_stage.searxng_url(context.settings, searxng)
    report = search_stage.search(
        context.setup,
        edition,
        url,
        engines=[e for e in engines.split(",") if e],
        selection=find_authorities(context, only) if only else None,
    )
    context.console.print(
        f"{fr.count(report.searched, 'collectivité cherchée', 'collectivités cherchées')} : "
        f"{fr.integer(report.first)} en premier résultat, {fr.integer(report.first_page)} "
        "en première page.",
        highlight=False,
    )
    for error in report.errors[:10]:
        context.err.print(f"[yellow]{error}[/yellow]", highlight=False)
