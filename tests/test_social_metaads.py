"""The Meta Ad Library client against the recorded Graph API of the sample web.

Expected ads are computed from ``data/meta/ads_archive.json`` (the fixture), not from
the client's output.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from barometre.models import AccountState
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder, read_exchanges
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.platforms import ENDPOINTS
from barometre.sampleweb.platforms.meta import DATA, EXPIRED_TOKEN, VALID_TOKEN
from barometre.sampleweb.sites import SITES_DIR
from barometre.social.config import SocialConfig
from barometre.social.errors import (
    AccessClosed,
    ConnectorDisabled,
    ConnectorError,
    MalformedPayload,
    RateLimited,
)
from barometre.social.http import SocialHttp, redact_exchange
from barometre.social.imports.values import CountRange
from barometre.social.metaads import MetaAdLibrary, page_id_from_url
from barometre.social.metaads.errors import graph_error
from barometre.social.metaads.types import AdsSummary, parse_ads_page, parse_graph_date

AS_OF = datetime(2025, 3, 20, tzinfo=UTC)
SINCE = AS_OF - timedelta(days=90)
SINCE_DAY = SINCE.date()
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
VILLE, VILLENEUVE, PETIT_BOIS, REGION, LIMITED = (
    "100000000000101",
    "123456789012345",
    "100000000000001",
    "100000000000102",
    "100000000000666",
)


def expected_reach(page_id: str, since: date = SINCE_DAY) -> dict[str, tuple[int, int]]:
    """``id → (lower, upper)`` of the fixture's reaches (a number is its own bounds)."""
    page = json.loads((DATA / "ads_archive.json").read_text(encoding="utf-8"))["pages"][page_id]
    found = {}
    for ad in page["ads"]:
        if ad["id"] in expected_ids(page_id, since):
            reach = ad["eu_total_reach"]
            if isinstance(reach, dict):
                found[ad["id"]] = (int(reach["lower_bound"]), int(reach["upper_bound"]))
            else:
                found[ad["id"]] = (reach, reach)
    return found


def expected_ids(page_id: str, since: date = SINCE_DAY) -> list[str]:
    """Ids of the fixture's ads delivered in France on or after ``since``."""
    page = json.loads((DATA / "ads_archive.json").read_text(encoding="utf-8"))["pages"][page_id]
    return sorted(
        (
            ad["id"]
            for ad in page["ads"]
            if "FR" in ad["countries"]
            and (ad["stop"] is None or date.fromisoformat(ad["stop"]) >= since)
        ),
        reverse=True,
    )


@pytest_asyncio.fixture
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb() as sample:
        yield sample


@asynccontextmanager
async def library(
    web: SampleWeb, token: str | None, recorder: WarcRecorder | None = None, **config: Any
) -> AsyncIterator[MetaAdLibrary]:
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=web.host_map,
        port_map=web.port_map,
        static_only=True,
    )

    def record(exchange: Any) -> None:
        assert recorder is not None
        recorder.record(redact_exchange(exchange, [token or ""]))

    async with Fetcher(
        CONFIG,
        resolver=resolver,
        ssl_context=web.client_ssl_context(),
        recorder=record if recorder else None,
    ) as live:
        settings = SocialConfig(meta_graph=ENDPOINTS["meta_graph"], meta_token=token, **config)
        yield MetaAdLibrary(SocialHttp(live), settings, page_size=5)


# -- page ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.facebook.com/profile.php?id=100000000000001", "100000000000001"),
        ("https://fr-fr.facebook.com/pages/Mairie-de-Bourg-Exemple/123456789012", "123456789012"),
        (
            "https://www.facebook.com/pages/category/Government-Organization/Mairie-X-556677889900/",
            None,
        ),
        ("facebook.com/Mairie-de-Villeneuve-Exemple-123456789012345", "123456789012345"),
        ("https://m.facebook.com/100064123456789/", "100064123456789"),
        ("https://www.facebook.com/people/Mairie-de-Y/100089999999999/", "100089999999999"),
        (
            "https://www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2F123456789012345",
            "123456789012345",
        ),
        ("https://www.facebook.com/VilleExemple", None),
        ("https://www.facebook.com/Mairie-2024", None),
        ("https://www.facebook.com/OfficeTourismeValleeDesTroisVillages/posts/123456789", None),
        ("https://www.facebook.com/groups/lacexemple.entraide", None),
        ("https://www.facebook.com/profile.php?id=abc", None),
        ("https://www.exemple.test/profile.php?id=100000000000001", None),
        ("", None),
    ],
)
def test_page_id_from_url(url: str, expected: str | None) -> None:
    assert page_id_from_url(url) == expected


