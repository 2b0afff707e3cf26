"""Plain typed records shared by every layer.

These classes carry no behaviour beyond small derived properties: the layers exchange
them, storage persists them. Nothing here touches the network or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class AuthorityKind(StrEnum):
    """Type of collectivité. The value is the stable prefix of :attr:`Authority.id`."""

    REGION = "region"
    DEPARTEMENT = "departement"
    COMMUNE = "commune"
    EPCI = "epci"


class LegalType(StrEnum):
    """Legal nature of a collectivité (its « statut »), beside its peer-group kind.

    :class:`AuthorityKind` says which group a collectivité is compared within (and
    prefixes its identifier); the legal type says what it is in law. Most collectivités
    are what their kind says: a département is a département. The others are recorded
    in the registry's curated table (``registry/data/collectivites.csv``) with their
    legal references: the Collectivité de Corse, the Ville de Paris and the Métropole de
    Lyon are collectivités à statut particulier (Constitution, art. 72), Martinique,
    Guyane and Mayotte single collectivités of article 73, the collectivités
    d'outre-mer those of article 74, New Caledonia has its own title of the
    Constitution and its provinces are collectivités territoriales of their own.
    """

    REGION = "region"
    DEPARTEMENT = "departement"
    COMMUNE = "commune"
    EPCI = "epci"
    STATUT_PARTICULIER = "statut_particulier"
    COLLECTIVITE_UNIQUE = "collectivite_unique"
    OUTRE_MER = "outre_mer"
    SUI_GENERIS = "sui_generis"
    PROVINCE = "province"


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
    """A collectivité territoriale: who is measured.

    ``kind`` is its peer group's kind (and the prefix of its identifier); ``legal_type``
    its legal nature when it differs from what the kind says (``None``: a région, a
    département, a commune or an EPCI, as the kind says). ``territory`` lists the INSEE
    codes of the départements a collectivité of the régions' or départements' groups
    governs when its own code is not one of them (Collectivité de Corse: 2A 2B); the
    maps place it there. ``region`` and ``departement`` say where it lies.
    """

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
    legal_type: LegalType | None = None
    territory: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return authority_id(self.kind, self.code)

    @property
    def legal(self) -> LegalType:
        """Its legal nature: ``legal_type``, else the one its kind designates."""
        return self.legal_type or LegalType(self.kind.value)

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


# Finding categories of social accounts [issue 12, item 3]: the collectivité's own accounts
# (each with the evidence that it is its own), counted in presence figures and read by the
# social stage; and « comptes liés », other organisations' accounts linked from its pages
# (tourist office, club, préfecture…), shown and exported but never counted.
OWN_ACCOUNTS = "social"
LINKED_ACCOUNTS = "social_linked"


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
    NOT_TEXT = "not_text"  # a 2xx answer served as text whose bytes are not text


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
    # DOM after scripts (desktop) of pages the crawl could not read (JavaScript shell), by kind
    rendered_pages: Mapping[str, Page] = field(default_factory=dict)

    def render(self, viewport: str = "desktop") -> Mapping[str, Any] | None:
        return next((r for r in self.renders if r.get("viewport") == viewport), None)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something discovered about a collectivité's digital ecosystem (an account, an app,
    a platform, a service, a provider…), with the evidence that shows it."""

    category: str  # "social" | "social_linked" | "app" | "participation" | "service" | "opendata" | "cms" | "provider" | ...
    name: str  # platform or product, e.g. "facebook", "panneaupocket", "decidim"
    url: str | None = None
    handle: str | None = None
    evidence: Evidence | None = None
    confidence: Confidence = Confidence.OBSERVED


# --- social layer ----------------------------------------------------------------------


class SocialSource(StrEnum):
    """Where a social figure comes from; shown beside every figure published."""

    API = "api"  # a platform's public API (Mastodon, Bluesky AppView, YouTube Data API…)
    FEED = "feed"  # a public feed (YouTube videos.xml, the site's RSS/Atom)
    IMPORT = "import"  # an export the account owner downloaded from the platform
    DECLARED = "declared"  # a figure declared by the collectivité (CSV)


class AccountState(StrEnum):
    """What became of one account when the edition looked at it."""

    OK = "ok"  # profile read
    NOT_FOUND = "not_found"  # deleted or unknown account
    SUSPENDED = "suspended"  # suspended, deactivated, taken down
    MOVED = "moved"  # migrated elsewhere (``moved_to``)
    CLOSED = "closed"  # platform without open access: presence only
    DISABLED = "disabled"  # the connector lacks its key or token
    ERROR = "error"  # API error, rate limit, malformed payload… (``reason``)


