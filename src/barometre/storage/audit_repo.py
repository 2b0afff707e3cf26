"""Results of the audit: check results and discovery findings, per edition."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.engine import Connection

from barometre.errors import EditionFrozenError, StorageError
from barometre.models import CheckResult, Confidence, Evidence, Finding, Status
from barometre.storage.schema import authorities, check_results, editions, findings


def _evidence_json(evidence: Iterable[Evidence]) -> list[dict[str, str]]:
    return [{k: v for k, v in asdict(e).items() if v is not None} for e in evidence]


def evidence_from_json(data: Any) -> tuple[Evidence, ...]:
    if not isinstance(data, list):
        return ()
    known = set(Evidence.__dataclass_fields__)
    return tuple(Evidence(**{k: v for k, v in item.items() if k in known}) for item in data)


def assert_writable(connection: Connection, edition: str) -> None:
    """Refuse any write to an unknown or frozen edition."""
    row = connection.execute(select(editions.c.frozen_at).where(editions.c.id == edition)).first()
    if row is None:
        raise StorageError(f"Édition {edition} inconnue.")
    if row.frozen_at is not None:
        raise EditionFrozenError(f"L'édition {edition} est figée : ses résultats ne changent plus.")


def _result_rows(
    edition: str, results: Iterable[CheckResult], now: datetime
) -> list[dict[str, Any]]:
    return [
        {
            "edition_id": edition,
            "authority_id": r.authority_id,
            "check_id": r.check_id,
            "check_version": r.check_version,
            "status": r.status.value,
            "reason": r.reason,
            "value": r.value,
            "confidence": r.confidence.value,
            "evidence": _evidence_json(r.evidence),
            "measured_at": now,
        }
        for r in results
    ]


# Findings written by another stage than the audit (the search-engine connector): an
# audit run leaves them in place.
KEPT_CATEGORIES = ("search",)


def replace_category_findings(
    engine: Engine, edition: str, authority_id: str, category: str, found: Sequence[Finding]
) -> None:
    """Replace the findings of one category of one collectivité (the search connector)."""
    with engine.begin() as connection:
        assert_writable(connection, edition)
        connection.execute(
            delete(findings).where(
                findings.c.edition_id == edition,
                findings.c.authority_id == authority_id,
                findings.c.category == category,
            )
        )
        rows = [
            {
                "edition_id": edition,
                "authority_id": authority_id,
                "category": f.category,
                "name": f.name,
                "url": f.url,
                "handle": f.handle,
                "confidence": f.confidence.value,
                "evidence": _evidence_json([f.evidence] if f.evidence else []),
            }
            for f in found
        ]
        if rows:
            connection.execute(insert(findings), rows)


def store_audit(
    engine: Engine,
    edition: str,
    authority_id: str,
    results: Sequence[CheckResult],
    found: Sequence[Finding],
    *,
    replace_findings: bool = True,
) -> None:
    """Replace the results of the given checks (and the findings) of one collectivité."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        assert_writable(connection, edition)
        connection.execute(
            delete(check_results).where(
                check_results.c.edition_id == edition,
                check_results.c.authority_id == authority_id,
                check_results.c.check_id.in_([r.check_id for r in results]),
            )
        )
        if results:
            connection.execute(insert(check_results), _result_rows(edition, results, now))
        if replace_findings:
            connection.execute(
                delete(findings).where(
                    findings.c.edition_id == edition,
                    findings.c.authority_id == authority_id,
                    findings.c.category.not_in(KEPT_CATEGORIES),
                )
            )
            if found:
                connection.execute(
                    insert(findings),
                    [
                        {
                            "edition_id": edition,
                            "authority_id": authority_id,
                            "category": f.category,
                            "name": f.name,
                            "url": f.url,
                            "handle": f.handle,
                            "confidence": f.confidence.value,
                            "evidence": _evidence_json([f.evidence] if f.evidence else []),
                        }
                        for f in found
                    ],
                )


