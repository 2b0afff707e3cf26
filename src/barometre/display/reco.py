"""Rich display of recommendations, the provider view and the collectivités'
explanations (``barometre recommend``, ``providers``, ``explanation``, ``explain``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from barometre.display.results import describe_evidence
from barometre.methodology import bundled
from barometre.models import Authority
from barometre.pipeline.reco import Explanation, Plan, ProviderReport, Recommendation, expl
from barometre.pipeline.score import ScoreRow
from barometre.vocab import fr
from barometre.vocab.authorities import peer_group_label
from barometre.vocab.cms import category_label
from barometre.vocab.status import label_of

EVIDENCE_SHOWN = 3


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


def print_explanations(console: Console, items: Sequence[Explanation], on: date) -> None:
    """The explanations and disputes of one result, for ``barometre explain``: shown
    beside the measured result, which they leave as it is."""
    if not items:
        return
    for line in explanation_lines(items, on):
        console.print(f"  {line}", markup=False, highlight=False)
    console.print(
        "  [dim]Le résultat mesuré reste celui affiché : une explication ou une "
        "contestation est publiée à côté, sans le modifier.[/dim]"
    )


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


def print_score(console: Console, score: ScoreRow | None) -> None:
    """The global score under a plan, when there is one."""
    if score is not None and score.value is not None:
        console.print(
            f"[dim]Score global {fr.score(score.value)} sur 100, couverture "
            f"{fr.percent(score.coverage)}.[/dim]"
        )


def print_providers(
    console: Console, edition: str, found: ProviderReport, min_sites: int, criteria: int
) -> None:
    """The CMS and providers whose sites concentrate failures (``criteria``: criteria
    listed per provider, 0: all), against the national rates."""
    members, profiles = found.members, found.profiles
    if not members:
        console.print(
            f"Aucun CMS ni prestataire relevé dans l'édition {edition} (ils viennent de l'audit "
            "des sites capturés)."
        )
        return
    if not profiles:
        console.print(
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
            console.print(table)
            top = shown[0]
            console.print(
                f"{profile.label} : {fr.count(profile.sites, 'site')}, « {top.criterion.name} » en "
                f"échec sur {fr.ratio(top.failed, top.measured)} ({fr.integer(top.failed)} sur "
                f"{fr.integer(top.measured)}) contre {fr.ratio(top.national_failed, top.national_measured)}"
                " au national.",
                markup=False,
                highlight=False,
            )
        else:
            console.print(
                f"{profile.label} ({kind}) : {fr.count(profile.sites, 'site')}, aucun critère plus "
                "souvent en échec qu'au national.",
                markup=False,
                highlight=False,
            )
    console.print(
        "[dim]Échec : statut « échec » parmi les sites mesurés sur le critère (non applicables "
        "et non mesurables exclus) ; national : toutes les collectivités de l'édition mesurées "
        "sur le critère ; excès : échecs observés moins échecs attendus au taux national. Un CMS "
        "ou un prestataire n'est pas responsable de tout ce que ses sites publient.[/dim]"
    )


def print_import(console: Console, name: str, added: int, updated: int, unchanged: int) -> None:
    console.print(
        f"{name} : {fr.count(added, 'ajoutée')}, "
        f"{fr.count(updated, 'mise à jour', 'mises à jour')}, "
        f"{fr.integer(unchanged)} {fr.plural(unchanged, 'déjà présente')}. "
        "Elles s'affichent à côté des "
        "résultats et ne changent aucun résultat mesuré.",
        highlight=False,
    )


def print_explanations_table(
    console: Console, items: Sequence[Explanation], names: Mapping[str, str], on: date
) -> None:
    """The stored explanations and disputes, with their state on the day ``on``."""
    if not items:
        console.print("Aucune explication enregistrée.")
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
    console.print(table)
