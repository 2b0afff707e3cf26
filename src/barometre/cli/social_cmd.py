"""``barometre social``: read the accounts of an edition, import exports, show the figures.

The social stage comes after the audit's discovery (which found the accounts on the
sites) and before scoring: it reads the open platforms, records the closed ones as
presence only, analyses every account, then evaluates the social criteria (D5–D7, K1)
of the collectivités concerned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from barometre.cli.context import AppContext, ensure_registry, find_authorities, find_authority
from barometre.cli.options import AuthorityCode, AuthorityCodes, AuthorityKindOption, Edition
from barometre.display.progress import stage_bar
from barometre.display.social import (
    print_accounts,
    print_coverage,
    print_done,
    print_import,
    print_problems,
    print_targets,
)
from barometre.models import SocialProfile
from barometre.pipeline import audit as audit_stage
from barometre.pipeline import social as social_stage
from barometre.pipeline.core import Setup, check_edition, ensure_edition
from barometre.pipeline.run import Step, run_stages
from barometre.pipeline.social import (
    AccountRef,
    Network,
    SocialConfig,
    SocialReport,
    SocialTarget,
    as_of_moment,
    build_targets,
    social_config,
)

app = typer.Typer(help="Couche sociale : comptes des collectivités, imports, indicateurs.")


def collect(
    context: AppContext,
    engine: Engine,
    edition: str,
    targets: Sequence[SocialTarget],
    *,
    config: SocialConfig,
    as_of: datetime,
    network: Network | None = None,
    replay: bool = False,
    platforms: set[str] | None = None,
    resume: bool = True,
    methodology: str = "",
    warc_root: Path | None = None,
    criteria: bool = True,
) -> SocialReport:
    """Read, analyse and store the accounts, then (``criteria``) evaluate the social
    criteria; without ``criteria``, the caller's next stage does."""
    setup = Setup(context.settings, engine)

    def read(done: Mapping[str, Any]) -> SocialReport:
        total = sum(len(t.accounts) for t in targets)
        with stage_bar("Comptes sociaux", context.err, total=total) as bar:

            def advance(ref: AccountRef, profile: SocialProfile) -> None:
                bar.advance(f"{ref.platform} {profile.handle}")

            report = social_stage.read_accounts(
                setup,
                edition,
                targets,
                config=config,
                as_of=as_of,
                network=network,
                replay=replay,
                platforms=platforms,
                resume=resume,
                warc_root=warc_root,
                on_account=advance,
            )
            bar.update(completed=total)
        print_problems(context.err, report)
        return report

    steps: dict[str, Step] = {"social": read}
    if criteria:
        steps["social_criteria"] = lambda done: social_criteria(
            context, engine, edition, done["social"], as_of=as_of, methodology=methodology
        )
    social: SocialReport = run_stages(steps)["social"]
    return social


def social_criteria(
    context: AppContext,
    engine: Engine,
    edition: str,
    report: SocialReport,
    *,
    as_of: datetime,
    methodology: str = "",
) -> audit_stage.SocialCriteriaReport:
    """The audit of the social criteria (D5–D7, K1) of the accounts just read."""
    with context.err.status("Critères sociaux (D5–D7, K1)…"):
        return audit_stage.social_criteria(
            Setup(context.settings, engine),
            edition,
            audit_stage.methodology(methodology),
            sorted(report.authorities),
            as_of=as_of.date(),
        )


def show_coverage(context: AppContext, engine: Engine, edition: str) -> None:
    """Accounts present, read and by source, per platform (the coverage figure)."""
    print_coverage(context.console, edition, social_stage.coverage(engine, edition))


