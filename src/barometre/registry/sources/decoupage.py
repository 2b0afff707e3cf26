"""Etalab « découpage administratif » (npm ``@etalab/decoupage-administratif``).

The backbone of the registry: INSEE codes, SIREN, names, populations and the hierarchy
région → département → commune, plus EPCI with their member communes.

Every zone is read: metropolitan France (``metro``), the overseas départements and
régions (``drom``) and the collectivités d'outre-mer (``com``: Saint-Pierre-et-Miquelon,
Polynésie française, New Caledonia…, which the file lists as « régions » and
« départements » with their communes). Which of these rows are collectivités, and of
which type, is the registry's decision (:mod:`barometre.registry.collectivites`), not
the parser's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from barometre.errors import SourceError
from barometre.registry.sources._io import read_json

SOURCE_ID = "etalab-decoupage"
# Zones of the file: metropolitan France and the DROM (régions and départements of
# INSEE's map), and the collectivités d'outre-mer.
MAP_ZONES = frozenset({"metro", "drom"})
ZONES = frozenset({*MAP_ZONES, "com"})


@dataclass(frozen=True, slots=True)
class RegionRow:
    code: str
    name: str
    seat: str  # INSEE code of the chef-lieu commune
    zone: str = "metro"


@dataclass(frozen=True, slots=True)
class DepartementRow:
    code: str
    name: str
    region: str
    seat: str
    zone: str = "metro"


@dataclass(frozen=True, slots=True)
class CommuneRow:
    code: str
    name: str
    departement: str
    region: str
    siren: str | None
    population: int | None
    postal_codes: tuple[str, ...]
    zone: str = "metro"


@dataclass(frozen=True, slots=True)
class EpciRow:
    siren: str
    name: str
    type: str  # CC, CA, CU, METRO, MET69
    population: int | None
    members: tuple[str, ...]  # INSEE codes of the member communes


@dataclass(frozen=True, slots=True)
class FormerCommuneRow:
    """A commune déléguée or associée: its mairie may still be listed in the annuaire."""

    code: str
    name: str
    departement: str
    parent: str  # INSEE code of the current commune


@dataclass(frozen=True, slots=True)
class Decoupage:
    regions: list[RegionRow]
    departements: list[DepartementRow]
    communes: list[CommuneRow]
    epci: list[EpciRow]
    former: list[FormerCommuneRow]


def _items(path: Path) -> list[dict[str, Any]]:
    data = read_json(path)
    if not isinstance(data, list):
        raise SourceError(path, "tableau JSON attendu à la racine")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise SourceError(path, f"élément n° {index + 1} : objet attendu")
    return data


def _field(path: Path, index: int, item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        code = item.get("code", "?")
        raise SourceError(path, f"élément n° {index + 1} (code {code}) : champ « {key} » absent")
    return value


def _zone(path: Path, index: int, item: dict[str, Any]) -> str:
    zone = _field(path, index, item, "zone")
    if zone not in ZONES:
        expected = ", ".join(sorted(ZONES))
        raise SourceError(path, f"élément n° {index + 1} : zone « {zone} » inconnue ({expected})")
    return zone


def _population(path: Path, index: int, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SourceError(path, f"élément n° {index + 1} : population invalide {value!r}")
    return value


def parse_regions(path: Path) -> list[RegionRow]:
    rows = []
    for i, item in enumerate(_items(path)):
        rows.append(
            RegionRow(
                code=_field(path, i, item, "code"),
                name=_field(path, i, item, "nom"),
                seat=_field(path, i, item, "chefLieu"),
                zone=_zone(path, i, item),
            )
        )
    return rows


def parse_departements(path: Path) -> list[DepartementRow]:
    rows = []
    for i, item in enumerate(_items(path)):
        rows.append(
            DepartementRow(
                code=_field(path, i, item, "code"),
                name=_field(path, i, item, "nom"),
                region=_field(path, i, item, "region"),
                seat=_field(path, i, item, "chefLieu"),
                zone=_zone(path, i, item),
            )
        )
    return rows


def parse_communes(path: Path) -> tuple[list[CommuneRow], list[FormerCommuneRow]]:
    """Current communes (``type == "commune-actuelle"``, every zone) and former ones."""
    rows = []
    former = []
    for i, item in enumerate(_items(path)):
        zone = _zone(path, i, item)
        if item.get("type") in ("commune-deleguee", "commune-associee"):
            former.append(
                FormerCommuneRow(
                    code=_field(path, i, item, "code"),
                    name=_field(path, i, item, "nom"),
                    departement=_field(path, i, item, "departement"),
                    parent=_field(path, i, item, "chefLieu"),
                )
            )
            continue
        if item.get("type") != "commune-actuelle":
            continue
        postal = item.get("codesPostaux") or []
        if not isinstance(postal, list) or not all(isinstance(p, str) for p in postal):
            raise SourceError(path, f"élément n° {i + 1} : « codesPostaux » invalide")
        rows.append(
            CommuneRow(
                code=_field(path, i, item, "code"),
                name=_field(path, i, item, "nom"),
                departement=_field(path, i, item, "departement"),
                region=_field(path, i, item, "region"),
                siren=item.get("siren") or None,
                population=_population(path, i, item.get("population")),
                postal_codes=tuple(postal),
                zone=zone,
            )
        )
    return rows, former


def parse_epci(path: Path) -> list[EpciRow]:
    rows = []
    for i, item in enumerate(_items(path)):
        members = item.get("membres") or []
        if not isinstance(members, list):
            raise SourceError(path, f"élément n° {i + 1} : « membres » invalide")
        rows.append(
            EpciRow(
                siren=_field(path, i, item, "code"),
                name=_field(path, i, item, "nom"),
                type=_field(path, i, item, "type"),
                population=_population(path, i, item.get("populationMunicipale")),
                members=tuple(
                    str(m["code"]) for m in members if isinstance(m, dict) and m.get("code")
                ),
            )
        )
    return rows


def parse(directory: Path) -> Decoupage:
    communes, former = parse_communes(directory / "communes.json")
    return Decoupage(
        regions=parse_regions(directory / "regions.json"),
        departements=parse_departements(directory / "departements.json"),
        communes=communes,
        epci=parse_epci(directory / "epci.json"),
        former=former,
    )
