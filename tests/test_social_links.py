"""Shortened links: recognition, posting-tool fingerprints, and expansion against the
sample web's recorded shortener ``lien.plateformes.test`` (loopback, real HTTP)."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from urllib.parse import urljoin

import pytest
import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from barometre.net.fetcher import Exchange, FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.platforms.shortener import DATA
from barometre.social.http import SocialHttp
from barometre.social.links import expand, expand_all, is_shortened, tool_of

AIO = pytest.mark.asyncio(loop_scope="module")
SHORT = "https://lien.plateformes.test"
CONFIG = FetchConfig(
    user_agent="BarometreNumeriqueTerritoires/test (+http://contact.test/)",
    connect_timeout=2,
    read_timeout=2,
    total_timeout=5,
    retries=1,
    backoff=0.05,
    per_host_delay=0.0,
)

with DATA.open("rb") as handle:
    REDIRECTS: dict[str, str] = tomllib.load(handle)["redirects"]


@pytest.mark.parametrize(
    "url",
    [
        "https://bit.ly/3xYz",
        "http://buff.ly/abc",
        "https://www.tinyurl.com/ville",
        "https://DLVR.IT/Sx1",
        "https://urlz.fr/q2",
        "https://t.co/abc",
        f"{SHORT}/mediatheque",
    ],
)
def test_known_shorteners_are_recognised(url: str) -> None:
    assert is_shortened(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ville-exemple.test/",
        "https://bitly.example.test/x",
        "mailto:a@b.test",
        "",
        "http://[::1",
    ],
)
def test_other_addresses_are_not_shortened(url: str) -> None:
    assert not is_shortened(url)


@pytest.mark.parametrize(
    ("url", "tool"),
    [
        ("https://dlvr.it/SxYz", "dlvr.it"),
        ("https://ift.tt/abc", "IFTTT"),
        ("https://buff.ly/abc", "Buffer"),
        ("https://ow.ly/abc", "Hootsuite"),
        ("https://trib.al/abc", "Echobox"),
        (
            "https://www.region-exemple.test/actualites/budget-2025?utm_source=dlvr.it&utm_medium=mastodon",
            "dlvr.it",
        ),
        ("https://www.ville-exemple.test/?utm_source=IFTTT", "IFTTT"),
        ("https://www.ville-exemple.test/?utm_source=mastodon&utm_medium=social", None),
        ("https://bit.ly/abc", None),
        ("https://www.ville-exemple.test/", None),
    ],
)
def test_posting_tool_fingerprints(url: str, tool: str | None) -> None:
    assert tool_of(url) == tool


@given(st.text(max_size=200))
def test_recognition_never_raises(text: str) -> None:
    assert is_shortened(text) in (True, False)
    assert tool_of(text) is None or isinstance(tool_of(text), str)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb() as sample:
        yield sample


@pytest_asyncio.fixture(loop_scope="module")
async def session(web: SampleWeb) -> AsyncIterator[tuple[SocialHttp, list[str]]]:
    """A SocialHttp on the sample web and the list of URLs it really requested."""
    web.reset()
    requested: list[str] = []

    def record(exchange: Exchange) -> None:
        requested.append(exchange.url)

    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=web.host_map,
        port_map=web.port_map,
        static_only=True,
    )
    async with Fetcher(
        CONFIG, resolver=resolver, ssl_context=web.client_ssl_context(), recorder=record
    ) as fetcher:
        yield SocialHttp(fetcher), requested


@AIO
async def test_one_hop_to_the_site_without_downloading_it(
    session: tuple[SocialHttp, list[str]],
) -> None:
    http, requested = session
    found = await expand_all(http, [f"{SHORT}/mediatheque"])
    result = found[f"{SHORT}/mediatheque"]
    assert result.final == REDIRECTS["/mediatheque"] and result.expanded
    assert result.hops == (f"{SHORT}/mediatheque",)
    assert requested == [f"{SHORT}/mediatheque"]  # the news page itself was not fetched


@AIO
async def test_a_chain_of_two_hops(session: tuple[SocialHttp, list[str]]) -> None:
    http, _ = session
    second = urljoin(f"{SHORT}/", REDIRECTS["/horaires-mairies"])
    found = (await expand_all(http, [f"{SHORT}/horaires-mairies"]))[f"{SHORT}/horaires-mairies"]
    assert found.hops == (f"{SHORT}/horaires-mairies", second)
    assert found.final == REDIRECTS["/r/horaires-mairies"]
    assert "utm_source=dlvr.it" in found.final and tool_of(found.final) == "dlvr.it"
    bounded = (await expand_all(http, [f"{SHORT}/horaires-mairies"], max_hops=1))[
        f"{SHORT}/horaires-mairies"
    ]
    assert bounded.final == f"{SHORT}/horaires-mairies" and "redirections" in (bounded.reason or "")


@AIO
async def test_a_loop_and_a_missing_link_stay_unexpanded_with_their_reason(
    session: tuple[SocialHttp, list[str]],
) -> None:
    http, _ = session
    loop, missing = f"{SHORT}/boucle-a", f"{SHORT}/lien-efface"
    found = await expand_all(http, [loop, missing])
    assert found[loop].final == loop and "boucle" in (found[loop].reason or "")
    assert len(found[loop].hops) == 2
    assert found[missing].final == missing and "HTTP 404" in (found[missing].reason or "")
    assert not found[loop].expanded and not found[missing].expanded


@AIO
async def test_each_url_once_and_plain_links_untouched(
    web: SampleWeb, session: tuple[SocialHttp, list[str]]
) -> None:
    http, requested = session
    site = "https://www.ville-exemple.test/2025/03/budget-participatif-2025/"
    links = [f"{SHORT}/mediatheque", site, f"{SHORT}/mediatheque", f"{SHORT}/budget-region"]
    mapping = await expand(http, links)
    assert mapping == {
        f"{SHORT}/mediatheque": REDIRECTS["/mediatheque"],
        site: site,
        f"{SHORT}/budget-region": REDIRECTS["/budget-region"],
    }
    assert web.platform_state.hits["shortener:/mediatheque"] == 1
    assert sorted(requested) == [f"{SHORT}/budget-region", f"{SHORT}/mediatheque"]


@AIO
async def test_an_unreachable_shortener_keeps_the_link_and_says_why(
    session: tuple[SocialHttp, list[str]],
) -> None:
    http, _ = session
    url = "https://bit.ly/hors-du-web-d-essai"  # not in the sample web: never resolved
    found = (await expand_all(http, [url]))[url]
    assert found.final == url and found.reason