@app.callback(invoke_without_command=True)
def social_command(
    ctx: typer.Context,
    edition: Edition = "",
    only: AuthorityCodes = None,
    platform: Annotated[
        list[str] | None, typer.Option("--platform", help="Plateformes à lire (répétable).")
    ] = None,
    replay: Annotated[
        bool, typer.Option("--rejouer", help="Reconstruire depuis les archives, hors ligne.")
    ] = False,
    restart: Annotated[
        bool, typer.Option("--recommencer", help="Relire aussi les comptes déjà lus.")
    ] = False,
    as_of: Annotated[
        str, typer.Option("--date", help="Date de référence AAAA-MM-JJ (défaut : maintenant).")
    ] = "",
) -> None:
    """Lire les comptes sociaux de l'édition, les analyser, évaluer D5–D7 et K1."""
    if ctx.invoked_subcommand is not None:
        return
    context: AppContext = ctx.obj
    run_social(
        context,
        edition,
        only=only,
        platforms=set(platform) if platform else None,
        replay=replay,
        resume=not restart,
        as_of=as_of,
    )


def run_social(
    context: AppContext,
    edition: str,
    *,
    only: Sequence[str] | None = None,
    platforms: set[str] | None = None,
    replay: bool = False,
    resume: bool = True,
    as_of: str = "",
    criteria: bool = True,
) -> SocialReport:
    """``barometre social``: read the accounts the audit found; ``criteria``: then
    evaluate the social criteria (``barometre run`` does it as its next stage)."""
    edition = check_edition(edition)
    ensure_registry(context)
    engine = context.engine
    ensure_edition(context.setup, edition)
    targets = build_targets(engine, edition, find_authorities(context, only) if only else None)
    print_targets(context.err, edition, targets)
    if not targets:
        return SocialReport()
    report = collect(
        context,
        engine,
        edition,
        targets,
        config=social_config(context.settings),
        as_of=as_of_moment(as_of, edition),
        replay=replay,
        platforms=platforms,
        resume=resume,
        criteria=criteria,
    )
    print_done(context.console, report)
    show_coverage(context, engine, edition)
    return report


# --- imports -------------------------------------------------------------------------


@app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Fichier exporté (CSV, XLSX) ou chiffres déclarés.")],
    platform: Annotated[
        str,
        typer.Option(
            "--platform",
            help="facebook, instagram, x, linkedin, tiktok, threads… ou « declare » pour "
            "un CSV de chiffres déclarés.",
        ),
    ],
    authority: Annotated[
        str | None, typer.Option("--authority", help="Collectivité (code ou identifiant).")
    ] = None,
    kind: AuthorityKindOption = None,
    handle: Annotated[str | None, typer.Option("--handle", help="Compte (nom ou @nom).")] = None,
    edition: Edition = "",
    lenient: Annotated[
        bool, typer.Option("--non-strict", help="Garder les lignes valides, signaler les autres.")
    ] = False,
) -> None:
    """Importer l'export d'un compte (plateformes fermées) ou un CSV de chiffres déclarés."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    ensure_registry(context)
    ensure_edition(context.setup, edition)
    declared = social_stage.is_declared(platform)
    batch = social_stage.read_import(
        path, platform, authority=authority, handle=handle, strict=not lenient
    )
    for warning in batch.warnings:
        context.err.print(f"[yellow]{warning}[/yellow]", highlight=False)
    owner = None if declared or authority is None else find_authority(context, authority, kind)
    recorded = social_stage.import_batch(
        context.setup,
        edition,
        batch,
        path,
        owner=owner,
        resolve=lambda code, kind: find_authority(context, code, kind),
    ).recorded
    print_import(context.console, batch, edition, declared=declared, recorded=recorded)


# --- show ----------------------------------------------------------------------------


@app.command("show")
def show(
    ctx: typer.Context,
    code: AuthorityCode,
    edition: Edition = "",
    kind: AuthorityKindOption = None,
) -> None:
    """Comptes d'une collectivité, leurs indicateurs et la source de chacun."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    owner = find_authority(context, code, kind)
    accounts = social_stage.accounts_of(context.setup, edition, owner.id)
    print_accounts(context.console, owner.name, edition, accounts)


@app.command("evaluate")
def evaluate(ctx: typer.Context) -> None:
    """Qualité mesurée des classements par thème et par mode (échantillon étiqueté)."""
    context: AppContext = ctx.obj
    reports, skipped = social_stage.evaluate_classifiers()
    if skipped:
        context.err.print(f"[dim]{skipped}[/dim]")
    for report in reports:
        context.console.print(social_stage.format_report(report), markup=False, highlight=False)
