"""Charts of the published barometer, defined once for the web page and the print.

Every function takes small plain records and returns a :class:`Figure`: a Vega-Lite
spec (a plain dict built with Altair, which validates it against the Vega-Lite schema;
the validated structure is cached and only the rows, title and description change from
one collectivité to the next, see :func:`skeleton`) and the same numbers as a :class:`DataTable` with French headers, for the ``<table>``
printed next to the chart. The browser draws the spec with the vendored Vega
libraries (``static/js/barometre-charts.js``); :mod:`.render` draws the same spec to SVG
for the no-JS fallback and the PDF.

Visual choices (the project's reference notes give no visual direction, so they are
decided here and tested in ``tests/test_publish_charts.py``):

- type: the system sans-serif stack of the site (see :data:`FONT` for how static SVGs
  keep room for it); text stays text (SVG ``<text>``), never an image;
- colours: one blue for values (Okabe-Ito blue, contrast 5.2:1 on white) and one
  vermillion for the collectivité highlighted among its peers (3.9:1), a pair that stays
  distinct for every colour-vision deficiency; near-black for references (medians);
  categories are never told by colour alone: a chart shows one series per panel
  (small multiples) and labels values directly;
- numbers in French (``62,5``, ``42 %``, thousands separated by a narrow space), both in
  the tables (formatted here) and on the axes (``config.locale`` in the spec);
- every spec carries a French ``title`` and a ``description`` (the accessible name of the
  chart); Vega's automatic ARIA texts, which are English, are turned off
  (``config.aria = false``): the chart is one image named by its description, and the
  data table carries the details.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from barometre.publish.render import canonical_json
from barometre.vocab import fr
from barometre.vocab.fr import NNBSP
from barometre.vocab.status import NOT_MEASURED

# --- visual constants ---------------------------------------------------------------

# The site's stack, with DejaVu Sans before the generic family: vl-convert skips the
# families it lacks and measures text with DejaVu Sans (installed with WeasyPrint's
# fontconfig, and wider than the usual system fonts), so the static SVG has room for the
# labels whichever of these fonts finally draws them (print, no-JS browsers).
FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", '
    '"DejaVu Sans", sans-serif'
)
BACKGROUND = "#ffffff"
TEXT = "#1b1b1b"  # 17.2:1 on white
MUTED = "#4d4d4d"  # 8.5:1 on white: axis labels, secondary series
GRID = "#d9d9d9"  # grid lines only (decorative)
PRIMARY = "#0072B2"  # Okabe-Ito blue, 5.2:1
HIGHLIGHT = "#D55E00"  # Okabe-Ito vermillion, 3.9:1
REFERENCE = TEXT  # medians


FR_NUMBER_LOCALE: dict[str, Any] = {
    "decimal": ",",
    "thousands": NNBSP,
    "grouping": [3],
    "currency": ["", f"{NNBSP}€"],
    "percent": f"{NNBSP}%",
}


def base_config() -> dict[str, Any]:
    """The Vega-Lite ``config`` shared by every chart and map."""
    return {
        "aria": False,
        "background": BACKGROUND,
        "font": FONT,
        "locale": {"number": dict(FR_NUMBER_LOCALE)},
        "padding": 8,
        "title": {
            "anchor": "start",
            "color": TEXT,
            "fontSize": 16,
            "fontWeight": 600,
            "subtitleColor": MUTED,
            "subtitleFontSize": 13,
            "offset": 12,
            "aria": False,
        },
        "axis": {
            "labelColor": MUTED,
            "labelFontSize": 12,
            "titleColor": TEXT,
            "titleFontSize": 12,
            "titleFontWeight": 600,
            "gridColor": GRID,
            "domainColor": MUTED,
            "tickColor": MUTED,
            "labelLimit": 260,
        },
        "legend": {
            "labelColor": TEXT,
            "labelFontSize": 12,
            "titleColor": TEXT,
            "titleFontSize": 12,
            "titleFontWeight": 600,
            "labelLimit": 260,
        },
        "header": {
            "labelColor": TEXT,
            "labelFontSize": 13,
            "labelFontWeight": 600,
            "titleColor": TEXT,
        },
        "text": {"color": TEXT, "fontSize": 12},
        "view": {"stroke": None},
    }


def _score_text(label: str, score: float | None, median: float | None) -> str:
    """« Présence : 62,5 (médiane 55) » for a chart's description."""
    text = f"{label} : {fr.score(score, trim=True, missing=NOT_MEASURED)}"
    return text + (f" (médiane {fr.score(median, trim=True)})" if median is not None else "")


