"""Computing the catalogue's indicators from the facts of one edition (pure).

:class:`Facts` holds what an edition knows of each collectivité (its criterion
statuses, findings, accounts and account metrics); :func:`evaluate` computes one
indicator over a set of collectivités, :func:`compute` every indicator of the catalogue
for every peer group it is shown for. Each :class:`Value` carries its numerator, its
denominator (those that could be measured), the eligible ones and so its coverage; a
value nobody could be measured for has no share (« non mesuré »), never 0 %.

Nothing here reads the database: :mod:`barometre.indicators.read` builds the facts
from storage, and the tests build them by hand.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from barometre.methodology import Criterion, Methodology, Rule
from barometre.methodology.indicators import Catalogue, Indicator
from barometre.models import Authority, AuthorityKind
from barometre.vocab.authorities import PEER_GROUPS, kind_plural, peer_group_short
from barometre.vocab.platforms import PLATFORMS

MEASURED = frozenset({"pass", "partial", "fail"})
NOT_APPLICABLE = "not_applicable"
NOT_MEASURABLE = "not_measurable"
# the criterion whose measurement says the site was read for links to accounts
SOCIAL_READ_BY = "presence.reseaux_sociaux"
MODE_METRICS = ("mode_information", "mode_conversation", "mode_promotion", "mode_mobilisation")
SEARCH = "search"  # findings of the search-engine connector: name = position reached
SEARCH_FIRST = "premier"
SEARCH_PAGE = "premiere_page"
ALL = "ensemble"
EMPTY: Mapping[str, str] = {}


@cache
def _rule_bounds(rules: tuple[Rule, ...]) -> tuple[int, ...]:
    return tuple(
        sorted(
            {
                bound
                for rule in rules
                for bound in (rule.population_below, rule.population_at_least)
                if bound is not None
            }
        )
    )


def _bounds(criterion: Criterion) -> tuple[int, ...]:
    """The population bounds of a criterion's applicability rules, sorted."""
    return _rule_bounds(criterion.rules)


KINDS = tuple(k.value for k in AuthorityKind)


@dataclass(frozen=True, slots=True)
class Member:
    """One collectivité of the edition, with what the groups and rules need."""

    authority: Authority
    id: str
    peer_group: str
    has_site: bool
    kind: str = field(init=False)  # the authority's type, read millions of times

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.authority.kind.value)


Account = tuple[str, str, str]  # authority id, platform, account id
Tally = tuple[int, int, float, "Counter[str] | None"]  # eligible, measured, counted, levels


