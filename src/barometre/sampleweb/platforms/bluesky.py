"""Recorded Bluesky AppView: ``bsky-appview.plateformes.test/xrpc/…``.

Serves ``app.bsky.actor.getProfile`` and ``app.bsky.feed.getAuthorFeed`` from the
payloads under ``data/bluesky/`` (``<handle>.profile.json``: a
``profileViewDetailed``; ``<handle>.feed.json``: the ``feedViewPost`` items, newest
first), in the lexicons' formats. Errors are XRPC bodies ``{"error", "message"}``;
every answer carries ``RateLimit-Limit``, ``-Remaining``, ``-Reset`` (epoch seconds) and
``-Policy`` like the real AppView.

The author feed honours ``limit`` (1–100, at most :data:`PAGE_MAX` items here so that
paging really happens), ``filter`` and ``cursor``. Items are ordered by the time they
entered the feed (the repost's ``indexedAt`` for a repost, else the post's
``indexedAt``) and the cursor is that time for the last item served, so that posts
with a forged ``createdAt`` stay where the AppView indexed them.

Scenario accounts (see ``data/README.md``): ``supprime.plateformes.test`` (Profile not
found), ``desactive.plateformes.test`` (AccountDeactivated), ``cote-exemple.test``
(renamed: its old handle ``cote-exemple.plateformes.test`` no longer resolves),
``montagne-exemple.test`` (shown as ``handle.invalid``), ``flux-casse.plateformes.test``
(truncated JSON feed), ``limite.plateformes.test`` (its profile answer says
``RateLimit-Remaining: 0`` with a reset :data:`LIMIT_RESET` seconds later).
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from barometre.sampleweb.platforms import ENDPOINTS, PlatformRoute, PlatformState

HOST = ENDPOINTS["bluesky_appview"].split("://", 1)[1]
DATA = Path(__file__).resolve().parent / "data" / "bluesky"
PAGE_MAX = 10
RATE_LIMIT = 3000
RATE_WINDOW = 300
LIMIT_RESET = 20  # seconds until the quota of limite.plateformes.test comes back
JSON_TYPE = "application/json; charset=utf-8"

DELETED = {"supprime.plateformes.test"}
DEACTIVATED = {"desactive.plateformes.test"}
LIMITED = {"limite.plateformes.test"}
BROKEN_FEED = {"flux-casse.plateformes.test"}
BROKEN_BODY = b'{"feed": [{"post": {"uri": "at://did:plc:d77si7wdg3skcjlbjdksy72p/app.bsky.feed.'
FILTERS = ("posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads")


@cache
def _accounts() -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``name → (profile, feed)``, where ``name`` is the payload file's handle."""
    found: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for path in sorted(DATA.glob("*.profile.json")):
        name = path.name.removesuffix(".profile.json")
        profile = json.loads(path.read_text(encoding="utf-8"))
        feed_path = DATA / f"{name}.feed.json"
        feed = json.loads(feed_path.read_text(encoding="utf-8")) if feed_path.is_file() else []
        found[name] = (profile, feed)
    return found


def _resolve(actor: str) -> str | None:
    """The payload name for a handle or DID (a handle shown as ``handle.invalid`` still
    resolves by its DNS record, i.e. by the payload's name)."""
    actor = actor.strip().lstrip("@").lower()
    for name, (profile, _) in _accounts().items():
        if actor in (name, profile["did"].lower(), profile["handle"].lower()):
            return name
    return None


