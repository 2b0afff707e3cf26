"""Rich display of the social stage: what a reading did, the coverage of the accounts
per platform, one collectivité's accounts and their figures, an import."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from barometre.models import AccountState, SocialAccount, SocialSource
from barometre.pipeline.social import (
    LABELS,
    PERCENT_METRICS,
    Coverage,
    ImportBatch,
    SocialReport,
    SocialTarget,
)
from barometre.vocab import fr
from barometre.vocab.platforms import platform_label
from barometre.vocab.status import label_of


def print_targets(err: Console, edition: str, targets: Sequence[SocialTarget]) -> None:
    """The accounts about to be read, or what to do first when there are none."""
    if not targets:
        err.print(
            f"[yellow]Aucun compte social connu dans l'édition {edition} : lancez d'abord "
            "« barometre audit » sur des sites capturés (découverte des comptes), ou "
            "importez des comptes.[/yellow]"
        )
        return
    err.print(
        f"Édition {edition} : {fr.count(sum(len(t.accounts) for t in targets), 'compte')} de "
        f"{fr.count(len(targets), 'collectivité')}."
    )


def print_problems(err: Console, report: SocialReport) -> None:
    """The connectors turned off, the accounts that failed, the warnings of a reading."""
    for name, reason in sorted(report.disabled.items()):
        err.print(f"[yellow]Connecteur {name} désactivé : {reason}[/yellow]")
    for where, error in report.failed:
        err.print(f"[red]Échec {where} : {error}[/red]", highlight=False)
    for warning in report.warnings:
        err.print(f"[yellow]{warning}[/yellow]", highlight=False)


def print_done(console: Console, report: SocialReport) -> None:
    console.print(
        f"{fr.count(report.done, 'compte lu ou enregistré', 'comptes lus ou enregistrés')}, "
        f"{fr.integer(report.skipped)} {fr.plural(report.skipped, 'déjà fait', 'déjà faits')}."
    )


def print_coverage(console: Console, edition: str, found: Coverage) -> None:
    """Accounts present, read and by source, per platform (the coverage figure)."""
    if not found.states:
        console.print(f"Aucun compte social dans l'édition {edition}.")
        return
    table = Table(title=f"Couverture des comptes sociaux — édition {edition}")
    for label in ("Plateforme", "Présents", "Lus", "Couverture", "Sources", "Autres états"):
        table.add_column(label, justify="right" if label in ("Présents", "Lus") else "left")
    for p in found.platforms():
        table.add_row(
            platform_label(p.platform),
            fr.integer(p.present),
            fr.integer(p.read),
            fr.ratio(p.read, p.present),
            ", ".join(f"{label_of(SocialSource(s))} {fr.integer(n)}" for s, n in p.sources.items())
            or "—",
            ", ".join(
                f"{label_of(AccountState(s))} {fr.integer(n)}"
                for s, n in p.states.items()
                if s != AccountState.OK.value
            )
            or "—",
        )
    console.print(table)
    relay = found.relay()
    if relay is not None:
        relayed, posts = relay
        console.print(
            f"Publications qui ne font que relayer une actualité du site : "
            f"{fr.ratio(relayed, posts)} de "
            f"{fr.count(posts, 'publication lue', 'publications lues')} "
            f"({fr.count(len(found.relayed), 'compte')})."
        )


def print_import(
    console: Console, batch: ImportBatch, edition: str, *, declared: bool, recorded: bool
) -> None:
    what = (
        fr.count(len(batch.declared), "chiffre déclaré", "chiffres déclarés")
        if declared
        else f"{fr.count(len(batch.profiles), 'compte')}, "
        f"{fr.count(len(batch.posts), 'publication')}, "
        f"{fr.count(len(batch.followers), 'relevé')} d'abonnés"
    )
    console.print(
        f"Import {batch.format} ({label_of(SocialSource(batch.source))}) dans l'édition {edition} : "
        + what
        + ("" if recorded else " (fichier déjà importé dans cette édition : données remplacées)")
        + "."
    )


def metric_value(name: str, value: float | None) -> str:
    """A social metric in French: a percentage, a whole number or a decimal."""
    if name in PERCENT_METRICS:
        return fr.percent(value, 1)
    if value is not None and float(value).is_integer():
        return fr.integer(int(value))
    return fr.number(value, 2)


def print_accounts(
    console: Console, name: str, edition: str, accounts: Sequence[SocialAccount]
) -> None:
    """The accounts of the collectivité ``name``, their state, source and metrics."""
    if not accounts:
        console.print(f"{name} : aucun compte social dans l'édition {edition}.")
        return
    for account in accounts:
        profile = account.profile
        console.print(
            f"[bold]{platform_label(profile.platform)}[/bold] {profile.handle} — {label_of(profile.state)} "
            f"({label_of(profile.source)}) {profile.url}",
            highlight=False,
        )
        if account.ownership:
            console.print(f"  Compte de la collectivité : {account.ownership}", markup=False)
        if profile.reason:
            console.print(f"  {profile.reason}", markup=False)
        table = Table(show_header=True, box=None, padding=(0, 2))
        for label in ("Indicateur", "Valeur", "Source", "Échantillon"):
            table.add_column(label)
        for metric_name in LABELS:
            metric = account.metrics.get(metric_name)
            if metric is None:
                continue
            table.add_row(
                LABELS[metric_name],
                metric_value(metric_name, metric.value),
                label_of(metric.source),
                fr.integer(metric.sample) if metric.sample is not None else "",
            )
        if account.metrics:
            console.print(table)
