"""National figures of an edition: shares with their denominators and coverage, score
distributions per peer group, rank correlations.

Every share is a :class:`Figure`: a French label, a numerator and a denominator (the
collectivités — or accounts, or posts — that could be measured), and beside it the
**coverage**: how many of the eligible collectivités were measured at all. A share is
always taken over the measured ones (a site that was not captured tells nothing about
accounts, so it is not counted as "no account"); the coverage says how far it reaches.
No figure goes without its denominator, and a figure nobody could be measured for has
no share ("non mesuré"), never 0 %.

Everything above :func:`edition_stats` is pure (hand-made inputs in the tests);
:func:`edition_stats` reads the aggregates from :mod:`barometre.storage.stats_repo`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from barometre.errors import ConfigurationError
from barometre.methodology import Criterion, Methodology
from barometre.models import Authority, AuthorityKind, Status
from barometre.scoring.budget import NOT_COMPARABLE, BudgetRow, per_inhabitant
from barometre.storage import edition_repo, social_repo, stats_repo
from barometre.vocab import fr
from barometre.vocab.authorities import kind_plural, peer_group_short
from barometre.vocab.platforms import PLATFORMS, platform_label
from barometre.vocab.status import GRADES, STATUS_LABELS

KINDS = tuple(k.value for k in AuthorityKind)
# The criterion whose measurement says the site was read for links to accounts (P4:
# not measurable when the site could not be read) and the mobile criterion (T7).
DISCOVERY = "presence.reseaux_sociaux"
MOBILE = "technique.mobile"
MEASURED = ("pass", "partial", "fail")
TOP_COMMUNES = 50
Z95 = 1.959963984540054  # standard normal quantile of 0.975
ALL = ""  # group key of a figure over every type

SECTIONS = {
    "registre": "Registre et critères mesurés sans capture",
    "presence": "Présence sur les réseaux sociaux",
    "grandes_communes": f"Les {TOP_COMMUNES} communes les plus peuplées",
    "pratiques": "Pratiques sur les réseaux sociaux",
    "conformite": "Conformité (critères d'obligation légale)",
    "scores": "Distribution des scores globaux",
    "correlations": "Corrélations (Spearman)",
}


# --- records -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One share with its denominator and its coverage.

    ``numerator / denominator`` is the share (``unit`` counts them); ``measured /
    eligible`` the coverage (``coverage_unit``). For most figures the denominator is the
    measured count itself.
    """

    section: str
    group: str  # a type (``region``…), a peer group, ``plateforme:<name>``, or ALL
    label: str
    numerator: int
    denominator: int
    eligible: int
    measured: int
    source: str
    unit: str = "collectivités"
    coverage_unit: str = "collectivités"
    note: str = ""

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def coverage(self) -> float | None:
        return self.measured / self.eligible if self.eligible else None


@dataclass(frozen=True, slots=True)
class StatusFigure:
    """Pass / partial / fail of one criterion among the collectivités of one type."""

    section: str  # "conformite" (legal obligations) or "registre" (registry-level)
    group: str
    criterion: str
    code: str
    name: str
    basis: str
    passed: int
    partial: int
    failed: int
    not_measurable: int

    @property
    def measured(self) -> int:
        return self.passed + self.partial + self.failed

    @property
    def eligible(self) -> int:
        """Collectivités the criterion applies to (a declared site, applicability rules)."""
        return self.measured + self.not_measurable

    @property
    def coverage(self) -> float | None:
        return self.measured / self.eligible if self.eligible else None

    def share(self, status: str) -> float | None:
        count = {"pass": self.passed, "partial": self.partial, "fail": self.failed}[status]
        return count / self.measured if self.measured else None

    def figures(self) -> list[Figure]:
        """The three shares as plain figures (for flat exports)."""
        return [
            Figure(
                self.section,
                self.group,
                f"{self.code} {self.name} — {label}",
                count,
                self.measured,
                self.eligible,
                self.measured,
                f"{self.criterion} ({self.basis})",
            )
            for label, count in (
                (STATUS_LABELS[Status.PASS], self.passed),
                (STATUS_LABELS[Status.PARTIAL], self.partial),
                (STATUS_LABELS[Status.FAIL], self.failed),
            )
        ]


@dataclass(frozen=True, slots=True)
class Distribution:
    group: str  # a peer group (``commune:3``…)
    count: int  # collectivités with a global score row
    scored: int  # with a score (some were not measurable at all)
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None
    mean: float | None
    grades: tuple[tuple[str, int], ...]
    median_coverage: float | None

    @property
    def graded(self) -> int:
        return sum(n for _, n in self.grades)


