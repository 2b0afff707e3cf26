"""Recommendations, the provider view and the collectivités' explanations, as the
command line and the site read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from barometre.errors import ConfigurationError, StorageError
from barometre.methodology import DEFAULT_VERSION, Methodology, bundled, load
from barometre.models import Authority
from barometre.pipeline.core import Setup
from barometre.scoring import explanations as expl
from barometre.scoring.recommendations import (
    DEFAULT_MIN_SITES,
    Plan,
    ProviderProfile,
    Recommendation,
    peer_shares,
    pick_labels,
    provider_view,
    recommend,
)
from barometre.storage import (
    audit_repo,
    edition_repo,
    explanation_repo,
    reco_repo,
    registry_repo,
    score_repo,
)
from barometre.storage.explanation_repo import Explanation, ImportReport
from barometre.storage.score_repo import ScoreRow

__all__ = [
    "DEFAULT_MIN_SITES",
    "Explanation",
    "Plan",
    "Recommendation",
    "authority_plan",
    "edition_reference",
    "expl",
    "explanations",
    "grid",
    "providers",
    "read_explanations",
    "store_explanations",
]


def grid(version: str | None) -> Methodology:
    return bundled(version or DEFAULT_VERSION)


def edition_reference(engine: Engine, edition: str) -> date:
    """The day explanations are judged on for ``edition`` (see :mod:`scoring.explanations`)."""
    try:
        return expl.reference_date(edition)  # AAAA-MM: the end of its month
    except ValueError:
        info = edition_repo.get_edition(engine, edition)
        return expl.reference_date(edition, info.created_at)


def explanations_of(engine: Engine, authority_id: str, check_id: str) -> list[Explanation]:
    return explanation_repo.load(engine, authority_ids=[authority_id], check_id=check_id)


def result_explanations(
    engine: Engine, authority_id: str, check_id: str, edition: str
) -> tuple[list[Explanation], date]:
    """The explanations and disputes of one result, and the day their state is judged on
    (the edition's; today when the edition is not in the database)."""
    items = explanations_of(engine, authority_id, check_id)
    if not items:
        return items, date.today()
    try:
        return items, edition_reference(engine, edition)
    except StorageError:
        return items, date.today()


@dataclass(frozen=True)
class AuthorityPlan:
    plan: Plan
    score: ScoreRow | None


@dataclass(frozen=True)
class EditionView:
    """An edition as the recommendations read it: its grid and reference day."""

    edition: str
    grid: Methodology
    on: date


def edition_view(setup: Setup, edition: str) -> EditionView:
    info = edition_repo.get_edition(setup.engine, edition)
    return EditionView(
        edition, grid(info.methodology_version), expl.reference_date(edition, info.created_at)
    )


def authority_plan(setup: Setup, view: EditionView, authority: Authority) -> AuthorityPlan:
    """The criteria ``authority`` should improve first, against its peer group."""
    engine, edition = setup.engine, view.edition
    group = reco_repo.peer_group_of(engine, edition, authority.id)
    if group is None:
        raise ConfigurationError(
            f"{authority.name} ({authority.id}) n'a pas de score dans l'édition {edition} : "
            f"lancez d'abord « barometre score -e {edition} »."
        )
    shares = peer_shares(reco_repo.peer_status_counts(engine, edition, group))
    results = [r for r, _ in audit_repo.load_results(engine, edition, authority_id=authority.id)]
    notes: dict[str, list[Explanation]] = {}
    for item in explanation_repo.load(engine, authority_ids=[authority.id]):
        notes.setdefault(item.check_id, []).append(item)
    plan = recommend(authority, results, view.grid, group, shares, notes)
    score = score_repo.load_scores(engine, edition, authority_id=authority.id, scope="global")
    return AuthorityPlan(plan, score[0] if score else None)


@dataclass(frozen=True)
class ProviderReport:
    members: int  # sites with a known CMS or provider
    profiles: list[ProviderProfile]


def providers(
    setup: Setup, edition: str, categories: Sequence[str], min_sites: int
) -> ProviderReport:
    """The CMS and providers whose sites fail criteria more often than nationally."""
    engine = setup.engine
    info = edition_repo.get_edition(engine, edition)
    members = reco_repo.provider_sites(engine, edition, tuple(categories))
    profiles = provider_view(
        members,
        reco_repo.provider_status_counts(
            engine, edition, min_sites=min_sites, categories=tuple(categories)
        ),
        reco_repo.national_status_counts(engine, edition),
        grid(info.methodology_version),
        labels=pick_labels(reco_repo.provider_labels(engine, edition, tuple(categories))),
        min_sites=min_sites,
    )
    return ProviderReport(len(members), profiles)


def read_explanations(path: Path, methodology: str) -> list[Explanation]:
    """The explanations of a CSV or TOML file (French errors naming the line)."""
    chosen = load(Path(methodology)) if methodology.endswith(".toml") else grid(methodology)
    return expl.read_file(path, chosen)


def store_explanations(setup: Setup, path: Path, items: list[Explanation]) -> ImportReport:
    """Check the file's collectivités against the registry, then store its items."""
    engine = setup.engine
    expl.check_authorities(path, items, lambda ids: explanation_repo.known_authorities(engine, ids))
    return explanation_repo.store(engine, items)


def explanations(
    setup: Setup, authority_ids: Sequence[str] | None
) -> tuple[list[Explanation], dict[str, str]]:
    """The stored explanations (of ``authority_ids``, all when ``None``), and the names
    of their collectivités."""
    items = explanation_repo.load(setup.engine, authority_ids=authority_ids)
    names = {
        a.id: a.name
        for a in registry_repo.load_authorities(
            setup.engine, ids=sorted({i.authority_id for i in items})
        )
    }
    return items, names
