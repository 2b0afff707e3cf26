"""The score stage: scores, coverages, grades and ranks of an edition."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine

from barometre.errors import ConfigurationError
from barometre.pipeline.core import EditionRun, Setup
from barometre.scoring.run import ScoreReport, score_edition
from barometre.storage import score_repo
from barometre.storage.score_repo import ScoreRow

__all__ = ["ScoreReport", "ScoreRow", "global_scores", "score", "status_counts"]


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
