"""Ad Library payloads (Graph API ``ads_archive``) and the :class:`Ad` record.

Field and parameter names checked against the Graph API reference page "Ad Library API"
(developers.facebook.com/docs/graph-api/reference/ads_archive/, as stored in the docs
corpus) and the Radlibrary package of Facebook Research (``adlib_build_query``, NEWS):
parameters ``search_page_ids`` (up to 10 page ids), ``ad_reached_countries`` (ISO codes,
array syntax ``['FR']``), ``ad_active_status`` (``ACTIVE``/``ALL``/``INACTIVE``),
``ad_delivery_date_min`` (``YYYY-mm-dd``, inclusive), ``ad_type`` (``ALL`` is a listed
value), ``fields``, ``limit``; fields ``id``, ``page_id``, ``page_name``,
``ad_creation_time``, ``ad_delivery_start_time``, ``ad_delivery_stop_time``,
``publisher_platforms`` (a list), ``ad_snapshot_url``, ``eu_total_reach`` (ads delivered
in the EU, DSA). Answers are ``{"data": [...], "paging": {"cursors": {"after"}, "next"}}``
and an empty ``data`` ends the results. Not confirmed: whether the date fields come as
``YYYY-MM-DD`` (Radlibrary's snapshots) or with a time (``…T00:00:00+0000``, older
versions): both are read. The snapshot URL carries the access token: it is redacted.

Reach: ``eu_total_reach`` is documented as a number, but the Ad Library gives audience
figures as ranges elsewhere (``impressions``, ``spend`` and ``estimated_audience_size``
are ``{"lower_bound", "upper_bound"}`` objects, an open range having no upper bound)
and its pages and reports write them ``1K-5K``. Every one of these shapes is kept as a
:class:`~barometre.social.imports.values.CountRange` (an exact number is a range of
one value), never dropped; :class:`AdsSummary` adds them up and says in its note how
much of the figure is a range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NotRequired, TypedDict
from urllib.parse import parse_qs, urlsplit

from barometre.social.errors import MalformedPayload
from barometre.social.http import redact
from barometre.social.imports.values import CellError, CountRange, read_count_range


class GraphAd(TypedDict):
    id: str
    page_id: NotRequired[str]
    page_name: NotRequired[str]
    ad_creation_time: NotRequired[str]
    ad_delivery_start_time: NotRequired[str]
    ad_delivery_stop_time: NotRequired[str]
    publisher_platforms: NotRequired[list[str]]
    ad_snapshot_url: NotRequired[str]
    eu_total_reach: NotRequired[int | GraphRange | str]


class GraphRange(TypedDict, total=False):
    lower_bound: str | int
    upper_bound: str | int


class GraphCursors(TypedDict, total=False):
    before: str
    after: str


class GraphPaging(TypedDict, total=False):
    cursors: GraphCursors
    next: str
    previous: str


class GraphAdsPage(TypedDict, total=False):
    data: list[GraphAd]
    paging: GraphPaging


class GraphErrorBody(TypedDict, total=False):
    message: str
    type: str
    code: int
    error_subcode: int
    fbtrace_id: str


class GraphError(TypedDict):
    error: GraphErrorBody


@dataclass(frozen=True)
class Ad:
    """One ad of the Ad Library (a sponsored post or campaign of a page)."""

    id: str
    page_id: str
    page_name: str | None
    created_on: date | None
    delivery_start: date | None
    delivery_stop: date | None  # None: still running
    platforms: tuple[str, ...]  # "facebook", "instagram", "messenger", "audience_network"…
    snapshot_url: str | None  # the token redacted
    eu_total_reach: CountRange | None  # one number, or a range as Meta gave it

    @property
    def active(self) -> bool:
        return self.delivery_stop is None


def parse_graph_date(value: object) -> date | None:
    """``2025-02-10`` or ``2025-02-10T08:00:00+0000`` (UTC date), else ``None``."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if text[-5] in "+-" and text[-3] != ":":  # "+0000" → "+00:00"
            text = f"{text[:-2]}:{text[-2:]}"
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo is None else when.astimezone(UTC)).date()


