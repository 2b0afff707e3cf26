"""Charts, maps, bundled shapes, SVG rendering and the vendored Vega files."""

from __future__ import annotations

import functools
import hashlib
import http.server
import itertools
import json
import math
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import altair as alt
import pytest
import vl_convert as vlc
from altair.utils.schemapi import validate_jsonschema

from barometre.models import AuthorityKind
from barometre.publish import geo, render
from barometre.publish.charts import (
    BACKGROUND,
    HIGHLIGHT,
    HIGHLIGHTED,
    MUTED,
    OTHERS,
    PRIMARY,
    REFERENCE,
    TEXT,
    DimensionValue,
    EditionPoint,
    Figure,
    SeriesPoint,
    Share,
    dimension_scores,
    indicator_series,
    peer_distribution,
    score_history,
    share_bars,
)
from barometre.publish.maps import (
    INSET_ORDER,
    NO_DATA,
    NO_DATA_LABEL,
    SEQUENTIAL,
    AreaValue,
    departement_map,
    region_map,
)
from barometre.publish.render import RenderError, SvgRenderer, canonical_json, to_svg
from barometre.vocab import fr
from barometre.vocab.fr import NNBSP

PUBLISH = Path(geo.__file__).resolve().parent
VENDOR = PUBLISH / "static" / "vendor"
OUR_JS = PUBLISH / "static" / "js" / "barometre-charts.js"
OUR_CSS = PUBLISH / "static" / "css" / "barometre-charts.css"
SCHEMA = alt.vegalite.v6.schema.core.load_schema()
SVG_NS = "{http://www.w3.org/2000/svg}"

# --- helpers ------------------------------------------------------------------------


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}/{i}")
    elif isinstance(node, str):
        yield path, node


def data_urls(node: Any) -> list[str]:
    found = []
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and "url" in data:
            found.append(data["url"])
        for value in node.values():
            found += data_urls(value)
    elif isinstance(node, list):
        for value in node:
            found += data_urls(value)
    return found


def check_spec(figure: Figure) -> dict[str, Any]:
    """What every figure must satisfy; returns the spec."""
    spec = figure.spec
    validate_jsonschema(spec, SCHEMA)  # raises on any schema violation
    assert spec["$schema"] == f"https://vega.github.io/schema/vega-lite/{alt.SCHEMA_VERSION}.json"
    # The only absolute URL is the $schema identifier (never fetched: the script passes
    # mode "vega-lite", vl-convert is given the version); data is inline or relative.
    remote = [(p, s) for p, s in strings(spec) if re.search(r"(?i)\b(https?:)?//", s)]
    assert remote == [("/$schema", spec["$schema"])]
    for url in data_urls(spec):
        assert not re.match(r"(?i)^[a-z][a-z0-9+.-]*:|^//|^/", url), url
    assert figure.title and figure.description
    assert spec["description"] == figure.description
    assert re.search(r"[éèàùç]|\b(des?|du|la|le|les|par|sur)\b", figure.description)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["aria"] is False  # no English automatic ARIA text
    table = figure.table
    assert table.headers and all(len(row) == len(table.headers) for row in table.rows)
    assert len(table.numeric) == len(table.headers)
    assert figure.to_json() == canonical_json(spec)
    return spec


def table_cells(figure: Figure) -> set[str]:
    return {cell for row in figure.table.rows for cell in row}


def datasets(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return list(spec.get("datasets", {}).values())


def svg_root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


# --- French formatting --------------------------------------------------------------


def test_french_numbers() -> None:
    assert fr.number(1234.5, 1, trim=True) == f"1{NNBSP}234,5"
    assert fr.number(62.0, 1, trim=True) == "62"
    assert fr.number(42.5, 0, trim=True) == "43"  # half up, not to even
    assert fr.number(2.675, 1, trim=True) == "2,7"
    assert fr.number(-0.04, 1, trim=True) == "0"
    assert fr.integer(36249) == f"36{NNBSP}249"
    assert fr.percent(0.425, trim=True) == f"43{NNBSP}%"
    assert fr.percent(1 / 3, 1, trim=True) == f"33,3{NNBSP}%"
    with pytest.raises(ValueError):
        fr.number(math.nan, 1, trim=True)


# --- colours ------------------------------------------------------------------------

# Machado, Oliveira & Fernandes (2009), severity 1.0, in linear RGB.
CVD = {
    "protanopie": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deutéranopie": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopie": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _linear(hex_colour: str) -> tuple[float, float, float]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def _luminance(hex_colour: str) -> float:
    r, g, b = _linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(a: str, b: str, deficiency: str | None) -> float:
    """CIE76 ΔE between two colours as seen with a colour-vision deficiency."""

    def seen(colour: str) -> tuple[float, float, float]:
        rgb = _linear(colour)
        if deficiency is None:
            return rgb
        m = CVD[deficiency]
        r, g, b = (min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3))
        return r, g, b

    return math.dist(_lab(seen(a)), _lab(seen(b)))


def test_text_and_marks_have_enough_contrast() -> None:
    assert contrast(TEXT, BACKGROUND) >= 7
    assert contrast(MUTED, BACKGROUND) >= 4.5  # axis labels are text
    for mark in (PRIMARY, HIGHLIGHT, REFERENCE):
        assert contrast(mark, BACKGROUND) >= 3, mark  # WCAG 1.4.11, graphical objects


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_palettes_stay_distinct_for_colour_blind_readers(deficiency: str | None) -> None:
    assert distance(PRIMARY, HIGHLIGHT, deficiency) >= 30
    for classes, palette in SEQUENTIAL.items():
        colours = [*palette, NO_DATA]
        closest = min(distance(a, b, deficiency) for a, b in itertools.combinations(colours, 2))
        assert closest >= 12, (classes, deficiency, closest)
        # a sequence: lightness falls class after class
        lightness = [_lab(_linear(c))[0] for c in palette]
        assert lightness == sorted(lightness, reverse=True)


# --- charts -------------------------------------------------------------------------

DIMENSIONS = [
    DimensionValue("Présence", 62.5, 55.0, 1.0),
    DimensionValue("Proximité & services", None, 40.0, 0.0),
    DimensionValue("Dialogue & participation", 33.25, 50.0, 0.5),
    DimensionValue("Qualité technique, sécurité & sobriété", 100.0, None),
]


def test_dimension_scores() -> None:
    figure = dimension_scores(DIMENSIONS, name="Landes", peer_group="Départements")
    spec = check_spec(figure)
    assert figure.title == "Scores par dimension : Landes"
    assert figure.table.headers == (
        "Dimension",
        "Score (sur 100)",
        "Médiane du groupe",
        "Couverture",
    )
    assert figure.table.rows[0] == ("Présence", "62,5", "55", f"100{NNBSP}%")
    assert figure.table.rows[1] == ("Proximité & services", "non mesuré", "40", f"0{NNBSP}%")
    assert figure.table.rows[2][1] == "33,3"  # 33.25 rounds half up
    assert "Présence : 62,5 (médiane 55)" in figure.description
    assert "Proximité & services : non mesuré" in figure.description
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "tick", "text"]
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert spec["layer"][1]["encoding"]["x"]["field"] == "mediane"
    (rows,) = datasets(spec)
    assert [r["score"] for r in rows] == [62.5, None, 33.25, 100.0]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [d.label for d in DIMENSIONS]


