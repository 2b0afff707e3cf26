"""Typed page models: what each template of the site lays out.

A template reads only these records (and the report card's
:class:`barometre.publish.site.views.CardContext`): every label is already French,
every figure comes with its denominator or its coverage, every crawled string stays a
string (the templates escape it). They are built by :mod:`barometre.publish.pages.build`
from storage rows and from what other stages computed.

To show something new on a page, add a field here (with a default, so that every
builder keeps working) and read it in the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeAlias

from markupsafe import Markup

JsonScalar: TypeAlias = str | float | None


@dataclass(frozen=True, slots=True)
class Link:
    """A link of the site: its path from the site's root and its text."""

    path: str
    title: str


@dataclass(frozen=True, slots=True)
class NavLink:
    """An entry of the main navigation or of the footer; ``rubrique`` is the section a
    page declares to be marked ``aria-current`` (empty: never)."""

    path: str
    label: Markup
    rubrique: str = ""


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every page shows of the edition (banner, footer, navigation)."""

    title: str
    edition: str
    edition_fr: str
    edition_title: str
    demo: bool
    methodology: str
    frozen: datetime | None
    manifest: str
    built: date
    min_coverage: float
    criteria: int
    accessibility_status: str
    base_url: str | None
    menu: tuple[NavLink, ...] = ()
    footer: tuple[NavLink, ...] = ()
    checked_on: date | None = None  # a one-off check (``barometre check``), not an edition
    # what the edition measured (publication policy), said on every page
    measured: str = ""
    registry_only: bool = False
    indicators: tuple[IndicatorInfo, ...] = ()
    # a site that names no publisher (settings ``publish_*``) is a preview, said on every page
    preview: bool = False


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """A registry indicator as pages name it (publication policy)."""

    id: str
    label: str
    definition: str


# -- rankings -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankingRow:
    """One collectivité in a ranking table."""

    name: str
    code: str
    kind: str
    departement: str | None
    population: int | None
    value: float | None
    coverage: float
    grade: str | None
    rank: int | None
    url: str
    # « notée », « couverture insuffisante » or « registre seul » (publication policy)
    publication: str = ""
    # registry indicators: met, not met, or None when out of the count
    indicators: Mapping[str, bool | None] = field(default_factory=dict)
    # the criteria it passes, space-separated codes (the filter by criterion)
    passed: str = ""


@dataclass(frozen=True, slots=True)
class CriterionOption:
    """One criterion of the filter on the ranking pages."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class DepartementLink:
    """A ranking split by département: one link per département."""

    code: str
    name: str
    url: str
    count: int


@dataclass(frozen=True, slots=True)
class RankingPage:
    """The ranking of one peer group (or of its collectivités in one département)."""

    title: str
    subtitle: str | None
    rows: list[RankingRow]
    parent: Link | None = None
    departements: list[DepartementLink] = field(default_factory=list)
    truncated: bool = False
    graded: int = 0  # collectivités of the page with a grade (ranks count them alone)
    criteria: list[CriterionOption] = field(default_factory=list)  # the filter by criterion


@dataclass(frozen=True, slots=True)
class RankingSummary:
    """One peer group on the rankings' index."""

    title: str
    url: str
    count: int
    ranked: int
    best: str | None


# -- home page and synthèse ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One peer group on the home page and the synthèse: size, median, grades."""

    title: str
    url: str
    count: int
    graded: int
    median: float | None
    grades: dict[str, int]
    evolution: str  # of the mean score since the previous edition, « — » when unknown


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One national figure with its denominator and its coverage."""

    label: str
    share: float | None
    numerator: int
    denominator: int
    coverage_text: str
    group: str


@dataclass(frozen=True, slots=True)
class FigureSection:
    """A section of national figures (``key`` is its anchor on the synthèse)."""

    title: str
    key: str
    rows: list[FigureRow]
    chart: Markup | None = None
    changes: bool = False  # (an IndicatorSection shows changes)


@dataclass(frozen=True, slots=True)
class IndicatorSection:
    """A section of the indicator catalogue on the synthèse: each indicator with its
    value, its change since the previous edition and over 12 months."""

    title: str
    key: str
    rows: list[Mapping[str, Any]]
    previous: str | None = None
    sources: list[str] = field(default_factory=list)
    changes: bool = True
    chart: Markup | None = None


@dataclass(frozen=True, slots=True)
class HomePage:
    """The edition in figures: the home page and the synthèse nationale."""

    scored: int
    graded: int
    captured: int
    accounts: int
    groups: list[GroupSummary]
    figures: list[FigureSection | IndicatorSection]
    previous: str | None
    distribution_chart: Markup | None
    accounts_read: int = 0
    indicators: list[IndicatorGroup] = field(default_factory=list)
    indicator_pages: bool = False  # indicateurs.html and progressions.html have data
    # a few sentences from the figures that open the synthèse (each with its coverage)
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IndicatorShare:
    """One registry indicator in one group: met among measured, as a share."""

    met: int
    measured: int
    share: str


@dataclass(frozen=True, slots=True)
class IndicatorGroup:
    """The registry indicators of one peer group (a registry-only edition's figures)."""

    title: str
    url: str
    count: int
    shares: list[IndicatorShare]


@dataclass(frozen=True, slots=True)
class CardPublication:
    """What a card may show under the publication policy."""

    status: str
    graded: bool
    captured: bool
    text: str | None  # what is missing, when not graded
    indicators: Mapping[str, bool | None]
    accounts_note: str | None


# -- providers, maps, search, open data ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """A criterion failed more often on the sites of one provider than nationally."""

    criterion: str
    here: str
    national: str


@dataclass(frozen=True, slots=True)
class ProviderSection:
    """One CMS or provider on the providers' page."""

    title: str
    summary: str
    rows: list[ProviderRow]


@dataclass(frozen=True, slots=True)
class MapSection:
    """One map of France with the table of its values."""

    title: str
    figure: Markup | None
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """One collectivité in the search index (``recherche.json``)."""

    name: str
    code: str
    type: str
    score: str | None  # written in French; only a graded collectivité has one
    url: str

    def to_json(self) -> dict[str, JsonScalar]:
        """The short keys the search script reads."""
        return {"n": self.name, "c": self.code, "t": self.type, "s": self.score, "u": self.url}


@dataclass(frozen=True, slots=True)
class ExportFile:
    """An open-data file joined to the site."""

    path: str  # from the site's root
    name: str  # inside the data folder
    bytes: int


@dataclass(frozen=True, slots=True)
class TextPage:
    """A page of prose (legal notice, open data, site map…): its body is markup built
    with escaping (:class:`markupsafe.Markup`)."""

    title: str
    body: Markup


# -- report card --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommendation of a report card, by order of priority."""

    code: str
    name: str
    nature: str
    advice: str
    basis: str | None
    peers_text: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """A collectivité's explanation or dispute in force, shown beside a result."""

    label: str
    text: str
    received: date
    expires: date


@dataclass(frozen=True, slots=True)
class CardCharts:
    """The charts of a report card (None: not drawn)."""

    dimensions: Markup | None = None
    history: Markup | None = None