def test_page_ids_of_the_sample_sites() -> None:
    """Every Facebook link of the sample sites: ids only where the address carries one."""
    links = set()
    for page in SITES_DIR.rglob("*.html"):
        links.update(
            re.findall(r'https://www\.facebook\.com/[^"\s<]+', page.read_text(encoding="utf-8"))
        )
    found = {link: page_id_from_url(link) for link in links}
    assert (
        found["https://www.facebook.com/Mairie-de-Villeneuve-Exemple-123456789012345"] == VILLENEUVE
    )
    assert found["https://www.facebook.com/profile.php?id=100000000000001"] == PETIT_BOIS
    assert found["https://www.facebook.com/VilleExemple"] is None
    assert all(value is None or value.isdigit() for value in found.values())


# -- pure parsing -----------------------------------------------------------------------------


def test_graph_dates() -> None:
    assert parse_graph_date("2025-02-10") == date(2025, 2, 10)
    assert parse_graph_date("2025-02-10T23:30:00+0000") == date(2025, 2, 10)
    assert parse_graph_date("2025-02-10T23:30:00-0200") == date(2025, 2, 11)
    for bad in (None, "", "hier", 20250210, "2025-13-01"):
        assert parse_graph_date(bad) is None


def test_graph_error_codes() -> None:
    url = "https://graph.test/v21.0/ads_archive?access_token=REDACTED"

    def body(code: int, message: str = "m") -> dict[str, Any]:
        return {
            "error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "x"}
        }

    expired = graph_error(body(190), 400, url)
    assert isinstance(expired, ConnectorDisabled)
    assert "renouveler" in str(expired) and "social_meta_token" in str(expired)
    assert "BAROMETRE_SOCIAL_META_TOKEN" in str(expired)
    for code in (4, 17, 32, 613):
        assert isinstance(graph_error(body(code), 400, url), RateLimited), code
    for code in (10, 200):
        error = graph_error(body(code), 403, url)
        assert isinstance(error, AccessClosed) and error.state is AccountState.CLOSED
    other = graph_error(body(100, "(#100) Paramètre manquant"), 400, url)
    assert type(other) is ConnectorError and "Paramètre manquant" in str(other)
    assert graph_error({"data": []}, 200, url) is None
    assert graph_error("<html>", 502, url) is not None


def test_ads_page_parsing_redacts_the_token() -> None:
    payload = {
        "data": [
            {
                "id": "1",
                "page_id": "9",
                "ad_snapshot_url": "https://f.test/render_ad/?id=1&access_token=secret-42",
                "publisher_platforms": ["FACEBOOK", "instagram"],
                "eu_total_reach": 12,
                "ad_delivery_start_time": "2025-01-02",
            },
            {"id": "not-an-id"},
        ],
        "paging": {"next": "https://graph.test/v21.0/ads_archive?limit=1&after=QUJD"},
    }
    ads, after = parse_ads_page(payload, ["secret-42"])
    assert [a.id for a in ads] == ["1"]
    assert ads[0].snapshot_url is not None and "secret-42" not in ads[0].snapshot_url
    assert ads[0].platforms == ("facebook", "instagram")
    assert ads[0].active and ads[0].delivery_start == date(2025, 1, 2)
    assert after == "QUJD"
    assert parse_ads_page({"data": [], "paging": {"next": "x"}}) == ([], None)
    with pytest.raises(MalformedPayload):
        parse_ads_page({"data": "x"})


