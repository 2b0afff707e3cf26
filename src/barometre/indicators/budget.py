"""Budget versus activity, for régions and départements: do the biggest budgets make
the most active collectivités?

*Activity* is measured by the catalogue, not by the registry-only score: for one
collectivité, the share of the activity indicators (sections ``reseaux`` and ``sites``,
counted per collectivité) it satisfies among those measured for it. *Budget* is the
total expenditure per inhabitant: the bundled OFGL table for the régions
(:mod:`barometre.scoring.budget`), and for the départements the OFGL export
« ofgl-base-departements » (``;``-separated, as OFGL's site gives it), read from a file
the user downloads (the national table is not bundled). The link is Spearman's ρ with
its 95 % interval (:func:`barometre.scoring.stats.correlation`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Engine

from barometre.errors import SourceError
from barometre.indicators.compute import Facts, Member, member_rule
from barometre.indicators.read import read_facts
from barometre.indicators.report import Row
from barometre.indicators.series import edition_rows
from barometre.methodology import Methodology
from barometre.methodology.indicators import Catalogue, Indicator
from barometre.scoring.budget import NOT_COMPARABLE, BudgetRow, per_inhabitant
from barometre.scoring.stats import Correlation, correlation

ACTIVITY_SECTIONS = ("reseaux", "sites")
OFGL_SOURCE = "OFGL / DGFiP, budgets des départements (Licence Ouverte 2.0)"
TOTAL = "Dépenses totales"
OFGL_COLUMNS = (
    "Exercice",
    "Code Insee 2024 Département",
    "Nom 2024 Département",
    "Catégorie",
    "Agrégat",
    "Montant",
    "Population totale",
)


@dataclass(frozen=True, slots=True)
class DepartementBudget:
    code: str
    name: str
    year: int
    population: int
    expenditure: Decimal

    @property
    def per_inhabitant(self) -> Decimal:
        return (self.expenditure / self.population).quantize(Decimal("0.01"))


def read_ofgl_departements(path: Path) -> list[DepartementBudget]:
    """Total expenditure per département and year from an OFGL export; a missing
    column or a bad number names the file and the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceError(path, f"fichier OFGL illisible ({exc.strerror})") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    missing = [c for c in OFGL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(
            path, f"colonnes absentes de l'export OFGL des départements : {', '.join(missing)}"
        )
    out: list[DepartementBudget] = []
    for line, row in enumerate(reader, start=2):
        if row["Agrégat"] != TOTAL or row["Catégorie"] != "DEPT":
            continue
        try:
            out.append(
                DepartementBudget(
                    row["Code Insee 2024 Département"].strip(),
                    row["Nom 2024 Département"].strip(),
                    int(row["Exercice"]),
                    int(row["Population totale"]),
                    Decimal(row["Montant"]),
                )
            )
        except (ValueError, InvalidOperation) as exc:
            raise SourceError(path, f"nombre illisible ({exc})", line) from exc
    return out


def activity_indicators(catalogue: Catalogue) -> list[Indicator]:
    return [
        i
        for i in catalogue.indicators
        if i.section in ACTIVITY_SECTIONS
        and i.scope == "tout"
        and i.kind in ("platforms", "finding", "criterion")
    ]


def activity(
    facts: Facts, methodology: Methodology, catalogue: Catalogue, member: Member
) -> float | None:
    """Share of the activity indicators the collectivité satisfies, among those
    measured for it (``None`` when none was)."""
    measured = satisfied = 0
    for indicator in activity_indicators(catalogue):
        eligible, is_measured, counted = member_rule(indicator, facts, methodology)(member)
        if eligible and is_measured:
            measured += 1
            satisfied += counted > 0
    return satisfied / measured if measured else None


def _latest(
    rows: Sequence[DepartementBudget], year: int | None
) -> tuple[dict[str, float], int | None]:
    years = sorted({r.year for r in rows if year is None or r.year <= year})
    if not years:
        return {}, None
    chosen = years[-1]
    return {r.code: float(r.per_inhabitant) for r in rows if r.year == chosen}, chosen


def budget_activity(
    facts: Facts,
    methodology: Methodology,
    catalogue: Catalogue,
    regions: Sequence[BudgetRow],
    departements: Sequence[DepartementBudget] | None,
    year: int | None,
) -> list[Correlation]:
    """Spearman's ρ between spending per inhabitant and activity, per level."""
    out: list[Correlation] = []
    levels: list[tuple[str, Mapping[str, float], int | None, str, str]] = []
    spending, chosen = per_inhabitant(regions, year)
    excluded = ", ".join(f"{code} ({why})" for code, why in NOT_COMPARABLE.items())
    levels.append(
        (
            "region",
            {c: v for c, v in spending.items() if c not in NOT_COMPARABLE},
            chosen,
            "OFGL / DGFiP, budgets consolidés des régions (Licence Ouverte 2.0)",
            f"hors outre-mer (absent de la source) et hors {excluded}",
        )
    )
    if departements is not None:
        by_code, chosen_dep = _latest(departements, year)
        levels.append(("departement", by_code, chosen_dep, OFGL_SOURCE, ""))
    for kind, budget, chosen_year, source, note in levels:
        members = [m for m in facts.members if m.kind == kind]
        if not members:
            continue
        pairs = []
        for member in members:
            value = activity(facts, methodology, catalogue, member)
            money = budget.get(member.authority.code)
            if value is not None and money is not None:
                pairs.append((money, value))
        label = (
            f"Dépenses totales par habitant ({chosen_year}) et activité (indicateurs)"
            if chosen_year
            else "Budget et activité (indicateurs)"
        )
        out.append(correlation(kind, label, source, pairs, len(members), note=note))
    if departements is None and any(m.kind == "departement" for m in facts.members):
        members = [m for m in facts.members if m.kind == "departement"]
        out.append(
            Correlation(
                "departement",
                "Budget et activité (indicateurs)",
                OFGL_SOURCE,
                len(members),
                0,
                None,
                None,
                None,
                "export OFGL des départements non fourni (--budget-departements)",
            )
        )
    return out


def edition_figures(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    catalogue: Catalogue,
    regions: Sequence[BudgetRow],
    departements_file: Path | None,
) -> tuple[list[Row], list[Correlation]]:
    """The catalogue's rows of an edition and its budget-activity correlations (the
    édition read once; the départements' export when given)."""
    departements = read_ofgl_departements(departements_file) if departements_file else None
    facts = read_facts(engine, edition, catalogue)
    rows = edition_rows(engine, edition, methodology, catalogue, facts)
    head = edition[:4]
    year = int(head) if head.isdigit() and edition[4:5] == "-" else None
    return rows, budget_activity(facts, methodology, catalogue, regions, departements, year)