@dataclass(frozen=True, slots=True)
class ProfileLink:
    """A link shown on a profile (Mastodon ``fields``, a channel's links…)."""

    url: str
    label: str | None = None
    verified: bool | None = None  # Mastodon ``verified_at`` (rel=me); None: unknown


@dataclass(frozen=True, slots=True)
class Media:
    kind: str  # "image" | "video" | "gif" | "audio" | "other"
    alt: str | None = None  # alternative text as published (None: none)
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SocialProfile:
    """One account as one source saw it, at one time.

    ``account_id`` is the platform's stable identifier (Bluesky DID, YouTube ``UC…``
    channel id, Mastodon account URI, Facebook page id…), never the handle, which can
    change: a renamed account keeps its history.
    """

    platform: str
    account_id: str
    handle: str
    url: str
    state: AccountState
    fetched_at: datetime
    source: SocialSource
    display_name: str | None = None
    description: str | None = None
    followers: int | None = None
    followers_exact: bool = True  # False when the platform rounds (YouTube) or abbreviates
    following: int | None = None
    posts_count: int | None = None
    created_at: datetime | None = None
    last_post_at: datetime | None = None
    links: tuple[ProfileLink, ...] = ()
    verified_domain: str | None = None  # Bluesky handle proven on this domain
    moved_to: str | None = None
    reason: str | None = None


# The communication modes a publication is classified in (social/analysis/modes.py), in
# their display order; the catalogue's mode indicators name them.
POST_MODES = ("information", "conversation", "promotion", "mobilisation")


@dataclass(frozen=True, slots=True)
class SocialPost:
    """One publication of an account, normalised across platforms."""

    platform: str
    account_id: str
    post_id: str
    published_at: datetime
    source: SocialSource
    url: str | None = None
    text: str = ""
    reply_to: str | None = None  # account_id replied to (the author itself: a thread)
    is_repost: bool = False  # a boost/repost of someone else's publication
    links: tuple[str, ...] = ()  # outbound links, the link card's first
    card_title: str | None = None  # title of the link preview
    media: tuple[Media, ...] = ()
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    application: str | None = None  # posting tool (Mastodon ``application.name``)
    language: str | None = None
    poll: bool = False
    live: bool = False  # a live video

    @property
    def is_reply(self) -> bool:
        """A reply to someone else (conversation), not a thread of the account itself."""
        return self.reply_to is not None and self.reply_to != self.account_id

    @property
    def format(self) -> str:
        kinds = {m.kind for m in self.media}
        if kinds & {"video", "gif"} or self.live:
            return "video"
        if "image" in kinds:
            return "image"
        if self.links:
            return "link"
        return "text"

    @property
    def interactions(self) -> int | None:
        counts = [c for c in (self.likes, self.reposts, self.replies, self.quotes) if c is not None]
        return sum(counts) if counts else None


@dataclass(frozen=True, slots=True)
class FollowerCount:
    """A follower count of one account on one day (the history behind growth figures).

    The platforms give no history of other accounts' followers: the barometer keeps its
    own series from its first edition, plus what owners' exports carry.
    """

    platform: str
    account_id: str
    observed_on: date
    followers: int
    source: SocialSource
    exact: bool = True


@dataclass(frozen=True, slots=True)
class NewsItem:
    """A news item of the collectivité's own site (its RSS/Atom feeds)."""

    url: str
    title: str
    published_at: datetime | None = None
    summary: str = ""
    feed_url: str = ""


@dataclass(frozen=True, slots=True)
class SocialMetric:
    """One figure about one account in one edition, with where it comes from.

    ``sample`` is the number of observations behind it (posts, images…); ``detail``
    holds what a reader needs to check it (JSON-serialisable).
    """

    platform: str
    account_id: str
    metric: str
    value: float | None
    source: SocialSource
    sample: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SocialAccount:
    """Everything the social checks read about one account of a collectivité."""

    authority_id: str
    profile: SocialProfile
    posts: tuple[SocialPost, ...] = ()
    metrics: Mapping[str, SocialMetric] = field(default_factory=dict)
    found_at: str | None = None  # where the account was found (site page, registry, import)
    ownership: str | None = None  # why it is the collectivité's own (the evidence, in French)

    def metric(self, name: str) -> float | None:
        found = self.metrics.get(name)
        return found.value if found is not None else None
