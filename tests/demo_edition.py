"""The demonstration edition of the sample web, built as ``barometre demo`` builds it
(capture without rendering, audit, social stage, scores), for the tests that read it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from barometre.audit import audit_edition
from barometre.cli.context import AppContext
from barometre.cli.demo import social_sample
from barometre.methodology import bundled
from barometre.pipeline.demo import DEMO_EDITION, SAMPLE_AS_OF, capture_sample
from barometre.pipeline.run import Step, run_stages
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.scoring.run import score_edition
from barometre.storage.db import open_database


def build_demo_edition(
    root: Path, database: Path, *, social: bool = True, with_dns: bool = False
) -> Engine:
    """Build the edition ``demo`` into ``database`` (archives under ``root/warc``); the
    caller disposes of the engine it gets back."""
    engine = open_database(f"sqlite:///{database}")
    context = AppContext(data_dir=root, console=Console(width=120), err=Console(stderr=True))
    grid = bundled()
    with BackgroundSampleWeb(with_dns=with_dns, slow_drip_limit=3) as web:
        steps: dict[str, Step] = {
            "capture": lambda done: asyncio.run(capture_sample(engine, web, root / "warc")),
            "audit": lambda done: audit_edition(engine, DEMO_EDITION, grid, as_of=SAMPLE_AS_OF),
        }
        if social:  # the social stage, then the audit of the social criteria
            steps["social"] = lambda done: social_sample(context, engine, web, root / "warc")
        run_stages(steps)
    run_stages({"score": lambda done: score_edition(engine, DEMO_EDITION, grid, demo=True)})
    return engine
