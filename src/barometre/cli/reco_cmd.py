"""``barometre recommend``, ``barometre providers`` and ``barometre explanation``.

Recommendations rank a collectivité's failed and partial criteria; the provider view
shows which CMS and web providers concentrate failures; explanations and disputes of
collectivités are imported from CSV or TOML files and shown beside the results, which
they never change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import (
    AppContext,
    AuthorityCode,
    AuthorityKindOption,
    ensure_registry,
    find_authorities,
)
from barometre.cli.render import describe_evidence
from barometre.errors import StorageError
from barometre.methodology import bundled
from barometre.models import Authority
from barometre.pipeline import reco
from barometre.pipeline.reco import (
    DEFAULT_MIN_SITES,
    Explanation,
    Plan,
    Recommendation,
    edition_reference,
    expl,
)
from barometre.vocab import fr
from barometre.vocab.authorities import peer_group_label
from barometre.vocab.cms import category_label
from barometre.vocab.status import label_of

explanation_app = typer.Typer(
    help="Explications et contestations des collectivités, affichées à côté des résultats.",
    no_args_is_help=True,
)

EVIDENCE_SHOWN = 3


class ProviderKind(StrEnum):
    tous = "tous"
    cms = "cms"
    prestataire = "prestataire"


# --- explanations beside a result ---------------------------------------------------------


def explanation_lines(items: Sequence[Explanation], on: date) -> list[str]:
    """French lines describing the explanations of one result for a day ``on``."""
    lines = []
    for item, state in expl.current_state(items, on):
        who = f" — {item.author}" if item.author else ""
        if state is expl.State.CURRENT:
            head = (
                f"{expl.label(item).capitalize()} de la collectivité (reçue le "
                f"{fr.numeric_day(item.received_on)}, valable jusqu'au "
                f"{fr.numeric_day(item.expires_on)})"
            )
        elif state is expl.State.EXPIRED:
            head = (
                f"{expl.label(item).capitalize()} expirée le {fr.numeric_day(item.expires_on)} "
                f"(reçue le {fr.numeric_day(item.received_on)})"
            )
        else:
            head = (
                f"{expl.label(item).capitalize()} reçue le {fr.numeric_day(item.received_on)}, "
                "après cette édition (elle vaut pour les éditions suivantes)"
            )
        lines.append(f"{head} : « {item.text} »{who}")
    return lines


def print_explanations(
    console: Console, engine: Engine, authority_id: str, check_id: str, edition: str
) -> None:
    """The explanations and disputes of one result, for ``barometre explain``: shown
    beside the measured result, which they leave as it is."""
    items = reco.explanations_of(engine, authority_id, check_id)
    if not items:
        return
    try:
        on = edition_reference(engine, edition)
    except StorageError:
        on = date.today()
    for line in explanation_lines(items, on):
        console.print(f"  {line}", markup=False, highlight=False)
    console.print(
        "  [dim]Le résultat mesuré reste celui affiché : une explication ou une "
        "contestation est publiée à côté, sans le modifier.[/dim]"
    )


# --- recommendations ----------------------------------------------------------------------


def _print_recommendation(
    console: Console, rank: int, item: Recommendation, on: date, authority_code: str
) -> None:
    console.print(
        f"[bold]{rank}. {item.code} {item.name}[/bold] — {item.nature} — "
        f"{label_of(item.status)} (valeur {fr.number(item.value, 2)})",
        highlight=False,
    )
    peers = (
        f"{fr.percent(item.peers.share)} des pairs réussissent ({fr.integer(item.peers.passed)} "
        f"sur {fr.integer(item.peers.measured)} {fr.plural(item.peers.measured, 'mesuré')})"
        if item.peers.measured
        else "aucun pair mesuré sur ce critère"
    )
    console.print(
        f"   Priorité {fr.number(item.priority * 100, 2)} = poids "
        f"{fr.percent(item.weight, 2)} du score × écart {fr.number(item.gap, 2)} × {peers}",
        highlight=False,
    )
    console.print(f"   À faire : {item.advice}", markup=False, highlight=False)
    if item.legal_basis:
        console.print(f"   Base légale : {item.legal_basis}", markup=False, highlight=False)
    elif item.bonus:
        console.print(f"   Obligation comptée en bonus seulement : {item.bonus}", markup=False)
    else:
        console.print(f"   Référence : {item.criterion.basis}", markup=False, highlight=False)
    if item.reason:
        console.print(f"   Motif : {item.reason}", markup=False, highlight=False)
    for evidence in item.evidence[:EVIDENCE_SHOWN]:
        console.print(f"   Preuve — {describe_evidence(evidence)}", markup=False, highlight=False)
    if len(item.evidence) > EVIDENCE_SHOWN:
        console.print(
            f"   … {fr.count(len(item.evidence) - EVIDENCE_SHOWN, 'autre preuve', 'autres preuves')} : barometre explain "
            f"{authority_code} {item.code}",
            markup=False,
            highlight=False,
        )
    for line in explanation_lines(item.explanations, on):
        console.print(f"   {line}", markup=False, highlight=False)


def print_plan(
    console: Console, authority: Authority, plan: Plan, edition: str, on: date, limit: int = 0
) -> None:
    shown = plan.recommendations if limit <= 0 else plan.recommendations[:limit]
    console.print(
        f"[bold]{escape(authority.name)}[/bold] ({authority.id}) — édition {edition}, "
        f"groupe de pairs : "
        f"{peer_group_label(plan.peer_group)}",
        highlight=False,
    )
    console.print(
        f"{fr.count(len(plan.recommendations), 'critère')} à améliorer, "
        f"{fr.count(plan.passed, 'réussi')}, "
        f"{fr.count(plan.not_applicable, 'non applicable', 'non applicables')}, "
        f"{fr.integer(len(plan.to_verify))} à vérifier."
    )
    if not plan.recommendations:
        console.print("Aucun critère en échec ni partiel dans cette édition.")
    for rank, item in enumerate(shown, 1):
        console.print()
        _print_recommendation(console, rank, item, on, authority.id)
    if len(shown) < len(plan.recommendations):
        console.print(
            f"\n… et {fr.count(len(plan.recommendations) - len(shown), 'autre')} "
            "(--limit 0 pour tout afficher)."
        )
    if plan.to_verify:
        console.print("\n[bold]À vérifier[/bold] (non mesurés, jamais comptés comme des échecs) :")
        for check in plan.to_verify:
            console.print(
                f" • {check.criterion.code} {check.criterion.name} : {check.reason}",
                markup=False,
                highlight=False,
            )
            for line in explanation_lines(check.explanations, on):
                console.print(f"   {line}", markup=False, highlight=False)
    console.print(
        "\n[dim]Priorité = poids du critère dans le score global × écart à la réussite × "
        "part des collectivités du même groupe qui réussissent déjà ce critère.[/dim]"
    )


def recommend_command(
    ctx: typer.Context,
    code: AuthorityCode,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    kind: AuthorityKindOption = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Recommandations affichées (0 : toutes).")
    ] = 0,
) -> None:
    """Les critères à améliorer d'une collectivité, par priorité, avec preuves et conseils."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    view = reco.edition_view(context.setup, edition)
    on = view.on
    for authority in find_authorities(context, [code], kind):
        found = reco.authority_plan(context.setup, view, authority)
        plan, score = found.plan, found.score
        print_plan(context.console, authority, plan, edition, on, limit)
        if score is not None and score.value is not None:
            context.console.print(
                f"[dim]Score global {fr.score(score.value)} sur 100, couverture "
                f"{fr.percent(score.coverage)}.[/dim]"
            )


