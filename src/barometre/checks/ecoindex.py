"""The EcoIndex of a page: a 0-100 score and an A-G grade from three measures.

EcoIndex (GreenIT / Collectif Conception Numérique Responsable) places a page's DOM
element count, request count and transferred size (KB) on quantile scales built from
the HTTP Archive, then weighs them 3:2:1::

    score = 100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6

where ``q_x`` is the interpolated position (0-20) of the measure among the quantiles
[criteria.md §3 T9]. The quantile tables below are the published ones of the cnumr
project (cnumr/ecoindex_python_fullstack, "ecoindex-compute"), used here as data with
attribution; the arithmetic is written for this project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Published EcoIndex quantiles (cnumr/ecoindex_python_fullstack, HTTP Archive sample).
DOM_QUANTILES: tuple[float, ...] = (
    0, 47, 75, 159, 233, 298, 358, 417, 476, 537, 603,
    674, 753, 843, 949, 1076, 1237, 1459, 1801, 2479, 594601,
)  # fmt: skip
REQUEST_QUANTILES: tuple[float, ...] = (
    0, 2, 15, 25, 34, 42, 49, 56, 63, 70, 78,
    86, 95, 105, 117, 130, 147, 170, 205, 281, 3920,
)  # fmt: skip
SIZE_KB_QUANTILES: tuple[float, ...] = (
    0, 1.37, 144.7, 319.53, 479.46, 631.97, 783.38, 937.91, 1098.62, 1265.47, 1448.32,
    1648.27, 1876.08, 2142.06, 2465.37, 2866.31, 3401.59, 4155.73, 5400.08, 8037.54,
    223212.26,
)  # fmt: skip

# Grade thresholds: the score must be strictly above the bound [criteria.md §3 T9].
GRADES: tuple[tuple[float, str], ...] = (
    (80, "A"),
    (70, "B"),
    (55, "C"),
    (40, "D"),
    (25, "E"),
    (10, "F"),
)


@dataclass(frozen=True, slots=True)
class EcoIndex:
    score: float  # 0-100
    grade: str  # A-G
    dom_nodes: int
    requests: int
    size_kb: float


def quantile_position(value: float, quantiles: Sequence[float]) -> float:
    """Where ``value`` falls on the scale, linearly interpolated between quantiles
    (0 for the smallest, ``len(quantiles) - 1`` at or beyond the largest)."""
    if value < 0:
        raise ValueError("une mesure EcoIndex ne peut pas être négative")
    for index in range(1, len(quantiles)):
        upper = quantiles[index]
        if value < upper:
            lower = quantiles[index - 1]
            return index - 1 + (value - lower) / (upper - lower)
    return float(len(quantiles) - 1)


def grade(score: float) -> str:
    return next((letter for bound, letter in GRADES if score > bound), "G")


def ecoindex(dom_nodes: int, requests: int, size_kb: float) -> EcoIndex:
    """The EcoIndex of a page from its DOM element count, request count and size in KB."""
    q_dom = quantile_position(dom_nodes, DOM_QUANTILES)
    q_req = quantile_position(requests, REQUEST_QUANTILES)
    q_size = quantile_position(size_kb, SIZE_KB_QUANTILES)
    score = 100 - 5 * (3 * q_dom + 2 * q_req + q_size) / 6
    score = round(max(0.0, min(100.0, score)), 2)
    return EcoIndex(score, grade(score), dom_nodes, requests, round(size_kb, 2))
