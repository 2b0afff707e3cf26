"""The polite, bounded HTTP fetcher (aiohttp).

Every fetch ends with a named :class:`~barometre.models.FetchOutcome`, never with an
exception or an unbounded read:

* connect / read / total timeouts;
* a cap on the raw and on the decompressed body (gzip bombs), decompression done here
  so that the archive keeps the bytes as they came;
* redirects followed by hand, at most ``max_redirects``, loops detected, every hop
  resolved again through the guarded resolver (IP literals checked here, since aiohttp
  does not resolve them);
* retries with exponential back-off on 5xx and network errors, honouring
  ``Retry-After`` on 429/503 up to a ceiling;
* per-host concurrency and delay, global concurrency, a User-Agent naming a contact URL.

Each request/response pair is handed to an optional recorder (the WARC writer).
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import aiohttp
from charset_normalizer import from_bytes
from multidict import CIMultiDict

from barometre.models import FetchOutcome
from barometre.net.guard import AddressPolicy, ForbiddenAddress
from barometre.net.resolver import GuardedResolver

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class TooLarge(Exception):
    """The body exceeds the configured cap."""


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 15 * 2**20  # decompressed body
    max_raw_bytes: int = 15 * 2**20  # as received
    max_redirects: int = 10
    retries: int = 3
    backoff: float = 1.0
    max_retry_after: float = 30.0
    per_host_concurrency: int = 1
    per_host_delay: float = 1.0
    global_concurrency: int = 64
    max_crawl_delay: float = 30.0  # ceiling on a site's robots.txt Crawl-delay


@dataclass
class Exchange:
    """One request and its response (or failure): what the archive records."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    started_at: datetime
    status: int | None = None
    reason: str = ""
    http_version: str = "1.1"
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    raw_body: bytes = b""
    truncated: bool = False
    peer: str | None = None
    outcome: FetchOutcome = FetchOutcome.OK
    error: str | None = None


@dataclass
class FetchResult:
    url: str
    final_url: str
    outcome: FetchOutcome
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chain: list[Exchange] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is FetchOutcome.OK

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        return decode_text(self.body, self.header("Content-Type"))


Recorder = Callable[[Exchange], Awaitable[None] | None]


