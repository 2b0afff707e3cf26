"""The demonstration pipeline on the bundled sample web (offline, on loopback).

The sample collectivités (``sampleweb/authorities.csv``, département « 99 ») replace the
registry of a separate demo database; their sites are captured from the sample web with
the same crawler, then audited. Used by ``barometre demo``, the tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dns.asyncresolver
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from barometre.capture.render import CHROMIUM
from barometre.capture.run import FactsConfig, RunReport, Target, capture_edition
from barometre.cli.audit_cmd import audit_edition
from barometre.cli.context import AppContext
from barometre.errors import SourceError
from barometre.methodology import bundled
from barometre.models import Authority
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.registry.report import BuildReport
from barometre.registry.sources import user_csv
from barometre.sampleweb import AUTHORITIES_CSV, SampleWeb
from barometre.storage import audit_repo, capture_repo, registry_repo
from barometre.storage.db import open_database

# The sample pages are dated around March 2025: freshness is judged on that day.
SAMPLE_AS_OF = date(2025, 3, 20)
DEMO_EDITION = "demo"
SAMPLE_DEPARTEMENT = "99"
AGENT = "BarometreNumeriqueTerritoires"


@dataclass(frozen=True)
class SampleCapture:
    authorities: list[Authority]
    report: RunReport


def sample_authorities(path: Path = AUTHORITIES_CSV) -> list[Authority]:
    report = BuildReport()
    items = user_csv.parse(path, report, {}, {SAMPLE_DEPARTEMENT})
    if report.anomalies:
        first = report.anomalies[0]
        raise SourceError(path, first.message, first.line)
    return items


def fetch_config(timeout: float = 2.5) -> FetchConfig:
    return FetchConfig(
        user_agent=f"{AGENT}/demo (+http://127.0.0.1/)",
        connect_timeout=2,
        read_timeout=2,
        total_timeout=timeout,
        max_bytes=4 * 2**20,
        max_raw_bytes=4 * 2**20,
        retries=3,
        backoff=0.05,
        per_host_delay=0.0,
        max_retry_after=2,
        max_crawl_delay=0.2,
    )


async def capture_sample(
    engine: Engine,
    web: SampleWeb,
    warc_root: Path,
    edition: str = DEMO_EDITION,
    *,
    render: bool = False,
    on_site: Callable[[Target, object], None] | None = None,
) -> SampleCapture:
    """Load the sample registry and capture every sample site into ``edition``."""
    authorities = sample_authorities()
    registry_repo.replace_registry(engine, authorities, "web d'exemple (démonstration)", {})
    capture_repo.ensure_edition(engine, edition, "Démonstration (web d'exemple)", demo=True)
    targets = [Target(a.id, a.website.url) for a in authorities if a.website]
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=web.host_map,
        port_map=web.port_map,
        static_only=True,
    )
    facts = None
    if web.dns is not None:
        names = dns.asyncresolver.Resolver(configure=False)
        names.nameservers, names.port = web.dns.nameservers, web.dns.port
        facts = FactsConfig(dns=names, trust=web.client_ssl_context(), timeout=2)
    report = await capture_edition(
        engine,
        edition,
        targets,
        warc_root=warc_root,
        config=fetch_config(),
        resolver=resolver,
        ssl_context=web.client_ssl_context(),
        agent=AGENT,
        facts=facts,
        render=render,
        on_site=on_site,
    )
    return SampleCapture(authorities, report)


def run_demo(context: AppContext, *, render: bool | None = None) -> None:
    """``barometre demo``: sample registry, capture and audit, in ``<data>/demo``."""
    folder = context.settings.data_dir / "demo"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    engine = open_database(f"sqlite:///{folder / 'barometre.sqlite3'}")
    use_browser = shutil.which(CHROMIUM) is not None if render is None else render
    if not use_browser:
        context.err.print(
            "[yellow]Chromium absent : démonstration sans rendu (les critères qui en ont "
            "besoin seront « non mesurables »).[/yellow]"
        )

    async def capture() -> SampleCapture:
        async with SampleWeb(with_dns=True, slow_drip_limit=10) as web:
            with Progress(
                TextColumn("[bold]Capture du web d'exemple"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=context.err,
            ) as progress:
                task = progress.add_task("", total=len(web.sites))
                return await capture_sample(
                    engine,
                    web,
                    folder / "warc",
                    render=use_browser,
                    on_site=lambda target, site: progress.update(task, advance=1),
                )

    sample = asyncio.run(capture())
    grid = bundled()
    with context.err.status("Audit des sites capturés…"):
        audit_edition(engine, DEMO_EDITION, grid, as_of=SAMPLE_AS_OF)
    table = Table(title="Démonstration — web d'exemple (collectivités fictives)")
    table.add_column("Collectivité", no_wrap=True, overflow="ellipsis", max_width=32)
    for label in ("réussi", "partiel", "échec", "non mes.", "n. a."):
        table.add_column(label, justify="right")
    counts: dict[str, Counter[str]] = {}
    for result, _ in audit_repo.load_results(engine, DEMO_EDITION):
        counts.setdefault(result.authority_id, Counter())[result.status.value] += 1
    for authority in sample.authorities:
        c = counts.get(authority.id, Counter())
        applicable = len(grid.criteria) - sum(c.values())
        table.add_row(
            authority.name,
            *(str(c[s]) for s in ("pass", "partial", "fail", "not_measurable")),
            str(c["not_applicable"] + max(0, applicable)),
        )
    context.console.print(table)
    context.console.print(
        f"Édition « {DEMO_EDITION} » (démonstration) : {len(sample.authorities)} collectivités "
        f"fictives. Détail d'un critère : barometre --database-url "
        f"sqlite:///{folder / 'barometre.sqlite3'} explain 99101 P1 -e {DEMO_EDITION}",
        soft_wrap=True,
    )