@dataclass
class Facts:
    members: list[Member]
    statuses: dict[str, dict[str, str]] = field(default_factory=dict)
    findings: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    # accounts found on the site (platform, handle) when the social layer holds none
    found_accounts: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    profiles: dict[Account, int | None] = field(default_factory=dict)  # → followers
    metrics: dict[Account, dict[str, float | None]] = field(default_factory=dict)
    top_communes: int = 50
    # each collectivité's dominant mode over its classified posts, in this edition and in
    # the previous one of the series (``None``: no previous edition)
    modes: dict[str, str] = field(default_factory=dict)
    previous_modes: dict[str, str] | None = None
    _by_member: dict[str, Counter[str]] | None = field(default=None, repr=False)
    _accounts: dict[str, list[Account]] | None = field(default=None, repr=False)
    tallies: dict[str, list[tuple[Member, Tally]]] = field(default_factory=dict, repr=False)
    _applies: dict[tuple[str, str, int], bool] = field(default_factory=dict, repr=False)
    _accounts_of: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    def accounts_by_member(self) -> dict[str, list[Account]]:
        if self._accounts is None:
            index: dict[str, list[Account]] = {}
            for account in self.profiles:
                index.setdefault(account[0], []).append(account)
            self._accounts = index
        return self._accounts

    def status(self, member: Member, criterion: Criterion) -> str:
        """The stored status, or the scoring's rule for a missing one (not applicable
        without a site or outside the rules, not measurable otherwise)."""
        stored = self.statuses.get(member.id, EMPTY).get(criterion.id)
        if stored is not None:
            return stored
        if not member.has_site:
            return NOT_APPLICABLE
        # applicability depends on the type and on which side of the rules' population
        # bounds the collectivité lies: computed once per (criterion, type, bounds)
        population = member.authority.population
        bounds = _bounds(criterion)
        key = (
            criterion.id,
            member.kind,
            -1 if population is None else bisect_right(bounds, population),
        )
        applies = self._applies.get(key)
        if applies is None:
            applies = criterion.applicability(member.authority)[0] != NOT_APPLICABLE
            self._applies[key] = applies
        return NOT_MEASURABLE if applies else NOT_APPLICABLE

    def accounts_of(self, member_id: str) -> dict[str, int]:
        """Accounts per platform: those the social layer read, else those found on the site."""
        cached = self._accounts_of.get(member_id)
        if cached is not None:
            return cached
        if self._by_member is None:
            index: dict[str, Counter[str]] = {}
            for authority_id, platform, _account in self.profiles:
                index.setdefault(authority_id, Counter())[platform] += 1
            self._by_member = index
        counts = Counter(self._by_member.get(member_id, Counter()))
        found: Counter[str] = Counter(p for p, _ in self.found_accounts.get(member_id, set()))
        for platform, n in found.items():
            if platform not in counts:
                counts[platform] = n
        self._accounts_of[member_id] = dict(counts)
        return self._accounts_of[member_id]

    def biggest_communes(self) -> list[Member]:
        communes = [m for m in self.members if m.kind == "commune"]
        communes.sort(key=lambda m: (-(m.authority.population or 0), m.authority.code))
        return communes[: self.top_communes]


def dominant_mode(accounts: Iterable[Mapping[str, tuple[float | None, int | None]]]) -> str | None:
    """The dominant mode of a collectivité: each account's ``mode_*`` shares weighted by
    the posts classified (``(value, sample)`` per metric), summed over its accounts; the
    mode with the most posts, ``None`` when none was classified or two modes tie."""
    totals: dict[str, float] = {}
    for metrics in accounts:
        for name in MODE_METRICS:
            value, sample = metrics.get(name, (None, None))
            if value is not None and sample:
                mode = name.removeprefix("mode_")
                totals[mode] = totals.get(mode, 0.0) + value * sample
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:2]
    if not ranked or ranked[0][1] <= 0:
        return None
    if len(ranked) == 2 and abs(ranked[0][1] - ranked[1][1]) < 1e-6:
        return None
    return ranked[0][0]


@dataclass(frozen=True, slots=True)
class Value:
    """One indicator over one group: ``numerator / denominator`` (a share, or a mean
    for the means), over the measured ones; coverage ``measured / eligible``."""

    indicator: str
    group: str
    numerator: float
    denominator: int
    measured: int
    eligible: int
    unit: str = "collectivités"
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def coverage(self) -> float | None:
        return self.measured / self.eligible if self.eligible else None


def group_label(group: str) -> str:
    """« Toutes collectivités », « Régions », « Communes 500–2 000 »…"""
    if group == ALL:
        return "Toutes collectivités"
    if group in KINDS:
        plural = kind_plural(AuthorityKind(group))
        return plural[0].upper() + plural[1:]
    return peer_group_short(group)


def group_order(group: str) -> tuple[int, int]:
    """All, then the kinds, then the peer groups, in the order they are listed."""
    if group == ALL:
        return 0, 0
    if group in KINDS:
        return 1, KINDS.index(group)
    return 2, PEER_GROUPS.index(group) if group in PEER_GROUPS else len(PEER_GROUPS)


# --- one indicator over a set of collectivités --------------------------------------------


def _criteria(indicator: Indicator, methodology: Methodology) -> list[Criterion]:
    known = methodology.ids
    return [known[c] for c in indicator.criteria if c in known]