def test_dimension_scores_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        dimension_scores([DimensionValue("Présence", 120.0)], name="X", peer_group="Y")
    with pytest.raises(ValueError, match="distinct"):
        dimension_scores(
            [DimensionValue("A", 1.0), DimensionValue("A", 2.0)], name="X", peer_group="Y"
        )
    with pytest.raises(ValueError):
        dimension_scores([], name="X", peer_group="Y")


def test_score_history() -> None:
    points = [
        EditionPoint("2026-01", 40.0, 45.0),
        EditionPoint("2026-02", None, 46.0),
        EditionPoint("2026-03", 60.0, 47.5),
    ]
    figure = score_history(points, name="Landes", peer_group="Départements")
    spec = check_spec(figure)
    assert figure.title == "Évolution du score global : Landes"
    assert figure.table.rows == (
        ("2026-01", "40", "45"),
        ("2026-02", "non mesuré", "46"),
        ("2026-03", "60", "47,5"),
    )
    assert "en hausse de 20 points" in figure.description
    assert "médiane" in figure.description
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line"
    assert line["mark"]["invalid"] == "break-paths-show-domains"  # a gap, not a made-up line
    assert line["encoding"]["x"]["sort"] == ["2026-01", "2026-02", "2026-03"]
    assert spec["layer"][1]["mark"]["type"] == "point"
    single = score_history([EditionPoint("2026-11", 51.0)], name="Landes")
    check_spec(single)
    assert single.table.headers == ("Édition", "Score global (sur 100)")
    assert "hausse" not in single.description and "baisse" not in single.description


SERIES = [
    SeriesPoint("Toutes collectivités", "2025-02", 0.4, 4, 10),
    SeriesPoint("Toutes collectivités", "2025-03", 0.5, 5, 10),
    SeriesPoint("Régions", "2025-02", None, 0, 0),
    SeriesPoint("Régions", "2025-03", 1.0, 2, 2),
    SeriesPoint("Communes", "2025-03", 1 / 3, 2, 6),  # no commune in February
]


def _svg_texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in svg_root(svg).iter(f"{SVG_NS}text")]


def _points(svg: str) -> int:
    """The points drawn (Vega's symbol marks)."""
    return sum(g.count("<path") for g in re.findall(r'<g class="mark-symbol[^"]*">(.*?)</g>', svg))


def test_indicator_series_one_panel_per_group_in_french() -> None:
    label = "Critère P1 : le site officiel répond en HTTPS avec un certificat valide"
    figure = indicator_series(SERIES, label=label, share=True)
    spec = check_spec(figure)
    assert figure.title == label
    assert all(len(line) <= 30 for line in spec["title"]["text"])  # wrapped for phones
    assert spec["facet"]["row"]["sort"] == ["Toutes collectivités", "Régions", "Communes"]
    layers = spec["spec"]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["line", "point", "text", "text", "text"]
    assert layers[0]["mark"]["invalid"] == "break-paths-show-domains"  # a gap, never a zero
    x = layers[0]["encoding"]["x"]
    assert x["sort"] == ["février 2025", "mars 2025"]  # French months, oldest first
    assert layers[0]["encoding"]["y"]["axis"]["format"] == "~%"
    (rows,) = datasets(spec)
    regions = [r for r in rows if r["groupe"] == "Régions"]
    assert [(r["valeur"], r["texte"]) for r in regions] == [
        (None, "non mesuré"),
        (1.0, f"100,0{NNBSP}%"),
    ]
    # the group absent from an edition is « non mesuré » that month, not 0
    communes = [(r["mois"], r["valeur"]) for r in rows if r["groupe"] == "Communes"]
    assert communes == [("février 2025", None), ("mars 2025", 1 / 3)]
    assert figure.table.headers == ("Groupe", "Mois mesuré", "Valeur", "Effectif")
    assert figure.table.rows[:2] == (
        ("Toutes collectivités", "février 2025", f"40,0{NNBSP}%", "4 sur 10"),
        ("Toutes collectivités", "mars 2025", f"50,0{NNBSP}%", "5 sur 10"),
    )
    assert ("Communes", "février 2025", "non mesuré", "—") in figure.table.rows
    assert "en hausse de 10 points de février 2025 à mars 2025" in figure.description
    assert "Régions : février 2025 non mesuré, mars 2025 100,0" in figure.description
    assert "sur 2 éditions" in figure.description

    svg = to_svg(spec, renderer=SvgRenderer())
    root = svg_root(svg)
    assert root.get("role") == "img"
    assert root[0].text == label and root[1].text == figure.description
    texts = _svg_texts(svg)
    assert texts.count("non mesuré") == 2  # written where the points are missing
    assert f"50,0{NNBSP}%" in texts and "février 2025" in texts
    assert f"100{NNBSP}%" in texts  # the axis in French too
    assert not [t for t in texts if re.search(r"\d\.\d|\bNaN\b|null", t)]
    assert _points(svg) == 4  # the measured values only: no point at zero for a gap
    # the font stack is said once, on the root, and inherited by every text
    assert svg.count("font-family=") == 1 and "DejaVu Sans" in (root.get("font-family") or "")
    # the chart keeps the width of a 390 px phone (text measured with DejaVu Sans)
    assert float(root.get("width", "0")) <= 358


