"""The score stage: scores, coverages, grades and ranks of an edition."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import median

from sqlalchemy import Engine

from barometre.errors import ConfigurationError
from barometre.pipeline.core import EditionRun, Setup
from barometre.scoring.run import ScoreReport, score_edition
from barometre.storage import score_repo
from barometre.storage.score_repo import ScoreRow

__all__ = [
    "GroupScores",
    "ScoreReport",
    "ScoreRow",
    "global_scores",
    "group_scores",
    "score",
    "status_counts",
]


def score(setup: Setup, run: EditionRun, *, recalibrate: bool = False) -> ScoreReport:
    """Score every audited collectivité of the edition (a French error when none is)."""
    report = score_edition(
        setup.engine, run.id, run.methodology, demo=run.info.demo, recalibrate=recalibrate
    )
    if not report.scored:
        raise ConfigurationError(
            f"Aucun résultat dans l'édition {run.id} : lancez d'abord « barometre audit »."
        )
    return report


def global_scores(engine: Engine, edition: str) -> list[ScoreRow]:
    return score_repo.load_scores(engine, edition, scope="global")


def status_counts(engine: Engine, edition: str) -> dict[str, Counter[str]]:
    """The statuses of each collectivité's results (by status value)."""
    counts: dict[str, Counter[str]] = {}
    for authority_id, rows in score_repo.iter_results(engine, edition):
        counts[authority_id] = Counter(status.value for _, status, _ in rows)
    return counts


@dataclass(frozen=True)
class GroupScores:
    """The scores of one peer group of an edition."""

    group: str
    members: int
    median: float | None  # of the scores (None when no member has one)
    median_coverage: float
    grades: Counter[str]  # grade → collectivités

    @property
    def graded(self) -> int:
        return sum(self.grades.values())


def group_scores(engine: Engine, edition: str) -> list[GroupScores]:
    """The edition's global scores per peer group, in the order of the groups."""
    groups: dict[str, list[ScoreRow]] = {}
    for row in global_scores(engine, edition):
        groups.setdefault(row.peer_group or "", []).append(row)
    found = []
    for group in sorted(groups):
        members = groups[group]
        values = [r.value for r in members if r.value is not None]
        found.append(
            GroupScores(
                group,
                len(members),
                median(values) if values else None,
                median(r.coverage for r in members),
                Counter(r.grade for r in members if r.grade),
            )
        )
    return found
