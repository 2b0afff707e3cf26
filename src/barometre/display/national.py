"""Rich display of the national figures (``barometre stats``): each share with its
denominator and its coverage, the distribution of scores, the correlations."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from barometre.pipeline.national import (
    SECTIONS,
    Correlation,
    Distribution,
    Figure,
    NationalStats,
    StatusFigure,
    group_label,
)
from barometre.vocab import fr
from barometre.vocab.status import GRADES, NOT_MEASURED

COVERAGE_NOTE = (
    "n / mesurées : collectivités concernées sur celles qui ont pu être mesurées ; "
    "couverture : mesurées / éligibles."
)


def _ratio(numerator: int, denominator: int) -> str:
    return f"{fr.integer(numerator)} / {fr.integer(denominator)}"


def _coverage(measured: int, eligible: int, share: float | None) -> str:
    return f"{fr.integer(measured)} / {fr.integer(eligible)} ({fr.percent(share)})"


def _units(f: Figure) -> str:
    if f.unit == "collectivités" and f.coverage_unit == "collectivités":
        return ""
    if f.unit == f.coverage_unit:
        return f" [dim](en {f.unit})[/dim]"
    return f" [dim](en {f.unit} ; couverture en {f.coverage_unit})[/dim]"


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


def print_budget(console: Console, budget: Sequence[Correlation]) -> None:
    """The correlations of the budget with the activity the indicators measure."""
    if budget:
        table = _correlation_table(budget)
        table.title = "Budget et activité mesurée par les indicateurs (Spearman)"
        console.print(table)
