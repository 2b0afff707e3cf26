"""Shapes of the régions and départements of France, bundled for the maps.

The raw files (``shared/data/raw/france-geojson``: gregoiredavid/france-geojson, IGN
Admin Express and INSEE COG 2018, Licence Ouverte) are not available when the site is
built, so :func:`build_geo` derives two small files shipped in the package:

- ``departements.geojson``: the 96 metropolitan départements (2A and 2B for Corsica)
  and the five overseas départements 971, 972, 973, 974, 976 (101 features);
- ``regions.geojson``: the 13 metropolitan régions and the five overseas régions, whose
  shapes are the overseas départements under the région codes 01, 02, 03, 04 and 06.

Each feature keeps only ``code`` (the INSEE code, as in the registry) and ``nom``.
Coordinates are rounded to 3 decimals (about 100 m, far below a pixel of a national
map); repeated points left by the rounding are dropped, and so are rings that collapse
to fewer than four points or whose orientation flips. The overseas files are finer than
the metropolitan ones (25 % against 5 % simplification), so they are further simplified
with Douglas-Peucker (tolerance: 1/500 of the territory's larger extent, a fifth of a
pixel in a 100-pixel inset); the metropolitan shapes are not, because their
shared borders would drift apart. Output is byte-stable: features sorted by code, one
feature per line, compact JSON, so a rebuild can be diffed and a test re-derives the
bundle byte for byte.

Codes without a shape: the collectivités d'outre-mer and territories with a special
status (975 Saint-Pierre-et-Miquelon, 977 Saint-Barthélemy, 978 Saint-Martin, 984 Terres
australes et antarctiques françaises, 986 Wallis-et-Futuna, 987 Polynésie française,
988 Nouvelle-Calédonie, 989 Clipperton) are not in the source; the maps list the values
of the registry's collectivités there under the map, « hors carte ». The collectivités
that govern several départements, or part of one, have no shape of their own: the
registry records the départements they govern (``Authority.territory``), so the
Collectivité de Corse is drawn on 2A and 2B (and, as a région, on 94), the Collectivité
européenne d'Alsace on 67 and 68, the Métropole de Lyon on 69 beside the Rhône.
"""

from __future__ import annotations

import itertools
import json
import math
import shutil
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Level = Literal["region", "departement"]
LEVELS: tuple[Level, ...] = ("region", "departement")

#: Overseas département → its région (the région has the same shape).
OVERSEAS: Mapping[str, str] = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
OVERSEAS_REGIONS: Mapping[str, str] = {region: dep for dep, region in OVERSEAS.items()}

#: Codes that have no shape: the zones d'outre-mer, by name.
NO_SHAPE: Mapping[str, str] = {
    "975": "Saint-Pierre-et-Miquelon",
    "977": "Saint-Barthélemy",
    "978": "Saint-Martin",
    "984": "Terres australes et antarctiques françaises",
    "986": "Wallis-et-Futuna",
    "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
    "989": "Clipperton",
}

FILES: Mapping[Level, str] = {"region": "regions.geojson", "departement": "departements.geojson"}

DECIMALS = 3
#: Douglas-Peucker tolerance for an overseas shape, as a fraction of its larger extent: a
#: fifth of a pixel for an inset about 100 px wide (the metropolitan shapes are not touched).
OVERSEAS_TOLERANCE = 1 / 500

_METRO_REGIONS = "regions-version-simplifiee.geojson"
_METRO_DEPARTEMENTS = "departements-version-simplifiee.geojson"
_OVERSEAS_DIR = "outre-mer"

Point = tuple[float, float]
Ring = list[Point]


def _round(value: float) -> float:
    rounded = round(value, DECIMALS)
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def _signed_area(ring: Sequence[Point]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def _perpendicular(point: Point, start: Point, end: Point) -> float:
    (x, y), (x0, y0), (x1, y1) = point, start, end
    dx, dy = x1 - x0, y1 - y0
    if dx == 0 and dy == 0:
        return math.hypot(x - x0, y - y0)
    return abs(dy * x - dx * y + x1 * y0 - y1 * x0) / math.hypot(dx, dy)


def _douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Iterative Douglas-Peucker on an open polyline (keeps both ends)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _simplify_ring(ring: Sequence[Point], tolerance: float) -> Ring:
    if tolerance <= 0 or len(ring) < 5:
        return list(ring)
    # Split the closed ring at its farthest point from the start so both halves keep shape.
    start = ring[0]
    far = max(
        range(len(ring)), key=lambda i: math.hypot(ring[i][0] - start[0], ring[i][1] - start[1])
    )
    first = _douglas_peucker(ring[: far + 1], tolerance)
    second = _douglas_peucker(ring[far:], tolerance)
    return first + second[1:]


def _clean_ring(raw: Iterable[Sequence[float]], tolerance: float) -> Ring | None:
    """Round, simplify and de-duplicate one ring; None when it collapses or flips."""
    original = [(float(p[0]), float(p[1])) for p in raw]
    if len(original) < 4:
        return None
    if original[0] != original[-1]:
        original.append(original[0])
    ring = _simplify_ring(original, tolerance)
    rounded: Ring = []
    for x, y in ring:
        point = (_round(x), _round(y))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    if len(rounded) < 4:
        return None
    before, after = _signed_area(original), _signed_area(rounded)
    if after == 0 or (before > 0) != (after > 0):
        return None
    return rounded


def _clean_polygon(rings: Sequence[Any], tolerance: float) -> list[Ring] | None:
    cleaned = [_clean_ring(ring, tolerance) for ring in rings]
    if not cleaned or cleaned[0] is None:
        return None  # the exterior collapsed: an islet smaller than the grid
    return [ring for ring in cleaned if ring is not None]


def _clean_geometry(geometry: Mapping[str, Any], tolerance: float) -> dict[str, Any]:
    kind = geometry["type"]
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = list(geometry["coordinates"])
    else:
        raise ValueError(f"unexpected geometry type {kind!r}")
    kept = [p for p in (_clean_polygon(poly, tolerance) for poly in polygons) if p is not None]
    if not kept:
        raise ValueError("every polygon collapsed after rounding")
    coordinates = [[[list(point) for point in ring] for ring in poly] for poly in kept]
    if len(coordinates) == 1:
        return {"type": "Polygon", "coordinates": coordinates[0]}
    return {"type": "MultiPolygon", "coordinates": coordinates}


def _feature(code: str, name: str, geometry: Mapping[str, Any], tolerance: float) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "nom": name},
        "geometry": _clean_geometry(geometry, tolerance),
    }


