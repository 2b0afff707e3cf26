"""Outside-reference gate: our detectors against the peers' own test cases.

Each source under ``tests/outside/`` must reach its floor (0.95 by default), and every
disagreement must be documented with its reason (see ``tests/outside/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outside.gate import measure, sources

SOURCES = sources()


def test_there_are_sources() -> None:
    assert len(SOURCES) >= 1


@pytest.mark.parametrize("folder", SOURCES, ids=[p.name for p in SOURCES])
def test_source_agreement(folder: Path) -> None:
    outcome = measure(folder)
    problems = [f"{cid}: nous {ours!r}, attendu {exp!r}" for cid, ours, exp in outcome.undocumented]
    problems += [f"{cid}: exception {err}" for cid, err in outcome.errors]
    problems += [
        f"{cid}: d'accord désormais, à retirer de disagreements.toml" for cid in outcome.stale
    ]
    assert not problems, f"{outcome.name}: " + "\n".join(problems[:40])
    assert outcome.agreement >= outcome.floor, (
        f"{outcome.name}: {outcome.agreed}/{outcome.total} = {outcome.agreement:.1%} "
        f"sous le plancher {outcome.floor:.0%}"
    )
