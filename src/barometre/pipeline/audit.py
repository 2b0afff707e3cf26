"""The audit stage in the pipeline: the site grid, then (after the social stage) the
social criteria."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from barometre.audit import AuditReport, audit_edition, audit_social, load_methodology
from barometre.checks.engine import NO_SITE
from barometre.errors import ConfigurationError
from barometre.methodology import Criterion, Methodology, bundled
from barometre.models import Authority, AuthorityKind, CheckResult
from barometre.pipeline.core import Setup, check_edition
from barometre.storage import audit_repo, capture_repo

__all__ = [
    "NO_SITE",
    "AuditReport",
    "SiteAuditReport",
    "SocialCriteriaReport",
    "audit",
    "social_criteria",
]


@dataclass(frozen=True)
class SiteAuditReport:
    edition: str
    methodology: str  # version of the grid
    report: AuditReport


@dataclass(frozen=True)
class SocialCriteriaReport:
    edition: str
    authorities: int  # collectivités whose social criteria were evaluated


def parse_day(value: str) -> date | None:
    """``AAAA-MM-JJ`` as a date (``None`` when empty), else a French error."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigurationError(f"Date « {value} » invalide : AAAA-MM-JJ attendu.") from exc


def methodology(choice: str | Methodology | None = None) -> Methodology:
    """The grid ``choice`` names (bundled version or TOML file; the default grid)."""
    return choice if isinstance(choice, Methodology) else load_methodology(choice)


def audit(
    setup: Setup,
    edition: str,
    grid: Methodology,
    *,
    selection: Sequence[Authority] | None = None,
    registry_only: bool = False,
    as_of: date | None = None,
    create: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_site: Callable[[str], None] | None = None,
) -> SiteAuditReport:
    """Registry criteria for the selection (all collectivités by default), then the
    whole grid for every captured site (unless ``registry_only``)."""
    edition = check_edition(edition)
    if create:
        capture_repo.ensure_edition(setup.engine, edition, f"Édition {edition}")
    report = audit_edition(
        setup.engine,
        edition,
        grid,
        selection=selection,
        sites=not registry_only,
        as_of=as_of,
        on_start=on_start,
        on_site=on_site,
    )
    return SiteAuditReport(edition, grid.version, report)


def social_criteria(
    setup: Setup,
    edition: str,
    grid: Methodology,
    authority_ids: Sequence[str],
    *,
    as_of: date | None = None,
) -> SocialCriteriaReport:
    """The social criteria (D5–D7, K1) of the given collectivités, from the records of
    the social stage and the audit's discovery; their other results stay."""
    done = audit_social(setup.engine, edition, grid, authority_ids, as_of=as_of)
    return SocialCriteriaReport(edition, done)


MEASURED = ("pass", "partial", "fail")


@dataclass(frozen=True)
class CriterionShares:
    """How many collectivités of one type got each status on one criterion."""

    criterion: Criterion
    counts: dict[str, int]  # status → collectivités

    @property
    def measured(self) -> int:
        """Neither not applicable nor not measurable."""
        return sum(n for status, n in self.counts.items() if status in MEASURED)


@dataclass(frozen=True)
class NationalShares:
    """``barometre audit national``: per type of collectivité, the criteria measured for
    at least one of them, in the order of the grid."""

    edition: str
    by_kind: dict[AuthorityKind, list[CriterionShares]]
    captured: bool  # some site of the edition was captured


def national_shares(setup: Setup, edition: str) -> NationalShares:
    """The edition's status counts per type and criterion (an edition without results
    is a French error)."""
    counts = audit_repo.status_counts(setup.engine, edition)
    if not counts:
        raise ConfigurationError(
            f"Aucun résultat pour l'édition {edition} : lancez d'abord « barometre audit »."
        )
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for kind_id, check_id, status, n in counts:
        totals.setdefault((check_id, kind_id), {})[status] = n
    by_kind: dict[AuthorityKind, list[CriterionShares]] = {}
    for kind in AuthorityKind:
        if any(c[0] == kind.value for c in counts):
            shares = [
                CriterionShares(criterion, totals.get((criterion.id, kind.value), {}))
                for criterion in bundled().criteria
            ]
            by_kind[kind] = [s for s in shares if s.measured]
    captured = bool(capture_repo.archive_paths(setup.engine, edition))
    return NationalShares(edition, by_kind, captured)


def load_results(
    setup: Setup, edition: str, authority_id: str, check_id: str
) -> list[tuple[CheckResult, datetime]]:
    """The stored result of one criterion for one collectivité (newest first)."""
    return audit_repo.load_results(
        setup.engine, edition, authority_id=authority_id, check_id=check_id
    )
