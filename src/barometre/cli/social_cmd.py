"""``barometre social``: read the accounts of an edition, import exports, show the figures.

The social stage comes after the audit's discovery (which found the accounts on the
sites) and before scoring: it reads the open platforms, records the closed ones as
presence only, analyses every account, then evaluates the social criteria (D5–D7, K1)
of the collectivités concerned.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import Engine

from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import (
    AppContext,
    AuthorityCode,
    AuthorityCodes,
    AuthorityKindOption,
    ensure_registry,
    find_authorities,
    find_authority,
)
from barometre.cli.render import stage_progress
from barometre.errors import ConfigurationError
from barometre.models import AccountState, SocialProfile, SocialSource
from barometre.pipeline import audit as audit_stage
from barometre.pipeline import social as social_stage
from barometre.pipeline.core import Setup, ensure_edition
from barometre.pipeline.run import Step, run_stages
from barometre.pipeline.social import (
    LABELS,
    PERCENT_METRICS,
    AccountRef,
    Network,
    SocialConfig,
    SocialReport,
    SocialTarget,
    as_of_moment,
    build_targets,
    read_declared,
    read_export,
    social_config,
)
from barometre.vocab import fr
from barometre.vocab.platforms import platform_label
from barometre.vocab.status import label_of

app = typer.Typer(help="Couche sociale : comptes des collectivités, imports, indicateurs.")

DECLARED = ("declare", "declared", "chiffres-declares")


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
        with stage_progress("Comptes sociaux", context.err) as progress:
            task = progress.add_task("", total=total)

            def advance(ref: AccountRef, profile: SocialProfile) -> None:
                progress.update(task, advance=1, description=f"{ref.platform} {profile.handle}")

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
            progress.update(task, completed=total)
        for name, reason in sorted(report.disabled.items()):
            context.err.print(f"[yellow]Connecteur {name} désactivé : {reason}[/yellow]")
        for where, error in report.failed:
            context.err.print(f"[red]Échec {where} : {error}[/red]", highlight=False)
        for warning in report.warnings:
            context.err.print(f"[yellow]{warning}[/yellow]", highlight=False)
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


def print_coverage(context: AppContext, engine: Engine, edition: str) -> None:
    """Accounts present, read and by source, per platform (the coverage figure)."""
    found = social_stage.coverage(engine, edition)
    counts = found.states
    if not counts:
        context.console.print(f"Aucun compte social dans l'édition {edition}.")
        return
    present: Counter[str] = Counter()
    read: Counter[str] = Counter()
    sources: dict[str, Counter[str]] = defaultdict(Counter)
    states: dict[str, Counter[str]] = defaultdict(Counter)
    for _kind, platform, state, source, n in counts:
        present[platform] += n
        states[platform][state] += n
        if state == AccountState.OK.value:
            read[platform] += n
            sources[platform][source] += n
    table = Table(title=f"Couverture des comptes sociaux — édition {edition}")
    for label in ("Plateforme", "Présents", "Lus", "Couverture", "Sources", "Autres états"):
        table.add_column(label, justify="right" if label in ("Présents", "Lus") else "left")
    for platform in sorted(present, key=lambda p: (-present[p], p)):
        table.add_row(
            platform_label(platform),
            fr.integer(present[platform]),
            fr.integer(read[platform]),
            fr.ratio(read[platform], present[platform]),
            ", ".join(
                f"{label_of(SocialSource(s))} {fr.integer(n)}"
                for s, n in sorted(sources[platform].items())
            )
            or "—",
            ", ".join(
                f"{label_of(AccountState(s))} {fr.integer(n)}"
                for s, n in sorted(states[platform].items())
                if s != AccountState.OK.value
            )
            or "—",
        )
    context.console.print(table)
    shares = found.relayed
    if shares:
        posts = sum(n for _, n in shares)
        relayed = sum(v * n for v, n in shares)
        context.console.print(
            f"Publications qui ne font que relayer une actualité du site : "
            f"{fr.ratio(round(relayed), posts)} de "
            f"{fr.count(posts, 'publication lue', 'publications lues')} "
            f"({fr.count(len(shares), 'compte')})."
        )


@app.callback(invoke_without_command=True)
def social_command(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
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
    if not targets:
        context.err.print(
            f"[yellow]Aucun compte social connu dans l'édition {edition} : lancez d'abord "
            "« barometre audit » sur des sites capturés (découverte des comptes), ou "
            "importez des comptes.[/yellow]"
        )
        return SocialReport()
    context.err.print(
        f"Édition {edition} : {fr.count(sum(len(t.accounts) for t in targets), 'compte')} de "
        f"{fr.count(len(targets), 'collectivité')}."
    )
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
    context.console.print(
        f"{fr.count(report.done, 'compte lu ou enregistré', 'comptes lus ou enregistrés')}, "
        f"{fr.integer(report.skipped)} {fr.plural(report.skipped, 'déjà fait', 'déjà faits')}."
    )
    print_coverage(context, engine, edition)
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
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    lenient: Annotated[
        bool, typer.Option("--non-strict", help="Garder les lignes valides, signaler les autres.")
    ] = False,
) -> None:
    """Importer l'export d'un compte (plateformes fermées) ou un CSV de chiffres déclarés."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    ensure_registry(context)
    ensure_edition(context.setup, edition)
    declared = platform.lower() in DECLARED
    if not path.is_file():
        raise ConfigurationError(f"Fichier introuvable : {path}")
    if declared:
        batch = read_declared(path, strict=not lenient)
    else:
        if authority is None:
            raise ConfigurationError(
                "Un export concerne le compte d'une collectivité : précisez --authority CODE."
            )
        batch = read_export(path, platform.lower(), account_handle=handle, strict=not lenient)
    for warning in batch.warnings:
        context.err.print(f"[yellow]{warning}[/yellow]", highlight=False)
    owner = None
    if not declared:
        assert authority is not None
        owner = find_authority(context, authority, kind)
    recorded = social_stage.import_batch(
        context.setup,
        edition,
        batch,
        path,
        owner=owner,
        resolve=lambda code, kind: find_authority(context, code, kind),
    ).recorded
    what = (
        fr.count(len(batch.declared), "chiffre déclaré", "chiffres déclarés")
        if declared
        else f"{fr.count(len(batch.profiles), 'compte')}, "
        f"{fr.count(len(batch.posts), 'publication')}, "
        f"{fr.count(len(batch.followers), 'relevé')} d'abonnés"
    )
    context.console.print(
        f"Import {batch.format} ({label_of(SocialSource(batch.source))}) dans l'édition {edition} : "
        + what
        + ("" if recorded else " (fichier déjà importé dans cette édition : données remplacées)")
        + "."
    )


