"""A site feed (RSS 2.0, Atom, RSS 1.0/RDF) turned into :class:`NewsItem` records.

feedparser reads every dialect and repairs what it can (``bozo``); this module decides
what to keep and cleans the text:

* link: the item's ``link`` (else its permalink ``guid``), absolute against the feed's
  address;
* title: HTML entities decoded (twice-encoded ones too, a common CMS fault), tags
  removed, whitespace collapsed;
* date: ``published``, else ``updated``, as an aware UTC datetime. feedparser reads
  RFC 822 and ISO 8601 dates written in English; a date it cannot read (French day
  and month names, ``Ven, 03 Jan 2025 10:00:00 +0100`` or ``lun., 06 janv. 2025``, as
  some French CMS write them) is read by the social stage's date reader
  (:func:`~barometre.social.imports.values.read_when`), a time without an offset being
  Paris time. An item whose date nobody can read is kept, undated, and counted:
  :class:`ParsedFeed` says how many and quotes the dates as written;
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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
from selectolax.lexbor import LexborHTMLParser

from barometre.models import NewsItem
from barometre.social.errors import MalformedPayload
from barometre.social.imports.values import CellError, read_when
from barometre.social.rss.errors import InvalidFeedUrl
from barometre.social.rss.urls import normalise_feed_url

SUMMARY_MAX = 2000
"""Characters of summary kept per item: enough to compare with a post, bounded memory."""
FEED_TZ = ZoneInfo("Europe/Paris")
"""The time zone of a feed date written without an offset (the collectivités' own)."""
QUOTED_DATES = 3
"""How many unreadable dates a :class:`ParsedFeed` quotes."""
_DATE_KEYS = ("published", "updated", "created")

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


def _field(entry: Mapping[str, Any], key: str) -> Any:
    """``entry[key]`` as stored: without feedparser's deprecated ``updated`` → ``published``
    fallback (and its warning), since every date key is tried in turn here."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _date(entry: Mapping[str, Any]) -> tuple[datetime | None, str | None]:
    """The item's date, and the date text nobody could read (``None`` when read or absent)."""
    for key in _DATE_KEYS:
        value = _field(entry, f"{key}_parsed")
        if isinstance(value, time.struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC), None
            except (TypeError, ValueError):
                continue
    unread: str | None = None
    for key in _DATE_KEYS:
        raw = _field(entry, key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            found = read_when(raw.strip(), tz=FEED_TZ, day_first=True)
        except CellError:
            unread = unread or raw.strip()
            continue
        if found is not None:
            return found.at.astimezone(UTC), None
    return None, unread


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


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's items, and how many of them are undated (with dates as written)."""

    feed_url: str
    items: list[NewsItem]
    undated: int = 0  # items kept without a date
    unreadable: tuple[str, ...] = ()  # dates written in the feed that nobody could read

    def note(self) -> str | None:
        """A French sentence when items are undated (``None`` when every item is dated)."""
        if not self.undated:
            return None
        quoted = ", ".join(f"« {text} »" for text in self.unreadable)
        label = "date illisible" if len(self.unreadable) == 1 else "dates illisibles"
        why = f"{label} : {quoted}" if quoted else "le flux ne les date pas"
        if len(self.items) == 1:
            return f"Flux {self.feed_url} : son seul article est sans date ({why})."
        noun = "article" if self.undated == 1 else "articles"
        return (
            f"Flux {self.feed_url} : {self.undated} {noun} sur {len(self.items)} sans date ({why})."
        )


def parse_feed(
    body: bytes,
    feed_url: str,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
    limit: int = 200,
) -> list[NewsItem]:
    """The news items of a feed document (see :func:`read_feed_document`)."""
    return read_feed_document(
        body, feed_url, base_url=base_url, content_type=content_type, limit=limit
    ).items


def read_feed_document(
    body: bytes,
    feed_url: str,
    *,
    base_url: str | None = None,
    content_type: str | None = None,
    limit: int = 200,
) -> ParsedFeed:
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
    unread: dict[str, str | None] = {}
    for entry in entries:
        link = _link(entry)
        if link is None:
            continue
        try:
            url = normalise_feed_url(link, base, keep_fragment=True)
        except InvalidFeedUrl:
            continue
        published, unread[url] = _date(entry)
        items.append(
            NewsItem(
                url=url,
                title=clean_text(entry.get("title")),
                published_at=published,
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
    undated = [item for item in kept if item.published_at is None]
    written = dict.fromkeys(t for t in (unread.get(i.url) for i in undated) if t is not None)
    return ParsedFeed(feed_url, kept, len(undated), tuple(written)[:QUOTED_DATES])
