"""Budgets of the régions, bundled for the correlation of scores with spending.

The raw file (``shared/data/raw/ofgl-via-gunout/regions_finances_2023_2025.csv``: OFGL /
DGFiP consolidated budgets, transcribed from the ``gunout/finances-Collectivites``
repository, see ``scoring/data/SOURCES.md``) is not shipped and not available at run
time. :func:`build_budget` derives the small table the package carries,
``scoring/data/regions_budget.csv``: one row per région and year with the population,
the total expenditure (``depenses_totales`` = operating + investment expenditure) and
the **total expenditure per inhabitant**, the budget variable the correlation uses (a
size-free measure: totals mostly follow population, which has its own correlation).

The file's région codes are matched to the registry's (INSEE codes); a code the
registry does not know is matched by name, and a row that matches neither is reported,
never silently used. The same raw file gives the same bytes (a test rebuilds the
bundled table and compares).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from barometre.errors import SourceError, SourceMissingError
from barometre.vocab.text import fold

BUNDLED_NAME = "regions_budget.csv"
COLUMNS = ("region", "nom", "annee", "population", "depenses_totales", "depenses_par_habitant")
RAW_COLUMNS = ("reg_code", "nom", "annee", "population", "depenses_totales")
# The Collectivité de Corse also holds the départements' competences: its spending per
# inhabitant is not comparable with the other régions' (shared/data/SOURCES.md).
NOT_COMPARABLE: Mapping[str, str] = {
    "94": "Collectivité de Corse : compétences régionales et départementales réunies"
}
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class BudgetRow:
    region: str  # INSEE code of the région, as in the registry
    name: str  # the registry's name
    year: int
    population: int
    expenditure: Decimal  # total expenditure, euros
    per_inhabitant: Decimal  # euros per inhabitant, two decimals


@dataclass
class BudgetBuild:
    rows: list[BudgetRow] = field(default_factory=list)
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    missing: list[str] = field(default_factory=list)  # registry régions without any row
    by_name: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw code, code)


def _decimal(value: str, path: Path, line: int, column: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise SourceError(
            path, f"colonne {column} : nombre attendu, lu « {value} »", line
        ) from None
    if not number.is_finite() or number < 0:
        raise SourceError(path, f"colonne {column} : montant invalide « {value} »", line)
    return number


def build_budget(raw_path: Path, regions: Mapping[str, str]) -> BudgetBuild:
    """The bundled rows from the raw OFGL file; ``regions`` maps the registry's région
    codes to their names (the registry is read by the caller: scoring never imports it)."""
    if not raw_path.is_file():
        raise SourceMissingError(raw_path, "fichier des budgets régionaux introuvable")
    try:
        text = raw_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(raw_path, f"fichier illisible ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    absent = [c for c in RAW_COLUMNS if c not in (reader.fieldnames or ())]
    if absent:
        raise SourceError(raw_path, f"colonnes manquantes : {', '.join(absent)}", 1)
    names = {fold(name): code for code, name in regions.items()}
    build = BudgetBuild()
    seen: dict[tuple[str, int], int] = {}
    for line, record in enumerate(reader, start=2):
        if None in record or any(record.get(c) is None for c in RAW_COLUMNS):
            raise SourceError(raw_path, "nombre de colonnes inattendu", line)
        raw_code, raw_name = record["reg_code"].strip(), record["nom"].strip()
        code = raw_code.zfill(2) if raw_code.isdigit() else raw_code
        if code in regions and fold(regions[code]) != fold(raw_name):
            build.unmatched.append(
                (
                    line,
                    f"code {raw_code} « {raw_name} » : le registre nomme cette région "
                    f"« {regions[code]} »",
                )
            )
            continue
        if code not in regions:
            by_name = names.get(fold(raw_name))
            if by_name is None:
                build.unmatched.append(
                    (line, f"région inconnue du registre : code {raw_code} « {raw_name} »")
                )
                continue
            build.by_name.append((line, raw_code, by_name))
            code = by_name
        try:
            year = int(record["annee"])
        except ValueError:
            raise SourceError(
                raw_path, f"colonne annee : année attendue, lu « {record['annee']} »", line
            ) from None
        if (code, year) in seen:
            build.unmatched.append(
                (line, f"doublon de la ligne {seen[(code, year)]} (région {code}, {year})")
            )
            continue
        seen[(code, year)] = line
        population = _decimal(record["population"], raw_path, line, "population")
        expenditure = _decimal(record["depenses_totales"], raw_path, line, "depenses_totales")
        if population == 0 or population != population.to_integral_value():
            raise SourceError(raw_path, f"population invalide « {record['population']} »", line)
        build.rows.append(
            BudgetRow(
                code,
                regions[code],
                year,
                int(population),
                expenditure.quantize(CENT),
                (expenditure / population).quantize(CENT),
            )
        )
    build.rows.sort(key=lambda r: (r.region, r.year))
    covered = {r.region for r in build.rows}
    build.missing = sorted(code for code in regions if code not in covered)
    return build


def render_budget(rows: Iterable[BudgetRow]) -> bytes:
    """The bundled CSV's bytes (UTF-8, ``\\n`` line ends, fixed decimals)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow(
            (r.region, r.name, r.year, r.population, f"{r.expenditure}", f"{r.per_inhabitant}")
        )
    return buffer.getvalue().encode("utf-8")


def write_budget(rows: Iterable[BudgetRow], path: Path) -> None:
    path.write_bytes(render_budget(rows))


def bundled_location() -> Traversable:
    return resources.files("barometre.scoring").joinpath("data", BUNDLED_NAME)


def read_budget(location: Traversable | Path | None = None) -> list[BudgetRow]:
    """The bundled table (or another file written by :func:`write_budget`)."""
    entry = location if location is not None else bundled_location()
    try:
        text = entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(entry), f"table des budgets illisible ({exc})") from exc
    reader = csv.reader(io.StringIO(text))
    if next(reader, None) != list(COLUMNS):
        raise SourceError(str(entry), "en-tête inattendu", 1)
    out = []
    for line, row in enumerate(reader, start=2):
        try:
            region, name, year, population, expenditure, per_inhabitant = row
            out.append(
                BudgetRow(
                    region,
                    name,
                    int(year),
                    int(population),
                    Decimal(expenditure),
                    Decimal(per_inhabitant),
                )
            )
        except (ValueError, InvalidOperation):
            raise SourceError(str(entry), "ligne mal formée", line) from None
    return out


def per_inhabitant(rows: Sequence[BudgetRow], year: int | None) -> tuple[dict[str, float], int]:
    """Expenditure per inhabitant of each comparable région for the latest year not
    after ``year`` (the latest of all when ``None``, the earliest when none is that
    early), and the year used."""
    years = sorted({r.year for r in rows})
    if not years:
        return {}, 0
    eligible = [y for y in years if year is None or y <= year]
    chosen = eligible[-1] if eligible else years[0]
    return (
        {
            r.region: float(r.per_inhabitant)
            for r in rows
            if r.year == chosen and r.region not in NOT_COMPARABLE
        },
        chosen,
    )