def decode_text(body: bytes, content_type: str | None) -> str:
    """Declared charset if it decodes cleanly, else detection, else lenient UTF-8."""
    declared = None
    if content_type and "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if declared:
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[: 2**20]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def decode_body(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo gzip/deflate with a cap on the output (raises :class:`TooLarge`)."""
    coding = (content_encoding or "").strip().lower()
    if coding in ("", "identity"):
        if len(raw) > limit:
            raise TooLarge
        return raw
    if coding not in ("gzip", "x-gzip", "deflate"):
        return raw  # unknown coding: keep the bytes, checks will not read them
    decoder = zlib.decompressobj(wbits=47 if coding != "deflate" else 15)
    out = bytearray()
    data = raw
    try:
        while data:
            out += decoder.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise TooLarge
            data = decoder.unconsumed_tail
        out += decoder.flush()
    except zlib.error:
        if coding == "deflate":  # raw deflate without zlib header
            return decode_body_raw_deflate(raw, limit)
        raise
    if len(out) > limit:
        raise TooLarge
    return bytes(out)


def decode_body_raw_deflate(raw: bytes, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits=-15)
    out = decoder.decompress(raw, limit + 1)
    if len(out) > limit:
        raise TooLarge
    return out


Hop = Callable[[str], Awaitable[tuple[Exchange, bytes]]]


async def follow(
    url: str, hop: Hop, max_redirects: int, *, stop_at_redirect: bool = False
) -> FetchResult:
    """Follow redirects from ``url`` using ``hop`` (live fetch or archive replay).

    Shared by the fetcher and the replay so that both give the same result for the
    same exchanges: loops and excess redirects end with a named outcome.
    """
    result = FetchResult(url=url, final_url=url, outcome=FetchOutcome.OK)
    seen: set[str] = set()
    current = url
    for _ in range(max_redirects + 1):
        if current in seen:
            result.outcome = FetchOutcome.REDIRECT_LOOP
            result.error = f"boucle : {current} déjà visitée"
            return result
        seen.add(current)
        exchange, body = await hop(current)
        result.chain.append(exchange)
        result.final_url, result.status = current, exchange.status
        result.headers, result.body = exchange.response_headers, body
        result.outcome, result.error = exchange.outcome, exchange.error
        if exchange.outcome is not FetchOutcome.OK:
            return result
        if exchange.status in REDIRECT_STATUSES and not stop_at_redirect:
            location = CIMultiDict(exchange.response_headers).get("Location")
            if location:
                current = urljoin(current, location.strip())
                continue
        if exchange.status is not None and exchange.status >= 400:
            result.outcome = FetchOutcome.HTTP_ERROR
            result.error = f"HTTP {exchange.status}"
        return result
    result.outcome = FetchOutcome.TOO_MANY_REDIRECTS
    result.error = f"plus de {max_redirects} redirections"
    return result


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _classify(exc: BaseException) -> tuple[FetchOutcome, str]:
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, ForbiddenAddress):
            return FetchOutcome.FORBIDDEN_ADDRESS, str(exc.os_error)
        return FetchOutcome.DNS_ERROR, str(exc.os_error)
    if isinstance(exc, ForbiddenAddress):
        return FetchOutcome.FORBIDDEN_ADDRESS, str(exc)
    if isinstance(
        exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError | ssl.SSLError
    ):
        return FetchOutcome.TLS_ERROR, str(exc)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return FetchOutcome.TIMEOUT, "délai dépassé"
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return FetchOutcome.INVALID_URL, str(exc)
    return FetchOutcome.CONNECTION_ERROR, f"{type(exc).__name__}: {exc}"


class _HostSlot:
    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.next_time = 0.0
        self.delay = delay
        self.users = 0  # requests holding or waiting for this slot
        self.crawl_delay = False  # the site asked for its own delay (robots.txt)


# Slots of hosts left idle are forgotten every so many new hosts: a national capture
# meets tens of thousands of hosts, and each is asked for a few seconds only.
FORGET_EVERY = 1024


class Fetcher:
    """``async with Fetcher(config, policy=…) as f: await f.fetch(url)``."""

    def __init__(
        self,
        config: FetchConfig,
        *,
        policy: AddressPolicy | None = None,
        resolver: GuardedResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.config = config
        self.policy = policy or (resolver.policy if resolver else AddressPolicy())
        self.resolver = resolver or GuardedResolver(self.policy)
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.recorder = recorder
        self._session: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(config.global_concurrency)
        self._hosts: dict[str, _HostSlot] = {}
        self._new_hosts = 0
        self.requests = 0

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            resolver=self.resolver,
            ssl=self.ssl_context,
            limit=self.config.global_concurrency,
            limit_per_host=self.config.per_host_concurrency,
            ttl_dns_cache=60,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=self.config.connect_timeout,
                sock_read=self.config.read_timeout,
            ),
            headers={
                "User-Agent": self.config.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept-Language": "fr-FR,fr;q=0.9",
            },
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self,
        url: str,
        *,
        follow_redirects: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` and its redirects; always returns a result with a named outcome.

        ``headers`` are added to the session's (an API's ``Accept``, a token…)."""
        limit = self.config.max_redirects if follow_redirects else 0

        async def hop(current: str) -> tuple[Exchange, bytes]:
            return await self._fetch_one(current, headers)

        return await follow(url, hop, limit, stop_at_redirect=not follow_redirects)

    async def _fetch_one(
        self, url: str, headers: Mapping[str, str] | None = None
    ) -> tuple[Exchange, bytes]:
        attempt = 0
        while True:
            attempt += 1
            exchange, body, retry_in = await self._attempt(
                url, attempt > self.config.retries, attempt, headers
            )
            if retry_in is None:
                return exchange, body
            await asyncio.sleep(retry_in)

    def _slot(self, host: str) -> _HostSlot:
        slot = self._hosts.get(host)
        if slot is None:
            self._new_hosts += 1
            if self._new_hosts % FORGET_EVERY == 0:
                self._forget_idle()
            slot = self._hosts[host] = _HostSlot(
                self.config.per_host_concurrency, self.config.per_host_delay
            )
        return slot

    def _forget_idle(self) -> None:
        """Drop the slots no request holds or waits for and whose pause has run out: a new
        slot for the same host would let its next request go at once, as this one does.
        A slot that carries a site's Crawl-delay is kept until the capture ends."""
        now = time.monotonic()
        idle = [
            host
            for host, slot in self._hosts.items()
            if not slot.users and not slot.crawl_delay and slot.next_time <= now
        ]
        for host in idle:
            del self._hosts[host]

    def set_host_delay(self, host: str, seconds: float) -> None:
        """Honour a site's ``Crawl-delay`` (capped, never below our own delay)."""
        slot = self._slot(host)
        slot.delay = max(self.config.per_host_delay, min(seconds, self.config.max_crawl_delay))
        slot.crawl_delay = True

    async def _attempt(
        self, url: str, last: bool, attempt: int = 1, headers: Mapping[str, str] | None = None
    ) -> tuple[Exchange, bytes, float | None]:
        """One request, recorded whatever its outcome; ``last`` forbids another try."""
        exchange, body, retry = await self._attempt_unrecorded(url, attempt, headers)
        if retry is not None and last:
            retry = None
            if exchange.status == 429:
                exchange.outcome = FetchOutcome.RATE_LIMITED
                exchange.error = "HTTP 429 après toutes les tentatives"
        await self._record(exchange)
        return exchange, body, retry

    async def _attempt_unrecorded(
        self, url: str, attempt: int = 1, headers: Mapping[str, str] | None = None
    ) -> tuple[Exchange, bytes, float | None]:
        """One request. Returns the exchange, the decoded body and, to retry, a delay."""
        assert self._session is not None, "use `async with Fetcher(...)`"
        exchange = Exchange(url=url, method="GET", request_headers=[], started_at=datetime.now(UTC))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            exchange.outcome, exchange.error = FetchOutcome.INVALID_URL, f"URL non web : {url}"
            return exchange, b"", None
        host = parts.hostname
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:  # aiohttp connects to IP literals without asking the resolver
            if not self.policy.permits(host):
                exchange.outcome = FetchOutcome.FORBIDDEN_ADDRESS
                exchange.error = str(ForbiddenAddress(host, host))
                return exchange, b"", None
        slot = self._slot(host)
        slot.users += 1
        try:
            # Host slot first: a task waiting for a busy host must not hold a global permit.
            async with slot.semaphore, self._global:
                wait = slot.next_time - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    async with asyncio.timeout(self.config.total_timeout):
                        body = await self._request(url, exchange, headers)
                except TooLarge:
                    exchange.outcome = FetchOutcome.TOO_LARGE
                    exchange.error = f"corps au-delà de {self.config.max_bytes} octets"
                    return exchange, b"", None
                except (
                    aiohttp.ClientError,
                    OSError,
                    TimeoutError,
                    ssl.SSLError,
                    ValueError,
                ) as exc:
                    exchange.outcome, exchange.error = _classify(exc)
                    retry = exchange.outcome is FetchOutcome.CONNECTION_ERROR
                    return exchange, b"", self._backoff(attempt) if retry else None
                finally:
                    slot.next_time = time.monotonic() + slot.delay
                    self.requests += 1
        finally:
            slot.users -= 1
        status = exchange.status or 0
        if status in RETRY_STATUSES:
            headers = CIMultiDict(exchange.response_headers)
            after = _retry_after(headers.get("Retry-After"))
            if after is not None and after > self.config.max_retry_after:
                if status == 429:
                    exchange.outcome = FetchOutcome.RATE_LIMITED
                    exchange.error = f"Retry-After {after:.0f} s au-delà du plafond"
                return exchange, body, None  # a 5xx stays an HTTP error
            return exchange, body, after if after is not None else self._backoff(attempt)
        return exchange, body, None

    def _backoff(self, attempt: int) -> float:
        """Exponential: backoff, 2 × backoff, 4 × backoff…"""
        return float(self.config.backoff * 2 ** (attempt - 1))

    async def _request(
        self, url: str, exchange: Exchange, headers: Mapping[str, str] | None = None
    ) -> bytes:
        assert self._session is not None
        async with self._session.get(
            url, allow_redirects=False, headers=dict(headers) if headers else None
        ) as response:
            exchange.request_headers = list(response.request_info.headers.items())
            exchange.status = response.status
            exchange.reason = response.reason or ""
            exchange.http_version = (
                f"{response.version.major}.{response.version.minor}" if response.version else "1.1"
            )
            exchange.response_headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers
            ]
            peer = (
                response.connection.transport.get_extra_info("peername")
                if response.connection and response.connection.transport
                else None
            )
            exchange.peer = peer[0] if peer else None
            raw = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                raw += chunk
                if len(raw) > self.config.max_raw_bytes:
                    exchange.raw_body, exchange.truncated = bytes(raw), True
                    raise TooLarge
            exchange.raw_body = bytes(raw)
            try:
                return decode_body(
                    exchange.raw_body,
                    response.headers.get("Content-Encoding"),
                    self.config.max_bytes,
                )
            except zlib.error as exc:
                raise aiohttp.ClientPayloadError(f"compression invalide : {exc}") from exc

    async def _record(self, exchange: Exchange) -> None:
        if self.recorder is not None:
            pending = self.recorder(exchange)
            if pending is not None:
                await pending
