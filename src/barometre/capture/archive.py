"""Read a site's WARC back into the plain record the audit consumes (:class:`SiteArchive`).

The crawl plan stored in the archive says which URL served which page kind; each one is
replayed through :class:`Replay`, so the audit sees exactly the redirect chains, headers
and bytes the live capture saw, without any network.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from barometre.capture.integrity import IndexRow, damage_summary, index_problems
from barometre.capture.plan import canonical
from barometre.capture.robots import origin_of
from barometre.errors import ArchiveDamagedError
from barometre.models import FetchOutcome, Page, SiteArchive
from barometre.net.fetcher import FetchConfig, FetchResult
from barometre.net.warc import (
    DOM_PREFIX,
    FACTS_TYPE,
    PLAN_TYPE,
    RENDER_TYPE,
    RENDERED_PAGES_TYPE,
    WARC_DAMAGE,
    Replay,
    describe_damage,
)

_REPLAY_CONFIG = FetchConfig(user_agent="replay", max_bytes=64 * 2**20)


# Bytes served as text that are not text (random bytes, an image or an archive sent as
# text/html): once decoded, control characters and undecodable bytes (U+FFFD) fill the
# text. Real pages stay near 0 % even in a wrong charset; random bytes reach 50 %.
_UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
TEXT_SAMPLE = 8192  # characters read at the start of the text
NOT_TEXT_SHARE = 0.10
_TEXT_TYPES = ("text/", "html", "xml", "json", "javascript")


def unreadable_share(text: str) -> float:
    """Share of control characters and undecodable bytes at the start of ``text``."""
    sample = text[:TEXT_SAMPLE]
    return len(_UNREADABLE.findall(sample)) / len(sample) if sample else 0.0


def not_text(content_type: str, text: str) -> str | None:
    """Why a body served as text is not text (French), or ``None`` when it reads as text."""
    if not text or (content_type and not any(m in content_type for m in _TEXT_TYPES)):
        return None
    share = unreadable_share(text)
    if share < NOT_TEXT_SHARE:
        return None
    return (
        f"page servie comme {content_type or 'texte'}, mais {round(share * 100)} % de ses "
        "premiers caractères sont des octets de contrôle ou indécodables"
    )


def as_page(result: FetchResult) -> Page:
    """The page the audit reads. A successful answer served as text whose bytes are not
    text is :attr:`FetchOutcome.NOT_TEXT`: no check can read it, so none judges it."""
    last = result.chain[-1] if result.chain else None
    text = result.text if result.body else ""
    outcome, error = result.outcome, result.error
    why = not_text(result.content_type, text) if outcome is FetchOutcome.OK else None
    if why is not None:
        outcome, error, text = FetchOutcome.NOT_TEXT, why, ""
    return Page(
        url=result.url,
        final_url=result.final_url,
        outcome=outcome,
        status=result.status,
        content_type=result.content_type,
        headers=tuple(result.headers),
        body=result.body,
        text=text,
        chain=tuple((e.url, e.status) for e in result.chain),
        error=error,
        truncated=bool(last and last.truncated),
    )


@dataclass
class _Metadata:
    plan: dict[str, Any] | None = None
    facts: dict[str, Any] | None = None
    renders: list[dict[str, Any]] = field(default_factory=list)
    captured_at: datetime | None = None
    doms: dict[tuple[str, str], Page] = field(default_factory=dict)  # (viewport, url)
    rendered_pages: dict[str, Any] = field(default_factory=dict)  # kind -> url, outcome

    def rendered(self) -> dict[str, Page]:
        """The home page's DOM per viewport (the URL its render record names)."""
        out: dict[str, Page] = {}
        for render in self.renders:
            viewport, url = str(render.get("viewport")), str(render.get("url"))
            if viewport not in out and (viewport, url) in self.doms:
                out[viewport] = self.doms[(viewport, url)]
        return out

    def pages(self) -> dict[str, Page]:
        """The DOM of the pages rendered because only scripts linked to them, by kind."""
        out: dict[str, Page] = {}
        for kind, about in self.rendered_pages.items():
            page = self.doms.get(("desktop", str(about.get("url"))))
            if page is not None and about.get("outcome") == "ok":
                out[kind] = page
        return out


def _metadata(path: Path) -> _Metadata:
    found = _Metadata()
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            if record.rec_type == "resource" and uri.startswith(DOM_PREFIX):
                viewport, url = uri.removeprefix(DOM_PREFIX).split(":", 1)
                body = record.content_stream().read()
                found.doms[(viewport, url)] = Page(
                    url=url,
                    final_url=url,
                    outcome=FetchOutcome.OK,
                    status=200,
                    content_type="text/html",
                    body=body,
                    text=body.decode("utf-8", "replace"),
                )
                continue
            if found.captured_at is None and record.rec_type in ("response", "metadata"):
                stamp = record.rec_headers.get_header("WARC-Date")
                if stamp:
                    found.captured_at = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(
                        tzinfo=UTC
                    )
            if record.rec_type != "metadata":
                continue
            if record.content_type == PLAN_TYPE:
                found.plan = json.loads(record.content_stream().read())
            elif record.content_type == FACTS_TYPE:
                found.facts = json.loads(record.content_stream().read())
            elif record.content_type == RENDER_TYPE:
                found.renders.append(json.loads(record.content_stream().read()))
            elif record.content_type == RENDERED_PAGES_TYPE:
                found.rendered_pages = dict(json.loads(record.content_stream().read())["pages"])
    if found.captured_at is None:
        found.captured_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return found


