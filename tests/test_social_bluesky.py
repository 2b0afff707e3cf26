"""The Bluesky connector against the sample web's recorded AppView (loopback, real HTTP).

Expected values come from the payload files under ``sampleweb/platforms/data/bluesky``
(read here independently of the connector's parsers) and from the facts written down in
``data/README.md``.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from barometre.models import AccountState, SocialSource
from barometre.net.fetcher import Exchange, FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.platforms import ENDPOINTS
from barometre.sampleweb.platforms.bluesky import DATA, LIMIT_RESET, PAGE_MAX
from barometre.social.base import AccountRef, Fetched, read_account
from barometre.social.bluesky import BlueskyConnector
from barometre.social.bluesky.errors import error_for
from barometre.social.bluesky.types import (
    EARLIEST_POST,
    plausible,
    post_from_item,
    profile_from_view,
    read_feed,
    verified_domain,
)
from barometre.social.bluesky.urls import did_of, parse_actor, post_url
from barometre.social.config import SocialConfig
from barometre.social.errors import MalformedPayload
from barometre.social.http import ApiResponse, SocialHttp

AIO = pytest.mark.asyncio(loop_scope="module")

SINCE = datetime(2024, 12, 20, tzinfo=UTC)
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
CONFIG = FetchConfig(
    user_agent="BarometreNumeriqueTerritoires/test (+http://contact.test/)",
    connect_timeout=2,
    read_timeout=2,
    total_timeout=5,
    retries=2,
    backoff=0.05,
    per_host_delay=0.0,
    max_retry_after=2,
)
SOCIAL = SocialConfig(bluesky_appview=ENDPOINTS["bluesky_appview"])


def payload(name: str, kind: str) -> Any:
    return json.loads((DATA / f"{name}.{kind}.json").read_text(encoding="utf-8"))


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def ref(handle: str, site: str | None = None, known_id: str | None = None) -> AccountRef:
    return AccountRef(
        authority_id="commune:99101",
        platform="bluesky",
        handle=handle,
        url=f"https://bsky.app/profile/{handle}",
        known_id=known_id,
        site_host=site,
    )


def item_id(item: dict[str, Any]) -> str:
    return str(item["reason"]["uri"] if "reason" in item else item["post"]["uri"])


def item_date(item: dict[str, Any]) -> datetime:
    if "reason" in item:
        return when(item["reason"]["indexedAt"])
    return when(item["post"]["record"]["createdAt"])


def settled(fetched: Fetched) -> Fetched:
    return replace(fetched, profile=replace(fetched.profile, fetched_at=NOW))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb() as sample:
        yield sample


def resolver(web: SampleWeb) -> GuardedResolver:
    return GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=web.host_map,
        port_map=web.port_map,
        static_only=True,
    )


@pytest_asyncio.fixture(loop_scope="module")
async def fetcher(web: SampleWeb) -> AsyncIterator[Fetcher]:
    web.reset()
    async with Fetcher(CONFIG, resolver=resolver(web), ssl_context=web.client_ssl_context()) as f:
        yield f


@pytest.fixture
def http(fetcher: Fetcher) -> SocialHttp:
    return SocialHttp(fetcher)


def connector(http: SocialHttp, config: SocialConfig = SOCIAL, **kw: Any) -> BlueskyConnector:
    return BlueskyConnector(http, config, now=lambda: NOW, **kw)


# --- identifiers and rules (pure) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://bsky.app/profile/ville-exemple.test", "ville-exemple.test"),
        ("https://bsky.app/profile/Ville-Exemple.test/post/3lkppob4s2227", "ville-exemple.test"),
        (
            "https://bsky.app/profile/did:plc:4yhyrss73z533tjczs55fudc",
            "did:plc:4yhyrss73z533tjczs55fudc",
        ),
        ("@region-exemple.test", "region-exemple.test"),
        ("commune-nouvelle-exemple.test", "commune-nouvelle-exemple.test"),
        (
            "at://did:plc:4yhyrss73z533tjczs55fudc/app.bsky.feed.post/3lk",
            "did:plc:4yhyrss73z533tjczs55fudc",
        ),
    ],
)
def test_actors_from_urls_and_handles(value: str, expected: str) -> None:
    assert parse_actor(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ville",
        "@",
        "https://example.test/profile/ville-exemple.test",
        "https://bsky.app/",
        "https://bsky.app/profile/",
        "ville exemple.test",
        "-ville.test",
        "ville.123",
    ],
)
def test_what_names_no_actor_is_refused(value: str) -> None:
    assert parse_actor(value) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
ITEM_KEYS = [
    "post",
    "reason",
    "uri",
    "record",
    "createdAt",
    "indexedAt",
    "embed",
    "reply",
    "author",
    "handle",
    "did",
    "$type",
    "feed",
    "cursor",
    "text",
    "facets",
    "langs",
]
NESTED = st.recursive(
    JSON,
    lambda children: st.dictionaries(st.sampled_from(ITEM_KEYS), children, max_size=6),
    max_leaves=25,
)


@given(st.text(max_size=120))
def test_actor_parsing_never_raises(text: str) -> None:
    found = parse_actor(text)
    assert found is None or found.startswith("did:") or "." in found


@settings(max_examples=300)
@given(NESTED)
def test_arbitrary_json_is_a_post_or_a_malformed_payload(data: Any) -> None:
    readers = (
        lambda: read_feed(data),
        lambda: (
            post_from_item(data, account_id="did:plc:x", now=NOW)
            if isinstance(data, dict)
            else None
        ),
        lambda: profile_from_view(
            data, claimed_handle=None, site_host="www.x.test", fetched_at=NOW
        ),
    )
    for read in readers:
        try:
            read()
        except MalformedPayload as exc:
            assert str(exc).startswith("Bluesky : ")


def test_post_urls_and_dids_of_at_uris() -> None:
    assert post_url("ville-exemple.test", "3lkppob4s2227") == (
        "https://bsky.app/profile/ville-exemple.test/post/3lkppob4s2227"
    )
    assert did_of("at://did:plc:abc/app.bsky.feed.post/3l") == "did:plc:abc"
    assert did_of("at://ville-exemple.test/app.bsky.feed.post/3l") is None
    assert did_of("https://bsky.app/x") is None


@pytest.mark.parametrize(
    ("handle", "site", "expected"),
    [
        ("ville-exemple.test", "www.ville-exemple.test", "ville-exemple.test"),
        ("mairie.ville-exemple.test", "www.ville-exemple.test", "ville-exemple.test"),
        ("ville-exemple.test", "www.region-exemple.test", None),
        ("ville-exemple.plateformes.test", "www.ville-exemple.test", None),
        ("handle.invalid", "www.ville-exemple.test", None),
        ("ville-exemple.test", None, None),
    ],
)
def test_handle_on_the_collectivite_domain(
    handle: str, site: str | None, expected: str | None
) -> None:
    assert verified_domain(handle, site) == expected


def test_forged_dates_are_implausible() -> None:
    assert not plausible(datetime(1970, 1, 1, tzinfo=UTC), NOW)
    assert not plausible(datetime(2099, 12, 31, tzinfo=UTC), NOW)
    assert not plausible(EARLIEST_POST.replace(day=1, month=1), NOW)
    assert plausible(EARLIEST_POST, NOW) and plausible(NOW, NOW)


def test_xrpc_errors_map_onto_account_states() -> None:
    def state(status: int, body: bytes) -> AccountState | None:
        url = "https://appview.test/xrpc/app.bsky.actor.getProfile"
        found = error_for(ApiResponse(url, status, (), body, url), "@x.test")
        return found.state if found is not None else None

    assert (
        state(400, b'{"error":"InvalidRequest","message":"Profile not found"}')
        is AccountState.NOT_FOUND
    )
    assert (
        state(400, b'{"error":"AccountDeactivated","message":"Account is deactivated"}')
        is AccountState.SUSPENDED
    )
    assert (
        state(400, b'{"error":"AccountTakedown","message":"Account has been suspended"}')
        is AccountState.SUSPENDED
    )
    assert (
        state(429, b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}')
        is AccountState.ERROR
    )
    assert state(400, b'{"error":"BlockedActor"}') is AccountState.CLOSED
    assert state(401, b'{"error":"AuthMissing"}') is AccountState.CLOSED
    assert state(500, b"<html>oups</html>") is AccountState.ERROR
    assert state(200, b"{}") is None


# --- one account, read in full ---------------------------------------------------------------


@AIO
async def test_profile_and_posts_of_ville_exemple_match_the_payloads(http: SocialHttp) -> None:
    view = payload("ville-exemple.test", "profile")
    feed = payload("ville-exemple.test", "feed")
    fetched = await read_account(
        connector(http), ref("ville-exemple.test", "www.ville-exemple.test"), SINCE
    )
    profile = fetched.profile
    assert profile.state is AccountState.OK and profile.source is SocialSource.API
    assert profile.account_id == view["did"] and profile.handle == view["handle"]
    assert profile.url == "https://bsky.app/profile/ville-exemple.test"
    assert (profile.followers, profile.following, profile.posts_count) == (
        view["followersCount"],
        view["followsCount"],
        view["postsCount"],
    )
    assert profile.description == view["description"]
    assert profile.created_at == when(view["createdAt"])
    assert profile.verified_domain == "ville-exemple.test"
    assert profile.last_post_at == max(item_date(i) for i in feed)
    assert fetched.notes == ()

    expected = [i for i in feed if item_date(i) >= SINCE]
    assert len(expected) < len(feed)
    assert [p.post_id for p in fetched.posts] == [item_id(i) for i in expected]
    for post, item in zip(fetched.posts, expected, strict=True):
        view_post, record = item["post"], item["post"]["record"]
        assert post.account_id == view["did"]
        assert post.is_repost is ("reason" in item)
        rkey = view_post["uri"].rsplit("/", 1)[1]
        assert post.url == f"https://bsky.app/profile/{view_post['author']['handle']}/post/{rkey}"
        assert post.text == record["text"] and post.language == record["langs"][0]
        embed = view_post.get("embed", {})
        media = embed.get("media", embed)
        if media.get("$type") == "app.bsky.embed.images#view":
            assert [m.alt for m in post.media] == [i["alt"] or None for i in media["images"]]
        if media.get("$type") == "app.bsky.embed.video#view":
            assert [(m.kind, m.alt) for m in post.media] == [("video", media.get("alt"))]
        if embed.get("$type") == "app.bsky.embed.external#view":
            assert post.links[0] == embed["external"]["uri"]
            assert post.card_title == embed["external"]["title"]
        facet_links = [
            f["uri"]
            for facet in record.get("facets", [])
            for f in facet["features"]
            if f["$type"] == "app.bsky.richtext.facet#link"
        ]
        assert set(facet_links) <= set(post.links)
        if "reason" in item:
            assert (post.likes, post.reposts, post.replies, post.quotes) == (None,) * 4
            assert post.reply_to is None
        else:
            assert (post.likes, post.reposts, post.replies, post.quotes) == (
                view_post["likeCount"],
                view_post["repostCount"],
                view_post["replyCount"],
                view_post["quoteCount"],
            )
            parent = record.get("reply", {}).get("parent", {}).get("uri")
            if parent is None:
                assert post.reply_to is None
            elif parent.startswith(f"at://{view['did']}/"):
                assert post.reply_to == view["did"] and not post.is_reply  # a thread
            else:
                assert post.is_reply and post.reply_to == parent.split("/")[2]


@AIO
async def test_threads_replies_reposts_and_media_of_ville_exemple(http: SocialHttp) -> None:
    """The facts the README writes down about ville-exemple.test's posts."""
    fetched = await read_account(connector(http), ref("ville-exemple.test"), SINCE)
    by_rkey = {p.post_id.rsplit("/", 1)[1]: p for p in fetched.posts}
    did = fetched.profile.account_id
    assert by_rkey["3ljab3rwm2227"].reply_to == did and by_rkey["3ljaay7iik227"].reply_to == did
    assert by_rkey["3ljaaun2f2227"].reply_to is None  # the thread's first post
    assert [p.post_id.rsplit("/", 1)[1] for p in fetched.posts if p.is_reply] == [
        "3lkj7seze2227",
        "3lhbpbi7i2227",
        "3lebq5dru2227",
    ]
    reposts = [p for p in fetched.posts if p.is_repost]
    assert len(reposts) == 2 and all(
        "/profile/region-exemple.test/" in (p.url or "") for p in reposts
    )
    school = by_rkey["3lhnu6wm42227"]
    assert [m.alt is not None for m in school.media] == [True, False]
    assert by_rkey["3lk2ccq72c227"].format == "video"
    quote_with_image = by_rkey["3lgghth5ms227"]
    assert quote_with_image.format == "image" and quote_with_image.links == ()
    assert by_rkey["3lkppob4s2227"].links == ("https://lien.plateformes.test/budget-participatif",)
    assert by_rkey["3li7blmomc227"].links == ()  # republication by title only


