"""D5–D7 and K1 on social records, and their storage round trip (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from barometre.checks.engine import NO_SOCIAL, audit
from barometre.checks.social import activity, back_links, post_quality, responsiveness
from barometre.checks.subject import Subject
from barometre.errors import EditionFrozenError
from barometre.methodology import bundled
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    Evidence,
    Finding,
    Media,
    ProfileLink,
    SocialAccount,
    SocialMetric,
    SocialPost,
    SocialProfile,
    SocialSource,
    Status,
    Website,
)
from barometre.storage import capture_repo, registry_repo, social_repo
from barometre.storage.db import upgrade

NOW = datetime(2025, 3, 20, tzinfo=UTC)
TOWN = Authority(
    AuthorityKind.COMMUNE,
    "99101",
    "Ville-Exemple",
    population=24800,
    departement="99",
    websites=(Website("https://www.ville-exemple.test/", "www.ville-exemple.test", "test", True),),
)


def prof(platform: str, state: AccountState = AccountState.OK, **extra: object) -> SocialProfile:
    return SocialProfile(
        platform=platform,
        account_id=f"{platform}-id",
        handle=f"{platform}-ville",
        url=f"https://{platform}.plateformes.test/ville",
        state=state,
        fetched_at=NOW,
        source=SocialSource.API,
        **extra,  # type: ignore[arg-type]
    )


def account(profile: SocialProfile, **values: float | tuple[float, int]) -> SocialAccount:
    metrics = {}
    for name, value in values.items():
        number, sample = value if isinstance(value, tuple) else (value, 10)
        metrics[name] = SocialMetric(
            profile.platform, profile.account_id, name, float(number), profile.source, sample
        )
    return SocialAccount(TOWN.id, profile, metrics=metrics)


def subject(*accounts: SocialAccount, findings: list[Finding] | None = None) -> Subject:
    made = Subject(TOWN, None, NOW.date())
    made.social = list(accounts)
    made.findings = findings or []
    return made


PARAMS = {
    p: bundled().criterion(c).params
    for p, c in (("d5", "D5"), ("d6", "D6"), ("d7", "D7"), ("k1", "K1"))
}


def test_activity_steps_and_coverage() -> None:
    fresh = account(prof("mastodon"), days_since_last_post=2, posts_per_week=3)
    stale = account(prof("bluesky"), days_since_last_post=20, posts_per_week=0.4)
    dead = account(prof("youtube"), days_since_last_post=200, posts_per_week=0)
    closed = SocialAccount(
        TOWN.id, prof("facebook", AccountState.CLOSED, reason="plateforme fermée")
    )
    verdict = activity(subject(fresh, stale, dead, closed), PARAMS["d5"])
    assert verdict.status is Status.PARTIAL
    assert verdict.value == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-3)
    assert verdict.reason is not None and "3 comptes sur 4" in verdict.reason
    assert "Facebook (plateforme fermée)" in verdict.reason
    assert len(verdict.evidence) == 3 and all(e.url for e in verdict.evidence)


def test_a_fresh_account_posting_rarely_is_half() -> None:
    rare = account(prof("mastodon"), days_since_last_post=3, posts_per_week=0.5)
    assert activity(subject(rare), PARAMS["d5"]).value == 0.5


def test_only_closed_platforms_is_not_measurable_and_no_account_is_not_applicable() -> None:
    closed = SocialAccount(TOWN.id, prof("x", AccountState.CLOSED, reason="fermée"))
    verdict = activity(subject(closed), PARAMS["d5"])
    assert verdict.status is Status.NOT_MEASURABLE and "0 compte sur 1" in (verdict.reason or "")
    assert activity(subject(), PARAMS["d5"]).status is Status.NOT_APPLICABLE
    discovered = [
        Finding("social", "mastodon", "https://m.test/@v", "v", Evidence(url="https://v.test/"))
    ]
    assert activity(subject(findings=discovered), PARAMS["d5"]).status is Status.NOT_MEASURABLE


def test_responsiveness_needs_enough_posts_and_skips_video_platforms() -> None:
    talky = account(prof("mastodon"), reply_share=(0.3, 20))
    quiet = account(prof("bluesky"), reply_share=(0.05, 20))
    few = account(prof("bluesky"), reply_share=(1.0, 2))
    video = account(prof("youtube"), reply_share=(0.0, 15))
    verdict = responsiveness(subject(talky, quiet, few, video), PARAMS["d6"])
    assert verdict.value == pytest.approx((1 + 0.25) / 2, abs=1e-3)
    assert len(verdict.evidence) == 2
    assert responsiveness(subject(few, video), PARAMS["d6"]).status is Status.NOT_MEASURABLE


def test_post_quality_mean_of_the_three_parts() -> None:
    good = account(
        prof("mastodon"), posts_per_week=2, formats=3, alt_text_share=0.9, auto_post_share=0.1
    )
    relay = account(
        prof("bluesky"), posts_per_week=2, formats=1, pure_republication_share=0.9
    )  # no image: alt text left out
    verdict = post_quality(subject(good, relay), PARAMS["d7"])
    assert verdict.value == pytest.approx((1 + 0) / 2, abs=1e-3)
    assert "aucune image" in verdict.evidence[1].text  # type: ignore[operator]


def test_back_links_verified_plain_and_missing() -> None:
    verified = account(
        prof("mastodon", links=(ProfileLink("https://www.ville-exemple.test/", "Site", True),))
    )
    handle = account(prof("bluesky", verified_domain="ville-exemple.test"))
    plain = account(prof("youtube", description="Chaîne officielle — www.ville-exemple.test"))
    none = account(prof("peertube", links=(ProfileLink("https://ailleurs.test/", None, True),)))
    verdict = back_links(subject(verified, handle, plain, none), PARAMS["k1"])
    assert verdict.value == pytest.approx((1 + 1 + 0.5 + 0) / 4, abs=1e-3)
    lookalike = account(prof("bluesky", verified_domain="ville-exemple-fake.test"))
    assert back_links(subject(lookalike), PARAMS["k1"]).value == 0


def test_engine_runs_social_checks_only_when_social_data_exists() -> None:
    grid = bundled()
    only = {"dialogue.activite_comptes", "coherence.liens_croises"}
    fresh = account(prof("mastodon"), days_since_last_post=1, posts_per_week=2)
    without = audit(subject(fresh), grid, only=only, discovered=[])
    assert {r.status for r in without.results} == {Status.NOT_MEASURABLE}
    assert all(r.reason == NO_SOCIAL for r in without.results)
    with_data = audit(subject(fresh), grid, only=only, social_available=True, discovered=[])
    statuses = {r.check_id: r.status for r in with_data.results}
    assert statuses["dialogue.activite_comptes"] is Status.PASS
    assert statuses["coherence.liens_croises"] is Status.FAIL


# --- storage -------------------------------------------------------------------------------


def _post(i: int, **extra: object) -> SocialPost:
    return SocialPost(
        "mastodon",
        "https://mastodon.collectivites.test/users/ville",
        str(i),
        datetime(2025, 3, i + 1, 9, tzinfo=UTC),
        SocialSource.API,
        text=f"Publication {i}",
        media=(Media("image", "alt"),),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    upgrade(any_engine)
    registry_repo.replace_registry(any_engine, [TOWN], "test", {})
    capture_repo.ensure_edition(any_engine, "2025-03", "Édition 2025-03")
    return any_engine


def test_an_account_round_trips_with_history_and_metrics(engine: Engine) -> None:
    profile = SocialProfile(
        "mastodon",
        "https://mastodon.collectivites.test/users/ville",
        "ville_exemple",
        "https://mastodon.collectivites.test/@ville_exemple",
        AccountState.OK,
        NOW,
        SocialSource.API,
        followers=1200,
        links=(ProfileLink("https://www.ville-exemple.test/", "Site", True),),
    )
    posts = [_post(1, reply_to="mastodon:7"), _post(2, is_repost=True), _post(2)]  # duplicate id
    metric = SocialMetric(
        profile.platform, profile.account_id, "reply_share", 0.5, SocialSource.API, 2
    )
    social_repo.store_account(
        engine,
        "2025-03",
        TOWN.id,
        profile,
        posts,
        found_url=profile.url,
        metrics=[metric],
        analysis={"1": {"mode": "conversation"}},
    )
    loaded = social_repo.load_accounts(engine, "2025-03")[TOWN.id]
    assert len(loaded) == 1
    got = loaded[0]
    assert got.profile.followers == 1200 and got.profile.links[0].verified is True
    assert got.profile.fetched_at == NOW
    assert [p.post_id for p in got.posts] == ["2", "1"]  # newest first, duplicate dropped
    assert got.posts[1].is_reply and got.posts[1].media[0].alt == "alt"
    assert (
        got.metric("reply_share") == 0.5 and got.metrics["reply_share"].source is SocialSource.API
    )
    assert social_repo.post_analysis(engine, "2025-03", "mastodon", profile.account_id)["1"] == {
        "mode": "conversation"
    }
    history = social_repo.follower_history(engine, "mastodon", profile.account_id)
    assert [(h.observed_on, h.followers) for h in history] == [(date(2025, 3, 20), 1200)]
    assert social_repo.done_accounts(engine, "2025-03") == {(TOWN.id, "mastodon", profile.url)}
    assert social_repo.has_social(engine, "2025-03")
    assert social_repo.known_ids(engine, "2025-04") == {
        (TOWN.id, "mastodon", profile.url): profile.account_id
    }
    # writing it again (handle renamed, same stable id) replaces, never duplicates
    renamed = replace(profile, handle="ville_exemple_officiel")
    social_repo.store_account(engine, "2025-03", TOWN.id, renamed, posts[:1], found_url=profile.url)
    again = social_repo.load_accounts(engine, "2025-03")[TOWN.id]
    assert len(again) == 1 and again[0].profile.handle == "ville_exemple_officiel"
    assert [p.post_id for p in again[0].posts] == ["1"] and not again[0].metrics


def test_a_frozen_edition_refuses_social_writes(engine: Engine) -> None:
    from sqlalchemy import update

    from barometre.storage.schema import editions

    with engine.begin() as connection:
        connection.execute(update(editions).values(frozen_at=NOW))
    with pytest.raises(EditionFrozenError):
        social_repo.store_account(engine, "2025-03", TOWN.id, prof("mastodon"))
    assert not social_repo.has_social(engine, "2025-03")


def test_a_changed_stable_id_replaces_the_profile_and_its_metrics(engine: Engine) -> None:
    by_handle = SocialProfile(
        "bluesky",
        "ville-exemple.test",
        "ville-exemple.test",
        "https://bsky.app/profile/ville-exemple.test",
        AccountState.OK,
        NOW,
        SocialSource.API,
    )
    metric = SocialMetric(
        "bluesky", "ville-exemple.test", "posts_per_week", 2.0, SocialSource.API, 20
    )
    social_repo.store_account(
        engine, "2025-03", TOWN.id, by_handle, found_url=by_handle.url, metrics=[metric]
    )
    by_did = replace(by_handle, account_id="did:plc:abc")
    social_repo.store_account(engine, "2025-03", TOWN.id, by_did, found_url=by_handle.url)
    accounts = social_repo.load_accounts(engine, "2025-03")[TOWN.id]
    assert [a.profile.account_id for a in accounts] == ["did:plc:abc"]
    assert social_repo.metric_values(engine, "2025-03", "posts_per_week") == []
