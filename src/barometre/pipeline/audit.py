"""The audit stage in the pipeline: the site grid, then (after the social stage) the
social criteria."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from barometre.audit import AuditReport, audit_edition, audit_social, load_methodology
from barometre.checks.engine import NO_SITE
from barometre.errors import ConfigurationError
from barometre.methodology import Methodology
from barometre.models import Authority, CheckResult
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


def status_counts(setup: Setup, edition: str) -> list[tuple[str, str, str, int]]:
    """(kind, criterion, status, count) over the edition's results."""
    return audit_repo.status_counts(setup.engine, edition)


def has_captures(setup: Setup, edition: str) -> bool:
    return bool(capture_repo.archive_paths(setup.engine, edition))


def load_results(
    setup: Setup, edition: str, authority_id: str, check_id: str
) -> list[tuple[CheckResult, datetime]]:
    """The stored result of one criterion for one collectivité (newest first)."""
    return audit_repo.load_results(
        setup.engine, edition, authority_id=authority_id, check_id=check_id
    )
