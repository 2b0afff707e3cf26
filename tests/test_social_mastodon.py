"""The Mastodon connector against the sample web's recorded instance (loopback, real HTTP).

Expected values come from the payload files under ``sampleweb/platforms/data/mastodon``
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
from barometre.sampleweb.platforms.mastodon import (
    DATA,
    DELEGATED_DOMAIN,
    DELEGATED_HOST,
    PAGE_MAX,
)
from barometre.social.base import AccountRef, Fetched, read_account
from barometre.social.config import SocialConfig
from barometre.social.errors import AccountNotFound, ConnectorError, MalformedPayload
from barometre.social.http import ApiResponse, SocialHttp
from barometre.social.mastodon import MastodonConnector
from barometre.social.mastodon.errors import error_for
from barometre.social.mastodon.types import (
    address_from_jrd,
    html_links,
    html_text,
    post_from_status,
    profile_from_account,
)
from barometre.social.mastodon.urls import MastodonAddress, next_link, parse_address

AIO = pytest.mark.asyncio(loop_scope="module")

INSTANCE = "mastodon.collectivites.test"
SINCE = datetime(2024, 12, 20, tzinfo=UTC)  # 90 days before the sample's 2025-03-20
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


def ref(user: str, instance: str = INSTANCE) -> AccountRef:
    return AccountRef(
        authority_id="commune:99101",
        platform="mastodon",
        handle=f"@{user}@{instance}",
        url=f"https://{instance}/@{user}",
    )


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
async def http(web: SampleWeb) -> AsyncIterator[SocialHttp]:
    web.reset()
    async with Fetcher(CONFIG, resolver=resolver(web), ssl_context=web.client_ssl_context()) as f:
        yield SocialHttp(f)


def settled(fetched: Fetched) -> Fetched:
    return replace(fetched, profile=replace(fetched.profile, fetched_at=NOW))


def connector(http: SocialHttp, config: SocialConfig = SOCIAL, **kw: Any) -> MastodonConnector:
    return MastodonConnector(http, config, now=lambda: NOW, **kw)


# --- addresses and HTML (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://mastodon.collectivites.test/@ville_exemple", ("ville_exemple", INSTANCE)),
        (
            "https://Mastodon.Collectivites.test/@ville_exemple/114190044364800024",
            ("ville_exemple", INSTANCE),
        ),
        ("https://mastodon.collectivites.test/users/region_exemple", ("region_exemple", INSTANCE)),
        ("https://mastodon.social/@mairie@piaille.test", ("mairie", "piaille.test")),
        ("@val_fusion@mastodon.collectivites.test", ("val_fusion", INSTANCE)),
        ("val_fusion@mastodon.collectivites.test", ("val_fusion", INSTANCE)),
        (
            "acct:ferme@instance-fermee.plateformes.test",
            ("ferme", "instance-fermee.plateformes.test"),
        ),
    ],
)
def test_addresses_name_the_account_and_its_home_instance(
    value: str, expected: tuple[str, str]
) -> None:
    assert parse_address(value) == MastodonAddress(*expected)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "@ville_exemple",
        "https://mastodon.collectivites.test/",
        "https://mastodon.collectivites.test/about",
        "ftp://mastodon.collectivites.test/@x",
        "https://mastodon.collectivites.test/@",
        "pas une adresse",
    ],
)
def test_what_is_not_an_account_address_is_refused(value: str) -> None:
    assert parse_address(value) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
STATUS_KEYS = [
    "id",
    "created_at",
    "content",
    "reblog",
    "card",
    "media_attachments",
    "url",
    "in_reply_to_account_id",
    "application",
    "poll",
    "language",
    "favourites_count",
]


@given(st.text(max_size=120))
def test_address_parsing_never_raises(text: str) -> None:
    found = parse_address(text)
    assert found is None or (found.username and "." in found.instance)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(STATUS_KEYS), JSON, max_size=12) | JSON)
def test_arbitrary_json_is_a_status_or_a_malformed_payload(data: Any) -> None:
    address = MastodonAddress("x", INSTANCE)
    for read in (
        lambda: post_from_status(data, account_api_id="1", account_id="https://m.test/users/x"),
        lambda: profile_from_account(data, address, fetched_at=NOW),
    ):
        try:
            read()
        except MalformedPayload as exc:
            assert str(exc).startswith("Mastodon : ")


def test_link_header_next_target() -> None:
    header = (
        '<https://m.test/api/v1/accounts/1/statuses?limit=2&max_id=7486869>; rel="next", '
        '<https://m.test/api/v1/accounts/1/statuses?limit=2&min_id=7489740>; rel="prev"'
    )
    assert next_link(header) == "https://m.test/api/v1/accounts/1/statuses?limit=2&max_id=7486869"
    assert next_link('<https://m.test/x?min_id=1>; rel="prev"') is None
    assert next_link(None) is None


def test_html_keeps_full_links_and_drops_mentions_and_hashtags() -> None:
    statuses = {s["id"]: s for s in payload("ville_exemple", "statuses")}
    # README: 114182907494400022 republishes the budget item with its exact URL and a hashtag.
    budget = statuses["114182907494400022"]["content"]
    url = "https://www.ville-exemple.test/2025/03/budget-participatif-2025/"
    assert html_links(budget) == [url]
    assert url in html_text(budget) and "#BudgetParticipatif" in html_text(budget)
    # README: 114190044364800024 answers @camille_d: a mention is not an outbound link.
    reply = statuses["114190044364800024"]["content"]
    assert html_links(reply) == []
    assert html_text(reply).startswith("@camille_d Bonjour")
    assert html_text("<p>Un</p><p>Deux<br />trois &amp; quatre</p>") == "Un\n\nDeux\ntrois & quatre"


# --- one account, read in full ---------------------------------------------------------------


@AIO
async def test_profile_and_posts_of_ville_exemple_match_the_payloads(http: SocialHttp) -> None:
    account = payload("ville_exemple", "account")
    statuses = payload("ville_exemple", "statuses")
    fetched = await read_account(connector(http), ref("ville_exemple"), SINCE)
    profile = fetched.profile

    assert profile.state is AccountState.OK and profile.source is SocialSource.API
    assert profile.account_id == account["uri"]
    assert profile.handle == "@ville_exemple@mastodon.collectivites.test"
    assert profile.url == account["url"]
    assert profile.display_name == account["display_name"]
    assert (
        profile.description
        == "Compte officiel de la mairie de Ville-Exemple. Actualités, travaux, événements."
    )
    assert (profile.followers, profile.following, profile.posts_count) == (
        account["followers_count"],
        account["following_count"],
        account["statuses_count"],
    )
    assert profile.created_at == when(account["created_at"])
    assert profile.last_post_at == max(when(s["created_at"]) for s in statuses)
    assert profile.fetched_at == NOW
    # README: the official-site field is verified (rel="me"); the e-mail field has no link.
    assert [(link.url, link.label, link.verified) for link in profile.links] == [
        ("https://www.ville-exemple.test/", "Site officiel", True)
    ]

    expected = [s for s in statuses if when(s["created_at"]) >= SINCE]
    assert len(expected) < len(statuses)  # the window really cuts something off
    assert [p.post_id for p in fetched.posts] == [s["id"] for s in expected]
    assert [p.published_at for p in fetched.posts] == sorted(
        (p.published_at for p in fetched.posts), reverse=True
    )
    for post, status in zip(fetched.posts, expected, strict=True):
        shown = status["reblog"] or status
        assert post.account_id == account["uri"] and post.platform == "mastodon"
        assert post.is_repost is (status["reblog"] is not None)
        assert post.url == (status["url"] or shown["url"])
        assert post.language == shown["language"]
        assert post.poll is (shown["poll"] is not None)
        assert [m.alt for m in post.media] == [
            a["description"] or None for a in shown["media_attachments"]
        ]
        if shown["card"]:
            assert post.links[0] == shown["card"]["url"]
            assert post.card_title == shown["card"]["title"]
        if status["reblog"]:
            assert (post.likes, post.reposts, post.replies, post.application) == (None,) * 4
        else:
            assert (post.likes, post.reposts, post.replies) == (
                status["favourites_count"],
                status["reblogs_count"],
                status["replies_count"],
            )
            assert post.application == status["application"]["name"]
        replied = status["in_reply_to_account_id"]
        if replied is None:
            assert post.reply_to is None
        elif replied == account["id"]:
            assert post.reply_to == profile.account_id and not post.is_reply  # a thread
        else:
            assert post.reply_to == f"mastodon:{replied}" and post.is_reply


@AIO
async def test_replies_threads_reposts_and_formats_of_ville_exemple(http: SocialHttp) -> None:
    """The facts the README writes down about @ville_exemple's statuses."""
    fetched = await read_account(connector(http), ref("ville_exemple"), SINCE)
    posts = {p.post_id: p for p in fetched.posts}
    thread = posts["114182915358720023"]
    assert thread.reply_to == fetched.profile.account_id and not thread.is_reply
    assert posts["114190044364800024"].is_reply  # answer to a citizen
    assert sum(p.is_reply for p in fetched.posts) == 3  # a fourth one is older than SINCE
    reposts = [p for p in fetched.posts if p.is_repost]
    assert [p.url for p in reposts] == [
        "https://mastodon.collectivites.test/@region_exemple/114159747072000012",
        "https://mastodon.collectivites.test/@region_exemple/114035176243200007",
    ]
    assert posts["114150703104000019"].poll
    video = posts["114069602304000013"]
    assert video.format == "video" and video.media[0].alt is not None
    carnival = posts["114103812096000016"]
    assert [m.alt for m in carnival.media] == [None, None] and carnival.format == "image"
    assert posts["114006884352000011"].links == ("https://lien.plateformes.test/mediatheque",)
    assert posts["114133539225600017"].links == ()  # republication by title only
    assert posts["114091897651200015"].links == (
        "https://www.ville-exemple.test/2025/03/conseil-municipal-10-mars/?utm_source=mastodon&utm_medium=social",
    )