def member_rule(
    indicator: Indicator, facts: Facts, methodology: Methodology
) -> Callable[[Member], tuple[bool, bool, float]]:
    """``member → (eligible, measured, counted)`` for the collectivité-level kinds."""
    known = methodology.ids
    criteria = _criteria(indicator, methodology)
    wanted = set(indicator.statuses)

    def by_criteria(member: Member) -> tuple[bool, bool, bool]:
        statuses = [facts.status(member, c) for c in criteria]
        eligible = any(s != NOT_APPLICABLE for s in statuses)
        if indicator.match == "all":
            measured = bool(statuses) and all(s in MEASURED for s in statuses)
            return eligible, measured, measured and all(s in wanted for s in statuses)
        return eligible, any(s in MEASURED for s in statuses), any(s in wanted for s in statuses)

    if indicator.kind == "site":
        return lambda m: (True, True, 1.0 if m.has_site else 0.0)
    if indicator.kind == "criterion" and len(criteria) == 1:
        # the common case (one criterion per indicator), without the lists of the general one
        only = criteria[0]
        status_of = facts.status

        def one_criterion(member: Member) -> tuple[bool, bool, float]:
            status = status_of(member, only)
            if status == NOT_APPLICABLE:
                return False, False, 0.0
            measured = status in MEASURED
            return True, measured, 1.0 if measured and status in wanted else 0.0

        return one_criterion
    if indicator.kind == "criterion":

        def criterion(member: Member) -> tuple[bool, bool, float]:
            eligible, measured, hit = by_criteria(member)
            return eligible, measured, 1.0 if measured and hit else 0.0

        return criterion
    if indicator.kind == "finding":
        read_by = known.get(indicator.read_by)
        names = set(indicator.names)

        def finding(member: Member) -> tuple[bool, bool, float]:
            own = facts.findings.get(member.id, set())
            in_category = [n for c, n in own if c == indicator.category]
            hit = any(not names or n in names for n in in_category)
            read = bool(in_category) or (
                read_by is not None and facts.status(member, read_by) in MEASURED
            )
            eligible = member.has_site
            if criteria:
                c_eligible, c_measured, c_hit = by_criteria(member)
                return eligible or c_eligible, read or c_measured, float(hit or c_hit)
            return eligible, read, float(hit)

        return finding
    if indicator.kind == "mode_switch":
        previous = facts.previous_modes

        def switch(member: Member) -> tuple[bool, bool, float]:
            now = facts.modes.get(member.id)
            before = None if previous is None else previous.get(member.id)
            if now is None:
                return False, False, 0.0
            measured = before is not None
            hit = before == indicator.since_mode and now == indicator.dominant
            return True, measured, float(measured and hit)

        return switch
    if indicator.kind == "search":
        positions = {SEARCH_FIRST} if indicator.position == "first" else {SEARCH_FIRST, SEARCH_PAGE}

        def search(member: Member) -> tuple[bool, bool, float]:
            own = [n for c, n in facts.findings.get(member.id, set()) if c == SEARCH]
            return member.has_site, bool(own), float(any(n in positions for n in own))

        return search
    # platforms and accounts: collectivités whose accounts could be looked for
    read_by = known.get(indicator.read_by or SOCIAL_READ_BY)
    platforms = set(indicator.platforms or PLATFORMS)

    def accounts(member: Member) -> tuple[bool, bool, float]:
        own = facts.accounts_of(member.id)
        measured = bool(own) or (read_by is not None and facts.status(member, read_by) in MEASURED)
        if indicator.kind == "accounts":
            return True, measured, float(sum(own.values()))
        on = platforms & set(own)
        hit = on == platforms if indicator.match == "all" else bool(on)
        return True, measured, float(hit)

    return accounts


