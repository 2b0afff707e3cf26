"""Frozen editions: list, freeze, verify, re-read the archives, leases, differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from barometre.capture.integrity import ArchiveCheck, check_edition_archives
from barometre.models import Edition
from barometre.pipeline.core import EditionRun, Setup
from barometre.scoring.editions import (
    AuthorityChange,
    Verification,
    criterion_moves,
    diff,
    freeze_edition,
    group_means,
    verify_edition,
)
from barometre.storage import (
    capture_repo,
    edition_repo,
    lease_repo,
    registry_repo,
    score_repo,
    social_repo,
)
from barometre.storage.lease_repo import Lease

__all__ = [
    "EditionDiff",
    "Lease",
    "check_archives",
    "criterion_moves",
    "edition_diff",
    "forget_sites",
    "freeze",
    "group_means",
    "leases",
    "list_editions",
    "verify",
]


def list_editions(setup: Setup) -> list[Edition]:
    return edition_repo.list_editions(setup.engine)


def freeze(setup: Setup, run: EditionRun) -> tuple[dict[str, Any], str]:
    """Freeze the edition: its manifest (with fingerprints) and the manifest's digest."""
    return freeze_edition(setup.engine, run.id, setup.settings.data_dir, run.methodology)


def verify(setup: Setup, run: EditionRun) -> Verification:
    return verify_edition(setup.engine, run.id, setup.settings.data_dir, run.methodology)


def check_archives(setup: Setup, edition: str) -> ArchiveCheck:
    """Re-read every index entry in its WARC file (the edition must exist)."""
    edition_repo.get_edition(setup.engine, edition)
    return check_edition_archives(setup.engine, edition)


def forget_sites(setup: Setup, edition: str, authority_ids: list[str]) -> None:
    """Take damaged sites (and their results) out of the index, for a new capture."""
    for authority_id in authority_ids:
        capture_repo.forget_site(setup.engine, edition, authority_id)


def leases(setup: Setup, edition: str | None) -> list[Lease]:
    return lease_repo.list_leases(setup.engine, edition)


def _scores(engine: Engine, edition: str) -> dict[str, tuple[float | None, str | None]]:
    return {
        r.authority_id: (r.value, r.grade)
        for r in score_repo.load_scores(engine, edition, scope="global")
    }


def _statuses(engine: Engine, edition: str) -> dict[str, dict[str, str]]:
    return {
        authority_id: {check_id: status.value for check_id, status, _ in rows}
        for authority_id, rows in score_repo.iter_results(engine, edition)
    }


def _accounts(engine: Engine, edition: str) -> dict[str, dict[str, tuple[str, int | None]]]:
    return {
        authority_id: {
            f"{a.profile.platform}:{a.profile.account_id}": (
                a.profile.state.value,
                a.profile.followers,
            )
            for a in accounts
        }
        for authority_id, accounts in social_repo.load_accounts(
            engine, edition, with_posts=False
        ).items()
    }


@dataclass(frozen=True)
class EditionDiff:
    changes: list[AuthorityChange]
    scores: tuple[
        dict[str, tuple[float | None, str | None]], dict[str, tuple[float | None, str | None]]
    ]
    names: dict[str, str]

    def groups(self, setup: Setup, before: str, after: str) -> dict[str, str]:
        groups = {
            r.authority_id: r.peer_group or ""
            for r in score_repo.load_scores(setup.engine, after, scope="global")
        }
        groups.update(
            {
                r.authority_id: r.peer_group or ""
                for r in score_repo.load_scores(setup.engine, before, scope="global")
            }
        )
        return groups


def edition_diff(setup: Setup, before: str, after: str) -> EditionDiff:
    """What changed between two editions, per collectivité."""
    engine = setup.engine
    for edition in (before, after):
        edition_repo.get_edition(engine, edition)
    scores = (_scores(engine, before), _scores(engine, after))
    changes = diff(
        scores,
        (_statuses(engine, before), _statuses(engine, after)),
        (_accounts(engine, before), _accounts(engine, after)),
    )
    names = {a.id: a.name for a in registry_repo.load_authorities(engine)}
    return EditionDiff(changes, scores, names)