def test_indicator_series_single_edition_and_means() -> None:
    figure = indicator_series(
        [SeriesPoint("Toutes collectivités", "2025-03", 2.4, 24, 10)],
        label="Comptes par collectivité",
        share=False,
    )
    spec = check_spec(figure)
    assert figure.table.rows == (("Toutes collectivités", "mars 2025", "2,4", "24 sur 10"),)
    assert "hausse" not in figure.description and "baisse" not in figure.description
    assert "sur 1 édition :" in figure.description
    assert spec["title"]["subtitle"] == ["Moyenne par collectivité, par mois"]
    svg = to_svg(spec, renderer=SvgRenderer())
    assert "2,4" in _svg_texts(svg)
    assert _points(svg) == 1  # one edition, one point
    with pytest.raises(ValueError, match="duplicate"):
        indicator_series([SERIES[0], SERIES[0]], label="X", share=True)
    with pytest.raises(ValueError, match="invalid"):
        indicator_series([SeriesPoint("G", "2025-03", 1.5)], label="X", share=True)
    with pytest.raises(ValueError):
        indicator_series([], label="X", share=True)


@pytest.mark.parametrize("name", ["Abbeville", "Zuydcoote"])
def test_history_colours_do_not_depend_on_the_name(name: str) -> None:
    points = [EditionPoint("2026-01", 40.0, 45.0), EditionPoint("2026-02", 50.0, 46.0)]
    svg = to_svg(score_history(points, name=name, peer_group="G").spec, renderer=SvgRenderer())
    solid = re.findall(
        rf'<path d="([^"]+)" stroke="{PRIMARY}" stroke-width="2.5" stroke-dasharray="1,0"', svg
    )
    dashed = re.findall(
        rf'<path d="([^"]+)" stroke="{MUTED}" stroke-width="2.5" stroke-dasharray="6,4"', svg
    )
    assert len(solid) == len(dashed) == 1
    assert solid[0] != dashed[0]


def test_report_cards_reuse_one_validated_structure() -> None:
    from barometre.publish import charts

    charts._dimension_skeleton.cache_clear()
    first = dimension_scores(DIMENSIONS, name="Landes", peer_group="Départements")
    second = dimension_scores(
        [DimensionValue(d.label, 10.0, d.median) for d in DIMENSIONS],
        name="Gers",
        peer_group="Départements",
    )
    info = charts._dimension_skeleton.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    check_spec(second)  # the assembled spec is still valid as a whole
    strip = {"datasets", "title", "description"}
    assert {k: v for k, v in first.spec.items() if k not in strip} == {
        k: v for k, v in second.spec.items() if k not in strip
    }
    assert first.spec["datasets"] != second.spec["datasets"]
    assert "Gers" in second.description and "Landes" not in second.to_json()


def test_peer_distribution_counts_and_highlight() -> None:
    scores = [*([12.0] * 3), 35.0, 40.0, 41.0, 62.0, 69.9, 100.0, None, None]
    figure = peer_distribution(scores, peer_group="Départements", name="Landes", score=62.5)
    spec = check_spec(figure)
    counts = {row[0]: row[1] for row in figure.table.rows}
    assert counts == {
        "0 à 10": "0",
        "10 à 20": "3",
        "20 à 30": "0",
        "30 à 40": "1",
        "40 à 50": "2",
        "50 à 60": "0",
        "60 à 70": "2",
        "70 à 80": "0",
        "80 à 90": "0",
        "90 à 100": "1",  # 100 belongs to the last bin
    }
    assert [row[2] for row in figure.table.rows].count("oui") == 1
    assert figure.table.rows[6][2] == "oui"
    assert "9 collectivités mesurées" in figure.description
    assert "2 collectivités n'ont pas de score" in figure.description
    assert "Landes a un score de 62,5, dans la tranche 60 à 70" in figure.description
    bars = spec["layer"][0]
    assert bars["encoding"]["color"]["scale"] == {
        "domain": [OTHERS, HIGHLIGHTED],
        "range": [PRIMARY, HIGHLIGHT],
    }
    (rows,) = datasets(spec)
    assert [(r["groupe"], r["etiquette"]) for r in rows if r["groupe"] == HIGHLIGHTED] == [
        (HIGHLIGHTED, "Landes")
    ]
    svg = to_svg(spec, renderer=SvgRenderer())
    assert len(re.findall(rf'<path\b[^>]*fill="{HIGHLIGHT}"', svg)) == 1  # one bar in vermillion
    assert ">Landes</text>" in svg  # and labelled by name, not by colour alone


