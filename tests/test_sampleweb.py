"""The bundled sample web: real HTTP(S) and DNS requests against 127.0.0.1, no Internet."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import time
import xml.etree.ElementTree as ET
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import dns.asyncresolver
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest
import pytest_asyncio
from aiohttp.abc import AbstractResolver, ResolveResult

from barometre.models import FetchOutcome
from barometre.sampleweb import FORBIDDEN_DNS_HOST, SYNTHETIC_MARKER, SampleWeb, TestDNS
from barometre.sampleweb.__main__ import main as sampleweb_main
from barometre.sampleweb.hostile import GZIP_BOMB_SIZE, HUGE_PAGE_SIZE, gzip_bomb
from barometre.sampleweb.sites import SITES_DIR

MUROL_RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw" / "html-murol-2018"
MUROL_FILES = ("index.html", "ContactMairie.html", "HorairesEtContact.html", "mentionsLegales.html")


class MapResolver(AbstractResolver):
    """Every name to 127.0.0.1, ports 80/443 to the sample web's real ports."""

    def __init__(self, host_map: Mapping[str, str], port_map: Mapping[int, int]) -> None:
        self.host_map = dict(host_map)
        self.port_map = dict(port_map)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.host_map:
            raise OSError(f"unknown test host {host}")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": self.port_map.get(port, port),
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        pass


@pytest_asyncio.fixture
async def web() -> AsyncIterator[SampleWeb]:
    async with SampleWeb() as sample:
        yield sample


def make_session(web: SampleWeb, **kwargs: Any) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=MapResolver(web.host_map, web.port_map),
        ssl=web.client_ssl_context(),
        force_close=True,
    )
    return aiohttp.ClientSession(connector=connector, **kwargs)


@pytest_asyncio.fixture
async def session(web: SampleWeb) -> AsyncIterator[aiohttp.ClientSession]:
    async with make_session(web, timeout=aiohttp.ClientTimeout(total=10)) as client:
        yield client


async def get(
    session: aiohttp.ClientSession, url: str, **kwargs: Any
) -> tuple[int, Mapping[str, str], bytes]:
    kwargs.setdefault("allow_redirects", False)
    async with session.get(url, **kwargs) as response:
        return response.status, dict(response.headers), await response.read()