@dataclass(frozen=True, slots=True)
class Correlation:
    group: str
    label: str
    source: str
    eligible: int  # collectivités of the group
    n: int  # pairs (score and variable both known)
    rho: float | None
    low: float | None
    high: float | None
    reason: str | None = None  # why it could not be computed
    note: str = ""

    @property
    def coverage(self) -> float | None:
        return self.n / self.eligible if self.eligible else None


@dataclass
class NationalStats:
    edition: str
    label: str
    demo: bool
    methodology: str
    figures: list[Figure] = field(default_factory=list)
    statuses: list[StatusFigure] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)
    correlations: list[Correlation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def group_label(group: str) -> str:
    """French label of a figure's group: a type, a peer group, or all types."""
    if group == ALL:
        return "Toutes collectivités"
    if group.startswith("plateforme:"):
        platform = group.partition(":")[2]
        return platform_label(platform)
    if group in KINDS:
        plural = kind_plural(AuthorityKind(group))
        return plural[0].upper() + plural[1:]
    return peer_group_short(group)


# --- statistics ----------------------------------------------------------------------


def quantile(ordered: Sequence[float], p: float) -> float:
    """The ``p``-quantile of sorted values by linear interpolation between order
    statistics (Hyndman & Fan's type 7, the default of R and NumPy; the ``inclusive``
    method of :func:`statistics.quantiles`)."""
    if not ordered:
        raise ValueError("quantile of no values")
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def quartiles(values: Iterable[float]) -> tuple[float, float, float] | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return quantile(ordered, 0.25), quantile(ordered, 0.5), quantile(ordered, 0.75)


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1…n, tied values sharing the mean of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        rank = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = rank
        start = end + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r; ``None`` when either variable is constant (or fewer than 2 pairs)."""
    if len(x) != len(y):
        raise ValueError("pearson: séries de longueurs différentes")
    n = len(x)
    if n < 2:
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's ρ: Pearson's r of the average ranks (exact with ties)."""
    return pearson(average_ranks(x), average_ranks(y))


def fisher_interval(rho: float, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Confidence interval of a Spearman ρ by the Fisher z transform, with the standard
    error of Bonett & Wright (2000, "Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations", Psychometrika 65(1), 23–28):
    ``se = √((1 + ρ²/2) / (n − 3))``, interval ``tanh(atanh ρ ± z·se)``. ``None`` when
    n < 4."""
    if n < 4:
        return None
    if abs(rho) >= 1.0:
        return rho, rho
    se = math.sqrt((1 + rho * rho / 2) / (n - 3))
    centre = math.atanh(rho)
    return math.tanh(centre - z * se), math.tanh(centre + z * se)


def correlation(
    group: str,
    label: str,
    source: str,
    pairs: Sequence[tuple[float, float]],
    eligible: int,
    *,
    note: str = "",
) -> Correlation:
    n = len(pairs)
    if n < 4:
        return Correlation(group, label, source, eligible, n, None, None, None, "n < 4", note)
    rho = spearman([a for a, _ in pairs], [b for _, b in pairs])
    if rho is None:
        return Correlation(
            group, label, source, eligible, n, None, None, None, "valeurs toutes égales", note
        )
    interval = fisher_interval(rho, n)
    assert interval is not None
    return Correlation(group, label, source, eligible, n, rho, interval[0], interval[1], None, note)


def distribution(
    group: str, rows: Iterable[tuple[float | None, float, str | None]]
) -> Distribution:
    """Distribution of ``(value, coverage, grade)`` global scores of one peer group."""
    values: list[float] = []
    coverages: list[float] = []
    grades: Counter[str] = Counter()
    count = 0
    for value, coverage, grade in rows:
        count += 1
        coverages.append(coverage)
        if value is not None:
            values.append(value)
        if grade:
            grades[grade] += 1
    values.sort()
    parts = quartiles(values)
    middle = quartiles(coverages)
    return Distribution(
        group,
        count,
        len(values),
        values[0] if values else None,
        parts[0] if parts else None,
        parts[1] if parts else None,
        parts[2] if parts else None,
        values[-1] if values else None,
        math.fsum(values) / len(values) if values else None,
        tuple((g, grades[g]) for g in GRADES),
        middle[1] if middle else None,
    )


# --- figures from counts -------------------------------------------------------------


def site_figures(population: Mapping[str, int], with_site: Mapping[str, int]) -> list[Figure]:
    """Share of collectivités with a declared official site (the registry)."""
    return [
        Figure(
            "registre",
            kind,
            "Site officiel déclaré",
            with_site.get(kind, 0),
            population[kind],
            population[kind],
            population[kind],
            "registre (sites déclarés)",
        )
        for kind in KINDS
        if population.get(kind)
    ]


def presence_figures(
    population: Mapping[str, int],
    measured: Mapping[str, int],
    on_platform: Mapping[tuple[str, str], int],
    on_any: Mapping[str, int],
    platforms: Sequence[str] = PLATFORMS,
) -> list[Figure]:
    """Share of collectivités with an account, per type and platform, among those whose
    accounts could be found; coverage over every collectivité of the type."""
    out: list[Figure] = []
    source = "comptes découverts sur le site (P4) et lus par la couche sociale"
    for kind in KINDS:
        total = population.get(kind, 0)
        if not total:
            continue
        found = measured.get(kind, 0)
        out.append(
            Figure(
                "presence",
                kind,
                "Au moins un réseau",
                on_any.get(kind, 0),
                found,
                total,
                found,
                source,
            )
        )
        out.extend(
            Figure(
                "presence",
                kind,
                platform_label(platform),
                on_platform.get((kind, platform), 0),
                found,
                total,
                found,
                source,
            )
            for platform in platforms
        )
    return out


def top_commune_figures(communes: Sequence[stats_repo.TopCommune]) -> list[Figure]:
    """Mobile application, mobile site, either: among the most populous communes."""
    eligible = len(communes)
    read = [c for c in communes if c.statuses.get(DISCOVERY) in MEASURED or c.apps]
    mobile = [c for c in communes if c.statuses.get(MOBILE) in MEASURED]
    app = [c for c in read if c.apps]
    mobile_ok = [c for c in mobile if c.statuses.get(MOBILE) == "pass"]
    either_measured = {c.authority_id for c in read} | {c.authority_id for c in mobile}
    either = {c.authority_id for c in app} | {c.authority_id for c in mobile_ok}
    note = f"{fr.count(eligible, 'commune')} dans l'édition" if eligible < TOP_COMMUNES else ""
    group = "commune"
    return [
        Figure(
            "grandes_communes",
            group,
            "Application mobile",
            len(app),
            len(read),
            eligible,
            len(read),
            "découverte (liens vers les magasins, applications mutualisées)",
            note=note,
        ),
        Figure(
            "grandes_communes",
            group,
            "Site compatible mobile (T7 réussi)",
            len(mobile_ok),
            len(mobile),
            eligible,
            len(mobile),
            MOBILE,
            note=note,
        ),
        Figure(
            "grandes_communes",
            group,
            "Application ou site mobile",
            len(either),
            len(either_measured),
            eligible,
            len(either_measured),
            f"découverte et {MOBILE}",
            note=note,
        ),
    ]


def practice_figures(
    republishing: Mapping[str, stats_repo.Counted],
    pure: Mapping[str, stats_repo.Weighted],
    sponsoring: Mapping[str, stats_repo.Counted],
    ads: tuple[int, int],
    states: Sequence[tuple[str, str, str, str, int]],
) -> list[Figure]:
    out: list[Figure] = []
    for kind in KINDS:
        counted = republishing.get(kind)
        if counted is not None:
            out.append(
                Figure(
                    "pratiques",
                    kind,
                    "Republient leur site (au moins un compte)",
                    counted.numerator,
                    counted.measured,
                    counted.eligible,
                    counted.measured,
                    "republication_share > 0",
                    note="éligibles : collectivités ayant au moins un compte",
                )
            )
    for kind in (*KINDS, ALL):
        weighted = pure.get(kind)
        if weighted is not None:
            out.append(
                Figure(
                    "pratiques",
                    kind,
                    "Publications qui ne font que relayer le site",
                    round(weighted.weighted),
                    weighted.sample,
                    weighted.accounts_read,
                    weighted.accounts,
                    "pure_republication_share pondérée par l'échantillon",
                    unit="publications",
                    coverage_unit="comptes lus",
                    note="chaque compte compte une fois",
                )
            )
    for kind in KINDS:
        counted = sponsoring.get(kind)
        if counted is not None:
            out.append(
                Figure(
                    "pratiques",
                    kind,
                    "Sponsorisent des publications",
                    counted.numerator,
                    counted.measured,
                    counted.eligible,
                    counted.measured,
                    "sponsored_ads > 0 ou sponsored_posts > 0",
                    note="éligibles : collectivités ayant un compte Facebook",
                )
            )
    facebook, read = ads
    if facebook:
        out.append(
            Figure(
                "pratiques",
                "plateforme:facebook",
                "Comptes dont les publicités ont pu être lues",
                read,
                facebook,
                facebook,
                facebook,
                "bibliothèque publicitaire de Meta",
                unit="comptes",
                coverage_unit="comptes",
            )
        )
    present: Counter[str] = Counter()
    ok: Counter[str] = Counter()
    for _kind, platform, state, _source, count in states:
        present[platform] += count
        if state == "ok":
            ok[platform] += count
    for platform in [p for p in PLATFORMS if present[p]] + sorted(set(present) - set(PLATFORMS)):
        out.append(
            Figure(
                "pratiques",
                f"plateforme:{platform}",
                "Comptes lus par la couche sociale",
                ok[platform],
                present[platform],
                present[platform],
                present[platform],
                "couche sociale (profils lus / comptes connus)",
                unit="comptes",
                coverage_unit="comptes",
            )
        )
    return out


def population_thresholds(criteria: Iterable[Criterion]) -> tuple[int, ...]:
    """Every population bound of the criteria's rules: inside two consecutive bounds,
    applicability depends on the type alone."""
    bounds = {
        bound
        for criterion in criteria
        for rule in criterion.rules
        for bound in (rule.population_below, rule.population_at_least)
        if bound is not None
    }
    return tuple(sorted(bounds))


def representative(bucket: int, thresholds: Sequence[int]) -> int | None:
    """A population inside a bucket of :func:`stats_repo._bucket` (None: unknown)."""
    if bucket < 0:
        return None
    if bucket == 0:
        return max(0, thresholds[0] - 1) if thresholds else 0
    return thresholds[bucket - 1]


def bucket_of(population: int | None, thresholds: Sequence[int]) -> int:
    return -1 if population is None else bisect_right(thresholds, population)


def _applies(criterion: Criterion, kind: str, population: int | None) -> bool:
    probe = Authority(AuthorityKind(kind), "", "", population=population)
    return criterion.applicability(probe)[0] != "not_applicable"


def status_figures(
    section: str,
    criteria: Sequence[Criterion],
    thresholds: Sequence[int],
    groups: Sequence[tuple[str, int, bool, int]],
    stored: Sequence[tuple[str, int, bool, str, str, int]],
) -> list[StatusFigure]:
    """Pass / partial / fail per type for each criterion, completing the results that
    were not stored by the scoring's own rule (:func:`barometre.scoring.run.
    complete_results`): without a stored result, a criterion is not applicable to a
    collectivité without a site or outside its applicability rules, and **not
    measurable** otherwise (a declared site the edition did not capture).

    ``groups``: ``(kind, bucket, has site, collectivités)``; ``stored``: ``(kind,
    bucket, has site, check_id, status, results)`` (see :mod:`stats_repo`).
    """
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    stored_in: Counter[tuple[str, str, int, bool]] = Counter()
    for kind, bucket, site, check_id, status, n in stored:
        counts[(kind, check_id)][status] += n
        stored_in[(kind, check_id, bucket, site)] += n
    out: list[StatusFigure] = []
    for kind in KINDS:
        kind_groups = [g for g in groups if g[0] == kind]
        if not kind_groups:
            continue
        for criterion in criteria:
            cell = counts[(kind, criterion.id)]
            implicit = 0
            for _, bucket, site, n in kind_groups:
                if site and _applies(criterion, kind, representative(bucket, thresholds)):
                    implicit += n - stored_in[(kind, criterion.id, bucket, site)]
            figure = StatusFigure(
                section,
                kind,
                criterion.id,
                criterion.code,
                criterion.name,
                criterion.basis,
                cell["pass"],
                cell["partial"],
                cell["fail"],
                cell["not_measurable"] + max(0, implicit),
            )
            if figure.eligible:
                out.append(figure)
    return out


def score_distributions(lines: Sequence[stats_repo.ScoreLine]) -> list[Distribution]:
    groups: dict[str, list[tuple[float | None, float, str | None]]] = defaultdict(list)
    for line in lines:
        groups[line.peer_group or line.kind].append((line.value, line.coverage, line.grade))
    return [distribution(g, groups[g]) for g in sorted(groups, key=_group_order)]


def _group_order(group: str) -> tuple[int, str]:
    kind, _, rest = group.partition(":")
    position = KINDS.index(kind) if kind in KINDS else len(KINDS)
    return position, rest.zfill(3)


def population_correlations(lines: Sequence[stats_repo.ScoreLine]) -> list[Correlation]:
    out = []
    for kind in KINDS:
        members = [line for line in lines if line.kind == kind]
        if not members:
            continue
        pairs = [
            (line.value, float(line.population))
            for line in members
            if line.value is not None and line.population is not None
        ]
        out.append(
            correlation(
                kind,
                "Score global et population",
                "scores (global) ; registre (population)",
                pairs,
                len(members),
            )
        )
    return out


def budget_correlation(
    lines: Sequence[stats_repo.ScoreLine], budget: Sequence[BudgetRow], year: int | None
) -> Correlation | None:
    regions = [line for line in lines if line.kind == "region"]
    if not regions:
        return None
    spending, chosen = per_inhabitant(budget, year)
    pairs = [
        (line.value, spending[line.code])
        for line in regions
        if line.value is not None and line.code in spending
    ]
    excluded = ", ".join(f"{code} ({why})" for code, why in NOT_COMPARABLE.items())
    return correlation(
        "region",
        f"Score global et dépenses totales par habitant ({chosen})"
        if chosen
        else "Score global et budget",
        "OFGL / DGFiP, budgets consolidés des régions (Licence Ouverte 2.0)",
        pairs,
        len(regions),
        note=f"hors outre-mer (absent de la source) et hors {excluded}",
    )


# --- the edition ---------------------------------------------------------------------


def _edition_year(edition: str) -> int | None:
    head = edition[:4]
    return int(head) if head.isdigit() and edition[4:5] == "-" else None


def edition_stats(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    budget: Sequence[BudgetRow] = (),
) -> NationalStats:
    """Every national figure of ``edition`` (aggregated in SQL, then completed here)."""
    info = edition_repo.get_edition(engine, edition)
    if not stats_repo.has_results(engine, edition):
        raise ConfigurationError(
            f"Aucun résultat dans l'édition {edition} : lancez d'abord « barometre audit » "
            "puis « barometre score »."
        )
    report = NationalStats(
        edition, info.label, info.demo, info.methodology_version or methodology.version
    )
    obligations = [c for c in methodology.criteria if c.legal]
    registry_level = [c for c in methodology.criteria if c.registry_level and not c.legal]
    thresholds = population_thresholds([*obligations, *registry_level])
    groups = stats_repo.population_groups(engine, edition, thresholds)
    population: Counter[str] = Counter()
    with_site: Counter[str] = Counter()
    for kind, _bucket, site, n in groups:
        population[kind] += n
        if site:
            with_site[kind] += n
    report.figures += site_figures(population, with_site)
    known = methodology.ids
    if DISCOVERY in known:
        presence = stats_repo.social_presence(engine, edition, PLATFORMS, DISCOVERY)
        report.figures += presence_figures(
            population, presence.measured, presence.on_platform, presence.on_any
        )
    if population.get("commune"):
        top = stats_repo.top_communes(
            engine, edition, TOP_COMMUNES, [c for c in (DISCOVERY, MOBILE) if c in known]
        )
        report.figures += top_commune_figures(top)
    report.figures += practice_figures(
        stats_repo.republication(engine, edition),
        stats_repo.weighted_metric(engine, edition, "pure_republication_share"),
        stats_repo.sponsoring(engine, edition),
        stats_repo.ads_read(engine, edition),
        social_repo.state_counts(engine, edition),
    )
    stored = stats_repo.stored_groups(
        engine, edition, [c.id for c in (*registry_level, *obligations)], thresholds
    )
    report.statuses = status_figures(
        "registre", registry_level, thresholds, groups, stored
    ) + status_figures("conformite", obligations, thresholds, groups, stored)
    lines = stats_repo.global_scores(engine, edition)
    if not lines:
        report.notes.append(
            f"Aucun score dans l'édition {edition} : lancez « barometre score » pour les "
            "distributions et les corrélations."
        )
    elif not any(line.grade for line in lines):
        # publication policy: distributions and correlations rest on graded
        # collectivités only; an edition without any (the registry alone) has none
        report.notes.append(
            f"Aucune collectivité notée dans l'édition {edition} (aucun site capturé, ou "
            "couverture insuffisante) : ni distribution des scores ni corrélation ; les "
            "indicateurs du registre sont publiés en parts."
        )
        lines = []
    if lines:
        report.distributions = score_distributions(lines)
        report.correlations = population_correlations(lines)
        by_budget = budget_correlation(lines, budget, _edition_year(edition))
        if by_budget is not None:
            report.correlations.append(by_budget)
    if info.demo:
        report.notes.append("Édition de démonstration : collectivités et sites fictifs.")
    return report
