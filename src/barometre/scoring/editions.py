"""Monthly editions: freezing with a checksummed manifest, verification, differences.

Freezing an edition records what it is made of — methodology version and digest, the
version of every check, every archive file with its SHA-256, and a digest of each of
its tables — in a manifest whose own SHA-256 is kept in the database and written
beside the data (``<data>/editions/<edition>/manifest.json``). From then on every write
to the edition is refused (storage checks it), archive files are made read-only, and
:func:`verify_edition` recomputes everything: any change to a row, a file or the
manifest itself is reported.
"""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from barometre import __version__
from barometre.errors import EditionTamperedError, StorageError
from barometre.methodology import Methodology
from barometre.models import Edition
from barometre.storage import edition_repo

MANIFEST_FORMAT = 1


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def manifest_sha256(manifest: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(manifest)).hexdigest()


def methodology_sha256(methodology: Methodology) -> str:
    """Digest of what decides results and scores: advice texts are left out, so that a
    rewording of a recommendation never makes a frozen edition look altered."""
    data = methodology.model_dump_json(exclude={"criteria": {"__all__": {"advice"}}})
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _archives(engine: Engine, edition: str, data_dir: Path) -> list[Path]:
    files = {Path(p) for p in edition_repo.archive_files(engine, edition)}
    social = data_dir / "warc" / edition / "social"
    if social.is_dir():
        files.update(p for p in social.rglob("*.warc.gz") if p.is_file())
    return sorted(files)


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(data_dir.resolve()))
    except ValueError:
        return str(path)


def build_manifest(
    engine: Engine, edition: str, data_dir: Path, methodology: Methodology
) -> dict[str, Any]:
    info = edition_repo.get_edition(engine, edition)
    archives = [
        {
            "path": _relative(path, data_dir),
            "sha256": sha256_file(path),
            "bytes": path.stat().st_size,
        }
        for path in _archives(engine, edition, data_dir)
        if path.exists()
    ]
    return {
        "format": MANIFEST_FORMAT,
        "edition": edition,
        "label": info.label,
        "demo": info.demo,
        "software": f"barometre {__version__}",
        "methodology": {
            "version": methodology.version,
            "sha256": methodology_sha256(methodology),
        },
        "checks": edition_repo.check_versions(engine, edition),
        "tables": edition_repo.table_digests(engine, edition),
        "registry": edition_repo.registry_digest(engine, edition),
        "archives": archives,
    }


def manifest_path(data_dir: Path, edition: str) -> Path:
    return data_dir / "editions" / edition / "manifest.json"


def freeze_edition(
    engine: Engine, edition: str, data_dir: Path, methodology: Methodology
) -> tuple[dict[str, Any], str]:
    """Freeze ``edition``: manifest in the database and on disk, archives read-only."""
    info = edition_repo.get_edition(engine, edition)
    if info.methodology_version and info.methodology_version != methodology.version:
        raise StorageError(
            f"L'édition {edition} a été auditée avec la méthodologie "
            f"{info.methodology_version}, pas {methodology.version}."
        )
    manifest = build_manifest(engine, edition, data_dir, methodology)
    digest = manifest_sha256(manifest)
    edition_repo.freeze(engine, edition, manifest, digest)
    path = manifest_path(data_dir, edition)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canonical_json(manifest) + b"\n")
    path.with_suffix(".sha256").write_text(f"{digest}  manifest.json\n", encoding="utf-8")
    for item in manifest["archives"]:
        archive = Path(item["path"])
        archive = archive if archive.is_absolute() else data_dir / archive
        mode = archive.stat().st_mode
        archive.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return manifest, digest


@dataclass
class Verification:
    edition: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_frozen(engine: Engine, info: Edition) -> list[str]:
    """For a frozen edition, check that its tables still match the manifest whose
    fingerprint the export publishes; returns notes (the registry may have moved on)."""
    kept = info.extra.get("manifest")
    if info.frozen_at is None or not isinstance(kept, dict):
        return []
    if manifest_sha256(kept) != info.manifest_sha256:
        raise EditionTamperedError(
            f"Édition {info.id} : le manifeste enregistré ne correspond plus à son empreinte ; "
            "export refusé (voir « barometre edition verify »)."
        )
    now = edition_repo.table_digests(engine, info.id)
    changed = [t for t, digest in kept.get("tables", {}).items() if now.get(t) != digest]
    if changed:
        raise EditionTamperedError(
            f"Édition {info.id} modifiée depuis son gel (tables : {', '.join(changed)}) ; "
            "export refusé (voir « barometre edition verify »)."
        )
    notes = []
    if kept.get("registry") != edition_repo.registry_digest(engine, info.id):
        notes.append(
            "Le registre a changé depuis le gel de l'édition : la table collectivites "
            "reflète le registre actuel (noms, populations, sites)."
        )
    return notes


