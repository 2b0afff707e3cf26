"""Recorded YouTube: channel pages, channel feeds and the Data API v3, on loopback.

* ``youtube.plateformes.test``: ``/@Handle`` (and ``/@Handle/live``, ``/videos``…),
  ``/channel/UC…``, ``/c/Name``, ``/user/Name`` serve a channel page that gives the
  ``UC…`` id the way real pages do (canonical link, ``itemprop`` meta, RSS link,
  embedded JSON: one way per channel, see ``data/youtube/channels.json``), and
  ``/feeds/videos.xml?channel_id=UC…`` serves ``data/youtube/feeds/<id>.xml``;
* ``youtube-api.plateformes.test/youtube/v3/``: ``channels`` and ``videos`` answer like
  the Data API (key ``cle-essai`` only, ``part`` required, exactly one filter), with
  Google's JSON error format: ``keyInvalid`` for another key, ``forbidden`` without one,
  ``quotaExceeded`` for the channel of the quota scenario.

Scenarios (``scenario`` in ``channels.json``): ``deleted`` (page, feed: 404; API: no
item), ``broken_feed`` (the feed file is truncated XML), ``no_id`` (a page without any
channel id), ``quota``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web

from barometre.sampleweb.platforms import ENDPOINTS, PlatformRoute, PlatformState

DATA = Path(__file__).resolve().parent / "data" / "youtube"
WEB_HOST = urlsplit(ENDPOINTS["youtube_web"]).hostname or ""
API_HOST = urlsplit(ENDPOINTS["youtube_api"]).hostname or ""
API_PREFIX = urlsplit(ENDPOINTS["youtube_api"]).path.rstrip("/") + "/"
WEB = ENDPOINTS["youtube_web"].rstrip("/")
VALID_KEY = "cle-essai"

CHANNEL_PARTS = frozenset(
    {"id", "snippet", "statistics", "contentDetails", "brandingSettings", "status", "topicDetails"}
)
VIDEO_PARTS = frozenset(
    {"id", "snippet", "statistics", "contentDetails", "liveStreamingDetails", "status"}
)
ATOM = "{http://www.w3.org/2005/Atom}"
YT = "{http://www.youtube.com/xml/schemas/2015}"
MEDIA = "{http://search.yahoo.com/mrss/}"
HTML = "text/html; charset=utf-8"
JSON_TYPE = "application/json; charset=UTF-8"


@cache
def channels() -> tuple[dict[str, Any], ...]:
    data = json.loads((DATA / "channels.json").read_text(encoding="utf-8"))
    return tuple(data["channels"])


@cache
def video_extras() -> dict[str, dict[str, Any]]:
    data = json.loads((DATA / "videos.json").read_text(encoding="utf-8"))
    return dict(data["videos"])


def feed_path(channel_id: str) -> Path:
    return DATA / "feeds" / f"{channel_id}.xml"


@cache
def feed_videos() -> dict[str, dict[str, Any]]:
    """Every video of the well-formed feeds: id → channel, views, likes (read from the XML)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((DATA / "feeds").glob("*.xml")):
        try:
            root = ET.parse(path).getroot()  # noqa: S314 (our own files)
        except ET.ParseError:
            continue  # the broken-feed scenario
        for entry in root.iter(f"{ATOM}entry"):
            video_id = entry.findtext(f"{YT}videoId") or ""
            stats = entry.find(f"{MEDIA}group/{MEDIA}community/{MEDIA}statistics")
            rating = entry.find(f"{MEDIA}group/{MEDIA}community/{MEDIA}starRating")
            found[video_id] = {
                "channel": entry.findtext(f"{YT}channelId") or "",
                "title": entry.findtext(f"{ATOM}title") or "",
                "published": entry.findtext(f"{ATOM}published") or "",
                "views": stats.get("views", "0") if stats is not None else "0",
                "likes": rating.get("count", "0") if rating is not None else "0",
            }
    return found


def find_channel(kind: str, value: str) -> dict[str, Any] | None:
    wanted = value.lower()
    for channel in channels():
        if kind == "id" and channel.get("id") == value:
            return channel
        if kind == "handle" and channel["handle"].lower() == wanted.removeprefix("@"):
            return channel
        if kind == "custom" and (channel.get("custom") or "").lower() == wanted:
            return channel
        if kind == "user" and (channel.get("username") or "").lower() == wanted:
            return channel
    return None


# -- channel pages and feeds -------------------------------------------------------------------


def _not_found_page() -> web.Response:
    body = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>404 Not Found'
        "</title></head><body><p>Cette page n'est pas disponible.</p></body></html>"
    )
    return web.Response(status=404, text=body, headers={"Content-Type": HTML})