def _limits(state: PlatformState, *, exhausted: bool = False) -> dict[str, str]:
    used = state.hit("bluesky:ratelimit")
    now = time.time()
    reset = int(now) + LIMIT_RESET if exhausted else int((now // RATE_WINDOW + 1) * RATE_WINDOW)
    return {
        "RateLimit-Limit": str(RATE_LIMIT),
        "RateLimit-Remaining": "0" if exhausted else str(max(0, RATE_LIMIT - used)),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": f"{RATE_LIMIT};w={RATE_WINDOW}",
    }


def _json(
    data: Any, state: PlatformState, status: int = 200, *, exhausted: bool = False
) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": JSON_TYPE, **_limits(state, exhausted=exhausted)},
    )


def _xrpc_error(name: str, message: str, state: PlatformState, status: int = 400) -> web.Response:
    return _json({"error": name, "message": message}, state, status)


def _actor_error(actor: str, state: PlatformState) -> web.Response | None:
    key = actor.strip().lstrip("@").lower()
    if key in DEACTIVATED:
        return _xrpc_error("AccountDeactivated", "Account is deactivated", state)
    if key in DELETED or _resolve(actor) is None:
        return _xrpc_error("InvalidRequest", "Profile not found", state)
    return None


def _get_profile(request: web.Request, state: PlatformState) -> web.Response:
    actor = request.query.get("actor")
    if not actor:
        return _xrpc_error("InvalidRequest", 'Error: Params must have the property "actor"', state)
    error = _actor_error(actor, state)
    if error is not None:
        return error
    name = _resolve(actor)
    assert name is not None
    return _json(_accounts()[name][0], state, exhausted=name in LIMITED)


def _sort_time(item: dict[str, Any]) -> str:
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == "app.bsky.feed.defs#reasonRepost":
        return str(reason["indexedAt"])
    return str(item["post"]["indexedAt"])


def _keep(item: dict[str, Any], did: str, mode: str) -> bool:
    record = item["post"]["record"]
    reply = record.get("reply")
    is_repost = isinstance(item.get("reason"), dict)
    if mode == "posts_no_replies":
        return reply is None or is_repost
    if mode == "posts_with_media":
        kind = str(item["post"].get("embed", {}).get("$type", ""))
        return not is_repost and ("images" in kind or "video" in kind)
    if mode == "posts_and_author_threads":
        return reply is None or is_repost or reply["parent"]["uri"].startswith(f"at://{did}/")
    return True


def _get_author_feed(request: web.Request, state: PlatformState) -> web.Response:
    actor = request.query.get("actor")
    if not actor:
        return _xrpc_error("InvalidRequest", 'Error: Params must have the property "actor"', state)
    try:
        limit = int(request.query.get("limit", "50"))
    except ValueError:
        return _xrpc_error("InvalidRequest", "Error: limit must be an integer", state)
    if not 1 <= limit <= 100:
        return _xrpc_error("InvalidRequest", "Error: limit must be between 1 and 100", state)
    mode = request.query.get("filter", "posts_with_replies")
    if mode not in FILTERS:
        return _xrpc_error(
            "InvalidRequest", f"Error: filter must be one of {', '.join(FILTERS)}", state
        )
    error = _actor_error(actor, state)
    if error is not None:
        return error
    name = _resolve(actor)
    assert name is not None
    if name in BROKEN_FEED:
        return web.Response(body=BROKEN_BODY, headers={"Content-Type": JSON_TYPE, **_limits(state)})
    profile, feed = _accounts()[name]
    cursor = request.query.get("cursor")
    items = [
        item
        for item in feed
        if _keep(item, profile["did"], mode) and (cursor is None or _sort_time(item) < cursor)
    ]
    page = items[: min(limit, PAGE_MAX)]
    body: dict[str, Any] = {"feed": page}
    if len(items) > len(page):
        body["cursor"] = _sort_time(page[-1])
    return _json(body, state)


async def handle_xrpc(request: web.Request, state: PlatformState) -> web.StreamResponse:
    """Dispatch one ``/xrpc/<method>`` request."""
    method = request.path.removeprefix("/xrpc/")
    if request.method not in ("GET", "HEAD"):
        return _xrpc_error("InvalidRequest", "Method Not Allowed", state, 405)
    if method == "app.bsky.actor.getProfile":
        return _get_profile(request, state)
    if method == "app.bsky.feed.getAuthorFeed":
        return _get_author_feed(request, state)
    return _xrpc_error("MethodNotImplemented", "Method Not Implemented", state, 501)


def routes() -> list[PlatformRoute]:
    return [PlatformRoute(HOST, "/xrpc/", handle_xrpc)]
