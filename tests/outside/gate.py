"""Load the outside-reference sources and measure our agreement with each one.

See ``README.md`` beside this file for the format of a source.
"""

from __future__ import annotations

import importlib.util
import json
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent
DEFAULT_FLOOR = 0.95
KINDS = {"peer_wrong", "methodology"}


@dataclass(frozen=True)
class Case:
    id: str
    origin: str
    input: Any
    expected: Any


@dataclass
class Outcome:
    source: str
    name: str
    floor: float
    total: int = 0
    agreed: int = 0
    documented: dict[str, str] = field(default_factory=dict)  # id -> why (still disagreeing)
    undocumented: list[tuple[str, Any, Any]] = field(default_factory=list)  # id, ours, expected
    stale: list[str] = field(default_factory=list)  # documented but now agreeing
    errors: list[tuple[str, str]] = field(default_factory=list)  # id, exception

    @property
    def agreement(self) -> float:
        return self.agreed / self.total if self.total else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.total > 0
            and self.agreement >= self.floor
            and not self.undocumented
            and not self.stale
            and not self.errors
        )


def sources() -> list[Path]:
    return sorted(p for p in ROOT.iterdir() if (p / "SOURCE.toml").is_file())


def _meta(folder: Path) -> dict[str, Any]:
    meta = tomllib.loads((folder / "SOURCE.toml").read_text(encoding="utf-8"))
    for key in ("name", "repository", "commit", "paths", "licence", "retrieved"):
        if key not in meta:
            raise ValueError(f"{folder / 'SOURCE.toml'}: champ « {key} » manquant")
    if len(str(meta["commit"])) != 40:
        raise ValueError(
            f"{folder / 'SOURCE.toml'}: « commit » doit avoir 40 chiffres hexadécimaux"
        )
    if "licence_file" in meta and not (folder / meta["licence_file"]).is_file():
        raise ValueError(
            f"{folder / 'SOURCE.toml'}: fichier de licence {meta['licence_file']} absent"
        )
    return meta


def cases(folder: Path) -> Iterator[Case]:
    seen: set[str] = set()
    path = folder / "cases.jsonl"
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                case = Case(raw["id"], raw["origin"], raw["input"], raw["expected"])
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: cas mal formé ({exc})") from exc
            if case.id in seen:
                raise ValueError(f"{path}:{number}: identifiant « {case.id} » en double")
            seen.add(case.id)
            yield case


def disagreements(folder: Path) -> dict[str, str]:
    path = folder / "disagreements.toml"
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("case", []):
        if entry.get("kind") not in KINDS or not entry.get("why"):
            raise ValueError(f"{path}: {entry.get('id')}: « kind » ({KINDS}) et « why » requis")
        out[entry["id"]] = entry["why"]
    return out


def _adapter(folder: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"outside_{folder.name}", folder / "adapter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(folder: Path) -> Outcome:
    meta = _meta(folder)
    adapter = _adapter(folder)
    answer: Callable[[Any], Any] = adapter.answer
    agrees: Callable[[Any, Any], bool] = getattr(adapter, "agrees", lambda a, b: a == b)
    documented = disagreements(folder)
    outcome = Outcome(folder.name, meta["name"], float(meta.get("floor", DEFAULT_FLOOR)))
    ids: set[str] = set()
    for case in cases(folder):
        ids.add(case.id)
        outcome.total += 1
        try:
            ours = answer(case.input)
        except Exception as exc:  # an exception is a disagreement that names itself
            outcome.errors.append((case.id, f"{type(exc).__name__}: {exc}"))
            continue
        if agrees(ours, case.expected):
            outcome.agreed += 1
            if case.id in documented:
                outcome.stale.append(case.id)
        elif case.id in documented:
            outcome.documented[case.id] = documented[case.id]
        else:
            outcome.undocumented.append((case.id, ours, case.expected))
    unknown = set(documented) - ids
    if unknown:
        raise ValueError(f"{folder / 'disagreements.toml'}: cas inconnus {sorted(unknown)}")
    return outcome


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'source':<28} {'accord':>9} {'taux':>7} {'plancher':>8}  écarts documentés"]
    for o in outcomes:
        lines.append(
            f"{o.source:<28} {o.agreed:>4}/{o.total:<4} {o.agreement:>7.1%} {o.floor:>8.0%}  "
            f"{len(o.documented)}" + ("" if o.ok else "  ← ÉCHEC")
        )
    return "\n".join(lines)