def _ad(raw: Mapping[str, object], secrets: Sequence[str]) -> Ad | None:
    ad_id = raw.get("id")
    if not isinstance(ad_id, str | int) or not str(ad_id).isdigit():
        return None
    platforms = raw.get("publisher_platforms")
    reach = raw.get("eu_total_reach")
    snapshot = raw.get("ad_snapshot_url")
    name = raw.get("page_name")
    page = raw.get("page_id")
    return Ad(
        id=str(ad_id),
        page_id=str(page) if isinstance(page, str | int) else "",
        page_name=name if isinstance(name, str) else None,
        created_on=parse_graph_date(raw.get("ad_creation_time")),
        delivery_start=parse_graph_date(raw.get("ad_delivery_start_time")),
        delivery_stop=parse_graph_date(raw.get("ad_delivery_stop_time")),
        platforms=(
            tuple(str(p).lower() for p in platforms if isinstance(p, str))
            if isinstance(platforms, list)
            else ()
        ),
        snapshot_url=redact(snapshot, secrets) if isinstance(snapshot, str) else None,
        eu_total_reach=_reach(reach),
    )


def _reach(value: object) -> CountRange | None:
    """A reach as a number, ``{"lower_bound", "upper_bound"}`` or ``"1K-5K"``, else None."""
    try:
        return read_count_range(value, decimal_comma=False)
    except CellError:
        return None


@dataclass(frozen=True)
class AdsSummary:
    """The ads of one page over the window, and their EU reach added up.

    ``reach`` is the sum of the ads' reaches: its bounds add the lower and the upper
    bounds (the upper one is open if one ad's is); ``ranged`` counts the ads whose reach
    Meta gave as a range, ``unknown`` those without a reach."""

    count: int
    reach: CountRange | None = None
    ranged: int = 0
    unknown: int = 0

    @classmethod
    def of(cls, ads: Sequence[Ad]) -> AdsSummary:
        reaches = [ad.eu_total_reach for ad in ads if ad.eu_total_reach is not None]
        if not reaches:
            return cls(len(ads), None, 0, len(ads))
        upper: int | None = 0
        for found in reaches:
            upper = None if upper is None or found.upper is None else upper + found.upper
        return cls(
            len(ads),
            CountRange(sum(r.lower for r in reaches), upper),
            sum(1 for r in reaches if not r.exact),
            len(ads) - len(reaches),
        )

    def detail(self) -> dict[str, Any]:
        """What the ``sponsored_ads`` figure keeps about the reach (JSON, French note)."""
        if self.reach is None:
            return {}
        found: dict[str, Any] = {"couverture_ue": self.reach.midpoint}
        if not self.reach.exact:
            found["couverture_ue_min"] = self.reach.lower
            found["couverture_ue_max"] = self.reach.upper
        notes = []
        if self.ranged:
            ads = "publicité" if self.ranged == 1 else "publicités"
            kept = (
                "leur milieu"
                if self.reach.upper is not None
                else "la borne basse (fourchette ouverte)"
            )
            notes.append(
                f"Couverture dans l'UE donnée par Meta en fourchette pour {self.ranged} {ads} "
                f"sur {self.count} : les bornes sont additionnées (couverture_ue_min, "
                f"couverture_ue_max) et la valeur retenue est {kept}."
            )
        if self.unknown:
            ads = "publicité" if self.unknown == 1 else "publicités"
            notes.append(f"Couverture inconnue pour {self.unknown} {ads}, non comptée.")
        if notes:
            found["note"] = " ".join(notes)
        return found


def parse_ads_page(
    payload: object, secrets: Sequence[str] = (), url: str | None = None
) -> tuple[list[Ad], str | None]:
    """The ads of one answer and the cursor of the next page (``None``: the last one).

    The next page exists when ``paging.next`` is given and the page had data; its
    cursor is ``paging.cursors.after`` (or the ``after`` parameter of ``next``).
    """
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data", []), list):
        raise MalformedPayload(
            f"Réponse de la bibliothèque publicitaire inattendue (« data » absent) : {url or '?'}",
            url=url,
        )
    data = payload.get("data") or []
    ads = [ad for ad in (_ad(r, secrets) for r in data if isinstance(r, Mapping)) if ad]
    paging = payload.get("paging")
    if not data or not isinstance(paging, Mapping) or not isinstance(paging.get("next"), str):
        return ads, None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, Mapping) else None
    if not isinstance(after, str) or not after:
        after = parse_qs(urlsplit(str(paging["next"])).query).get("after", [None])[0]
    return ads, after or None
