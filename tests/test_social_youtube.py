"""The YouTube connector against the recorded YouTube of the sample web (loopback only).

Expected values come from the fixture files themselves (``channels.json``, the feed XML
parsed here with ElementTree, ``videos.json``), never from the connector's output.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from barometre.models import AccountState, SocialSource
from barometre.net.fetcher import Exchange, FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.platforms import ENDPOINTS
from barometre.sampleweb.platforms.youtube import DATA, VALID_KEY, channel_page
from barometre.social.base import AccountRef, Fetched, read_account
from barometre.social.config import SocialConfig
from barometre.social.errors import (
    AccessClosed,
    ConnectorDisabled,
    ConnectorError,
    MalformedPayload,
    RateLimited,
)
from barometre.social.http import SocialHttp, redact_exchange
from barometre.social.youtube import YouTubeConnector
from barometre.social.youtube.errors import api_error, feed_error
from barometre.social.youtube.types import (
    channel_from_api,
    links_in_text,
    page_info,
    parse_channel_feed,
)
from barometre.social.youtube.urls import (
    ChannelRef,
    feed_url,
    legacy_channel,
    parse_channel_url,
)

AS_OF = datetime(2025, 3, 20, tzinfo=UTC)
SINCE = AS_OF - timedelta(days=90)
WEB = ENDPOINTS["youtube_web"]
CONFIG = FetchConfig(
    user_agent="BarometreNumeriqueTerritoires/test (+http://contact.test/)",
    connect_timeout=2,
    read_timeout=2,
    total_timeout=3,
    retries=1,
    backoff=0.01,
    per_host_delay=0.0,
    max_retry_after=1,
)
ATOM = "{http://www.w3.org/2005/Atom}"
YT = "{http://www.youtube.com/xml/schemas/2015}"
MEDIA = "{http://search.yahoo.com/mrss/}"


# -- fixture data, read independently of the connector ------------------------------------


def channels() -> dict[str, dict[str, Any]]:
    data = json.loads((DATA / "channels.json").read_text(encoding="utf-8"))
    return {c["handle"]: c for c in data["channels"]}


def comments() -> dict[str, dict[str, Any]]:
    return dict(json.loads((DATA / "videos.json").read_text(encoding="utf-8"))["videos"])


def feed_entries(channel_id: str) -> list[dict[str, Any]]:
    root = ET.parse(DATA / "feeds" / f"{channel_id}.xml").getroot()
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        group = entry.find(f"{MEDIA}group")
        assert group is not None
        stats = group.find(f"{MEDIA}community/{MEDIA}statistics")
        rating = group.find(f"{MEDIA}community/{MEDIA}starRating")
        assert stats is not None and rating is not None
        entries.append(
            {
                "id": entry.findtext(f"{YT}videoId"),
                "title": entry.findtext(f"{ATOM}title"),
                "published": datetime.fromisoformat(entry.findtext(f"{ATOM}published") or ""),
                "description": group.findtext(f"{MEDIA}description") or "",
                "views": int(stats.get("views", "-1")),
                "likes": int(rating.get("count", "-1")),
            }
        )
    return entries


# -- the sample web and a real fetcher --------------------------------------------------------


@pytest_asyncio.fixture
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb() as sample:
        yield sample


@asynccontextmanager
async def fetcher(
    web: SampleWeb, recorder: Callable[[Exchange], None] | None = None
) -> AsyncIterator[Fetcher]:
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=web.host_map,
        port_map=web.port_map,
        static_only=True,
    )
    async with Fetcher(
        CONFIG, resolver=resolver, ssl_context=web.client_ssl_context(), recorder=recorder
    ) as live:
        yield live


def social_config(key: str | None = None, **extra: Any) -> SocialConfig:
    return SocialConfig(
        youtube_web=WEB, youtube_api=ENDPOINTS["youtube_api"], youtube_key=key, **extra
    )


def ref(handle: str, url: str | None = None, known_id: str | None = None) -> AccountRef:
    return AccountRef(
        authority_id="commune:99101",
        platform="youtube",
        handle=f"@{handle}",
        url=url or f"https://www.youtube.com/@{handle}",
        known_id=known_id,
    )


async def read(
    web: SampleWeb, account: AccountRef, key: str | None = None, **extra: Any
) -> Fetched:
    async with fetcher(web) as live:
        http = SocialHttp(live, secrets=[key] if key else [])
        return await read_account(
            YouTubeConnector(http, social_config(key, **extra)), account, SINCE
        )


# -- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/@VilleExemple", ChannelRef("handle", "VilleExemple")),
        (
            "https://www.youtube.com/@VilleExemple/live",
            ChannelRef("handle", "VilleExemple", "live"),
        ),
        ("youtube.com/@VilleExemple/", ChannelRef("handle", "VilleExemple")),
        ("https://m.youtube.com/@CCValleeExemple", ChannelRef("handle", "CCValleeExemple")),
        ("@RegionValDExemple", ChannelRef("handle", "RegionValDExemple")),
        (
            "https://www.youtube.com/channel/UCVilleExemple_Officiel0/videos",
            ChannelRef("channel", "UCVilleExemple_Officiel0", "videos"),
        ),
        ("UCVilleExemple_Officiel0", ChannelRef("channel", "UCVilleExemple_Officiel0")),
        ("https://www.youtube.com/c/VilleExemple", ChannelRef("custom", "VilleExemple")),
        ("https://www.youtube.com/user/villeexemple", ChannelRef("user", "villeexemple")),
        (f"{WEB}/@DepartementExemple", ChannelRef("handle", "DepartementExemple")),
        ("https://www.youtube.com/watch?v=ve250319001", None),
        ("https://www.youtube.com/channel/UCtropcourt", None),
        ("https://www.youtube.com/embed/exempleDep42", None),
        ("https://video.exemple.test/@VilleExemple", None),
        ("", None),
    ],
)
def test_channel_urls(url: str, expected: ChannelRef | None) -> None:
    assert parse_channel_url(url, WEB) == expected


def test_a_legacy_channel_address_needs_the_account_discovery_found() -> None:
    url = "https://www.youtube.com/VilleExemple"
    assert parse_channel_url(url, WEB) is None  # youtube.com/watch has the same shape
    assert legacy_channel(url, "VilleExemple", WEB) == ChannelRef("custom", "VilleExemple")
    assert legacy_channel(url, "AutreNom", WEB) is None
    assert legacy_channel("https://video.exemple.test/VilleExemple", "VilleExemple", WEB) is None


@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
        min_size=22,
        max_size=22,
    )
)
def test_any_channel_id_round_trips_through_its_url(tail: str) -> None:
    channel_id = "UC" + tail
    parsed = parse_channel_url(f"https://www.youtube.com/channel/{channel_id}")
    assert parsed == ChannelRef("channel", channel_id)
    assert feed_url(WEB, channel_id).endswith(f"channel_id={channel_id}")


@given(st.text(max_size=300))
def test_links_in_any_text_are_web_addresses(text: str) -> None:
    for link in links_in_text(text):
        assert link.startswith(("http://", "https://"))
        assert not link.endswith((".", ",", ")"))


def test_links_in_a_description() -> None:
    text = "Site : https://www.ville-exemple.test/. Voir aussi www.region-exemple.test, (https://a.test/x)"
    assert links_in_text(text) == (
        "https://www.ville-exemple.test/",
        "https://www.region-exemple.test",
        "https://a.test/x",
    )


# -- pure parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handle",
    [
        "VilleExemple",
        "RegionValDExemple",
        "DepartementExemple",
        "CCValleeExemple",
        "NumeriqueExemple",
    ],
)
def test_every_page_style_gives_the_channel_id(handle: str) -> None:
    channel = channels()[handle]
    info = page_info(channel_page(channel))
    assert info.channel_id == channel["id"]
    assert info.description == channel["description"]


def test_the_first_embedded_id_is_the_channel_s_own() -> None:
    html = (
        '<html><head><link rel="canonical" href="https://www.youtube.com/@VilleExemple"></head>'
        '<body><script>{"channelId":"UCVilleExemple_Officiel0"} '
        '{"channelId":"UCRegionValDExemple_0001"}</script></body></html>'
    )
    assert page_info(html).channel_id == "UCVilleExemple_Officiel0"
    assert page_info(channel_page(channels()["SansIdentifiant"])).channel_id is None


def test_api_channel_payloads() -> None:
    payload = {
        "items": [
            {
                "kind": "youtube#channel",
                "id": "UCVilleExemple_Officiel0",
                "snippet": {"title": "V", "customUrl": "@v", "publishedAt": "2014-09-15T08:00:00Z"},
                "statistics": {
                    "subscriberCount": "12300",
                    "hiddenSubscriberCount": False,
                    "videoCount": "7",
                },
            }
        ]
    }
    info = channel_from_api(payload)
    assert info is not None
    assert (info.subscribers, info.video_count, info.custom_url) == (12300, 7, "@v")
    assert info.published_at == datetime(2014, 9, 15, 8, tzinfo=UTC)
    hidden = json.loads(json.dumps(payload))
    hidden["items"][0]["statistics"]["hiddenSubscriberCount"] = True
    hidden_info = channel_from_api(hidden)
    assert hidden_info is not None and hidden_info.subscribers is None
    assert channel_from_api({"kind": "youtube#channelListResponse", "pageInfo": {}}) is None
    for broken in ([], {"items": "x"}, {"items": [{"id": "pas-un-id"}]}):
        with pytest.raises(MalformedPayload):
            channel_from_api(broken)


def test_api_error_bodies() -> None:
    url = "https://api.test/youtube/v3/channels?key=REDACTED"

    def body(reason: str, **extra: Any) -> dict[str, Any]:
        return {"error": {"code": 403, "message": "m", "errors": [{"reason": reason}], **extra}}

    quota = api_error(body("quotaExceeded"), 403, url)
    assert isinstance(quota, RateLimited)
    assert "minuit" in str(quota) and "Pacifique" in str(quota)
    for refused in (
        body("keyInvalid"),
        {
            "error": {
                "code": 400,
                "errors": [{"reason": "badRequest"}],
                "details": [{"reason": "API_KEY_INVALID"}],
            }
        },
    ):
        error = api_error(refused, 400, url)
        assert isinstance(error, ConnectorDisabled)
        assert "social_youtube_key" in str(error) and "BAROMETRE_SOCIAL_YOUTUBE_KEY" in str(error)
    assert isinstance(api_error(body("forbidden"), 403, url), AccessClosed)
    other = api_error(body("backendError", message="Erreur côté Google"), 500, url)
    assert type(other) is ConnectorError and "Erreur côté Google" in str(other)
    assert api_error({"items": []}, 200, url) is None
    assert api_error("pas un objet", 502, url) is not None


def test_feed_404_means_deleted_only_when_nothing_showed_the_channel() -> None:
    gone = feed_error(404, "https://f.test")
    assert gone is not None and gone.state is AccountState.NOT_FOUND
    flaky = feed_error(404, "https://f.test", channel_exists=True)
    assert flaky is not None and flaky.state is AccountState.ERROR
    assert feed_error(200, "https://f.test") is None


def test_feed_parsing_matches_the_fixture_xml() -> None:
    channel = channels()["VilleExemple"]
    body = (DATA / "feeds" / f"{channel['id']}.xml").read_bytes()
    feed = parse_channel_feed(body, url="https://f.test", channel_id=channel["id"], web_base=WEB)
    expected = sorted(feed_entries(channel["id"]), key=lambda e: e["published"], reverse=True)
    assert len(expected) == 15
    assert [v.post_id for v in feed.videos] == [e["id"] for e in expected]
    for video, entry in zip(feed.videos, expected, strict=True):
        assert video.published_at == entry["published"]
        assert video.published_at.tzinfo is not None
        assert (video.views, video.likes) == (entry["views"], entry["likes"])
        assert video.text.startswith(entry["title"])
        assert entry["description"] in video.text
        assert video.format == "video"
        assert video.source is SocialSource.FEED
        assert video.account_id == channel["id"]
    assert feed.channel_id == channel["id"]  # the feed's yt:channelId has no "UC" prefix
    assert feed.created_at == datetime.fromisoformat(channel["published"])
    with pytest.raises(MalformedPayload, match="pas un flux"):
        parse_channel_feed(b"<html><body>Erreur</body></html>", url="u", channel_id=channel["id"])


# -- the connector on the recorded platform -------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "handle",
    [
        "VilleExemple",
        "RegionValDExemple",
        "DepartementExemple",
        "CCValleeExemple",
        "NumeriqueExemple",
    ],
)
async def test_keyless_handle_gives_the_channel_id_and_its_videos(
    web: SampleWeb, handle: str
) -> None:
    channel = channels()[handle]
    fetched = await read(web, ref(handle))
    profile = fetched.profile
    assert profile.state is AccountState.OK
    assert profile.account_id == channel["id"]
    assert profile.source is SocialSource.FEED
    assert profile.followers is None
    assert profile.reason is not None and "social_youtube_key" in profile.reason
    entries = feed_entries(channel["id"])
    in_window = sorted(
        (e for e in entries if e["published"] >= SINCE), key=lambda e: e["published"], reverse=True
    )
    assert [p.post_id for p in fetched.posts] == [e["id"] for e in in_window]
    assert [(p.views, p.likes) for p in fetched.posts] == [
        (e["views"], e["likes"]) for e in in_window
    ]
    assert profile.last_post_at == max(e["published"] for e in entries)
    assert all(p.replies is None for p in fetched.posts)  # comment counts need the key


@pytest.mark.asyncio
async def test_description_links_are_the_profile_links(web: SampleWeb) -> None:
    ville = await read(web, ref("VilleExemple"))
    assert "https://www.ville-exemple.test/" in [link.url for link in ville.profile.links]
    region = await read(web, ref("RegionValDExemple"))
    assert [link.url for link in region.profile.links] == ["https://www.region-exemple.test"]
    departement = await read(web, ref("DepartementExemple"))
    assert departement.profile.links == ()


@pytest.mark.asyncio
async def test_dormant_channel(web: SampleWeb) -> None:
    fetched = await read(web, ref("DepartementExemple"))
    assert fetched.profile.state is AccountState.OK
    assert fetched.posts == ()
    assert fetched.profile.last_post_at is not None
    assert AS_OF - fetched.profile.last_post_at > timedelta(days=90)


@pytest.mark.asyncio
async def test_legacy_urls_and_live_tab(web: SampleWeb) -> None:
    ville_id = channels()["VilleExemple"]["id"]
    for url in (
        "https://www.youtube.com/c/VilleExemple",
        "https://www.youtube.com/user/villeexemple",
        "https://www.youtube.com/@VilleExemple/live",
    ):
        fetched = await read(web, ref("VilleExemple", url=url))
        assert fetched.profile.account_id == ville_id, url
    with_key = await read(web, ref("x", url="https://www.youtube.com/user/villeexemple"), VALID_KEY)
    assert with_key.profile.account_id == ville_id
    assert with_key.profile.source is SocialSource.API


@pytest.mark.asyncio
async def test_with_key_subscribers_are_rounded_and_comments_counted(web: SampleWeb) -> None:
    channel = channels()["VilleExemple"]
    fetched = await read(web, ref("VilleExemple"), VALID_KEY)
    profile = fetched.profile
    assert profile.state is AccountState.OK
    assert profile.source is SocialSource.API
    assert profile.followers == int(channel["subscribers"])
    assert profile.followers_exact is False
    assert profile.posts_count == int(channel["videoCount"])
    assert profile.reason is None
    extra = comments()
    assert fetched.posts
    for post in fetched.posts:
        assert post.replies == extra[post.post_id]["comments"]
        assert post.live is extra[post.post_id]["live"]
    assert any(post.live for post in fetched.posts)


@pytest.mark.asyncio
async def test_hidden_subscribers(web: SampleWeb) -> None:
    assert channels()["RegionValDExemple"]["hidden"] is True
    fetched = await read(web, ref("RegionValDExemple"), VALID_KEY)
    assert fetched.profile.state is AccountState.OK
    assert fetched.profile.followers is None
    assert fetched.profile.reason is not None and "masque" in fetched.profile.reason


@pytest.mark.asyncio
async def test_known_id_wins_over_a_renamed_handle(web: SampleWeb) -> None:
    ville_id = channels()["VilleExemple"]["id"]
    old = ref("AncienNomVille", known_id=ville_id)
    keyless = await read(web, old)
    assert keyless.profile.account_id == ville_id
    keyed = await read(web, old, VALID_KEY)
    assert keyed.profile.account_id == ville_id
    assert any("renommé" in note for note in keyed.notes)


@pytest.mark.asyncio
@pytest.mark.parametrize("key", [None, VALID_KEY])
async def test_deleted_channel(web: SampleWeb, key: str | None) -> None:
    fetched = await read(web, ref("ChaineSupprimee"), key)
    assert fetched.profile.state is AccountState.NOT_FOUND
    deleted_id = channels()["ChaineSupprimee"]["id"]
    by_id = await read(web, ref("ChaineSupprimee", known_id=deleted_id), key)
    assert by_id.profile.state is AccountState.NOT_FOUND


@pytest.mark.asyncio
async def test_malformed_feed_is_an_error_with_a_french_reason(web: SampleWeb) -> None:
    fetched = await read(web, ref("FluxCasse"))
    assert fetched.profile.state is AccountState.ERROR
    assert fetched.profile.reason is not None and "mal formé" in fetched.profile.reason


@pytest.mark.asyncio
async def test_page_without_channel_id(web: SampleWeb) -> None:
    fetched = await read(web, ref("SansIdentifiant"))
    assert fetched.profile.state is AccountState.ERROR
    assert fetched.profile.reason is not None and "sans identifiant" in fetched.profile.reason


@pytest.mark.asyncio
async def test_feed_down_while_the_channel_exists(web: SampleWeb) -> None:
    fetched = await read(web, ref("FluxIndisponible"))
    assert fetched.profile.state is AccountState.ERROR  # not "deleted"
    assert fetched.profile.reason is not None and "passagère" in fetched.profile.reason


@pytest.mark.asyncio
async def test_unknown_address(web: SampleWeb) -> None:
    fetched = await read(web, ref("x", url="https://www.dailymotion.test/ville"))
    assert fetched.profile.state is AccountState.ERROR
    assert fetched.profile.reason is not None and "non reconnue" in fetched.profile.reason


@pytest.mark.asyncio
async def test_quota_exceeded(web: SampleWeb) -> None:
    fetched = await read(web, ref("QuotaEpuise"), VALID_KEY)
    assert fetched.profile.state is AccountState.ERROR
    assert fetched.profile.reason is not None
    assert "minuit" in fetched.profile.reason and "Pacifique" in fetched.profile.reason
    keyless = await read(web, ref("QuotaEpuise"))
    assert keyless.profile.state is AccountState.OK  # the feed needs no quota


@pytest.mark.asyncio
async def test_invalid_key_disables_the_connector(web: SampleWeb) -> None:
    key = "cle-fausse-123"
    async with fetcher(web) as live:
        connector = YouTubeConnector(SocialHttp(live, secrets=[key]), social_config(key))
        assert connector.disabled_reason() is None
        first = await read_account(connector, ref("VilleExemple"), SINCE)
        assert first.profile.state is AccountState.DISABLED
        reason = first.profile.reason or ""
        assert "social_youtube_key" in reason and "BAROMETRE_SOCIAL_YOUTUBE_KEY" in reason
        assert key not in reason
        assert connector.disabled_reason() == reason  # said once, nothing more is read
        requests = connector.http.requests
        second = await read_account(connector, ref("RegionValDExemple"), SINCE)
        assert second.profile.state is AccountState.DISABLED
        assert connector.http.requests == requests


@pytest.mark.asyncio
async def test_max_posts_caps_the_videos(web: SampleWeb) -> None:
    fetched = await read(web, ref("VilleExemple"), max_posts=3)
    assert len(fetched.posts) == 3
    assert fetched.posts == tuple(sorted(fetched.posts, key=lambda p: p.published_at, reverse=True))


@pytest.mark.asyncio
async def test_recorded_api_checks_its_parameters(web: SampleWeb) -> None:
    api = ENDPOINTS["youtube_api"] + "/channels"
    async with fetcher(web) as live:
        http = SocialHttp(live)
        response, body = await http.get_json(api, {"part": "snippet", "forHandle": "@VilleExemple"})
        assert response.status == 403 and body["error"]["errors"][0]["reason"] == "forbidden"
        response, body = await http.get_json(api, {"forHandle": "@VilleExemple", "key": VALID_KEY})
        assert response.status == 400 and body["error"]["errors"][0]["reason"] == "required"
        response, body = await http.get_json(api, {"part": "snippet", "key": VALID_KEY})
        assert body["error"]["errors"][0]["reason"] == "missingRequiredParameter"
        response, body = await http.get_json(
            api, {"part": "snippet", "id": "x", "forHandle": "@a", "key": VALID_KEY}
        )
        assert body["error"]["errors"][0]["reason"] == "incompatibleParameters"
        response, body = await http.get_json(
            api, {"part": "snippet,statistics", "forHandle": "@villeexemple", "key": VALID_KEY}
        )
        assert response.status == 200 and body["items"][0]["id"] == channels()["VilleExemple"]["id"]
        missing = await http.get(WEB + "/feeds/videos.xml", accept="application/atom+xml")
        assert missing.status == 400


# -- secrets and replay ---------------------------------------------------------------------------


def without_time(fetched: Fetched) -> Fetched:
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    return dataclasses.replace(
        fetched, profile=dataclasses.replace(fetched.profile, fetched_at=epoch)
    )


@pytest.mark.asyncio
async def test_key_never_archived_and_replay_gives_the_same_records(
    web: SampleWeb, tmp_path: Path
) -> None:
    path = tmp_path / "youtube.warc.gz"
    key = VALID_KEY
    accounts = [ref("VilleExemple"), ref("RegionValDExemple"), ref("QuotaEpuise"), ref("FluxCasse")]
    with WarcRecorder(path) as warc:
        async with fetcher(
            web, lambda exchange: warc.record(redact_exchange(exchange, [key]))
        ) as live:
            connector = YouTubeConnector(SocialHttp(live, secrets=[key]), social_config(key))
            recorded = [await read_account(connector, a, SINCE) for a in accounts]
    assert recorded[0].profile.source is SocialSource.API  # the key was really used
    archive = gzip.decompress(path.read_bytes())
    assert b"/youtube/v3/channels" in archive
    assert key.encode() not in archive
    for fetched in recorded:
        assert key not in repr(fetched)

    replay = SocialHttp(Replay(path, CONFIG), secrets=[key], replay=True)
    connector = YouTubeConnector(replay, social_config(key))
    replayed = [await read_account(connector, a, SINCE) for a in accounts]
    assert [without_time(f) for f in replayed] == [without_time(f) for f in recorded]
    assert [f.profile.state for f in replayed] == [
        AccountState.OK,
        AccountState.OK,
        AccountState.ERROR,
        AccountState.ERROR,
    ]


@pytest.mark.asyncio
async def test_a_naive_since_is_read_as_utc(web: SampleWeb) -> None:
    async with fetcher(web) as live:
        connector = YouTubeConnector(SocialHttp(live), social_config())
        aware = await read_account(connector, ref("VilleExemple"), SINCE)
        naive = await read_account(connector, ref("VilleExemple"), SINCE.replace(tzinfo=None))
    assert naive.profile.state is AccountState.OK
    assert [p.post_id for p in naive.posts] == [p.post_id for p in aware.posts] != []
