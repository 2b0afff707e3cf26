"""EcoIndex cases through :mod:`barometre.checks.ecoindex` (the T9 computation)."""

from __future__ import annotations

import math
from typing import Any

from barometre.checks import ecoindex as eco

SCALES = {
    "dom": eco.DOM_QUANTILES,
    "requests": eco.REQUEST_QUANTILES,
    "size": eco.SIZE_KB_QUANTILES,
}


def answer(case: dict[str, Any]) -> Any:
    kind = case["kind"]
    if kind == "quantile":
        return eco.quantile_position(case["value"], SCALES[case["scale"]])
    if kind == "grade":
        return eco.grade(case["score"])
    result = eco.ecoindex(case["dom"], case["requests"], case["size_kb"])
    if kind == "score":
        return round(result.score)
    return {"score": round(result.score), "grade": result.grade}


def agrees(ours: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return math.isclose(ours, expected, rel_tol=1e-9)
    return bool(ours == expected)