def _extent(geometry: Mapping[str, Any]) -> float:
    """Larger side, in degrees, of the bounding box of a (Multi)Polygon."""
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    xs = [float(p[0]) for poly in polygons for ring in poly for p in ring]
    ys = [float(p[1]) for poly in polygons for ring in poly for p in ring]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def _features(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if document.get("type") == "FeatureCollection":
        return list(document["features"])
    if document.get("type") == "Feature":
        return [document]
    raise ValueError("not a GeoJSON Feature or FeatureCollection")


def _read(path: Path) -> list[Mapping[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return _features(json.load(handle))


def _ordered(features: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(features, key=lambda f: str(f["properties"]["code"]))


def dumps(collection: Mapping[str, Any]) -> str:
    """Byte-stable text of a FeatureCollection: one feature per line."""
    lines = [
        json.dumps(feature, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        for feature in collection["features"]
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def derive(raw_dir: Path) -> dict[Level, dict[str, Any]]:
    """Both FeatureCollections derived from the raw ``france-geojson`` folder."""
    regions = [
        _feature(str(f["properties"]["code"]), str(f["properties"]["nom"]), f["geometry"], 0.0)
        for f in _read(raw_dir / _METRO_REGIONS)
    ]
    departements = [
        _feature(str(f["properties"]["code"]), str(f["properties"]["nom"]), f["geometry"], 0.0)
        for f in _read(raw_dir / _METRO_DEPARTEMENTS)
    ]
    for path in sorted((raw_dir / _OVERSEAS_DIR).glob("*.geojson")):
        for raw in _read(path):
            code, name = str(raw["properties"]["code"]), str(raw["properties"]["nom"])
            if code not in OVERSEAS:
                raise ValueError(f"{path.name}: unexpected overseas code {code!r}")
            tolerance = _extent(raw["geometry"]) * OVERSEAS_TOLERANCE
            departements.append(_feature(code, name, raw["geometry"], tolerance))
            regions.append(_feature(OVERSEAS[code], name, raw["geometry"], tolerance))
    for level, features in (("region", regions), ("departement", departements)):
        codes = [f["properties"]["code"] for f in features]
        if len(codes) != len(set(codes)):
            raise ValueError(f"duplicate {level} codes in {raw_dir}")
    return {
        "region": {"type": "FeatureCollection", "features": _ordered(regions)},
        "departement": {"type": "FeatureCollection", "features": _ordered(departements)},
    }


def build_geo(raw_dir: Path, out_dir: Path) -> list[Path]:
    """Write ``regions.geojson`` and ``departements.geojson`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for level, collection in derive(raw_dir).items():
        path = out_dir / FILES[level]
        path.write_bytes(dumps(collection).encode("utf-8"))
        written.append(path)
    return written


def _bundled(level: Level) -> Any:
    return resources.files("barometre.publish").joinpath("data", "geo", FILES[level])


@cache
def _load(level: Level) -> str:
    return str(_bundled(level).read_text(encoding="utf-8"))


def load_geo(level: Level) -> dict[str, Any]:
    """The bundled FeatureCollection of a level (a fresh copy: callers may mutate it)."""
    if level not in FILES:
        raise ValueError(f"unknown map level {level!r}")
    result: dict[str, Any] = json.loads(_load(level))
    return result


def geo_codes(level: Level) -> tuple[str, ...]:
    """Codes that have a shape, in file order."""
    return tuple(str(f["properties"]["code"]) for f in load_geo(level)["features"])


def geo_names(level: Level) -> dict[str, str]:
    return {
        str(f["properties"]["code"]): str(f["properties"]["nom"])
        for f in load_geo(level)["features"]
    }


def copy_geo(dest_dir: Path) -> dict[Level, Path]:
    """Copy the bundled files into a site folder (for maps built with ``geo_url``)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    copied: dict[Level, Path] = {}
    for level in LEVELS:
        target = dest_dir / FILES[level]
        with resources.as_file(_bundled(level)) as source:
            shutil.copyfile(source, target)
        copied[level] = target
    return copied


if __name__ == "__main__":  # python -m barometre.publish.geo RAW_DIR OUT_DIR
    import sys

    for written_path in build_geo(Path(sys.argv[1]), Path(sys.argv[2])):
        print(written_path, written_path.stat().st_size)
