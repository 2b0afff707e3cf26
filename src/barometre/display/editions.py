"""Rich display of scores and editions: the distribution per peer group, the list of
editions, their freezing and archives, the leases, the differences between two."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from barometre.methodology import policy
from barometre.models import Edition
from barometre.pipeline.editions import ArchiveCheck, EditionDiff, Lease
from barometre.pipeline.score import GroupScores, ScoreReport
from barometre.vocab import fr
from barometre.vocab.authorities import peer_group_short
from barometre.vocab.status import GRADES


def print_scores(
    console: Console, edition: str, groups: Sequence[GroupScores], report: ScoreReport
) -> None:
    """The scores per peer group, the publication policy, where the grade bands come from."""
    table = Table(title=f"Scores de l'édition {edition} par groupe de pairs")
    for label in (
        "Groupe",
        "Collectivités",
        "Notées",
        "Score médian",
        "Couverture médiane",
        *GRADES,
    ):
        table.add_column(label, justify="left" if label == "Groupe" else "right")
    for g in groups:
        table.add_row(
            peer_group_short(g.group),
            fr.integer(g.members),
            fr.integer(g.graded),
            fr.score(g.median),
            fr.percent(g.median_coverage),
            *(fr.integer(g.grades[grade]) for grade in GRADES),
        )
    console.print(table)
    console.print(policy.summary(report.publications))
    if report.calibrated_on is None:
        where = (
            "d'un partage provisoire (trop peu de scores bien couverts pour calibrer : "
            "rien n'est gardé)"
        )
    elif report.calibrated_on == "méthodologie":
        where = "de la méthodologie"
    else:
        where = f"de l'édition {report.calibrated_on}" + (
            " (calibrées maintenant)" if report.calibrated_now else ""
        )
    bands = " ; ".join(f"{g} ≥ {fr.score(b)}" for g, b in zip(GRADES, report.bands, strict=False))
    console.print(
        f"Bornes des notes ({bands}) tirées {where}. Une note n'est donnée qu'avec une "
        "couverture suffisante ; le score et sa couverture sont publiés ensemble."
    )
    if report.social:
        console.print(
            f"{fr.count(report.social, 'indice')} de bonnes pratiques sociales (1 à 5) par "
            "collectivité et plateforme."
        )


def print_editions(console: Console, items: Sequence[Edition]) -> None:
    table = Table(title="Éditions")
    for label in ("Édition", "Libellé", "Méthodologie", "Figée le", "Empreinte du manifeste"):
        table.add_column(label)
    for item in items:
        table.add_row(
            item.id,
            item.label + (" (démonstration)" if item.demo else ""),
            item.methodology_version or "—",
            fr.moment(item.frozen_at) if item.frozen_at else "—",
            (item.manifest_sha256 or "—")[:16],
        )
    console.print(table)


def print_archive_check(console: Console, err: Console, result: ArchiveCheck) -> None:
    """The archives read back: all sound (on ``console``), or each damaged site (on ``err``)."""
    records = fr.count(result.records, "enregistrement relu", "enregistrements relus")
    if result.ok:
        console.print(
            f"Édition {result.edition} : {fr.count(result.sites, 'site')}, {records} dans "
            "leurs archives, aucune archive endommagée."
        )
    for damage in result.damaged:
        err.print(
            f"{damage.authority_id} ({', '.join(damage.paths)}) : {damage.describe()}.",
            markup=False,
            highlight=False,
        )


def lease_state(lease: Lease) -> str:
    if lease.owner.alive() is False:
        return "propriétaire disparu : repris au prochain passage"
    return "expiré : repris au prochain passage" if lease.expired() else "actif"


def print_capturing(err: Console, leases: Sequence[Lease]) -> None:
    """The sites still being captured while their archives are read (a warning)."""
    if not leases:
        return
    count = len(leases)
    err.print(
        f"[yellow]{fr.count(count, 'site')} en cours de capture (bail) : "
        f"{'leurs index peuvent' if count > 1 else 'son index peut'} encore changer.[/yellow]"
    )
    for lease in leases:
        err.print(f"  {lease.describe()} ({lease_state(lease)}).", markup=False, highlight=False)


def print_leases(console: Console, edition: str, found: Sequence[Lease]) -> None:
    """The leases in progress (of ``edition``, of every edition when empty)."""
    if not found:
        console.print(
            f"Aucun bail en cours pour l'édition {edition}." if edition else "Aucun bail en cours."
        )
        return
    count = len(found)
    console.print(
        f"{count} {'baux' if count > 1 else 'bail'} en cours (un seul écrivain par édition et "
        "collectivité) :"
    )
    for lease in found:
        console.print(
            f"  {lease.edition} — {lease.describe()} ({lease_state(lease)}).",
            markup=False,
            highlight=False,
        )


def print_diff(
    console: Console,
    before: str,
    after: str,
    found: EditionDiff,
    means: dict[str, tuple[float | None, float | None]],
    limit: int,
) -> None:
    """The mean scores per peer group, the criteria gained and lost, the accounts opened
    and closed, then the ``limit`` largest changes (0: all)."""
    table = Table(title=f"Évolution {before} → {after} par groupe de pairs")
    for label in ("Groupe", f"Score moyen {before}", f"Score moyen {after}", "Écart"):
        table.add_column(label, justify="left" if label == "Groupe" else "right")
    for group, (a, b) in means.items():
        table.add_row(
            peer_group_short(group),
            fr.score(a),
            fr.score(b),
            fr.signed(None if a is None or b is None else b - a, 1),
        )
    console.print(table)
    moves = found.moves
    if moves:
        moved = Table(title="Critères gagnés et perdus")
        for label in ("Critère", "Gagné par", "Perdu par"):
            moved.add_column(label, justify="left" if label == "Critère" else "right")
        for criterion, (won, lost) in sorted(moves.items(), key=lambda kv: -sum(kv[1])):
            moved.add_row(criterion, fr.integer(won), fr.integer(lost))
        console.print(moved)
    console.print(
        f"{fr.count(len(found.changes), 'collectivité changée', 'collectivités changées')} ; "
        f"comptes sociaux : {fr.count(found.opened, 'nouveau', 'nouveaux')}, "
        f"{fr.count(found.closed, 'fermé ou disparu', 'fermés ou disparus')}."
    )
    shown = found.largest(limit)
    if shown:
        detail = Table(title="Plus fortes évolutions")
        for label in ("Collectivité", "Avant", "Après", "Écart", "Note", "Gagnés", "Perdus"):
            detail.add_column(
                label, justify="left" if label in ("Collectivité", "Gagnés", "Perdus") else "right"
            )
        for c in shown:
            detail.add_row(
                found.names.get(c.authority_id, c.authority_id),
                fr.score(c.before),
                fr.score(c.after),
                fr.signed(c.delta, 1),
                f"{c.grade_before or '—'} → {c.grade_after or '—'}",
                ", ".join(c.gained) or "—",
                ", ".join(c.lost) or "—",
            )
        console.print(detail)