async def _load(path: Path) -> SiteArchive:
    found = _metadata(path)
    plan, facts, renders = found.plan, found.facts, found.renders
    assert found.captured_at is not None
    captured_at = found.captured_at
    if plan is None:
        raise ArchiveDamagedError(f"{path} : archive incomplète (pas de plan de collecte).")
    replay = Replay(path, _REPLAY_CONFIG)

    async def page(url: str) -> Page:
        return as_page(await replay.fetch(url))

    start = str(plan["start_url"])
    entry: dict[str, Page] = {}
    for url in plan.get("entry_points") or {}:
        entry[url] = await page(url)
    home_url = plan.get("home")
    home: Page | None = None
    if home_url:
        # The home is the first entry point that worked (or the start URL itself).
        home = next((p for p in entry.values() if p.final_url == home_url and p.ok), None)
        if home is None:
            home = await page(str(home_url))
    elif entry:
        home = next(iter(entry.values()))
    elif (plan.get("skipped") or {}).get("home") == "robots":
        # robots.txt forbade the site, or never answered (RFC 9309: complete disallow);
        # an answer of the home kept in the archive only told the site was up.
        home = None
    else:
        home = await page(canonical(start))
        if (home.error or "").startswith("absent de l'archive"):
            # Never asked: robots.txt already failed; its answer is the site's state.
            robots_url = origin_of(canonical(start)) + "/robots.txt"
            robots_page = await page(robots_url)
            if robots_page.status is not None and robots_page.status >= 500:
                home = robots_page
    picks: Mapping[str, Any] = plan.get("pages") or {}
    pages: dict[str, Page] = {}
    for kind, final in (plan.get("fetched") or {}).items():
        first = picks.get(kind, {}).get("url") if kind in picks else None
        pages[kind] = await page(str(first or final))
    feeds = {url: await page(url) for url in plan.get("feeds") or []}
    robots = plan.get("robots")
    sitemap = None
    if home is not None and home.ok:
        listed = (robots or {}).get("sitemaps") or []
        sitemap_url = listed[0] if listed else origin_of(home.final_url) + "/sitemap.xml"
        candidate = await page(sitemap_url)
        if not (candidate.error or "").startswith("absent de l'archive"):
            sitemap = candidate
    outcome = FetchOutcome(plan.get("outcome", "ok"))
    if outcome is FetchOutcome.OK and home is not None and home.outcome is FetchOutcome.NOT_TEXT:
        outcome = FetchOutcome.NOT_TEXT  # fetched, but the home page is not text
    return SiteArchive(
        authority_id=str(plan["authority_id"]),
        start_url=start,
        outcome=outcome,
        captured_at=captured_at,
        home=home,
        pages=pages,
        entry_points=entry,
        feeds=feeds,
        sitemap=sitemap,
        robots=robots,
        skipped=dict(plan.get("skipped") or {}),
        sitemap_urls=int(plan.get("sitemap_urls") or 0),
        facts=facts,
        renders=tuple(renders),
        rendered=found.rendered(),
        rendered_pages=found.pages(),
    )


DAMAGE: tuple[type[Exception], ...] = (*WARC_DAMAGE, OSError)


def load_site_archive(path: Path, index: Sequence[IndexRow] | None = None) -> SiteArchive:
    """The :class:`SiteArchive` of one WARC file (offline).

    With the site's ``index`` rows, they are read back first. An archive that is missing,
    truncated or damaged raises :class:`ArchiveDamagedError` (French, names the file)."""
    if not path.exists():
        raise ArchiveDamagedError(f"{path} : archive introuvable.")
    if index is not None:
        problems = index_problems(index)
        if problems:
            raise ArchiveDamagedError(f"{path} : {damage_summary(problems, len(index))}.")
    try:
        return asyncio.run(_load(path))
    except ArchiveDamagedError:
        raise
    except DAMAGE as exc:
        raise ArchiveDamagedError(f"{path} : archive endommagée ({describe_damage(exc)}).") from exc


def screenshot(path: Path, viewport: str = "desktop") -> bytes | None:
    """The screenshot the capture took of the home page (``None`` when not rendered, or
    when the archive is too damaged to give it: ``edition check`` reports those)."""
    prefix = f"urn:barometre:screenshot:{viewport}:"
    try:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "resource" and uri.startswith(prefix):
                    return bytes(record.content_stream().read())
    except DAMAGE:
        return None
    return None
