"""The audit stage: run the criteria grid on an edition's captures and registry.

The audit reads only what the capture archived (WARC files, replayed offline) and the
registry; it can be re-run at will on the same captures and gives the same results.
``audit_edition`` evaluates the registry's criteria and the site grid; ``audit_social``
evaluates the social criteria once the social stage has recorded the accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from barometre.capture.archive import load_site_archive
from barometre.checks.base import registered_checks
from barometre.checks.engine import Audit, audit
from barometre.checks.subject import Subject
from barometre.errors import ArchiveDamagedError, BarometreError
from barometre.methodology import Methodology, bundled, load
from barometre.models import Authority, AuthorityKind, CheckResult, SiteArchive, Status
from barometre.storage import audit_repo, capture_repo, registry_repo, social_repo


@dataclass
class AuditReport:
    registry_level: int = 0
    sites: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)  # measured as not measurable


def load_methodology(choice: str | None) -> Methodology:
    if not choice:
        return bundled()
    path = Path(choice)
    return load(path) if path.suffix == ".toml" or path.exists() else bundled(choice)


def audit_edition(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    *,
    selection: Sequence[Authority] | None = None,
    registry_level: bool = True,
    sites: bool = True,
    as_of: date | None = None,
    on_site: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> AuditReport:
    """Registry-level criteria for the selection (all collectivités by default), then the
    whole grid for every selected collectivité whose site the edition captured."""
    report = AuditReport()
    checks = registered_checks()
    everyone = list(selection) if selection is not None else registry_repo.load_authorities(engine)

    # A commune's intercommunal body, by SIREN: its EPCI, or the Métropole de Lyon (a
    # collectivité of the départements' group that holds an EPCI's powers).
    def bodies(items: Iterable[Authority], wanted: set[str]) -> dict[str, Authority]:
        out = {}
        for a in items:
            key = a.code if a.kind is AuthorityKind.EPCI else a.siren
            if key in wanted and a.kind is not AuthorityKind.COMMUNE:
                out[key] = a
        return out

    wanted = {a.epci for a in everyone if a.epci}
    epcis = bodies(everyone, wanted)
    missing = wanted - epcis.keys()
    if missing:
        candidates = registry_repo.load_authorities(engine, codes=missing)
        candidates += registry_repo.load_authorities(engine, kinds=[AuthorityKind.DEPARTEMENT])
        epcis.update(bodies(candidates, missing))
    capture_repo.set_methodology(engine, edition, methodology.version)
    if registry_level:
        results: list[CheckResult] = []
        for authority in everyone:
            subject = Subject(
                authority, None, as_of or date.today(), epcis.get(authority.epci or "")
            )
            # Without a site, every criterion is decided now (not applicable, or a
            # failure for the site itself); with one, only the registry's criteria.
            # A site-less collectivité keeps only its decided results (no site, no
            # declared site, e-mail…): every other criterion is not applicable to it,
            # and its absence from storage means exactly that (``explain`` says so).
            no_site = authority.website is None
            outcome = audit(subject, methodology, checks=checks, registry_only=not no_site)
            skipped = (Status.NOT_APPLICABLE, Status.NOT_MEASURABLE) if no_site else ()
            results.extend(r for r in outcome.results if r.status not in skipped)
        audit_repo.store_many(engine, edition, results)
        report.registry_level = len(everyone)
    if not sites:
        return report
    paths = capture_repo.archive_paths(engine, edition)
    todo = [a for a in everyone if a.id in paths]
    social_available = social_repo.has_social(engine, edition)
    if on_start is not None:
        on_start(len(todo))
    for authority in todo:
        try:
            rows = [
                row
                for _, site_rows in capture_repo.iter_site_indexes(engine, edition, [authority.id])
                for row in site_rows
            ]
            damage: str | None = None
            try:
                archive: SiteArchive | None = load_site_archive(
                    Path(paths[authority.id]), index=rows
                )
            except ArchiveDamagedError as exc:
                # Not measurable, and it replaces what an earlier audit drew from the
                # archive when it was still readable; the other sites go on.
                archive, damage = None, str(exc)
            subject = Subject(
                authority,
                archive,
                as_of or (archive.captured_at.date() if archive else date.today()),
                epcis.get(authority.epci or ""),
                archive_problem=damage,
            )
            if social_available:
                subject.social = social_repo.load_accounts(engine, edition, [authority.id]).get(
                    authority.id, []
                )
            result: Audit = audit(
                subject, methodology, checks=checks, social_available=social_available
            )
            audit_repo.store_audit(engine, edition, authority.id, result.results, result.findings)
            if damage is None:
                report.sites += 1
            else:
                report.damaged.append((authority.id, damage))
        except BarometreError as exc:
            report.failed.append((authority.id, str(exc)))
        if on_site is not None:
            on_site(authority.id)
    return report


def social_criteria(methodology: Methodology) -> set[str]:
    checks = registered_checks()
    return {
        c.id
        for c in methodology.criteria
        if c.social or (c.id in checks and checks[c.id].needs == "social")
    }


def audit_social(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    authority_ids: Sequence[str],
    *,
    as_of: date | None = None,
) -> int:
    """Evaluate the social criteria (D5–D7, K1) of the given collectivités from the
    records of the social stage and the stored discovery; the other results stay."""
    wanted = social_criteria(methodology)
    checks = registered_checks()
    found = audit_repo.findings_by_authority(engine, edition)
    done = 0
    ids = list(dict.fromkeys(authority_ids))
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        accounts = social_repo.load_accounts(engine, edition, chunk)
        for authority in registry_repo.load_authorities(engine, ids=chunk):
            # The social criteria read no page: the site's host comes from the registry.
            subject = Subject(authority, None, as_of or date.today())
            subject.social = accounts.get(authority.id, [])
            outcome = audit(
                subject,
                methodology,
                checks=checks,
                only=wanted,
                social_available=True,
                discovered=found.get(authority.id, []),
            )
            audit_repo.store_audit(
                engine, edition, authority.id, outcome.results, [], replace_findings=False
            )
            done += 1
    return done
