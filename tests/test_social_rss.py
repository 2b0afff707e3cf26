"""Site feeds: the sample web's real RSS files, and hostile feeds from a loopback server.

Expected items are read from the fixture XML with ElementTree, independently of
feedparser and of the code under test.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web as aioweb
from hypothesis import given
from hypothesis import strategies as st

from barometre.models import AccountState
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.sites import SITES_DIR
from barometre.social.errors import ConnectorError, MalformedPayload
from barometre.social.http import SocialHttp
from barometre.social.rss import SiteFeedReader, feed_links, normalise_feed_url, parse_feed
from barometre.social.rss.errors import InvalidFeedUrl
from barometre.social.rss.types import clean_text

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
TRAP = "flux-piege.test"


def expected_items(path: Path) -> list[tuple[str, str, datetime | None]]:
    """(link, title, date) of an RSS 2.0 fixture, newest first, one per link (newest)."""
    root = ET.parse(path).getroot()
    rows = []
    for item in root.iter("item"):
        raw = item.findtext("pubDate")
        rows.append(
            (
                (item.findtext("link") or "").strip(),
                " ".join((item.findtext("title") or "").split()),
                parsedate_to_datetime(raw).astimezone(UTC) if raw else None,
            )
        )
    rows.sort(key=lambda r: r[2] or datetime.min.replace(tzinfo=UTC), reverse=True)
    seen: set[str] = set()
    kept = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            kept.append(row)
    return kept


# -- hostile feeds on 127.0.0.1 ------------------------------------------------------------------

RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Mairie</title>'
)


def rss(items: str) -> str:
    return f"{RSS_HEAD}{items}</channel></rss>"


def item(title: str, link: str, date: str | None = None, description: str = "") -> str:
    when = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><link>{link}</link>{when}<description>{description}</description></item>"


HUGE_COUNT = 3000


def huge_feed() -> str:
    rows = []
    for n in range(HUGE_COUNT):
        day = 1 + n % 28
        rows.append(
            item(
                f"Actualité {n}", f"/actualites/{n}", f"{day:02d} Feb 2025 {n % 24:02d}:00:00 +0000"
            )
        )
    return rss("".join(rows))


HOSTILE: dict[str, tuple[int, str, str]] = {
    "/casse.xml": (200, "application/rss+xml", f"{RSS_HEAD}<item><title>Conseil municipal</ti"),
    "/repare.xml": (
        200,
        "application/rss+xml",
        rss(
            item(
                "Travaux & voirie",
                "https://www.mairie.test/travaux",
                "Tue, 18 Mar 2025 09:00:00 +0100",
            )
        ),
    ),
    "/page.html": (
        200,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>Accueil</title></head><body>Bienvenue</body></html>",
    ),
    "/deguise.xml": (
        200,
        "application/rss+xml",
        "\n<!-- cache -->\n<html><body><p>Erreur 500</p></body></html>",
    ),
    "/sans-dates.xml": (
        200,
        "application/rss+xml",
        rss(
            item("Première", "https://www.mairie.test/a")
            + item("Seconde", "https://www.mairie.test/b")
        ),
    ),
    # French CMS write RFC 822 dates with French day (and month) names.
    "/dates-fr.xml": (
        200,
        "application/rss+xml",
        rss(
            item("Vœux", "https://www.mairie.test/voeux", "Ven, 03 Jan 2025 10:00:00 +0100")
            + item(
                "Galette", "https://www.mairie.test/galette", "lun., 06 janv. 2025 09:30:00 +0100"
            )
            + item("Conseil", "https://www.mairie.test/conseil", "Mardi 7 janvier 2025 - 18:00")
            + item(
                "Collecte", "https://www.mairie.test/collecte", "mer., 08 janv. 2025 07:00:00 CET"
            )
            + item("Marché", "https://www.mairie.test/marche", "Thu, 09 Jan 2025 08:00:00 GMT")
        ),
    ),
    "/dates-illisibles.xml": (
        200,
        "application/rss+xml",
        rss(
            item("Un", "https://www.mairie.test/un", "Vendredi dernier")
            + item("Deux", "https://www.mairie.test/deux", "Ven, 03 Jnv 2025 10:00:00 +0100")
            + item("Trois", "https://www.mairie.test/trois")
            + item("Quatre", "https://www.mairie.test/quatre", "Thu, 09 Jan 2025 08:00:00 GMT")
        ),
    ),
    "/relatifs/flux.xml": (
        200,
        "text/xml",
        rss(
            item("Absolue", "/actualites/fete", "Mon, 10 Mar 2025 08:00:00 GMT")
            + item("Relative", "marche.html", "Sun, 09 Mar 2025 08:00:00 GMT")
            + item("Doublon", "/actualites/fete", "Sat, 01 Mar 2025 08:00:00 GMT")
        ),
    ),
    "/entites.xml": (
        200,
        "application/rss+xml",
        rss(
            item(
                "  Vœux &amp;eacute;lus\n\t 2025  &#8211; mairie ",
                "https://www.mairie.test/voeux",
                "Wed, 15 Jan 2025 18:00:00 +0100",
                "<![CDATA[<p>Une <strong>soirée</strong>\n\n conviviale</p><img src='x.png'>]]>",
            )
        ),
    ),
    "/atom.xml": (
        200,
        "application/atom+xml",
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Mairie</title><id>urn:mairie</id><updated>2025-03-02T10:00:00+02:00</updated>"
        '<entry><title type="html">&lt;em&gt;Marché&lt;/em&gt; de printemps</title>'
        '<link rel="alternate" href="/actualites/marche"/><id>urn:1</id>'
        "<updated>2025-03-02T10:00:00+02:00</updated>"
        '<summary type="html">&lt;p&gt;Place de la mairie&lt;/p&gt;</summary></entry></feed>',
    ),
    "/rdf.xml": (
        200,
        "application/rdf+xml",
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://www.mairie.test/"><title>Mairie</title>'
        "<link>https://www.mairie.test/</link><description>d</description></channel>"
        '<item rdf:about="https://www.mairie.test/r1"><title>Collecte des déchets</title>'
        "<link>https://www.mairie.test/r1</link><dc:date>2025-03-01T10:00:00+01:00</dc:date></item></rdf:RDF>",
    ),
    "/vide.xml": (200, "application/rss+xml", rss("")),
    "/texte.txt": (200, "text/plain", "Bonjour, ceci n'est pas un flux."),
    "/interdit.xml": (403, "text/html", "<html><body>Interdit</body></html>"),
    "/panne.xml": (503, "text/html", "<html><body>Indisponible</body></html>"),
}


def hostile_app() -> aioweb.Application:
    huge = huge_feed()

    async def handler(request: aioweb.Request) -> aioweb.StreamResponse:
        if request.path == "/enorme.xml":
            return aioweb.Response(text=huge, content_type="application/rss+xml")
        if request.path == "/redirige":
            raise aioweb.HTTPMovedPermanently("/relatifs/flux.xml")
        found = HOSTILE.get(request.path)
        if found is None:
            return aioweb.Response(
                status=404, text="<html><body>Introuvable</body></html>", content_type="text/html"
            )
        status, kind, body = found
        return aioweb.Response(
            status=status, body=body.encode("utf-8"), headers={"Content-Type": kind}
        )

    app = aioweb.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return app


@asynccontextmanager
async def hostile_server() -> AsyncIterator[int]:
    runner = aioweb.AppRunner(hostile_app(), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    site = aioweb.SockSite(runner, sock)
    await site.start()
    try:
        yield port
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb() as sample:
        yield sample


@pytest_asyncio.fixture
async def trap() -> AsyncIterator[str]:
    async with hostile_server() as port:
        yield f"http://{TRAP}:{port}"


@asynccontextmanager
async def reader_for(
    web: SampleWeb, recorder: WarcRecorder | None = None
) -> AsyncIterator[SiteFeedReader]:
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts={**web.host_map, TRAP: "127.0.0.1"},
        port_map=web.port_map,
        static_only=True,
    )
    async with Fetcher(
        CONFIG,
        resolver=resolver,
        ssl_context=web.client_ssl_context(),
        recorder=recorder.record if recorder else None,
    ) as live:
        yield SiteFeedReader(SocialHttp(live))


# -- addresses ------------------------------------------------------------------------------------


def test_feed_url_normalisation() -> None:
    assert (
        normalise_feed_url(" HTTPS://WWW.Ville-Exemple.TEST:443/feed/#haut ")
        == "https://www.ville-exemple.test/feed/"
    )
    assert (
        normalise_feed_url("feed://www.ville-exemple.test/feed/")
        == "http://www.ville-exemple.test/feed/"
    )
    assert normalise_feed_url("feed:https://a.test/rss") == "https://a.test/rss"
    assert (
        normalise_feed_url("../rss.xml", "https://a.test/fr/page/") == "https://a.test/fr/rss.xml"
    )
    assert normalise_feed_url("http://a.test:8080") == "http://a.test:8080/"
    for bad in (
        "",
        "mailto:mairie@a.test",
        "javascript:alert(1)",
        "https://",
        "http://a.test:99999/",
    ):
        with pytest.raises(InvalidFeedUrl):
            normalise_feed_url(bad)


def test_feed_links_of_a_page() -> None:
    html = """<html><head><base href="https://www.mairie.test/fr/">
    <link rel="alternate" type="application/rss+xml" href="rss/actualites.xml" title="Actualités">
    <link rel="ALTERNATE" type="application/atom+xml; charset=utf-8" href="/atom.xml">
    <link rel="alternate" type="application/rss+xml" href="/comments/feed/" title="Commentaires">
    <link rel="alternate" type="text/html" href="/en/">
    <link rel="stylesheet" type="application/rss+xml" href="/faux.xml">
    <link rel="alternate" type="application/rss+xml" href="https://www.mairie.test/fr/rss/actualites.xml">
    </head><body></body></html>"""
    assert feed_links(html, "https://www.mairie.test/fr/index.html") == [
        "https://www.mairie.test/fr/rss/actualites.xml",
        "https://www.mairie.test/atom.xml",
    ]
    assert feed_links("<html><body>rien</body></html>", "https://a.test/") == []


@given(st.text(max_size=200))
def test_clean_text_never_keeps_tags_or_runs_of_spaces(text: str) -> None:
    cleaned = clean_text(text)
    assert "  " not in cleaned
    assert cleaned == cleaned.strip()


# -- the sample web's feeds -----------------------------------------------------------------------

SAMPLE_FEEDS = [
    ("www.ville-exemple.test", "/feed/", "www.ville-exemple.test/feed/index.rss"),
    (
        "www.departement-exemple.test",
        "/fr/rss/actualites.xml",
        "www.departement-exemple.test/fr/rss/actualites.xml",
    ),
    (
        "www.commune-nouvelle-exemple.test",
        "/actualites/index.xml",
        "www.commune-nouvelle-exemple.test/actualites/index.xml",
    ),
    ("www.cote-exemple.test", "/actualites.rss", "www.cote-exemple.test/actualites.rss"),
    ("www.region-exemple.test", "/rss.xml", "www.region-exemple.test/rss.xml"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("host", "path", "file"), SAMPLE_FEEDS)
async def test_sample_feeds_match_their_xml(
    web: SampleWeb, host: str, path: str, file: str
) -> None:
    expected = expected_items(SITES_DIR / file)
    assert expected
    async with reader_for(web) as reader:
        items = await reader.read(web.url(host, path))
    assert [(i.url, i.title, i.published_at) for i in items] == expected
    for news in items:
        assert news.published_at is not None and news.published_at.utcoffset() == UTC.utcoffset(
            None
        )
        assert news.feed_url == web.url(host, path)
        assert news.summary and "<" not in news.summary


@pytest.mark.asyncio
async def test_departement_anchors_are_distinct_items(web: SampleWeb) -> None:
    async with reader_for(web) as reader:
        items = await reader.read(web.url("www.departement-exemple.test", "/fr/rss/actualites.xml"))
    assert len({i.url for i in items}) == len(items) >= 3
    assert all("#" in i.url for i in items)


@pytest.mark.asyncio
async def test_discovery_from_sample_home_pages(web: SampleWeb) -> None:
    async with reader_for(web) as reader:
        feeds = await reader.discover(web.url("www.riviere-exemple.test", "/"))
        assert feeds == [
            "https://www.riviere-exemple.test/index.php/vie-municipale/actualites?format=feed&type=rss"
        ]
        items = await reader.read(feeds[0])
        assert [i.url for i in items] == [
            row[0]
            for row in expected_items(
                SITES_DIR / "www.riviere-exemple.test/index.php/vie-municipale/actualites-rss.xml"
            )
        ]
        ville = await reader.discover(web.url("www.ville-exemple.test", "/"))
        assert ville == ["https://www.ville-exemple.test/feed/"]
        assert await reader.discover(web.url("www.commune-oubliee-exemple.test", "/")) == []


@pytest.mark.asyncio
async def test_replay_gives_the_same_items(web: SampleWeb, tmp_path: Path) -> None:
    path = tmp_path / "feeds.warc.gz"
    url = web.url("www.ville-exemple.test", "/feed/")
    with WarcRecorder(path) as warc:
        async with reader_for(web, warc) as reader:
            live = await reader.read(url)
    offline = await SiteFeedReader(SocialHttp(Replay(path, CONFIG), replay=True)).read(url)
    assert offline == live and live


# -- hostile feeds ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_relative_links_are_made_absolute_and_deduplicated(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        items = await reader.read(f"{trap}/relatifs/flux.xml")
        redirected = await reader.read(f"{trap}/redirige")
    host = trap.removeprefix("http://")
    assert [(i.url, i.title) for i in items] == [
        (f"http://{host}/actualites/fete", "Absolue"),
        (f"http://{host}/relatifs/marche.html", "Relative"),
    ]
    assert [i.url for i in redirected] == [i.url for i in items]  # against the final address


@pytest.mark.asyncio
async def test_feed_without_dates(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        items = await reader.read(f"{trap}/sans-dates.xml")
    assert [(i.title, i.published_at) for i in items] == [("Première", None), ("Seconde", None)]


@pytest.mark.asyncio
async def test_french_day_and_month_names_are_dated(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        feed = await reader.read_feed(f"{trap}/dates-fr.xml")
    assert [(i.title, i.published_at) for i in feed.items] == [
        ("Marché", datetime(2025, 1, 9, 8, tzinfo=UTC)),
        ("Collecte", datetime(2025, 1, 8, 6, tzinfo=UTC)),  # CET
        ("Conseil", datetime(2025, 1, 7, 17, tzinfo=UTC)),  # no offset: Paris time
        ("Galette", datetime(2025, 1, 6, 8, 30, tzinfo=UTC)),
        ("Vœux", datetime(2025, 1, 3, 9, tzinfo=UTC)),
    ]
    assert feed.undated == 0 and feed.note() is None


@pytest.mark.asyncio
async def test_unreadable_dates_are_counted_and_quoted(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        feed = await reader.read_feed(f"{trap}/dates-illisibles.xml")
        no_dates = await reader.read_feed(f"{trap}/sans-dates.xml")
    assert [(i.title, i.published_at is not None) for i in feed.items] == [
        ("Quatre", True),
        ("Un", False),
        ("Deux", False),
        ("Trois", False),
    ]
    assert feed.undated == 3
    assert feed.unreadable == ("Vendredi dernier", "Ven, 03 Jnv 2025 10:00:00 +0100")
    assert feed.note() == (
        f"Flux {trap}/dates-illisibles.xml : 3 articles sur 4 sans date (dates illisibles : "
        "« Vendredi dernier », « Ven, 03 Jnv 2025 10:00:00 +0100 »)."
    )
    assert no_dates.note() == (
        f"Flux {trap}/sans-dates.xml : 2 articles sur 2 sans date (le flux ne les date pas)."
    )


@pytest.mark.asyncio
async def test_entities_html_and_spaces_are_cleaned(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        (voeux,) = await reader.read(f"{trap}/entites.xml")
        (marche,) = await reader.read(f"{trap}/atom.xml")
        (collecte,) = await reader.read(f"{trap}/rdf.xml")
    assert voeux.title == "Vœux élus 2025 – mairie"
    assert voeux.summary == "Une soirée conviviale"
    assert voeux.published_at == datetime(2025, 1, 15, 17, tzinfo=UTC)
    assert marche.title == "Marché de printemps"
    assert marche.url.endswith("/actualites/marche") and marche.url.startswith("http://")
    assert marche.published_at == datetime(2025, 3, 2, 8, tzinfo=UTC)
    assert marche.summary == "Place de la mairie"
    assert (collecte.title, collecte.published_at) == (
        "Collecte des déchets",
        datetime(2025, 3, 1, 9, tzinfo=UTC),
    )


@pytest.mark.asyncio
async def test_huge_feed_is_capped_newest_first(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        default = await reader.read(f"{trap}/enorme.xml")
        ten = await reader.read(f"{trap}/enorme.xml", limit=10)
    assert len(default) == 200
    assert len(ten) == 10
    dates = [i.published_at for i in default]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    assert ten == default[:10]
    assert len({i.url for i in default}) == 200


@pytest.mark.asyncio
async def test_broken_feeds(web: SampleWeb, trap: str) -> None:
    async with reader_for(web) as reader:
        with pytest.raises(MalformedPayload, match="mal formé"):
            await reader.read(f"{trap}/casse.xml")
        repaired = await reader.read(f"{trap}/repare.xml")  # bozo, but the item was recovered
        assert [i.title for i in repaired] == ["Travaux & voirie"]
        for page in ("/page.html", "/deguise.xml"):
            with pytest.raises(MalformedPayload, match="ce n'est pas un flux"):
                await reader.read(trap + page)
        with pytest.raises(MalformedPayload):
            await reader.read(f"{trap}/texte.txt")
        assert await reader.read(f"{trap}/vide.xml") == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "state"),
    [
        ("/absent.xml", AccountState.NOT_FOUND),
        ("/interdit.xml", AccountState.CLOSED),
        ("/panne.xml", AccountState.ERROR),
    ],
)
async def test_http_errors(web: SampleWeb, trap: str, path: str, state: AccountState) -> None:
    async with reader_for(web) as reader:
        with pytest.raises(ConnectorError) as caught:
            await reader.read(trap + path)
    assert caught.value.state is state
    assert "Flux" in str(caught.value) and trap in str(caught.value)


@pytest.mark.asyncio
async def test_unreachable_and_invalid_addresses(web: SampleWeb) -> None:
    async with reader_for(web) as reader:
        with pytest.raises(ConnectorError):
            await reader.read("https://hors-du-web-d-essai.test/feed/")  # never looked up
        with pytest.raises(InvalidFeedUrl, match="invalide"):
            await reader.read("ftp://a.test/rss")


def test_parse_feed_is_pure_and_keeps_the_feed_url() -> None:
    body = rss(item("Un", "/a", "Mon, 10 Mar 2025 08:00:00 GMT")).encode()
    (news,) = parse_feed(body, "https://m.test/rss", base_url="https://m.test/nouveau/rss")
    assert news.url == "https://m.test/a"
    assert news.feed_url == "https://m.test/rss"
