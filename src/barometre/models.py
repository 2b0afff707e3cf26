"""Plain typed records shared by every layer.

These classes carry no behaviour beyond small derived properties: the layers exchange
them, storage persists them. Nothing here touches the network or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuthorityKind(StrEnum):
    """Type of collectivité. The value is the stable prefix of :attr:`Authority.id`."""

    REGION = "region"
    DEPARTEMENT = "departement"
    COMMUNE = "commune"
    EPCI = "epci"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def plural(self) -> str:
        return _KIND_PLURALS[self]


_KIND_LABELS = {
    AuthorityKind.REGION: "région",
    AuthorityKind.DEPARTEMENT: "département",
    AuthorityKind.COMMUNE: "commune",
    AuthorityKind.EPCI: "intercommunalité (EPCI)",
}
_KIND_PLURALS = {
    AuthorityKind.REGION: "régions",
    AuthorityKind.DEPARTEMENT: "départements",
    AuthorityKind.COMMUNE: "communes",
    AuthorityKind.EPCI: "intercommunalités (EPCI)",
}


def authority_id(kind: AuthorityKind, code: str) -> str:
    """Stable identifier of a collectivité: ``<kind>:<code>`` (INSEE code, SIREN for EPCI).

    Région and département codes overlap (région 75 is Nouvelle-Aquitaine, département
    75 is Paris), so the code alone is not a key.
    """
    return f"{kind.value}:{code}"


@dataclass(frozen=True, slots=True)
class Website:
    """A web address attributed to a collectivité by one source."""

    url: str
    host: str
    source: str
    primary: bool = False


@dataclass(frozen=True, slots=True)
class Account:
    """A known account of a collectivité on a platform (social network, app store…)."""

    platform: str
    handle: str
    url: str
    source: str


@dataclass(frozen=True, slots=True)
class Contact:
    """An institutional contact point (e-mail or phone) with the source that declared it."""

    kind: str  # "email" | "phone"
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class Authority:
    """A collectivité territoriale: who is measured."""

    kind: AuthorityKind
    code: str
    name: str
    siren: str | None = None
    population: int | None = None
    region: str | None = None
    departement: str | None = None
    epci: str | None = None
    epci_type: str | None = None
    postal_codes: tuple[str, ...] = ()
    websites: tuple[Website, ...] = ()
    contacts: tuple[Contact, ...] = ()
    accounts: tuple[Account, ...] = ()

    @property
    def id(self) -> str:
        return authority_id(self.kind, self.code)

    @property
    def website(self) -> Website | None:
        """The official site: the primary one, else the first declared."""
        for site in self.websites:
            if site.primary:
                return site
        return self.websites[0] if self.websites else None

    @property
    def email(self) -> str | None:
        return next((c.value for c in self.contacts if c.kind == "email"), None)

    @property
    def phone(self) -> str | None:
        return next((c.value for c in self.contacts if c.kind == "phone"), None)


class FetchOutcome(StrEnum):
    """How one fetch ended. Checks turn anything but ``ok`` into ``not_measurable``."""

    OK = "ok"
    HTTP_ERROR = "http_error"  # 4xx/5xx final status
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    FORBIDDEN_ADDRESS = "forbidden_address"
    DNS_ERROR = "dns_error"
    TLS_ERROR = "tls_error"
    CONNECTION_ERROR = "connection_error"
    RATE_LIMITED = "rate_limited"
    ROBOTS = "robots"
    INVALID_URL = "invalid_url"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    FetchOutcome.OK: "récupéré",
    FetchOutcome.HTTP_ERROR: "erreur HTTP",
    FetchOutcome.TIMEOUT: "délai dépassé",
    FetchOutcome.TOO_LARGE: "réponse trop volumineuse",
    FetchOutcome.REDIRECT_LOOP: "boucle de redirections",
    FetchOutcome.TOO_MANY_REDIRECTS: "trop de redirections",
    FetchOutcome.FORBIDDEN_ADDRESS: "adresse interdite (réseau privé ou local)",
    FetchOutcome.DNS_ERROR: "nom de domaine introuvable",
    FetchOutcome.TLS_ERROR: "certificat ou TLS invalide",
    FetchOutcome.CONNECTION_ERROR: "connexion interrompue",
    FetchOutcome.RATE_LIMITED: "limitation de débit (429)",
    FetchOutcome.ROBOTS: "interdit par robots.txt",
    FetchOutcome.INVALID_URL: "adresse invalide",
}


class Status(StrEnum):
    """Outcome of one criterion for one collectivité (see DESIGN.md, result model)."""

    PASS = "pass"  # noqa: S105 - a result status, not a password
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_MEASURABLE = "not_measurable"


class Confidence(StrEnum):
    OBSERVED = "observed"
    INFERRED = "inferred"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a check saw: where, and the text, header or selector that decided."""

    url: str | None = None
    text: str | None = None
    header: str | None = None
    selector: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    authority_id: str
    check_id: str
    check_version: str
    status: Status
    value: float | None = None
    confidence: Confidence = Confidence.OBSERVED
    reason: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Capture:
    """Index entry of one archived exchange (the bytes live in the WARC file)."""

    edition: str
    authority_id: str
    url: str
    warc_path: str
    warc_offset: int
    warc_length: int
    status_code: int | None
    content_type: str | None
    fetched_at: datetime
    outcome: str = "ok"
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    edition: str
    authority_id: str
    scope: str  # "global" or a dimension id
    value: float | None
    coverage: float
    grade: str | None = None
    peer_group: str | None = None
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Edition:
    id: str  # YYYY-MM (or a demo label)
    label: str
    methodology_version: str | None = None
    demo: bool = False
    created_at: datetime | None = None
    frozen_at: datetime | None = None
    manifest_sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched resource as the audit sees it: the end of a redirect chain.

    ``text`` is the decoded body (charset detected at capture); ``chain`` lists every hop
    as ``(url, status)``; ``outcome`` is anything but ``ok`` when no usable answer came.
    """

    url: str
    final_url: str
    outcome: FetchOutcome
    status: int | None = None
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    text: str = ""
    chain: tuple[tuple[str, int | None], ...] = ()
    error: str | None = None
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is FetchOutcome.OK and self.status is not None and self.status < 400

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or (not self.content_type and bool(self.text))

    @property
    def is_pdf(self) -> bool:
        return "pdf" in self.content_type or self.final_url.lower().endswith(".pdf")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.headers if k.lower() == wanted]


@dataclass(frozen=True, slots=True)
class SiteArchive:
    """Everything captured for one collectivité in one edition, read back from its WARC.

    ``pages`` maps a page kind of the crawl plan (``legal``, ``accessibility``,
    ``accessibility_document``…) to what was fetched; ``entry_points`` maps each of the
    http/https × apex/www variants to its result; ``facts`` and ``renders`` are the JSON
    documents of the DNS/TLS facts and of each browser rendering (one per viewport).
    """

    authority_id: str
    start_url: str
    outcome: FetchOutcome
    captured_at: datetime
    home: Page | None = None
    pages: Mapping[str, Page] = field(default_factory=dict)
    entry_points: Mapping[str, Page] = field(default_factory=dict)
    feeds: Mapping[str, Page] = field(default_factory=dict)
    sitemap: Page | None = None
    robots: Mapping[str, Any] | None = None
    skipped: Mapping[str, str] = field(default_factory=dict)
    sitemap_urls: int = 0
    facts: Mapping[str, Any] | None = None
    renders: tuple[Mapping[str, Any], ...] = ()
    rendered: Mapping[str, Page] = field(default_factory=dict)  # DOM after scripts, per viewport

    def render(self, viewport: str = "desktop") -> Mapping[str, Any] | None:
        return next((r for r in self.renders if r.get("viewport") == viewport), None)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something discovered about a collectivité's digital ecosystem (an account, an app,
    a platform, a service, a provider…), with the evidence that shows it."""

    category: str  # "social" | "app" | "participation" | "service" | "opendata" | "cms" | "provider" | ...
    name: str  # platform or product, e.g. "facebook", "panneaupocket", "decidim"
    url: str | None = None
    handle: str | None = None
    evidence: Evidence | None = None
    confidence: Confidence = Confidence.OBSERVED
