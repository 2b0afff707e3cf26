"""The fetcher and its archive against real HTTP servers on loopback."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from barometre.models import FetchOutcome
from barometre.net.fetcher import FetchConfig, Fetcher, TooLarge, decode_body
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder

HOSTS = ["site.test", "www.site.test", "rebind.test"]


def _bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join(comp.compress(chunk) for _ in range(64)) + comp.flush()  # 64 MiB of zeros


class Server:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.port = 0

    def app(self) -> web.Application:
        app = web.Application()
        routes = web.RouteTableDef()

        @routes.get("/")
        async def home(request: web.Request) -> web.Response:
            return web.Response(
                text="<html><title>Mairie</title>éà</html>",
                content_type="text/html",
                charset="utf-8",
            )

        @routes.get("/gz")
        async def gz(request: web.Request) -> web.Response:
            body = gzip.compress("<p>Compressé</p>".encode())
            return web.Response(
                body=body,
                headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
            )

        @routes.get("/r1")
        async def r1(request: web.Request) -> web.Response:
            raise web.HTTPFound("/r2")

        @routes.get("/r2")
        async def r2(request: web.Request) -> web.Response:
            raise web.HTTPMovedPermanently("http://www.site.test/")

        @routes.get("/loop-a")
        async def loop_a(request: web.Request) -> web.Response:
            raise web.HTTPFound("/loop-b")

        @routes.get("/loop-b")
        async def loop_b(request: web.Request) -> web.Response:
            raise web.HTTPFound("/loop-a")

        @routes.get("/to-forbidden")
        async def to_forbidden(request: web.Request) -> web.Response:
            raise web.HTTPFound(f"http://127.0.0.2:{self.port}/")

        @routes.get("/bomb")
        async def bomb(request: web.Request) -> web.Response:
            return web.Response(
                body=_bomb(), headers={"Content-Encoding": "gzip", "Content-Type": "text/html"}
            )

        @routes.get("/drip")
        async def drip(request: web.Request) -> web.StreamResponse:
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            for _ in range(30):
                await resp.write(b"x")
                await asyncio.sleep(0.2)
            return resp

        @routes.get("/storm")
        async def storm(request: web.Request) -> web.Response:
            n = self.hits["storm"] = self.hits.get("storm", 0) + 1
            if n <= 2:
                return web.Response(status=429, headers={"Retry-After": "0"})
            return web.Response(text="enfin", content_type="text/plain")

        @routes.get("/always429")
        async def always(request: web.Request) -> web.Response:
            return web.Response(status=429, headers={"Retry-After": "0"})

        @routes.get("/slow429")
        async def slow429(request: web.Request) -> web.Response:
            return web.Response(status=429, headers={"Retry-After": "3600"})

        @routes.get("/reset")
        async def reset(request: web.Request) -> web.StreamResponse:
            resp = web.StreamResponse(headers={"Content-Length": "100000"})
            await resp.prepare(request)
            await resp.write(b"a" * 1000)
            assert request.transport is not None
            request.transport.abort()
            return resp

        @routes.get("/missing")
        async def missing(request: web.Request) -> web.Response:
            return web.Response(status=404, text="absent")

        app.add_routes(routes)
        return app


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    runner = web.AppRunner(srv.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield srv
    await runner.cleanup()


CONFIG = FetchConfig(
    user_agent="barometre-tests (+http://contact.test/)",
    total_timeout=2.0,
    read_timeout=1.5,
    connect_timeout=2.0,
    max_bytes=2**20,
    retries=3,
    backoff=0.05,
    per_host_delay=0.0,
    max_retry_after=5,
)


def fetcher(
    server: Server, recorder: WarcRecorder | None = None, hosts: dict[str, str] | None = None
) -> Fetcher:
    policy = AddressPolicy.allowing(["127.0.0.1/32"])  # just 127.0.0.1, never 127.0.0.2
    resolver = GuardedResolver(
        policy, static_hosts=hosts or dict.fromkeys(HOSTS, "127.0.0.1"), port_map={80: server.port}
    )
    return Fetcher(CONFIG, resolver=resolver, recorder=recorder.record if recorder else None)


def test_default_policy_refuses_loopback_and_allowing_is_exact() -> None:
    default = AddressPolicy()
    assert not default.permits("127.0.0.1") and not default.permits("::1")
    only = AddressPolicy.allowing(["127.0.0.1/32"])
    assert only.permits("127.0.0.1") and not only.permits("127.0.0.2")
    assert not only.permits("::ffff:127.0.0.2") and only.permits("::ffff:127.0.0.1")
    assert not only.permits("not an address")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "outcome", "status"),
    [
        ("/", FetchOutcome.OK, 200),
        ("/gz", FetchOutcome.OK, 200),
        ("/r1", FetchOutcome.OK, 200),
        ("/loop-a", FetchOutcome.REDIRECT_LOOP, 302),
        ("/to-forbidden", FetchOutcome.FORBIDDEN_ADDRESS, None),
        ("/bomb", FetchOutcome.TOO_LARGE, 200),
        ("/drip", FetchOutcome.TIMEOUT, 200),
        ("/storm", FetchOutcome.OK, 200),
        ("/always429", FetchOutcome.RATE_LIMITED, 429),
        ("/slow429", FetchOutcome.RATE_LIMITED, 429),
        ("/reset", FetchOutcome.CONNECTION_ERROR, 200),
        ("/missing", FetchOutcome.HTTP_ERROR, 404),
    ],
)
async def test_every_case_ends_with_a_named_outcome_and_replays_identically(
    server: Server, tmp_path: Path, path: str, outcome: FetchOutcome, status: int | None
) -> None:
    warc = tmp_path / "site.warc.gz"
    with WarcRecorder(warc) as recorder:
        async with fetcher(server, recorder) as f:
            live = await asyncio.wait_for(f.fetch(f"http://site.test{path}"), 20)
    assert live.outcome is outcome, live.error
    assert live.status == status
    replayed = await Replay(warc, CONFIG).fetch(f"http://site.test{path}")
    assert (replayed.outcome, replayed.status, replayed.final_url) == (
        live.outcome,
        live.status,
        live.final_url,
    )
    assert replayed.body == live.body and replayed.headers == live.headers
    assert len(replayed.chain) == len(live.chain)


@pytest.mark.asyncio
async def test_pages_are_decoded_and_redirect_chains_kept(server: Server) -> None:
    async with fetcher(server) as f:
        page = await f.fetch("http://site.test/gz")
        chain = await f.fetch("http://site.test/r1")
    assert page.text == "<p>Compressé</p>" and page.content_type == "text/html"
    assert [e.status for e in chain.chain] == [302, 301, 200]
    assert chain.final_url == "http://www.site.test/" and "Mairie" in chain.text
    assert all(("User-Agent", CONFIG.user_agent) in e.request_headers for e in chain.chain)


@pytest.mark.asyncio
async def test_dns_answer_to_a_refused_loopback_address(server: Server) -> None:
    async with fetcher(server, hosts={"rebind.test": "127.0.0.2"}) as f:
        result = await f.fetch("http://rebind.test/")
    assert result.outcome is FetchOutcome.FORBIDDEN_ADDRESS
    assert "127.0.0.2" in (result.error or "")


@pytest.mark.asyncio
async def test_unknown_host_and_bad_urls(server: Server) -> None:
    async with fetcher(server) as f:
        unknown = await f.fetch("http://absent.invalid/")  # .invalid never resolves
        bad = await f.fetch("mailto:mairie@site.test")
    assert bad.outcome is FetchOutcome.INVALID_URL
    assert unknown.outcome in (FetchOutcome.DNS_ERROR, FetchOutcome.FORBIDDEN_ADDRESS)


def test_decode_body_caps_output() -> None:
    data = gzip.compress(b"a" * 5000)
    assert decode_body(data, "gzip", 5000) == b"a" * 5000
    with pytest.raises(TooLarge):
        decode_body(data, "gzip", 4999)
    with pytest.raises(TooLarge):
        decode_body(b"x" * 10, None, 9)


@pytest.mark.asyncio
async def test_crawl_delay_spaces_requests_to_one_host(server: Server) -> None:
    async with fetcher(server) as f:
        f.set_host_delay("site.test", 0.4)
        f.set_host_delay("www.site.test", 500)  # capped, never waited here
        first = await f.fetch("http://site.test/")
        started = asyncio.get_running_loop().time()
        second = await f.fetch("http://site.test/gz")
        waited = asyncio.get_running_loop().time() - started
    assert first.ok and second.ok
    assert waited >= 0.35
    assert f._hosts["www.site.test"].delay == CONFIG.max_crawl_delay == 30.0


def test_backoff_is_exponential() -> None:
    f = Fetcher(CONFIG, policy=AddressPolicy())
    assert [f._backoff(n) for n in (1, 2, 3)] == [
        CONFIG.backoff,
        2 * CONFIG.backoff,
        4 * CONFIG.backoff,
    ]


@pytest.mark.asyncio
async def test_idle_hosts_are_forgotten_busy_and_crawl_delay_ones_kept(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    import barometre.net.fetcher as fetcher_module

    monkeypatch.setattr(fetcher_module, "FORGET_EVERY", 4)
    names = [f"h{n}.site.test" for n in range(12)]
    hosts = dict.fromkeys([*HOSTS, *names, "lent.site.test"], "127.0.0.1")
    async with fetcher(server, hosts=hosts) as f:
        f.set_host_delay("site.test", 0.2)  # a site's Crawl-delay: kept
        busy = asyncio.create_task(f.fetch("http://lent.site.test/drip"))  # holds its slot
        await asyncio.sleep(0.1)
        for name in names:
            assert (await f.fetch(f"http://{name}/")).ok
        kept = set(f._hosts)
        await busy
    assert {"site.test", "lent.site.test"} <= kept
    assert len(kept & set(names)) < len(names) // 2  # the idle ones were forgotten
