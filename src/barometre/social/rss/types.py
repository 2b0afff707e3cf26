"""A site feed (RSS 2.0, Atom, RSS 1.0/RDF) turned into :class:`NewsItem` records.

feedparser reads every dialect and repairs what it can (``bozo``); this module decides
what to keep and cleans the text:

* link: the item's ``link`` (else its permalink ``guid``), absolute against the feed's
  address;
* title: HTML entities decoded (twice-encoded ones too, a common CMS fault), tags
  removed, whitespace collapsed;
* date: ``published``, else ``updated``, as an aware UTC datetime (``None`` when the
  feed gives none: such items are kept, undated);
* summary: plain text of the description (or of the content), capped.

Items are sorted newest first (undated last), deduplicated by URL (the newest item of
a URL is kept) and capped at ``limit``.
"""

from __future__ import annotations

import html
import io
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser

from barometre.models import NewsItem
from barometre.social.errors import MalformedPayload
from barometre.social.rss.errors import InvalidFeedUrl
from barometre.social.rss.urls import normalise_feed_url

SUMMARY_MAX = 2000
"""Characters of summary kept per item: enough to compare with a post, bounded memory."""

# feedparser's warnings that leave the document fully read: a served charset that
# differs from the declared one, a feed served with a non-XML Content-Type.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_UNDATED = datetime.min.replace(tzinfo=UTC)
_SPACES = re.compile(r"\s+")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_text(value: object) -> str:
    """Plain text: entities decoded (also when encoded twice), tags out, spaces collapsed."""
    if not isinstance(value, str) or not value:
        return ""
    text = value
    for _ in range(2):  # "&amp;eacute;" → "&eacute;" → "é"
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    if "<" in text and ">" in text:
        body = LexborHTMLParser(f"<body>{text}</body>").body
        text = body.text(separator=" ") if body is not None else text
    return _SPACES.sub(" ", text).strip()


def looks_like_html(body: bytes) -> bool:
    """A web page, not a feed (its first tag is ``<!DOCTYPE html>`` or ``<html>``)."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    while head.startswith(b"<!--"):  # leading comments
        end = head.find(b"-->")
        if end < 0:
            break
        head = head[end + 3 :].lstrip()
    return head.startswith((b"<!doctype html", b"<html"))


def _date(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def _link(entry: Mapping[str, Any]) -> str | None:
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return link.strip()
    for candidate in entry.get("links") or []:
        if isinstance(candidate, Mapping) and candidate.get("rel", "alternate") == "alternate":
            href = candidate.get("href")
            if isinstance(href, str) and href.strip():
                return href.strip()
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip().lower().startswith(("http://", "https://", "/")):
        return guid.strip()
    return None


def _summary(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary")
    if not summary:
        content = entry.get("content") or []
        first = content[0] if content and isinstance(content[0], Mapping) else {}
        summary = first.get("value", "")
    text = clean_text(summary)
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def parse_feed(
    body: bytes,
    feed_url: str,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
    limit: int = 200,
) -> list[NewsItem]:
    """The news items of a feed document (see the module docstring for the rules).

    ``feed_url`` is recorded on every item; links are resolved against ``base_url``
    (the address the feed was finally served from) or ``feed_url``; ``content_type``
    is the served ``Content-Type`` (a feed served as ``text/plain`` is still read).
    Raises :class:`MalformedPayload` for a web page, a document that is no feed, or a
    broken feed from which feedparser recovered no usable item.
    """
    base = base_url or feed_url
    if looks_like_html(body):
        raise MalformedPayload(f"{feed_url} : ce n'est pas un flux (page HTML)", url=feed_url)
    headers = {"content-location": base, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = [e for e in parsed.get("entries") or [] if isinstance(e, Mapping)]
    broken = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(broken, _BENIGN):
        broken = None
    if not entries and broken is None and not parsed.get("version"):
        raise MalformedPayload(f"{feed_url} : ce n'est pas un flux", url=feed_url)
    items: list[NewsItem] = []
    for entry in entries:
        link = _link(entry)
        if link is None:
            continue
        try:
            url = normalise_feed_url(link, base, keep_fragment=True)
        except InvalidFeedUrl:
            continue
        items.append(
            NewsItem(
                url=url,
                title=clean_text(entry.get("title")),
                published_at=_date(entry),
                summary=_summary(entry),
                feed_url=feed_url,
            )
        )
    # Newest first, undated items last in feed order (sort is stable).
    ordered = sorted(items, key=lambda i: i.published_at or _UNDATED, reverse=True)
    seen: set[str] = set()
    kept: list[NewsItem] = []
    for item in ordered:
        if item.url in seen:
            continue
        seen.add(item.url)
        kept.append(item)
        if len(kept) >= max(0, limit):
            break
    if not kept and broken is not None:
        raise MalformedPayload(f"{feed_url} : flux mal formé ({broken})", url=feed_url)
    return kept
