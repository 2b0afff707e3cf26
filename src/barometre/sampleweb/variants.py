"""Earlier states of the sample web, so that the demonstration has a previous edition.

A variant (``"precedente"``: the web a month before) changes two things:

* a site may hold ``.editions/<variant>/<path>``: served instead of ``<path>`` (a page
  as it was: before the commune added its Facebook link, its PanneauPocket app…);
* the recorded platforms report fewer followers: every follower count of a JSON
  payload is scaled down by a factor between 0.80 and 0.98 drawn from the account's
  identity (stable from run to run), so each account grew by 2 to 25 % since.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from aiohttp import web

from barometre.sampleweb.sites import VARIANTS_DIR, StaticSite

PREVIOUS = "precedente"
FOLLOWER_KEYS = frozenset({"followers_count", "followersCount"})
IDENTITY_KEYS = ("acct", "handle", "did", "id", "username")


def variant_file(site: StaticSite, variant: str, path: str) -> Path | None:
    """The file ``path`` had in ``variant``, when the site keeps one."""
    folder = site.root / VARIANTS_DIR / variant
    if not folder.is_dir():
        return None
    relative = path.strip("/") or "index.html"
    for candidate in (relative, f"{relative}/index.html", f"{relative}.html"):
        target = (folder / candidate).resolve()
        if target.is_relative_to(folder.resolve()) and target.is_file():
            return target
    return None


def factor(identity: str) -> float:
    """Followers a month earlier ÷ followers now, for one account (0.80 to 0.98)."""
    return 0.80 + (zlib.crc32(identity.encode()) % 19) / 100


def _scaled(value: Any) -> Any:
    if isinstance(value, dict):
        identity = next((str(value[k]) for k in IDENTITY_KEYS if k in value), "")
        out = {}
        for key, item in value.items():
            if key in FOLLOWER_KEYS and isinstance(item, int) and not isinstance(item, bool):
                out[key] = int(item * factor(identity))
            else:
                out[key] = _scaled(item)
        return out
    if isinstance(value, list):
        return [_scaled(v) for v in value]
    return value


def earlier_followers(response: web.StreamResponse, variant: str) -> web.StreamResponse:
    """``response`` as the platform gave it in ``variant`` (fewer followers)."""
    if variant != PREVIOUS or not isinstance(response, web.Response):
        return response
    if "json" not in (response.content_type or "") or not isinstance(response.body, bytes):
        return response
    try:
        data = json.loads(response.body)
    except ValueError:
        return response  # a deliberately broken payload stays broken
    response.body = json.dumps(_scaled(data), ensure_ascii=False).encode()
    return response
