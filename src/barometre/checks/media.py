"""Photo, video and webcams on the site: findings of category ``media`` (names
``photo``, ``video``, ``webcam``), each with the element that shows it.

* **video** — a ``<video>`` element, or an embedded player: an iframe (``src`` or the
  ``data-src`` a consent manager fills in later) of YouTube, Dailymotion, Vimeo or a
  PeerTube instance (``/videos/embed/``, ``/w/``);
* **webcam** — a link or image whose text, address or alternative text names a webcam
  (« webcam », « caméra en direct », « vue en direct »), or an iframe of a webcam
  service (Viewsurf, Skaping);
* **photo** — a photo library: a link or heading « photothèque », « galerie de
  photos », « albums photos » (the words folded, in the text or the address).

Pure functions of the captured pages (home page, rendered and served, and the pages of
the crawl plan); nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from barometre.checks.base import discoverer
from barometre.checks.html import Doc
from barometre.checks.subject import Subject
from barometre.models import Evidence, Finding
from barometre.vocab.text import fold

CATEGORY = "media"
VIDEO_HOSTS = (
    "youtube.com",
    "youtube-nocookie.com",
    "youtu.be",
    "dailymotion.com",
    "dai.ly",
    "vimeo.com",
)
PEERTUBE_EMBED = re.compile(r"/videos/embed/|/w/[0-9a-zA-Z-]{8,}")
WEBCAM_HOSTS = ("viewsurf.com", "skaping.com")
WEBCAM_WORDS = re.compile(r"\bwebcams?\b|\bcamera(s)? en direct\b|\bvue(s)? en direct\b")
PHOTO_WORDS = re.compile(
    r"\bphototheques?\b|\bgaleries? (de )?photos?\b|\balbums? (de )?photos?\b|"
    r"\bgalerie-photos?\b|\bphoto-?theque\b"
)


def _host_in(url: str, hosts: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def _slugs(url: str) -> str:
    """An address's path as words (``/galerie-photos/`` → ``galerie photos``)."""
    return fold(re.sub(r"[-_/.]+", " ", urlsplit(url).path))


def _videos(doc: Doc) -> Iterator[Finding]:
    for node in doc.css("video"):
        source = node.attributes.get("src") or ""
        inner = node.css_first("source[src]")
        if not source and inner is not None:
            source = inner.attributes.get("src") or ""
        yield Finding(
            CATEGORY,
            "video",
            urljoin(doc.url, source) if source else doc.url,
            None,
            Evidence(url=doc.url, selector="video"),
        )
    for url in doc.iframes:
        if _host_in(url, VIDEO_HOSTS) or PEERTUBE_EMBED.search(urlsplit(url).path):
            yield Finding(
                CATEGORY, "video", url, None, Evidence(url=doc.url, text=url, selector="iframe")
            )


def _webcams(doc: Doc) -> Iterator[Finding]:
    for url in doc.iframes:
        if _host_in(url, WEBCAM_HOSTS):
            yield Finding(
                CATEGORY, "webcam", url, None, Evidence(url=doc.url, text=url, selector="iframe")
            )
    for link in doc.links:
        if WEBCAM_WORDS.search(link.folded) or WEBCAM_WORDS.search(_slugs(link.url)):
            yield Finding(
                CATEGORY, "webcam", link.url, None, Evidence(url=doc.url, text=link.text[:160])
            )
    for node in doc.css("img[alt]"):
        alt = node.attributes.get("alt") or ""
        if WEBCAM_WORDS.search(fold(alt)):
            yield Finding(
                CATEGORY,
                "webcam",
                urljoin(doc.url, node.attributes.get("src") or ""),
                None,
                Evidence(url=doc.url, text=alt[:160], selector="img[alt]"),
            )


def _photos(doc: Doc) -> Iterator[Finding]:
    for link in doc.links:
        if PHOTO_WORDS.search(link.folded) or PHOTO_WORDS.search(_slugs(link.url)):
            yield Finding(
                CATEGORY, "photo", link.url, None, Evidence(url=doc.url, text=link.text[:160])
            )
    for node in doc.css("h1, h2, h3"):
        text = " ".join(node.text().split())
        if PHOTO_WORDS.search(fold(text)):
            yield Finding(
                CATEGORY,
                "photo",
                doc.url,
                None,
                Evidence(url=doc.url, text=text[:160], selector=node.tag),
            )


def media_findings(docs: list[Doc]) -> list[Finding]:
    """One finding per kind of media and address (the first evidence kept)."""
    kept: dict[tuple[str, str], Finding] = {}
    for doc in docs:
        for finding in (*_videos(doc), *_webcams(doc), *_photos(doc)):
            kept.setdefault((finding.name, (finding.url or "").lower()), finding)
    return list(kept.values())


@discoverer("media")
def discover_media(subject: Subject) -> list[Finding]:
    """On the home page (rendered, then as served) and the pages of the plan."""
    candidates = [doc for _, doc in subject.docs()]
    if subject.static_home_doc is not None:
        candidates.insert(1, subject.static_home_doc)
    seen: set[int] = set()
    docs: list[Doc] = []
    for doc in candidates:
        if not doc.is_pdf and id(doc) not in seen:
            seen.add(id(doc))
            docs.append(doc)
    return media_findings(docs)
