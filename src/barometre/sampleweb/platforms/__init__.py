"""Recorded platforms of the sample web: the APIs and feeds the social connectors read.

Each module of :data:`PLATFORM_MODULES` serves one platform's public endpoints on
loopback from payloads in the documented formats (files under ``data/<platform>/``),
with the failure modes the connectors must survive (deleted and suspended accounts,
renamed handles, 429 with ``Retry-After``, malformed JSON…). A module exposes
``routes() -> list[PlatformRoute]``; :class:`~barometre.sampleweb.server.SampleWeb`
dispatches a request to the first route whose host matches and whose path starts with
its prefix, before the static sites (so one host can mix an API and static pages).

:data:`ENDPOINTS` gives the base URLs to configure the connectors with (the real
platforms' URLs are the defaults of the connector settings).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

PLATFORM_MODULES = ("mastodon", "bluesky", "youtube", "meta", "shortener")

ENDPOINTS: dict[str, str] = {
    "bluesky_appview": "https://bsky-appview.plateformes.test",
    "youtube_web": "https://youtube.plateformes.test",
    "youtube_api": "https://youtube-api.plateformes.test/youtube/v3",
    "meta_graph": "https://graph.plateformes.test/v21.0",
}
"""Connector settings (``barometre.social.config.SocialConfig`` fields) for the sample web.
Mastodon needs none: an account's instance is the host of its URL
(``mastodon.collectivites.test`` here)."""


@dataclass
class PlatformState:
    """Per-run counters, so that scenarios can answer differently on each request
    (e.g. 429 on the first request of a path, then the payload)."""

    hits: Counter[str] = field(default_factory=Counter)

    def hit(self, key: str) -> int:
        """Count one request for ``key`` and return how many there have been."""
        self.hits[key] += 1
        return self.hits[key]

    def reset(self) -> None:
        self.hits.clear()


Handler = Callable[[web.Request, PlatformState], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class PlatformRoute:
    host: str
    prefix: str  # path prefix served by ``handler`` ("/" for the whole host)
    handler: Handler


def load_routes() -> list[PlatformRoute]:
    routes: list[PlatformRoute] = []
    for name in PLATFORM_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # platform not recorded yet
        routes.extend(module.routes())
    return routes


def find_route(routes: list[PlatformRoute], host: str, path: str) -> PlatformRoute | None:
    return next((r for r in routes if r.host == host and path.startswith(r.prefix)), None)
