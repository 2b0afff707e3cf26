"""``barometre demo``: the pipeline on the bundled sample web (offline, on loopback).

The sample collectivités replace the registry of a separate demo database; their sites
are captured from the sample web with the same crawler, then every stage runs in the
order of :mod:`barometre.pipeline.run` (library side: :mod:`barometre.pipeline.demo`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from barometre.cli.context import AppContext
from barometre.cli.export_cmd import run_export
from barometre.cli.publish_cmd import run_publish, serve_folder
from barometre.cli.social_cmd import collect, show_coverage, social_criteria
from barometre.display.demo import print_demo, print_summary
from barometre.display.progress import stage_bar
from barometre.display.publish import print_how_to_open
from barometre.pipeline import audit as audit_stage
from barometre.pipeline import score as score_stage
from barometre.pipeline.core import LoadedOnce, Setup
from barometre.pipeline.demo import (
    DEMO_EDITION,
    SAMPLE_AS_OF,
    SAMPLE_MOMENT,
    SAMPLE_PERIOD,
    BackgroundSampleWeb,
    SampleCapture,
    SampleWeb,
    build_previous_edition,
    capture_sample,
    fresh_demo,
    only_demo,
    sample_network,
    sample_social_config,
    store_indicators,
    use_browser,
)
from barometre.pipeline.export import available_formats
from barometre.pipeline.run import run_stages
from barometre.pipeline.social import SocialReport, build_targets


def social_sample(
    context: AppContext, engine: Engine, web: SampleWeb, warc_root: Path, *, criteria: bool = True
) -> SocialReport:
    """The social stage on the demo edition, against the recorded platforms."""
    targets = build_targets(engine, DEMO_EDITION)
    return collect(
        context,
        engine,
        DEMO_EDITION,
        targets,
        config=sample_social_config(),
        as_of=SAMPLE_MOMENT,
        network=sample_network(web),
        warc_root=warc_root,
        criteria=criteria,
    )


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
    engine = fresh_demo(folder)
    setup = Setup(context.settings, engine)
    render = use_browser(render)
    if not render:
        context.err.print(
            "[yellow]Chromium absent : démonstration sans rendu (les critères qui en ont "
            "besoin seront « non mesurables »).[/yellow]"
        )
    grid = audit_stage.methodology()
    with context.err.status("Édition précédente (le web d'exemple un mois plus tôt)…"):
        build_previous_edition(setup, folder / "warc")
    site = folder / "site"
    loaded = LoadedOnce(engine, DEMO_EDITION)  # after the audit
    with ExitStack() as sample_web:
        web = sample_web.enter_context(BackgroundSampleWeb(with_dns=True, slow_drip_limit=10))

        def capture(done: Mapping[str, Any]) -> SampleCapture:
            label = "Capture du web d'exemple"
            with stage_bar(label, context.err, total=len(web.sites), detail=False) as bar:
                return asyncio.run(
                    capture_sample(
                        engine,
                        web,
                        folder / "warc",
                        render=render,
                        on_site=lambda target, site: bar.advance(),
                    )
                )

        def audit(done: Mapping[str, Any]) -> audit_stage.SiteAuditReport:
            with context.err.status("Audit des sites capturés…"):
                return audit_stage.audit(
                    setup, DEMO_EDITION, grid, as_of=SAMPLE_AS_OF, create=False
                )

        def score(done: Mapping[str, Any]) -> score_stage.ScoreReport:
            sample_web.close()  # the sample web is no longer needed
            report = score_stage.score(setup, loaded())
            store_indicators(engine, DEMO_EDITION, grid, SAMPLE_PERIOD)
            print_summary(
                context.console,
                done["capture"].authorities,
                {r.authority_id: r for r in score_stage.global_scores(engine, DEMO_EDITION)},
                score_stage.status_counts(engine, DEMO_EDITION),
            )
            show_coverage(context, engine, DEMO_EDITION)
            return report

        done = run_stages(
            {
                "capture": capture,
                "audit": audit,
                "social": lambda done: social_sample(
                    context, engine, web, folder / "warc", criteria=False
                ),
                "social_criteria": lambda done: social_criteria(
                    context, engine, DEMO_EDITION, done["social"], as_of=SAMPLE_MOMENT
                ),
                "score": score,
                "export": lambda done: run_export(
                    context,
                    DEMO_EDITION,
                    available_formats(),
                    folder / "exports",
                    engine=engine,
                    loaded=loaded(),
                ),
                "publish": lambda done: run_publish(
                    context,
                    DEMO_EDITION,
                    site,
                    engine=engine,
                    extra={"exports": folder / "exports"},
                    loaded=loaded(),
                ),
            }
        )
    sample: SampleCapture = done["capture"]
    report: score_stage.ScoreReport = done["score"]
    print_demo(context.console, DEMO_EDITION, len(sample.authorities), report, folder)
    print_how_to_open(context.console, site)
    if serve:
        serve_folder(context, site, "127.0.0.1", port)
    return site
