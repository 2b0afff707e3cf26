"""The social stage of an edition: read every account, analyse it, store it, resumable.

For each collectivité: its accounts (discovered on its site, declared in the registry)
and its site's news feeds. Each account is read by its platform's connector (open
platforms) or recorded as presence only (closed platforms, unless an import already
gave its figures), its exchanges archived in one WARC file per account and edition
(``<warc_root>/<edition>/social/<platform>/<key>.warc.gz``, written under a partial
name of its writer, :mod:`barometre.files`, and renamed when complete), then analysed (metrics, re-publication of the site's news,
themes and modes) and written in one transaction. A run that stops resumes after the
last account written; ``replay`` rebuilds every record from the archives, offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from barometre import files
from barometre.models import (
    AccountState,
    FollowerCount,
    NewsItem,
    SocialMetric,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.net.fetcher import Exchange, FetchConfig, Fetcher
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder
from barometre.social.analysis import crosspost
from barometre.social.analysis import metrics as metrics_mod
from barometre.social.analysis.republication import Match, Params, Summary, analyse
from barometre.social.base import AccountRef, Fetched, failed_profile, read_account
from barometre.social.config import SocialConfig
from barometre.social.connectors import CONNECTORS, ENTRIES, OPEN_WITHOUT_CONNECTOR
from barometre.social.errors import ConnectorError
from barometre.social.http import SocialHttp, redact_exchange
from barometre.social.links import expand
from barometre.social.metaads.client import MetaAdLibrary
from barometre.social.metaads.types import AdsSummary
from barometre.social.metaads.urls import page_id_from_url
from barometre.social.rss.client import SiteFeedReader
from barometre.storage import social_repo

log = logging.getLogger(__name__)

CLOSED_REASON = (
    "Plateforme sans accès public ouvert : présence seulement (les chiffres viennent des "
    "exports importés par la collectivité ou de chiffres déclarés)."
)
NO_CONNECTOR = "Pas encore de connecteur pour cette plateforme : présence seulement."
_recorder: ContextVar[WarcRecorder | None] = ContextVar("social_recorder", default=None)


@dataclass(frozen=True)
class SocialTarget:
    """One collectivité for the social stage."""

    authority_id: str
    site_host: str | None
    accounts: tuple[AccountRef, ...]
    feeds: tuple[str, ...] = ()
    site_archive: Path | None = None  # the capture's WARC, which holds the feeds


@dataclass
class SocialReport:
    accounts: int = 0
    done: int = 0
    skipped: int = 0
    states: Counter[tuple[str, str]] = field(default_factory=Counter)  # (platform, state)
    disabled: dict[str, str] = field(default_factory=dict)  # connector → reason, said once
    failed: list[tuple[str, str]] = field(default_factory=list)
    authorities: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)  # French, each said once


def account_key(platform: str, url: str) -> str:
    return hashlib.sha1(f"{platform}|{url}".encode(), usedforsecurity=False).hexdigest()[:20]


def warc_path(root: Path, edition: str, platform: str, url: str) -> Path:
    return root / edition / "social" / platform / f"{account_key(platform, url)}.warc.gz"


def feeds_path(root: Path, edition: str, authority_id: str) -> Path:
    safe = authority_id.replace(":", "_")
    return root / edition / "social" / "feeds" / f"{safe}.warc.gz"


def _record(exchange: Exchange) -> None:
    recorder = _recorder.get()
    if recorder is not None:
        recorder.record(exchange)


@dataclass
class _Shared:
    """What several collectivités' accounts share within one run."""

    results: dict[tuple[str, str], tuple[Fetched, Mapping[str, str], AdsSummary | None]] = field(
        default_factory=dict
    )
    locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)