async def wait_for(predicate: Any, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return bool(predicate())


# -- inventory ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_inventory(web: SampleWeb) -> None:
    hosts = [site.host for site in web.sites]
    assert len(web.sites) >= 25
    assert len(set(hosts)) == len(hosts)
    kinds = {site.kind for site in web.sites}
    assert {"region", "departement", "epci", "commune", "parked", "dead", "hostile"} <= kinds
    outcomes = {outcome.value for outcome in FetchOutcome}
    assert {site.expected for site in web.sites} <= outcomes
    hostile = {site.host: site.expected for site in web.sites if site.kind == "hostile"}
    assert hostile["gzip-bomb.hostile.test"] == "too_large"
    assert hostile["expired.badtls.test"] == "tls_error"
    assert len(hostile) >= 14
    for site in web.sites:
        assert site.host.endswith(".test")
        assert web.host_map[site.host] == "127.0.0.1"
        for alias in site.aliases:
            assert web.host_map[alias] == "127.0.0.1"
    assert set(web.host_map.values()) == {"127.0.0.1"}
    assert all(name.endswith(".test") for name in web.host_map)
    assert web.port_map == {80: web.http_port, 443: web.https_port}
    assert web.url("www.ville-exemple.test") == "https://www.ville-exemple.test/"
    assert web.url("a.test", "x", https=False) == "http://a.test/x"
    assert web.site("ville-exemple.test").host == "www.ville-exemple.test"
    assert web.ca_pem_path.read_text().startswith("-----BEGIN CERTIFICATE-----")


def _package_files() -> Iterator[Path]:
    yield Path(__file__)
    for path in SITES_DIR.parent.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def test_no_address_outside_loopback_in_sources() -> None:
    dotted = re.compile(rb"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
    for path in _package_files():
        for match in dotted.finditer(path.read_bytes()):
            text = match.group(0).decode()
            if all(int(part) <= 255 for part in match.groups()):
                assert ipaddress.ip_address(text).is_loopback, f"{path}: {text}"


def test_synthetic_marker_on_every_page() -> None:
    pages = [p for p in SITES_DIR.rglob("*") if p.suffix in (".html", ".htm")]
    assert len(pages) > 60
    for page in pages:
        if "www.murol-archive.test" in page.parts:
            continue
        assert SYNTHETIC_MARKER in page.read_text(encoding="utf-8"), page


def test_murol_pages_are_byte_identical() -> None:
    folder = SITES_DIR / "www.murol-archive.test"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert (
        "Source: GitHub eniac314/mairieMurol at 778b7f8a2ed78cc6809eef071d59f1fec5e8d5f5 "
        "(2018-09-25), BSD-3-Clause, © 2015 eniac314"
    ) in readme
    if not MUROL_RAW.is_dir():
        pytest.skip(f"raw Murol pages not found at {MUROL_RAW}")
    for name in MUROL_FILES:
        assert (folder / name).read_bytes() == (MUROL_RAW / name).read_bytes(), name


# -- normal sites ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_https_page_with_content(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, headers, body = await get(session, web.url("www.ville-exemple.test"))
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    text = body.decode()
    assert SYNTHETIC_MARKER in text
    assert '<meta name="generator" content="WordPress 6.5.2">' in text
    assert "Ville-Exemple" in text
    for account in (
        "https://www.facebook.com/VilleExemple",
        "https://www.instagram.com/ville_exemple/",
        "https://x.com/VilleExemple",
        "https://www.linkedin.com/company/ville-exemple/",
        "https://www.youtube.com/@VilleExemple",
        "https://bsky.app/profile/ville-exemple.test",
    ):
        assert f'href="{account}"' in text
    assert re.search(r'href="https://mastodon\.collectivites\.test/@ville_exemple" rel="me', text)
    assert "Agence Pixel Citoyen" in text

    status, _, body = await get(session, web.url("www.ville-exemple.test", "/mentions-legales/"))
    assert status == 200 and "Directeur de la publication" in body.decode()
    status, _, body = await get(
        session, web.url("www.ville-exemple.test", "/declaration-daccessibilite/")
    )
    assert status == 200 and "partiellement conforme" in body.decode()

    # the Mastodon profile links back with rel="me"
    status, _, body = await get(session, web.url("mastodon.collectivites.test", "/@ville_exemple"))
    assert status == 200
    assert 'href="https://www.ville-exemple.test/" rel="me' in body.decode()


@pytest.mark.asyncio
async def test_redirects_http_to_https_and_apex_to_www(
    web: SampleWeb, session: aiohttp.ClientSession
) -> None:
    status, headers, _ = await get(session, "http://ville-exemple.test/contact/")
    assert status == 301 and headers["Location"] == "https://ville-exemple.test/contact/"
    status, headers, _ = await get(session, "https://ville-exemple.test/contact/")
    assert status == 301 and headers["Location"] == "https://www.ville-exemple.test/contact/"
    status, headers, _ = await get(session, "http://www.region-exemple.test/actualites")
    assert status == 301 and headers["Location"] == "https://www.region-exemple.test/actualites"

    async with session.get("http://region-exemple.test/") as response:
        assert response.status == 200
        assert str(response.url) == "https://www.region-exemple.test/"
        assert len(response.history) == 2
        assert "Drupal 10" in await response.text()

    async with session.get("http://departement-exemple.test/") as response:
        assert response.status == 200
        assert str(response.url) == "https://www.departement-exemple.test/fr/"
        assert "Territoria CMS" in await response.text()

    async with session.get("https://www.ancienne-commune-exemple.test/") as response:
        assert str(response.url).startswith("https://www.commune-nouvelle-exemple.test/")
        assert response.status == 200


@pytest.mark.asyncio
async def test_every_site_home_page(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    for site in web.sites:
        if site.kind in ("hostile", "dead"):
            continue
        url = web.url(site.host, site.home, https=site.https)
        async with session.get(url) as response:
            assert response.status == 200, url
            text = await response.text()
        if site.host != "www.murol-archive.test":
            assert SYNTHETIC_MARKER in text, url


@pytest.mark.asyncio
async def test_cms_fingerprints(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    expected = {
        "www.saint-exemple-sur-loire.test": 'content="WordPress 6.4.3"',
        "www.montagne-exemple.test": 'content="Drupal 7 (http://drupal.org)"',
        "www.riviere-exemple.test": 'content="Joomla! - Open Source Content Management"',
        "www.cote-exemple.test": "Éditions Municipales Exemple",
        "www.commune-nouvelle-exemple.test": 'content="Hugo 0.125.7"',
        "www.petit-village-exemple.test": "Microsoft FrontPage 6.0",
        "lac-exemple.cc-vallee-exemple.test": "portail-intercommunal",
    }
    for host, needle in expected.items():
        site = web.site(host)
        status, _, body = await get(session, web.url(host, site.home, https=site.https))
        assert status == 200 and needle in body.decode(), host

    status, _, body = await get(session, web.url("sites.hebergeur-generique.test", "/ma-commune/"))
    assert status == 200 and 'content="WordPress 6.2.2"' in body.decode()
    assert "Petit-Bois-Exemple" in body.decode()

    status, _, body = await get(session, web.url("www.ville-numerique-exemple.test", "/contact"))
    text = body.decode()
    assert status == 200 and '<div id="app"></div>' in text and "Mentions" not in text
    status, headers, body = await get(
        session, web.url("www.ville-numerique-exemple.test", "/assets/index-7c2e91ab.js")
    )
    assert headers["Content-Type"].startswith("text/javascript")
    assert "Mentions légales" in body.decode() and "facebook.com/NumeriqueExemple" in body.decode()

    status, _, body = await get(session, web.url("www.commune-oubliee-exemple.test", "/mairie"))
    assert status == 200 and "Ce domaine est à vendre" in body.decode()


# Links that are broken on purpose (old sites, closed tenants, missing archive assets).
INTENTIONALLY_BROKEN = {
    "http://www.petit-village-exemple.test/images/eglise.jpg",
    "https://sites.hebergeur-generique.test/club-de-petanque-exemple/",
    "https://www.departement-exemple.test/medias/documents/schema-pluriannuel-2024-2026.pdf",
}


@pytest.mark.asyncio
async def test_internal_links_resolve(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    queue = [
        web.url(site.host, site.home, https=site.https)
        for site in web.sites
        if site.kind not in ("hostile", "dead")
    ]
    seen: set[str] = set()
    broken = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        async with session.get(url) as response:
            if response.status != 200:
                broken.append(url)
                continue
            if "html" not in response.headers.get("Content-Type", ""):
                continue
            text = await response.text()
            final = str(response.url)
        for href in re.findall(r'(?:href|src)="([^"]+)"', text):
            target = urljoin(final, href.replace("&amp;", "&")).split("#")[0]
            if urlsplit(target).hostname in web.host_map:
                queue.append(target)
    assert len(seen) > 100
    unexpected = [
        url for url in broken if url not in INTENTIONALLY_BROKEN and "murol-archive" not in url
    ]
    assert unexpected == []

    status, headers, body = await get(
        session, web.url("www.saint-exemple-sur-loire.test", "/wp-content/themes/astra/style.css")
    )
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, headers, body = await get(session, web.url("www.ville-exemple.test", "/wp-json/"))
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert "wp/v2" in body.decode()
    status, _, _ = await get(session, web.url("www.murol-archive.test", "/js/murol.js"))
    assert status == 404  # the archive keeps its real, missing assets


@pytest.mark.asyncio
async def test_robots_sitemap_and_feeds(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, headers, body = await get(session, web.url("www.ville-exemple.test", "/robots.txt"))
    robots = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in robots
    assert "Sitemap: https://www.ville-exemple.test/sitemap.xml" in robots

    status, _, body = await get(session, web.url("www.ville-exemple.test", "/sitemap.xml"))
    assert status == 200
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text or "" for loc in ET.fromstring(body).findall("sm:url/sm:loc", namespace)]
    assert len(locations) >= 8
    assert not any("/admin/" in loc for loc in locations)
    for loc in locations:
        status, _, _ = await get(session, loc)
        assert status == 200, loc

    feeds = [
        ("www.ville-exemple.test", "/feed/"),
        ("www.region-exemple.test", "/rss.xml"),
        ("www.departement-exemple.test", "/fr/rss/actualites.xml"),
        ("www.riviere-exemple.test", "/index.php/vie-municipale/actualites?format=feed&type=rss"),
        ("www.commune-nouvelle-exemple.test", "/actualites/index.xml"),
        ("sites.hebergeur-generique.test", "/ma-commune/feed/"),
    ]
    for host, path in feeds:
        status, headers, body = await get(session, web.url(host, path))
        assert status == 200, (host, path)
        assert headers["Content-Type"] == "application/rss+xml; charset=utf-8", (host, path)
        channel = ET.fromstring(body).find("channel")
        assert channel is not None and channel.findall("item"), (host, path)

    status, _, body = await get(session, web.url("www.ville-exemple.test", "/actualites/"))
    assert 'href="/feed/"' in body.decode()


@pytest.mark.asyncio
async def test_accessibility_pdf_is_valid(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, _, body = await get(
        session, web.url("www.departement-exemple.test", "/fr/accessibilite.html")
    )
    match = re.search(r'href="([^"]+\.pdf)"', body.decode())
    assert status == 200 and match
    status, headers, pdf = await get(
        session, web.url("www.departement-exemple.test", match.group(1))
    )
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    xref_offset = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref_offset:].startswith(b"xref")
    lines = pdf[xref_offset:].split(b"\n")
    count = int(lines[1].split()[1])
    for number, entry in enumerate(lines[3 : 2 + count], start=1):
        offset = int(entry[:10])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    assert b"(D\\351claration d'accessibilit\\351)" in pdf
    length = re.search(rb"/Length (\d+) >>\nstream\n", pdf)
    assert length is not None
    assert pdf[length.end() + int(length.group(1)) :].startswith(b"\nendstream")


@pytest.mark.asyncio
async def test_http_only_dead_and_unknown(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, _, body = await get(session, "http://www.petit-village-exemple.test/")
    assert status == 200 and "FrontPage" in body.decode()
    with pytest.raises(aiohttp.ClientConnectorCertificateError):
        await get(session, "https://www.petit-village-exemple.test/")

    status, _, body = await get(session, web.url("www.commune-en-panne.test"))
    assert status == 503 and "indisponible" in body.decode()
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(session, web.url("www.commune-muette.test"))

    # a name that no site serves (reached through a custom resolver entry)
    async with SampleWeb() as other:
        hosts = {**other.host_map, "inconnu.test": "127.0.0.1"}
        connector = aiohttp.TCPConnector(resolver=MapResolver(hosts, other.port_map))
        async with aiohttp.ClientSession(connector=connector) as client:
            status, _, body = await get(client, "http://inconnu.test/")
    assert status == 404 and "Site inconnu" in body.decode()

    # static files never leak their configuration, paths cannot escape the site folder
    for path in ("/site.toml", "/README.md", "/../www.ville-exemple.test/site.toml"):
        status, _, _ = await get(session, web.url("www.murol-archive.test", path))
        assert status == 404, path


# -- hostile sites --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_gzip_bomb(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, headers, body = await get(
        session, web.url("gzip-bomb.hostile.test"), auto_decompress=False
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert len(body) < 1_000_000
    assert body == gzip_bomb()
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total, pending = 0, body
    while pending:
        total += len(decompressor.decompress(pending, 8 * 2**20))
        pending = decompressor.unconsumed_tail
    assert decompressor.eof and total == GZIP_BOMB_SIZE >= 200 * 10**6
    status, _, _ = await get(session, web.url("gzip-bomb.hostile.test", "/robots.txt"))
    assert status == 404


@pytest.mark.asyncio
async def test_slow_drip_times_out_and_stops(web: SampleWeb) -> None:
    async with make_session(web, timeout=aiohttp.ClientTimeout(total=2.0)) as client:
        received = bytearray()
        with pytest.raises(asyncio.TimeoutError):
            async with client.get(web.url("slow-drip.hostile.test")) as response:
                assert response.status == 200
                async for chunk in response.content.iter_any():
                    received += chunk
        assert 1 <= len(received) <= 4  # a byte a second: the client's timeout stopped it
    assert await wait_for(lambda: web.state.active_streams == 0)


@pytest.mark.asyncio
async def test_redirect_loop_and_forbidden_redirect(
    web: SampleWeb, session: aiohttp.ClientSession
) -> None:
    chain = []
    url = web.url("redirect-loop.hostile.test")
    for _ in range(4):
        status, headers, _ = await get(session, url)
        assert status == 302
        chain.append(headers["Location"])
        url = web.url("redirect-loop.hostile.test", headers["Location"])
    assert chain == ["/a", "/b", "/a", "/b"]
    with pytest.raises(aiohttp.TooManyRedirects):
        await get(session, web.url("redirect-loop.hostile.test"), allow_redirects=True)

    status, headers, _ = await get(session, web.url("redirect-forbidden.hostile.test"))
    assert status == 302
    assert headers["Location"] == f"http://127.0.0.2:{web.http_port}/"


@pytest.mark.asyncio
async def test_huge_page_is_streamed(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    async with session.get(web.url("huge-page.hostile.test")) as response:
        assert response.status == 200 and "Content-Length" not in response.headers
        first = await response.content.readexactly(2 * 2**20)
        assert first.startswith(b"<!DOCTYPE html>") and b"<p>" in first
    assert await wait_for(lambda: web.state.active_streams == 0)
    async with session.get(web.url("huge-page.hostile.test", "/avec-longueur")) as response:
        assert response.content_length == HUGE_PAGE_SIZE
        await response.content.readexactly(2**20)
    assert await wait_for(lambda: web.state.active_streams == 0)


@pytest.mark.asyncio
async def test_wrong_charset_and_deep_dom(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, headers, body = await get(session, web.url("wrong-charset.hostile.test"))
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1252")
    assert "œuvres" in text and "à la médiathèque" in text and SYNTHETIC_MARKER in text

    status, _, body = await get(session, web.url("deep-dom.hostile.test"))
    assert status == 200
    assert body.count(b"<div>") == 20_000 and body.count(b"</div>") == 20_000

    status, _, body = await get(session, web.url("injection.hostile.test"))
    text = body.decode()
    assert status == 200 and "&lt;script&gt;" in text and 'href="javascript:' in text
    assert 'content="=HYPERLINK(' in text


@pytest.mark.asyncio
async def test_rate_limits(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    statuses = []
    for _ in range(4):
        status, headers, _ = await get(session, web.url("storm-429.hostile.test", "/page"))
        statuses.append(status)
        if status == 429:
            assert headers["Retry-After"] == "1"
    assert statuses == [429, 429, 429, 200]
    status, _, _ = await get(session, web.url("storm-429.hostile.test", "/autre"))
    assert status == 429  # counted per path
    status, _, _ = await get(session, web.url("storm-429.hostile.test", "/robots.txt"))
    assert status == 404  # robots.txt is not part of the storm
    web.reset()
    status, _, _ = await get(session, web.url("storm-429.hostile.test", "/page"))
    assert status == 429

    for _ in range(5):
        status, headers, _ = await get(session, web.url("always-429.hostile.test"))
        assert status == 429 and headers["Retry-After"] == "1"


@pytest.mark.asyncio
async def test_bad_certificates(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    with pytest.raises(aiohttp.ClientConnectorCertificateError) as expired:
        await get(session, web.url("expired.badtls.test"))
    assert "expired" in str(expired.value)
    with pytest.raises(aiohttp.ClientConnectorCertificateError) as self_signed:
        await get(session, web.url("selfsigned.badtls.test"))
    assert "self-signed" in str(self_signed.value) or "self signed" in str(self_signed.value)

    # a client that skips verification gets a normal small page
    for host in ("expired.badtls.test", "selfsigned.badtls.test"):
        status, _, body = await get(session, web.url(host), ssl=False)
        assert status == 200 and "Certificat invalide" in body.decode()

    # the expired certificate is signed by the CA, only its dates are wrong
    context = web.client_ssl_context()
    context.check_hostname = True
    loop = asyncio.get_running_loop()
    with pytest.raises(ssl.SSLCertVerificationError):
        await loop.create_connection(
            asyncio.Protocol,
            "127.0.0.1",
            web.https_port,
            ssl=context,
            server_hostname="expired.badtls.test",
        )


@pytest.mark.asyncio
async def test_robots_disallow_and_reset(web: SampleWeb, session: aiohttp.ClientSession) -> None:
    status, _, body = await get(session, web.url("robots-disallow.hostile.test", "/robots.txt"))
    assert status == 200 and body == b"User-agent: *\nDisallow: /\n"

    with pytest.raises(aiohttp.ClientPayloadError):
        await get(session, web.url("reset-mid-body.hostile.test"))
    async with session.get(web.url("reset-mid-body.hostile.test")) as response:
        assert response.content_length == 100_000
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


# -- DNS ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_dns_server(web: SampleWeb) -> None:
    with TestDNS.for_sample_web(web) as server:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = server.port
        resolver.lifetime = 2.0

        answer = await resolver.resolve("www.ville-exemple.test", "A")
        assert [rr.address for rr in answer] == ["127.0.0.1"]
        answer = await resolver.resolve("ville-exemple.test", "MX")
        assert sorted((rr.preference, str(rr.exchange)) for rr in answer) == [
            (10, "mx1.ville-exemple.test."),
            (20, "mx2.ville-exemple.test."),
        ]
        answer = await resolver.resolve("ville-exemple.test", "TXT")
        assert any(b"".join(rr.strings).startswith(b"v=spf1 ") for rr in answer)
        answer = await resolver.resolve("_dmarc.ville-exemple.test", "TXT")
        assert b"".join(answer[0].strings).startswith(b"v=DMARC1; p=none")
        with pytest.raises(dns.resolver.NXDOMAIN):
            await resolver.resolve("inexistant.ville-exemple.test", "A")
        with pytest.raises(dns.resolver.NoAnswer):
            await resolver.resolve("www.ville-exemple.test", "MX")

        answer = await resolver.resolve(FORBIDDEN_DNS_HOST, "A")
        assert [rr.address for rr in answer] == ["127.0.0.2"]
        server.set_address("www.saint-exemple-sur-loire.test", "127.0.0.2")
        answer = await resolver.resolve("www.saint-exemple-sur-loire.test", "A")
        assert [rr.address for rr in answer] == ["127.0.0.2"]

        # TCP on the same port
        query = dns.message.make_query("region-exemple.test", "MX")
        reply = dns.query.tcp(query, "127.0.0.1", port=server.port, timeout=2.0)
        assert reply.rcode() == dns.rcode.NOERROR and reply.answer

    # only loopback addresses can be handed out (built from an integer: no literal here)
    outside = str(ipaddress.IPv4Address(int(ipaddress.IPv4Address("127.0.0.1")) + 2**24))
    with pytest.raises(ValueError, match="bouclage"):
        TestDNS(hosts={"x.test": outside})


@pytest.mark.asyncio
async def test_sample_web_with_dns_and_main(capsys: pytest.CaptureFixture[str]) -> None:
    async with SampleWeb(with_dns=True) as web:
        assert web.dns is not None and web.dns.port > 0
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = web.dns.nameservers
        resolver.port = web.dns.port
        resolver.lifetime = 2.0
        answer = await asyncio.to_thread(resolver.resolve, "region-exemple.test", "A")
        assert answer[0].address == "127.0.0.1"
    assert web.dns is None

    await asyncio.to_thread(sampleweb_main, ["--duree", "0"])
    output = capsys.readouterr().out
    assert "www.ville-exemple.test" in output and "gzip-bomb.hostile.test" in output
    assert "Web d'essai arrêté." in output


# -- options for large synthetic webs (benchmarks/national.py) -------------------------------


def _tiny_site(root: Path, host: str, extra: str = "") -> None:
    folder = root / host
    folder.mkdir(parents=True)
    (folder / "site.toml").write_text(
        f'kind = "commune"\ndescription = "x"\naliases = ["{host.removeprefix("www.")}"]\n{extra}',
        encoding="utf-8",
    )
    (folder / "index.html").write_text(f"<title>{host}</title>{SYNTHETIC_MARKER}", encoding="utf-8")


def test_latency_is_read_and_checked(tmp_path: Path) -> None:
    from barometre.sampleweb.sites import load_site

    _tiny_site(tmp_path, "www.lent.test", "latency = 0.25\n")
    _tiny_site(tmp_path, "www.faux.test", 'latency = "lent"\n')
    assert load_site(tmp_path / "www.lent.test").latency == 0.25
    with pytest.raises(ValueError, match=r"www\.faux\.test/site\.toml: latency"):
        load_site(tmp_path / "www.faux.test")


@pytest.mark.asyncio
async def test_one_certificate_per_site(tmp_path: Path) -> None:
    for host in ("www.alpha.test", "www.beta.test"):
        _tiny_site(tmp_path, host)
    async with SampleWeb(sites_dir=tmp_path, tls_per_site=True) as sample:
        loop = asyncio.get_running_loop()
        for host in ("www.alpha.test", "beta.test"):
            transport, _ = await loop.create_connection(
                asyncio.Protocol,
                "127.0.0.1",
                sample.https_port,
                ssl=sample.client_ssl_context(),  # verifies the name against the SANs
                server_hostname=host,
            )
            cert = transport.get_extra_info("peercert")
            transport.close()
            apex = host.removeprefix("www.")
            assert sorted(v for k, v in cert["subjectAltName"]) == [apex, f"www.{apex}"]