@pytest.mark.parametrize(
    ("reach", "expected"),
    [
        (5210, CountRange(5210, 5210)),
        ({"lower_bound": "1000", "upper_bound": "4999"}, CountRange(1000, 4999)),
        ({"lower_bound": 1000000}, CountRange(1_000_000, None)),  # open range
        ("1K-5K", CountRange(1000, 5000)),
        ("1,2 k", CountRange(1200, 1200)),
        ("une foule", None),
        (True, None),
    ],
)
def test_reach_as_number_or_range_is_kept(reach: object, expected: CountRange | None) -> None:
    (ad,), _ = parse_ads_page({"data": [{"id": "1", "eu_total_reach": reach}]})
    assert ad.eu_total_reach == expected


def test_reach_summary_says_what_is_a_range() -> None:
    payload = {
        "data": [
            {"id": "1", "eu_total_reach": 1840},
            {"id": "2", "eu_total_reach": {"lower_bound": "5000", "upper_bound": "9999"}},
            {"id": "3"},
        ]
    }
    ads, _ = parse_ads_page(payload)
    summary = AdsSummary.of(ads)
    assert (summary.count, summary.reach, summary.ranged, summary.unknown) == (
        3,
        CountRange(6840, 11839),
        1,
        1,
    )
    assert summary.detail() == {
        "couverture_ue": 9339,
        "couverture_ue_min": 6840,
        "couverture_ue_max": 11839,
        "note": "Couverture dans l'UE donnée par Meta en fourchette pour 1 publicité sur 3 : "
        "les bornes sont additionnées (couverture_ue_min, couverture_ue_max) et la valeur "
        "retenue est leur milieu. Couverture inconnue pour 1 publicité, non comptée.",
    }
    opened, _ = parse_ads_page({"data": [{"id": "4", "eu_total_reach": {"lower_bound": "1000"}}]})
    assert (
        AdsSummary.of(opened)
        .detail()["note"]
        .endswith("la valeur retenue est la borne basse (fourchette ouverte).")
    )
    exact = AdsSummary.of(ads[:1])
    assert exact.detail() == {"couverture_ue": 1840}
    assert AdsSummary.of([]).detail() == {}


# -- against the recorded Graph API ------------------------------------------------------------


@pytest.mark.asyncio
async def test_without_token_one_clear_message_and_no_request(web: SampleWeb) -> None:
    async with library(web, None) as ads:
        reason = ads.disabled_reason()
        assert reason is not None
        assert "social_meta_token" in reason and "BAROMETRE_SOCIAL_META_TOKEN" in reason
        assert "non mesurables" in reason
        with pytest.raises(ConnectorDisabled) as caught:
            await ads.ads(VILLE, SINCE)
        assert str(caught.value) == reason
        assert ads.http.requests == 0


@pytest.mark.asyncio
async def test_paging_collects_every_page(web: SampleWeb) -> None:
    expected = expected_ids(VILLE)
    assert len(expected) > 5  # more than one page of 5
    async with library(web, VALID_TOKEN) as ads:
        found = await ads.ads(VILLE, SINCE)
        assert sorted((a.id for a in found), reverse=True) == expected
        assert ads.http.requests == 2
        assert ads.complete
        assert all(a.page_id == VILLE and a.page_name == "Ville-Exemple" for a in found)
        starts = [a.delivery_start for a in found]
        assert starts == sorted(starts, reverse=True)  # type: ignore[type-var]


@pytest.mark.asyncio
async def test_max_pages_bounds_the_search(web: SampleWeb) -> None:
    async with library(web, VALID_TOKEN, max_pages=1) as ads:
        found = await ads.ads(VILLE, SINCE)
        assert len(found) == 5
        assert not ads.complete
        assert ads.http.requests == 1


@pytest.mark.asyncio
async def test_pages_with_and_without_ads(web: SampleWeb) -> None:
    async with library(web, VALID_TOKEN) as ads:
        villeneuve = await ads.ads(VILLENEUVE, SINCE)
        assert sorted((a.id for a in villeneuve), reverse=True) == expected_ids(VILLENEUVE)
        assert any(a.active for a in villeneuve)
        for ad in villeneuve:
            assert ad.snapshot_url is not None and "REDACTED" in ad.snapshot_url
            assert VALID_TOKEN not in ad.snapshot_url
            assert "facebook" in ad.platforms
        reaches = {a.id: a.eu_total_reach for a in villeneuve}
        assert {k: (r.lower, r.upper) for k, r in reaches.items() if r} == expected_reach(
            VILLENEUVE
        )
        assert await ads.ads(PETIT_BOIS, SINCE) == []
        region = await ads.ads(REGION, SINCE)
        assert sorted((a.id for a in region), reverse=True) == expected_ids(REGION)
        older = await ads.ads(VILLE, datetime(2024, 9, 1, tzinfo=UTC))
        assert sorted((a.id for a in older), reverse=True) == expected_ids(VILLE, date(2024, 9, 1))