def _account_tally(indicator: Indicator, facts: Facts, member: Member) -> Tally:
    """The accounts of one collectivité for an account-level indicator."""
    platforms = set(indicator.platforms or PLATFORMS)
    known = [a for a in facts.accounts_by_member().get(member.id, ()) if a[1] in platforms]
    if indicator.eligible == "metric":
        known = [a for a in known if indicator.metric in facts.metrics.get(a, {})]
    numerator = 0.0
    measured = 0
    levels: Counter[str] | None = Counter() if indicator.kind == "metric_mean" else None
    for account in known:
        values = facts.metrics.get(account, {})
        if indicator.dominant:
            modes = {m: values.get(m) for m in MODE_METRICS}
            if any(v is None for v in modes.values()):
                continue
            measured += 1
            top = max(modes.values(), key=lambda v: v or 0.0)
            numerator += float(modes.get(f"mode_{indicator.dominant}") == top and (top or 0) > 0)
            continue
        value = values.get(indicator.metric)
        if value is None:
            continue
        measured += 1
        if levels is not None:
            numerator += value
            levels[f"{round(value):g}"] += 1
        elif indicator.below is not None:
            numerator += float(value < indicator.below)
        else:
            numerator += float(indicator.above is not None and value > indicator.above)
    return len(known), measured, numerator, levels


def tally_rule(
    indicator: Indicator, facts: Facts, methodology: Methodology
) -> Callable[[Member], Tally]:
    """``member → (eligible, measured, counted, levels)``, for every kind of indicator
    (accounts counted for the account-level ones)."""
    if indicator.kind in ("account_metric", "metric_mean"):
        return lambda member: _account_tally(indicator, facts, member)
    rule = member_rule(indicator, facts, methodology)

    def collectivite(member: Member) -> Tally:
        eligible, measured, counted = rule(member)
        if not eligible:
            return 0, 0, 0.0, None
        return 1, int(measured), counted if measured else 0.0, None

    return collectivite


def _value(indicator: Indicator, group: str, tallies: Iterable[Tally]) -> Value:
    eligible = measured = 0
    numerator = 0.0
    levels: Counter[str] = Counter()
    for e, m, n, counted_levels in tallies:
        eligible += e
        measured += m
        numerator += n
        if counted_levels:
            levels.update(counted_levels)
    if indicator.kind in ("account_metric", "metric_mean"):
        unit = "comptes"
    elif indicator.kind == "accounts":
        unit = "comptes par collectivité"
    else:
        unit = "collectivités"
    detail: dict[str, Any] = {"repartition": dict(sorted(levels.items()))} if levels else {}
    return Value(indicator.id, group, numerator, measured, measured, eligible, unit, detail)


def evaluate(
    indicator: Indicator,
    facts: Facts,
    members: Sequence[Member],
    methodology: Methodology,
    group: str = ALL,
) -> Value:
    """``indicator`` over ``members``."""
    rule = tally_rule(indicator, facts, methodology)
    return _value(indicator, group, (rule(m) for m in members))


def member_tallies(
    indicator: Indicator, facts: Facts, methodology: Methodology
) -> list[tuple[Member, Tally]]:
    """Each collectivité of the indicator's scope with its tally, computed once per
    indicator and edition (groups and areas are sums of them)."""
    cached = facts.tallies.get(indicator.id)
    if cached is None:
        rule = tally_rule(indicator, facts, methodology)
        cached = [(m, rule(m)) for m in scope_members(indicator, facts)]
        facts.tallies[indicator.id] = cached
    return cached


# --- every indicator, every group -------------------------------------------------------


def scope_members(indicator: Indicator, facts: Facts) -> list[Member]:
    if indicator.scope == "grandes-villes":
        return facts.biggest_communes()
    return facts.members


def groups_of(indicator: Indicator, members: Sequence[Member]) -> list[tuple[str, list[Member]]]:
    """The groups the indicator is shown for, each with its collectivités (a group
    with no collectivité of the edition is left out)."""
    out: list[tuple[str, list[Member]]] = []
    for group in indicator.groups:
        if group == ALL:
            out.append((ALL, list(members)))
        elif group == "strates":
            for peer in PEER_GROUPS:
                if peer in KINDS:
                    continue
                chosen = [m for m in members if m.peer_group == peer]
                if chosen:
                    out.append((peer, chosen))
        else:
            chosen = [m for m in members if m.kind == group]
            if chosen:
                out.append((group, chosen))
    return out


