"""Rich display of the registry: its figures, a build's joins and anomalies, a
collectivité's card, a list of collectivités (French labels, thin spaces for thousands)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table

from barometre.models import Authority, AuthorityKind
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


def print_list(console: Console, items: Sequence[Authority], limit: int) -> None:
    """The first ``limit`` collectivités of ``items`` (0: all), and how many are left."""
    shown = items if limit == 0 else items[:limit]
    table = Table(title=fr.count(len(items), "collectivité"), title_justify="left")
    for col in ("Identifiant", "Nom", "Dép.", "Population", "Site officiel"):
        table.add_column(col, justify="right" if col == "Population" else "left")
    for a in shown:
        site = a.website
        table.add_row(
            a.id,
            a.name,
            a.departement or "",
            fr.integer(a.population),
            site.url if site else "—",
        )
    console.print(table)
    if len(shown) < len(items):
        console.print(
            f"[dim]{fr.count(len(items) - len(shown), 'autre')} : --limit 0 pour tout voir.[/dim]"
        )