def verify_edition(
    engine: Engine, edition: str, data_dir: Path, methodology: Methodology
) -> Verification:
    """Recompute a frozen edition's manifest and say what differs from the one kept."""
    result = Verification(edition)
    info = edition_repo.get_edition(engine, edition)
    kept = info.extra.get("manifest")
    if info.frozen_at is None or not isinstance(kept, dict):
        result.problems.append(f"L'édition {edition} n'est pas figée : rien à vérifier.")
        return result
    if manifest_sha256(kept) != info.manifest_sha256:
        result.problems.append("Le manifeste enregistré ne correspond plus à son empreinte.")
    on_disk = manifest_path(data_dir, edition)
    if on_disk.exists():
        try:
            disk = json.loads(on_disk.read_text(encoding="utf-8"))
        except ValueError:
            result.problems.append(f"{on_disk} : manifeste illisible.")
        else:
            if manifest_sha256(disk) != info.manifest_sha256:
                result.problems.append(f"{on_disk} diffère du manifeste de la base.")
    else:
        result.notes.append(f"{on_disk} absent (seul le manifeste de la base est vérifié).")
    now = build_manifest(engine, edition, data_dir, methodology)
    for table, digest in kept.get("tables", {}).items():
        current = now["tables"].get(table)
        if current != digest:
            rows = current["rows"] if current else 0
            result.problems.append(
                f"Table {table} modifiée depuis le gel ({digest['rows']} lignes figées, {rows} "
                "aujourd'hui)."
            )
    if kept.get("methodology") != now["methodology"]:
        result.problems.append("La méthodologie a changé depuis le gel.")
    if kept.get("checks") != now["checks"]:
        result.problems.append("Les versions des contrôles ont changé depuis le gel.")
    frozen_files = {a["path"]: a for a in kept.get("archives", [])}
    current_files = {a["path"]: a for a in now["archives"]}
    for path, item in frozen_files.items():
        found = current_files.get(path)
        if found is None:
            result.problems.append(f"Archive disparue : {path}.")
        elif found["sha256"] != item["sha256"]:
            result.problems.append(f"Archive modifiée : {path}.")
    for path in sorted(set(current_files) - set(frozen_files)):
        result.problems.append(f"Archive ajoutée après le gel : {path}.")
    if kept.get("registry") != now["registry"]:
        result.notes.append(
            "Le registre des collectivités a changé depuis le gel (noms, populations…) : "
            "les résultats figés ne changent pas, les pages publiées l'indiquent."
        )
    return result


# --- differences between two editions ----------------------------------------------------


@dataclass(frozen=True)
class AuthorityChange:
    authority_id: str
    before: float | None
    after: float | None
    grade_before: str | None
    grade_after: str | None
    gained: tuple[str, ...] = ()  # criteria now passed that were not
    lost: tuple[str, ...] = ()  # criteria passed before, not now
    new_accounts: tuple[str, ...] = ()
    closed_accounts: tuple[str, ...] = ()
    followers: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)

    @property
    def changed(self) -> bool:
        return bool(
            (self.delta not in (None, 0.0))
            or (self.before is None) != (self.after is None)
            or self.grade_before != self.grade_after
            or self.gained
            or self.lost
            or self.new_accounts
            or self.closed_accounts
        )


def diff(
    scores: tuple[
        Mapping[str, tuple[float | None, str | None]], Mapping[str, tuple[float | None, str | None]]
    ],
    statuses: tuple[Mapping[str, Mapping[str, str]], Mapping[str, Mapping[str, str]]],
    accounts: tuple[
        Mapping[str, Mapping[str, tuple[str, int | None]]],
        Mapping[str, Mapping[str, tuple[str, int | None]]],
    ],
) -> list[AuthorityChange]:
    """What changed per collectivité between two editions (pure).

    ``scores``: id → (global score, grade); ``statuses``: id → criterion → status;
    ``accounts``: id → "platform:account" → (state, followers), for each edition.
    """
    ids = sorted(set(scores[0]) | set(scores[1]) | set(accounts[0]) | set(accounts[1]))
    out: list[AuthorityChange] = []
    for authority_id in ids:
        before, grade_before = scores[0].get(authority_id, (None, None))
        after, grade_after = scores[1].get(authority_id, (None, None))
        old = statuses[0].get(authority_id, {})
        new = statuses[1].get(authority_id, {})
        gained = tuple(
            sorted(c for c, s in new.items() if s == "pass" and old.get(c, "pass") != "pass")
        )
        lost = tuple(
            sorted(c for c, s in old.items() if s == "pass" and new.get(c) in ("fail", "partial"))
        )
        acc_old = accounts[0].get(authority_id, {})
        acc_new = accounts[1].get(authority_id, {})
        live = ("ok",)
        opened = tuple(sorted(k for k, (state, _) in acc_new.items() if k not in acc_old))
        closed = tuple(
            sorted(
                k
                for k, (state, _) in acc_old.items()
                if state in live
                and (k not in acc_new or acc_new[k][0] in ("not_found", "suspended", "moved"))
            )
        )
        followers = {
            k: (acc_old[k][1], n)
            for k, (_, n) in acc_new.items()
            if k in acc_old and n is not None and acc_old[k][1] is not None
        }
        change = AuthorityChange(
            authority_id,
            before,
            after,
            grade_before,
            grade_after,
            gained,
            lost,
            opened,
            closed,
            {k: (int(a), int(b)) for k, (a, b) in followers.items() if a is not None},
        )
        if change.changed or change.followers:
            out.append(change)
    return out


def group_means(
    scores: Mapping[str, tuple[float | None, str | None]], groups: Mapping[str, str]
) -> dict[str, tuple[float, int]]:
    """Mean global score and count of scored collectivités per peer group."""
    sums: dict[str, list[float]] = {}
    for authority_id, (value, _) in scores.items():
        if value is not None:
            sums.setdefault(groups.get(authority_id, ""), []).append(value)
    return {g: (round(sum(v) / len(v), 1), len(v)) for g, v in sorted(sums.items())}


def criterion_moves(changes: Sequence[AuthorityChange]) -> dict[str, tuple[int, int]]:
    """Criterion → (collectivités that gained it, that lost it)."""
    moves: dict[str, list[int]] = {}
    for change in changes:
        for criterion in change.gained:
            moves.setdefault(criterion, [0, 0])[0] += 1
        for criterion in change.lost:
            moves.setdefault(criterion, [0, 0])[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(moves.items())}