def test_peer_distribution_is_small_for_a_large_group() -> None:
    scores = [(i * 7.3) % 100 for i in range(30_000)]
    figure = peer_distribution(scores, peer_group="Communes de moins de 500 habitants")
    spec = check_spec(figure)
    (rows,) = datasets(spec)
    assert len(rows) == 10 and sum(r["nombre"] for r in rows) == 30_000
    assert len(figure.to_json()) < 10_000
    assert "30\u202f000 collectivités mesurées" in figure.description


def test_share_bars_carry_denominators() -> None:
    shares = [
        Share("Régions", "Facebook", 18, 18),
        Share("Régions", "Mastodon", 2, 18),
        Share("Départements", "Facebook", 95, 101),
        Share("Départements", "Mastodon", 5, 101),
        Share("Communes", "Mastodon", 0, 0),
    ]
    figure = share_bars(shares, title="Présence sur les réseaux sociaux")
    spec = check_spec(figure)
    assert figure.title == "Présence sur les réseaux sociaux"
    assert figure.table.headers == (
        "Type de collectivité",
        "Plateforme",
        "Part",
        "Nombre",
        "Effectif",
    )
    assert ("Départements", "Facebook", f"94{NNBSP}%", "95", "101") in figure.table.rows
    assert ("Communes", "Mastodon", "non mesuré", "0", "0") in figure.table.rows
    assert f"Facebook 94{NNBSP}% (95 sur 101)" in figure.description
    (rows,) = datasets(spec)
    assert {"95 sur 101", "2 sur 18"} <= {r["detail"] for r in rows}
    tooltip = spec["spec"]["layer"][0]["encoding"]["tooltip"]
    assert {"title": "Nombre", "field": "detail", "type": "nominal"} in tooltip
    assert spec["facet"]["row"]["sort"] == ["Régions", "Départements", "Communes"]
    with pytest.raises(ValueError, match="invalid share"):
        share_bars([Share("Régions", "Facebook", 19, 18)], title="x")


def test_names_are_data_not_markup() -> None:
    name = 'Commune <script>alert(1)</script> " onmouseover="x'
    figure = dimension_scores([DimensionValue("Présence", 50.0)], name=name, peer_group="Y")
    check_spec(figure)
    svg = to_svg(figure.spec, renderer=SvgRenderer())
    root = svg_root(svg)  # well-formed XML: the name was escaped
    assert root.find(f"{SVG_NS}title").text == f"Scores par dimension : {name}"  # type: ignore[union-attr]
    assert "<script>" not in svg


# --- maps ---------------------------------------------------------------------------


def test_the_site_maps_draw_a_collectivite_on_the_areas_it_governs(tmp_path: Path) -> None:
    from barometre.publish.site.figures import FigureWriter
    from barometre.storage.publish_repo import RankRow

    def row(kind: str, code: str, value: float, **where: Any) -> RankRow:
        return RankRow(
            f"{kind}:{code}",
            kind,
            code,
            code,
            where.get("departement"),
            where.get("region"),
            None,
            value,
            1.0,
            None,
            None,
            kind,
            tuple(where.get("territory", ())),
        )

    rows = [
        row("departement", "20R", 40.0, region="94", territory=("2A", "2B")),
        row("commune", "2A004", 60.0, departement="2A", region="94"),
        row("departement", "69M", 30.0, region="84", territory=("69",)),
        row("departement", "69", 50.0, region="84"),
        row("departement", "987", 70.0, region="987"),
    ]
    maps = {m.title: m.rows for m in FigureWriter(tmp_path).maps(rows, {})}
    by_dep = {r[0]: r for r in maps["Score global moyen par département"]}
    by_reg = {r[0]: r for r in maps["Score global moyen par région"]}
    assert by_dep["2A"][2:] == ["50", "2"] and by_dep["2B"][2:] == ["40", "1"]
    assert by_dep["69"][2:] == ["40", "2"]  # the Métropole de Lyon beside the Rhône
    assert by_reg["94"][2:] == ["50", "2"]
    # listed under the map, by name
    assert by_dep["987"][1:] == ["Polynésie française (hors carte)", "70", "1"]


def test_every_collectivite_of_the_councils_groups_lands_on_the_map() -> None:
    """A collectivité of the régions' or départements' groups is drawn on the shapes of
    the départements it governs and of its région; every shape has its collectivité."""
    from barometre.registry import read_bundle

    dep_shapes, reg_shapes = set(geo.geo_codes("departement")), set(geo.geo_codes("region"))
    assert len(dep_shapes) == 101 and len(reg_shapes) == 18
    on_dep: dict[str, set[str]] = {}
    on_reg: dict[str, set[str]] = {}
    for a in read_bundle().authorities:
        if a.kind is AuthorityKind.REGION:
            on_reg.setdefault(a.code, set()).add(a.id)
        elif a.kind is AuthorityKind.DEPARTEMENT:
            for code in a.territory or (a.code,):
                on_dep.setdefault(code, set()).add(a.id)
            if a.region:
                on_reg.setdefault(a.region, set()).add(a.id)
    # the zones d'outre-mer have no shape: the maps list them under the map
    assert (
        set(on_dep) - dep_shapes
        == set(on_reg) - reg_shapes
        == set(geo.NO_SHAPE)
        - {
            "984",
            "977",
            "978",
            "989",
        }
    )
    # Paris is counted with the communes: like any commune, it lands on its département
    assert dep_shapes - set(on_dep) == {"75"} and reg_shapes <= set(on_reg)
    paris = next(a for a in read_bundle().authorities if a.id == "commune:75056")
    assert paris.departement == "75"
    assert on_dep["2A"] == on_dep["2B"] == {"departement:20R"}
    assert "departement:20R" in on_reg["94"] and on_dep["94"] == {"departement:94"}
    assert on_dep["67"] == on_dep["68"] == {"departement:6AE"}
    assert on_dep["69"] == {"departement:69", "departement:69M"}
    assert on_dep["972"] == {"departement:972"} and "departement:972" in on_reg["02"]


