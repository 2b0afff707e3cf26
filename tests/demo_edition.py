"""The demonstration edition of the sample web, built as ``barometre demo`` builds it
(capture without rendering, audit, social stage, scores), for the tests that read it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from barometre.cli.audit_cmd import audit_edition
from barometre.cli.context import AppContext
from barometre.cli.demo import (
    DEMO_EDITION,
    SAMPLE_AS_OF,
    SAMPLE_PERIOD,
    build_previous_edition,
    capture_sample,
    social_sample,
)
from barometre.indicators.series import store_edition
from barometre.methodology import bundled
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.scoring.run import score_edition
from barometre.storage.db import open_database


def build_demo_edition(
    root: Path,
    database: Path,
    *,
    social: bool = True,
    with_dns: bool = False,
    previous: bool = False,
) -> Engine:
    """Build the edition ``demo`` into ``database`` (archives under ``root/warc``); the
    caller disposes of the engine it gets back. ``previous``: first the edition of the
    month before, as ``barometre demo`` does, and the indicators of both."""
    engine = open_database(f"sqlite:///{database}")
    context = AppContext(data_dir=root, console=Console(width=120), err=Console(stderr=True))
    grid = bundled()
    if previous:
        build_previous_edition(context, engine, root / "warc")
    with BackgroundSampleWeb(with_dns=with_dns, slow_drip_limit=3) as web:
        asyncio.run(capture_sample(engine, web, root / "warc"))
        audit_edition(engine, DEMO_EDITION, grid, as_of=SAMPLE_AS_OF)
        if social:
            social_sample(context, engine, web, root / "warc")
    score_edition(engine, DEMO_EDITION, grid, demo=True)
    if previous:
        store_edition(engine, DEMO_EDITION, grid, bundled_catalogue(), SAMPLE_PERIOD)
    return engine
