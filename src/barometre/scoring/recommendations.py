"""Recommendations per collectivité, and the provider view. Pure functions, no I/O.

**Recommendations.** A collectivité's failed and partial criteria, ranked by

    priority = weight × gap × share of peers who already pass

* *weight* is the criterion's nominal share of the global score: its weight divided by
  the sum of the weights of its dimension's criteria, times the dimension's weight
  divided by 100 (the 45 weights of a methodology sum to 1). The nominal share is used
  rather than the share left after this collectivité's not-applicable criteria are
  re-weighted, so that a criterion has the same weight on every report card and the
  priorities of two collectivités can be compared; re-weighting scales every criterion
  of a dimension by the same factor, so the order inside a dimension is the same;
* *gap* is ``1 − value`` (what is left to gain on the criterion);
* *share of peers* is the share of the other members of its peer group
  (:func:`barometre.scoring.engine.peer_group`, stored in ``scores.peer_group``) that
  pass the criterion, among those for which it was measured (pass, partial or fail): a
  failure most of its peers avoided is the most actionable. The collectivité itself is
  not its own peer; with no measured peer the share is 0 and the denominator says so.

Ties (same priority to 1e-12) are broken by legal obligations first, then the larger
weight, the larger gap, then the order of the methodology's grid: the same input always
gives the same list. ``not_applicable`` results are never recommended, nor a failure of
a criterion that only counts as a bonus (the audit stores it as not applicable);
``not_measurable`` results are listed apart, « à vérifier », with their reason. A
criterion with no stored result for a collectivité that has a site is listed apart too
(the edition did not measure it); without a site it does not apply (the rule of the
scores, :meth:`Criterion.missing_status`).

:func:`peer_shares` computes the share of every (peer group, criterion) once per edition
from status counts aggregated in SQL, so that publishing 36,000 report cards does not
recount them for each.

**Provider view.** For every CMS and every credited web provider found on at least
``min_sites`` sites, each criterion's failure rate (status ``fail``) among those sites
beside the national rate (every collectivité of the edition measured on the criterion,
those sites included), with the denominators, and the *excess* failures: failures
observed minus failures expected at the national rate. Providers are ranked by the sum
of their positive excesses, so that those whose sites concentrate failures come first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from barometre.methodology import Criterion, Methodology
from barometre.models import Authority, CheckResult, Evidence, Status
from barometre.storage.explanation_repo import Explanation
from barometre.vocab.cms import display_name

MEASURED = frozenset({Status.PASS, Status.PARTIAL, Status.FAIL})
TO_IMPROVE = frozenset({Status.PARTIAL, Status.FAIL})
DEFAULT_MIN_SITES = 3
NOT_EVALUATED = (
    "Pas de résultat dans cette édition pour ce critère (site non capturé ou critère "
    "non évalué) : à vérifier."
)
_TIE_DIGITS = 12


@dataclass(frozen=True, slots=True)
class PeerShare:
    """How many members of a peer group pass a criterion, among those measured."""

    passed: int = 0
    measured: int = 0

    @property
    def share(self) -> float:
        return self.passed / self.measured if self.measured else 0.0

    def without_failure(self) -> PeerShare:
        """The share among the *other* members, for a member that did not pass."""
        measured = max(self.measured - 1, self.passed, 0)
        return PeerShare(self.passed, measured)


PeerShares = Mapping[tuple[str, str], PeerShare]


def peer_shares(counts: Iterable[tuple[str, str, str, int]]) -> dict[tuple[str, str], PeerShare]:
    """``{(peer_group, check_id): PeerShare}`` from ``(peer_group, check_id, status,
    count)`` rows (one edition's results counted per group in SQL)."""
    passed: Counter[tuple[str, str]] = Counter()
    measured: Counter[tuple[str, str]] = Counter()
    for group, check_id, status, n in counts:
        if Status(status) in MEASURED:
            measured[(group, check_id)] += n
            if status == Status.PASS:
                passed[(group, check_id)] += n
    return {key: PeerShare(passed[key], measured[key]) for key in measured}


def effective_weights(methodology: Methodology) -> dict[str, float]:
    """Each criterion's nominal share of the global score (they sum to 1)."""
    out: dict[str, float] = {}
    for dimension, criteria in methodology.by_dimension():
        total = sum(c.weight for c in criteria)
        for criterion in criteria:
            out[criterion.id] = criterion.weight / total * dimension.weight / 100
    return out


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One criterion to improve, with what to do and why it comes at this rank."""

    criterion: Criterion
    status: Status
    value: float
    weight: float  # nominal share of the global score (0–1)
    peers: PeerShare  # the other members of the peer group
    priority: float  # weight × gap × peers.share
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None
    legal_basis: str | None = None  # the criterion's basis, for a legal obligation
    bonus: str | None = None  # why the obligation only counts as a bonus here
    explanations: tuple[Explanation, ...] = ()

    @property
    def gap(self) -> float:
        return 1.0 - self.value

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def name(self) -> str:
        return self.criterion.name

    @property
    def nature(self) -> str:
        return self.criterion.nature

    @property
    def advice(self) -> str:
        return self.criterion.advice


@dataclass(frozen=True, slots=True)
class ToVerify:
    """A criterion that could not be measured: listed apart, never recommended."""

    criterion: Criterion
    reason: str
    evidence: tuple[Evidence, ...] = ()
    explanations: tuple[Explanation, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A collectivité's recommendations in one edition."""

    authority_id: str
    peer_group: str
    recommendations: tuple[Recommendation, ...]
    to_verify: tuple[ToVerify, ...]
    passed: int = 0
    not_applicable: int = 0


def _value(result: CheckResult) -> float:
    if result.value is not None:
        return min(1.0, max(0.0, result.value))
    return 0.0 if result.status is Status.FAIL else 0.5


def recommend(
    authority: Authority,
    results: Iterable[CheckResult],
    methodology: Methodology,
    peer_group: str,
    shares: PeerShares,
    explanations: Mapping[str, Sequence[Explanation]] | None = None,
) -> Plan:
    """The ranked recommendations of ``authority`` from its results in one edition.

    ``shares`` come from :func:`peer_shares` over the whole edition (this collectivité
    included: its own result is taken out here); ``explanations`` (by criterion id) are
    carried beside the recommendations they concern, and change nothing in them.
    """
    by_id = {r.check_id: r for r in results}
    weights = effective_weights(methodology)
    notes = explanations or {}
    order = {c.id: i for i, c in enumerate(methodology.criteria)}
    items: list[Recommendation] = []
    unmeasured: list[ToVerify] = []
    passed = not_applicable = 0
    for criterion in methodology.criteria:
        effect, rule_reason = criterion.applicability(authority)
        attached = tuple(notes.get(criterion.id, ()))
        result = by_id.get(criterion.id)
        if result is None:
            if criterion.missing_status(authority) is Status.NOT_APPLICABLE:
                not_applicable += 1
            else:
                unmeasured.append(ToVerify(criterion, NOT_EVALUATED, (), attached))
            continue
        if result.status is Status.NOT_APPLICABLE:
            not_applicable += 1
            continue
        if result.status is Status.NOT_MEASURABLE:
            reason = result.reason or "Critère non mesurable dans cette édition."
            unmeasured.append(ToVerify(criterion, reason, result.evidence, attached))
            continue
        if result.status is Status.PASS:
            passed += 1
            continue
        value = _value(result)
        peers = shares.get((peer_group, criterion.id), PeerShare()).without_failure()
        weight = weights[criterion.id]
        bonus = rule_reason if effect == "bonus" else None
        items.append(
            Recommendation(
                criterion=criterion,
                status=result.status,
                value=value,
                weight=weight,
                peers=peers,
                priority=weight * (1.0 - value) * peers.share,
                evidence=result.evidence,
                reason=result.reason,
                legal_basis=criterion.basis if criterion.legal and bonus is None else None,
                bonus=bonus,
                explanations=attached,
            )
        )
    items.sort(
        key=lambda r: (
            -round(r.priority, _TIE_DIGITS),
            not r.criterion.legal,
            -round(r.weight, _TIE_DIGITS),
            -round(r.gap, _TIE_DIGITS),
            order[r.criterion.id],
        )
    )
    unmeasured.sort(key=lambda t: order[t.criterion.id])
    return Plan(authority.id, peer_group, tuple(items), tuple(unmeasured), passed, not_applicable)


# --- provider view -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CriterionFailures:
    """One criterion's failures among a provider's sites, beside the national figure."""

    criterion: Criterion
    failed: int
    measured: int
    national_failed: int
    national_measured: int

    @property
    def rate(self) -> float:
        return self.failed / self.measured if self.measured else 0.0

    @property
    def national_rate(self) -> float:
        return self.national_failed / self.national_measured if self.national_measured else 0.0

    @property
    def expected(self) -> float:
        """Failures expected among the provider's measured sites at the national rate."""
        return self.measured * self.national_rate

    @property
    def excess(self) -> float:
        return self.failed - self.expected


@dataclass(frozen=True, slots=True)
class ProviderProfile:
    category: str  # "cms" | "provider"
    name: str  # slug, as found by discovery
    label: str  # display name (the credit's text for a provider)
    sites: int  # collectivités whose site shows it
    criteria: tuple[CriterionFailures, ...] = field(default=())

    @property
    def excess(self) -> float:
        """Failures beyond the national rates, summed over the criteria in excess."""
        return sum(max(0.0, c.excess) for c in self.criteria)

    def concentrated(self) -> list[CriterionFailures]:
        """The criteria failed more often than nationally, largest excess first."""
        return [c for c in self.criteria if c.excess > 1e-9]


def pick_labels(rows: Iterable[tuple[str, str, str | None, int]]) -> dict[tuple[str, str], str]:
    """The display name of each provider: its most frequent label among ``(category,
    name, label, count)`` rows (the credit's text), ties to the first alphabetically."""
    seen: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for category, name, label, n in rows:
        if label:
            seen[(category, name)][label] += n
    return {
        key: sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for key, counts in seen.items()
    }


def provider_view(
    members: Iterable[tuple[str, str, int]],
    counts: Iterable[tuple[str, str, str, str, int]],
    national: Iterable[tuple[str, str, int]],
    methodology: Methodology,
    *,
    labels: Mapping[tuple[str, str], str] | None = None,
    min_sites: int = DEFAULT_MIN_SITES,
) -> list[ProviderProfile]:
    """Providers with at least ``min_sites`` sites, ranked by excess failures.

    ``members``: ``(category, name, collectivités)``; ``counts``: ``(category, name,
    check_id, status, n)`` over the results of each provider's collectivités;
    ``national``: ``(check_id, status, n)`` over the edition; ``labels``: display names
    (:func:`pick_labels`; a CMS by its technology's name, :mod:`barometre.vocab.cms`), the
    slug otherwise.
    """
    names = labels or {}
    nat_failed: Counter[str] = Counter()
    nat_measured: Counter[str] = Counter()
    for check_id, status, n in national:
        if Status(status) in MEASURED:
            nat_measured[check_id] += n
            nat_failed[check_id] += n if status == Status.FAIL else 0
    failed: Counter[tuple[str, str, str]] = Counter()
    measured: Counter[tuple[str, str, str]] = Counter()
    for category, name, check_id, status, n in counts:
        if Status(status) in MEASURED:
            measured[(category, name, check_id)] += n
            failed[(category, name, check_id)] += n if status == Status.FAIL else 0
    known = methodology.ids
    order = {c.id: i for i, c in enumerate(methodology.criteria)}
    out: list[ProviderProfile] = []
    for category, name, total in members:
        if total < min_sites:
            continue
        rows = [
            CriterionFailures(
                known[check_id],
                failed[(category, name, check_id)],
                measured[(category, name, check_id)],
                nat_failed[check_id],
                nat_measured[check_id],
            )
            for check_id in known
            if measured[(category, name, check_id)]
        ]
        rows.sort(key=lambda c: (-round(c.excess, 9), order[c.criterion.id]))
        label = display_name(category, name, names.get((category, name)))
        out.append(ProviderProfile(category, name, label, total, tuple(rows)))
    out.sort(key=lambda p: (-round(p.excess, 9), -p.sites, p.category, p.name))
    return out
