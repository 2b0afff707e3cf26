"""Recorded Mastodon instance: the public API of ``mastodon.collectivites.test``.

Serves ``GET /api/v1/accounts/lookup?acct=`` and ``GET /api/v1/accounts/:id/statuses``
from the payloads under ``data/mastodon/`` (``<user>.account.json``: the Account entity;
``<user>.statuses.json``: its statuses, newest first), in the documented formats
(docs.joinmastodon.org). The profile pages of the same host stay static files: only
the ``/api/`` prefix is served here. Every answer carries ``X-RateLimit-Limit``,
``-Remaining`` and ``-Reset`` (300 requests per 5 minutes, as documented).

Statuses are paged like Mastodon does: ``limit`` (default 20, at most 40, and at most
:data:`PAGE_MAX` here so that paging really happens), ``max_id`` / ``since_id`` /
``min_id``, ``exclude_replies``, ``exclude_reblogs``, ``only_media``, and a ``Link``
header with ``rel="next"`` and ``rel="prev"``.

Scenario accounts (see ``data/README.md``): ``compte_supprime`` (404),
``ancien_suspendu`` (410, as servers 2.4–3.2 answered), ``compte_suspendu`` (account with
``"suspended": true``), ``compte_demenage`` (``moved``), ``limite_debit`` (first lookup
answers 429 with ``Retry-After: 1``), ``toujours_limite`` (always 429, long
``Retry-After``), ``json_casse`` (truncated JSON); and the host
``instance-fermee.plateformes.test``, an instance that refuses anonymous API calls (401).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from barometre.sampleweb.platforms import PlatformRoute, PlatformState

HOST = "mastodon.collectivites.test"
CLOSED_HOST = "instance-fermee.plateformes.test"
DATA = Path(__file__).resolve().parent / "data" / "mastodon"
PAGE_MAX = 10
RATE_LIMIT = 300  # requests per window (docs: content/en/api/rate-limits.md)
RATE_WINDOW = 300  # seconds
JSON_TYPE = "application/json; charset=utf-8"

NOT_FOUND = {"compte_supprime"}
GONE = {"ancien_suspendu"}
FIRST_429 = {"limite_debit"}
ALWAYS_429 = {"toujours_limite"}
BROKEN = {"json_casse"}
BROKEN_BODY = b'{"id": "110566092800001", "username": "json_casse", "acct": "json_casse", "display_'


@cache
def _accounts() -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``username → (Account, statuses newest first)`` from the payload files."""
    found: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for path in sorted(DATA.glob("*.account.json")):
        name = path.name.removesuffix(".account.json")
        account = json.loads(path.read_text(encoding="utf-8"))
        statuses_path = DATA / f"{name}.statuses.json"
        statuses = (
            json.loads(statuses_path.read_text(encoding="utf-8")) if statuses_path.is_file() else []
        )
        found[name] = (account, statuses)
    return found


def _by_id() -> dict[str, str]:
    return {account["id"]: name for name, (account, _) in _accounts().items()}


def _limits(state: PlatformState) -> dict[str, str]:
    """The documented rate-limit headers, counted per run of the sample web."""
    used = state.hit("mastodon:ratelimit")
    now = time.time()
    reset = datetime.fromtimestamp((now // RATE_WINDOW + 1) * RATE_WINDOW, UTC)
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - used)),
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


def _json(
    data: Any, state: PlatformState, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": JSON_TYPE, **_limits(state), **(headers or {})},
    )


def _error(
    message: str, status: int, state: PlatformState, headers: dict[str, str] | None = None
) -> web.Response:
    return _json({"error": message}, state, status, headers)


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in ("1", "true")


