"""Search-engine position of the official site, through an optional connector: the JSON
API of a SearXNG instance the user runs (https://docs.searxng.org/dev/search_api.html).

For each collectivité, the query is its name; the instance is asked for the first page
(``GET /search?q=…&format=json&pageno=1``). The official site is **first** when the
first result is on its host (``www.`` aside) and under its path (a site hosted under a
folder of a shared host counts only there); it is **on the first page** when one of the
first ``first_page`` results is. The query, the instance, the engines that answered and
the date are kept as the evidence of a finding of category ``search`` (name:
``premier``, ``premiere_page`` or ``absent``). Without a connector nothing is searched,
and the indicators say « non mesuré ».

The instance must allow the JSON format (``search.formats`` in its settings.yml): a
refusal (HTTP 403) is reported in French, never counted as "absent".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Engine

from barometre.models import Authority, Evidence, FetchOutcome, Finding
from barometre.net.fetcher import Fetcher
from barometre.storage import audit_repo
from barometre.vocab import fr

CATEGORY = "search"
FIRST = "premier"
FIRST_PAGE = "premiere_page"
ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """A SearXNG instance: its address, and optionally the engines and language asked."""

    url: str
    engines: tuple[str, ...] = ()
    language: str = "fr-FR"
    first_page: int = 10


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    authority_id: str
    query: str
    request_url: str
    searched_at: datetime
    position: int | None = None  # 1-based rank of the official site on the first page
    result_url: str | None = None
    engines: tuple[str, ...] = ()
    results: tuple[str, ...] = field(default=())
    error: str | None = None

    @property
    def name(self) -> str | None:
        """``premier``, ``premiere_page`` or ``absent``; ``None`` when not measured."""
        if self.error is not None:
            return None
        if self.position == 1:
            return FIRST
        return FIRST_PAGE if self.position is not None else ABSENT


def search_url(config: SearchConfig, query: str) -> str:
    params = {"q": query, "format": "json", "pageno": "1", "language": config.language}
    if config.engines:
        params["engines"] = ",".join(config.engines)
    return f"{config.url.rstrip('/')}/search?{urlencode(params)}"


def _host_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return host, path


def is_official(result_url: str, official: str) -> bool:
    """A result is the official site when it is on its host and under its path."""
    host, path = _host_path(result_url)
    site_host, site_path = _host_path(official)
    return bool(host) and host == site_host and path.startswith(site_path)


def position_of(results: Sequence[str], official: str, first_page: int = 10) -> int | None:
    """1-based rank of the first result on the official site, among the first page."""
    for rank, url in enumerate(results[:first_page], start=1):
        if is_official(url, official):
            return rank
    return None


def parse_results(body: bytes) -> tuple[list[str], list[str]]:
    """The result URLs, in order, and the engines that gave them, from a SearXNG JSON
    answer; ``ValueError`` (in French) when it is not one."""
    try:
        data: Any = json.loads(body)
    except ValueError as exc:
        raise ValueError("réponse illisible (JSON attendu)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ValueError("réponse sans liste « results »")
    urls: list[str] = []
    engines: list[str] = []
    for item in data["results"]:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            urls.append(item["url"])
            for engine in item.get("engines") or [item.get("engine")]:
                if isinstance(engine, str) and engine not in engines:
                    engines.append(engine)
    return urls, engines


async def search_one(
    fetcher: Fetcher, config: SearchConfig, authority: Authority, authority_id: str
) -> SearchOutcome:
    website = authority.website
    query = authority.name
    url = search_url(config, query)
    now = datetime.now(UTC)
    if website is None:
        return SearchOutcome(authority_id, query, url, now, error="pas de site déclaré")
    result = await fetcher.fetch(url, headers={"Accept": "application/json"})
    if result.outcome is not FetchOutcome.OK or result.status != 200:
        why = (
            "format JSON refusé par l'instance (search.formats dans settings.yml)"
            if result.status == 403
            else f"instance injoignable ou en erreur ({result.status or result.outcome.value})"
        )
        return SearchOutcome(authority_id, query, url, now, error=why)
    try:
        urls, engines = parse_results(result.body)
    except ValueError as exc:
        return SearchOutcome(authority_id, query, url, now, error=str(exc))
    position = position_of(urls, website.url, config.first_page)
    return SearchOutcome(
        authority_id,
        query,
        url,
        now,
        position,
        urls[position - 1] if position else None,
        tuple(engines),
        tuple(urls[: config.first_page]),
    )


def to_finding(outcome: SearchOutcome) -> Finding | None:
    """The finding kept as evidence (``None`` when the search could not be made)."""
    name = outcome.name
    if name is None:
        return None
    where = (
        f"position {outcome.position} sur la première page"
        if outcome.position
        else f"absent de la première page ({fr.count(len(outcome.results), 'résultat')})"
    )
    engines = ", ".join(outcome.engines) or "moteurs de l'instance"
    return Finding(
        CATEGORY,
        name,
        outcome.result_url,
        None,
        Evidence(
            url=outcome.request_url,
            text=outcome.query,
            note=f"SearXNG ({engines}), {fr.day(outcome.searched_at)} : {where}",
        ),
    )


@dataclass
class SearchReport:
    searched: int = 0
    first: int = 0
    first_page: int = 0
    errors: list[str] = field(default_factory=list)


async def search_edition(
    engine: Engine,
    edition: str,
    authorities: Sequence[Authority],
    config: SearchConfig,
    fetcher: Fetcher,
) -> SearchReport:
    """Search every collectivité with a site and keep the findings in ``edition``."""
    report = SearchReport()
    for authority in authorities:
        if authority.website is None:
            continue
        authority_id = authority.id
        outcome = await search_one(fetcher, config, authority, authority_id)
        if outcome.error is not None:
            report.errors.append(f"{authority.name} : {outcome.error}")
            continue
        finding = to_finding(outcome)
        audit_repo.replace_category_findings(
            engine, edition, authority_id, CATEGORY, [finding] if finding else []
        )
        report.searched += 1
        report.first += outcome.position == 1
        report.first_page += outcome.position is not None
    return report