def test_bundled_geo_is_compact_and_keeps_code_and_name() -> None:
    for level in geo.LEVELS:
        collection = geo.load_geo(level)
        codes = [f["properties"]["code"] for f in collection["features"]]
        assert codes == sorted(codes)
        for feature in collection["features"]:
            assert set(feature["properties"]) == {"code", "nom"}
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"]
                if geometry["type"] == "MultiPolygon"
                else [geometry["coordinates"]]
            )
            for polygon in polygons:
                for ring in polygon:
                    assert len(ring) >= 4 and ring[0] == ring[-1]
                    for x, y in ring:
                        assert round(x, 3) == x and round(y, 3) == y
    assert geo.geo_names("region")["06"] == "Mayotte"
    assert geo.geo_names("departement")["2A"] == "Corse-du-Sud"


def test_bundled_geo_rederives_byte_for_byte(raw_dir: Path, tmp_path: Path) -> None:
    written = geo.build_geo(raw_dir / "france-geojson", tmp_path)
    assert sorted(p.name for p in written) == ["departements.geojson", "regions.geojson"]
    bundled = PUBLISH / "data" / "geo"
    for path in written:
        assert path.read_bytes() == (bundled / path.name).read_bytes(), path.name
    sources = (bundled / "SOURCES.md").read_text(encoding="utf-8")
    for path in written:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in sources
    assert "Licence Ouverte" in sources and "gregoiredavid/france-geojson" in sources


def inset_views(spec: dict[str, Any]) -> list[dict[str, Any]]:
    _metro, row = spec["vconcat"]
    return list(row["hconcat"])


def view_codes(spec: dict[str, Any], view: dict[str, Any]) -> list[str]:
    return [f["properties"]["code"] for f in spec["datasets"][view["data"]["name"]]]


