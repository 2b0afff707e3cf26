"""HTTP for the connectors: JSON and text over the shared fetcher, rate limits, secrets.

:class:`SocialHttp` wraps anything with the fetcher's ``fetch`` method: the live
:class:`~barometre.net.fetcher.Fetcher` (guarded resolver, timeouts, size caps,
retries honouring ``Retry-After``) or a :class:`~barometre.net.warc.Replay` of an
earlier run, so that a connector gives the same records offline.

It adds what APIs need on top of the fetcher:

* query parameters, an ``Accept`` header, extra headers;
* the platforms' rate-limit headers (Mastodon ``X-RateLimit-Remaining`` / ``-Reset`` as
  an ISO date, Bluesky and others ``RateLimit-Remaining`` / ``-Reset`` in epoch seconds
  or seconds from now): when a host says nothing is left, the next call to that host
  waits for the reset, or fails with :class:`RateLimited` if the wait exceeds
  ``max_wait``;
* secrets (API keys, tokens) are never archived: they are replaced by ``REDACTED`` in
  the URL and headers handed to the recorder, and replay asks for the redacted URL.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from barometre.models import FetchOutcome
from barometre.net.fetcher import Exchange, FetchResult, TooLarge, decode_body, decode_text
from barometre.social.errors import ConnectorError, MalformedPayload, RateLimited, Unreachable
from barometre.vocab.status import label_of

REDACTED = "REDACTED"


class FetchLike(Protocol):
    async def fetch(
        self,
        url: str,
        *,
        follow_redirects: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult: ...


@dataclass(frozen=True)
class ApiResponse:
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    final_url: str

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def text(self) -> str:
        return decode_text(self.body, self.header("Content-Type"))

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedPayload(
                f"Réponse JSON illisible de {self.url} : {exc}", status=self.status, url=self.url
            ) from exc


def with_params(url: str, params: Mapping[str, Any] | None) -> str:
    """``url`` with ``params`` appended (lists repeat the key; ``None`` values dropped)."""
    if not params:
        return url
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _redact_body(
    body: bytes, headers: list[tuple[str, str]], secrets: Sequence[str]
) -> tuple[bytes, list[tuple[str, str]]]:
    """The body with every secret replaced; some APIs echo the token back (Graph puts
    it in ``paging.next`` and snapshot URLs). A compressed body is decompressed within
    the fetcher's cap, redacted, and stored gzip-compressed again."""
    coding = next((v for k, v in headers if k.lower() == "content-encoding"), "").strip().lower()
    try:
        plain = decode_body(body, coding, 64 * 2**20)
    except (TooLarge, zlib.error):
        return body, headers
    encoded = [s.encode("utf-8") for s in secrets]
    if not any(e in plain for e in encoded):
        return body, headers
    for secret in encoded:
        plain = plain.replace(secret, REDACTED.encode())
    if coding in ("", "identity"):
        new_body = plain
    elif coding in ("gzip", "x-gzip", "deflate"):
        new_body = gzip.compress(plain, mtime=0)
        headers = [(k, "gzip") if k.lower() == "content-encoding" else (k, v) for k, v in headers]
    else:
        return body, headers
    headers = [
        (k, str(len(new_body))) if k.lower() == "content-length" else (k, v) for k, v in headers
    ]
    return new_body, headers


def redact_exchange(exchange: Exchange, secrets: Sequence[str]) -> Exchange:
    """A copy of ``exchange`` with every secret replaced (what the archive keeps): in
    the URL, the request headers and the response body."""
    secrets = [s for s in secrets if s]
    if not secrets:
        return exchange
    body, headers = _redact_body(exchange.raw_body, list(exchange.response_headers), secrets)
    return replace(
        exchange,
        url=redact(exchange.url, secrets),
        request_headers=[(k, redact(v, secrets)) for k, v in exchange.request_headers],
        raw_body=body,
        response_headers=headers,
    )


def _reset_in(value: str, now: float) -> float | None:
    """Seconds until a rate-limit reset given as an ISO date, epoch seconds or a delay."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    if number > 1e9:  # epoch seconds
        return max(0.0, number - now)
    return max(0.0, number)


class SocialHttp:
    def __init__(
        self,
        fetcher: FetchLike,
        *,
        secrets: Sequence[str] = (),
        replay: bool = False,
        max_wait: float = 60.0,
        clock: Any = time.time,
        sleep: Any = asyncio.sleep,
    ) -> None:
        self.fetcher = fetcher
        self.secrets = tuple(s for s in secrets if s)
        self.replay = replay
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._blocked_until: dict[str, float] = {}
        self.requests = 0

    async def _wait_for(self, host: str) -> None:
        until = self._blocked_until.get(host)
        if until is None or self.replay:
            return
        wait = until - self._clock()
        if wait > self.max_wait:
            raise RateLimited(
                f"Limite de débit atteinte sur {host} : reprise dans {wait:.0f} s, au-delà "
                f"de l'attente permise ({self.max_wait:.0f} s)."
            )
        if wait > 0:
            await self._sleep(wait)
        self._blocked_until.pop(host, None)

    def _note_limits(self, host: str, headers: Mapping[str, str]) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        for prefix in ("x-ratelimit-", "ratelimit-"):
            remaining = lowered.get(prefix + "remaining")
            reset = lowered.get(prefix + "reset")
            if remaining is None or reset is None:
                continue
            try:
                left = int(float(remaining))
            except ValueError:
                continue
            if left <= 0:
                now = self._clock()
                delay = _reset_in(reset, now)
                if delay is not None:
                    self._blocked_until[host] = now + delay
            return

    async def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        accept: str = "application/json",
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> ApiResponse:
        """GET ``url``; any HTTP status comes back (the platform client reads the body).

        Raises :class:`Unreachable` when no HTTP answer came and :class:`RateLimited`
        on a 429 that outlived the retries.
        """
        full = with_params(url, params)
        host = (urlsplit(full).hostname or "").lower()
        await self._wait_for(host)
        sent = {"Accept": accept, **(headers or {})}
        target = redact(full, self.secrets) if self.replay else full
        result = await self.fetcher.fetch(target, follow_redirects=follow_redirects, headers=sent)
        self.requests += 1
        shown = redact(full, self.secrets)
        if result.status is None:
            raise Unreachable(
                f"{shown} : {label_of(result.outcome)}"
                + (f" ({redact(result.error, self.secrets)})" if result.error else ""),
                url=shown,
            )
        headers_map = dict(result.headers)
        self._note_limits(host, headers_map)
        if result.status == 429 or result.outcome is FetchOutcome.RATE_LIMITED:
            raise RateLimited(
                f"{shown} : limitation de débit (HTTP 429) après toutes les tentatives.",
                status=429,
                url=shown,
            )
        return ApiResponse(
            url=shown,
            status=result.status,
            headers=tuple(result.headers),
            body=result.body,
            final_url=redact(result.final_url, self.secrets),
        )

    async def get_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[ApiResponse, Any]:
        """The response and its decoded JSON (:class:`MalformedPayload` if it is not JSON).

        The status is not judged here: a 404 with a JSON error body is decoded too, for
        the platform's ``errors.py`` to read.
        """
        response = await self.get(url, params, headers=headers)
        try:
            return response, response.json()
        except MalformedPayload:
            if response.status >= 400:
                raise ConnectorError(
                    f"{response.url} : HTTP {response.status}",
                    status=response.status,
                    url=response.url,
                ) from None
            raise