def store_many(engine: Engine, edition: str, results: Sequence[CheckResult]) -> None:
    """Bulk replace of many collectivités' results (registry level), in one transaction:
    only the (collectivité, criterion) pairs given are replaced."""
    now = datetime.now(UTC)
    by_authority: dict[str, list[CheckResult]] = {}
    for result in results:
        by_authority.setdefault(result.authority_id, []).append(result)
    ids = sorted(by_authority)
    with engine.begin() as connection:
        assert_writable(connection, edition)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            batch = [r for aid in chunk for r in by_authority[aid]]
            connection.execute(
                delete(check_results).where(
                    check_results.c.edition_id == edition,
                    check_results.c.authority_id.in_(chunk),
                    check_results.c.check_id.in_(sorted({r.check_id for r in batch})),
                )
            )
            connection.execute(insert(check_results), _result_rows(edition, batch, now))


def audited(engine: Engine, edition: str, check_ids: Sequence[str]) -> set[str]:
    """Authorities that already have a result for every one of ``check_ids``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(check_results.c.authority_id)
            .where(check_results.c.edition_id == edition, check_results.c.check_id.in_(check_ids))
            .group_by(check_results.c.authority_id)
            .having(func.count() == len(set(check_ids)))
        )
        return {r[0] for r in rows}


def load_results(
    engine: Engine, edition: str, *, authority_id: str | None = None, check_id: str | None = None
) -> list[tuple[CheckResult, datetime]]:
    query = select(check_results).where(check_results.c.edition_id == edition)
    if authority_id is not None:
        query = query.where(check_results.c.authority_id == authority_id)
    if check_id is not None:
        query = query.where(check_results.c.check_id == check_id)
    with engine.connect() as connection:
        rows = connection.execute(
            query.order_by(check_results.c.authority_id, check_results.c.check_id)
        )
        return [(result_from_row(r), r.measured_at) for r in rows]


def result_from_row(r: Any) -> CheckResult:
    return CheckResult(
        authority_id=r.authority_id,
        check_id=r.check_id,
        check_version=r.check_version,
        status=Status(r.status),
        value=r.value,
        confidence=Confidence(r.confidence),
        reason=r.reason,
        evidence=evidence_from_json(r.evidence),
    )


def finding_from_row(r: Any) -> Finding:
    return Finding(
        category=r.category,
        name=r.name,
        url=r.url,
        handle=r.handle,
        evidence=(evidence_from_json(r.evidence) or (None,))[0],
        confidence=Confidence(r.confidence),
    )


def load_findings(engine: Engine, edition: str, authority_id: str) -> list[Finding]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(findings)
            .where(findings.c.edition_id == edition, findings.c.authority_id == authority_id)
            .order_by(findings.c.id)
        )
        return [finding_from_row(r) for r in rows]


def findings_by_authority(
    engine: Engine, edition: str, categories: Sequence[str] | None = None
) -> dict[str, list[Finding]]:
    """Every finding of the edition (of the given categories), per collectivité."""
    query = select(findings).where(findings.c.edition_id == edition)
    if categories is not None:
        query = query.where(findings.c.category.in_(categories))
    out: dict[str, list[Finding]] = {}
    with engine.connect() as connection:
        for r in connection.execute(query.order_by(findings.c.authority_id, findings.c.id)):
            out.setdefault(r.authority_id, []).append(finding_from_row(r))
    return out


def status_counts(
    engine: Engine, edition: str, check_ids: Sequence[str] | None = None
) -> list[tuple[str, str, str, int]]:
    """``(kind, check_id, status, count)`` over the edition, by type of collectivité."""
    query = (
        select(authorities.c.kind, check_results.c.check_id, check_results.c.status, func.count())
        .join(authorities, authorities.c.id == check_results.c.authority_id)
        .where(check_results.c.edition_id == edition)
        .group_by(authorities.c.kind, check_results.c.check_id, check_results.c.status)
    )
    if check_ids is not None:
        query = query.where(check_results.c.check_id.in_(check_ids))
    with engine.connect() as connection:
        return [(r[0], r[1], r[2], int(r[3])) for r in connection.execute(query)]


def finding_counts(engine: Engine, edition: str, category: str) -> list[tuple[str, str, int]]:
    """``(kind, name, collectivités)`` for one category of findings (e.g. ``social``)."""
    query = (
        select(
            authorities.c.kind, findings.c.name, func.count(func.distinct(findings.c.authority_id))
        )
        .join(authorities, authorities.c.id == findings.c.authority_id)
        .where(findings.c.edition_id == edition, findings.c.category == category)
        .group_by(authorities.c.kind, findings.c.name)
    )
    with engine.connect() as connection:
        return [(r[0], r[1], int(r[2])) for r in connection.execute(query)]
