"""``uv run python -m outside`` (from ``tests/``): agreement per outside source."""

from __future__ import annotations

import sys

from outside.gate import measure, sources, table

if __name__ == "__main__":
    outcomes = [measure(folder) for folder in sources()]
    print(table(outcomes))
    for o in outcomes:
        for case_id, ours, expected in o.undocumented:
            print(f"  {o.source}/{case_id}: nous {ours!r}, attendu {expected!r}")
        for case_id, error in o.errors:
            print(f"  {o.source}/{case_id}: erreur {error}")
        for case_id in o.stale:
            print(f"  {o.source}/{case_id}: d'accord désormais, à retirer de disagreements.toml")
    sys.exit(0 if all(o.ok for o in outcomes) else 1)
