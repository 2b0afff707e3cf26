"""Real payloads of the platforms' documentation and client libraries, through our readers.

The files are in ``tests/fixtures/platforms/<platform>/``, each listed with its source
(repository, path, commit, licence) in ``SOURCES.toml``. Expected values are read from
the payloads here with plain dictionary lookups (or, where a value is written by hand,
taken from the payload as published), independently of the parsers under test.
"""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from barometre.models import AccountState
from barometre.social.bluesky.types import (
    facet_links,
    parse_time,
    post_from_item,
    profile_from_view,
)
from barometre.social.bluesky.urls import did_of
from barometre.social.errors import (
    AccessClosed,
    AccountNotFound,
    ConnectorDisabled,
)
from barometre.social.http import ApiResponse
from barometre.social.imports.values import read_when
from barometre.social.mastodon.errors import error_for
from barometre.social.mastodon.types import address_from_jrd, post_from_status, profile_from_account
from barometre.social.mastodon.urls import MastodonAddress
from barometre.social.rss.types import read_feed_document
from barometre.social.youtube.errors import api_error
from barometre.social.youtube.types import (
    channel_from_api,
    parse_channel_feed,
    video_stats_from_api,
)

ROOT = Path(__file__).parent / "fixtures" / "platforms"
NOW = datetime(2026, 12, 6, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def load(platform: str, name: str) -> Any:
    return json.loads((ROOT / platform / name).read_text(encoding="utf-8"))


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- provenance ------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["mastodon", "bluesky", "youtube", "feeds"])
def test_every_payload_says_where_it_comes_from(platform: str) -> None:
    folder = ROOT / platform
    sources = tomllib.loads((folder / "SOURCES.toml").read_text(encoding="utf-8"))
    data = {p.name for p in folder.iterdir() if p.suffix in (".json", ".xml")}
    assert data == set(sources["files"]), "a data file without its source, or a source without file"
    for name, entry in sources["files"].items():
        repository = sources["repositories"][entry["repository"]]
        assert len(repository["commit"]) == 40 and entry["path"] and entry["what"], name
        licence_file = repository.get("licence_file")
        assert licence_file is None or (folder / licence_file).is_file(), licence_file


# --- Mastodon ----------------------------------------------------------------------------------

MASTODON_ACCOUNTS = [
    # file, websites of the fields (verified or not), as published
    ("docs-entities-account.json", [("http://shork.xyz", True)]),
    ("mastodonpy-entity-account-23972.json", [("https://halcy.de/", True), ("https://demoscene.vc/", False)]),
    ("mastodonpy-account-lookup-200.json", []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "links"), MASTODON_ACCOUNTS)
def test_mastodon_accounts(name: str, links: list[tuple[str, bool]]) -> None:
    account = load("mastodon", name)
    host = urlsplit(account["url"]).hostname
    assert host is not None
    profile = profile_from_account(
        account, MastodonAddress(account["username"], host), fetched_at=NOW
    )
    assert profile.state is AccountState.OK
    assert profile.account_id == account.get("uri", account["url"])
    assert profile.url == account["url"]
    assert profile.display_name == (account["display_name"] or None)
    assert (profile.followers, profile.following, profile.posts_count) == (
        account["followers_count"],
        account["following_count"],
        account["statuses_count"],
    )
    assert profile.created_at == when(account["created_at"])
    assert profile.last_post_at is not None
    assert profile.last_post_at.date().isoformat() == account["last_status_at"][:10]
    assert [(link.url, link.verified) for link in profile.links] == links


@pytest.mark.parametrize(
    ("name", "links", "media", "poll"),
    [
        (
            "docs-entities-status.json",
            ["https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"],
            [],
            False,
        ),
        ("mastodonpy-entity-status-110446183735368325.json", [], [], True),
        ("mastodonpy-entity-status-110446223051565765.json", [], [("gif", "a furry cube breakdancing")], False),
    ],
)  # fmt: skip
def test_mastodon_statuses(
    name: str, links: list[str], media: list[tuple[str, str]], poll: bool
) -> None:
    status = load("mastodon", name)
    account = status["account"]
    post = post_from_status(
        status, account_api_id=account["id"], account_id=account.get("uri", account["url"])
    )
    assert post.post_id == status["id"]
    assert post.published_at == when(status["created_at"])
    assert post.url == status["url"]
    assert post.language == status["language"]
    assert (post.likes, post.reposts, post.replies) == (
        status["favourites_count"],
        status["reblogs_count"],
        status["replies_count"],
    )
    assert list(post.links) == links
    assert [(m.kind, m.alt) for m in post.media] == media
    assert post.poll is poll and not post.is_repost and post.reply_to is None
    assert post.text and "<" not in post.text


