"""The input of every check: one collectivité, its archive, and what was discovered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from barometre.checks.html import SHELL_CHARS, Doc, Shell
from barometre.models import Authority, Finding, Page, SiteArchive, SocialAccount

# Page kinds of the crawl plan, in the order checks usually want them.
PAGE_KINDS = (
    "legal",
    "accessibility",
    "accessibility_document",
    "accessibility_plan",
    "privacy",
    "contact",
    "procedures",
    "news",
    "council",
    "budget",
    "opendata",
)


@dataclass
class Subject:
    """Everything a check may read about one collectivité in one edition.

    ``site`` is ``None`` when the edition holds no capture for it (no declared site, or
    not in the captured scope). ``as_of`` is the reference date for freshness (the
    capture date by default). ``findings`` is filled by discovery before the checks run;
    ``social`` holds the collectivité's accounts as the social stage read them.
    ``archive_problem`` says why the edition's archive of the site cannot be read
    (damaged, truncated; for the operator, not published): then ``site`` is ``None``
    and no criterion reading the site is measurable.
    """

    authority: Authority
    site: SiteArchive | None = None
    as_of: date = field(default_factory=date.today)
    epci: Authority | None = None
    findings: list[Finding] = field(default_factory=list)
    social: list[SocialAccount] = field(default_factory=list)
    archive_problem: str | None = None
    _docs: dict[str, list[Doc]] = field(default_factory=dict, repr=False)

    # --- pages ------------------------------------------------------------------

    @property
    def home(self) -> Page | None:
        site = self.site
        return site.home if site is not None and site.home is not None and site.home.ok else None

    def page(self, kind: str) -> Page | None:
        """The page of that kind if it was fetched successfully; its DOM after rendering
        instead when the page as served is a JavaScript shell (or was not fetched: the
        link appeared only after scripts ran) and the capture rendered it."""
        if self.site is None:
            return None
        page = self.site.pages.get(kind)
        if page is not None and page.ok:
            doc = self.doc(page)
            if doc is None or doc.js_shell is None:
                return page
        rendered = self.site.rendered_pages.get(kind)
        if rendered is not None and rendered.ok:
            return rendered
        return page if page is not None and page.ok else None

    def doc(self, page: Page | None) -> Doc | None:
        if page is None or not page.ok:
            return None
        # One parse per page. The same address may have been captured twice (as served,
        # and its DOM after rendering): the bytes tell them apart.
        key = page.final_url + "#" + page.url
        known = self._docs.setdefault(key, [])
        for cached in known:
            if cached.page is page or cached.page.body == page.body:
                return cached
        cached = Doc(page)
        known.append(cached)
        return cached

    @property
    def static_home_doc(self) -> Doc | None:
        """The home page as served, before any script ran."""
        return self.doc(self.home)

    @property
    def rendered_home_doc(self) -> Doc | None:
        """The home page's DOM after rendering (desktop), when the capture rendered it."""
        if self.site is None or self.home is None:
            return None
        return self.doc(self.site.rendered.get("desktop"))

    @property
    def script_only(self) -> Shell | None:
        """Why the home page cannot be read: it is a JavaScript-only shell (see
        ``Doc.js_shell``) and the capture holds no rendering of it. ``None`` otherwise."""
        static = self.static_home_doc
        if static is None or static.js_shell is None or self.rendered_home_doc is not None:
            return None
        return static.js_shell

    @property
    def home_doc(self) -> Doc | None:
        """The home page; the rendered DOM instead when the served HTML is (nearly)
        empty (less than ``SHELL_CHARS`` of text) and a richer rendering exists."""
        static = self.static_home_doc
        if static is not None and len(static.text) < SHELL_CHARS:
            rendered = self.rendered_home_doc
            if rendered is not None and len(rendered.text) > len(static.text):
                return rendered
        return static

    def kind_doc(self, kind: str) -> Doc | None:
        return self.doc(self.page(kind))

    def docs(self) -> Iterator[tuple[str, Doc]]:
        """The home page, then every fetched page of the plan (HTML or PDF)."""
        home = self.home_doc
        if home is not None:
            yield "home", home
        for kind in PAGE_KINDS:
            document = self.kind_doc(kind)
            if document is not None:
                yield kind, document

    def found(self, category: str) -> list[Finding]:
        return [f for f in self.findings if f.category == category]

    @property
    def site_host(self) -> str | None:
        if self.home is not None:
            return (self.home.final_url.split("://", 1)[-1].split("/", 1)[0].split(":")[0]).lower()
        website = self.authority.website
        return website.host.lower() if website is not None else None