def lookup_rows(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    name = spec["vconcat"][0]["transform"][0]["from"]["data"]["name"]
    return {row["code"]: row for row in spec["datasets"][name]}


DEP_VALUES: dict[str, AreaValue | float | None] = {
    "40": AreaValue(62.5, 327),
    "2A": AreaValue(15.0, 124),
    "971": AreaValue(80.0, 32),
    "976": AreaValue(45.25, 17),
    "75": None,
    "13": 39.99,
}


def test_departement_map() -> None:
    figure = departement_map(
        DEP_VALUES,
        title="Score moyen des communes",
        value_label="Score moyen (sur 100)",
        denominator_label="Communes mesurées",
    )
    spec = check_spec(figure)
    insets = inset_views(spec)
    assert [view_codes(spec, v) for v in insets] == [[c] for c in INSET_ORDER]
    assert [v["title"]["text"] for v in insets] == [
        "Guadeloupe",
        "Martinique",
        "Guyane",
        "La Réunion",
        "Mayotte",
    ]
    assert all(v["projection"]["type"] == "mercator" for v in insets)
    assert len({json.dumps(v["projection"]) for v in insets}) == 5  # not merged into one
    metro = spec["vconcat"][0]
    assert metro["projection"]["type"] == "conicConformal"
    metro_codes = view_codes(spec, metro)
    assert len(metro_codes) == 96 and "2A" in metro_codes and "971" not in metro_codes
    rows = lookup_rows(spec)
    assert rows["40"]["classe"] == "60 à moins de 80" and rows["40"]["valeur_texte"] == "62,5"
    assert rows["13"]["classe"] == "20 à moins de 40"  # 39.99 stays below 40
    assert rows["2A"]["classe"] == "moins de 20"
    assert rows["971"]["classe"] == "80 et plus"
    assert rows["75"]["classe"] == NO_DATA_LABEL and rows["01"]["classe"] == NO_DATA_LABEL
    colour = metro["encoding"]["color"]
    domain, colours = colour["scale"]["domain"], colour["scale"]["range"]
    assert colours[domain.index(NO_DATA_LABEL)] == NO_DATA
    assert NO_DATA not in colours[: domain.index(NO_DATA_LABEL)]
    assert colour["legend"]["title"] == "Score moyen (sur 100)"
    tooltip = {t["field"]: t["title"] for t in metro["encoding"]["tooltip"]}
    assert tooltip == {
        "nom": "Département",
        "valeur_texte": "Score moyen (sur 100)",
        "denominateur_texte": "Communes mesurées",
    }
    assert spec["resolve"]["scale"]["color"] == "shared"
    # table: every département, with its value and denominator
    assert len(figure.table.rows) == 101
    assert ("40", "Landes", "62,5", "327") in figure.table.rows
    assert ("976", "Mayotte", "45,3", "17") in figure.table.rows
    assert ("75", "Paris", NO_DATA_LABEL, "—") in figure.table.rows
    assert figure.table.headers == (
        "Code",
        "Département",
        "Score moyen (sur 100)",
        "Communes mesurées",
    )
    assert (
        "5 départements sur 101 ont une valeur, de 15 (Corse-du-Sud) à 80 (Guadeloupe)"
        in figure.description
    )
    assert "en encarts" in figure.description and "pas de donnée en gris" in figure.description


def test_missing_values_are_drawn_in_the_no_data_colour() -> None:
    figure = departement_map(DEP_VALUES, title="Carte", value_label="Score moyen")
    svg = to_svg(figure.spec, renderer=SvgRenderer())
    fills = re.findall(r'<path\b[^>]*\bfill="(#[0-9a-fA-F]{6})"', svg)
    missing = 101 - 5  # five départements have a value; "75" is given as None
    assert fills.count(NO_DATA) == missing + 1  # + the legend symbol
    yellow, green, teal, blue, dark = SEQUENTIAL[5]
    assert fills.count(yellow) == 1 + 1  # 2A + legend
    assert fills.count(green) == 1 + 1  # 13
    assert fills.count(teal) == 1 + 1  # 976
    assert fills.count(blue) == 1 + 1  # 40
    assert fills.count(dark) == 1 + 1  # 971
    assert "Pas de donnée" in svg and "Guadeloupe" in svg


def test_region_map_insets_use_overseas_region_codes() -> None:
    figure = region_map(
        {"84": 70.0, "06": AreaValue(10.0, 17), "94": 50.0},
        title="Part des régions avec un site accessible",
        value_label="Part (%)",
        unit="%",
        thresholds=(25, 50, 75),
    )
    spec = check_spec(figure)
    assert [view_codes(spec, v) for v in inset_views(spec)] == [
        ["01"],
        ["02"],
        ["03"],
        ["04"],
        ["06"],
    ]
    assert len(view_codes(spec, spec["vconcat"][0])) == 13
    rows = lookup_rows(spec)
    assert (
        rows["06"]["valeur_texte"] == f"10{NNBSP}%"
        and rows["06"]["classe"] == f"moins de 25{NNBSP}%"
    )
    assert rows["94"]["classe"] == f"50{NNBSP}% à moins de 75{NNBSP}%"
    assert rows["84"]["classe"] == f"50{NNBSP}% à moins de 75{NNBSP}%"
    assert ("84", "Auvergne-Rhône-Alpes", f"70{NNBSP}%", "—") in figure.table.rows
    assert len(figure.table.rows) == 18
    assert spec["vconcat"][0]["encoding"]["color"]["scale"]["range"] == [*SEQUENTIAL[4], NO_DATA]


def test_map_reports_codes_without_a_shape() -> None:
    figure = departement_map({"40": 50.0, "975": 30.0}, title="Carte", value_label="Score")
    assert ("975", "Saint-Pierre-et-Miquelon (hors carte)", "30", "—") in figure.table.rows
    assert "Sans contour sur la carte : Saint-Pierre-et-Miquelon (975)." in figure.description


def test_map_refuses_bad_classes() -> None:
    with pytest.raises(ValueError, match="classes"):
        departement_map({}, title="x", value_label="y", thresholds=(10, 20, 30, 40, 50))
    with pytest.raises(ValueError, match="increasing"):
        departement_map({}, title="x", value_label="y", thresholds=(40, 20))
    with pytest.raises(ValueError, match="level"):
        from barometre.publish.maps import choropleth

        choropleth({}, level="commune", title="x", value_label="y")  # type: ignore[arg-type]


def test_map_with_a_relative_geo_url(tmp_path: Path) -> None:
    site = tmp_path / "site"
    copied = geo.copy_geo(site / "static" / "geo")
    assert (
        copied["departement"].read_bytes()
        == (PUBLISH / "data" / "geo" / "departements.geojson").read_bytes()
    )
    inline = departement_map(DEP_VALUES, title="Carte", value_label="Score")
    linked = departement_map(
        DEP_VALUES, title="Carte", value_label="Score", geo_url="../static/geo/departements.geojson"
    )
    spec = check_spec(linked)
    assert set(data_urls(spec)) == {"../static/geo/departements.geojson"}
    assert len(linked.to_json()) < 40_000 < len(inline.to_json())
    assert linked.table == inline.table
    svg = to_svg(spec, base_dir=site / "graphiques", root=site, renderer=SvgRenderer())
    fills = re.findall(r'<path\b[^>]*\bfill="(#[0-9a-fA-F]{6})"', svg)
    assert fills.count(NO_DATA) == 97
    with pytest.raises(RenderError, match="leaves"):
        to_svg(
            spec, base_dir=site / "graphiques", renderer=SvgRenderer()
        )  # root defaults to base_dir
    with pytest.raises(RenderError, match="base_dir"):
        to_svg(spec, renderer=SvgRenderer())


# --- SVG rendering ------------------------------------------------------------------


def small_figure(score: float = 50.0) -> Figure:
    return dimension_scores(
        [DimensionValue("Présence", score, 40.0)], name="Landes", peer_group="Départements"
    )


def test_svg_keeps_title_and_description() -> None:
    figure = small_figure()
    svg = to_svg(figure.spec, renderer=SvgRenderer())
    root = svg_root(svg)
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert title.tag == f"{SVG_NS}title" and title.text == figure.title
    assert desc.tag == f"{SVG_NS}desc" and desc.text == figure.description
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Présence : 50 (médiane 40)" in (desc.text or "")
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")}
    assert {"Présence", "50", "Score (sur 100)"} <= texts  # text stays text
    assert not list(root.iter(f"{SVG_NS}image"))


def test_svg_cache_memory_disk_and_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renderer = SvgRenderer(tmp_path / "cache", max_entries=2)
    spec = small_figure().spec
    first = renderer.render(spec)
    again = renderer.render(json.loads(json.dumps(spec)))  # equal content, another object
    assert again is first
    assert (renderer.misses, renderer.hits) == (1, 1)
    assert len(list((tmp_path / "cache").glob("*.svg"))) == 1

    def refuse(spec: Any) -> str:
        raise AssertionError("vl-convert called for a cached spec")

    monkeypatch.setattr(render, "convert", refuse)
    other = SvgRenderer(tmp_path / "cache")
    assert other.render(spec) == first
    assert (other.disk_hits, other.misses) == (1, 0)
    monkeypatch.undo()
    for score in (10.0, 20.0, 30.0):
        renderer.render(small_figure(score).spec)
    assert len(renderer._memory) == 2  # bounded: report cards do not pile up in memory
    assert renderer.misses == 4


def test_rendering_is_deterministic() -> None:
    a = departement_map(DEP_VALUES, title="Carte", value_label="Score")
    b = departement_map(
        dict(reversed(list(DEP_VALUES.items()))), title="Carte", value_label="Score"
    )
    assert a.to_json() == b.to_json()
    assert to_svg(a.spec, renderer=SvgRenderer()) == to_svg(b.spec, renderer=SvgRenderer())
    chart = small_figure()
    assert to_svg(chart.spec, renderer=SvgRenderer()) == to_svg(
        small_figure().spec, renderer=SvgRenderer()
    )


def test_compact_paths_rounds_only_path_data() -> None:
    svg = '<svg><path transform="translate(1.25,0)" d="M283.688,225.464L-0.04,1.96Z"/><text>d="1.234"</text></svg>'
    assert render.compact_paths(svg) == (
        '<svg><path transform="translate(1.25,0)" d="M283.7,225.5L0,2Z"/><text>d="1.234"</text></svg>'
    )


def test_drop_defaults_keeps_the_drawing() -> None:
    svg = (
        '<svg><g><path class="background" aria-hidden="true" d="M0,0h0v0h0Z" '
        'pointer-events="none"/><path class="background" aria-hidden="true" d="M0,0h0v100h0Z"/>'
        '<line x2="5" opacity="1" pointer-events="none"/><path opacity="0.5" d="M1,1"/>'
        '<text opacity="10">opacity="1"</text></g></svg>'
    )
    assert render.drop_defaults(svg) == (
        '<svg><g><path class="background" aria-hidden="true" d="M0,0h0v100h0Z"/>'
        '<line x2="5"/><path opacity="0.5" d="M1,1"/><text opacity="10">opacity="1"</text></g></svg>'
    )


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = b'[{"a": 1}]'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[str]:
    _Counting.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_rendering_never_fetches(loopback_server: str) -> None:
    spec = {
        "data": {"url": f"{loopback_server}/donnees.json"},
        "mark": "point",
        "encoding": {"x": {"field": "a", "type": "quantitative"}},
    }
    with pytest.raises(RenderError, match="not relative"):
        to_svg(spec, renderer=SvgRenderer())
    with pytest.raises(RenderError, match="not allowed"):
        render.convert(spec)  # vl-convert itself is allowed no base URL
    assert _Counting.requests == []


# --- vendored JavaScript ------------------------------------------------------------

VENDORED = {
    "vega/vega.min.js": ("6.2.0", 't.version="6.2.0"'),
    "vega-lite/vega-lite.min.js": ("6.4.1", 'var n="6.4.1"'),
    "vega-embed/vega-embed.min.js": ("7.0.2", '"7.0.2"'),
}
# Absolute URLs present in the files, none of them requested (see vendor/README.md).
KNOWN_URLS = {
    "vega/vega.min.js": {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/2000/xmlns/",
        "http://www.w3.org/1999/xlink",
    },
    "vega-lite/vega-lite.min.js": {
        "https://vega.github.io/schema/vega/v6.json",
        "https://github.com/vega/vega-lite/issues/2415",
    },
    "vega-embed/vega-embed.min.js": {
        "https://vega.github.io/editor/",
        "https://github.com/Starcounter-Jack/JSON-Patch",
        "http://",
        "https://",
    },
}


def test_vendored_versions_match_the_python_side() -> None:
    assert alt.SCHEMA_VERSION == "v6.4.1"
    assert vlc.get_vega_version() == "6.2.0"
    assert vlc.get_vega_embed_version() == "7.0.2"
    assert '="6.4.1"' in vlc.javascript_bundle(vl_version=render.VEGA_LITE_VERSION)
    for name, (version, marker) in VENDORED.items():
        text = (VENDOR / name).read_text(encoding="utf-8")
        assert marker in text, (name, version)


def test_vendored_files_match_their_readme_and_licences() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"\| `([\w./-]+\.min\.js)` \| `([0-9a-f]{64})` \|", readme))
    assert set(listed) == set(VENDORED)
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
        licence = (VENDOR / name).parent / "LICENSE"
        text = licence.read_text(encoding="utf-8")
        assert "University of Washington Interactive Data Lab" in text
        assert "Redistribution and use in source and binary forms" in text  # BSD-3-Clause
        assert hashlib.sha256(licence.read_bytes()).hexdigest() in readme
    assert "npm pack vega@6.2.0 vega-lite@6.4.1 vega-embed@7.0.2" in readme