@pytest.mark.parametrize(
    ("name", "asked", "expected"),
    [
        (
            "docs-spec-webfinger-gargron.json",
            MastodonAddress("gargron", "mastodon.social"),
            MastodonAddress("Gargron", "mastodon.social"),
        ),
        (
            "docs-spec-webfinger-minimal.json",
            MastodonAddress("username", "host.example"),
            MastodonAddress("username", "host.example"),
        ),
    ],
)
def test_mastodon_webfinger(name: str, asked: MastodonAddress, expected: MastodonAddress) -> None:
    assert address_from_jrd(load("mastodon", name), asked) == expected


@pytest.mark.parametrize(
    ("name", "status", "error"),
    [
        ("docs-methods-accounts-statuses-401-whitelist.json", 401, AccessClosed),
        ("docs-methods-accounts-statuses-401-before-2.7.json", 401, AccessClosed),
        ("docs-methods-accounts-statuses-404.json", 404, AccountNotFound),
        ("mastodonpy-account-lookup-404.json", 404, AccountNotFound),
    ],
)
def test_mastodon_error_bodies(name: str, status: int, error: type[Exception]) -> None:
    body = (ROOT / "mastodon" / name).read_bytes()
    url = "https://mastodon.example/api/v1/accounts/lookup"
    found = error_for(ApiResponse(url, status, (), body, url), "@x@mastodon.example")
    assert isinstance(found, error)
    assert f"« {load('mastodon', name)['error']} »" in str(found)  # the instance's words


# --- Bluesky -----------------------------------------------------------------------------------


def test_bluesky_post_view_with_record_and_images() -> None:
    view = load("bluesky", "atproto-python-thread-view-post-with-embed-media.json")["thread"][
        "post"
    ]
    post = post_from_item({"post": view}, account_id=view["author"]["did"], now=NOW)
    assert post is not None
    assert post.post_id == view["uri"]
    assert post.published_at == when(view["record"]["createdAt"])
    assert post.text == view["record"]["text"]
    images = view["embed"]["media"]["images"]
    assert [(m.kind, m.alt, m.url) for m in post.media] == [
        ("image", None, image["fullsize"]) for image in images
    ]  # an empty alt is no alt
    assert (post.likes, post.reposts, post.replies) == (
        view["likeCount"],
        view["repostCount"],
        view["replyCount"],
    )
    assert post.language == view["record"]["langs"][0]
    assert (
        post.url
        == f"https://bsky.app/profile/{view['author']['handle']}/post/{view['uri'].rsplit('/', 1)[1]}"
    )


def test_bluesky_profile_views() -> None:
    answer = load("bluesky", "atproto-python-get-follows.json")
    views = [answer["subject"], *answer["follows"]]
    assert len(views) == 7
    for view in views:
        profile = profile_from_view(view, claimed_handle=None, site_host=None, fetched_at=NOW)
        assert (profile.account_id, profile.handle) == (view["did"], view["handle"])
        assert profile.display_name == (view.get("displayName") or None)
        assert profile.created_at == (when(view["createdAt"]) if "createdAt" in view else None)


@pytest.mark.parametrize(
    "name", ["atproto-python-post-record.json", "atproto-python-extended-post-record.json"]
)
def test_bluesky_records_of_get_record(name: str) -> None:
    answer = load("bluesky", name)
    record = answer["value"]
    post = post_from_item(
        {"post": {"uri": answer["uri"], "record": record}}, account_id="did:x", now=NOW
    )
    assert post is not None and post.post_id == answer["uri"]
    written = datetime.fromisoformat(record["createdAt"])  # the extended one has no zone: UTC
    assert post.published_at == (written if written.tzinfo else written.replace(tzinfo=UTC))
    assert post.text == record["text"]


@pytest.mark.parametrize(
    ("line", "links", "parent_did"),
    [
        (16, [], None),
        (79, [], None),
        (109, ["https://en.wikipedia.org/wiki/CBOR"], None),  # the mention facet is no link
        (235, [], "did:plc:u5cwb2mwiv2bfq53cjufe6yn"),
        (308, [], None),
        (395, [], None),
        (446, [], None),
    ],
)
def test_bluesky_documented_post_records(
    line: int, links: list[str], parent_did: str | None
) -> None:
    record = load("bluesky", f"bsky-docs-posts-record-line{line}.json")
    assert parse_time(record["createdAt"]) == when(record["createdAt"])
    assert facet_links(record) == links
    parent = record.get("reply", {}).get("parent", {}).get("uri")
    assert (did_of(parent) if parent else None) == parent_did