# --- provider view --------------------------------------------------------------------------


def providers_command(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    min_sites: Annotated[
        int, typer.Option("--min-sites", min=1, help="Sites au moins par CMS ou prestataire.")
    ] = DEFAULT_MIN_SITES,
    criteria: Annotated[
        int, typer.Option("--criteres", min=0, help="Critères listés par prestataire (0 : tous).")
    ] = 5,
    what: Annotated[ProviderKind, typer.Option("--type", help="CMS, prestataires ou tous.")] = (
        ProviderKind.tous
    ),
) -> None:
    """Les CMS et prestataires dont les sites concentrent des échecs, contre le national."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    categories = {
        ProviderKind.tous: ("cms", "provider"),
        ProviderKind.cms: ("cms",),
        ProviderKind.prestataire: ("provider",),
    }[what]
    with context.err.status(f"Échecs par CMS et prestataire, édition {edition}…"):
        found = reco.providers(context.setup, edition, categories, min_sites)
    members, profiles = found.members, found.profiles
    if not members:
        context.console.print(
            f"Aucun CMS ni prestataire relevé dans l'édition {edition} (ils viennent de l'audit "
            "des sites capturés)."
        )
        return
    if not profiles:
        context.console.print(
            f"Aucun CMS ni prestataire sur au moins {fr.integer(min_sites)} sites dans l'édition "
            f"{edition} ({fr.count(members, 'relevé')} en tout ; voir --min-sites)."
        )
        return
    for profile in profiles:
        kind = category_label(profile.category)
        table = Table(
            title=Text(
                f"{profile.label} ({kind}) : {fr.count(profile.sites, 'site')}, "
                f"{fr.number(profile.excess, 1)} {fr.plural(profile.excess, 'échec')} de plus "
                "qu'au taux national"
            ),
            title_justify="left",
        )
        for label in ("Critère", "Échecs", "Taux", "National", "Taux national", "Excès"):
            table.add_column(label, justify="left" if label == "Critère" else "right")
        rows = profile.concentrated()
        shown = rows if criteria == 0 else rows[:criteria]
        for row in shown:
            table.add_row(
                f"{row.criterion.code} {row.criterion.name}",
                f"{fr.integer(row.failed)} / {fr.integer(row.measured)}",
                fr.ratio(row.failed, row.measured),
                f"{fr.integer(row.national_failed)} / {fr.integer(row.national_measured)}",
                fr.ratio(row.national_failed, row.national_measured),
                fr.signed(row.excess, 1),
            )
        if shown:
            context.console.print(table)
            top = shown[0]
            context.console.print(
                f"{profile.label} : {fr.count(profile.sites, 'site')}, « {top.criterion.name} » en "
                f"échec sur {fr.ratio(top.failed, top.measured)} ({fr.integer(top.failed)} sur "
                f"{fr.integer(top.measured)}) contre {fr.ratio(top.national_failed, top.national_measured)}"
                " au national.",
                markup=False,
                highlight=False,
            )
        else:
            context.console.print(
                f"{profile.label} ({kind}) : {fr.count(profile.sites, 'site')}, aucun critère plus "
                "souvent en échec qu'au national.",
                markup=False,
                highlight=False,
            )
    context.console.print(
        "[dim]Échec : statut « échec » parmi les sites mesurés sur le critère (non applicables "
        "et non mesurables exclus) ; national : toutes les collectivités de l'édition mesurées "
        "sur le critère ; excès : échecs observés moins échecs attendus au taux national. Un CMS "
        "ou un prestataire n'est pas responsable de tout ce que ses sites publient.[/dim]"
    )


# --- explanation import / list --------------------------------------------------------------


@explanation_app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Fichier CSV ou TOML d'explications.")],
    methodology: Annotated[
        str, typer.Option("--methodologie", help="Version embarquée ou fichier TOML.")
    ] = "",
) -> None:
    """Importer des explications et contestations (CSV ou TOML) ; réimporter ne change rien."""
    context: AppContext = ctx.obj
    items = reco.read_explanations(path, methodology)
    ensure_registry(context)
    report = reco.store_explanations(context.setup, path, items)
    context.console.print(
        f"{path.name} : {fr.count(report.added, 'ajoutée')}, "
        f"{fr.count(report.updated, 'mise à jour', 'mises à jour')}, "
        f"{fr.integer(report.unchanged)} {fr.plural(report.unchanged, 'déjà présente')}. "
        "Elles s'affichent à côté des "
        "résultats et ne changent aucun résultat mesuré.",
        highlight=False,
    )


@explanation_app.command("list")
def list_command(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Argument(help="Code ou identifiant de collectivité (toutes sinon).")
    ] = None,
    kind: AuthorityKindOption = None,
    edition: Annotated[
        str,
        typer.Option(
            "--edition", "-e", help="État jugé à la date de cette édition (sinon : ce jour)."
        ),
    ] = "",
) -> None:
    """Les explications et contestations enregistrées, avec leur état (en vigueur, expirée…)."""
    context: AppContext = ctx.obj
    engine = context.engine
    on = edition_reference(engine, check_edition(edition)) if edition else date.today()
    ids = None
    if code:
        ids = [a.id for a in find_authorities(context, [code], kind)]
    items, names = reco.explanations(context.setup, ids)
    if not items:
        context.console.print("Aucune explication enregistrée.")
        return
    grid = bundled()
    codes = {c.id: c.code for c in grid.criteria}
    table = Table(title=f"Explications et contestations (état au {fr.numeric_day(on)})")
    for label in ("Collectivité", "Critère", "Nature", "Reçue le", "Expire le", "État"):
        table.add_column(label, no_wrap=label in ("Critère", "Reçue le", "Expire le"))
    table.add_column("Texte", overflow="fold", ratio=1)
    for item in items:
        state = expl.state(item, on)
        text = item.text if len(item.text) <= 120 else item.text[:119] + "…"
        table.add_row(
            Text(f"{names.get(item.authority_id, '')} ({item.authority_id})"),
            codes.get(item.check_id, item.check_id),
            expl.label(item),
            fr.numeric_day(item.received_on),
            fr.numeric_day(item.expires_on),
            state.label,
            Text(text + (f" — {item.author}" if item.author else "")),
        )
    context.console.print(table)