@AIO
async def test_feed_bot_and_unverified_field_of_the_region(http: SocialHttp) -> None:
    fetched = await read_account(connector(http), ref("region_exemple"), SINCE)
    apps = [p.application for p in fetched.posts]
    assert apps.count("feed2toot") == 3 and apps.count("dlvr.it") == 1
    assert [(link.label, link.verified) for link in fetched.profile.links] == [
        ("Site officiel", True),
        ("Lettre d'information", False),
    ]


@AIO
async def test_dormant_account_has_no_post_in_the_window_but_a_last_post_date(
    http: SocialHttp,
) -> None:
    statuses = payload("departement_exemple", "statuses")
    fetched = await read_account(connector(http), ref("departement_exemple"), SINCE)
    assert fetched.posts == ()
    assert fetched.profile.last_post_at == when(statuses[0]["created_at"])
    assert (datetime(2025, 3, 20, tzinfo=UTC) - fetched.profile.last_post_at).days > 90
    assert [link.verified for link in fetched.profile.links] == [False]


# --- where an account lives: WebFinger (RFC 7033) ----------------------------------------

# The documentation's own example (docs.joinmastodon.org, spec/webfinger; kept with its
# source in tests/fixtures/platforms/mastodon/)
GARGRON_JRD = {
    "subject": "acct:Gargron@mastodon.social",
    "aliases": ["https://mastodon.social/@Gargron", "https://mastodon.social/users/Gargron"],
    "links": [
        {
            "rel": "http://webfinger.net/rel/profile-page",
            "type": "text/html",
            "href": "https://mastodon.social/@Gargron",
        },
        {
            "rel": "self",
            "type": "application/activity+json",
            "href": "https://mastodon.social/users/Gargron",
        },
        {
            "rel": "http://ostatus.org/schema/1.0/subscribe",
            "template": "https://mastodon.social/authorize_interaction?uri={uri}",
        },
    ],
}


