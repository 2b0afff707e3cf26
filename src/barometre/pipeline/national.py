"""The national figures of an edition: the stage that computes them, and their schema
for scripts (one CSV row per figure, or a JSON document)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from barometre.indicators import budget as indicator_budget
from barometre.indicators.report import Row
from barometre.methodology.indicators import Catalogue
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.pipeline.core import EditionRun, Setup
from barometre.scoring.budget import read_budget
from barometre.scoring.stats import (
    SECTIONS,
    Correlation,
    Distribution,
    Figure,
    NationalStats,
    StatusFigure,
    edition_stats,
    group_label,
)
from barometre.tabular import write_csv

__all__ = [
    "CSV_COLUMNS",
    "SECTIONS",
    "Catalogue",
    "Correlation",
    "Distribution",
    "Figure",
    "NationalStats",
    "Row",
    "StatusFigure",
    "as_json",
    "bundled_catalogue",
    "group_label",
    "indicator_figures",
    "national_stats",
    "write_stats_csv",
]

CSV_COLUMNS = (
    "section",
    "groupe",
    "indicateur",
    "source",
    "unite",
    "numerateur",
    "denominateur",
    "part",
    "unite_couverture",
    "eligibles",
    "mesurees",
    "couverture",
    "valeur",
    "ic95_bas",
    "ic95_haut",
    "note",
)


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _figure_dict(f: Figure) -> dict[str, Any]:
    return {
        "section": f.section,
        "groupe": f.group or "toutes",
        "indicateur": f.label,
        "source": f.source,
        "unite": f.unit,
        "numerateur": f.numerator,
        "denominateur": f.denominator,
        "part": _round(f.share),
        "unite_couverture": f.coverage_unit,
        "eligibles": f.eligible,
        "mesurees": f.measured,
        "couverture": _round(f.coverage),
        "note": f.note,
    }


def _status_dict(s: StatusFigure) -> dict[str, Any]:
    return {
        "section": s.section,
        "groupe": s.group,
        "critere": s.criterion,
        "code": s.code,
        "nom": s.name,
        "base": s.basis,
        "reussi": s.passed,
        "partiel": s.partial,
        "echec": s.failed,
        "non_mesurable": s.not_measurable,
        "mesurees": s.measured,
        "eligibles": s.eligible,
        "part_reussi": _round(s.share("pass")),
        "part_partiel": _round(s.share("partial")),
        "part_echec": _round(s.share("fail")),
        "couverture": _round(s.coverage),
    }


def _distribution_dict(d: Distribution) -> dict[str, Any]:
    return {
        "groupe": d.group,
        "libelle": group_label(d.group),
        "effectif": d.count,
        "scorees": d.scored,
        "notees": d.graded,
        "minimum": _round(d.minimum, 4),
        "q1": _round(d.q1, 4),
        "mediane": _round(d.median, 4),
        "q3": _round(d.q3, 4),
        "maximum": _round(d.maximum, 4),
        "moyenne": _round(d.mean, 4),
        "notes": dict(d.grades),
        "couverture_mediane": _round(d.median_coverage),
    }


def _correlation_dict(c: Correlation) -> dict[str, Any]:
    return {
        "groupe": c.group,
        "indicateur": c.label,
        "source": c.source,
        "n": c.n,
        "eligibles": c.eligible,
        "couverture": _round(c.coverage),
        "rho": _round(c.rho),
        "ic95_bas": _round(c.low),
        "ic95_haut": _round(c.high),
        "non_calculable": c.reason,
        "note": c.note,
    }


def as_json(
    report: NationalStats, indicators: Sequence[Row] = (), budget: Sequence[Correlation] = ()
) -> dict[str, Any]:
    return {
        "indicateurs": [row.as_dict() for row in indicators],
        "budget_activite": [_correlation_dict(c) for c in budget],
        "edition": report.edition,
        "libelle": report.label,
        "demonstration": report.demo,
        "methodologie": report.methodology,
        "chiffres": [_figure_dict(f) for f in report.figures],
        "criteres": [_status_dict(s) for s in report.statuses],
        "distributions": [_distribution_dict(d) for d in report.distributions],
        "correlations": [_correlation_dict(c) for c in report.correlations],
        "notes": report.notes,
    }


def _row(**cells: Any) -> list[Any]:
    unknown = set(cells) - set(CSV_COLUMNS)
    assert not unknown, unknown
    return [cells.get(c) for c in CSV_COLUMNS]


def _csv_rows(report: NationalStats) -> Iterator[list[Any]]:
    for f in report.figures:
        yield _row(**_figure_dict(f))
    for s in report.statuses:
        for f in s.figures():
            yield _row(**_figure_dict(f))
    for d in report.distributions:
        label = group_label(d.group)
        common = {
            "section": "scores",
            "groupe": d.group,
            "source": "scores (global)",
            "unite_couverture": "collectivités",
            "eligibles": d.count,
            "mesurees": d.scored,
            "couverture": _round(d.scored / d.count if d.count else None),
        }
        for name, value in (
            ("minimum", d.minimum),
            ("premier quartile", d.q1),
            ("médiane", d.median),
            ("troisième quartile", d.q3),
            ("maximum", d.maximum),
            ("moyenne", d.mean),
            ("couverture médiane", d.median_coverage),
        ):
            yield _row(**common, indicateur=f"{label} — {name}", valeur=_round(value, 4))
        for grade, count in d.grades:
            yield _row(
                **common,
                indicateur=f"{label} — note {grade}",
                unite="collectivités",
                numerateur=count,
                denominateur=d.count,
                part=_round(count / d.count if d.count else None),
            )
    for c in report.correlations:
        notes = (f"non calculable ({c.reason})" if c.reason else "", c.note)
        yield _row(
            section="correlations",
            groupe=c.group,
            indicateur=f"{c.label} — ρ de Spearman",
            source=c.source,
            unite_couverture="collectivités",
            eligibles=c.eligible,
            mesurees=c.n,
            couverture=_round(c.coverage),
            valeur=_round(c.rho),
            ic95_bas=_round(c.low),
            ic95_haut=_round(c.high),
            note=" ; ".join(x for x in notes if x),
        )


def _indicator_rows(indicators: Sequence[Row]) -> Iterator[list[Any]]:
    for row in indicators:
        d = row.as_dict()
        share = row.indicator.is_share
        yield _row(
            section=f"indicateurs:{row.indicator.section}",
            groupe=d["groupe"],
            indicateur=f"{row.indicator.id} — {row.indicator.label}",
            source=d["source"],
            unite=d["unite"],
            numerateur=d["numerateur"],
            denominateur=d["denominateur"],
            part=d["valeur"] if share else None,
            valeur=None if share else d["valeur"],
            unite_couverture=d["unite"] if d["unite"] == "comptes" else "collectivités",
            eligibles=d["eligibles"],
            mesurees=d["mesurees"],
            couverture=d["couverture"],
            note=row.switched,
        )


def write_stats_csv(handle: IO[str], report: NationalStats, indicators: Sequence[Row] = ()) -> int:
    return write_csv(handle, CSV_COLUMNS, (*_csv_rows(report), *_indicator_rows(indicators)))


def national_stats(setup: Setup, run: EditionRun) -> NationalStats:
    """The edition's national figures, each with its denominator and coverage."""
    return edition_stats(setup.engine, run.id, run.methodology, read_budget())


def indicator_figures(
    setup: Setup,
    run: EditionRun,
    catalogue: Catalogue,
    budget_departements: Path | None = None,
) -> tuple[list[Row], list[Correlation]]:
    """Every catalogue indicator of the edition (with its changes), and budget versus
    the activity the indicators measure (régions; départements from the OFGL export)."""
    return indicator_budget.edition_figures(
        setup.engine, run.id, run.methodology, catalogue, read_budget(), budget_departements
    )
