"""``barometre stats``: the national figures of an edition, each with its denominator
and its coverage (Rich tables, or CSV / JSON on stdout for scripts)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from enum import StrEnum
from typing import IO, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from barometre.cli.audit_cmd import load_methodology
from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import AppContext
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
from barometre.storage import edition_repo
from barometre.tabular import write_csv
from barometre.vocab import fr
from barometre.vocab.status import GRADES, NOT_MEASURED


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


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
COVERAGE_NOTE = (
    "n / mesurées : collectivités concernées sur celles qui ont pu être mesurées ; "
    "couverture : mesurées / éligibles."
)


def _ratio(numerator: int, denominator: int) -> str:
    return f"{fr.integer(numerator)} / {fr.integer(denominator)}"


def _coverage(measured: int, eligible: int, share: float | None) -> str:
    return f"{fr.integer(measured)} / {fr.integer(eligible)} ({fr.percent(share)})"


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _units(f: Figure) -> str:
    if f.unit == "collectivités" and f.coverage_unit == "collectivités":
        return ""
    if f.unit == f.coverage_unit:
        return f" [dim](en {f.unit})[/dim]"
    return f" [dim](en {f.unit} ; couverture en {f.coverage_unit})[/dim]"


# --- tables --------------------------------------------------------------------------


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, caption_justify="left")


def _caption(sources: Sequence[str], notes: Sequence[str] = ()) -> str:
    distinct = list(dict.fromkeys(x for x in sources if x))
    parts = [f"Sources : {' ; '.join(distinct)}."] if distinct else []
    parts.append(COVERAGE_NOTE)
    parts += [n for n in dict.fromkeys(notes) if n]
    return "\n".join(parts)


def _header_row(table: Table, header: str, previous: str | None) -> None:
    if header != previous:
        if previous is not None:
            table.add_section()
        table.add_row(f"[bold]{header}[/bold]")


def _figure_table(title: str, figures: Sequence[Figure], by: str = "group") -> Table:
    """Figures under a header per type (``by="group"``), per indicator (``"label"``),
    or as plain rows (``"none"``)."""
    table = _table(title)
    table.add_column("Indicateur", overflow="fold", ratio=1)
    table.add_column("n / mesurées", justify="right", no_wrap=True)
    table.add_column("Part", justify="right", no_wrap=True)
    table.add_column("Couverture", justify="right", no_wrap=True)
    previous: str | None = None
    for f in figures:
        if by == "group":
            header, name = group_label(f.group), f"  {f.label}{_units(f)}"
        elif by == "label":
            header, name = f"{f.label}{_units(f)}", f"  {group_label(f.group)}"
        else:
            header, name = "", f"{f.label}{_units(f)}"
        if header:
            _header_row(table, header, previous)
            previous = header
        table.add_row(
            name,
            _ratio(f.numerator, f.denominator),
            fr.percent(f.share, 1, missing=NOT_MEASURED),
            _coverage(f.measured, f.eligible, f.coverage),
        )
    table.caption = _caption(
        [f.source for f in figures],
        [
            f"{f.label} : {f.note}." if f.section != "grandes_communes" else f"{f.note}."
            for f in figures
            if f.note
        ],
    )
    return table


def _presence_rows(figures: Sequence[Figure]) -> tuple[list[Figure], list[str]]:
    """A type nobody could be measured for shows one line, not twelve empty ones."""
    shown: list[Figure] = []
    silent: list[str] = []
    for f in figures:
        if f.denominator == 0 and f.label != "Au moins un réseau":
            if group_label(f.group) not in silent:
                silent.append(group_label(f.group))
            continue
        shown.append(f)
    return shown, silent


def _status_cell(s: StatusFigure, status: str, count: int | None = None) -> str:
    if not s.measured:
        return "—"
    share = fr.percent(s.share(status), 1, missing=NOT_MEASURED)
    return share if count is None else f"{fr.integer(count)} ({share})"


def _status_table(title: str, statuses: Sequence[StatusFigure]) -> Table:
    table = _table(title)
    table.add_column("Critère", overflow="fold", ratio=1)
    for label in ("Réussi", "Partiel", "Échec"):
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Couverture", justify="right", no_wrap=True)
    previous: str | None = None
    for s in statuses:
        _header_row(table, group_label(s.group), previous)
        previous = group_label(s.group)
        table.add_row(
            f"  {s.code} {s.name}",
            _status_cell(s, "pass", s.passed),
            _status_cell(s, "partial"),
            _status_cell(s, "fail"),
            _coverage(s.measured, s.eligible, s.coverage),
        )
    table.caption = (
        "Réussi : nombre et part ; partiel, échec : parts ; toutes parmi les collectivités "
        "mesurées. Couverture : mesurées / éligibles (celles à qui le critère s'applique : "
        "site déclaré, règles d'applicabilité de la méthodologie) ; — : aucune mesurée."
    )
    return table


def _distribution_tables(distributions: Sequence[Distribution]) -> tuple[Table, Table]:
    values = _table(SECTIONS["scores"])
    values.add_column("Groupe de pairs", overflow="fold", min_width=12)
    for label in ("Effectif", "Scorées", "Min", "Q1", "Méd.", "Q3", "Max", "Moy."):
        values.add_column(label, justify="right", no_wrap=True)
    grades = _table("Notes par groupe de pairs")
    grades.add_column("Groupe de pairs", overflow="fold", min_width=12)
    for label in ("Effectif", "Notées", *GRADES, "Couv. méd."):
        grades.add_column(label, justify="right", no_wrap=True)
    for d in distributions:
        coverage = fr.percent(d.median_coverage)
        values.add_row(
            group_label(d.group),
            fr.integer(d.count),
            fr.integer(d.scored),
            *(fr.number(v, 1) for v in (d.minimum, d.q1, d.median, d.q3, d.maximum, d.mean)),
        )
        grades.add_row(
            group_label(d.group),
            fr.integer(d.count),
            fr.integer(d.graded),
            *(fr.integer(n) for _, n in d.grades),
            coverage,
        )
    values.caption = (
        "Source : scores globaux de l'édition (0 à 100). Effectif : collectivités du groupe ; "
        "scorées : celles qui ont un score ; quartiles par interpolation linéaire."
    )
    grades.caption = (
        "Une note n'est donnée qu'avec une couverture suffisante (méthodologie) ; "
        "notées : collectivités ayant une note, sur l'effectif ; couv. méd. : couverture "
        "médiane des scores du groupe."
    )
    return values, grades


def _correlation_table(correlations: Sequence[Correlation]) -> Table:
    table = _table(SECTIONS["correlations"])
    table.add_column("Groupe", overflow="fold", min_width=12)
    table.add_column("Variables", overflow="fold", ratio=1)
    table.add_column("n / effectif", justify="right", no_wrap=True)
    table.add_column("ρ [IC à 95 %]", justify="right", no_wrap=True)
    for c in correlations:
        if c.rho is None:
            cell = f"non calculable ({c.reason})"
        else:
            cell = f"{fr.number(c.rho, 2)} [{fr.number(c.low, 2)} ; {fr.number(c.high, 2)}]"
        table.add_row(group_label(c.group), c.label, _ratio(c.n, c.eligible), cell)
    table.caption = _caption(
        [c.source for c in correlations],
        [
            *(f"{c.label} : {c.note}." for c in correlations if c.note),
            "ρ de Spearman (rangs moyens pour les ex æquo), intervalle de confiance à 95 % par "
            "la transformation de Fisher avec l'erreur type de Bonett et Wright ; non calculable "
            "sous 4 paires.",
        ],
    )
    return table


def print_stats(console: Console, report: NationalStats) -> None:
    kind = " (démonstration)" if report.demo else ""
    console.print(
        f"[bold]Chiffres nationaux — {report.label}{kind}[/bold], méthodologie "
        f"{report.methodology}",
        highlight=False,
    )
    by_section: dict[str, list[Figure]] = {}
    for f in report.figures:
        by_section.setdefault(f.section, []).append(f)
    console.print(_figure_table(SECTIONS["registre"], by_section.get("registre", [])))
    registry = [s for s in report.statuses if s.section == "registre"]
    if registry:
        console.print(_status_table("Critères mesurés sans capture (registre)", registry))
    presence, silent = _presence_rows(by_section.get("presence", []))
    if presence:
        console.print(_figure_table(SECTIONS["presence"], presence))
    if silent:
        console.print(
            f"[yellow]{', '.join(silent)} : aucun site lu dans cette édition, les comptes "
            "ne sont pas mesurés (plateformes non détaillées).[/yellow]"
        )
    for section, by in (("grandes_communes", "none"), ("pratiques", "label")):
        if by_section.get(section):
            console.print(_figure_table(SECTIONS[section], by_section[section], by))
    legal = [s for s in report.statuses if s.section == "conformite"]
    if legal:
        console.print(_status_table(SECTIONS["conformite"], legal))
    if report.distributions:
        for table in _distribution_tables(report.distributions):
            console.print(table)
    if report.correlations:
        console.print(_correlation_table(report.correlations))
    for note in report.notes:
        console.print(f"[yellow]{note}[/yellow]", highlight=False)
    console.print(
        "Parts calculées sur les collectivités mesurées (« n / mesurées ») ; la "
        "couverture dit combien des collectivités éligibles ont pu l'être. « non mesuré » : "
        "aucune ne l'a été."
    )


# --- CSV and JSON --------------------------------------------------------------------


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


def as_json(report: NationalStats) -> dict[str, Any]:
    return {
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


def write_stats_csv(handle: IO[str], report: NationalStats) -> int:
    return write_csv(handle, CSV_COLUMNS, _csv_rows(report))


# --- command -------------------------------------------------------------------------


def stats(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table, csv ou json (sur la sortie standard).")
    ] = Format.table,
) -> None:
    """Chiffres nationaux de l'édition : parts avec dénominateur et couverture,
    distribution des scores, corrélations avec la population et le budget."""
    context: AppContext = ctx.obj
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    engine = context.engine
    info = edition_repo.get_edition(engine, edition)
    grid = load_methodology(info.methodology_version or "")
    with context.err.status(f"Chiffres nationaux de l'édition {edition}…"):
        report = edition_stats(engine, edition, grid, read_budget())
    if format is Format.table:
        print_stats(context.console, report)
    elif format is Format.csv:
        write_stats_csv(sys.stdout, report)
    else:
        json.dump(as_json(report), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
