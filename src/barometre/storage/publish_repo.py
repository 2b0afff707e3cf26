"""What the published site reads of an edition, in chunks (never the whole edition).

The site builder walks the collectivités of an edition a chunk at a time: for each
chunk, one query per table (results, findings, scores, social accounts and metrics,
score history), so that building 36,000 report cards keeps memory flat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from barometre.models import Authority, CheckResult, Finding, SocialAccount
from barometre.storage import registry_repo, social_repo
from barometre.storage.audit_repo import finding_from_row, result_from_row
from barometre.storage.schema import check_results, editions, findings, scores
from barometre.storage.score_repo import ScoreRow

CHUNK = 400


@dataclass
class Card:
    """Everything one report card shows."""

    authority: Authority
    scores: dict[str, ScoreRow] = field(default_factory=dict)  # scope → row
    results: list[tuple[CheckResult, datetime]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    social: list[SocialAccount] = field(default_factory=list)
    history: list[tuple[str, float | None, str | None]] = field(default_factory=list)

    @property
    def global_score(self) -> ScoreRow | None:
        return self.scores.get("global")


def scored_ids(engine: Engine, edition: str) -> list[str]:
    """The collectivités with a global score in the edition, in id order."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(scores.c.authority_id)
                .where(scores.c.edition_id == edition, scores.c.scope == "global")
                .order_by(scores.c.authority_id)
            )
        )


def earlier_editions(engine: Engine, edition: str, *, demo: bool) -> list[str]:
    """Editions before ``edition`` of the same kind (demonstration or not), oldest first."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(editions.c.id)
                .where(editions.c.id < edition, editions.c.demo.is_(demo))
                .order_by(editions.c.id)
            )
        )


def _results(
    engine: Engine, edition: str, ids: Sequence[str]
) -> dict[str, list[tuple[CheckResult, datetime]]]:
    out: dict[str, list[tuple[CheckResult, datetime]]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(check_results)
            .where(check_results.c.edition_id == edition, check_results.c.authority_id.in_(ids))
            .order_by(check_results.c.authority_id, check_results.c.check_id)
        )
        for r in rows:
            out.setdefault(r.authority_id, []).append((result_from_row(r), r.measured_at))
    return out


def _findings(engine: Engine, edition: str, ids: Sequence[str]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(findings)
            .where(findings.c.edition_id == edition, findings.c.authority_id.in_(ids))
            .order_by(findings.c.authority_id, findings.c.id)
        )
        for r in rows:
            out.setdefault(r.authority_id, []).append(finding_from_row(r))
    return out


def _scores(engine: Engine, edition: str, ids: Sequence[str]) -> dict[str, dict[str, ScoreRow]]:
    out: dict[str, dict[str, ScoreRow]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(scores).where(scores.c.edition_id == edition, scores.c.authority_id.in_(ids))
        )
        for r in rows:
            out.setdefault(r.authority_id, {})[r.scope] = ScoreRow(
                r.authority_id, r.scope, r.value, r.coverage, r.grade, r.peer_group, r.rank
            )
    return out


def _history(
    engine: Engine, ids: Sequence[str], earlier: Sequence[str]
) -> dict[str, list[tuple[str, float | None, str | None]]]:
    out: dict[str, list[tuple[str, float | None, str | None]]] = {}
    if not earlier:
        return out
    with engine.connect() as connection:
        rows = connection.execute(
            select(scores.c.authority_id, scores.c.edition_id, scores.c.value, scores.c.grade)
            .where(
                scores.c.edition_id.in_(list(earlier)),
                scores.c.scope == "global",
                scores.c.authority_id.in_(ids),
            )
            .order_by(scores.c.edition_id)
        )
        for authority_id, edition, value, grade in rows:
            out.setdefault(authority_id, []).append((edition, value, grade))
    return out


def iter_cards(
    engine: Engine,
    edition: str,
    *,
    ids: Sequence[str] | None = None,
    earlier: Sequence[str] = (),
    chunk: int = CHUNK,
) -> Iterator[Card]:
    """The report cards of the edition (all scored collectivités, or ``ids``)."""
    wanted = list(ids) if ids is not None else scored_ids(engine, edition)
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        authorities = {a.id: a for a in registry_repo.load_authorities(engine, ids=part)}
        results = _results(engine, edition, part)
        found = _findings(engine, edition, part)
        score_rows = _scores(engine, edition, part)
        social = social_repo.load_accounts(engine, edition, part, with_posts=False)
        history = _history(engine, part, earlier)
        for authority_id in part:
            authority = authorities.get(authority_id)
            if authority is None:
                continue
            yield Card(
                authority,
                score_rows.get(authority_id, {}),
                results.get(authority_id, []),
                found.get(authority_id, []),
                social.get(authority_id, []),
                history.get(authority_id, []),
            )


@dataclass(frozen=True, slots=True)
class RankRow:
    authority_id: str
    kind: str
    code: str
    name: str
    departement: str | None
    region: str | None
    population: int | None
    value: float | None
    coverage: float
    grade: str | None
    rank: int | None
    peer_group: str
    territory: tuple[str, ...] = ()  # départements governed, when the code is not one
    legal_type: str | None = None  # LegalType value when it is not what the kind says


def ranking(engine: Engine, edition: str) -> Iterator[RankRow]:
    """Every scored collectivité with its global score, by peer group then rank."""
    from barometre.storage.schema import authorities

    query = (
        select(
            scores.c.authority_id,
            authorities.c.kind,
            authorities.c.code,
            authorities.c.name,
            authorities.c.departement,
            authorities.c.region,
            authorities.c.population,
            scores.c.value,
            scores.c.coverage,
            scores.c.grade,
            scores.c.rank,
            scores.c.peer_group,
            authorities.c.territory,
            authorities.c.legal_type,
        )
        .join(authorities, authorities.c.id == scores.c.authority_id)
        .where(scores.c.edition_id == edition, scores.c.scope == "global")
        .order_by(scores.c.peer_group, scores.c.rank.is_(None), scores.c.rank, authorities.c.name)
        .execution_options(yield_per=5000)
    )
    with engine.connect() as connection:
        for r in connection.execute(query):
            yield RankRow(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                float(r[8]),
                r[9],
                r[10],
                r[11] or "",
                tuple((r[12] or "").split()),
                r[13],
            )


def dimension_medians(engine: Engine, edition: str) -> dict[tuple[str, str], float]:
    """Median score per (peer group, scope) over the edition (the ticks of the cards)."""
    from statistics import median

    values: dict[tuple[str, str], list[float]] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            select(scores.c.peer_group, scores.c.scope, scores.c.value)
            .where(scores.c.edition_id == edition, scores.c.value.is_not(None))
            .execution_options(yield_per=10000)
        )
        for group, scope, value in rows:
            values.setdefault((group or "", scope), []).append(float(value))
    return {key: median(items) for key, items in values.items()}
