"""Score an edition: read its results, complete what is missing, score, grade, rank, store.

A criterion without a stored result for a collectivité is completed here, once, by the
methodology's own rules: not applicable when its rules say so or when the collectivité
has no site (the audit stores only the decided results of site-less collectivités);
otherwise **not measurable** (a declared site that this edition did not capture).

The publication policy (:mod:`barometre.methodology.policy`) then decides what is stored:
a global score, grade and rank only for a collectivité whose site was captured and whose
coverage reaches the threshold; an edition measured from the registry alone stores
coverages and no score at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from barometre.methodology import Methodology
from barometre.methodology.policy import Publication, site_criteria
from barometre.models import Authority, Status
from barometre.scoring.engine import (
    Result,
    Scored,
    calibrate_bands,
    peer_group,
    rank_all,
    score_authority,
    social_index,
)
from barometre.storage import registry_repo, score_repo, social_repo
from barometre.storage.score_repo import ScoreRow

# A national calibration needs at least this many scores with enough coverage, each
# measured in at least this many dimensions (a site audited, not only the registry).
MIN_CALIBRATION = 50
CALIBRATION_DIMENSIONS = 4


@dataclass
class ScoreReport:
    edition: str
    scored: int = 0
    graded: int = 0
    captured: int = 0  # collectivités whose site the edition captured
    publications: Counter[Publication] = field(default_factory=Counter)
    bands: tuple[float, ...] = ()
    calibrated_on: str | None = None
    calibrated_now: bool = False
    groups: Counter[str] = field(default_factory=Counter)
    social: int = 0


def complete_results(
    authority: Authority,
    stored: Sequence[tuple[str, Status, float | None]],
    methodology: Methodology,
) -> list[Result]:
    by_id = {check_id: Result(check_id, status, value) for check_id, status, value in stored}
    out: list[Result] = []
    for criterion in methodology.criteria:
        found = by_id.get(criterion.id)
        if found is not None:
            out.append(found)
            continue
        out.append(Result(criterion.id, criterion.missing_status(authority)))
    return out


def _bands(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    scored: Sequence[Scored],
    captured: Collection[str],
    *,
    demo: bool,
    recalibrate: bool,
    report: ScoreReport,
) -> tuple[float, ...]:
    rules = methodology.scoring
    if rules.bands is not None:
        report.calibrated_on = "méthodologie"
        return tuple(rules.bands)
    if not recalibrate:
        kept = score_repo.calibration(engine, methodology.version, edition if demo else None)
        if kept is not None:
            report.calibrated_on = kept[0]
            return kept[1]
    values = [
        s.value
        for s in scored
        if s.value is not None
        and s.authority_id in captured
        and s.coverage >= rules.min_coverage
        and sum(1 for d in s.dimensions if d.measured) >= CALIBRATION_DIMENSIONS
    ]
    bands = calibrate_bands(values)
    if len(values) < MIN_CALIBRATION and not demo:
        # Too few well-covered scores (an edition measured from the registry alone):
        # provisional bands, never kept as the methodology's calibration.
        report.calibrated_on = None
        score_repo.forget_calibration(engine, methodology.version, edition)
        return bands
    score_repo.keep_calibration(engine, methodology.version, edition, bands, len(values))
    report.calibrated_on, report.calibrated_now = edition, True
    return bands


def score_edition(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    *,
    demo: bool = False,
    recalibrate: bool = False,
) -> ScoreReport:
    """Score every audited collectivité of ``edition`` and replace its stored scores.

    A demonstration edition calibrates its grades on itself and never on the national
    calibration (nor does it change it).
    """
    report = ScoreReport(edition)
    captured = score_repo.site_measured(engine, edition, site_criteria(methodology.criteria))
    authorities: Mapping[str, Authority] = {a.id: a for a in registry_repo.load_authorities(engine)}
    scored: list[Scored] = []
    for authority_id, stored in score_repo.iter_results(engine, edition):
        authority = authorities.get(authority_id)
        if authority is None:
            continue
        scored.append(
            score_authority(
                authority_id, complete_results(authority, stored, methodology), methodology
            )
        )
    bands = _bands(
        engine,
        edition,
        methodology,
        scored,
        captured,
        demo=demo,
        recalibrate=recalibrate,
        report=report,
    )
    groups = {s.authority_id: peer_group(authorities[s.authority_id]) for s in scored}
    ranked = rank_all(
        scored,
        groups,
        bands,
        min_coverage=methodology.scoring.min_coverage,
        captured=captured,
    )
    rows: list[ScoreRow] = []
    for item in ranked:
        rows.append(
            ScoreRow(
                item.authority_id,
                "global",
                item.value,
                item.coverage,
                item.grade,
                item.peer_group,
                item.rank,
            )
        )
        rows.extend(
            ScoreRow(item.authority_id, d.dimension, d.value, d.coverage, None, item.peer_group)
            for d in item.dimensions
        )
        report.groups[item.peer_group or ""] += 1
        report.graded += item.grade is not None
        report.captured += item.authority_id in captured
        if item.publication is not None:
            report.publications[item.publication] += 1
    rows.extend(_social_rows(engine, edition, groups))
    report.social = sum(1 for r in rows if r.scope.startswith("social:"))
    score_repo.replace_scores(engine, edition, rows)
    report.scored = len(ranked)
    report.bands = bands
    return report


def _social_rows(engine: Engine, edition: str, groups: Mapping[str, str]) -> list[ScoreRow]:
    """The 1–5 good-practice index per collectivité and platform, with the share of its
    accounts on that platform that could be read as coverage."""
    levels: dict[tuple[str, str], list[float]] = defaultdict(list)
    for authority_id, platform, _account, value in social_repo.metric_values(
        engine, edition, "good_practice_level"
    ):
        if value is not None:
            levels[(authority_id, platform)].append(value)
    presence = social_repo.platform_presence(engine, edition)
    rows = []
    for (authority_id, platform), values in sorted(levels.items()):
        index = social_index(values)
        present, read = presence.get((authority_id, platform), (len(values), len(values)))
        rows.append(
            ScoreRow(
                authority_id,
                f"social:{platform}",
                index,
                read / present if present else 0.0,
                None,
                groups.get(authority_id),
            )
        )
    return rows