def test_webfinger_answer_names_the_server_and_the_canonical_handle() -> None:
    asked = MastodonAddress("gargron", "mastodon.social")
    assert address_from_jrd(GARGRON_JRD, asked) == MastodonAddress("Gargron", "mastodon.social")
    delegated = {
        "subject": "acct:alice@example.com",
        "links": [
            {
                "rel": "self",
                "type": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
                "href": "https://ap.example.com/users/alice",
            }
        ],
    }
    found = address_from_jrd(delegated, MastodonAddress("alice", "example.com"))
    assert found == MastodonAddress("alice", "ap.example.com", "example.com")
    assert found is not None and found.handle == "@alice@example.com"
    assert found.profile_url == "https://ap.example.com/@alice"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"subject": "acct:a@b.test"},
        {"links": [{"rel": "self", "type": "text/html", "href": "https://b.test/a"}]},
        {
            "links": [
                {"rel": "self", "type": "application/activity+json", "href": "http://b.test/a"}
            ]
        },
        {"links": [{"rel": "self", "type": "application/activity+json", "href": 3}]},
    ],
)
def test_unusable_webfinger_answers_are_ignored(payload: Any) -> None:
    assert address_from_jrd(payload, MastodonAddress("a", "b.test")) is None


@AIO
async def test_handle_on_the_collectivite_domain_is_found_on_its_server(
    web: SampleWeb, http: SocialHttp
) -> None:
    # @mairie@ville-exemple.test lives on social.ville-exemple.test: the domain only
    # redirects WebFinger there, and has no API of its own.
    account = json.loads((DATA / DELEGATED_HOST / "mairie.account.json").read_text("utf-8"))
    statuses = json.loads((DATA / DELEGATED_HOST / "mairie.statuses.json").read_text("utf-8"))
    handle = f"@mairie@{DELEGATED_DOMAIN}"
    by_handle = AccountRef("commune:99101", "mastodon", handle, handle)
    fetched = await read_account(connector(http), by_handle, SINCE)
    profile = fetched.profile
    assert profile.state is AccountState.OK, profile.reason
    assert profile.handle == handle
    assert profile.url == account["url"] == f"https://{DELEGATED_HOST}/@mairie"
    assert profile.account_id == account["uri"]
    assert profile.followers == account["followers_count"]
    assert [p.post_id for p in fetched.posts] == [s["id"] for s in statuses]
    assert fetched.notes == (
        f"Le compte {handle} est servi par {DELEGATED_HOST} (trouvé par WebFinger).",
    )
    assert web.platform_state.hits["mastodon:delegated"] == 1  # the redirect was followed
    # from the server's own profile address, the handle is still the canonical one
    by_url = AccountRef("commune:99101", "mastodon", "mairie", f"https://{DELEGATED_HOST}/@mairie")
    again = await read_account(connector(http), by_url, SINCE)
    assert again.profile.handle == handle and again.notes == ()
    assert again.profile.account_id == profile.account_id


