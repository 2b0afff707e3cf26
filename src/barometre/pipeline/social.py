"""The social stage: read the accounts the audit found (and the registry declares),
analyse them, store them. The social criteria are evaluated afterwards by the audit
(:func:`barometre.pipeline.audit.social_criteria`), on what this stage recorded."""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from barometre.audit import audit_social, load_methodology
from barometre.errors import ConfigurationError
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    SocialAccount,
    SocialMetric,
    SocialProfile,
    SocialSource,
)
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.core import Setup
from barometre.settings import Settings
from barometre.social.analysis.metrics import LABELS, PERCENT_METRICS
from barometre.social.base import AccountRef, Fetched
from barometre.social.config import SocialConfig
from barometre.social.imports import ImportBatch, read_declared, read_export
from barometre.social.run import SocialReport, SocialRun, SocialTarget
from barometre.storage import audit_repo, capture_repo, registry_repo, social_repo

if TYPE_CHECKING:
    from barometre.social.analysis.evaluation import ModeReport, ThemeReport

__all__ = [
    "LABELS",
    "PERCENT_METRICS",
    "AccountRef",
    "ImportBatch",
    "Network",
    "SocialConfig",
    "SocialReport",
    "SocialTarget",
    "as_of_moment",
    "build_targets",
    "evaluate_classifiers",
    "format_report",
    "read_accounts",
    "read_declared",
    "read_export",
    "social_config",
]


