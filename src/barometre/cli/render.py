"""Rich rendering of registry objects (French labels, thin spaces for thousands)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from barometre.models import Authority, AuthorityKind, Evidence
from barometre.pipeline.registry import BuildReport, registry_stats
from barometre.vocab import fr
from barometre.vocab.authorities import kind_label, kind_plural
from barometre.vocab.platforms import platform_label


def print_stats(console: Console, items: Sequence[Authority]) -> None:
    table = Table(title="Registre des collectivités", title_justify="left")
    table.add_column("Type")
    table.add_column("Indicateur")
    table.add_column("Nombre", justify="right")
    table.add_column("Sur", justify="right")
    table.add_column("Part", justify="right")
    for ks in registry_stats(items):
        table.add_row(
            f"[bold]{kind_plural(ks.kind)}[/bold]", "collectivités", fr.integer(ks.count), "", ""
        )
        for f in ks.figures:
            table.add_row(
                "",
                f.label,
                fr.integer(f.numerator),
                fr.integer(f.denominator),
                fr.ratio(f.numerator, f.denominator),
            )
        table.add_section()
    console.print(table)


def print_report(console: Console, report: BuildReport) -> None:
    joins = Table(title="Jointures", title_justify="left")
    joins.add_column("Jointure")
    joins.add_column("Fiches", justify="right")
    joins.add_column("Jointes", justify="right")
    joins.add_column("Taux", justify="right")
    joins.add_column("Règles")
    for j in report.joins:
        rules = ", ".join(f"{k} : {fr.integer(v)}" for k, v in sorted(j.by_rule.items()))
        joins.add_row(
            j.name,
            fr.integer(j.records),
            fr.integer(j.matched),
            fr.ratio(j.matched, j.records),
            rules,
        )
    console.print(joins)
    counts = report.anomaly_counts()
    if counts:
        table = Table(
            title="Anomalies signalées (lignes non utilisées telles quelles)", title_justify="left"
        )
        table.add_column("Source")
        table.add_column("Type")
        table.add_column("Nombre", justify="right")
        table.add_column("Exemple")
        for (source, kind), n in sorted(counts.items()):
            example = next(a for a in report.anomalies if (a.source, a.kind) == (source, kind))
            where = f"l. {example.line} : " if example.line else ""
            table.add_row(source, kind, fr.integer(n), f"{where}{example.message}")
        console.print(table)


def print_authority(console: Console, a: Authority, names: Mapping[str, str]) -> None:
    """A card: identity, hierarchy, population, site, contacts, accounts, sources."""
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Collectivité", f"{a.name} ({kind_label(a.legal)}, code {a.code})")
    table.add_row("Identifiant", a.id)
    table.add_row("SIREN", a.siren or "—")
    table.add_row("Population", fr.integer(a.population))
    hierarchy = []
    if a.region:
        hierarchy.append(f"région {a.region} {names.get(f'region:{a.region}', '')}".strip())
    if a.departement and a.kind is not AuthorityKind.DEPARTEMENT:
        hierarchy.append(
            f"département {a.departement} {names.get(f'departement:{a.departement}', '')}".strip()
        )
    if a.epci:
        hierarchy.append(f"EPCI {a.epci} {names.get(f'epci:{a.epci}', '')}".strip())
    if a.epci_type:
        hierarchy.append(f"type {a.epci_type}")
    table.add_row("Rattachement", " › ".join(hierarchy) or "—")
    if a.postal_codes:
        table.add_row(
            "Codes postaux",
            ", ".join(a.postal_codes[:12]) + (" …" if len(a.postal_codes) > 12 else ""),
        )
    site = a.website
    table.add_row(
        "Site officiel",
        f"{site.url}  [dim](source : {site.source})[/dim]"
        if site
        else "[yellow]aucun site déclaré[/yellow]",
    )
    for other in a.websites:
        if other is not site:
            table.add_row("Autre site", f"{other.url}  [dim](source : {other.source})[/dim]")
    for c in a.contacts:
        label = "E-mail" if c.kind == "email" else "Téléphone"
        table.add_row(label, f"{c.value}  [dim](source : {c.source})[/dim]")
    for x in a.accounts:
        table.add_row(
            f"Compte {platform_label(x.platform)}", f"{x.url}  [dim](source : {x.source})[/dim]"
        )
    console.print(table, highlight=False)


class CountColumn(MofNCompleteColumn):
    """« 12/37 » once the total is known; « en cours » until then (never « 0/? »)."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("en cours", style="progress.download")
        return super().render(task)


def stage_progress(label: str, console: Console, *, detail: bool = True) -> Progress:
    """The progress bar of a long stage: its name, a bar, done/total, elapsed time and
    (``detail``) what it is working on; on stderr so that stdout stays clean."""
    columns = [
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        CountColumn(),
        TimeElapsedColumn(),
    ]
    if detail:
        columns.append(TextColumn("{task.description}"))
    return Progress(*columns, console=console)


def describe_evidence(item: Evidence) -> str:
    """« adresse : … ; texte : … » — one piece of evidence as a French line."""
    parts = [
        f"{label} : {value}"
        for label, value in (
            ("adresse", item.url),
            ("texte", item.text),
            ("en-tête", item.header),
            ("sélecteur", item.selector),
            ("note", item.note),
        )
        if value
    ]
    return " ; ".join(parts)