class SocialRun:
    def __init__(
        self,
        engine: Engine,
        edition: str,
        *,
        config: SocialConfig,
        warc_root: Path,
        as_of: datetime,
        fetch_config: FetchConfig | None = None,
        resolver: GuardedResolver | None = None,
        ssl_context: Any = None,
        replay: bool = False,
        accounts_in_flight: int = 8,
        platforms: set[str] | None = None,
        on_account: Callable[[AccountRef, SocialProfile], None] | None = None,
        republication: Params | None = None,
        copies: crosspost.CopyParams | None = None,
    ) -> None:
        self.engine = engine
        self.edition = edition
        self.config = config
        self.warc_root = warc_root
        self.as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        self.since = self.as_of - timedelta(days=config.window_days)
        self.fetch_config = fetch_config
        self.resolver = resolver
        self.ssl_context = ssl_context
        self.replay = replay
        self.accounts_in_flight = accounts_in_flight
        self.platforms = platforms
        self.on_account = on_account
        self.params = republication or Params()
        self.copy_params = copies or crosspost.CopyParams()
        self.report = SocialReport()
        self._shared = _Shared()
        self._several: set[str] = set()  # collectivités with two accounts or more
        self._fetcher: Fetcher | None = None
        self._secrets = tuple(s for s in (config.youtube_key, config.meta_token) if s)

    # -- HTTP ------------------------------------------------------------------------

    def _http(self, archive: Path | None = None) -> SocialHttp:
        if self.replay:
            if archive is None or not archive.exists():
                raise ConnectorError(
                    f"Archive absente pour le rejeu : {archive}" if archive else "Rien à rejouer."
                )
            assert self.fetch_config is not None
            return SocialHttp(
                Replay(archive, self.fetch_config), secrets=self._secrets, replay=True
            )
        assert self._fetcher is not None
        return SocialHttp(self._fetcher, secrets=self._secrets, max_wait=self.config.max_wait)

    def _recorder_for(self, path: Path) -> WarcRecorder:
        """A recorder writing under this writer's own partial name: two processes reading
        the same account (two collectivités sharing it, on two workers) never write into
        each other's file, and the last complete archive replaces the other whole."""
        return WarcRecorder(files.partial_path(path), software="barometre social")

    # -- one collectivité --------------------------------------------------------------

    async def news(self, target: SocialTarget) -> list[NewsItem]:
        """The site's news items, from the capture's archive when it holds the feeds."""
        if not target.feeds:
            return []
        items: dict[str, NewsItem] = {}
        sources: list[tuple[SocialHttp, WarcRecorder | None]] = []
        recorder: WarcRecorder | None = None
        if target.site_archive is not None and target.site_archive.exists():
            assert self.fetch_config is not None
            sources.append(
                (SocialHttp(Replay(target.site_archive, self.fetch_config), replay=True), None)
            )
        elif self.replay:
            path = feeds_path(self.warc_root, self.edition, target.authority_id)
            if path.exists():
                sources.append((self._http(path), None))
        elif self._fetcher is not None:
            path = feeds_path(self.warc_root, self.edition, target.authority_id)
            recorder = self._recorder_for(path)
            sources.append((self._http(), recorder))
        for http, rec in sources:
            token = _recorder.set(rec)
            try:
                reader = SiteFeedReader(http)
                for url in target.feeds:
                    try:
                        feed = await reader.read_feed(url)
                    except ConnectorError as exc:
                        log.info("flux %s illisible : %s", url, exc)
                        continue
                    for item in feed.items:
                        items.setdefault(item.url, item)
                    note = feed.note()
                    if note is not None and note not in self.report.warnings:
                        log.warning("%s", note)
                        self.report.warnings.append(note)
            finally:
                _recorder.reset(token)
        if recorder is not None:
            recorder.close()
            path = feeds_path(self.warc_root, self.edition, target.authority_id)
            recorder.path.replace(path)
        return list(items.values())

    async def _read(self, ref: AccountRef) -> tuple[Fetched, Mapping[str, str], AdsSummary | None]:
        """Profile and posts of one account, its expanded links and its ads."""
        factory = CONNECTORS.get(ref.platform)
        path = warc_path(self.warc_root, self.edition, ref.platform, ref.url)
        recorder = None if self.replay else self._recorder_for(path)
        token = _recorder.set(recorder)
        try:
            ads: AdsSummary | None = None
            expanded: Mapping[str, str] = {}
            if factory is None:
                reason = NO_CONNECTOR if ref.platform in OPEN_WITHOUT_CONNECTOR else CLOSED_REASON
                fetched = Fetched(
                    failed_profile(ref, AccountState.CLOSED, reason, SocialSource.API)
                )
            else:
                try:
                    http = self._http(path)
                except ConnectorError as exc:
                    return (
                        Fetched(
                            failed_profile(ref, AccountState.ERROR, str(exc), SocialSource.API)
                        ),
                        {},
                        None,
                    )
                connector = factory(http, self.config)
                disabled = connector.disabled_reason()
                if disabled is not None:
                    self.report.disabled.setdefault(ref.platform, disabled)
                fetched = await read_account(connector, ref, self.since)
                links = sorted({link for post in fetched.posts for link in post.links})
                if links:
                    expanded = await expand(http, links)
            if ref.platform == "facebook":
                ads = await self._ads(ref, path)
            return fetched, expanded, ads
        finally:
            _recorder.reset(token)
            if recorder is not None:
                recorder.close()
                recorder.path.replace(path)

    async def _ads(self, ref: AccountRef, path: Path) -> AdsSummary | None:
        library = MetaAdLibrary(self._http(path), self.config)
        reason = library.disabled_reason()
        if reason is not None:
            self.report.disabled.setdefault("meta_ads", reason)
            return None
        page_id = page_id_from_url(ref.url) or (
            ref.known_id if (ref.known_id or "").isdigit() else None
        )
        if page_id is None:
            return None
        try:
            return AdsSummary.of(await library.ads(page_id, self.since))
        except ConnectorError as exc:
            log.info("bibliothèque publicitaire : %s", exc)
            return None

    def _analyse(
        self,
        target: SocialTarget,
        profile: SocialProfile,
        posts: Sequence[SocialPost],
        news: Sequence[NewsItem],
        expanded: Mapping[str, str],
        ads: AdsSummary | None,
        complete: bool,
    ) -> tuple[list[SocialMetric], dict[str, dict[str, Any]]]:
        from barometre.social.analysis.themes import classify_post

        matches: dict[str, Match] = {}
        summary: Summary | None = None
        if posts and news:
            matches, summary = analyse(
                posts,
                news,
                target.site_host,
                expanded=expanded,
                params=self.params,
                since=self.since,
            )
        elif posts:
            matches, summary = analyse(
                posts, [], target.site_host, expanded=expanded, params=self.params
            )
        labels: dict[str, dict[str, Any]] = {}
        for post in posts:
            labels[post.post_id] = classify_post(post).as_dict()
        history = social_repo.follower_history(
            self.engine, profile.platform, profile.account_id, until=profile.fetched_at.date()
        )
        if profile.followers is not None:
            history = [h for h in history if h.observed_on != profile.fetched_at.date()] + [
                FollowerCount(
                    profile.platform,
                    profile.account_id,
                    profile.fetched_at.date(),
                    profile.followers,
                    profile.source,
                    profile.followers_exact,
                )
            ]
        window = metrics_mod.Window.ending(self.as_of, self.config.window_days)
        values = metrics_mod.account_metrics(
            profile,
            posts,
            window,
            history=history,
            matches=matches if posts else None,
            republication=summary if news else None,
            labels=labels,
            ads=ads,
            complete=complete,
        )
        analysis: dict[str, dict[str, Any]] = {}
        for post in posts:
            data: dict[str, Any] = dict(labels.get(post.post_id, {}))
            match = matches.get(post.post_id)
            if match is not None:
                data["republication"] = match.as_json()
            analysis[post.post_id] = data
        return values, analysis

    async def _account(self, target: SocialTarget, ref: AccountRef, news: list[NewsItem]) -> None:
        key = (ref.platform, ref.url)
        lock = self._shared.locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._shared.results.get(key)
            if cached is None:
                cached = self._shared.results[key] = await self._read(ref)
        fetched, expanded, ads = cached
        if fetched.profile.state is AccountState.CLOSED and self._kept_import(
            target.authority_id, ref
        ):
            self.report.skipped += 1
            return
        self.store(target, ref, fetched, news, expanded=expanded, ads=ads)

    def store(
        self,
        target: SocialTarget,
        ref: AccountRef,
        fetched: Fetched,
        news: Sequence[NewsItem],
        *,
        expanded: Mapping[str, str] | None = None,
        ads: AdsSummary | None = None,
        sponsored: frozenset[str] = frozenset(),
        extra: Sequence[SocialMetric] = (),
    ) -> None:
        """Analyse one account and write it (used by the run and by imports)."""
        profile = fetched.profile
        posts = fetched.posts if profile.state is AccountState.OK else ()
        entry = ENTRIES.get(ref.platform)
        complete = (entry is None or entry.window_complete) and len(posts) < self.config.max_posts
        metrics, analysis = self._analyse(
            target, profile, posts, news, expanded or {}, ads, complete
        )
        if sponsored:
            metrics.append(
                SocialMetric(
                    profile.platform,
                    profile.account_id,
                    "sponsored_posts",
                    float(sum(1 for p in posts if p.post_id in sponsored)),
                    profile.source,
                    len(posts),
                )
            )
        metrics.extend(extra)
        social_repo.store_account(
            self.engine,
            self.edition,
            target.authority_id,
            profile,
            posts,
            found_url=ref.url,
            found_at=ref.found_at,
            ownership=ref.ownership,
            notes=fetched.notes,
            metrics=metrics,
            analysis=analysis,
            sponsored=sponsored,
        )
        self.report.done += 1
        self.report.states[(ref.platform, profile.state.value)] += 1
        self.report.authorities.add(target.authority_id)
        if self.on_account is not None:
            self.on_account(ref, profile)

    def _kept_import(self, authority_id: str, ref: AccountRef) -> bool:
        """An imported or declared profile of a closed platform is never overwritten."""
        accounts = social_repo.load_accounts(
            self.engine, self.edition, [authority_id], with_posts=False
        ).get(authority_id, [])
        return any(
            a.profile.platform == ref.platform
            and a.profile.source in (SocialSource.IMPORT, SocialSource.DECLARED)
            for a in accounts
        )

    def compare_accounts(self, authority_id: str) -> int:
        """Messages copied between the collectivité's accounts (``cross_post_share``),
        once all of them are stored: its accounts are read concurrently, so the
        comparison reads them back together. Returns the accounts measured."""
        accounts = social_repo.load_accounts(self.engine, self.edition, [authority_id]).get(
            authority_id, []
        )
        posts = {
            (a.profile.platform, a.profile.account_id): a.posts
            for a in accounts
            if a.profile.state is AccountState.OK
        }
        found = crosspost.cross_posts(posts, self.since, self.as_of, self.copy_params)
        sources = {(a.profile.platform, a.profile.account_id): a for a in accounts}
        metrics = []
        for key, result in found.items():
            account = sources[key]
            source = account.posts[0].source if account.posts else account.profile.source
            metrics.append(result.metric(source, self.copy_params))
        social_repo.replace_named_metric(
            self.engine, self.edition, authority_id, crosspost.METRIC, metrics
        )
        return len(metrics)

    def _compared(self, target: SocialTarget) -> None:
        if target.authority_id not in self._several:
            return
        try:
            self.compare_accounts(target.authority_id)
        except Exception as exc:  # the comparison must not lose the accounts read
            log.exception("comparaison des comptes de %s", target.authority_id)
            self.report.failed.append(
                (f"{target.authority_id} (comparaison des comptes)", f"{type(exc).__name__}: {exc}")
            )

    async def _target(self, target: SocialTarget, semaphore: asyncio.Semaphore) -> None:
        async with semaphore:
            try:
                news = await self.news(target)
            except ConnectorError as exc:
                log.info("actualités de %s : %s", target.authority_id, exc)
                news = []
        await asyncio.gather(*(self._guarded(target, ref, news) for ref in target.accounts))
        self._compared(target)

    async def _guarded(self, target: SocialTarget, ref: AccountRef, news: list[NewsItem]) -> None:
        try:
            await self._account(target, ref, news)
        except Exception as exc:  # one account's bug must not stop the edition
            log.exception("compte %s de %s", ref.url, target.authority_id)
            self.report.failed.append(
                (f"{target.authority_id} {ref.url}", f"{type(exc).__name__}: {exc}")
            )

    async def run(self, targets: Sequence[SocialTarget], *, resume: bool = True) -> SocialReport:
        done = social_repo.done_accounts(self.engine, self.edition) if resume else set()
        todo: list[SocialTarget] = []
        finished: list[SocialTarget] = []  # every account already stored by an earlier run
        self._several = {t.authority_id for t in targets if len(t.accounts) >= 2}
        for target in targets:
            refs = tuple(
                r
                for r in target.accounts
                if (self.platforms is None or r.platform in self.platforms)
                and (target.authority_id, r.platform, r.url) not in done
            )
            self.report.accounts += len(target.accounts)
            self.report.skipped += len(target.accounts) - len(refs)
            if not refs:
                finished.append(target)
            else:
                todo.append(
                    SocialTarget(
                        target.authority_id,
                        target.site_host,
                        refs,
                        target.feeds,
                        target.site_archive,
                    )
                )
        self.report.authorities.update(t.authority_id for t in targets)
        if self.fetch_config is None:
            self.fetch_config = FetchConfig(user_agent="barometre")
        if not self.replay:  # what a killed reader left; never a running writer's file
            files.sweep(self.warc_root / self.edition / "social")
        semaphore = asyncio.Semaphore(self.accounts_in_flight)
        async with contextlib.AsyncExitStack() as stack:
            if not self.replay:
                self._fetcher = await stack.enter_async_context(
                    Fetcher(
                        self.fetch_config,
                        resolver=self.resolver,
                        ssl_context=self.ssl_context,
                        recorder=lambda e: _record(redact_exchange(e, self._secrets)),
                    )
                )
            await asyncio.gather(*(self._target(t, semaphore) for t in todo))
        for target in finished:  # a run stopped between its last account and the comparison
            self._compared(target)
        return self.report
