"""``barometre search``: the search-engine position of each official site, through the
JSON API of a SearXNG instance the user runs (thin wrapper of capture.search)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

import typer

from barometre.capture.search import SearchConfig, search_edition
from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import AppContext, find_authorities
from barometre.errors import ConfigurationError
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.storage import capture_repo, indicator_repo, registry_repo
from barometre.vocab import fr


def search(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
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
    settings = context.settings
    url = searxng or settings.search_searxng_url or ""
    if not url:
        raise ConfigurationError(
            "Aucune instance SearXNG : passez --searxng https://… ou réglez "
            "BAROMETRE_SEARCH_SEARXNG_URL ; sans elle, la position dans les moteurs de "
            "recherche reste « non mesurée »."
        )
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    engine = context.engine
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
    if only:
        items = find_authorities(context, only)
    else:
        members = [m.id for m in indicator_repo.members(engine, edition)]
        if not members:
            raise ConfigurationError(
                f"L'édition {edition} n'a encore aucun résultat : lancez d'abord "
                "« barometre audit » (ou nommez les collectivités avec --only)."
            )
        items = registry_repo.load_authorities(engine, ids=members)
    config = SearchConfig(url, tuple(e for e in engines.split(",") if e))
    fetch = FetchConfig(user_agent=settings.user_agent, per_host_delay=settings.search_delay)
    resolver = GuardedResolver(AddressPolicy.allowing(settings.capture_allow_networks))

    async def go() -> None:
        async with Fetcher(fetch, resolver=resolver) as fetcher:
            report = await search_edition(engine, edition, items, config, fetcher)
        context.console.print(
            f"{fr.count(report.searched, 'collectivité cherchée', 'collectivités cherchées')} : "
            f"{fr.integer(report.first)} en premier résultat, {fr.integer(report.first_page)} "
            "en première page.",
            highlight=False,
        )
        for error in report.errors[:10]:
            context.err.print(f"[yellow]{error}[/yellow]", highlight=False)

    asyncio.run(go())