def test_vendored_files_load_nothing_remote() -> None:
    for name, known in KNOWN_URLS.items():
        text = (VENDOR / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"""https?://[^\s"'`)<>\\]*""", text))
        assert urls == known, name
        for loader in (
            "import(",
            "importScripts",
            "XMLHttpRequest",
            "WebSocket",
            "sendBeacon",
            "EventSource",
        ):
            assert loader not in text, (name, loader)
        # vega's data loader is the only fetch; our specs give it inline or relative data
        assert text.count("fetch(") == (1 if name.startswith("vega/") else 0), name


def test_our_script_and_stylesheet() -> None:
    script = OUR_JS.read_text(encoding="utf-8")
    style = OUR_CSS.read_text(encoding="utf-8")
    for text in (script, style):
        assert not re.search(r"(?i)https?://|cdn|unpkg|jsdelivr", text)
    for option in (
        "actions: false",
        'renderer: "svg"',
        'mode: "vega-lite"',
        "ast: true",
        "defaultStyle: false",
    ):
        assert option in script, option
    assert (
        'setAttribute("role", "img")' in script
        and 'setAttribute("aria-label", label(spec))' in script
    )
    assert "figure[data-vega-spec]" in script and "[data-vega-fallback]" in script
    assert "eval(" not in script and "new Function" not in script and "innerHTML" not in script
    assert "#vg-tooltip-element" in style


