"""Choropleth maps of France by région and by département.

One spec per map, a vertical concatenation: metropolitan France (conic conformal
projection, parallels 44° and 49°, as Lambert-93) above a row of five insets, Guadeloupe,
Martinique, Guyane, La Réunion and Mayotte, each a separate view with its own Mercator
projection fitted to its box (so at different scales, which the description says). The
colour scale is shared, so there is one legend.

Values are put in classes (3 to 5, from ``thresholds``) drawn with ColorBrewer's YlGnBu
sequence, colour-blind safe; an area without a value is mid grey, a colour outside the
sequence, with its own legend entry ("Pas de donnée" by default). Classes make the
legend, the table and the description say the same thing, and a reader can match a
colour without judging a gradient. Communes are aggregated per département by the
caller (e.g. the mean score of the communes measured, with their number as
denominator).

The geometry is the bundled GeoJSON (:mod:`.geo`), inlined in the spec by default (a
self-contained spec of about 290 KB for départements). With ``geo_url`` (a URL relative
to the spec file, pointing at the file :func:`.geo.copy_geo` wrote into the site), the
spec holds only the values and the browser downloads the shapes once for every map;
:func:`.render.to_svg` reads the same file from disk (``base_dir``/``root``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from barometre.publish.charts import (
    DATA,
    GRID,
    MUTED,
    TEXT,
    DataTable,
    Figure,
    assemble,
    skeleton,
)
from barometre.publish.geo import NO_SHAPE, OVERSEAS, OVERSEAS_REGIONS, Level, load_geo
from barometre.vocab import fr
from barometre.vocab.fr import NNBSP

#: ColorBrewer YlGnBu, by number of classes (colour-blind safe, print friendly).
SEQUENTIAL: Mapping[int, tuple[str, ...]] = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
}
NO_DATA = "#969696"
NO_DATA_LABEL = "Pas de donnée"
OUTLINE = MUTED  # area borders: the palest class stays visible on white

INSET_ORDER = ("971", "972", "973", "974", "976")
APART = "hors-carte-"  # zones of the areas without a contour, drawn as labelled boxes
_LEVEL_WORDS = {
    "region": ("région", "régions", "Région"),
    "departement": ("département", "départements", "Département"),
}


@dataclass(frozen=True, slots=True)
class AreaValue:
    """The value of one région or département, and how many collectivités it rests on."""

    value: float | None
    denominator: int | None = None


def _classes(thresholds: Sequence[float], unit: str) -> list[str]:
    count = len(thresholds) + 1
    if count not in SEQUENTIAL:
        raise ValueError(f"{count} classes: choose 2 to 4 thresholds")
    if any(not math.isfinite(t) for t in thresholds) or list(thresholds) != sorted(set(thresholds)):
        raise ValueError("thresholds must be finite and strictly increasing")
    fmt = [fr.number(t, 1, trim=True) + unit for t in thresholds]
    labels = [f"moins de {fmt[0]}"]
    labels += [f"{fmt[i]} à moins de {fmt[i + 1]}" for i in range(len(fmt) - 1)]
    labels.append(f"{fmt[-1]} et plus")
    return labels


def _class_of(value: float, thresholds: Sequence[float]) -> int:
    return sum(1 for t in thresholds if value >= t)


def _normalise(values: Mapping[str, AreaValue | float | None]) -> dict[str, AreaValue]:
    result = {}
    for code, raw in values.items():
        item = raw if isinstance(raw, AreaValue) else AreaValue(raw)
        if item.value is not None and not math.isfinite(item.value):
            raise ValueError(f"value of {code!r} is not finite")
        if item.denominator is not None and item.denominator < 0:
            raise ValueError(f"denominator of {code!r} is negative")
        result[str(code)] = item
    return result


def _zone(level: Level, code: str) -> str:
    """``metropole`` or the overseas département code the area is drawn in."""
    if level == "departement":
        return code if code in OVERSEAS else "metropole"
    return OVERSEAS_REGIONS.get(code, "metropole")


def _centre_longitude(features: Sequence[Mapping[str, Any]], code: str) -> float:
    feature = next(f for f in features if f["properties"]["code"] == code)
    geometry = feature["geometry"]
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    xs = [float(p[0]) for poly in polygons for ring in poly for p in ring]
    return round((min(xs) + max(xs)) / 2, 1)


def _contours(zone: str) -> str:
    return f"contours-{zone}"


@functools.lru_cache(maxsize=32)
def _map_skeleton(
    level: Level,
    domain: tuple[str, ...],
    value_label: str,
    denominator_label: str,
    geo_url: str | None,
    width: int,
    apart: tuple[tuple[str, str], ...] = (),
) -> str:
    """The validated structure of a map: views, projections, legend; no shapes, no values.
    ``apart``: (code, label) of the areas drawn apart, each a labelled box of its own."""
    features = load_geo(level)["features"]
    names = {str(f["properties"]["code"]): str(f["properties"]["nom"]) for f in features}
    header = _LEVEL_WORDS[level][2]
    palette = SEQUENTIAL[len(domain) - 1]
    colour = alt.Color(
        "classe:N",
        scale=alt.Scale(domain=list(domain), range=[*palette, NO_DATA]),
        legend=alt.Legend(title=value_label, orient="right", symbolType="square", symbolSize=180),
    )
    tooltip = [
        alt.Tooltip("nom:N", title=header),
        alt.Tooltip("valeur_texte:N", title=value_label),
        alt.Tooltip("denominateur_texte:N", title=denominator_label),
    ]
    lookup = alt.LookupData(
        data=alt.NamedData(name=DATA),
        key="code",
        fields=["nom", "classe", "valeur_texte", "denominateur_texte"],
    )

    def view(zone: str, projection: dict[str, Any], size: int, stroke: float) -> Any:
        if geo_url is None or zone.startswith(APART):
            chart = alt.Chart(alt.NamedData(name=_contours(zone)))
        else:
            chart = alt.Chart(
                alt.UrlData(
                    url=geo_url, format=alt.JsonDataFormat(type="json", property="features")
                )
            ).transform_filter(
                alt.FieldOneOfPredicate(
                    field="properties.code",
                    oneOf=sorted(c for c in names if _zone(level, c) == zone),
                )
            )
        return (
            chart.transform_lookup(lookup="properties.code", from_=lookup)
            .mark_geoshape(stroke=OUTLINE, strokeWidth=stroke, strokeJoin="round")
            .encode(color=colour, tooltip=tooltip)
            .project(**projection)
            .properties(width=size, height=size)
        )

    metro = view(
        "metropole",
        {"type": "conicConformal", "parallels": [44, 49], "rotate": [-3, 0, 0]},
        width,
        0.4,
    )
    inset_width = max(60, (width - 4 * 12) // 5)
    insets = []
    for dep in INSET_ORDER:
        code = dep if level == "departement" else OVERSEAS[dep]
        # Each inset centred on its own meridian: the projections then differ, and
        # Vega-Lite does not merge them into one projection fitted to all five.
        projection = {"type": "mercator", "rotate": [-_centre_longitude(features, code), 0, 0]}
        insets.append(
            view(dep, projection, inset_width, 0.6).properties(
                title=alt.Title(
                    text=names[code],
                    fontSize=11,
                    fontWeight="normal",
                    anchor="middle",
                    color=TEXT,
                    offset=4,
                ),
                view=alt.ViewBackground(stroke=GRID),
            )
        )
    rows = [alt.hconcat(*insets, spacing=12)]
    if apart:
        rows.append(
            alt.hconcat(
                *(
                    view(f"{APART}{code}", {"type": "mercator"}, inset_width, 0.6).properties(
                        title=alt.Title(
                            text=label,
                            fontSize=11,
                            fontWeight="normal",
                            anchor="middle",
                            color=TEXT,
                            offset=4,
                        ),
                        view=alt.ViewBackground(stroke=GRID),
                    )
                    for code, label in apart
                ),
                spacing=12,
            )
        )
    chart = alt.vconcat(metro, *rows, spacing=16).resolve_scale(color="shared")
    return skeleton(chart)


def _box(code: str, name: str) -> dict[str, Any]:
    """A square standing for an area with no contour (a fictitious département of the
    demonstration): drawn apart, in a box of its own (clockwise, as d3 wants it)."""
    ring = [[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]]
    return {
        "type": "Feature",
        "properties": {"code": code, "nom": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def choropleth(
    values: Mapping[str, AreaValue | float | None],
    *,
    level: Level,
    title: str,
    value_label: str,
    denominator_label: str = "Collectivités mesurées",
    unit: str = "",
    thresholds: Sequence[float] = (20, 40, 60, 80),
    decimals: int = 1,
    subtitle: str | None = None,
    no_data_label: str = NO_DATA_LABEL,
    geo_url: str | None = None,
    width: int = 440,
    names_apart: Mapping[str, str] | None = None,
) -> Figure:
    """A map of France with one value per région or département code.

    ``values`` maps registry codes (régions ``84``, départements ``2A``, ``971``…) to an
    :class:`AreaValue` or a bare number; a code without a value is drawn as "no data".
    ``unit`` is appended to numbers (``"%"`` for shares expressed in 0–100).
    A code with a value but no contour (neither on the map nor a known overseas
    collectivité) whose name is in ``names_apart`` is drawn apart, as a labelled box under
    the insets: the demonstration's fictitious département is shown, not only listed.
    """
    if level not in _LEVEL_WORDS:
        raise ValueError(f"unknown map level {level!r}")
    singular, plural, header = _LEVEL_WORDS[level]
    suffix = f"{NNBSP}{unit}" if unit else ""
    labels = _classes(thresholds, suffix)
    data = _normalise(values)
    collection = load_geo(level)
    features = collection["features"]
    names = {str(f["properties"]["code"]): str(f["properties"]["nom"]) for f in features}
    unmapped = sorted(code for code in data if code not in names)

    def row(code: str, name: str) -> dict[str, Any]:
        item = data.get(code, AreaValue(None))
        if item.value is None:
            klass, text = no_data_label, no_data_label
        else:
            klass, text = (
                labels[_class_of(item.value, thresholds)],
                fr.number(item.value, decimals, trim=True) + suffix,
            )
        return {
            "code": code,
            "nom": name,
            "classe": klass,
            "valeur_texte": text,
            "denominateur_texte": fr.integer(item.denominator),
        }

    apart = tuple(
        (code, f"{(names_apart or {})[code]} (hors carte)")
        for code in unmapped
        if code not in NO_SHAPE and code in (names_apart or {}) and data[code].value is not None
    )
    rows = [row(code, names[code]) for code in sorted(names)]
    drawn = [*rows, *(row(code, label) for code, label in apart)]
    domain = [*labels, no_data_label]
    skeleton_json = _map_skeleton(
        level, tuple(domain), value_label, denominator_label, geo_url, width, apart
    )
    datasets: dict[str, list[dict[str, Any]]] = {DATA: drawn}
    for code, label in apart:
        datasets[_contours(f"{APART}{code}")] = [_box(code, label)]
    if geo_url is None:
        for zone in ("metropole", *INSET_ORDER):
            datasets[_contours(zone)] = [
                f for f in features if _zone(level, f["properties"]["code"]) == zone
            ]

    measured = [
        (code, item.value)
        for code, item in data.items()
        if code in names and item.value is not None
    ]
    counts = dict.fromkeys(domain, 0)
    for r in rows:
        counts[r["classe"]] += 1
    if measured:
        low = min(measured, key=lambda cv: (cv[1], cv[0]))
        high = max(measured, key=lambda cv: (cv[1], cv[0]))
        span = (
            f"{len(measured)} {fr.plural(len(measured), singular, plural)} sur {len(rows)} "
            f"{'a' if len(measured) < 2 else 'ont'} une valeur, de "
            f"{fr.number(low[1], decimals, trim=True)}{suffix} ({names[low[0]]}) à "
            f"{fr.number(high[1], decimals, trim=True)}{suffix} ({names[high[0]]})."
        )
    else:
        span = f"Aucun{'e' if level == 'region' else ''} des {len(rows)} {plural} n'a de valeur."
    spread = " ; ".join(f"{label} : {counts[label]}" for label in domain)
    description = (
        f"Carte de France par {singular} : {value_label}. {span} Nombre de {plural} par classe : "
        f"{spread} ({no_data_label.lower()} en gris). La Guadeloupe, la Martinique, la Guyane, "
        "La Réunion et Mayotte sont en encarts sous la métropole, chacune à sa propre échelle. "
        "Valeurs détaillées dans le tableau."
    )
    if apart:
        boxes = ", ".join(label for _, label in apart)
        description += f" Dessiné à part, dans un encart carré sans échelle : {boxes}."
    listed_codes = [c for c in unmapped if c not in dict(apart)]
    if listed_codes:
        listed = ", ".join(f"{NO_SHAPE[c]} ({c})" if c in NO_SHAPE else c for c in listed_codes)
        description += f" Sans contour sur la carte : {listed}."
    spec = assemble(
        skeleton_json, datasets, title=title, subtitle=subtitle, description=description
    )

    table_rows = [(r["code"], r["nom"], r["valeur_texte"], r["denominateur_texte"]) for r in rows]
    for code in unmapped:
        item = data[code]
        table_rows.append(
            (
                code,
                f"{NO_SHAPE.get(code) or (names_apart or {}).get(code) or code} (hors carte)",
                no_data_label
                if item.value is None
                else fr.number(item.value, decimals, trim=True) + suffix,
                fr.integer(item.denominator),
            )
        )
    table = DataTable(
        caption=f"{title} : valeurs par {singular}",
        headers=("Code", header, value_label, denominator_label),
        rows=tuple(table_rows),
        numeric=(False, False, True, True),
    )
    return Figure(spec, table)


def region_map(values: Mapping[str, AreaValue | float | None], **options: Any) -> Figure:
    """:func:`choropleth` of the 18 régions."""
    return choropleth(values, level="region", **options)


def departement_map(values: Mapping[str, AreaValue | float | None], **options: Any) -> Figure:
    """:func:`choropleth` of the 101 départements (communes aggregated by the caller)."""
    return choropleth(values, level="departement", **options)