# --- what a chart function returns --------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataTable:
    """The data-table alternative of a chart: French headers, rows of formatted text.

    ``numeric`` says which columns hold numbers (to align them right).
    """

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Figure:
    """A Vega-Lite spec and its data table."""

    spec: dict[str, Any]
    table: DataTable

    @property
    def title(self) -> str:
        title = self.spec.get("title", "")
        text = title.get("text", "") if isinstance(title, dict) else title
        return " ".join(map(str, text)) if isinstance(text, list) else str(text)

    @property
    def description(self) -> str:
        return str(self.spec.get("description", ""))

    def to_json(self) -> str:
        """The spec as canonical JSON (sorted keys): same figure, same bytes."""
        return canonical_json(self.spec)

    @property
    def digest(self) -> str:
        """SHA-256 of :meth:`to_json`: a stable file name for the spec (``<digest>.json``)."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


DATA = "valeurs"  # name of the dataset holding a chart's rows


def skeleton(chart: Any) -> str:
    """Canonical JSON of a chart validated by Altair, without title, description or data.

    The chart functions cache these (``functools.lru_cache``) by the few parameters
    that shape a chart (labels, sizes), then add the rows (top-level ``datasets``),
    title and description: building 36,000 report cards then costs JSON, not schema
    validation (about 25 ms a chart with Altair each time, 1 ms this way).
    """
    spec = chart.configure(**base_config()).to_dict(validate=True)
    return canonical_json(spec)


def assemble(
    skeleton_json: str,
    datasets: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    title: str,
    subtitle: str | None,
    description: str,
) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(skeleton_json)
    spec["title"] = {"text": title, "subtitle": subtitle} if subtitle else {"text": title}
    spec["description"] = description
    spec["datasets"] = {name: [dict(row) for row in rows] for name, rows in datasets.items()}
    return spec


def _named(name: str = DATA) -> alt.NamedData:
    return alt.NamedData(name=name)


def _check_score(value: float | None, what: str) -> None:
    if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
        raise ValueError(f"{what} must be in [0, 100], got {value!r}")


def _join(parts: Iterable[str]) -> str:
    return " ; ".join(parts)


# --- dimension scores of one collectivité -------------------------------------------


@dataclass(frozen=True, slots=True)
class DimensionValue:
    """One dimension of a report card: its score and the peer-group median (0–100)."""

    label: str
    score: float | None
    median: float | None = None
    coverage: float | None = None  # share of the dimension's weight actually measured


@functools.lru_cache(maxsize=32)
def _dimension_skeleton(order: tuple[str, ...], width: int) -> str:
    base = alt.Chart(_named()).encode(
        y=alt.Y(
            "dimension:N", sort=list(order), title=None, axis=alt.Axis(ticks=False, domain=False)
        )
    )
    x_scale = alt.Scale(domain=[0, 100], nice=False, zero=True)
    tooltip = [
        alt.Tooltip("dimension:N", title="Dimension"),
        alt.Tooltip("etiquette:N", title="Score (sur 100)"),
        alt.Tooltip("mediane_texte:N", title="Médiane du groupe"),
        alt.Tooltip("couverture_texte:N", title="Couverture"),
    ]
    bars = base.mark_bar(color=PRIMARY, height={"band": 0.6}).encode(
        x=alt.X(
            "score:Q",
            scale=x_scale,
            title="Score (sur 100)",
            axis=alt.Axis(values=[0, 20, 40, 60, 80, 100]),
        ),
        tooltip=tooltip,
    )
    medians = base.mark_tick(color=REFERENCE, thickness=3, height={"band": 0.9}).encode(
        x=alt.X("mediane:Q", scale=x_scale), tooltip=tooltip
    )
    labels = base.mark_text(align="left", baseline="middle", dx=8, fontWeight=600).encode(
        x=alt.value(width), text=alt.Text("etiquette:N")
    )
    return skeleton(alt.layer(bars, medians, labels).properties(width=width, height=alt.Step(30)))


def dimension_scores(
    dimensions: Sequence[DimensionValue], *, name: str, peer_group: str, width: int = 320
) -> Figure:
    """Horizontal bars 0–100 per dimension, the peer-group median as a black tick."""
    if not dimensions:
        raise ValueError("no dimension to draw")
    for dim in dimensions:
        _check_score(dim.score, f"score of {dim.label!r}")
        _check_score(dim.median, f"median of {dim.label!r}")
    order = tuple(d.label for d in dimensions)
    if len(set(order)) != len(order):
        raise ValueError("dimension labels must be distinct")
    rows = [
        {
            "dimension": d.label,
            "score": d.score,
            "mediane": d.median,
            "etiquette": fr.score(d.score, trim=True, missing=NOT_MEASURED),
            "mediane_texte": fr.score(d.median, trim=True),
            "couverture_texte": fr.percent(d.coverage, trim=True),
        }
        for d in dimensions
    ]
    parts = [_score_text(d.label, d.score, d.median) for d in dimensions]
    description = (
        f"Scores par dimension de {name}, sur 100, comparés à la médiane du groupe "
        f"« {peer_group} » : {_join(parts)}."
    )
    if all(d.score is None for d in dimensions):
        description += " Aucune dimension n'a pu être mesurée."
    spec = assemble(
        _dimension_skeleton(order, width),
        {DATA: rows},
        title=f"Scores par dimension : {name}",
        subtitle=f"Sur 100 ; trait noir : médiane du groupe « {peer_group} »",
        description=description,
    )
    table = DataTable(
        caption=f"Scores par dimension de {name} et médiane du groupe « {peer_group} »",
        headers=("Dimension", "Score (sur 100)", "Médiane du groupe", "Couverture"),
        rows=tuple(
            (
                str(r["dimension"]),
                str(r["etiquette"]),
                str(r["mediane_texte"]),
                str(r["couverture_texte"]),
            )
            for r in rows
        ),
        numeric=(False, True, True, True),
    )
    return Figure(spec, table)


# --- global score across editions ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class EditionPoint:
    """The global score of one edition (and the peer-group median, if known)."""

    edition: str  # label shown on the axis, e.g. "2026-11"
    score: float | None
    median: float | None = None


MEDIAN_SERIES = "Médiane du groupe"


@functools.lru_cache(maxsize=32)
def _history_skeleton(editions: tuple[str, ...], with_median: bool, width: int) -> str:
    # Series are told apart by "ordre" (0: the collectivité, 1: the median), so that the
    # colours never depend on how the collectivité's name sorts; the legend shows "serie".
    count = 2 if with_median else 1
    base = alt.Chart(_named()).encode(
        x=alt.X("edition:O", sort=list(editions), title="Édition", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(
            "score:Q",
            scale=alt.Scale(domain=[0, 100], nice=False),
            title="Score global (sur 100)",
            axis=alt.Axis(values=[0, 20, 40, 60, 80, 100]),
        ),
        color=alt.Color(
            "serie:N",
            sort=alt.EncodingSortField(field="ordre", op="min"),
            scale=alt.Scale(range=[PRIMARY, MUTED][:count]),
            legend=alt.Legend(title=None, orient="bottom") if with_median else None,
        ),
        strokeDash=alt.StrokeDash(
            "serie:N",
            sort=alt.EncodingSortField(field="ordre", op="min"),
            scale=alt.Scale(range=[[1, 0], [6, 4]][:count]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("edition:O", title="Édition"),
            alt.Tooltip("serie:N", title="Série"),
            alt.Tooltip("texte:N", title="Score (sur 100)"),
        ],
    )
    lines = base.mark_line(strokeWidth=2.5, invalid="break-paths-show-domains")
    dots = base.mark_point(filled=True, size=60, opacity=1)
    # Value labels above the points, or below when the median line runs just above.
    labels = [
        base.transform_filter(alt.datum.ordre == 0)
        .transform_filter("isValid(datum.score)")
        .transform_filter(alt.datum.dessous == below)
        .mark_text(fontWeight=600, dy=16 if below else -12)
        .encode(text=alt.Text("texte:N"), color=alt.value(TEXT))
        for below in (False, True)
    ]
    return skeleton(alt.layer(lines, dots, *labels).properties(width=width, height=220))


def score_history(
    points: Sequence[EditionPoint], *, name: str, peer_group: str | None = None, width: int = 420
) -> Figure:
    """Line and points of the global score per edition, oldest first."""
    if not points:
        raise ValueError("no edition to draw")
    editions = tuple(p.edition for p in points)
    if len(set(editions)) != len(editions):
        raise ValueError("editions must be distinct")
    for p in points:
        _check_score(p.score, f"score of edition {p.edition!r}")
        _check_score(p.median, f"median of edition {p.edition!r}")
    with_median = any(p.median is not None for p in points)
    if with_median and name == MEDIAN_SERIES:
        raise ValueError("the collectivité cannot be named like the median series")
    rows: list[dict[str, Any]] = []
    for p in points:
        below = p.score is not None and p.median is not None and 0 <= p.median - p.score < 12
        rows.append(
            {
                "edition": p.edition,
                "serie": name,
                "ordre": 0,
                "score": p.score,
                "texte": fr.score(p.score, trim=True, missing=NOT_MEASURED),
                "dessous": below,
            }
        )
        if with_median:
            rows.append(
                {
                    "edition": p.edition,
                    "serie": MEDIAN_SERIES,
                    "ordre": 1,
                    "score": p.median,
                    "texte": fr.score(p.median, trim=True, missing=NOT_MEASURED),
                }
            )
    parts = [_score_text(p.edition, p.score, p.median) for p in points]
    description = f"Évolution du score global de {name}, sur 100, par édition : {_join(parts)}."
    if with_median and peer_group:
        description += f" La ligne pointillée est la médiane du groupe « {peer_group} »."
    measured = [(p.edition, p.score) for p in points if p.score is not None]
    if len(measured) >= 2:
        (first, start), (last, end) = measured[0], measured[-1]
        delta = end - start
        trend = "stable" if abs(delta) < 0.05 else ("en hausse" if delta > 0 else "en baisse")
        description += f" De {first} à {last}, le score est {trend}"
        description += (
            "." if trend == "stable" else f" de {fr.number(abs(delta), 1, trim=True)} points."
        )
    subtitle = "Sur 100"
    if with_median and peer_group:
        subtitle += f" ; pointillés : médiane du groupe « {peer_group} »"
    spec = assemble(
        _history_skeleton(editions, with_median, width),
        {DATA: rows},
        title=f"Évolution du score global : {name}",
        subtitle=subtitle,
        description=description,
    )
    headers = ("Édition", "Score global (sur 100)") + (
        ("Médiane du groupe",) if with_median else ()
    )
    table_rows = tuple(
        (p.edition, fr.score(p.score, trim=True, missing=NOT_MEASURED))
        + ((fr.score(p.median, trim=True, missing=NOT_MEASURED),) if with_median else ())
        for p in points
    )
    table = DataTable(
        caption=f"Score global de {name} par édition",
        headers=headers,
        rows=table_rows,
        numeric=(False, True) + ((True,) if with_median else ()),
    )
    return Figure(spec, table)


# --- distribution of scores in a peer group -----------------------------------------

HIGHLIGHTED = "mise en avant"
OTHERS = "autres"


def _bins(width: int) -> list[tuple[int, int]]:
    if width <= 0 or 100 % width:
        raise ValueError("bin width must divide 100")
    return [(start, start + width) for start in range(0, 100, width)]


def _bin_index(value: float, width: int) -> int:
    return min(int(value // width), 100 // width - 1)  # 100 falls in the last bin


@functools.lru_cache(maxsize=16)
def _distribution_skeleton(bin_width: int, highlighted: bool, width: int) -> str:
    base = alt.Chart(_named())
    step = 2 * bin_width if bin_width < 20 else bin_width
    bars = base.mark_bar(stroke=BACKGROUND, strokeWidth=1).encode(
        x=alt.X(
            "debut:Q",
            bin=alt.BinParams(binned=True, step=bin_width),
            scale=alt.Scale(domain=[0, 100], nice=False),
            title="Score global (sur 100)",
            axis=alt.Axis(values=list(range(0, 101, step))),
        ),
        x2="fin:Q",
        y=alt.Y(
            "nombre:Q", title="Nombre de collectivités", axis=alt.Axis(tickMinStep=1, format="d")
        ),
        color=alt.Color(
            "groupe:N",
            scale=alt.Scale(domain=[OTHERS, HIGHLIGHTED], range=[PRIMARY, HIGHLIGHT]),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("tranche:N", title="Tranche de score"),
            alt.Tooltip("nombre:Q", title="Nombre de collectivités", format=",d"),
        ],
    )
    layers = [bars]
    if highlighted:
        layers.append(
            base.transform_filter(alt.datum.groupe == HIGHLIGHTED)
            .transform_calculate(milieu="(datum.debut + datum.fin) / 2")
            .mark_text(dy=-8, baseline="bottom", fontWeight=600, color=TEXT)
            .encode(x="milieu:Q", y="nombre:Q", text="etiquette:N")
        )
    return skeleton(alt.layer(*layers).properties(width=width, height=200))


def peer_distribution(
    scores: Iterable[float | None],
    *,
    peer_group: str,
    name: str | None = None,
    score: float | None = None,
    bin_width: int = 10,
    width: int = 420,
) -> Figure:
    """Histogram of the global scores of a peer group, the collectivité's bin highlighted.

    ``scores`` may be long (every commune of a population band): it is counted here,
    and only the bins go into the spec. Unmeasured scores (None) are counted apart.
    """
    _check_score(score, "highlighted score")
    if score is not None and not name:
        raise ValueError("a highlighted score needs the collectivité's name")
    bins = _bins(bin_width)
    counts = [0] * len(bins)
    unmeasured = 0
    for value in scores:
        if value is None:
            unmeasured += 1
            continue
        _check_score(value, "score")
        counts[_bin_index(value, bin_width)] += 1
    chosen = _bin_index(score, bin_width) if score is not None else -1
    label_of = [f"{lo} à {hi}" for lo, hi in bins]
    rows = [
        {
            "tranche": label_of[i],
            "debut": lo,
            "fin": hi,
            "nombre": counts[i],
            "groupe": HIGHLIGHTED if i == chosen else OTHERS,
            "etiquette": name if i == chosen else "",
        }
        for i, (lo, hi) in enumerate(bins)
    ]
    total = sum(counts)
    parts = [f"{label_of[i]} : {fr.integer(c)}" for i, c in enumerate(counts)]
    description = (
        f"Répartition des scores globaux des {fr.integer(total)} collectivités mesurées du groupe "
        f"« {peer_group} », par tranches de {bin_width} points : {_join(parts)}."
    )
    if unmeasured:
        description += f" {fr.integer(unmeasured)} collectivités n'ont pas de score."
    subtitle = None
    if chosen >= 0 and name and score is not None:
        description += (
            f" {name} a un score de {fr.score(score, trim=True)}, dans la tranche {label_of[chosen]} "
            "(barre mise en avant)."
        )
        subtitle = f"En orange : la tranche de {name} ({fr.score(score, trim=True)} sur 100)"
    spec = assemble(
        _distribution_skeleton(bin_width, chosen >= 0, width),
        {DATA: rows},
        title=f"Répartition des scores : {peer_group}",
        subtitle=subtitle,
        description=description,
    )
    table_rows = tuple(
        (label_of[i], fr.integer(c), "oui" if i == chosen else "") for i, c in enumerate(counts)
    )
    table = DataTable(
        caption=f"Nombre de collectivités du groupe « {peer_group} » par tranche de score",
        headers=(
            "Tranche de score",
            "Nombre de collectivités",
            name if name and chosen >= 0 else "Mise en avant",
        ),
        rows=table_rows,
        numeric=(False, True, False),
    )
    return Figure(spec, table)


# --- national figures: shares per platform (or criterion) and type ------------------


@dataclass(frozen=True, slots=True)
class Share:
    """``count`` collectivités of ``group`` out of ``total`` have ``item``."""

    group: str  # e.g. "Régions"
    item: str  # e.g. "Facebook"
    count: int
    total: int


@functools.lru_cache(maxsize=16)
def _shares_skeleton(
    groups: tuple[str, ...], items: tuple[str, ...], item_header: str, group_header: str, width: int
) -> str:
    base = alt.Chart().encode(
        y=alt.Y("element:N", sort=list(items), title=None, axis=alt.Axis(ticks=False, domain=False))
    )
    bars = base.mark_bar(color=PRIMARY, height={"band": 0.7}).encode(
        x=alt.X(
            "part:Q",
            scale=alt.Scale(domain=[0, 1], nice=False),
            title="Part des collectivités",
            axis=alt.Axis(format="~%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        tooltip=[
            alt.Tooltip("groupe:N", title=group_header),
            alt.Tooltip("element:N", title=item_header),
            alt.Tooltip("part_texte:N", title="Part"),
            alt.Tooltip("detail:N", title="Nombre"),
        ],
    )
    labels = base.mark_text(align="left", baseline="middle", dx=8).encode(
        x=alt.value(width), text=alt.Text("part_texte:N")
    )
    chart = (
        alt.layer(bars, labels, data=_named())
        .properties(width=width, height=alt.Step(24))
        .facet(
            row=alt.Row(
                "groupe:N",
                sort=list(groups),
                title=None,
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top"
                ),
            ),
            spacing=16,
        )
    )
    return skeleton(chart)


def share_bars(
    shares: Sequence[Share],
    *,
    title: str,
    subject: str = "présentes sur la plateforme",
    item_header: str = "Plateforme",
    group_header: str = "Type de collectivité",
    width: int = 360,
) -> Figure:
    """Bars of shares (0–100 %), one panel per group, denominators in tooltip and text.

    ``subject`` completes the sentence "part des collectivités …" in the description.
    """
    if not shares:
        raise ValueError("no share to draw")
    groups: list[str] = []
    items: list[str] = []
    seen: set[tuple[str, str]] = set()
    for s in shares:
        if s.total < 0 or not (0 <= s.count <= max(s.total, 0)):
            raise ValueError(f"invalid share {s.count}/{s.total} for {s.group!r}, {s.item!r}")
        if (s.group, s.item) in seen:
            raise ValueError(f"duplicate share for {s.group!r}, {s.item!r}")
        seen.add((s.group, s.item))
        if s.group not in groups:
            groups.append(s.group)
        if s.item not in items:
            items.append(s.item)
    rows = [
        {
            "groupe": s.group,
            "element": s.item,
            "part": s.count / s.total if s.total else None,
            "part_texte": fr.ratio(s.count, s.total, 0) if s.total else NOT_MEASURED,
            "detail": f"{fr.integer(s.count)} sur {fr.integer(s.total)}",
        }
        for s in shares
    ]
    parts = []
    for group in groups:
        mine = [s for s in shares if s.group == group and s.total]
        mine.sort(key=lambda s: (-s.count / s.total, items.index(s.item)))
        if not mine:
            parts.append(f"{group} : {NOT_MEASURED}")
            continue
        top = ", ".join(
            f"{s.item} {fr.ratio(s.count, s.total, 0)} ({fr.integer(s.count)} sur {fr.integer(s.total)})"
            for s in mine[:3]
        )
        parts.append(f"{group} : {top}")
    description = (
        f"Part des collectivités {subject}, par {group_header.lower()}. "
        f"Les plus fréquentes : {_join(parts)}. Détail complet dans le tableau."
    )
    spec = assemble(
        _shares_skeleton(tuple(groups), tuple(items), item_header, group_header, width),
        {DATA: rows},
        title=title,
        subtitle=None,
        description=description,
    )
    table = DataTable(
        caption=title,
        headers=(group_header, item_header, "Part", "Nombre", "Effectif"),
        rows=tuple(
            (s.group, s.item, str(r["part_texte"]), fr.integer(s.count), fr.integer(s.total))
            for s, r in zip(shares, rows, strict=True)
        ),
        numeric=(False, False, True, True, True),
    )
    return Figure(spec, table)


# --- an indicator of the catalogue, edition by edition ------------------------------


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One indicator over one group in one edition: ``value`` is a share in [0, 1]
    (``share=True`` charts) or a mean; ``None`` when nobody could be measured."""

    group: str  # panel label, e.g. "Toutes collectivités"
    period: str  # the month measured, ``YYYY-MM``
    value: float | None
    numerator: float | None = None
    denominator: int | None = None


