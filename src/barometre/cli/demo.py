"""The demonstration pipeline on the bundled sample web (offline, on loopback).

The sample collectivités (``sampleweb/authorities.csv``, département « 99 ») replace the
registry of a separate demo database; their sites are captured from the sample web with
the same crawler, then audited. Used by ``barometre demo``, the tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import dns.asyncresolver
from rich.table import Table
from sqlalchemy import Engine

from barometre.capture.render import CHROMIUM
from barometre.capture.run import FactsConfig, RunReport, Target, capture_edition
from barometre.cli.audit_cmd import audit_edition
from barometre.cli.context import AppContext
from barometre.cli.export_cmd import run_export
from barometre.cli.publish_cmd import print_how_to_open, run_publish, serve_folder
from barometre.cli.render import stage_progress
from barometre.cli.social_cmd import Network, build_targets, collect, print_coverage
from barometre.errors import SourceError, StorageError
from barometre.methodology import bundled
from barometre.models import Authority
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.publish.exports import FORMATS, parquet_available
from barometre.registry.report import BuildReport
from barometre.registry.sources import user_csv
from barometre.sampleweb import AUTHORITIES_CSV, SampleWeb
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.sampleweb.platforms import ENDPOINTS
from barometre.sampleweb.platforms.meta import VALID_TOKEN as SAMPLE_META_TOKEN
from barometre.sampleweb.platforms.youtube import VALID_KEY as SAMPLE_YOUTUBE_KEY
from barometre.scoring.run import score_edition
from barometre.social.config import SocialConfig
from barometre.storage import capture_repo, registry_repo, score_repo
from barometre.storage.db import open_database
from barometre.vocab import fr

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


def sample_social_config() -> SocialConfig:
    """The connectors pointed at the sample web's recorded platforms, with the test key
    and token those recordings accept (so the demonstration shows every figure)."""
    return SocialConfig(
        bluesky_appview=ENDPOINTS["bluesky_appview"],
        youtube_web=ENDPOINTS["youtube_web"],
        youtube_api=ENDPOINTS["youtube_api"],
        meta_graph=ENDPOINTS["meta_graph"],
        youtube_key=SAMPLE_YOUTUBE_KEY,
        meta_token=SAMPLE_META_TOKEN,
    )


def sample_network(web: SampleWeb) -> Network:
    return Network(
        resolver=GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
            static_only=True,
        ),
        ssl_context=web.client_ssl_context(),
        fetch_config=fetch_config(),
    )


def social_sample(context: AppContext, engine: Engine, web: SampleWeb, warc_root: Path) -> None:
    """The social stage on the demo edition, against the recorded platforms."""
    targets = build_targets(engine, DEMO_EDITION)
    collect(
        context,
        engine,
        DEMO_EDITION,
        targets,
        config=sample_social_config(),
        as_of=datetime.combine(SAMPLE_AS_OF, time(12), tzinfo=UTC),
        network=sample_network(web),
        warc_root=warc_root,
    )


@contextmanager
def only_demo(folder: Path) -> Iterator[None]:
    """One demonstration per data folder at a time: the next one would delete the
    database and the archives this one is writing (a lock on ``<folder>.lock``)."""
    lock = folder.with_name(folder.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "un autre processus"
            raise StorageError(
                f"Une autre démonstration utilise déjà {folder} ({holder}) : attendez "
                "qu'elle se termine, ou arrêtez son aperçu, puis relancez."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"processus {os.getpid()} sur {socket.gethostname()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_demo(
    context: AppContext,
    *,
    render: bool | None = None,
    serve: bool = True,
    port: int = 8000,
) -> Path:
    """``barometre demo``: sample registry, capture, audit, social, scores, exports and
    the published site, offline, in ``<data>/demo``; then a preview on loopback."""
    with only_demo(context.settings.data_dir / "demo"):
        return _run_demo(context, render=render, serve=serve, port=port)


def _run_demo(context: AppContext, *, render: bool | None, serve: bool, port: int) -> Path:
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
    grid = bundled()
    with BackgroundSampleWeb(with_dns=True, slow_drip_limit=10) as web:
        with stage_progress("Capture du web d'exemple", context.err, detail=False) as progress:
            task = progress.add_task("", total=len(web.sites))
            sample = asyncio.run(
                capture_sample(
                    engine,
                    web,
                    folder / "warc",
                    render=use_browser,
                    on_site=lambda target, site: progress.update(task, advance=1),
                )
            )
        with context.err.status("Audit des sites capturés…"):
            audit_edition(engine, DEMO_EDITION, grid, as_of=SAMPLE_AS_OF)
        social_sample(context, engine, web, folder / "warc")
    report = score_edition(engine, DEMO_EDITION, grid, demo=True)
    print_summary(context, engine, sample.authorities)
    print_coverage(context, engine, DEMO_EDITION)
    formats = tuple(f for f in FORMATS if f != "parquet" or parquet_available())
    run_export(context, DEMO_EDITION, formats, folder / "exports", engine=engine)
    site = folder / "site"
    run_publish(context, DEMO_EDITION, site, engine=engine, extra={"exports": folder / "exports"})
    graded = sum(1 for s in score_repo.load_scores(engine, DEMO_EDITION, scope="global") if s.grade)
    context.console.print(
        f"Édition « {DEMO_EDITION} » (démonstration) : "
        f"{fr.count(len(sample.authorities), 'collectivité fictive', 'collectivités fictives')}, "
        f"{fr.count(report.scored, 'mesurée', 'mesurées')}, "
        f"{fr.count(graded, 'notée', 'notées')}. Détail d'un critère : barometre "
        f"--database-url sqlite:///{folder / 'barometre.sqlite3'} explain 99101 P1 "
        f"-e {DEMO_EDITION}",
        soft_wrap=True,
        highlight=False,
    )
    print_how_to_open(context, site)
    if serve:
        serve_folder(context, site, "127.0.0.1", port)
    return site


def print_summary(context: AppContext, engine: Engine, authorities: list[Authority]) -> None:
    table = Table(title="Démonstration — web d'exemple (collectivités fictives)")
    table.add_column("Collectivité", no_wrap=True, overflow="ellipsis", max_width=30)
    for label in ("score", "couv.", "note", "rang", "mesurés", "non mes."):
        table.add_column(label, justify="right", no_wrap=True)
    counts: dict[str, Counter[str]] = {}
    for authority_id, rows in score_repo.iter_results(engine, DEMO_EDITION):
        counts[authority_id] = Counter(status.value for _, status, _ in rows)
    scores = {
        r.authority_id: r for r in score_repo.load_scores(engine, DEMO_EDITION, scope="global")
    }
    for authority in authorities:
        c = counts.get(authority.id, Counter())
        row = scores.get(authority.id)
        table.add_row(
            authority.name,
            fr.score(row.value if row is not None else None),
            fr.percent(row.coverage if row is not None else None),
            (row.grade or "—") if row else "—",
            str(row.rank) if row and row.rank else "—",
            str(c["pass"] + c["partial"] + c["fail"]),
            str(c["not_measurable"]),
        )
    context.console.print(table)