def social_config(settings: Settings, **overrides: Any) -> SocialConfig:
    """The connectors' settings: each field of :class:`SocialConfig` from the setting
    ``social_<field>`` when there is one (a new platform's endpoint or key is one field
    there and one setting), else its default."""
    values: dict[str, Any] = {
        f.name: getattr(settings, f"social_{f.name}")
        for f in fields(SocialConfig)
        if hasattr(settings, f"social_{f.name}")
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


def as_of_moment(value: str, edition: str) -> datetime:
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


def read_accounts(
    setup: Setup,
    edition: str,
    targets: Sequence[SocialTarget],
    *,
    config: SocialConfig,
    as_of: datetime,
    network: Network | None = None,
    replay: bool = False,
    platforms: set[str] | None = None,
    resume: bool = True,
    warc_root: Path | None = None,
    on_account: Callable[[AccountRef, SocialProfile], None] | None = None,
) -> SocialReport:
    """Read, analyse and store the accounts of ``targets`` (not the social criteria)."""
    settings = setup.settings
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
    run = SocialRun(
        setup.engine,
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
        on_account=on_account,
    )
    return asyncio.run(run.run(targets, resume=resume and not replay))


def _declared_accounts(
    batch: ImportBatch, resolve: Callable[[str, AuthorityKind], Authority]
) -> dict[tuple[str, str, str], tuple[SocialProfile, list[SocialMetric]]]:
    """Group the declared figures per (collectivité, platform, account)."""
    grouped: dict[tuple[str, str, str], tuple[SocialProfile, list[SocialMetric]]] = {}
    resolved: dict[tuple[str, str], str] = {}
    for figure in batch.declared:
        key = (figure.kind, figure.code)
        if key not in resolved:
            resolved[key] = resolve(figure.code, AuthorityKind(figure.kind)).id
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


@dataclass(frozen=True)
class ImportReport:
    """An imported file: whether it is new in the edition, and whose criteria it touched."""

    recorded: bool
    authorities: tuple[str, ...]


def import_batch(
    setup: Setup,
    edition: str,
    batch: ImportBatch,
    path: Path,
    *,
    owner: Authority | None,
    resolve: Callable[[str, AuthorityKind], Authority],
) -> ImportReport:
    """Store an account's export (``owner``'s) or a file of declared figures (no
    ``owner``: each row names its collectivité, found by ``resolve``), then evaluate
    the social criteria of the collectivités concerned."""
    engine, settings = setup.engine, setup.settings
    run = SocialRun(
        engine,
        edition,
        config=social_config(settings),
        warc_root=settings.data_dir / "warc",
        as_of=datetime.now(UTC),
        fetch_config=FetchConfig(user_agent=settings.user_agent),
        replay=False,
    )
    touched: list[str] = []
    authority_id: str | None = None
    if owner is None:
        for (owner_id, _platform, _handle), (profile, metrics) in _declared_accounts(
            batch, resolve
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
        run.compare_accounts(owner.id)  # the imported posts against its other accounts
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
    return ImportReport(recorded, tuple(sorted(set(touched))))


@dataclass(frozen=True)
class PlatformCoverage:
    """The accounts of one platform: present, read, by source (of the read ones) and by state."""

    platform: str
    present: int
    read: int
    sources: dict[str, int]
    states: dict[str, int]


@dataclass(frozen=True)
class Coverage:
    """The accounts of an edition per (kind, platform, state, source), and the samples
    of the share of posts that only relay the site's news."""

    states: tuple[tuple[str, str, str, str, int], ...]
    relayed: tuple[tuple[float, int], ...]

    def platforms(self) -> list[PlatformCoverage]:
        """Per platform, the most present first."""
        present: Counter[str] = Counter()
        read: Counter[str] = Counter()
        sources: dict[str, Counter[str]] = defaultdict(Counter)
        states: dict[str, Counter[str]] = defaultdict(Counter)
        for _kind, platform, state, source, n in self.states:
            present[platform] += n
            states[platform][state] += n
            if state == AccountState.OK.value:
                read[platform] += n
                sources[platform][source] += n
        return [
            PlatformCoverage(
                p,
                present[p],
                read[p],
                dict(sorted(sources[p].items())),
                dict(sorted(states[p].items())),
            )
            for p in sorted(present, key=lambda p: (-present[p], p))
        ]

    def relay(self) -> tuple[int, int] | None:
        """(posts that only relay the site's news, posts read), over the accounts sampled."""
        if not self.relayed:
            return None
        posts = sum(n for _, n in self.relayed)
        return round(sum(v * n for v, n in self.relayed)), posts


def coverage(engine: Engine, edition: str) -> Coverage:
    return Coverage(
        tuple(social_repo.state_counts(engine, edition)),
        tuple(social_repo.metric_samples(engine, edition, "pure_republication_share")),
    )


DECLARED = ("declare", "declared", "chiffres-declares")


def is_declared(platform: str) -> bool:
    """Whether ``--platform`` names a CSV of declared figures rather than a platform."""
    return platform.lower() in DECLARED


def read_import(
    path: Path, platform: str, *, authority: str | None, handle: str | None, strict: bool
) -> ImportBatch:
    """The rows of an account's export, or of a CSV of declared figures (French errors
    for a missing file, and for an export whose collectivité is not named)."""
    if not path.is_file():
        raise ConfigurationError(f"Fichier introuvable : {path}")
    if is_declared(platform):
        return read_declared(path, strict=strict)
    if authority is None:
        raise ConfigurationError(
            "Un export concerne le compte d'une collectivité : précisez --authority CODE."
        )
    return read_export(path, platform.lower(), account_handle=handle, strict=strict)


def accounts_of(setup: Setup, edition: str, authority_id: str) -> list[SocialAccount]:
    """One collectivité's accounts in the edition, with their metrics (no posts)."""
    return social_repo.load_accounts(setup.engine, edition, [authority_id], with_posts=False).get(
        authority_id, []
    )


def has_social(setup: Setup, edition: str) -> bool:
    """Whether the edition already holds accounts read by the social stage."""
    return social_repo.has_social(setup.engine, edition)


def format_report(report: ThemeReport | ModeReport) -> str:
    from barometre.social.analysis.evaluation import format_report as format_evaluation

    return format_evaluation(report)


def evaluate_classifiers() -> tuple[list[ThemeReport | ModeReport], str | None]:
    """The measured quality of the theme and mode classifiers on the labelled sample's
    test half (the model learnt on the dev half when scikit-learn is there; otherwise
    the reason it is left out)."""
    from barometre.social.analysis.evaluation import (
        evaluate_modes,
        evaluate_themes,
        load_labelled,
    )
    from barometre.social.analysis.modes import classify_mode
    from barometre.social.analysis.themes import classify_themes, load_themes

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
        return reports, str(exc)
    reports.append(
        evaluate_modes(
            rows,
            model.predict,
            title="modèle scikit-learn appris sur la moitié dev, moitié test",
        )
    )
    return reports, None
