"""Charts and maps on the pages: spec file, static SVG fallback, data table, one call.

Every figure is written as a Vega-Lite spec (``graphiques/<digest>.json``, shared by
the pages that show the same one), drawn as a static SVG inside the ``<figure>``
(kept when JavaScript is off, and what print and PDF show), and followed by its data
table. Drawing an SVG costs tens of milliseconds: report cards of a national build
(tens of thousands) carry the spec and the table only, unless asked otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from barometre.publish import charts, maps
from barometre.publish.geo import Level, copy_geo, load_geo
from barometre.publish.pages.models import FigureRow, MapSection
from barometre.publish.render import SvgRenderer, embed_html
from barometre.publish.site.views import CardContext, Group
from barometre.storage.publish_repo import RankRow

TABLE_ROW = Markup("<tr>{}</tr>")


def table_html(table: charts.DataTable) -> Markup:
    head = Markup("").join(Markup('<th scope="col">{}</th>').format(h) for h in table.headers)
    body = Markup("").join(
        TABLE_ROW.format(
            Markup("").join(
                Markup('<th scope="row">{}</th>').format(cell)
                if i == 0
                else Markup('<td class="nombre">{}</td>').format(cell)
                if table.numeric[i]
                else Markup("<td>{}</td>").format(cell)
                for i, cell in enumerate(row)
            )
        )
        for row in table.rows
    )
    return Markup(
        '<table class="donnees"><caption>{}</caption><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(table.caption, head, body)


def _write_file(path: Path, data: bytes) -> None:
    path.write_bytes(data)


class FigureWriter:
    """Writes the figures of the site in ``work``.

    ``write`` writes one file (a plain write while the whole site is built aside, an
    atomic one when pages are added to a published site); ``geo=False`` leaves the map
    outlines the site already has."""

    def __init__(
        self,
        work: Path,
        *,
        cache: Path | None = None,
        write: Callable[[Path, bytes], None] = _write_file,
        geo: bool = True,
    ) -> None:
        self.work = work
        self.renderer = SvgRenderer(cache_dir=cache)
        self.folder = work / "graphiques"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.write = write
        if geo:
            copy_geo(work / "static" / "geo")
        self.written = 0

    def figure(
        self,
        figure: charts.Figure,
        racine: str,
        *,
        svg: bool = True,
        table: bool = True,
        live: bool = True,
    ) -> Markup:
        """The ``<figure>`` (spec URL, SVG fallback) and, after it, the data table.

        ``live=False``: the static SVG only (a page that loads no chart script)."""
        name = f"{figure.digest}.json"
        target = self.folder / name
        if not target.exists():
            self.write(target, figure.to_json().encode("utf-8"))
            self.written += 1
        drawing = ""
        if svg:
            drawing = self.renderer.render(figure.spec, base_dir=self.folder, root=self.work)
        else:
            drawing = (
                f'<p class="petit">{Markup.escape(figure.description)} '
                "(le graphique s'affiche avec JavaScript ; ses valeurs sont dans le tableau.)</p>"
            )
        # vl-convert escapes the texts of the SVG and embed_html escapes the spec URL
        url = f"{racine}graphiques/{name}" if live else None
        html = Markup(embed_html(drawing, url))  # noqa: S704
        return html + table_html(figure.table) if table else html

    # -- the charts of the site ---------------------------------------------------------

    def card_dimensions(self, card: CardContext, racine: str, *, svg: bool) -> Markup | None:
        values = [
            charts.DimensionValue(
                d.name,
                d.score.value if d.score else None,
                d.peer_median,
                d.score.coverage if d.score else None,
            )
            for d in card.dimensions
        ]
        if all(v.score is None for v in values):
            return None
        figure = charts.dimension_scores(
            values, name=card.authority.name, peer_group=card.group_title or "groupe"
        )
        return self.figure(figure, racine, svg=svg, table=False)

    def card_history(
        self, card: CardContext, edition: str, racine: str, *, svg: bool
    ) -> Markup | None:
        points = [charts.EditionPoint(e, v) for e, v, _ in card.history]
        current = card.global_score.value if card.global_score else None
        points.append(charts.EditionPoint(edition, current))
        if sum(1 for p in points if p.score is not None) < 2:
            return None
        figure = charts.score_history(
            points, name=card.authority.name, peer_group=card.group_title or None
        )
        return self.figure(figure, racine, svg=svg, table=False)

    def distribution(
        self, groups: Sequence[Group], racine: str, *, live: bool = True
    ) -> Markup | None:
        values = [r.value for g in groups for r in g.rows]
        if not any(v is not None for v in values):
            return None
        figure = charts.peer_distribution(values, peer_group="toutes les collectivités notées")
        return self.figure(figure, racine, table=False, live=live)

    def presence(self, rows: Sequence[FigureRow], racine: str) -> Markup | None:
        shares = []
        for row in rows:
            group, _, item = row.label.partition(" — ")
            if item.lower().startswith("au moins"):
                continue
            if row.denominator:
                shares.append(charts.Share(group, item, row.numerator, row.denominator))
        if not shares:
            return None
        figure = charts.share_bars(
            tuple(shares), title="Présence sur les réseaux sociaux, par type de collectivité"
        )
        return self.figure(figure, racine, table=False)

    def maps(self, rows: Iterable[RankRow], names: dict[tuple[str, str], str]) -> list[MapSection]:
        """Mean global score per région and per département (every type of collectivité
        in it counted), as maps with their data tables. Only graded collectivités have a
        stored score (publication policy), so the maps count them alone.

        A collectivité of the régions' or départements' groups counts in the areas it
        governs: the Collectivité de Corse in 2A and 2B (and, by its ``region``, in 94),
        the Collectivité européenne d'Alsace in 67 and 68, the Métropole de Lyon in 69
        beside the Rhône; a commune in its département and région."""
        by_level = _by_area((row, row.value) for row in rows)
        out: list[MapSection] = []
        for level, title in (
            ("region", "Score global moyen par région"),
            ("departement", "Score global moyen par département"),
        ):
            item = self._area_map(level, by_level[level], title, "Score moyen", "", names)
            if item is not None:
                out.append(item)
        return out

    def indicator_maps(
        self,
        rows: Sequence[RankRow],
        indicators: Mapping[str, Mapping[str, bool | None]],
        labels: Sequence[tuple[str, str]],
        names: Mapping[tuple[str, str], str] | None = None,
    ) -> list[MapSection]:
        """For each registry indicator (``labels``: id, label), the share of the
        collectivités of each département that meet it, among those it was measured for
        (an edition measured from the registry alone: shares, never scores)."""
        out: list[MapSection] = []
        for key, label in labels:
            pairs = []
            for row in rows:
                met = indicators.get(row.authority_id, {}).get(key)
                pairs.append((row, None if met is None else 100.0 * met))
            by_level = _by_area(pairs)
            item = self._area_map(
                "departement",
                by_level["departement"],
                f"{label} : part des collectivités, par département",
                "Part",
                "%",
                names or {},
            )
            if item is not None:
                out.append(item)
        return out

    def _area_map(
        self,
        level: str,
        values_by_code: Mapping[str, list[float]],
        title: str,
        label: str,
        unit: str,
        names: Mapping[tuple[str, str], str],
    ) -> MapSection | None:
        """A map of ``level``; an area with a value and no contour (the demonstration's
        fictitious département) is drawn apart, as a labelled box, under its ``names``."""
        values = {
            code: maps.AreaValue(sum(v) / len(v), len(v))
            for code, v in sorted(values_by_code.items())
        }
        if not values:
            return None
        make = maps.region_map if level == "region" else maps.departement_map
        geo = "regions" if level == "region" else "departements"
        figure = make(
            values,
            title=title,
            value_label=label,
            unit=unit,
            geo_url=f"../static/geo/{geo}.geojson",
            names_apart={code: names[(level, code)] for code in values if (level, code) in names},
        )
        return MapSection(
            title=title,
            figure=self.figure(figure, "", table=False),
            header=list(figure.table.headers),
            rows=[list(r) for r in figure.table.rows],
        )

    # -- series and maps of the indicator catalogue (issue 16) ---------------------------

    def catalogue_series(self, indicator: Mapping[str, Any], racine: str = "") -> Markup | None:
        """One indicator edition by edition, a panel per group it is shown for, each chart
        with its data table (the accessible alternative of the drawing): the whole and the
        types of collectivité in one chart, the peer groups (population bands, types of
        EPCI), when the indicator is shown for them, in a second one."""
        families: dict[str, list[charts.SeriesPoint]] = {}
        for p in indicator.get("series", ()):
            families.setdefault(str(p.get("family") or "type"), []).append(
                charts.SeriesPoint(
                    p["group_label"], p["period"], p["value"], p["numerator"], p["denominator"]
                )
            )
        if not families:
            return None
        out = Markup("")
        for family, points in families.items():
            label = str(indicator["label"])
            if family == "strate" and len(families) > 1:
                label += " : par groupe de pairs"
            figure = charts.indicator_series(
                points,
                label=label,
                share=bool(indicator["share"]),
                per=str(indicator.get("per") or "collectivité"),
            )
            out += self.figure(figure, racine)
        return out

    def catalogue_maps(self, indicator: Mapping[str, Any], *, ranks: bool = True) -> dict[str, Any]:
        """One indicator's maps: régions, départements, and communes and EPCI aggregated
        per département, each with its data table; a map without any value on the
        map of France keeps its table and no drawing."""
        share = bool(indicator["share"])
        out: list[dict[str, Any]] = []
        for prefix, level, title in INDICATOR_LEVELS:
            areas = indicator["areas"].get(prefix)
            if not areas:
                continue
            values = {
                a["code"]: maps.AreaValue(
                    None if a["value"] is None else a["value"] * (100 if share else 1),
                    a["denominator"],
                )
                for a in areas
            }
            figure = (maps.region_map if level == "region" else maps.departement_map)(
                values,
                title=f"{indicator['label']} : {title}",
                value_label="Part" if share else "Valeur",
                denominator_label="Mesurées",
                unit="%" if share else "",
                thresholds=(20, 40, 60, 80) if share else (1, 2, 3, 4),
                geo_url=f"../static/geo/{'regions' if level == 'region' else 'departements'}.geojson",
            )
            mapped = _codes(level)
            drawn = any(code in mapped and v.value is not None for code, v in values.items())
            # the table under the map is also the ranking of the areas (dense ranks,
            # highest value first; areas without a value are left out)
            rows = [list(r) for r in figure.table.rows if r[2] != maps.NO_DATA_LABEL]
            value_of = {code: v.value for code, v in values.items()}
            rows.sort(key=lambda r: (-(value_of.get(str(r[0])) or 0.0), str(r[0])))
            ranked: list[list[str]] = []
            previous: float | None = None
            rank = 0
            for row in rows:
                current = value_of.get(str(row[0]))
                if current != previous:
                    rank += 1
                    previous = current
                ranked.append([str(rank), *map(str, row)])
            out.append(
                {
                    "title": title,
                    "figure": self.figure(figure, "", table=False) if drawn else None,
                    # no rank in an edition measured from the registry alone
                    # (publication policy): the table keeps the order, not the ranks
                    "header": ["Rang", *figure.table.headers]
                    if ranks
                    else list(figure.table.headers),
                    "rows": ranked if ranks else [r[1:] for r in ranked],
                    "name_column": 3 if ranks else 2,
                }
            )
        return {**indicator, "maps": out}


def _by_area(
    pairs: Iterable[tuple[RankRow, float | None]],
) -> dict[str, dict[str, list[float]]]:
    """Values per région and per département code, each collectivité counted in the
    areas it lies in or governs (see :meth:`FigureWriter.maps`)."""
    by_level: dict[str, dict[str, list[float]]] = {
        "region": defaultdict(list),
        "departement": defaultdict(list),
    }
    for row, value in pairs:
        if value is None:
            continue
        if row.region:
            by_level["region"][row.region].append(value)
        if row.departement:
            by_level["departement"][row.departement].append(value)
        if row.kind == "departement":
            for code in row.territory or (row.code,):
                by_level["departement"][code].append(value)
        if row.kind == "region":
            by_level["region"][row.code].append(value)
    return by_level


INDICATOR_LEVELS: tuple[tuple[str, Level, str], ...] = (
    ("region", "region", "par région"),
    ("departement", "departement", "par département"),
    ("communes", "departement", "communes et intercommunalités, par département"),
)


@cache
def _codes(level: Level) -> frozenset[str]:
    return frozenset(str(f["properties"]["code"]) for f in load_geo(level)["features"])