def _lookup(request: web.Request, state: PlatformState) -> web.Response:
    acct = request.query.get("acct", "").lstrip("@")
    user, _, domain = acct.partition("@")
    if not user or (domain and domain.lower() != HOST):
        return _error("Record not found", 404, state)
    if user in NOT_FOUND:
        return _error("Record not found", 404, state)
    if user in GONE:
        return web.Response(status=410, headers=_limits(state))
    if user in ALWAYS_429:
        return _error("Too many requests", 429, state, {"Retry-After": "3600"})
    if user in FIRST_429 and state.hit(f"mastodon:first429:{user}") == 1:
        return _error("Too many requests", 429, state, {"Retry-After": "1"})
    if user in BROKEN:
        return web.Response(body=BROKEN_BODY, headers={"Content-Type": JSON_TYPE, **_limits(state)})
    found = _accounts().get(user)
    if found is None:
        return _error("Record not found", 404, state)
    return _json(found[0], state)


def _id_param(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    return int(value) if value is not None and value.isdigit() else None


def _statuses(request: web.Request, state: PlatformState, account_id: str) -> web.Response:
    name = _by_id().get(account_id)
    if name is None:
        return _error("Record not found", 404, state)
    account, statuses = _accounts()[name]
    if account.get("suspended"):
        return _json([], state)
    try:
        limit = int(request.query.get("limit", "20"))
    except ValueError:
        limit = 20
    limit = max(1, min(limit, 40, PAGE_MAX))
    max_id, since_id, min_id = (_id_param(request, n) for n in ("max_id", "since_id", "min_id"))
    selected = []
    for status in statuses:  # newest first
        sid = int(status["id"])
        if max_id is not None and sid >= max_id:
            continue
        if since_id is not None and sid <= since_id:
            continue
        if min_id is not None and sid <= min_id:
            continue
        if _flag(request, "exclude_reblogs") and status.get("reblog"):
            continue
        if _flag(request, "exclude_replies") and status.get("in_reply_to_account_id") not in (
            None,
            account["id"],
        ):
            continue
        if _flag(request, "only_media") and not status.get("media_attachments"):
            continue
        selected.append(status)
    # min_id pages forward: the statuses just newer than it, still served newest first.
    page = selected[-limit:] if min_id is not None else selected[:limit]
    headers: dict[str, str] = {}
    if page:
        kept = {k: v for k, v in request.query.items() if k not in ("max_id", "since_id", "min_id")}
        base = f"https://{HOST}/api/v1/accounts/{account_id}/statuses"
        older = urlencode({**kept, "max_id": page[-1]["id"]})
        newer = urlencode({**kept, "min_id": page[0]["id"]})
        headers["Link"] = f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'
    return _json(page, state, headers=headers)


async def handle_api(request: web.Request, state: PlatformState) -> web.StreamResponse:
    """Dispatch one request under ``/api/`` of the recorded instance."""
    if request.method not in ("GET", "HEAD"):
        return _error("This method is not supported by the sample instance", 405, state)
    parts = [p for p in request.path.split("/") if p]
    if parts == ["api", "v1", "accounts", "lookup"]:
        return _lookup(request, state)
    if len(parts) == 5 and parts[:3] == ["api", "v1", "accounts"] and parts[4] == "statuses":
        return _statuses(request, state, parts[3])
    if len(parts) == 4 and parts[:3] == ["api", "v1", "accounts"]:
        name = _by_id().get(parts[3])
        if name is not None:
            return _json(_accounts()[name][0], state)
    return _error("Record not found", 404, state)


async def handle_closed(request: web.Request, state: PlatformState) -> web.StreamResponse:
    """An instance in limited-federation mode: every API call needs a user token."""
    if request.path.startswith("/api/"):
        return web.Response(
            status=401,
            body=json.dumps({"error": "This API requires an authenticated user"}).encode(),
            headers={"Content-Type": JSON_TYPE},
        )
    return web.Response(
        status=200,
        text='<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Instance fermée'
        "</title></head><body><p>Cette instance n'est accessible qu'à ses membres connectés.</p>"
        "</body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )


def routes() -> list[PlatformRoute]:
    return [
        PlatformRoute(HOST, "/api/", handle_api),
        PlatformRoute(CLOSED_HOST, "/", handle_closed),
    ]