# --- show ----------------------------------------------------------------------------


def _fmt_metric(name: str, value: float | None) -> str:
    if name in PERCENT_METRICS:
        return fr.percent(value, 1)
    if value is not None and float(value).is_integer():
        return fr.integer(int(value))
    return fr.number(value, 2)


@app.command("show")
def show(
    ctx: typer.Context,
    code: AuthorityCode,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    kind: AuthorityKindOption = None,
) -> None:
    """Comptes d'une collectivité, leurs indicateurs et la source de chacun."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    owner = find_authority(context, code, kind)
    accounts = social_stage.accounts_of(context.setup, edition, owner.id)
    if not accounts:
        context.console.print(f"{owner.name} : aucun compte social dans l'édition {edition}.")
        return
    for account in accounts:
        profile = account.profile
        context.console.print(
            f"[bold]{platform_label(profile.platform)}[/bold] {profile.handle} — {label_of(profile.state)} "
            f"({label_of(profile.source)}) {profile.url}",
            highlight=False,
        )
        if account.ownership:
            context.console.print(
                f"  Compte de la collectivité : {account.ownership}", markup=False
            )
        if profile.reason:
            context.console.print(f"  {profile.reason}", markup=False)
        table = Table(show_header=True, box=None, padding=(0, 2))
        for label in ("Indicateur", "Valeur", "Source", "Échantillon"):
            table.add_column(label)
        for name in LABELS:
            metric = account.metrics.get(name)
            if metric is None:
                continue
            table.add_row(
                LABELS[name],
                _fmt_metric(name, metric.value),
                label_of(metric.source),
                fr.integer(metric.sample) if metric.sample is not None else "",
            )
        if account.metrics:
            context.console.print(table)


@app.command("evaluate")
def evaluate(ctx: typer.Context) -> None:
    """Qualité mesurée des classements par thème et par mode (échantillon étiqueté)."""
    context: AppContext = ctx.obj
    reports, skipped = social_stage.evaluate_classifiers()
    if skipped:
        context.err.print(f"[dim]{skipped}[/dim]")
    for report in reports:
        context.console.print(social_stage.format_report(report), markup=False, highlight=False)
