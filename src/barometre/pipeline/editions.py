"""Frozen editions: list, freeze, verify, re-read the archives, leases, differences."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import IO, Any

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
from barometre.vocab import fr

__all__ = [
    "ArchiveCheck",
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

    @property
    def moves(self) -> dict[str, tuple[int, int]]:
        """Criterion → (collectivités that gained it, that lost it)."""
        return criterion_moves(self.changes)

    @property
    def opened(self) -> int:
        """Social accounts new in the later edition."""
        return sum(len(c.new_accounts) for c in self.changes)

    @property
    def closed(self) -> int:
        """Social accounts closed or gone since the earlier edition."""
        return sum(len(c.closed_accounts) for c in self.changes)

    def largest(self, limit: int) -> list[AuthorityChange]:
        """The ``limit`` largest changes of score (0: all), largest first."""
        ordered = sorted(self.changes, key=lambda c: -abs(c.delta or 0))
        return ordered if limit == 0 else ordered[:limit]

    def group_means(
        self, setup: Setup, before: str, after: str
    ) -> dict[str, tuple[float | None, float | None]]:
        """Peer group → its mean global score in ``before`` and in ``after``."""
        groups = self.groups(setup, before, after)
        means = (group_means(self.scores[0], groups), group_means(self.scores[1], groups))
        return {
            group: (means[0].get(group, (None, 0))[0], means[1].get(group, (None, 0))[0])
            for group in sorted(set(means[0]) | set(means[1]))
        }

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


DIFF_COLUMNS = (
    "collectivite",
    "nom",
    "score_avant",
    "score_apres",
    "ecart",
    "note_avant",
    "note_apres",
    "criteres_gagnes",
    "criteres_perdus",
    "comptes_nouveaux",
    "comptes_fermes",
)


def _csv_number(value: float | None) -> str:
    """A score in the CSV output: a plain decimal (read by any tool), empty when absent."""
    return "" if value is None else str(fr.rounded(value, 1))


def write_diff_csv(handle: IO[str], found: EditionDiff) -> None:
    """Every change of ``found`` as a CSV row (``barometre edition diff --csv``)."""
    writer = csv.writer(handle)
    writer.writerow(DIFF_COLUMNS)
    for c in found.changes:
        writer.writerow(
            [
                c.authority_id,
                found.names.get(c.authority_id, ""),
                _csv_number(c.before),
                _csv_number(c.after),
                _csv_number(c.delta),
                c.grade_before or "",
                c.grade_after or "",
                " ".join(c.gained),
                " ".join(c.lost),
                " ".join(c.new_accounts),
                " ".join(c.closed_accounts),
            ]
        )