@AIO
async def test_paging_by_cursor_reads_every_item_once(http: SocialHttp) -> None:
    feed = payload("ville-exemple.test", "feed")
    fetched = await read_account(
        connector(http), ref("ville-exemple.test"), datetime(2024, 11, 1, tzinfo=UTC)
    )
    assert [p.post_id for p in fetched.posts] == [item_id(i) for i in feed]
    assert len(feed) > 2 * PAGE_MAX
    assert http.requests == 1 + -(-len(feed) // PAGE_MAX)  # profile + pages, the last has no cursor


@AIO
async def test_the_since_cut_off_stops_paging(http: SocialHttp) -> None:
    feed = payload("ville-exemple.test", "feed")
    since = datetime(2025, 3, 1, tzinfo=UTC)
    fetched = await read_account(connector(http), ref("ville-exemple.test"), since)
    assert [p.post_id for p in fetched.posts] == [item_id(i) for i in feed if item_date(i) >= since]
    first_old = next(i for i, item in enumerate(feed) if item_date(item) < since)
    assert http.requests == 1 + first_old // PAGE_MAX + 1


@AIO
async def test_page_size_and_limits(http: SocialHttp) -> None:
    since = datetime(2024, 11, 1, tzinfo=UTC)
    fetched = await read_account(
        connector(http, replace(SOCIAL, max_pages=3), page_size=3), ref("ville-exemple.test"), since
    )
    assert len(fetched.posts) == 9 and any("3 pages" in n for n in fetched.notes)
    fetched = await read_account(
        connector(http, replace(SOCIAL, max_posts=4)), ref("ville-exemple.test"), since
    )
    assert len(fetched.posts) == 4 and any("4 publications" in n for n in fetched.notes)


@AIO
async def test_forged_dates_are_ignored_without_stopping_the_reading(http: SocialHttp) -> None:
    feed = payload("commune-nouvelle-exemple.test", "feed")
    forged = {
        i["post"]["uri"]
        for i in feed
        if not 2023 <= when(i["post"]["record"]["createdAt"]).year <= 2025
    }
    assert len(forged) == 2  # README: one dated 1970, one dated 2099
    fetched = await read_account(
        connector(http),
        ref("commune-nouvelle-exemple.test", "www.commune-nouvelle-exemple.test"),
        SINCE,
    )
    ids = [p.post_id for p in fetched.posts]
    assert not forged & set(ids)
    expected = [item_id(i) for i in feed if item_id(i) not in forged and item_date(i) >= SINCE]
    assert ids == expected
    # the items after the 1970-dated one in the feed are still read: it did not end the paging
    dated_1970 = next(i for i in feed if i["post"]["record"]["createdAt"].startswith("1970"))
    later_in_feed = [
        item_id(i) for i in feed if i["post"]["indexedAt"] < dated_1970["post"]["indexedAt"]
    ]
    assert set(later_in_feed) & set(ids)
    assert fetched.profile.last_post_at is not None and fetched.profile.last_post_at.year == 2025
    assert fetched.profile.verified_domain == "commune-nouvelle-exemple.test"


# --- identity --------------------------------------------------------------------------------


@AIO
async def test_a_renamed_account_is_found_by_its_did_and_keeps_it(http: SocialHttp) -> None:
    view = payload("cote-exemple.test", "profile")
    old = "cote-exemple.plateformes.test"
    lost = await read_account(connector(http), ref(old, "www.cote-exemple.test"), SINCE)
    assert lost.profile.state is AccountState.NOT_FOUND  # the old handle no longer resolves
    found = await read_account(
        connector(http), ref(old, "www.cote-exemple.test", known_id=view["did"]), SINCE
    )
    assert found.profile.state is AccountState.OK
    assert found.profile.account_id == view["did"]
    assert found.profile.handle == "cote-exemple.test"
    assert found.profile.verified_domain == "cote-exemple.test"
    assert len(found.notes) == 1 and old in found.notes[0] and "cote-exemple.test" in found.notes[0]
    assert [p.post_id for p in found.posts] == [
        item_id(i) for i in payload("cote-exemple.test", "feed") if item_date(i) >= SINCE
    ]


@AIO
async def test_handle_invalid_is_no_proof_of_domain(http: SocialHttp) -> None:
    view = payload("montagne-exemple.test", "profile")
    assert view["handle"] == "handle.invalid"
    fetched = await read_account(
        connector(http), ref("montagne-exemple.test", "www.montagne-exemple.test"), SINCE
    )
    assert fetched.profile.state is AccountState.OK
    assert fetched.profile.verified_domain is None
    assert fetched.profile.handle == "montagne-exemple.test"  # what the site claims
    assert fetched.profile.url == f"https://bsky.app/profile/{view['did']}"
    assert any("handle.invalid" in note for note in fetched.notes)
    assert all(f"/profile/{view['did']}/post/" in (p.url or "") for p in fetched.posts)


@AIO
async def test_handle_on_another_domain_is_not_verified(http: SocialHttp) -> None:
    fetched = await read_account(
        connector(http), ref("region-exemple.test", "www.ville-exemple.test"), SINCE
    )
    assert fetched.profile.state is AccountState.OK and fetched.profile.verified_domain is None


# --- what can go wrong -----------------------------------------------------------------------


@AIO
async def test_deleted_and_deactivated_accounts(http: SocialHttp) -> None:
    deleted = await read_account(connector(http), ref("supprime.plateformes.test"), SINCE)
    assert deleted.profile.state is AccountState.NOT_FOUND
    assert "Profile not found" in (deleted.profile.reason or "")
    off = await read_account(connector(http), ref("desactive.plateformes.test"), SINCE)
    assert off.profile.state is AccountState.SUSPENDED
    assert "désactivé" in (off.profile.reason or "")


@AIO
async def test_malformed_feed_json_is_an_error_not_a_crash(http: SocialHttp) -> None:
    fetched = await read_account(connector(http), ref("flux-casse.plateformes.test"), SINCE)
    assert fetched.profile.state is AccountState.ERROR
    assert "JSON illisible" in (fetched.profile.reason or "")
    assert "getAuthorFeed" in (fetched.profile.reason or "")


@AIO
async def test_an_unreadable_handle_is_said_so(http: SocialHttp) -> None:
    bad = AccountRef("commune:99101", "bluesky", "ville exemple", "https://bsky.app/")
    fetched = await read_account(connector(http), bad, SINCE)
    assert fetched.profile.state is AccountState.ERROR
    assert "illisible" in (fetched.profile.reason or "") and http.requests == 0


@AIO
async def test_ratelimit_remaining_zero_makes_the_next_call_wait(fetcher: Fetcher) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    http = SocialHttp(fetcher, clock=time.time, sleep=sleep)
    fetched = await read_account(connector(http), ref("limite.plateformes.test"), SINCE)
    assert fetched.profile.state is AccountState.OK
    assert len(fetched.posts) == len(payload("limite.plateformes.test", "feed"))
    assert len(waits) == 1 and LIMIT_RESET - 2 <= waits[0] <= LIMIT_RESET + 1
    assert http.requests == 2

    impatient = SocialHttp(fetcher, clock=time.time, sleep=sleep, max_wait=5)
    fetched = await read_account(connector(impatient), ref("limite.plateformes.test"), SINCE)
    assert fetched.profile.state is AccountState.ERROR
    assert "Limite de débit" in (fetched.profile.reason or "")
    assert impatient.requests == 1 and len(waits) == 1


# --- archive and replay ------------------------------------------------------------------------


@AIO
async def test_recorded_reading_replays_identically_offline(web: SampleWeb, tmp_path: Path) -> None:
    web.reset()
    path = tmp_path / "bluesky.warc.gz"
    cote_did = payload("cote-exemple.test", "profile")["did"]
    refs = [
        ref("ville-exemple.test", "www.ville-exemple.test"),
        ref("cote-exemple.plateformes.test", "www.cote-exemple.test", known_id=cote_did),
        ref("desactive.plateformes.test"),
        ref("flux-casse.plateformes.test"),
    ]
    live: list[Fetched] = []
    with WarcRecorder(path) as recorder:

        def record(exchange: Exchange) -> None:
            recorder.record(exchange)

        async with Fetcher(
            CONFIG, resolver=resolver(web), ssl_context=web.client_ssl_context(), recorder=record
        ) as fetcher:
            http = SocialHttp(fetcher)
            for one in refs:
                live.append(await read_account(connector(http), one, SINCE))
    replay_http = SocialHttp(Replay(path, CONFIG), replay=True)
    replayed = [await read_account(connector(replay_http), one, SINCE) for one in refs]
    assert [settled(f) for f in replayed] == [settled(f) for f in live]
    assert [f.profile.state for f in replayed] == [
        AccountState.OK,
        AccountState.OK,
        AccountState.SUSPENDED,
        AccountState.ERROR,
    ]
    assert replayed[1].notes and len(replayed[0].posts) > 10
