"""Recorded Meta Graph API: the Ad Library search ``ads_archive``, on loopback.

``graph.plateformes.test/v21.0/ads_archive`` answers like the Graph API: it checks the
access token (``jeton-essai`` accepted, ``jeton-expire`` expired, anything else invalid,
error 190; none, error 104), the required ``ad_reached_countries`` and
``search_page_ids`` (or ``search_terms``), the enums and the date format, the requested
``fields`` (unknown ones: error 100), and pages the results by cursor (``limit``,
``after``, ``paging.next`` carrying every parameter back, the token included, as Graph
does). Data: ``data/meta/ads_archive.json`` (a reach is a number or, as Graph writes its
ranges, ``{"lower_bound", "upper_bound"}`` with the bounds as text); the page of the
``rate_limited`` scenario answers error 613. Errors use Graph's body ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from barometre.sampleweb.platforms import ENDPOINTS, PlatformRoute, PlatformState

DATA = Path(__file__).resolve().parent / "data" / "meta"
GRAPH_HOST = urlsplit(ENDPOINTS["meta_graph"]).hostname or ""
GRAPH_PREFIX = urlsplit(ENDPOINTS["meta_graph"]).path.rstrip("/") + "/"
GRAPH = ENDPOINTS["meta_graph"].rstrip("/")
SNAPSHOT = "https://facebook.plateformes.test/ads/archive/render_ad/"
# Tokens of the sample web only (fictional, accepted nowhere else).
VALID_TOKEN = "jeton-essai"  # noqa: S105
EXPIRED_TOKEN = "jeton-expire"  # noqa: S105
FIELDS = frozenset(
    {
        "id",
        "page_id",
        "page_name",
        "ad_creation_time",
        "ad_delivery_start_time",
        "ad_delivery_stop_time",
        "publisher_platforms",
        "ad_snapshot_url",
        "eu_total_reach",
        "languages",
        "bylines",
        "currency",
    }
)
STATUSES = frozenset({"ACTIVE", "ALL", "INACTIVE"})
AD_TYPES = frozenset(
    {
        "ALL",
        "EMPLOYMENT_ADS",
        "FINANCIAL_PRODUCTS_AND_SERVICES_ADS",
        "HOUSING_ADS",
        "POLITICAL_AND_ISSUE_ADS",
    }
)
DEFAULT_LIMIT = 25


@cache
def pages() -> dict[str, dict[str, Any]]:
    return dict(json.loads((DATA / "ads_archive.json").read_text(encoding="utf-8"))["pages"])


def graph_error(
    code: int, message: str, *, kind: str = "OAuthException", subcode: int | None = None
) -> web.Response:
    body: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    body["fbtrace_id"] = f"Essai{code:04d}"
    status = 403 if code in (10, 200) else 400
    return web.json_response({"error": body}, status=status)


def _list_param(raw: str) -> list[str]:
    """``['FR']``, ``["FR","BE"]`` or ``FR,BE`` (Graph accepts the array and the list)."""
    text = raw.strip()
    if text.startswith("["):
        try:
            value = json.loads(text.replace("'", '"'))
        except ValueError:
            return []
        return [str(v) for v in value] if isinstance(value, list) else []
    return [v.strip() for v in text.split(",") if v.strip()]


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"decalage:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "decalage" and number.isdigit() else None


def _delivered_since(ad: dict[str, Any], since: date | None) -> bool:
    if since is None:
        return True
    stop = ad.get("stop")
    return stop is None or date.fromisoformat(stop) >= since


def _render(
    page_id: str, page: dict[str, Any], ad: dict[str, Any], fields: list[str], token: str
) -> dict[str, Any]:
    full: dict[str, Any] = {
        "id": ad["id"],
        "page_id": page_id,
        "page_name": page["name"],
        "ad_creation_time": ad["created"],
        "ad_delivery_start_time": ad["start"],
        "publisher_platforms": ad["platforms"],
        "ad_snapshot_url": f"{SNAPSHOT}?{urlencode({'id': ad['id'], 'access_token': token})}",
        "eu_total_reach": ad["eu_total_reach"],
        "languages": ["fr"],
        "bylines": page["name"],
        "currency": "EUR",
    }
    if ad.get("stop"):
        full["ad_delivery_stop_time"] = ad["stop"]
    wanted = fields or ["id"]
    return {k: full[k] for k in wanted if k in full}


async def ads_archive(request: web.Request) -> web.Response:
    query = request.query
    token = query.get("access_token")
    if not token:
        return graph_error(104, "An access token is required for this request.")
    if token == EXPIRED_TOKEN:
        return graph_error(
            190, "Error validating access token: the session has expired.", subcode=463
        )
    if token != VALID_TOKEN:
        return graph_error(190, "Invalid OAuth access token - cannot parse access token.")
    countries = _list_param(query.get("ad_reached_countries", ""))
    if not countries:
        return graph_error(100, "(#100) The parameter ad_reached_countries is required")
    page_ids = _list_param(query.get("search_page_ids", ""))
    if not page_ids and not query.get("search_terms"):
        return graph_error(100, "(#100) search_page_ids or search_terms is required")
    if len(page_ids) > 10 or not all(p.isdigit() for p in page_ids):
        return graph_error(100, "(#100) search_page_ids takes at most 10 numeric page ids")
    status = query.get("ad_active_status", "ACTIVE")
    if status not in STATUSES:
        return graph_error(100, f"(#100) ad_active_status must be one of {sorted(STATUSES)}")
    if query.get("ad_type", "ALL") not in AD_TYPES:
        return graph_error(100, "(#100) Invalid ad_type")
    since: date | None = None
    if "ad_delivery_date_min" in query:
        try:
            since = date.fromisoformat(query["ad_delivery_date_min"])
        except ValueError:
            return graph_error(100, "(#100) ad_delivery_date_min must be a date (YYYY-mm-dd)")
    fields = [f for f in query.get("fields", "id").split(",") if f]
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        return graph_error(100, f"(#100) Tried accessing nonexisting field ({unknown[0]})")
    raw_limit = query.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 5000:
        return graph_error(100, "(#100) limit must be a positive integer")
    limit = int(raw_limit)
    offset = 0
    if "after" in query:
        found = _offset(query["after"])
        if found is None:
            return graph_error(100, "(#100) Invalid cursor")
        offset = found

    matching: list[dict[str, Any]] = []
    for page_id in page_ids:
        page = pages().get(page_id)
        if page is None:
            continue
        if page.get("scenario") == "rate_limited":
            return graph_error(
                613, "Calls to this API have exceeded the rate limit.", kind="OAuthException"
            )
        for ad in page["ads"]:
            if not set(ad["countries"]) & set(countries) or not _delivered_since(ad, since):
                continue
            running = ad.get("stop") is None
            if (status == "ACTIVE" and not running) or (status == "INACTIVE" and running):
                continue
            matching.append(_render(page_id, page, ad, fields, token))
    matching.sort(key=lambda a: a.get("id", ""), reverse=True)
    chunk = matching[offset : offset + limit]
    body: dict[str, Any] = {"data": chunk}
    if chunk:
        after = _cursor(offset + len(chunk))
        body["paging"] = {"cursors": {"before": _cursor(offset), "after": after}}
        if offset + len(chunk) < len(matching):
            params = [(k, v) for k, v in query.items() if k != "after"] + [("after", after)]
            body["paging"]["next"] = f"{GRAPH}/ads_archive?{urlencode(params)}"
    usage = json.dumps({"call_count": 1, "total_cputime": 1, "total_time": 1})
    return web.json_response(body, headers={"x-app-usage": usage})


async def handle_graph(request: web.Request, state: PlatformState) -> web.StreamResponse:
    edge = request.path.removeprefix(GRAPH_PREFIX).strip("/")
    state.hit(f"graph:{edge}")
    if request.method != "GET":
        return graph_error(100, "(#100) Only GET is served here", kind="GraphMethodException")
    if edge == "ads_archive":
        return await ads_archive(request)
    return graph_error(
        100,
        f"Unsupported get request. Object with ID '{edge}' does not exist.",
        kind="GraphMethodException",
        subcode=33,
    )


def routes() -> list[PlatformRoute]:
    return [PlatformRoute(GRAPH_HOST, GRAPH_PREFIX, handle_graph)]
