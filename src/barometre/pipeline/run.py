"""The order of the stages, written down once.

The audit and the social stage meet twice: the audit of the sites discovers the
accounts and the news feeds, the social stage reads those accounts, then the audit
evaluates the social criteria on what the social stage recorded. ``barometre run``,
``barometre demo``, ``barometre social``, the tests and the benchmarks all go through
:func:`run_stages`, each giving its own step for the stages it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Stage:
    name: str
    does: str  # what it does, in French
    reads: tuple[str, ...]  # the stages whose records it reads


ORDER: tuple[Stage, ...] = (
    Stage("registry", "registre des collectivités", ()),
    Stage("capture", "capture des sites officiels dans des archives WARC", ("registry",)),
    Stage(
        "audit",
        "critères du registre et des sites ; découverte des comptes sociaux et des flux",
        ("registry", "capture"),
    ),
    Stage("social", "lecture des comptes découverts par l'audit ou déclarés", ("audit",)),
    Stage(
        "social_criteria",
        "critères sociaux (D5–D7, K1), évalués par l'audit sur les comptes lus",
        ("audit", "social"),
    ),
    Stage("score", "scores, notes et rangs", ("audit", "social_criteria")),
    Stage("export", "données ouvertes de l'édition", ("score",)),
    Stage("publish", "site statique de l'édition", ("score", "export")),
)
STAGES = tuple(s.name for s in ORDER)

Step = Callable[[Mapping[str, Any]], Any]


def run_stages(steps: Mapping[str, Step]) -> dict[str, Any]:
    """Call the given steps in the order of :data:`ORDER`, each with the reports of the
    steps already run (by stage name); returns every report."""
    unknown = set(steps) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stages: {sorted(unknown)}")
    done: dict[str, Any] = {}
    for stage in ORDER:
        step = steps.get(stage.name)
        if step is not None:
            done[stage.name] = step(done)
    return done
