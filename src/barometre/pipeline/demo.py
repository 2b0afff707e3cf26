"""The demonstration on the bundled sample web (offline, on loopback).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import dns.asyncresolver
from sqlalchemy import Engine

from barometre.capture.render import CHROMIUM
from barometre.capture.run import FactsConfig, RunReport, Target, capture_edition
from barometre.errors import SourceError, StorageError
from barometre.indicators.series import store_edition
from barometre.methodology import Methodology
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.models import Authority
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline import audit as audit_stage
from barometre.pipeline import score as score_stage
from barometre.pipeline.core import Setup, open_edition
from barometre.pipeline.run import run_stages
from barometre.pipeline.social import Network, build_targets, read_accounts
from barometre.registry.report import BuildReport
from barometre.registry.sources import user_csv
from barometre.sampleweb import AUTHORITIES_CSV, SampleWeb
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.sampleweb.platforms import ENDPOINTS
from barometre.sampleweb.platforms.meta import VALID_TOKEN as SAMPLE_META_TOKEN
from barometre.sampleweb.platforms.youtube import VALID_KEY as SAMPLE_YOUTUBE_KEY
from barometre.sampleweb.variants import PREVIOUS
from barometre.social.config import SocialConfig
from barometre.storage import capture_repo, registry_repo
from barometre.storage.db import open_database

__all__ = [
    "AGENT",
    "CHROMIUM",
    "DEMO_EDITION",
    "PREVIOUS_AS_OF",
    "PREVIOUS_EDITION",
    "PREVIOUS_PERIOD",
    "SAMPLE_AS_OF",
    "SAMPLE_MOMENT",
    "SAMPLE_PERIOD",
    "BackgroundSampleWeb",
    "SampleCapture",
    "SampleWeb",
    "build_previous_edition",
    "capture_sample",
    "demo_database",
    "fetch_config",
    "only_demo",
    "sample_authorities",
    "sample_network",
    "sample_social_config",
    "store_indicators",
]

# The sample pages are dated around March 2025: freshness is judged on that day.
SAMPLE_AS_OF = date(2025, 3, 20)
# The social stage reads the recorded platforms as of this moment.
SAMPLE_MOMENT = datetime.combine(SAMPLE_AS_OF, time(12), tzinfo=UTC)
DEMO_EDITION = "demo"
SAMPLE_DEPARTEMENT = "99"
AGENT = "BarometreNumeriqueTerritoires"

# --- the previous edition (issue 16: series, changes, progressions) -------------------
# The sample web as it was a month earlier (``sampleweb.variants``): a few sites without
# a link they have now, fewer followers on the platforms. Its indicators are stored as
# the month before the demo edition's, so every change and progression is visible.
PREVIOUS_EDITION = "demo-precedente"
PREVIOUS_AS_OF = date(2025, 2, 20)
SAMPLE_PERIOD, PREVIOUS_PERIOD = "2025-03", "2025-02"


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
    keys = SocialConfig(youtube_key=SAMPLE_YOUTUBE_KEY, meta_token=SAMPLE_META_TOKEN)
    endpoints: dict[str, Any] = dict(ENDPOINTS)  # each one a field of SocialConfig
    return replace(keys, **endpoints)


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


def demo_database(folder: Path) -> Engine:
    """The demonstration's own database, in ``folder``."""
    return open_database(f"sqlite:///{folder / 'barometre.sqlite3'}")


def fresh_demo(folder: Path) -> Engine:
    """An empty ``folder`` (a previous demonstration's is deleted) and its database."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return demo_database(folder)


def use_browser(render: bool | None) -> bool:
    """Whether the demonstration renders the home pages: as asked, else when Chromium is there."""
    return shutil.which(CHROMIUM) is not None if render is None else render


def store_indicators(engine: Engine, edition: str, grid: Methodology, period: str) -> None:
    """Store every indicator of the catalogue for ``edition`` as the month ``period``."""
    store_edition(engine, edition, grid, bundled_catalogue(), period)


def build_previous_edition(setup: Setup, warc_root: Path) -> None:
    """The demonstration's previous edition: the sample web a month earlier, captured,
    audited, read on the platforms, scored, and its indicators stored."""
    engine = setup.engine
    grid = audit_stage.methodology()
    moment = datetime.combine(PREVIOUS_AS_OF, time(12), tzinfo=UTC)
    capture_repo.ensure_edition(
        engine, PREVIOUS_EDITION, "Démonstration, mois précédent (web d'exemple)", demo=True
    )
    with BackgroundSampleWeb(slow_drip_limit=3, variant=PREVIOUS) as web:
        run_stages(
            {
                "capture": lambda done: asyncio.run(
                    capture_sample(engine, web, warc_root, PREVIOUS_EDITION)
                ),
                "audit": lambda done: audit_stage.audit(
                    setup, PREVIOUS_EDITION, grid, as_of=PREVIOUS_AS_OF, create=False
                ),
                "social": lambda done: read_accounts(
                    setup,
                    PREVIOUS_EDITION,
                    build_targets(engine, PREVIOUS_EDITION),
                    config=sample_social_config(),
                    as_of=moment,
                    network=sample_network(web),
                    warc_root=warc_root,
                ),
                "social_criteria": lambda done: audit_stage.social_criteria(
                    setup,
                    PREVIOUS_EDITION,
                    grid,
                    sorted(done["social"].authorities),
                    as_of=PREVIOUS_AS_OF,
                ),
            }
        )
    score_stage.score(setup, open_edition(engine, PREVIOUS_EDITION))
    store_indicators(engine, PREVIOUS_EDITION, grid, PREVIOUS_PERIOD)
