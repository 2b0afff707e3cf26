"""``barometre social``: read the accounts of an edition, import exports, show the figures.

The social stage comes after the audit's discovery (which found the accounts on the
sites) and before scoring: it reads the open platforms, records the closed ones as
presence only, analyses every account, then evaluates the social criteria (D5–D7, K1)
of the collectivités concerned.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.table import Table
from sqlalchemy import Engine

from barometre.cli.audit_cmd import audit_social, load_methodology
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
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    SocialMetric,
    SocialProfile,
    SocialSource,
)
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.settings import Settings
from barometre.social.analysis.metrics import LABELS, PERCENT_METRICS
from barometre.social.base import AccountRef, Fetched
from barometre.social.config import SocialConfig
from barometre.social.imports import ImportBatch, read_declared, read_export
from barometre.social.run import SocialReport, SocialRun, SocialTarget
from barometre.storage import audit_repo, capture_repo, registry_repo, social_repo
from barometre.vocab import fr
from barometre.vocab.platforms import platform_label
from barometre.vocab.status import label_of

app = typer.Typer(help="Couche sociale : comptes des collectivités, imports, indicateurs.")

DECLARED = ("declare", "declared", "chiffres-declares")


def social_config(settings: Settings, **overrides: Any) -> SocialConfig:
    values: dict[str, Any] = {
        "bluesky_appview": settings.social_bluesky_appview,
        "youtube_web": settings.social_youtube_web,
        "youtube_api": settings.social_youtube_api,
        "youtube_key": settings.social_youtube_key,
        "meta_graph": settings.social_meta_graph,
        "meta_token": settings.social_meta_token,
        "window_days": settings.social_window_days,
    }
    values.update(overrides)
    return SocialConfig(**values)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return (urlsplit(url).hostname or "").lower() or None
    except ValueError:
        return None


def build_targets(
    engine: Engine, edition: str, selection: Sequence[Authority] | None = None
) -> list[SocialTarget]:
    """The collectivités with at least one known account: discovered on their site in
    this edition, or declared in the registry."""
    found = audit_repo.findings_by_authority(engine, edition, ["social", "feed"])
    if selection is not None:
        authorities = list(selection)
    else:
        wanted = set(found) | registry_repo.ids_with_accounts(engine)
        authorities = [a for a in registry_repo.load_authorities(engine) if a.id in wanted]
    known = social_repo.known_ids(engine, edition)
    paths = capture_repo.archive_paths(engine, edition)
    targets: list[SocialTarget] = []
    for authority in authorities:
        site = authority.website.url if authority.website else None
        host = _host(site)
        refs: dict[tuple[str, str], AccountRef] = {}
        items = found.get(authority.id, [])
        for finding in items:
            if finding.category != "social" or not finding.url:
                continue
            key = (finding.name, finding.url.rstrip("/").lower())
            refs.setdefault(
                key,
                AccountRef(
                    authority.id,
                    finding.name,
                    finding.handle or finding.url,
                    finding.url,
                    known_id=known.get((authority.id, finding.name, finding.url)),
                    site_host=host,
                    found_at=finding.evidence.url if finding.evidence else site,
                    ownership=finding.evidence.note if finding.evidence else None,
                ),
            )
        for account in authority.accounts:
            key = (account.platform, account.url.rstrip("/").lower())
            refs.setdefault(
                key,
                AccountRef(
                    authority.id,
                    account.platform,
                    account.handle,
                    account.url,
                    known_id=known.get((authority.id, account.platform, account.url)),
                    site_host=host,
                    found_at=f"registre ({account.source})",
                    ownership=f"déclaré au registre ({account.source})",
                ),
            )
        if not refs:
            continue
        feeds = tuple(dict.fromkeys(f.url for f in items if f.category == "feed" and f.url))
        archive = paths.get(authority.id)
        targets.append(
            SocialTarget(
                authority.id,
                host,
                tuple(refs.values()),
                feeds,
                Path(archive) if archive else None,
            )
        )
    return targets


def _as_of(value: str, edition: str) -> datetime:
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ConfigurationError(f"Date « {value} » invalide : AAAA-MM-JJ attendu.") from exc
        return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return datetime.now(UTC)


@dataclass(frozen=True)
class Network:
    """How the social stage reaches the platforms (the sample web in the demo)."""

    resolver: GuardedResolver | None = None
    ssl_context: ssl.SSLContext | None = None
    fetch_config: FetchConfig | None = None


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
) -> SocialReport:
    """Read, analyse and store the accounts, then evaluate the social criteria."""
    settings = context.settings
    network = network or Network()
    fetch_config = network.fetch_config or FetchConfig(
        user_agent=settings.user_agent,
        per_host_delay=settings.social_per_host_delay,
        total_timeout=settings.capture_timeout,
        max_retry_after=config.max_wait,
    )
    resolver = network.resolver or GuardedResolver(
        AddressPolicy.allowing(settings.capture_allow_networks)
    )
    total = sum(len(t.accounts) for t in targets)
    with stage_progress("Comptes sociaux", context.err) as progress:
        task = progress.add_task("", total=total)

        def advance(ref: AccountRef, profile: SocialProfile) -> None:
            progress.update(task, advance=1, description=f"{ref.platform} {profile.handle}")

        run = SocialRun(
            engine,
            edition,
            config=config,
            warc_root=warc_root or settings.data_dir / "warc",
            as_of=as_of,
            fetch_config=fetch_config,
            resolver=resolver,
            ssl_context=network.ssl_context,
            replay=replay,
            accounts_in_flight=settings.social_accounts_in_flight,
            platforms=platforms,
            on_account=advance,
        )
        report = asyncio.run(run.run(targets, resume=resume and not replay))
        progress.update(task, completed=total)
    for name, reason in sorted(report.disabled.items()):
        context.err.print(f"[yellow]Connecteur {name} désactivé : {reason}[/yellow]")
    for where, error in report.failed:
        context.err.print(f"[red]Échec {where} : {error}[/red]", highlight=False)
    for warning in report.warnings:
        context.err.print(f"[yellow]{warning}[/yellow]", highlight=False)
    with context.err.status("Critères sociaux (D5–D7, K1)…"):
        audit_social(
            engine,
            edition,
            load_methodology(methodology),
            sorted(report.authorities),
            as_of=as_of.date(),
        )
    return report


def print_coverage(context: AppContext, engine: Engine, edition: str) -> None:
    """Accounts present, read and by source, per platform (the coverage figure)."""
    counts = social_repo.state_counts(engine, edition)
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
    shares = social_repo.metric_samples(engine, edition, "pure_republication_share")
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
) -> SocialReport:
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    ensure_registry(context)
    engine = context.engine
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
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
        as_of=_as_of(as_of, edition),
        replay=replay,
        platforms=platforms,
        resume=resume,
    )
    context.console.print(
        f"{fr.count(report.done, 'compte lu ou enregistré', 'comptes lus ou enregistrés')}, "
        f"{fr.integer(report.skipped)} {fr.plural(report.skipped, 'déjà fait', 'déjà faits')}."
    )
    print_coverage(context, engine, edition)
    return report


# --- imports -------------------------------------------------------------------------


def _declared_accounts(
    context: AppContext, batch: ImportBatch
) -> dict[tuple[str, str, str], tuple[SocialProfile, list[SocialMetric]]]:
    """Group the declared figures per (collectivité, platform, account)."""
    grouped: dict[tuple[str, str, str], tuple[SocialProfile, list[SocialMetric]]] = {}
    resolved: dict[tuple[str, str], str] = {}
    for figure in batch.declared:
        key = (figure.kind, figure.code)
        if key not in resolved:
            resolved[key] = find_authority(context, figure.code, AuthorityKind(figure.kind)).id
        authority_id = resolved[key]
        handle = figure.handle.lstrip("@").lower()
        at = datetime.combine(figure.as_of, time(12), tzinfo=UTC)
        group = (authority_id, figure.platform, handle)
        profile, metrics = grouped.get(
            group,
            (
                SocialProfile(
                    figure.platform,
                    handle,
                    figure.handle,
                    figure.url or figure.handle,
                    AccountState.OK,
                    at,
                    SocialSource.DECLARED,
                    reason=figure.note,
                ),
                [],
            ),
        )
        if figure.metric == "followers":
            profile = replace(
                profile,
                followers=int(figure.value),
                followers_exact=figure.exact,
                fetched_at=max(at, profile.fetched_at),
            )
        else:
            metrics.append(
                SocialMetric(
                    figure.platform,
                    handle,
                    figure.metric,
                    figure.value,
                    SocialSource.DECLARED,
                    detail={
                        "date": figure.as_of.isoformat(),
                        "note": figure.note or "",
                        **({} if figure.exact else {"exact": False}),
                    },
                )
            )
        grouped[group] = (profile, metrics)
    return grouped


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
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    ensure_registry(context)
    engine = context.engine
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
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
    run = SocialRun(
        engine,
        edition,
        config=social_config(context.settings),
        warc_root=context.settings.data_dir / "warc",
        as_of=datetime.now(UTC),
        fetch_config=FetchConfig(user_agent=context.settings.user_agent),
        replay=False,
    )
    touched: list[str] = []
    authority_id: str | None = None
    if declared:
        for (owner_id, _platform, _handle), (profile, metrics) in _declared_accounts(
            context, batch
        ).items():
            ref = AccountRef(
                owner_id,
                profile.platform,
                profile.handle,
                profile.url,
                ownership="chiffres déclarés par la collectivité",
            )
            target = SocialTarget(owner_id, None, (ref,))
            run.store(target, ref, Fetched(profile), [], extra=metrics)
            touched.append(owner_id)
    else:
        assert authority is not None
        owner = find_authority(context, authority, kind)
        authority_id = owner.id
        paths = capture_repo.archive_paths(engine, edition)
        feeds = tuple(
            f.url
            for f in audit_repo.load_findings(engine, edition, owner.id)
            if f.category == "feed" and f.url
        )
        archive = paths.get(owner.id)
        host = _host(owner.website.url) if owner.website else None
        target = SocialTarget(owner.id, host, (), feeds, Path(archive) if archive else None)
        news = asyncio.run(run.news(target))
        social_repo.store_followers(engine, edition, batch.followers)
        for profile in batch.profiles:
            ref = AccountRef(
                owner.id,
                profile.platform,
                profile.handle,
                profile.url,
                site_host=host,
                ownership="export du compte importé pour la collectivité",
            )
            posts = tuple(p for p in batch.posts if p.account_id == profile.account_id)
            run.store(
                target, ref, Fetched(profile, posts), news, sponsored=batch.sponsored_post_ids
            )
        touched.append(owner.id)
    recorded = social_repo.record_import(
        engine,
        edition,
        authority_id=authority_id,
        platform=batch.platform,
        source=batch.source,
        format=batch.format,
        path=str(path),
        sha256=batch.sha256,
        report={
            "profils": len(batch.profiles),
            "publications": len(batch.posts),
            "abonnes": len(batch.followers),
            "chiffres": len(batch.declared),
            "avertissements": list(batch.warnings),
        },
    )
    audit_social(engine, edition, load_methodology(""), sorted(set(touched)))
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
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    engine = context.engine
    owner = find_authority(context, code, kind)
    accounts = social_repo.load_accounts(engine, edition, [owner.id], with_posts=False).get(
        owner.id, []
    )
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
    from barometre.social.analysis.evaluation import (
        ModeReport,
        ThemeReport,
        evaluate_modes,
        evaluate_themes,
        format_report,
        load_labelled,
    )
    from barometre.social.analysis.modes import classify_mode
    from barometre.social.analysis.themes import classify_themes, load_themes

    context: AppContext = ctx.obj
    rows = load_labelled(split="test")
    version = load_themes().version
    reports: list[ThemeReport | ModeReport] = [
        evaluate_themes(rows, classify_themes, title=f"lexique {version}, moitié test"),
        evaluate_modes(rows, classify_mode, title=f"lexique {version}, moitié test"),
    ]
    try:
        from barometre.social.analysis.model import train_mode_model

        model = train_mode_model(load_labelled(split="dev"))
    except ConfigurationError as exc:
        context.err.print(f"[dim]{exc}[/dim]")
    else:
        reports.append(
            evaluate_modes(
                rows,
                model.predict,
                title="modèle scikit-learn appris sur la moitié dev, moitié test",
            )
        )
    for report in reports:
        context.console.print(format_report(report), markup=False, highlight=False)