def channel_page(channel: dict[str, Any]) -> str:
    """A channel page giving the id in the way ``channel["page"]`` says (or not at all)."""
    mode = channel.get("page", "canonical")
    channel_id = channel.get("id") or ""
    title = escape(channel["title"])
    description = escape(channel.get("description", ""))
    head = [
        '<meta charset="utf-8">',
        f"<title>{title} - YouTube</title>",
        f'<meta property="og:title" content="{title}">',
        f'<meta name="description" content="{description}">',
        f'<meta property="og:description" content="{description}">',
    ]
    handle_url = f"{WEB}/@{channel['handle']}"
    if mode == "canonical":
        head.append(f'<link rel="canonical" href="{WEB}/channel/{channel_id}">')
    else:
        head.append(f'<link rel="canonical" href="{handle_url}">')
    if mode == "itemprop":
        head.append(f'<meta itemprop="identifier" content="{channel_id}">')
    if mode == "rss":
        head.append(
            '<link rel="alternate" type="application/rss+xml" title="RSS" '
            f'href="{WEB}/feeds/videos.xml?channel_id={channel_id}">'
        )
    metadata: dict[str, Any] = {"title": channel["title"], "vanityChannelUrl": handle_url}
    if mode == "externalId":
        metadata["externalId"] = channel_id
    if mode == "channelId":
        metadata["channelId"] = channel_id
    data = json.dumps({"metadata": {"channelMetadataRenderer": metadata}}, ensure_ascii=False)
    data = data.replace("<", "\\u003c")
    return (
        '<!DOCTYPE html>\n<html lang="fr-FR">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n<body>\n<h1>{title}</h1>\n<p>{description}</p>\n"
        + f"<script>var ytInitialData = {data};</script>\n</body>\n</html>\n"
    )


def _page_target(path: str) -> tuple[str, str] | None:
    segments = [unquote(s) for s in path.split("/") if s]
    if not segments:
        return None
    if segments[0].startswith("@"):
        return "handle", segments[0][1:]
    if len(segments) >= 2 and segments[0] in ("channel", "c", "user"):
        kind = {"channel": "id", "c": "custom", "user": "user"}[segments[0]]
        return kind, segments[1]
    return None


async def handle_web(request: web.Request, state: PlatformState) -> web.StreamResponse:
    state.hit(f"youtube-web:{request.path}")
    if request.method not in ("GET", "HEAD"):
        return web.Response(status=405, headers={"Allow": "GET, HEAD"})
    if request.path == "/feeds/videos.xml":
        channel_id = request.query.get("channel_id")
        if not channel_id:
            return web.Response(status=400, text="Bad Request")
        channel = find_channel("id", channel_id)
        path = feed_path(channel_id)
        if channel is None or channel.get("scenario") == "deleted" or not path.is_file():
            return _not_found_page()
        return web.Response(
            body=path.read_bytes(), headers={"Content-Type": "text/xml; charset=UTF-8"}
        )
    target = _page_target(request.path)
    channel = find_channel(*target) if target else None
    if channel is None or channel.get("scenario") == "deleted":
        return _not_found_page()
    return web.Response(text=channel_page(channel), headers={"Content-Type": HTML})


# -- Data API v3 ------------------------------------------------------------------------------


def api_error(
    code: int, reason: str, message: str, domain: str = "global", **extra: Any
) -> web.Response:
    """Google's JSON error body (``error.code``, ``message``, ``errors[].reason``…)."""
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }
    body.update(extra)
    return web.json_response({"error": body}, status=code, content_type="application/json")


def _key_error(request: web.Request) -> web.Response | None:
    key = request.query.get("key")
    if not key:
        return api_error(
            403,
            "forbidden",
            "The request is missing a valid API key.",
            status="PERMISSION_DENIED",
        )
    if key != VALID_KEY:
        return api_error(
            400,
            "keyInvalid",
            "API key not valid. Please pass a valid API key.",
            domain="usageLimits",
            status="INVALID_ARGUMENT",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": {"service": "youtube.googleapis.com"},
                }
            ],
        )
    return None


def _parts(request: web.Request, allowed: frozenset[str]) -> list[str] | web.Response:
    raw = request.query.get("part")
    if not raw:
        return api_error(400, "required", "Required parameter: part", domain="global")
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    unknown = [p for p in parts if p not in allowed]
    if unknown or not parts:
        return api_error(400, "unknownPart", f"Unknown part: {','.join(unknown) or raw}")
    return parts


def _quota() -> web.Response:
    return api_error(
        403,
        "quotaExceeded",
        "The request cannot be completed because the quota has been exceeded.",
        domain="youtube.quota",
    )