# --- YouTube -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["pyyoutube-channel-info-single.json", "pyyoutube-channels-info-multiple.json"]
)
def test_youtube_channels(name: str) -> None:
    answer = load("youtube", name)
    first = answer["items"][0]
    channel = channel_from_api(answer)
    assert channel is not None
    assert channel.channel_id == first["id"]
    assert channel.title == first["snippet"]["title"]
    assert channel.subscribers == int(first["statistics"]["subscriberCount"])
    assert channel.video_count == int(first["statistics"]["videoCount"])
    assert not channel.subscribers_hidden
    assert channel.published_at == when(first["snippet"]["publishedAt"])


def test_youtube_video_statistics() -> None:
    answer = load("youtube", "pyyoutube-video-api-response.json")
    stats = video_stats_from_api(answer)
    for item in answer["items"]:
        numbers = item["statistics"]
        found = stats[item["id"]]
        assert (found.views, found.likes, found.comments, found.live) == (
            int(numbers["viewCount"]),
            int(numbers["likeCount"]),
            int(numbers["commentCount"]),
            False,
        )


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("pyyoutube-error-response.json", ConnectorDisabled),  # keyInvalid: the key is refused
        ("pyyoutube-error-permission.json", AccessClosed),
    ],
)
def test_youtube_error_bodies(name: str, error: type[Exception]) -> None:
    answer = load("youtube", name)
    assert isinstance(api_error(answer, answer["error"]["code"], "https://api.example/"), error)


def test_youtube_channel_feed() -> None:
    import xml.etree.ElementTree as ET

    body = (ROOT / "youtube" / "capyreader-atom-feed-youtube.xml").read_bytes()
    ns = {"a": "http://www.w3.org/2005/Atom", "yt": "http://www.youtube.com/xml/schemas/2015",
          "m": "http://search.yahoo.com/mrss/"}  # fmt: skip
    entries = ET.fromstring(body).findall("a:entry", ns)
    channel = "UC9PBzalIcEQCsiIkq36PyUA"
    feed = parse_channel_feed(
        body, url="https://www.youtube.com/feeds/videos.xml", channel_id=channel
    )
    assert feed.channel_id == channel  # the feed writes it without « UC »
    assert feed.title == "Digital Foundry"
    assert len(feed.videos) == len(entries) == 15
    by_id = {video.post_id: video for video in feed.videos}
    for entry in entries:
        video = by_id[entry.findtext("yt:videoId", namespaces=ns) or ""]
        assert video.published_at == when(entry.findtext("a:published", namespaces=ns) or "")
        community = entry.find("m:group/m:community", ns)
        assert community is not None
        rating, statistics = community.find("m:starRating", ns), community.find("m:statistics", ns)
        assert rating is not None and statistics is not None
        assert video.likes == int(rating.attrib["count"])
        assert video.views == int(statistics.attrib["views"])


# --- French feed dates -------------------------------------------------------------------------

WEEKDAYS = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]


def test_real_french_feed_dates() -> None:
    data = load("feeds", "planet-jupiter-french-pubdates.json")
    assert len(data["dates"]) == 57
    for text in data["dates"]:
        found = read_when(text, tz=PARIS, day_first=True)
        assert found is not None and found.has_time, text
        # the weekday the feed wrote is the weekday of the date read: day, month and year
        assert WEEKDAYS[found.at.weekday()] == text.split(",")[0], text
        assert (
            found.at.strftime("%H:%M:%S %z")
            == text.rsplit(" ", 2)[1] + " " + text.rsplit(" ", 1)[1]
        )
    for french, english in data["expected"].items():  # the peer's own answer
        found = read_when(french, tz=PARIS, day_first=True)
        assert found is not None and found.at == parsedate_to_datetime(english)


def test_real_french_feed_dates_through_the_feed_reader() -> None:
    dates = load("feeds", "planet-jupiter-french-pubdates.json")["dates"]
    items = "".join(
        f"<item><title>Épisode {n}</title><link>https://podcast.example/{n}</link>"
        f"<pubDate>{text}</pubDate></item>"
        for n, text in enumerate(dates)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>p</title>{items}</channel></rss>'
    )
    feed = read_feed_document(body.encode(), "https://podcast.example/rss")
    assert feed.undated == 0 and len(feed.items) == 57
