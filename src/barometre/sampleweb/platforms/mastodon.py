"""Recorded Mastodon servers: the public API of ``mastodon.collectivites.test`` and of
``social.ville-exemple.test``, with WebFinger.

Serves ``GET /api/v1/accounts/lookup?acct=`` and ``GET /api/v1/accounts/:id/statuses``
from the payloads under ``data/mastodon/`` (``<user>.account.json``: the Account entity;
``<user>.statuses.json``: its statuses, newest first; one folder per server beside the
first one), in the documented formats (docs.joinmastodon.org), and ``GET
/.well-known/webfinger?resource=acct:user@domain`` (RFC 7033, docs spec/webfinger). The
profile pages of the same host stay static files: only ``/api/`` and the WebFinger
path are served here. Every API answer carries ``X-RateLimit-Limit``, ``-Remaining``
and ``-Reset`` (300 requests per 5 minutes, as documented).

``social.ville-exemple.test`` is set up as Mastodon's documentation describes for a
server whose handles use another domain (``LOCAL_DOMAIN=ville-exemple.test``,
``WEB_DOMAIN=social.ville-exemple.test``): the commune's own server, whose accounts are
``@user@ville-exemple.test``. ``ville-exemple.test`` (the commune's site) redirects
``/.well-known/webfinger`` to the server (301), as the documentation asks; it has no
API, so a connector that looks the account up on the handle's domain finds nothing.

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
from dataclasses import dataclass
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
DELEGATED_DOMAIN = "ville-exemple.test"  # LOCAL_DOMAIN: the domain of the handles
DELEGATED_HOST = "social.ville-exemple.test"  # WEB_DOMAIN: where the server answers
WEBFINGER = "/.well-known/webfinger"
JRD_TYPE = "application/jrd+json; charset=utf-8"


@dataclass(frozen=True)
class Instance:
    host: str  # WEB_DOMAIN
    local_domain: str  # LOCAL_DOMAIN: the domain of its accounts' handles
    data: Path


INSTANCES = {
    HOST: Instance(HOST, HOST, DATA),
    DELEGATED_HOST: Instance(DELEGATED_HOST, DELEGATED_DOMAIN, DATA / DELEGATED_HOST),
}
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
def _accounts(data: Path = DATA) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``username → (Account, statuses newest first)`` from the payload files of a server."""
    found: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for path in sorted(data.glob("*.account.json")):
        name = path.name.removesuffix(".account.json")
        account = json.loads(path.read_text(encoding="utf-8"))
        statuses_path = data / f"{name}.statuses.json"
        statuses = (
            json.loads(statuses_path.read_text(encoding="utf-8")) if statuses_path.is_file() else []
        )
        found[name] = (account, statuses)
    return found


def _by_id(data: Path = DATA) -> dict[str, str]:
    return {account["id"]: name for name, (account, _) in _accounts(data).items()}


def _instance(request: web.Request) -> Instance:
    return INSTANCES.get((request.host or "").split(":")[0].lower(), INSTANCES[HOST])


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


def _is_local(instance: Instance, domain: str) -> bool:
    """Mastodon takes an account as its own under either of its two names."""
    return not domain or domain.lower() in (instance.host, instance.local_domain)


def _lookup(request: web.Request, state: PlatformState) -> web.Response:
    instance = _instance(request)
    acct = request.query.get("acct", "").lstrip("@")
    user, _, domain = acct.partition("@")
    if not user or not _is_local(instance, domain):
        return _error("Record not found", 404, state)
    if instance.host != HOST:
        found = _accounts(instance.data).get(user)
        return _json(found[0], state) if found else _error("Record not found", 404, state)
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
    instance = _instance(request)
    name = _by_id(instance.data).get(account_id)
    if name is None:
        return _error("Record not found", 404, state)
    account, statuses = _accounts(instance.data)[name]
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
        base = f"https://{instance.host}/api/v1/accounts/{account_id}/statuses"
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
        data = _instance(request).data
        name = _by_id(data).get(parts[3])
        if name is not None:
            return _json(_accounts(data)[name][0], state)
    return _error("Record not found", 404, state)


def jrd(instance: Instance, user: str) -> dict[str, Any]:
    """The WebFinger answer Mastodon gives for a local account (docs: spec/webfinger)."""
    profile = f"https://{instance.host}/@{user}"
    return {
        "subject": f"acct:{user}@{instance.local_domain}",
        "aliases": [profile, f"https://{instance.host}/users/{user}"],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile},
            {
                "rel": "self",
                "type": "application/activity+json",
                "href": f"https://{instance.host}/users/{user}",
            },
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": f"https://{instance.host}/authorize_interaction?uri={{uri}}",
            },
        ],
    }


async def handle_webfinger(request: web.Request, state: PlatformState) -> web.StreamResponse:
    """``/.well-known/webfinger?resource=acct:user@domain`` of a server: its own accounts
    under either of its names; 400 without a resource, 404 for anyone else, 410 for an
    account suspended (as Mastodon answers)."""
    state.hit("mastodon:webfinger")
    instance = _instance(request)
    resource = request.query.get("resource", "")
    if not resource:
        return web.Response(status=400, text="resource manquant")
    user, _, domain = resource.removeprefix("acct:").lstrip("@").partition("@")
    if not user or not _is_local(instance, domain):
        return web.Response(status=404)
    known = set(_accounts(instance.data))
    if instance.host == HOST:
        if user in GONE:
            return web.Response(status=410)
        known |= ALWAYS_429 | FIRST_429 | BROKEN
    if user not in known:
        return web.Response(status=404)
    body = json.dumps(jrd(instance, user), ensure_ascii=False).encode("utf-8")
    return web.Response(body=body, headers={"Content-Type": JRD_TYPE})


async def handle_delegated_domain(request: web.Request, state: PlatformState) -> web.StreamResponse:
    """The handles' domain of a server that answers elsewhere: WebFinger redirected to it
    (the setup the Mastodon documentation gives for ``WEB_DOMAIN``); the rest of the
    host is the commune's static site, without any API."""
    state.hit("mastodon:delegated")
    target = f"https://{DELEGATED_HOST}{WEBFINGER}?{request.query_string}"
    return web.Response(status=301, headers={"Location": target})


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
        PlatformRoute(HOST, WEBFINGER, handle_webfinger),
        PlatformRoute(DELEGATED_HOST, "/api/", handle_api),
        PlatformRoute(DELEGATED_HOST, WEBFINGER, handle_webfinger),
        PlatformRoute(DELEGATED_DOMAIN, WEBFINGER, handle_delegated_domain),
        PlatformRoute(CLOSED_HOST, "/", handle_closed),
    ]
