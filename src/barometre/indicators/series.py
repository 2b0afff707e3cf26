"""Indicators per edition (the series), their change since the previous edition and
over twelve months, and the ranking of follower progressions between two editions.

An edition's values are stored with the month it measured (its *period*: the edition id
``YYYY-MM``, or the month given by the demo); the previous edition is the latest stored
one of an earlier period, of the same kind (demonstration editions form their own
series). Areas (régions, départements, communes and EPCI aggregated per département)
are stored beside the groups, for the maps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from barometre.indicators.compute import Facts, Member, Value, by_area, compute, group_order
from barometre.indicators.read import (
    Earlier,
    earlier_editions,
    edition_period,
    members_of,
    months_before,
    read_facts,
)
from barometre.indicators.report import Row, rows
from barometre.methodology import Methodology
from barometre.methodology.indicators import Catalogue
from barometre.storage import edition_repo, indicator_repo
from barometre.storage.indicator_repo import StoredValue

__all__ = [
    "AREAS",
    "Earlier",
    "Progression",
    "area_values",
    "earlier_editions",
    "edition_period",
    "edition_rows",
    "months_before",
    "progressions",
    "ranking",
    "store_edition",
    "stored_rows",
]

# area groups of the maps: the prefix of the stored group, the collectivités counted,
# and the area code a collectivité falls in
AREAS: tuple[tuple[str, tuple[str, ...], Callable[[Member], str | None]], ...] = (
    ("region", ("region",), lambda m: m.authority.code),
    ("departement", ("departement",), lambda m: m.authority.code),
    ("communes", ("commune", "epci"), lambda m: m.authority.departement),
)


def _stored(value: Value, period: str, edition: str) -> StoredValue:
    return StoredValue(
        edition,
        period,
        value.indicator,
        value.group,
        value.numerator,
        value.denominator,
        value.measured,
        value.eligible,
        value.unit,
        value.value,
        dict(value.detail),
    )


def _value(stored: StoredValue) -> Value:
    return Value(
        stored.indicator,
        stored.group,
        stored.numerator,
        stored.denominator,
        stored.measured,
        stored.eligible,
        stored.unit,
        stored.detail,
    )


def area_values(catalogue: Catalogue, facts: Facts, methodology: Methodology) -> list[Value]:
    """Every indicator per area (``region:<code>``, ``departement:<code>``,
    ``communes:<département>``) for the maps."""
    out: list[Value] = []
    for indicator in catalogue.indicators:
        if indicator.scope != "tout":
            continue
        for prefix, kinds, area in AREAS:
            for code, value in by_area(indicator, facts, methodology, area, kinds).items():
                out.append(
                    Value(
                        value.indicator,
                        f"{prefix}:{code}",
                        value.numerator,
                        value.denominator,
                        value.measured,
                        value.eligible,
                        value.unit,
                        value.detail,
                    )
                )
    return out


def store_edition(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    catalogue: Catalogue,
    period: str | None = None,
) -> int:
    """Compute every indicator of ``edition`` (groups and areas) and store them."""
    info = edition_repo.get_edition(engine, edition)
    chosen = period or edition_period(info)
    facts = read_facts(engine, edition, catalogue, period=chosen)
    values = compute(catalogue, facts, methodology) + area_values(catalogue, facts, methodology)
    return indicator_repo.replace_values(
        engine, edition, chosen, [_stored(v, chosen, edition) for v in values]
    )


def _by_key(engine: Engine, edition: str | None) -> dict[tuple[str, str], Value]:
    if edition is None:
        return {}
    return {
        (v.indicator, v.group): _value(v) for v in indicator_repo.stored_values(engine, edition)
    }


def edition_rows(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    catalogue: Catalogue,
    facts: Facts | None = None,
) -> list[Row]:
    """The catalogue's figures of ``edition`` (computed now) with their earlier values."""
    facts = facts or read_facts(engine, edition, catalogue)
    values = compute(catalogue, facts, methodology)
    earlier = earlier_editions(engine, edition)
    return rows(
        catalogue,
        values,
        _by_key(engine, earlier.previous),
        _by_key(engine, earlier.year_ago),
    )


def stored_rows(engine: Engine, edition: str, catalogue: Catalogue) -> list[Row]:
    """The stored figures of ``edition`` (groups only) with their earlier values."""
    earlier = earlier_editions(engine, edition)
    values = [
        _value(v)
        for v in indicator_repo.stored_values(engine, edition)
        if v.group.partition(":")[0] not in {a[0] for a in AREAS}
    ]
    order = {i: n for n, i in enumerate(catalogue.ids)}
    values.sort(key=lambda v: (order.get(v.indicator, len(order)), group_order(v.group)))
    return rows(
        catalogue, values, _by_key(engine, earlier.previous), _by_key(engine, earlier.year_ago)
    )


# --- follower progressions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progression:
    authority_id: str
    name: str
    peer_group: str
    platform: str
    handle: str
    url: str
    before: int
    after: int
    source_before: str
    source_after: str

    @property
    def gain(self) -> int:
        return self.after - self.before

    @property
    def percent(self) -> float | None:
        return self.gain / self.before if self.before else None


def progressions(
    engine: Engine, edition: str, previous: str, members: Sequence[Member] | None = None
) -> list[Progression]:
    """Accounts followed in both editions, with their follower counts and sources."""
    if members is None:
        members = members_of(engine, edition)
    by_id: Mapping[str, Member] = {m.id: m for m in members}
    out = []
    for row in indicator_repo.follower_pairs(engine, edition, previous):
        authority_id, platform, _account, handle, before, after, src_before, src_now, url = row
        member = by_id.get(authority_id)
        if member is None:
            continue
        out.append(
            Progression(
                authority_id,
                member.authority.name,
                member.peer_group,
                platform,
                handle,
                url,
                before,
                after,
                src_before,
                src_now,
            )
        )
    return out


def ranking(
    items: Sequence[Progression], *, by: str = "gain"
) -> dict[tuple[str, str], list[Progression]]:
    """Progressions ranked per (peer group, platform), biggest first, by absolute gain
    (``by="gain"``) or by percent (``"percent"``; accounts without followers before are
    left out of the percent ranking)."""
    groups: dict[tuple[str, str], list[Progression]] = {}
    for item in items:
        if by == "percent" and item.percent is None:
            continue
        groups.setdefault((item.peer_group, item.platform), []).append(item)
    for chosen in groups.values():
        chosen.sort(
            key=lambda p: (-(p.gain if by == "gain" else p.percent or 0.0), p.name, p.handle)
        )
    return dict(sorted(groups.items()))