# Characters per line of a wrapped title (16 px, semi-bold) and subtitle (13 px), so
# that the chart keeps its width on a 390 px phone (vl-convert measures the text with
# DejaVu Sans, see FONT).
TITLE_CHARS = 30
SUBTITLE_CHARS = 42


def wrap(text: str, width: int) -> list[str]:
    """A title as lines of at most ``width`` characters (never cut inside a word)."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def _series_text(value: float | None, share: bool) -> str:
    if value is None:
        return NOT_MEASURED
    return fr.percent(value, 1) if share else fr.number(value, 1)


def _series_change(first: float, last: float, share: bool) -> str:
    delta = (last - first) * (100 if share else 1)
    if abs(delta) < 0.05:
        return "stable"
    unit = f" {fr.plural(abs(delta), 'point')}" if share else ""
    way = "en hausse" if delta > 0 else "en baisse"
    return f"{way} de {fr.number(abs(delta), 1, trim=True)}{unit}"


@functools.lru_cache(maxsize=32)
def _series_skeleton(
    months: tuple[str, ...], groups: tuple[str, ...], share: bool, top: float, width: int
) -> str:
    height = 80
    y_scale = alt.Scale(domain=[0, top], nice=not share, zero=True)
    # a light axis (values are written on the points): three grid lines, no ticks
    y_axis = (
        alt.Axis(format="~%", values=[0, 0.5, 1], ticks=False, domain=False)
        if share
        else alt.Axis(tickCount=3, format="~r", ticks=False, domain=False)
    )
    base = alt.Chart().encode(
        x=alt.X(
            "mois:O",
            sort=list(months),
            scale=alt.Scale(domain=list(months)),
            title=None,
            axis=alt.Axis(labelAngle=0, labelOverlap=True, ticks=False),
        ),
        y=alt.Y("valeur:Q", scale=y_scale, title=None, axis=y_axis),
        tooltip=[
            alt.Tooltip("groupe:N", title="Groupe"),
            alt.Tooltip("mois:O", title="Mois mesuré"),
            alt.Tooltip("texte:N", title="Valeur"),
            alt.Tooltip("detail:N", title="Effectif"),
        ],
    )
    line = base.mark_line(color=PRIMARY, strokeWidth=2.5, invalid="break-paths-show-domains")
    dots = base.mark_point(color=PRIMARY, filled=True, size=60, opacity=1)
    labels = [
        base.transform_filter("isValid(datum.valeur)")
        .transform_filter(alt.datum.dessous == below)
        .mark_text(fontWeight=600, dy=16 if below else -12, color=TEXT)
        .encode(text=alt.Text("texte:N"))
        for below in (False, True)
    ]
    # « non mesuré » written mid-height where the point would be: a gap, never a zero
    gaps = (
        base.transform_filter("!isValid(datum.valeur)")
        .mark_text(color=MUTED, fontStyle="italic", baseline="middle")
        .encode(y=alt.value(height / 2), text=alt.Text("texte:N"))
    )
    chart = (
        alt.layer(line, dots, *labels, gaps, data=_named())
        .properties(width=width, height=height)
        .facet(
            row=alt.Row(
                "groupe:N",
                sort=list(groups),
                title=None,
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top"
                ),
            ),
            spacing=12,
        )
        .resolve_axis(x="independent")
    )
    return skeleton(chart)


def indicator_series(
    points: Sequence[SeriesPoint],
    *,
    label: str,
    share: bool,
    per: str = "collectivité",
    width: int = 270,
) -> Figure:
    """Line and points of one catalogue indicator, edition by edition, one panel per
    group (small multiples, in the order of ``points``). A value nobody could be
    measured for is a gap in the line, marked « non mesuré », never a zero (so is a
    group absent from an edition); a single edition is a single point. ``per``: what a
    mean is counted per (« collectivité », « compte »)."""
    if not points:
        raise ValueError("no edition to draw")
    months: list[str] = []
    groups: list[str] = []
    seen: set[tuple[str, str]] = set()
    for p in points:
        if (p.group, p.period) in seen:
            raise ValueError(f"duplicate point for {p.group!r}, {p.period!r}")
        seen.add((p.group, p.period))
        if p.value is not None and (
            not math.isfinite(p.value) or p.value < 0 or (share and p.value > 1)
        ):
            raise ValueError(f"invalid value {p.value!r} for {p.group!r}, {p.period!r}")
        if p.group not in groups:
            groups.append(p.group)
        if p.period not in months:
            months.append(p.period)
    months.sort()
    filled = [
        *points,
        *(SeriesPoint(g, m, None) for g in groups for m in months if (g, m) not in seen),
    ]
    filled.sort(key=lambda p: (groups.index(p.group), p.period))
    labels = {m: fr.month(m) for m in months}
    values = [p.value for p in filled if p.value is not None]
    top = 1.0 if share else max(1.0, max(values, default=0.0) * 1.25)
    rows = []
    for p in filled:
        detail = (
            f"{fr.number(p.numerator, 0)} sur {fr.integer(p.denominator)}"
            if p.numerator is not None and p.denominator is not None
            else fr.MISSING
        )
        rows.append(
            {
                "groupe": p.group,
                "mois": labels[p.period],
                "valeur": p.value,
                "texte": _series_text(p.value, share),
                "detail": detail,
                "dessous": p.value is not None and p.value > 0.85 * top,
            }
        )
    what = "part des collectivités mesurées" if share else f"moyenne par {per}"
    parts = []
    for group in groups:
        mine = [p for p in filled if p.group == group]
        text = ", ".join(f"{labels[p.period]} {_series_text(p.value, share)}" for p in mine)
        measured = [p for p in mine if p.value is not None]
        if len(measured) >= 2:
            first, last = measured[0], measured[-1]
            assert first.value is not None and last.value is not None
            text += (
                f" ({_series_change(first.value, last.value, share)} de "
                f"{labels[first.period]} à {labels[last.period]})"
            )
        parts.append(f"{group} : {text}")
    count = len(months)
    editions = fr.count(count, "édition", "éditions")
    description = f"{label}, {what}, par groupe, sur {editions} : {_join(parts)}."
    if any(p.value is None for p in filled):
        description += f" « {NOT_MEASURED} » : aucune collectivité du groupe mesurée ce mois-là."
    subtitle = (
        "Part des collectivités mesurées, par mois" if share else f"Moyenne par {per}, par mois"
    )
    spec = assemble(
        _series_skeleton(tuple(labels[m] for m in months), tuple(groups), share, top, width),
        {DATA: rows},
        title=label,
        subtitle=subtitle,
        description=description,
    )
    spec["title"]["text"] = wrap(label, TITLE_CHARS)
    spec["title"]["subtitle"] = wrap(subtitle, SUBTITLE_CHARS)
    table = DataTable(
        caption=f"{label} : série par groupe, édition par édition",
        headers=("Groupe", "Mois mesuré", "Valeur", "Effectif"),
        rows=tuple(
            (str(r["groupe"]), str(r["mois"]), str(r["texte"]), str(r["detail"])) for r in rows
        ),
        numeric=(False, False, True, True),
    )
    return Figure(spec, table)
