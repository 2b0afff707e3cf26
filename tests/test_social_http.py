"""SocialHttp against a real HTTP server on loopback: rate limits, secrets, errors, replay."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from barometre.models import AccountState
from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.net.warc import Replay, WarcRecorder
from barometre.social.base import AccountRef, Fetched, read_account
from barometre.social.errors import (
    AccountNotFound,
    MalformedPayload,
    RateLimited,
    Unreachable,
)
from barometre.social.http import REDACTED, SocialHttp, redact_exchange, with_params

HOST = "api.plateformes.test"
SECRET = "cle-tres-secrete-123"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest_asyncio.fixture
async def server() -> AsyncIterator[tuple[int, list[str]]]:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request.path_qs)
        if request.path == "/exhausted":
            return web.json_response(
                {"ok": True}, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "30"}
            )
        if request.path == "/exhausted-iso":
            return web.json_response(
                {"ok": True},
                headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2023-11-14T22:20:00Z"},
            )
        if request.path == "/broken":
            return web.Response(text="{pas du json", content_type="application/json")
        if request.path == "/gone":
            return web.Response(status=404, text="<html>introuvable</html>")
        if request.path == "/always-429":
            return web.Response(status=429, headers={"Retry-After": "3600"})
        if request.path == "/echo-gzip":
            body = json.dumps({"next": f"http://{HOST}/p2?token={request.query.get('key')}"})
            return web.Response(
                body=gzip.compress(body.encode()),
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            )
        return web.json_response({"query": dict(request.query)})

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield port, seen
    await runner.cleanup()


def fetcher(port: int, recorder: object = None) -> Fetcher:
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts={HOST: "127.0.0.1"},
        port_map={80: port},
        static_only=True,
    )
    config = FetchConfig(
        user_agent="test", per_host_delay=0, retries=1, backoff=0.01, max_retry_after=1
    )
    return Fetcher(config, resolver=resolver, recorder=recorder)  # type: ignore[arg-type]


def test_params_are_encoded_and_none_dropped() -> None:
    url = with_params("http://h.test/a?x=1", {"b": None, "c": ["1", "2"], "d": True, "e": "é"})
    assert url == "http://h.test/a?x=1&c=1&c=2&d=true&e=%C3%A9"


@pytest.mark.asyncio
async def test_exhausted_rate_limit_makes_the_next_call_wait(server: tuple[int, list[str]]) -> None:
    port, seen = server
    clock = Clock()
    async with fetcher(port) as f:
        http = SocialHttp(f, clock=clock, sleep=clock.sleep, max_wait=60)
        await http.get(f"http://{HOST}/exhausted")
        assert clock.slept == []
        await http.get(f"http://{HOST}/next")
        assert clock.slept == [30.0]
        await http.get(f"http://{HOST}/third")
        assert clock.slept == [30.0]  # the block was lifted
        # a reset too far away is a clear error, not a long sleep
        impatient = SocialHttp(f, clock=clock, sleep=clock.sleep, max_wait=10)
        await impatient.get(f"http://{HOST}/exhausted")
        with pytest.raises(RateLimited, match="au-delà"):
            await impatient.get(f"http://{HOST}/next")
    assert seen.count("/next") == 1


@pytest.mark.asyncio
async def test_iso_reset_dates_are_understood(server: tuple[int, list[str]]) -> None:
    port, _ = server
    clock = Clock()  # 2023-11-14T22:13:20Z
    async with fetcher(port) as f:
        http = SocialHttp(f, clock=clock, sleep=clock.sleep, max_wait=600)
        await http.get(f"http://{HOST}/exhausted-iso")
        await http.get(f"http://{HOST}/next")
    assert clock.slept == [pytest.approx(400.0)]


@pytest.mark.asyncio
async def test_errors_are_named(server: tuple[int, list[str]]) -> None:
    port, _ = server
    async with fetcher(port) as f:
        http = SocialHttp(f)
        with pytest.raises(MalformedPayload, match="JSON illisible"):
            await http.get_json(f"http://{HOST}/broken")
        response = await http.get(f"http://{HOST}/gone")
        assert response.status == 404
        with pytest.raises(RateLimited, match="429"):
            await http.get(f"http://{HOST}/always-429")
        with pytest.raises(Unreachable):
            await http.get("http://inconnu.plateformes.test/")


@pytest.mark.asyncio
async def test_secrets_never_reach_the_archive_and_replay_still_answers(
    server: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, seen = server
    path = tmp_path / "social.warc.gz"
    recorder = WarcRecorder(path)
    async with fetcher(port, lambda e: recorder.record(redact_exchange(e, [SECRET]))) as f:
        http = SocialHttp(f, secrets=[SECRET])
        response, live = await http.get_json(f"http://{HOST}/data", {"key": SECRET, "q": "a"})
        assert SECRET not in response.url and REDACTED in response.url
        _, echoed = await http.get_json(f"http://{HOST}/echo-gzip", {"key": SECRET})
        assert SECRET in echoed["next"]  # the caller sees the live answer
    recorder.close()
    assert any(SECRET in s for s in seen)  # the server did get the key
    assert SECRET.encode() not in path.read_bytes()
    replay = SocialHttp(Replay(path, FetchConfig(user_agent="r")), secrets=[SECRET], replay=True)
    _, again = await replay.get_json(f"http://{HOST}/data", {"key": SECRET, "q": "a"})
    assert live == {"query": {"key": SECRET, "q": "a"}}
    assert again == {"query": {"key": REDACTED, "q": "a"}}  # echoed secrets are redacted too
    _, archived = await replay.get_json(f"http://{HOST}/echo-gzip", {"key": SECRET})
    assert archived["next"].endswith(f"token={REDACTED}")  # the archive kept it redacted


class _Failing:
    platform = "mastodon"
    source = AccountState  # not used

    def __init__(self, error: Exception | None, disabled: str | None = None) -> None:
        self.error = error
        self.disabled = disabled

    def disabled_reason(self) -> str | None:
        return self.disabled

    async def fetch_account(self, ref: AccountRef, since: object) -> Fetched:
        assert self.error is not None
        raise self.error


@pytest.mark.asyncio
async def test_read_account_turns_errors_into_states() -> None:
    from barometre.models import SocialSource

    _Failing.source = SocialSource.API  # type: ignore[assignment]
    ref = AccountRef("commune:1", "mastodon", "ville", "https://m.test/@ville")
    gone = await read_account(_Failing(AccountNotFound("Compte introuvable")), ref, None)  # type: ignore[arg-type]
    assert (
        gone.profile.state is AccountState.NOT_FOUND and gone.profile.reason == "Compte introuvable"
    )
    off = await read_account(_Failing(None, "clé absente"), ref, None)  # type: ignore[arg-type]
    assert off.profile.state is AccountState.DISABLED and off.profile.reason == "clé absente"
    body = json.dumps({"x": 1})
    bad = await read_account(_Failing(MalformedPayload(f"illisible {body}")), ref, None)  # type: ignore[arg-type]
    assert bad.profile.state is AccountState.ERROR and bad.posts == ()