@pytest.mark.asyncio
async def test_expired_token_disables_the_library(web: SampleWeb) -> None:
    async with library(web, EXPIRED_TOKEN) as ads:
        assert ads.disabled_reason() is None
        with pytest.raises(ConnectorDisabled) as caught:
            await ads.ads(VILLE, SINCE)
        message = str(caught.value)
        assert "renouveler" in message and "social_meta_token" in message
        assert EXPIRED_TOKEN not in message
        assert ads.disabled_reason() == message
        requests = ads.http.requests
        with pytest.raises(ConnectorDisabled):
            await ads.ads(VILLENEUVE, SINCE)
        assert ads.http.requests == requests


@pytest.mark.asyncio
async def test_rate_limit(web: SampleWeb) -> None:
    async with library(web, VALID_TOKEN) as ads:
        with pytest.raises(RateLimited) as caught:
            await ads.ads(LIMITED, SINCE)
    assert "613" in str(caught.value) and VALID_TOKEN not in str(caught.value)
    assert caught.value.state is AccountState.ERROR


@pytest.mark.asyncio
async def test_invalid_page_id(web: SampleWeb) -> None:
    async with library(web, VALID_TOKEN) as ads:
        with pytest.raises(ConnectorError, match="invalide"):
            await ads.ads("VilleExemple", SINCE)
        assert ads.http.requests == 0


@pytest.mark.asyncio
async def test_recorded_graph_checks_its_parameters(web: SampleWeb) -> None:
    url = ENDPOINTS["meta_graph"] + "/ads_archive"
    base = {"search_page_ids": VILLE, "ad_reached_countries": '["FR"]', "access_token": VALID_TOKEN}
    async with library(web, VALID_TOKEN) as ads:
        http = ads.http
        _, body = await http.get_json(url, {k: v for k, v in base.items() if k != "access_token"})
        assert body["error"]["code"] == 104
        _, body = await http.get_json(
            url, {k: v for k, v in base.items() if k != "ad_reached_countries"}
        )
        assert body["error"]["code"] == 100 and "ad_reached_countries" in body["error"]["message"]
        _, body = await http.get_json(url, {**base, "fields": "id,spend_secret"})
        assert body["error"]["code"] == 100 and "nonexisting field" in body["error"]["message"]
        _, body = await http.get_json(url, {**base, "access_token": "n-importe-quoi"})
        assert body["error"]["code"] == 190
        response, body = await http.get_json(
            url, {**base, "limit": 2, "fields": "id", "ad_active_status": "ALL"}
        )
        assert response.status == 200 and len(body["data"]) == 2 and set(body["data"][0]) == {"id"}
        assert "after=" in body["paging"]["next"]


@pytest.mark.asyncio
async def test_record_then_replay_gives_the_same_ads(web: SampleWeb, tmp_path: Path) -> None:
    path = tmp_path / "meta.warc.gz"
    with WarcRecorder(path) as warc:
        async with library(web, VALID_TOKEN, recorder=warc) as ads:
            live = await ads.ads(VILLE, SINCE)
    assert len(live) == len(expected_ids(VILLE))
    uris = [exchange.url for exchange in read_exchanges(path)]
    assert len(uris) == 2 and all("access_token=REDACTED" in u for u in uris)
    assert all(VALID_TOKEN not in u for u in uris)
    assert b"ads_archive" in gzip.decompress(path.read_bytes())

    settings = SocialConfig(meta_graph=ENDPOINTS["meta_graph"], meta_token=VALID_TOKEN)
    replay = SocialHttp(Replay(path, CONFIG), secrets=[VALID_TOKEN], replay=True)
    offline = await MetaAdLibrary(replay, settings, page_size=5).ads(VILLE, SINCE)
    assert offline == live
