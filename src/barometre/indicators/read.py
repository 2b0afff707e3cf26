"""The facts of one edition, read from storage, for :mod:`barometre.indicators.compute`,
and where the edition sits in its series (its period, the previous edition)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine

from barometre.indicators.compute import MODE_METRICS, Facts, Member, dominant_mode
from barometre.methodology.indicators import Catalogue
from barometre.models import Authority, AuthorityKind, Edition
from barometre.scoring.engine import peer_group
from barometre.storage import edition_repo, indicator_repo

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def edition_period(info: Edition) -> str:
    """The month an edition measured: its id when it is one, else its creation month."""
    if _PERIOD.match(info.id):
        return info.id
    if info.created_at is not None:
        return f"{info.created_at:%Y-%m}"
    raise ValueError(f"édition {info.id} sans date")


def months_before(period: str, months: int) -> str:
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + (month - 1) - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True, slots=True)
class Earlier:
    """The editions the change is measured against."""

    period: str
    previous: str | None
    year_ago: str | None


def earlier_editions(engine: Engine, edition: str, period: str | None = None) -> Earlier:
    """The previous edition of the series (the latest stored one of an earlier period)
    and the one twelve months before; ``period``: the month ``edition`` is stored as,
    when it is being stored."""
    info = edition_repo.get_edition(engine, edition)
    known = indicator_repo.periods(engine, info.demo)
    stored = {e: p for p, e in known}
    period = period or stored.get(edition) or edition_period(info)
    before = [(p, e) for p, e in known if p < period and e != edition]
    previous = before[-1][1] if before else None
    target = months_before(period, 12)
    year_ago = next((e for p, e in reversed(known) if p == target), None)
    return Earlier(period, previous, year_ago)


def collectivite_modes(engine: Engine, edition: str) -> dict[str, str]:
    """Each collectivité's dominant mode in ``edition`` (its accounts' classified posts
    pooled, :func:`barometre.indicators.compute.dominant_mode`)."""
    accounts: dict[str, dict[tuple[str, str], dict[str, tuple[float | None, int | None]]]] = {}
    for (
        authority_id,
        platform,
        account_id,
        metric,
        value,
        sample,
    ) in indicator_repo.metrics_with_samples(engine, edition, list(MODE_METRICS)):
        own = accounts.setdefault(authority_id, {}).setdefault((platform, account_id), {})
        own[metric] = (value, sample)
    out: dict[str, str] = {}
    for authority_id, by_account in accounts.items():
        mode = dominant_mode(by_account.values())
        if mode is not None:
            out[authority_id] = mode
    return out


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


def read_facts(
    engine: Engine, edition: str, catalogue: Catalogue, *, period: str | None = None
) -> Facts:
    """The facts of ``edition``; with a mode-switch indicator in the catalogue, also the
    collectivités' dominant modes here and in the previous edition of the series."""
    facts = Facts(members_of(engine, edition), top_communes=catalogue.top_communes)
    if any(i.kind == "mode_switch" for i in catalogue.indicators):
        facts.modes = collectivite_modes(engine, edition)
        previous = earlier_editions(engine, edition, period).previous
        if previous is not None:
            facts.previous_modes = collectivite_modes(engine, previous)
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
