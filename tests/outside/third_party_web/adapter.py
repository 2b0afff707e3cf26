"""third-party-web's cases through :mod:`barometre.checks.thirdparty` (L6, L7, K2)."""

from __future__ import annotations

from typing import Any

from barometre.checks.thirdparty import Directory, classify


def answer(case: dict[str, Any]) -> Any:
    url = case["url"] if "url" in case else case["repeat"] * case["times"]
    if "dataset" in case:
        found = Directory(case["dataset"]).match(url)
        return {"entity": found.entity.name if found else None, "category": None}
    found = classify(url)
    if case.get("want") == "product":
        return {"product": found.product.name if found and found.product else None}
    return {
        "entity": found.entity.name if found else None,
        "category": found.entity.category if found else None,
    }


def agrees(ours: Any, expected: Any) -> bool:
    return bool(ours == expected)
