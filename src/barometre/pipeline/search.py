"""The search-engine position of each official site (issue 16), through the JSON API of
a SearXNG instance the user runs: the library side of ``barometre search``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from barometre.capture.search import SearchConfig, SearchReport, search_edition
from barometre.errors import ConfigurationError
from barometre.models import Authority
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.core import Setup, check_edition
from barometre.settings import Settings
from barometre.storage import capture_repo, indicator_repo, registry_repo

__all__ = ["SearchReport", "search", "searxng_url"]


def searxng_url(settings: Settings, given: str) -> str:
    """The SearXNG instance to ask: ``given``, else the settings' (a French error when
    there is none: the position stays « non mesurée »)."""
    url = given or settings.search_searxng_url or ""
    if not url:
        raise ConfigurationError(
            "Aucune instance SearXNG : passez --searxng https://… ou réglez "
            "BAROMETRE_SEARCH_SEARXNG_URL ; sans elle, la position dans les moteurs de "
            "recherche reste « non mesurée »."
        )
    return url


def search(
    setup: Setup,
    edition: str,
    url: str,
    *,
    engines: Sequence[str] = (),
    selection: Sequence[Authority] | None = None,
) -> SearchReport:
    """Search each collectivité's name (the selection, or every one with results in the
    edition) on the instance at ``url``; the findings are stored with their evidence."""
    settings, engine = setup.settings, setup.engine
    edition = check_edition(edition)
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
    if selection is not None:
        items = list(selection)
    else:
        members = [m.id for m in indicator_repo.members(engine, edition)]
        if not members:
            raise ConfigurationError(
                f"L'édition {edition} n'a encore aucun résultat : lancez d'abord "
                "« barometre audit » (ou nommez les collectivités avec --only)."
            )
        items = registry_repo.load_authorities(engine, ids=members)
    config = SearchConfig(url, tuple(engines))
    fetch = FetchConfig(user_agent=settings.user_agent, per_host_delay=settings.search_delay)
    resolver = GuardedResolver(AddressPolicy.allowing(settings.capture_allow_networks))

    async def go() -> SearchReport:
        async with Fetcher(fetch, resolver=resolver) as fetcher:
            return await search_edition(engine, edition, items, config, fetcher)

    return asyncio.run(go())