def channel_resource(channel: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": "youtube#channel", "etag": f"etag-{channel['id']}"}
    item["id"] = channel["id"]
    if "snippet" in parts:
        item["snippet"] = {
            "title": channel["title"],
            "description": channel.get("description", ""),
            "customUrl": "@" + channel["handle"].lower(),
            "publishedAt": channel["published"],
            "country": "FR",
        }
    if "statistics" in parts:
        stats: dict[str, Any] = {
            "viewCount": channel.get("views", "0"),
            "hiddenSubscriberCount": bool(channel.get("hidden")),
            "videoCount": channel.get("videoCount", "0"),
        }
        if not channel.get("hidden"):
            stats["subscriberCount"] = channel.get("subscribers", "0")
        item["statistics"] = stats
    return item


def _list(kind: str, items: list[dict[str, Any]]) -> web.Response:
    return web.json_response(
        {
            "kind": kind,
            "etag": f"etag-{len(items)}",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": max(5, len(items))},
            "items": items,
        },
        content_type="application/json",
    )


async def api_channels(request: web.Request) -> web.Response:
    parts = _parts(request, CHANNEL_PARTS)
    if isinstance(parts, web.Response):
        return parts
    filters = [f for f in ("id", "forHandle", "forUsername", "mine") if f in request.query]
    if not filters:
        return api_error(
            400,
            "missingRequiredParameter",
            "No filter selected. Expected one of: id, forHandle, forUsername, mine.",
        )
    if len(filters) > 1:
        return api_error(400, "incompatibleParameters", "Incompatible parameters specified.")
    name = filters[0]
    value = request.query[name]
    if name == "mine":
        return api_error(401, "authError", "Login required.", domain="global")
    if name == "id":
        ids = [i for i in value.split(",") if i]
        if len(ids) > 50:
            return api_error(400, "invalidParameter", "Too many ids (50 at most).")
        found = [find_channel("id", i) for i in ids]
    else:
        found = [find_channel("handle" if name == "forHandle" else "user", value)]
    selected = [c for c in found if c is not None and c.get("id")]
    if any(c.get("scenario") == "quota" for c in selected):
        return _quota()
    items = [channel_resource(c, parts) for c in selected if c.get("scenario") != "deleted"]
    return _list("youtube#channelListResponse", items)


async def api_videos(request: web.Request) -> web.Response:
    parts = _parts(request, VIDEO_PARTS)
    if isinstance(parts, web.Response):
        return parts
    raw = request.query.get("id")
    if not raw:
        return api_error(
            400, "missingRequiredParameter", "No filter selected. Expected one of: id."
        )
    ids = [i for i in raw.split(",") if i]
    if len(ids) > 50:
        return api_error(400, "invalidParameter", "Too many ids (50 at most).")
    videos, extras = feed_videos(), video_extras()
    items: list[dict[str, Any]] = []
    for video_id in ids:
        video = videos.get(video_id)
        if video is None:
            continue
        owner = find_channel("id", video["channel"])
        if owner is not None and owner.get("scenario") == "quota":
            return _quota()
        extra = extras.get(video_id, {})
        item: dict[str, Any] = {"kind": "youtube#video", "etag": f"etag-{video_id}"}
        item["id"] = video_id
        if "snippet" in parts:
            item["snippet"] = {
                "publishedAt": video["published"],
                "channelId": video["channel"],
                "title": video["title"],
            }
        if "statistics" in parts:
            item["statistics"] = {
                "viewCount": video["views"],
                "likeCount": video["likes"],
                "favoriteCount": "0",
                "commentCount": str(extra.get("comments", 0)),
            }
        if "liveStreamingDetails" in parts and extra.get("live"):
            item["liveStreamingDetails"] = {
                "actualStartTime": video["published"],
                "actualEndTime": video["published"],
            }
        items.append(item)
    return _list("youtube#videoListResponse", items)


async def handle_api(request: web.Request, state: PlatformState) -> web.StreamResponse:
    resource = request.path.removeprefix(API_PREFIX).strip("/")
    state.hit(f"youtube-api:{resource}")
    if request.method != "GET":
        return api_error(405, "methodNotAllowed", "Only GET is served here.")
    handlers = {"channels": api_channels, "videos": api_videos}
    handler = handlers.get(resource)
    if handler is None:
        return api_error(404, "notFound", f"Unknown resource: {resource}")
    refused = _key_error(request)
    if refused is not None:
        return refused
    return await handler(request)


def routes() -> list[PlatformRoute]:
    return [
        PlatformRoute(API_HOST, API_PREFIX, handle_api),
        PlatformRoute(WEB_HOST, "/", handle_web),
    ]