CHROMIUM = "/usr/bin/chromium"


class _Site(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # As strict as the site can be: the charts must work without eval or inline styles.
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:",
        )
        super().end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian chromium not installed")
def test_script_replaces_fallbacks_under_a_strict_csp(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    shutil.copytree(PUBLISH / "static", site / "static")
    geo.copy_geo(site / "static" / "geo")
    (site / "graphiques").mkdir()
    chart = small_figure()
    card_map = departement_map(
        DEP_VALUES, title="Carte", value_label="Score", geo_url="../static/geo/departements.geojson"
    )
    (site / "graphiques" / "barres.json").write_text(chart.to_json(), encoding="utf-8")
    (site / "graphiques" / "carte.json").write_text(card_map.to_json(), encoding="utf-8")
    renderer = SvgRenderer()
    fallback_bars = renderer.render(chart.spec)
    fallback_map = renderer.render(card_map.spec, base_dir=site / "graphiques", root=site)
    scripts = "".join(
        f'<script src="static/{path}" defer></script>'
        for path in (*(f"vendor/{name}" for name in VENDORED), "js/barometre-charts.js")
    )
    page_html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title>'
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="static/css/barometre-charts.css">'
        f"</head><body>"
        f'<figure id="barres" data-vega-spec="graphiques/barres.json"><div data-vega-fallback>{fallback_bars}</div></figure>'
        f'<figure id="carte" data-vega-spec="graphiques/carte.json"><div data-vega-fallback>{fallback_map}</div></figure>'
        f'<figure id="absente" data-vega-spec="graphiques/absente.json"><div data-vega-fallback>{fallback_bars}</div></figure>'
        f"{scripts}</body></html>"
    )
    (site / "index.html").write_text(page_html, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Site, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
            )
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 2400})
                problems: list[str] = []
                requests: ClassVar[list[str]] = []
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(str(e)))
                page.on("request", lambda r: requests.append(r.url))
                page.goto(base + "index.html")
                for ident, state in (
                    ("barres", "ready"),
                    ("carte", "ready"),
                    ("absente", "failed"),
                ):
                    page.wait_for_selector(
                        f"#{ident}[data-vega-state={state}]", state="attached", timeout=20_000
                    )
                # the drawing is named on its container; Vega's SVG is hidden from
                # assistive technologies (its marks carry roles axe rejects)
                holder = page.locator("#barres .chart-live").first
                assert holder.get_attribute("role") == "img"
                assert holder.get_attribute("aria-label") == chart.description
                assert page.locator("#barres svg").first.get_attribute("aria-hidden") == "true"
                assert page.locator("#barres [data-vega-fallback]").count() == 0
                assert page.locator("#carte [data-vega-fallback]").count() == 0
                assert page.locator("#carte svg path").count() > 101
                # a spec that cannot load leaves the static SVG in place
                assert page.locator("#absente [data-vega-fallback] svg").count() == 1
                page.locator("#carte svg path").nth(60).hover()
                page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
                assert "Département" in page.locator("#vg-tooltip-element").inner_text()
                # only the 404 of the missing spec; no CSP violation, no script error
                assert len(problems) == 1 and "404" in problems[0], problems
                assert all(url.startswith(base) or url.startswith("data:") for url in requests), (
                    requests
                )

                no_js = browser.new_page(java_script_enabled=False)
                no_js.goto(base + "index.html")
                assert no_js.locator("[data-vega-fallback] svg[role=img]").count() == 3
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_collectivite_is_placed_in_the_areas_of_the_map() -> None:
    from barometre.models import Authority
    from barometre.publish.site.views import place_of

    names = {
        ("departement", "2A"): "Corse-du-Sud",
        ("region", "94"): "Corse",
        ("departement", "987"): "Polynésie française",
        ("region", "987"): "Polynésie française",
        ("departement", "99"): "Département de l'Exemple",
        ("region", "99"): "Région Val-d'Exemple",
    }
    commune = AuthorityKind.COMMUNE
    ajaccio = Authority(commune, "2A004", "Ajaccio", departement="2A", region="94")
    assert place_of(ajaccio, names) == "Corse-du-Sud (2A), Corse"
    arue = Authority(commune, "98711", "Arue", departement="987", region="987")
    assert place_of(arue, names) == "Polynésie française (987)"  # the zone named once
    sample = Authority(commune, "99101", "Ville-Exemple", departement="99", region="99")
    assert place_of(sample, names) == "Département de l'Exemple (99), Région Val-d'Exemple"
    corse = Authority(AuthorityKind.DEPARTEMENT, "20R", "Collectivité de Corse", region="94")
    assert place_of(corse, names) == "Corse"
