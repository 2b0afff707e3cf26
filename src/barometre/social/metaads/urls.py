"""Facebook page ids from page addresses, and the Ad Library endpoint.

The Ad Library is searched by page id (``search_page_ids``), which only some page
addresses carry: ``profile.php?id=<digits>``, ``/pages/<name>/<digits>``,
``/people/<name>/<digits>``, ``/<digits>`` and the old vanity form
``/<Name>-<15 digits or more>``. A plain vanity name (``facebook.com/VilleExemple``)
does not give the id without a Graph call that needs App Review: ``None`` then, and the
runner records the page id as unknown.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from barometre.vocab.platforms import path_segments, platform_of_host

_DIGITS = re.compile(r"\d{5,25}")
_VANITY_WITH_ID = re.compile(r".+-(\d{15,25})")


def page_id_from_url(url: str) -> str | None:
    """The numeric page id a Facebook page address carries, or ``None``."""
    text = url.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if platform_of_host(parts.hostname or "") != "facebook":
        return None
    segments = path_segments(parts.path)
    query = parse_qs(parts.query)
    if not segments:
        return None
    first = segments[0].lower()
    if first == "profile.php":
        found = query.get("id", [""])[0]
        return found if _DIGITS.fullmatch(found) else None
    if first == "plugins" and len(segments) > 1 and segments[1] == "page.php":
        inner = query.get("href", [""])[0]  # the page a "page plugin" embeds
        return page_id_from_url(inner) if inner else None
    if first in ("pages", "people") and len(segments) >= 3:
        last = segments[-1] if _DIGITS.fullmatch(segments[-1]) else segments[2]
        return last if _DIGITS.fullmatch(last) else None
    if len(segments) == 1:
        if _DIGITS.fullmatch(segments[0]):
            return segments[0]
        match = _VANITY_WITH_ID.fullmatch(segments[0])
        if match:
            return match.group(1)
    return None


def ads_archive_url(graph_base: str) -> str:
    """``<graph>/ads_archive`` (``graph_base`` carries the version: ``…/v21.0``)."""
    return f"{graph_base.rstrip('/')}/ads_archive"
