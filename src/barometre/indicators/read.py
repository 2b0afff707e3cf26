"""The facts of one edition, read from storage, for :mod:`barometre.indicators.compute`."""

from __future__ import annotations

from sqlalchemy import Engine

from barometre.indicators.compute import MODE_METRICS, Facts, Member
from barometre.methodology.indicators import Catalogue
from barometre.models import Authority, AuthorityKind
from barometre.scoring.engine import peer_group
from barometre.storage import indicator_repo


def members_of(engine: Engine, edition: str) -> list[Member]:
    """The collectivités of the edition, with their peer group."""
    members: list[Member] = []
    for row in indicator_repo.members(engine, edition):
        authority = Authority(
            AuthorityKind(row.kind),
            row.code,
            row.name,
            population=row.population,
            region=row.region,
            departement=row.departement,
            epci_type=row.epci_type,
        )
        members.append(Member(authority, row.id, peer_group(authority), row.has_site))
    return members


def read_facts(engine: Engine, edition: str, catalogue: Catalogue) -> Facts:
    facts = Facts(members_of(engine, edition), top_communes=catalogue.top_communes)
    for authority_id, check_id, status in indicator_repo.statuses(engine, edition):
        facts.statuses.setdefault(authority_id, {})[check_id] = status
    for authority_id, category, name, handle in indicator_repo.finding_names(engine, edition):
        facts.findings.setdefault(authority_id, set()).add((category, name))
        if category == "social":
            key = (handle or name).lower()
            facts.found_accounts.setdefault(authority_id, set()).add((name, key))
    for authority_id, platform, account_id, _state, followers in indicator_repo.profiles(
        engine, edition
    ):
        facts.profiles[(authority_id, platform, account_id)] = followers
    names = sorted(
        {i.metric for i in catalogue.indicators if i.metric and not i.dominant}
        | (set(MODE_METRICS) if any(i.dominant for i in catalogue.indicators) else set())
    )
    for authority_id, platform, account_id, metric, value in indicator_repo.metrics(
        engine, edition, names
    ):
        facts.metrics.setdefault((authority_id, platform, account_id), {})[metric] = value
    return facts
