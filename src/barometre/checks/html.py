"""One parse per captured page, shared by every check (selectolax/lexbor).

:class:`Doc` exposes what the checks read: the visible text (raw and folded), the title
and language, metas, links with their text, ``rel`` and page zone (header, nav, main,
footer), scripts, iframes, forms and the structured data read by ``extruct`` (JSON-LD,
microdata, OpenGraph). PDFs become a :class:`Doc` with text only (pypdf). Nothing here
fetches anything.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from barometre.models import Page
from barometre.vocab import fr
from barometre.vocab.text import Folded, fold, fold_traced, shorten

_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template"})
_ZONES = ("footer", "header", "nav", "main", "aside")
# Pages without these carry no structured data: extruct (a second, lxml parse) is skipped.
_STRUCTURED = re.compile(rb"application/ld\+json|itemscope|property=[\"']?(?:og|article):", re.I)
MAX_PDF_PAGES = 40
MAX_LINKS = 5000

# A JavaScript-only shell: the served page shows (almost) nothing, its content is built
# by its scripts. Thresholds on what the page holds outside scripts.
SHELL_CHARS = 200  # visible text, below
SHELL_ELEMENTS = 50  # elements of the body (scripts, styles and <noscript> aside), at most
# Mount points of client-side frameworks, when empty: Vue (#app, [data-v-app]), React
# (#root, [data-reactroot]), Next.js (#__next), Nuxt (#__nuxt), Gatsby (#___gatsby),
# Angular (app-root, [ng-version]), Svelte (#svelte), Quasar (#q-app), Ember.
FRAMEWORK_ROOTS = (
    "#app, #root, #__next, #__nuxt, #___gatsby, #svelte, #q-app, app-root, [ng-version], "
    "[data-reactroot], [data-v-app], .ember-application"
)
# ... and any element named as a mount point (« elm-app », « main-app », « app-root »).
MOUNT_ID = re.compile(r"(?:^|[-_])(?:app|root|application)(?:$|[-_])", re.IGNORECASE)
_NOT_CONTENT = frozenset({"script", "style", "noscript", "template", "link", "meta", "br"})


@dataclass(frozen=True, slots=True)
class Shell:
    """Why a page is a JavaScript-only shell: what it holds without its scripts."""

    text_chars: int
    elements: int
    scripts: int
    root: str | None  # the empty framework mount point (« div#app »)
    noscript: str | None  # what the page says to visitors without JavaScript

    def describe(self) -> str:
        signs = [
            fr.count(self.text_chars, "caractère de texte", "caractères de texte"),
            fr.count(self.elements, "élément"),
        ]
        if self.root:
            signs.append(f"racine d'application vide « {self.root} »")
        if self.noscript:
            signs.append(f"message <noscript> « {shorten(self.noscript, 80)} »")
        return ", ".join(signs)


@dataclass(frozen=True, slots=True)
class Link:
    url: str  # absolute
    text: str  # visible text, else title / aria-label / img alt
    rel: tuple[str, ...] = ()
    zone: str = "body"
    type: str = ""

    @property
    def folded(self) -> str:
        return fold(self.text)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


def _zone(node: LexborNode) -> str:
    parent = node.parent
    depth = 0
    while parent is not None and depth < 60:
        tag = parent.tag
        if tag in _ZONES:
            return str(tag)
        role = parent.attributes.get("role") if parent.attributes else None
        if role == "contentinfo":
            return "footer"
        if role == "banner":
            return "header"
        if role == "navigation":
            return "nav"
        identifier = fold(
            f"{parent.attributes.get('id') or ''} {parent.attributes.get('class') or ''}"
        )
        if "footer" in identifier or "pied" in identifier:
            return "footer"
        parent = parent.parent
        depth += 1
    return "body"


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(body))
        parts = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return ""
    return "\n".join(parts)


class Doc:
    """A parsed page. Build it with :func:`parse_page` (or through ``Subject.doc``)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.url = page.final_url
        self.is_pdf = page.is_pdf and not page.is_html
        self._tree: LexborHTMLParser | None = None
        if not self.is_pdf and page.text:
            self._tree = LexborHTMLParser(page.text)

    @property
    def tree(self) -> LexborHTMLParser | None:
        return self._tree

    def css(self, selector: str) -> list[LexborNode]:
        return [] if self._tree is None else list(self._tree.css(selector))

    def first(self, selector: str) -> LexborNode | None:
        return None if self._tree is None else self._tree.css_first(selector)

    @cached_property
    def text(self) -> str:
        if self.is_pdf:
            return _pdf_text(self.page.body)
        if self._tree is None:
            return ""
        body = self._tree.body
        if body is None:
            return ""
        # One walk over the parsed tree (no second parse): text nodes whose parent is a
        # script, style, noscript or template element are not visible text.
        parts = [
            node.text_content or ""
            for node in body.traverse(include_text=True)
            if node.tag == "-text" and (node.parent is None or node.parent.tag not in _HIDDEN_TAGS)
        ]
        return " ".join(" ".join(parts).split())

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def traced(self) -> Folded:
        """:attr:`folded` that remembers where each character comes from in :attr:`text`:
        what a pattern finds at a position of ``folded`` is quoted as it appears with
        ``traced.quote(start, end)`` or :func:`barometre.vocab.text.excerpt`."""
        return fold_traced(self.text, "words")

    @cached_property
    def title(self) -> str:
        node = self.first("title")
        return " ".join(node.text().split()) if node is not None else ""

    @cached_property
    def lang(self) -> str:
        node = self.first("html")
        return ((node.attributes.get("lang") if node is not None else None) or "").strip()

    def meta(self, name: str) -> str | None:
        for node in self.css("meta"):
            attrs = node.attributes
            key = attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or ""
            if key.lower() == name.lower():
                return (attrs.get("content") or "").strip()
        return None

    @cached_property
    def links(self) -> list[Link]:
        found: list[Link] = []
        for node in self.css("a[href], area[href]")[:MAX_LINKS]:
            href = (node.attributes.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#")):
                continue
            try:
                url = urljoin(self.url, href)
            except ValueError:
                continue
            text = " ".join(node.text(separator=" ").split())
            if not text:
                image = node.css_first("img[alt]")
                text = (
                    node.attributes.get("aria-label")
                    or node.attributes.get("title")
                    or (image.attributes.get("alt") if image is not None else "")
                    or ""
                ).strip()
            rel = tuple((node.attributes.get("rel") or "").lower().split())
            found.append(Link(url, text, rel, _zone(node), node.attributes.get("type") or ""))
        return found

    @cached_property
    def head_links(self) -> list[Link]:
        """``<link>`` elements (alternate feeds, manifest, canonical, rel=me…)."""
        found = []
        for node in self.css("link[href]"):
            href = (node.attributes.get("href") or "").strip()
            try:
                url = urljoin(self.url, href)
            except ValueError:
                continue
            rel = tuple((node.attributes.get("rel") or "").lower().split())
            found.append(
                Link(
                    url,
                    node.attributes.get("title") or "",
                    rel,
                    "head",
                    (node.attributes.get("type") or "").lower(),
                )
            )
        return found

    @cached_property
    def scripts(self) -> list[str]:
        """``src`` of external scripts (absolute)."""
        out = []
        for node in self.css("script[src]"):
            try:
                out.append(urljoin(self.url, node.attributes.get("src") or ""))
            except ValueError:
                continue
        return out

    @cached_property
    def inline_scripts(self) -> str:
        return "\n".join(
            node.text()
            for node in self.css("script:not([src])")
            if (node.attributes.get("type") or "").lower() != "application/ld+json"
        )

    @cached_property
    def iframes(self) -> list[str]:
        out = []
        for node in self.css("iframe"):
            src = node.attributes.get("src") or node.attributes.get("data-src") or ""
            if src:
                try:
                    out.append(urljoin(self.url, src))
                except ValueError:
                    continue
        return out

    @cached_property
    def _lxml(self) -> Any | None:
        """The page as extruct reads it (lxml), only when it has structured data."""
        if self._tree is None:
            return None
        body = self.page.text.encode("utf-8", "replace")
        if _STRUCTURED.search(body) is None:
            return None
        from extruct.utils import parse_html

        try:
            return parse_html(body, encoding="utf-8")
        except Exception:  # lxml on an empty, broken or too deep document (XMLSyntaxError…)
            return None

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """JSON-LD nodes (extruct): each block, each item of a list, each node of an
        ``@graph``. A block that does not parse is skipped alone (the others stay)."""
        tree = self._lxml
        if tree is None:
            return []
        from extruct.jsonld import JsonLdExtractor

        extractor = JsonLdExtractor()
        blocks: list[dict[str, Any]] = []
        for script in tree.xpath('//script[@type="application/ld+json"]'):
            try:
                items = extractor.extract_items(script)
            except Exception:  # one malformed block (jstyleson too) is skipped alone
                items = []
            for item in items:
                graph = item.get("@graph") if isinstance(item, dict) else None
                if isinstance(graph, list):
                    blocks.extend(g for g in graph if isinstance(g, dict))
                elif isinstance(item, dict):
                    blocks.append(item)
        return blocks

    @cached_property
    def microdata(self) -> list[dict[str, Any]]:
        """Microdata items (extruct, uniform shape: ``@type`` and the properties; nested
        items are dictionaries)."""
        return self._extruct("microdata")

    @cached_property
    def opengraph(self) -> dict[str, str]:
        """OpenGraph properties of the page (``og:site_name``, ``article:publisher``…),
        the first value of each."""
        found: dict[str, str] = {}
        for item in self._extruct("opengraph"):
            for key, value in item.items():
                if not key.startswith("@") and isinstance(value, str):
                    found.setdefault(key, value)
        return found

    def _extruct(self, syntax: str) -> list[dict[str, Any]]:
        tree = self._lxml
        if tree is None:
            return []
        import extruct

        try:
            data = extruct.extract(
                tree, base_url=self.url, syntaxes=[syntax], uniform=True, errors="ignore"
            )
        except Exception:  # extruct on hostile markup: no structured data, never a crash
            return []
        return [item for item in data.get(syntax, []) if isinstance(item, dict)]

    @cached_property
    def zone_text(self) -> dict[str, str]:
        """Visible text per zone (footer, header, nav, main…)."""
        out: dict[str, str] = {}
        for zone in _ZONES:
            parts = [" ".join(n.text(separator=" ").split()) for n in self.css(zone)]
            out[zone] = " ".join(p for p in parts if p)
        node = self.first(
            '[role="contentinfo"], #footer, .footer, .site-footer, #pied, .pied, #pied-de-page,'
            " .pied-de-page"
        )
        if node is not None and not out["footer"]:
            out["footer"] = " ".join(node.text(separator=" ").split())
        return out

    def html(self) -> str:
        return self.page.text if not self.is_pdf else ""

    @cached_property
    def js_shell(self) -> Shell | None:
        """The page is a JavaScript-only shell: it runs scripts, shows less than
        ``SHELL_CHARS`` of text in at most ``SHELL_ELEMENTS`` elements, and either mounts
        a client-side framework on an empty root or tells visitors without JavaScript
        something in ``<noscript>``. ``None`` for any other page (a short page without
        those signs is short, not a shell)."""
        if self._tree is None or self.is_pdf or len(self.text) >= SHELL_CHARS:
            return None
        body = self._tree.body
        if body is None:
            return None
        scripts = [
            n
            for n in self.css("script")
            if (n.attributes.get("type") or "").lower() != "application/ld+json"
            and ((n.attributes.get("src") or "").strip() or n.text().strip())
        ]
        if not scripts:
            return None
        elements = 0
        for node in body.traverse():
            if node is body or node.tag in _NOT_CONTENT or (node.tag or "-").startswith("-"):
                continue
            parent, hidden = node.parent, False
            while parent is not None and parent is not body:
                if parent.tag in ("noscript", "template"):
                    hidden = True
                    break
                parent = parent.parent
            if not hidden:
                elements += 1
        if elements > SHELL_ELEMENTS:
            return None
        root = None
        mounts = self.css(FRAMEWORK_ROOTS) + [
            n for n in self.css("body [id]") if MOUNT_ID.search(n.attributes.get("id") or "")
        ]
        for node in mounts:
            if not " ".join(node.text().split()) and not any(
                child.tag not in _NOT_CONTENT for child in node.iter()
            ):
                attrs = node.attributes
                root = str(node.tag) + (f"#{attrs['id']}" if attrs.get("id") else "")
                break
        said = " ".join(
            " ".join(n.text(separator=" ").split()) for n in body.css("noscript")
        ).strip()
        noscript = said or None
        if root is None and noscript is None:
            return None
        return Shell(len(self.text), elements, len(scripts), root, noscript)


def parse_page(page: Page) -> Doc:
    return Doc(page)
