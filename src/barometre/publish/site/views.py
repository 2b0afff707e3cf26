"""Page contexts: storage rows turned into what a template shows (pure functions).

Templates only lay out what these functions prepare: every label is French, every
figure comes with its denominator or its coverage, every crawled string stays a string
(the templates escape it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from barometre.methodology import Criterion, Methodology
from barometre.models import (
    LINKED_ACCOUNTS,
    OWN_ACCOUNTS,
    AccountState,
    Authority,
    AuthorityKind,
    CheckResult,
    Evidence,
    Finding,
    SocialAccount,
    Status,
)
from barometre.publish.pages.models import Explanation, Recommendation
from barometre.storage.publish_repo import Card, RankRow
from barometre.storage.score_repo import ScoreRow
from barometre.vocab import fr
from barometre.vocab.authorities import kind_label, peer_group_label, peer_group_sort_key
from barometre.vocab.platforms import platform_label
from barometre.vocab.status import label_of
from barometre.vocab.text import slug

SOCIAL_FIGURES = (
    ("followers", "Abonnés"),
    ("posts_per_week", "Publications par semaine"),
    ("days_since_last_post", "Jours depuis la dernière publication"),
    ("reply_share", "Réponses à des usagers"),
    ("pure_republication_share", "Simple relais du site"),
    ("alt_text_share", "Images avec texte alternatif"),
    ("good_practice_level", "Indice de bonnes pratiques (1 à 5)"),
)
PERCENT = frozenset({"reply_share", "pure_republication_share", "alt_text_share"})


def group_slug(group: str) -> str:
    """The peer group in URLs: ``communes-3``, ``epci-metropole``, ``regions``."""
    kind, _, rest = group.partition(":")
    if kind == "commune":
        return f"communes-{rest}"
    if kind == "epci":
        return "epci-" + slug(rest)
    return {"region": "regions", "departement": "departements"}.get(kind, kind or "autres")


def card_path(kind: str, code: str) -> str:
    safe = "".join(c for c in code if c.isalnum())
    return f"collectivites/{kind}/{safe}.html"


def ranking_path(group: str, departement: str | None = None) -> str:
    slug = group_slug(group)
    if departement is None:
        return f"classements/{slug}.html"
    return f"classements/{slug}/{''.join(c for c in departement if c.isalnum())}.html"


@dataclass(frozen=True)
class CriterionLine:
    criterion: Criterion
    status: Status
    value: float | None
    reason: str | None
    evidence: tuple[Evidence, ...]
    measured: bool
    explanation: Explanation | None = None
    recorded: bool = True  # False: no result in this edition (site not captured)


@dataclass(frozen=True)
class DimensionBlock:
    id: str
    code: str
    name: str
    question: str
    weight: float
    score: ScoreRow | None
    lines: tuple[CriterionLine, ...]
    peer_median: float | None = None


@dataclass(frozen=True)
class AccountLine:
    platform: str
    handle: str
    url: str
    state: str
    readable: bool
    source: str
    reason: str | None
    figures: tuple[tuple[str, str, str], ...]  # (label, value, source)
    found_at: str | None
    ownership: str | None = None  # why the account is the collectivité's own

    @property
    def platform_label(self) -> str:
        return platform_label(self.platform)


@dataclass(frozen=True)
class LinkedLine:
    """A « compte lié »: another organisation's account linked from the collectivité's
    pages, shown with why it is not counted as its own."""

    platform: str
    handle: str
    url: str | None
    page: str | None  # where it was linked
    why: str | None

    @property
    def platform_label(self) -> str:
        return platform_label(self.platform)


@dataclass
class CardContext:
    authority: Authority
    kind_label: str
    global_score: ScoreRow | None
    group_title: str
    group_size: int | None
    dimensions: list[DimensionBlock]
    accounts: list[AccountLine]
    findings: Mapping[str, list[Finding]]
    history: list[tuple[str, float | None, str | None]]
    recommendations: list[Recommendation] = field(default_factory=list)
    screenshot: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    linked: list[LinkedLine] = field(default_factory=list)  # « comptes liés »


def _lines(
    authority: Authority,
    criteria: Sequence[Criterion],
    results: Mapping[str, CheckResult],
    explanations: Mapping[str, Explanation],
) -> tuple[CriterionLine, ...]:
    lines = []
    for criterion in criteria:
        result = results.get(criterion.id)
        if result is None:
            status = criterion.missing_status(authority)
            reason = (
                "Critère non applicable à cette collectivité."
                if status is Status.NOT_APPLICABLE
                else "Non mesuré dans cette édition (site non capturé)."
            )
            lines.append(
                CriterionLine(
                    criterion,
                    status,
                    None,
                    reason,
                    (),
                    False,
                    explanations.get(criterion.id),
                    recorded=False,
                )
            )
            continue
        lines.append(
            CriterionLine(
                criterion,
                result.status,
                result.value,
                result.reason,
                result.evidence,
                result.status in (Status.PASS, Status.PARTIAL, Status.FAIL),
                explanations.get(criterion.id),
            )
        )
    return tuple(lines)


def _figure(name: str, account: SocialAccount) -> tuple[str, str, str] | None:
    metric = account.metrics.get(name)
    if metric is None or metric.value is None:
        if name == "followers" and account.profile.followers is not None:
            exact = "" if account.profile.followers_exact else " (arrondi)"
            return (
                "Abonnés",
                fr.number(account.profile.followers) + exact,
                label_of(account.profile.source),
            )
        return None
    label = dict(SOCIAL_FIGURES)[name]
    value = (
        fr.percent(metric.value)
        if name in PERCENT
        else fr.number(metric.value, 1 if name == "posts_per_week" else 0)
    )
    if name == "followers" and not metric.detail.get("exact", True):
        value += " (arrondi)"
    return label, value, label_of(metric.source)


def _key(platform: str, url: str | None) -> tuple[str, str]:
    return platform, (url or "").rstrip("/").lower()


def account_lines(
    accounts: Iterable[SocialAccount], found: Iterable[Finding] = ()
) -> list[AccountLine]:
    """One line per account the social stage read, then one per account discovery
    judged the collectivité's own that was not read in this edition; each with its
    evidence."""
    out = []
    read: set[tuple[str, str]] = set()
    for account in sorted(accounts, key=lambda a: (a.profile.platform, a.profile.handle)):
        profile = account.profile
        read.add(_key(profile.platform, profile.url))
        figures = tuple(f for f in (_figure(n, account) for n, _ in SOCIAL_FIGURES) if f)
        out.append(
            AccountLine(
                platform=profile.platform,
                handle=profile.handle,
                url=profile.url,
                state=label_of(profile.state),
                readable=profile.state is AccountState.OK,
                source=label_of(profile.source),
                reason=profile.reason if profile.state is not AccountState.OK else None,
                figures=figures,
                found_at=account.found_at,
                ownership=account.ownership,
            )
        )
    own = [f for f in found if f.category == OWN_ACCOUNTS and f.url]
    handles = {(a.platform, a.handle.lower()) for a in out}
    for finding in sorted(own, key=lambda f: (f.name, f.handle or "")):
        if (
            _key(finding.name, finding.url) in read
            or (
                finding.name,
                (finding.handle or "").lower(),
            )
            in handles
        ):
            continue
        evidence = finding.evidence
        out.append(
            AccountLine(
                platform=finding.name,
                handle=finding.handle or finding.url or "",
                url=finding.url or "",
                state="non lu dans cette édition",
                readable=False,
                source="site de la collectivité",
                reason=None,
                figures=(),
                found_at=evidence.url if evidence else None,
                ownership=evidence.note if evidence else None,
            )
        )
    return out


def linked_lines(found: Iterable[Finding]) -> list[LinkedLine]:
    return [
        LinkedLine(
            f.name,
            f.handle or f.url or "",
            f.url,
            f.evidence.url if f.evidence else None,
            f.evidence.note if f.evidence else None,
        )
        for f in sorted(
            (f for f in found if f.category == LINKED_ACCOUNTS),
            key=lambda f: (f.name, (f.handle or "").lower()),
        )
    ]


def card_context(
    card: Card,
    methodology: Methodology,
    *,
    group_sizes: Mapping[str, int],
    peer_medians: Mapping[tuple[str, str], float],
    explanations: Mapping[str, Explanation] | None = None,
    recommendations: Sequence[Recommendation] = (),
    screenshot: str | None = None,
) -> CardContext:
    results = {r.check_id: r for r, _ in card.results}
    global_score = card.global_score
    group = global_score.peer_group if global_score and global_score.peer_group else ""
    dimensions = []
    for dimension, criteria in methodology.by_dimension():
        dimensions.append(
            DimensionBlock(
                dimension.id,
                dimension.code,
                dimension.name,
                dimension.question,
                dimension.weight,
                card.scores.get(dimension.id),
                _lines(card.authority, criteria, results, explanations or {}),
                peer_medians.get((group, dimension.id)),
            )
        )
    found: dict[str, list[Finding]] = {}
    for finding in card.findings:
        if finding.category not in (OWN_ACCOUNTS, LINKED_ACCOUNTS):
            found.setdefault(finding.category, []).append(finding)
    counts: dict[str, int] = {}
    for block in dimensions:
        for line in block.lines:
            counts[line.status.value] = counts.get(line.status.value, 0) + 1
    return CardContext(
        authority=card.authority,
        kind_label=kind_label(card.authority.legal),
        global_score=global_score,
        group_title=peer_group_label(group) if group else "",
        group_size=group_sizes.get(group),
        dimensions=dimensions,
        accounts=account_lines(card.social, card.findings),
        findings=found,
        linked=linked_lines(card.findings),
        history=card.history,
        recommendations=list(recommendations),
        screenshot=screenshot,
        counts=counts,
    )


def place_of(authority: Authority, names: Mapping[tuple[str, str], str]) -> str:
    """« Département de l'Exemple (99), Région Val-d'Exemple » — where it sits."""
    parts = []
    dep_name = None
    if authority.kind is not AuthorityKind.DEPARTEMENT and authority.departement:
        dep = dep_name = names.get(("departement", authority.departement))
        parts.append(f"{dep} ({authority.departement})" if dep else authority.departement)
    if authority.kind is not AuthorityKind.REGION and authority.region:
        region = names.get(("region", authority.region))
        # overseas, the zone is both: « Polynésie française (987) » once
        if region and (authority.departement, region) != (authority.region, dep_name):
            parts.append(region)
    return ", ".join(parts)


@dataclass
class Group:
    id: str
    slug: str
    title: str
    rows: list[RankRow] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)

    @property
    def graded(self) -> int:
        return sum(1 for r in self.rows if r.grade)


def groups_of(rows: Iterable[RankRow]) -> list[Group]:
    groups: dict[str, Group] = {}
    for row in rows:
        group = groups.get(row.peer_group)
        if group is None:
            group = groups[row.peer_group] = Group(
                row.peer_group, group_slug(row.peer_group), peer_group_label(row.peer_group)
            )
        group.rows.append(row)
    return sorted(groups.values(), key=lambda g: peer_group_sort_key(g.id))