@AIO
async def test_without_webfinger_the_handle_domain_is_the_server(http: SocialHttp) -> None:
    # The closed instance answers its WebFinger path with a web page: the connector
    # falls back on the handle's domain, whose API refuses anonymous reads (as before).
    fetched = await read_account(
        connector(http), ref("ferme", "instance-fermee.plateformes.test"), SINCE
    )
    assert fetched.profile.state is AccountState.CLOSED
    assert fetched.profile.handle == "@ferme@instance-fermee.plateformes.test"
    assert http.requests == 2  # WebFinger, then the lookup on the domain


# --- paging, cut-off and limits --------------------------------------------------------------


@AIO
async def test_paging_follows_the_pages_to_the_cut_off(http: SocialHttp) -> None:
    statuses = payload("ville_exemple", "statuses")
    since = datetime(2024, 11, 1, tzinfo=UTC)  # before every status: read them all
    fetched = await read_account(connector(http), ref("ville_exemple"), since)
    assert [p.post_id for p in fetched.posts] == [s["id"] for s in statuses]
    pages = -(-len(statuses) // PAGE_MAX)
    assert len(statuses) > 2 * PAGE_MAX
    # WebFinger, lookup, every page, and the empty page that ends the list
    assert http.requests == 2 + pages + 1


@AIO
async def test_the_since_cut_off_stops_paging(http: SocialHttp) -> None:
    statuses = payload("ville_exemple", "statuses")
    since = datetime(2025, 3, 1, tzinfo=UTC)
    fetched = await read_account(connector(http), ref("ville_exemple"), since)
    expected = [s["id"] for s in statuses if when(s["created_at"]) >= since]
    assert [p.post_id for p in fetched.posts] == expected
    first_old = next(i for i, s in enumerate(statuses) if when(s["created_at"]) < since)
    assert http.requests == 2 + first_old // PAGE_MAX + 1  # no page after the first old status


@AIO
async def test_max_pages_and_max_posts_bound_the_reading(http: SocialHttp) -> None:
    since = datetime(2024, 11, 1, tzinfo=UTC)
    few_pages = await read_account(
        connector(http, replace(SOCIAL, max_pages=2), page_size=4), ref("ville_exemple"), since
    )
    assert len(few_pages.posts) == 8
    assert any("2 pages" in note for note in few_pages.notes)
    few_posts = await read_account(
        connector(http, replace(SOCIAL, max_posts=5)), ref("ville_exemple"), since
    )
    assert len(few_posts.posts) == 5
    assert any("5 publications" in note for note in few_posts.notes)


@AIO
async def test_the_instance_sends_the_documented_rate_limit_headers(http: SocialHttp) -> None:
    url = f"https://{INSTANCE}/api/v1/accounts/lookup"
    first = await http.get(url, {"acct": "ville_exemple"})
    second = await http.get(url, {"acct": "ville_exemple"})
    assert first.header("X-RateLimit-Limit") == "300"
    assert (
        int(second.header("X-RateLimit-Remaining") or 0)
        == int(first.header("X-RateLimit-Remaining") or 0) - 1
    )
    reset = when(first.header("X-RateLimit-Reset") or "")
    assert 0 < (reset - datetime.now(UTC)).total_seconds() <= 300


# --- what can go wrong -----------------------------------------------------------------------


@AIO
async def test_deleted_account_is_not_found(http: SocialHttp) -> None:
    fetched = await read_account(connector(http), ref("compte_supprime"), SINCE)
    assert fetched.profile.state is AccountState.NOT_FOUND
    assert "introuvable" in (fetched.profile.reason or "")
    assert fetched.posts == ()


@AIO
@pytest.mark.parametrize("user", ["compte_suspendu", "ancien_suspendu"])
async def test_suspended_accounts_new_and_old_style(http: SocialHttp, user: str) -> None:
    fetched = await read_account(connector(http), ref(user), SINCE)
    assert fetched.profile.state is AccountState.SUSPENDED
    assert "suspendu" in (fetched.profile.reason or "")
    assert fetched.profile.followers is None and fetched.posts == ()


@AIO
async def test_moved_account_points_to_its_new_home(http: SocialHttp) -> None:
    account = payload("compte_demenage", "account")
    fetched = await read_account(connector(http), ref("compte_demenage"), SINCE)
    assert fetched.profile.state is AccountState.MOVED
    assert fetched.profile.moved_to == account["moved"]["url"]
    assert "@val_fusion@mastodon.collectivites.test" in (fetched.profile.reason or "")
    assert fetched.profile.account_id == account["uri"]
    assert fetched.posts == ()


@AIO
async def test_instance_refusing_anonymous_api_is_closed(http: SocialHttp) -> None:
    fetched = await read_account(
        connector(http), ref("ferme", "instance-fermee.plateformes.test"), SINCE
    )
    assert fetched.profile.state is AccountState.CLOSED
    assert "lecture anonyme" in (fetched.profile.reason or "")


@AIO
async def test_first_429_is_retried_after_retry_after(web: SampleWeb, http: SocialHttp) -> None:
    started = time.monotonic()
    fetched = await read_account(connector(http), ref("limite_debit"), SINCE)
    assert time.monotonic() - started >= 0.9  # Retry-After: 1
    assert fetched.profile.state is AccountState.OK
    assert [p.post_id for p in fetched.posts] == [
        s["id"] for s in payload("limite_debit", "statuses")
    ]
    assert web.platform_state.hits["mastodon:first429:limite_debit"] == 2


@AIO
async def test_always_429_ends_in_error_with_a_french_reason(http: SocialHttp) -> None:
    fetched = await read_account(connector(http), ref("toujours_limite"), SINCE)
    assert fetched.profile.state is AccountState.ERROR
    assert "limitation de débit" in (fetched.profile.reason or "")


@AIO
async def test_malformed_json_is_an_error_not_a_crash(http: SocialHttp) -> None:
    fetched = await read_account(connector(http), ref("json_casse"), SINCE)
    assert fetched.profile.state is AccountState.ERROR
    assert "JSON illisible" in (fetched.profile.reason or "")


@AIO
async def test_an_unreadable_address_is_said_so(http: SocialHttp) -> None:
    bad = AccountRef("commune:99101", "mastodon", "ville", "https://mastodon.collectivites.test/")
    fetched = await read_account(connector(http), bad, SINCE)
    assert fetched.profile.state is AccountState.ERROR
    assert "illisible" in (fetched.profile.reason or "") and http.requests == 0


def test_error_bodies_map_onto_connector_errors() -> None:
    def answer(status: int, body: bytes) -> ApiResponse:
        return ApiResponse("https://m.test/api", status, (), body, "https://m.test/api")

    def state(status: int, body: bytes) -> AccountState | None:
        found = error_for(answer(status, body), "@x@m.test")
        return found.state if found is not None else None

    found = error_for(answer(404, b'{"error":"Record not found"}'), "@x@m.test")
    assert isinstance(found, AccountNotFound) and "Record not found" in str(found)
    assert state(403, b"<html>interdit</html>") is AccountState.CLOSED
    assert state(401, b'{"error":"This API requires an authenticated user"}') is AccountState.CLOSED
    assert state(410, b"") is AccountState.SUSPENDED
    other = error_for(answer(502, b"Bad gateway"), "@x@m.test")
    assert isinstance(other, ConnectorError) and other.state is AccountState.ERROR
    assert state(200, b"[]") is None


# --- archive and replay ------------------------------------------------------------------------


@AIO
async def test_recorded_reading_replays_identically_offline(web: SampleWeb, tmp_path: Path) -> None:
    web.reset()
    path = tmp_path / "mastodon.warc.gz"
    refs = [ref("ville_exemple"), ref("compte_demenage"), ref("limite_debit"), ref("json_casse")]
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
    # read_account dates a failed profile itself (datetime.now): compare the rest.
    assert [settled(f) for f in replayed] == [settled(f) for f in live]
    assert [f.profile.state for f in replayed] == [
        AccountState.OK,
        AccountState.MOVED,
        AccountState.OK,
        AccountState.ERROR,
    ]
    assert len(replayed[0].posts) > 10