def compute(catalogue: Catalogue, facts: Facts, methodology: Methodology) -> list[Value]:
    """Every indicator of the catalogue for every group it is shown for (a group with
    no collectivité of the edition is left out). Tallies are summed per peer group
    first; a type and the whole are sums of peer groups."""
    out: list[Value] = []
    for indicator in catalogue.indicators:
        per_peer: dict[str, list[Any]] = {}
        for member, (eligible, measured, counted, levels) in member_tallies(
            indicator, facts, methodology
        ):
            acc = per_peer.get(member.peer_group)
            if acc is None:
                acc = per_peer[member.peer_group] = [0, 0, 0.0, None]
            acc[0] += eligible
            acc[1] += measured
            acc[2] += counted
            if levels:
                acc[3] = (acc[3] or Counter()) + levels
        sums: dict[str, list[Tally]] = {}
        wanted: set[str] = set(indicator.groups)
        for peer, acc in per_peer.items():
            tally: Tally = (acc[0], acc[1], acc[2], acc[3])
            kind = peer.partition(":")[0]
            if ALL in wanted:
                sums.setdefault(ALL, []).append(tally)
            if kind in wanted:
                sums.setdefault(kind, []).append(tally)
            if "strates" in wanted and peer not in KINDS:
                sums.setdefault(peer, []).append(tally)
        order: list[str] = [ALL, *[g for g in indicator.groups if g in KINDS], *PEER_GROUPS]
        switched = _switched(indicator, facts, methodology)
        for group in dict.fromkeys(order):
            if group in sums:
                value = _value(indicator, group, sums[group])
                if switched is not None:
                    chosen = [m for m in switched if group in (ALL, m.kind, m.peer_group)]
                    value = _with_switched(value, indicator, facts, chosen)
                out.append(value)
    return out


def _switched(indicator: Indicator, facts: Facts, methodology: Methodology) -> list[Member] | None:
    """The collectivités a mode_switch indicator counts (``None`` for other kinds)."""
    if indicator.kind != "mode_switch":
        return None
    return [m for m, tally in member_tallies(indicator, facts, methodology) if tally[2] > 0]


def _with_switched(
    value: Value, indicator: Indicator, facts: Facts, members: Sequence[Member]
) -> Value:
    """``value`` with the list of the collectivités whose mode switched."""
    previous = facts.previous_modes or {}
    listed = [
        {
            "id": m.id,
            "code": m.authority.code,
            "nom": m.authority.name,
            "groupe": m.peer_group,
            "avant": previous.get(m.id),
            "apres": facts.modes.get(m.id),
        }
        for m in sorted(members, key=lambda m: (m.authority.name, m.id))
    ]
    return replace(value, detail={**value.detail, "collectivites": listed})


def by_area(
    indicator: Indicator,
    facts: Facts,
    methodology: Methodology,
    area: Callable[[Member], str | None],
    kinds: Iterable[str],
) -> dict[str, Value]:
    """The indicator per area (a département or région code given by ``area``) over
    the collectivités of ``kinds`` (communes and EPCI aggregated per département)."""
    wanted = set(kinds)
    areas: dict[str, list[Tally]] = {}
    switched: dict[str, list[Member]] = {}
    for member, tally in member_tallies(indicator, facts, methodology):
        code = area(member)
        if member.kind in wanted and code:
            areas.setdefault(code, []).append(tally)
            if indicator.kind == "mode_switch" and tally[2] > 0:
                switched.setdefault(code, []).append(member)
    out = {code: _value(indicator, code, tallies) for code, tallies in sorted(areas.items())}
    if indicator.kind == "mode_switch":
        out = {
            code: _with_switched(value, indicator, facts, switched.get(code, []))
            for code, value in out.items()
        }
    return out
