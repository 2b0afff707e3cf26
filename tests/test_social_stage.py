"""The social stage end to end on the sample web: capture, audit, social, criteria.

One capture of the sample web (module fixture) feeds every test; the recorded platforms
(Mastodon, Bluesky, YouTube, Meta Ad Library, the shortener) answer on loopback.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from barometre.audit import audit_edition
from barometre.cli.context import AppContext
from barometre.cli.social_cmd import collect
from barometre.errors import EditionFrozenError
from barometre.methodology import bundled
from barometre.models import AccountState, SocialSource, Status
from barometre.pipeline.demo import (
    DEMO_EDITION,
    SAMPLE_AS_OF,
    capture_sample,
    sample_network,
    sample_social_config,
)
from barometre.pipeline.social import build_targets
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.storage import audit_repo, social_repo
from barometre.storage.db import open_database

LABELS = Path(__file__).resolve().parents[1] / "src/barometre/sampleweb/platforms/data"
AS_OF = datetime.combine(SAMPLE_AS_OF, time(12), tzinfo=UTC)


@dataclass
class Stage:
    engine: Engine
    context: AppContext
    web: SampleWeb
    root: Path

    def collect(self, **options: object) -> object:
        return collect(
            self.context,
            self.engine,
            DEMO_EDITION,
            build_targets(self.engine, DEMO_EDITION),
            config=sample_social_config(),
            as_of=AS_OF,
            network=sample_network(self.web),
            warc_root=self.root / "warc",
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    import asyncio

    root = tmp_path_factory.mktemp("social")
    engine = open_database(f"sqlite:///{root / 'b.sqlite3'}")
    context = AppContext(data_dir=root, console=Console(width=120), err=Console(stderr=True))
    with BackgroundSampleWeb(with_dns=False, slow_drip_limit=3) as web:
        asyncio.run(capture_sample(engine, web, root / "warc"))
        audit_edition(engine, DEMO_EDITION, bundled(), as_of=SAMPLE_AS_OF)
        item = Stage(engine, context, web, root)
        item.collect()
        yield item
    engine.dispose()


def _accounts(stage: Stage, authority_id: str) -> dict[str, object]:
    found = social_repo.load_accounts(stage.engine, DEMO_EDITION, [authority_id])[authority_id]
    return {a.profile.platform: a for a in found}


def test_open_platforms_are_read_and_closed_ones_recorded_as_presence(stage: Stage) -> None:
    accounts = _accounts(stage, "commune:99101")
    assert {"mastodon", "bluesky", "youtube", "facebook", "x"} <= set(accounts)
    for platform in ("mastodon", "bluesky", "youtube"):
        account = accounts[platform]
        assert account.profile.state is AccountState.OK, account.profile.reason  # type: ignore[attr-defined]
        assert account.posts  # type: ignore[attr-defined]
        assert account.metric("posts_per_week") is not None  # type: ignore[attr-defined]
    assert accounts["facebook"].profile.state is AccountState.CLOSED  # type: ignore[attr-defined]
    bluesky = accounts["bluesky"].profile  # type: ignore[attr-defined]
    assert bluesky.account_id.startswith("did:") and bluesky.verified_domain == "ville-exemple.test"
    # every metric says where it comes from
    for account in accounts.values():
        for metric in account.metrics.values():  # type: ignore[attr-defined]
            assert isinstance(metric.source, SocialSource)


def test_social_criteria_are_measured_with_coverage(stage: Stage) -> None:
    results = {
        r.check_id: r
        for r, _ in audit_repo.load_results(
            stage.engine, DEMO_EDITION, authority_id="commune:99101"
        )
    }
    for check_id in (
        "dialogue.activite_comptes",
        "dialogue.reponses",
        "dialogue.qualite_publications",
        "coherence.liens_croises",
    ):
        result = results[check_id]
        assert result.status in (Status.PASS, Status.PARTIAL, Status.FAIL), (
            check_id,
            result.reason,
        )
        assert result.reason and re.search(r"Mesuré sur \d+ comptes? sur", result.reason)
        assert result.evidence and all(e.url for e in result.evidence)
    # a commune with only Facebook: presence, but nothing measurable
    only_closed = {
        r.check_id: r
        for r, _ in audit_repo.load_results(
            stage.engine, DEMO_EDITION, authority_id="commune:99116"
        )
    }
    assert only_closed["dialogue.activite_comptes"].status is Status.NOT_MEASURABLE


def test_dormant_accounts_fail_activity(stage: Stage) -> None:
    accounts = _accounts(stage, "departement:99")
    youtube = accounts["youtube"]
    assert youtube.metric("days_since_last_post") > 90  # type: ignore[attr-defined, operator]


def _labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for platform in ("mastodon", "bluesky"):
        data = tomllib.loads((LABELS / platform / "republication_labels.toml").read_text("utf-8"))
        labels.update(data["labels"])
    return labels


def test_republication_agrees_with_the_labelled_sample_posts(stage: Stage) -> None:
    """Precision and recall of the matcher on the hand-labelled posts of the recorded
    platforms (labels written with the payloads, before the matcher was tuned)."""
    labels = _labels()
    found: dict[str, str | None] = {}
    for accounts in social_repo.load_accounts(stage.engine, DEMO_EDITION).values():
        for account in accounts:
            if account.profile.platform not in ("mastodon", "bluesky"):
                continue
            analysis = social_repo.post_analysis(
                stage.engine, DEMO_EDITION, account.profile.platform, account.profile.account_id
            )
            for post in account.posts:
                match = analysis.get(post.post_id, {}).get("republication")
                key = post.post_id if post.post_id in labels else post.url or ""
                if key in labels or post.post_id in labels:
                    found[key] = match.get("item_url") if match else None
    judged = {k: v for k, v in found.items() if k in labels}
    assert len(judged) >= 30
    positives = {k for k, v in labels.items() if v != "original" and k in judged}
    predicted = {k for k, v in judged.items() if v is not None}
    true_pos = {k for k in predicted & positives if judged[k].rstrip("/") == labels[k].rstrip("/")}  # type: ignore[union-attr]
    precision = len(true_pos) / len(predicted) if predicted else 0.0
    recall = len(true_pos) / len(positives) if positives else 0.0
    assert positives, "the sample holds re-publications"
    assert precision >= 0.9, (precision, sorted(predicted - true_pos))
    assert recall >= 0.8, (recall, sorted(positives - true_pos))


def test_a_second_run_resumes_without_refetching(stage: Stage) -> None:
    before = social_repo.done_accounts(stage.engine, DEMO_EDITION)
    report = stage.collect()
    assert report.done == 0 and report.skipped == report.accounts  # type: ignore[attr-defined]
    assert social_repo.done_accounts(stage.engine, DEMO_EDITION) == before


def test_replay_rebuilds_the_same_records_offline(stage: Stage) -> None:
    def snapshot() -> dict[tuple[str, str, str], tuple[object, ...]]:
        out = {}
        for authority_id, accounts in social_repo.load_accounts(stage.engine, DEMO_EDITION).items():
            for a in accounts:
                out[(authority_id, a.profile.platform, a.profile.account_id)] = (
                    a.profile.state,
                    a.profile.followers,
                    tuple(p.post_id for p in a.posts),
                    tuple(sorted((m.metric, m.value) for m in a.metrics.values())),
                )
        return out

    live = snapshot()
    report = stage.collect(replay=True)
    assert report.done > 0  # type: ignore[attr-defined]
    assert snapshot() == live


def test_a_frozen_edition_refuses_the_social_stage(stage: Stage, tmp_path: Path) -> None:
    from sqlalchemy import update

    from barometre.storage.schema import editions

    copy = tmp_path / "copy.sqlite3"
    shutil.copy(stage.root / "b.sqlite3", copy)
    engine = open_database(f"sqlite:///{copy}")
    with engine.begin() as connection:
        connection.execute(update(editions).values(frozen_at=AS_OF))
    frozen = Stage(engine, stage.context, stage.web, stage.root)
    with pytest.raises(EditionFrozenError):
        frozen.collect(resume=False)
    engine.dispose()


def test_ads_reach_given_as_a_range_is_kept_with_its_note(stage: Stage) -> None:
    # Villeneuve-Exemple: one ad reached 1 840 people, Meta gives the other's reach as
    # 5 000 to 9 999 (sampleweb/platforms/data/meta/ads_archive.json)
    facebook = _accounts(stage, "commune:99116")["facebook"]
    ads = facebook.metrics["sponsored_ads"]  # type: ignore[attr-defined]
    assert ads.value == 2
    assert ads.detail["couverture_ue_min"] == 1840 + 5000
    assert ads.detail["couverture_ue_max"] == 1840 + 9999
    assert ads.detail["couverture_ue"] == (6840 + 11839) // 2
    assert "en fourchette pour 1 publicité sur 2" in ads.detail["note"]


def test_only_the_collectivites_own_accounts_are_read_each_with_its_evidence(
    stage: Stage,
) -> None:
    town = "commune:99114"  # Saint-Exemple-sur-Loire: partners' accounts in its home page
    read = social_repo.load_accounts(stage.engine, DEMO_EDITION, [town])[town]
    handles = {a.profile.handle for a in read}
    assert {"MairieSaintExempleSurLoire", "commune-de-saint-exemple-sur-loire"} <= handles
    linked = {
        f.handle
        for f in audit_repo.load_findings(stage.engine, DEMO_EDITION, town)
        if f.category == "social_linked"
    }
    assert linked == {"OTLoireExemple", "ot_loire_exemple", "ASSaintExempleFootball", "Prefet99"}
    assert not handles & linked  # « comptes liés » are never read as the town's accounts
    everyone = social_repo.load_accounts(stage.engine, DEMO_EDITION)
    for accounts in everyone.values():
        for account in accounts:
            assert account.ownership, (account.authority_id, account.profile.handle)
    linkedin = next(a for a in read if a.profile.platform == "linkedin")
    assert linkedin.ownership == "liste d'icônes vers 2 plateformes"


def test_two_readers_of_one_shared_account_both_store_it_whole(
    stage: Stage, tmp_path: Path
) -> None:
    """Two collectivités sharing accounts (a commune nouvelle and its ancienne commune)
    read at the same moment by two runs, as two workers do: each stores its accounts,
    the shared account's archive is whole and no partial file is left."""
    import asyncio

    from barometre import files
    from barometre.net.warc import read_exchanges
    from barometre.social.run import SocialRun, warc_path

    shared = {"commune:99104", "commune:99105"}
    targets = [t for t in build_targets(stage.engine, DEMO_EDITION) if t.authority_id in shared]
    assert len(targets) == 2
    common = {(r.platform, r.url) for r in targets[0].accounts} & {
        (r.platform, r.url) for r in targets[1].accounts
    }
    assert {platform for platform, _url in common} >= {"bluesky", "mastodon"}
    network = sample_network(stage.web)
    root = tmp_path / "warc"

    def reader() -> SocialRun:
        return SocialRun(
            stage.engine,
            DEMO_EDITION,
            config=sample_social_config(),
            warc_root=root,
            as_of=AS_OF,
            fetch_config=network.fetch_config,
            resolver=network.resolver,
            ssl_context=network.ssl_context,
        )

    async def both() -> list[object]:
        runs = [reader(), reader()]
        return await asyncio.gather(
            *(run.run([target], resume=False) for run, target in zip(runs, targets, strict=True))
        )

    reports = asyncio.run(both())
    for target, report in zip(targets, reports, strict=True):
        assert report.failed == [], report.failed  # type: ignore[attr-defined]
        assert report.done == len(target.accounts)  # type: ignore[attr-defined]
    assert not [p for p in root.rglob("*") if files.is_partial(p.name)]
    for platform, url in common:
        path = warc_path(root, DEMO_EDITION, platform, url)
        if platform in {"bluesky", "mastodon"}:
            assert [e.url for e in read_exchanges(path)], path
