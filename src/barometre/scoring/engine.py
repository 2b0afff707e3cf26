"""The scoring engine: criterion results → dimension scores → global score, grades, ranks.

Pure functions, no I/O. The rules (DESIGN.md, result model; criteria.md §6.1):

* a criterion's value is in [0, 1]; only ``pass``, ``partial`` and ``fail`` carry one;
* ``not_applicable`` (or no result at all: a criterion never evaluated for this
  collectivité does not apply to it) leaves the criterion out: its weight goes to the
  other criteria of the dimension;
* ``not_measurable`` is never scored as a failure: it is left out of the score too,
  but it lowers the **coverage** published beside it — the share of the applicable
  weight that could actually be measured;
* a dimension's score is ``100 × Σ wᵢ·vᵢ / Σ wᵢ`` over its measured criteria, and the
  global score the weighted mean of the scored dimensions (dimension weights from the
  methodology); a dimension with nothing measured has no score and does not count;
* grades A–E come from bands (lower bounds of A, B, C, D) calibrated on an observed
  distribution of global scores, and are only given when the coverage reaches
  ``min_coverage``;
* ranks are dense inside a peer group: equal scores (to the published precision) share
  a rank, the next score takes the next integer;
* the publication policy (:mod:`barometre.methodology.policy`) decides what is kept:
  a global score, grade and rank only for a captured site at the coverage threshold,
  ranks among those only, a dimension score only for a captured site whose dimension
  reaches the threshold. Everything else is withheld (``None``), never shown as a number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from statistics import quantiles

from barometre.methodology import Methodology
from barometre.methodology.policy import Publication, publication, publishable
from barometre.models import Authority, AuthorityKind, Status
from barometre.vocab.authorities import COMMUNE_BANDS
from barometre.vocab.status import GRADES

MEASURED = frozenset({Status.PASS, Status.PARTIAL, Status.FAIL})
PRECISION = 1  # scores are published with one decimal; ties are judged on that
DEFAULT_MIN_COVERAGE = 0.5

# DESIGN.md, peer groups.
EPCI_GROUPS = {"CC": "CC", "CA": "CA", "CU": "CU", "METRO": "Métropole", "MET69": "Métropole"}


@dataclass(frozen=True, slots=True)
class Result:
    """What the engine needs of one criterion result."""

    check_id: str
    status: Status
    value: float | None = None


@dataclass(frozen=True, slots=True)
class DimensionScore:
    dimension: str
    value: float | None  # 0–100, None when nothing was measured
    coverage: float  # measured weight ÷ applicable weight, 0 when nothing applies
    measured: int
    not_measurable: int

    @property
    def applicable(self) -> int:
        return self.measured + self.not_measurable


@dataclass(frozen=True, slots=True)
class Scored:
    authority_id: str
    value: float | None
    coverage: float
    dimensions: tuple[DimensionScore, ...]
    grade: str | None = None
    peer_group: str | None = None
    rank: int | None = None
    publication: Publication | None = None


def dimension_score(dimension: str, weighted: Iterable[tuple[float, Result]]) -> DimensionScore:
    """Score of one dimension from ``(weight, result)`` pairs of its criteria."""
    total = weight_sum = measured_weight = applicable_weight = 0.0
    measured = unmeasurable = 0
    for weight, result in weighted:
        if result.status in MEASURED and result.value is not None:
            total += weight * min(1.0, max(0.0, result.value))
            weight_sum += weight
            measured_weight += weight
            applicable_weight += weight
            measured += 1
        elif result.status is Status.NOT_MEASURABLE:
            applicable_weight += weight
            unmeasurable += 1
    score = round(100 * total / weight_sum, 6) if weight_sum > 0 else None
    coverage = measured_weight / applicable_weight if applicable_weight > 0 else 0.0
    return DimensionScore(dimension, score, round(coverage, 6), measured, unmeasurable)


def score_authority(
    authority_id: str, results: Iterable[Result], methodology: Methodology
) -> Scored:
    """Dimension and global scores of one collectivité (results of other criteria,
    unknown to this methodology, are ignored)."""
    by_id = {r.check_id: r for r in results}
    dimensions: list[DimensionScore] = []
    for dimension, criteria in methodology.by_dimension():
        pairs = [(c.weight, by_id[c.id]) for c in criteria if c.id in by_id]
        dimensions.append(dimension_score(dimension.id, pairs))
    weights = {d.id: d.weight for d in methodology.dimensions}
    scored = [d for d in dimensions if d.value is not None]
    value = None
    if scored:
        total = sum(weights[d.dimension] for d in scored)
        value = round(sum(weights[d.dimension] * (d.value or 0.0) for d in scored) / total, 6)
    applicable = [d for d in dimensions if d.applicable]
    coverage = 0.0
    if applicable:
        total = sum(weights[d.dimension] for d in applicable)
        coverage = round(sum(weights[d.dimension] * d.coverage for d in applicable) / total, 6)
    return Scored(authority_id, value, coverage, tuple(dimensions))


# --- peer groups, ranks, grades ---------------------------------------------------------


def peer_group(authority: Authority) -> str:
    """The group a collectivité is compared within (DESIGN.md, peer groups).

    The group is its kind: the registry files each collectivité, once, under the lowest
    level whose powers it exercises (:mod:`barometre.registry.collectivites`), so the
    départements' group holds the Collectivité de Corse, the Collectivité européenne
    d'Alsace, the Métropole de Lyon and the single collectivités of Martinique, Guyane
    and Mayotte beside the départements, and Paris is a commune of over 100,000.
    """
    if authority.kind is AuthorityKind.COMMUNE:
        population = authority.population or 0
        for index, (upper, _label) in enumerate(COMMUNE_BANDS):
            if population < upper:
                return f"commune:{index + 1}"
        return f"commune:{len(COMMUNE_BANDS) + 1}"
    if authority.kind is AuthorityKind.EPCI:
        return f"epci:{EPCI_GROUPS.get(authority.epci_type or '', authority.epci_type or 'autre')}"
    return authority.kind.value


def published(value: float) -> float:
    return round(value, PRECISION)


def dense_ranks(scores: Mapping[str, float | None]) -> dict[str, int]:
    """Dense ranks (1 = best) of the scored ids; unscored ids get none.

    Ties are judged on the published precision, so two collectivités shown with the
    same score never get different ranks; the result does not depend on input order.
    """
    levels = sorted({published(v) for v in scores.values() if v is not None}, reverse=True)
    rank_of = {level: i + 1 for i, level in enumerate(levels)}
    return {k: rank_of[published(v)] for k, v in scores.items() if v is not None}


def calibrate_bands(values: Sequence[float]) -> tuple[float, float, float, float]:
    """Lower bounds of A, B, C, D: the quintiles of an observed distribution.

    A is the top fifth of the calibration population, E the bottom fifth. With fewer
    than five values the bands are the even split of the 0–100 scale.
    """
    even = (80.0, 60.0, 40.0, 20.0)
    if len(values) < 5:
        return even
    cuts = quantiles(sorted(values), n=5, method="inclusive")  # 20, 40, 60, 80 %
    bands = (round(cuts[3], 1), round(cuts[2], 1), round(cuts[1], 1), round(cuts[0], 1))
    if not all(a > b for a, b in pairwise(bands)):
        return even  # a distribution with too many equal scores cannot be cut in five
    return bands


def grade(
    value: float | None,
    coverage: float,
    bands: Sequence[float],
    *,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
) -> str | None:
    """A–E for a score, or ``None`` when there is no score or too little coverage."""
    if value is None or coverage < min_coverage:
        return None
    shown = published(value)
    for letter, lower in zip(GRADES, bands, strict=False):
        if shown >= lower:
            return letter
    return GRADES[-1]


def rank_all(
    scored: Sequence[Scored],
    groups: Mapping[str, str],
    bands: Sequence[float],
    *,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    captured: Collection[str] | None = None,
) -> list[Scored]:
    """Grades and dense ranks inside each peer group (``groups``: id → group), under the
    publication policy: ``captured`` names the collectivités whose site the edition
    captured (``None``: all of them). A collectivité that is not graded keeps its
    coverage and gets no global score, grade nor rank; a dimension keeps its score only
    when the site was captured and the dimension's coverage reaches the threshold."""

    def was_captured(authority_id: str) -> bool:
        return captured is None or authority_id in captured

    status = {
        item.authority_id: publication(was_captured(item.authority_id), item.coverage, min_coverage)
        if item.value is not None or not was_captured(item.authority_id)
        else Publication.INSUFFICIENT
        for item in scored
    }
    by_group: dict[str, dict[str, float | None]] = {}
    for item in scored:
        graded = status[item.authority_id] is Publication.GRADED
        by_group.setdefault(groups.get(item.authority_id, ""), {})[item.authority_id] = (
            item.value if graded else None
        )
    ranks: dict[str, int] = {}
    for members in by_group.values():
        ranks.update(dense_ranks(members))
    out = []
    for item in scored:
        graded = status[item.authority_id] is Publication.GRADED
        site = was_captured(item.authority_id)
        dimensions = tuple(
            d if publishable(site, d.coverage, min_coverage) else replace(d, value=None)
            for d in item.dimensions
        )
        out.append(
            Scored(
                item.authority_id,
                item.value if graded else None,
                item.coverage,
                dimensions,
                grade(item.value, item.coverage, bands, min_coverage=min_coverage)
                if graded
                else None,
                groups.get(item.authority_id),
                ranks.get(item.authority_id),
                status[item.authority_id],
            )
        )
    return out


def social_index(levels: Iterable[float]) -> float | None:
    """The 1–5 good-practice index of a collectivité on one platform: the mean of its
    accounts' levels there (criteria.md §5.5), one decimal."""
    values = [v for v in levels if v is not None]
    return round(sum(values) / len(values), 1) if values else None
