"""Builders of the page models, from storage rows and from what other stages computed.

This package never imports another stage: what the scoring stage computes (national
figures, provider profiles, recommendations) is read through the small protocols below,
which its records satisfy as they are. The caller (the CLI, the pipeline) runs the
stage and hands its records here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from statistics import median
from typing import Protocol

from barometre.methodology import Criterion
from barometre.publish.pages.models import (
    ExportFile,
    FigureRow,
    FigureSection,
    GroupSummary,
    ProviderRow,
    ProviderSection,
    RankingRow,
    Recommendation,
    SearchEntry,
)
from barometre.publish.site.views import Group, card_path, ranking_path
from barometre.storage.publish_repo import RankRow
from barometre.vocab import fr
from barometre.vocab.authorities import kind_or_legal_label
from barometre.vocab.cms import category_label

# -- what the scoring stage hands in (its records, read through these protocols) ----------


class StatFigure(Protocol):
    """A national share (``scoring.stats.Figure``)."""

    @property
    def section(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def numerator(self) -> int: ...
    @property
    def denominator(self) -> int: ...
    @property
    def measured(self) -> int: ...
    @property
    def eligible(self) -> int: ...
    @property
    def share(self) -> float | None: ...


class StatStatus(Protocol):
    """Pass / partial / fail of one criterion (``scoring.stats.StatusFigure``)."""

    @property
    def section(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> int: ...
    @property
    def measured(self) -> int: ...
    @property
    def eligible(self) -> int: ...
    def share(self, status: str) -> float | None: ...


class StatCorrelation(Protocol):
    """A Spearman correlation with its interval (``scoring.stats.Correlation``)."""

    @property
    def group(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def n(self) -> int: ...
    @property
    def eligible(self) -> int: ...
    @property
    def rho(self) -> float | None: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...
    @property
    def reason(self) -> str | None: ...


class NationalFigures(Protocol):
    """The edition's national figures (``scoring.stats.NationalStats``)."""

    @property
    def figures(self) -> Sequence[StatFigure]: ...
    @property
    def statuses(self) -> Sequence[StatStatus]: ...
    @property
    def correlations(self) -> Sequence[StatCorrelation]: ...


class PeerCount(Protocol):
    @property
    def passed(self) -> int: ...
    @property
    def measured(self) -> int: ...


class Recommended(Protocol):
    """One recommendation of a plan (``scoring.recommendations.Recommendation``)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def nature(self) -> str: ...
    @property
    def advice(self) -> str: ...
    @property
    def legal_basis(self) -> str | None: ...
    @property
    def peers(self) -> PeerCount: ...


class Failures(Protocol):
    """A criterion failed by a provider's sites (``scoring.recommendations.CriterionFailures``)."""

    @property
    def criterion(self) -> Criterion: ...
    @property
    def failed(self) -> int: ...
    @property
    def measured(self) -> int: ...
    @property
    def national_failed(self) -> int: ...
    @property
    def national_measured(self) -> int: ...
    @property
    def rate(self) -> float: ...
    @property
    def national_rate(self) -> float: ...


class Provider(Protocol):
    """A CMS or provider and its criteria (``scoring.recommendations.ProviderProfile``)."""

    @property
    def category(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def sites(self) -> int: ...
    def concentrated(self) -> Sequence[Failures]: ...


# -- rankings, home, search ---------------------------------------------------------------


def ranking_row(row: RankRow) -> RankingRow:
    return RankingRow(
        name=row.name,
        code=row.code,
        kind=row.kind,
        departement=row.departement,
        population=row.population,
        value=row.value,
        coverage=row.coverage,
        grade=row.grade,
        rank=row.rank,
        url=card_path(row.kind, row.code),
    )


def group_summary(group: Group, old_means: dict[str, float]) -> GroupSummary:
    """A peer group on the home page: its size, its median, its grades and the change of
    its mean score since the previous edition (``old_means``, by group)."""
    values = [r.value for r in group.rows if r.value is not None]
    grades: dict[str, int] = {}
    for row in group.rows:
        if row.grade:
            grades[row.grade] = grades.get(row.grade, 0) + 1
    evolution = "—"
    if group.id in old_means and values:
        delta = sum(values) / len(values) - old_means[group.id]
        evolution = fr.signed(delta, 1)
    return GroupSummary(
        title=group.title,
        url=ranking_path(group.id),
        count=len(group.rows),
        graded=sum(grades.values()),
        median=median(values) if values else None,
        grades=grades,
        evolution=evolution,
    )


def search_entries(groups: Iterable[Group]) -> list[SearchEntry]:
    """Every scored collectivité, by name then code."""
    entries = [
        SearchEntry(
            name=r.name,
            code=r.code,
            type=kind_or_legal_label(r.kind, r.legal_type),
            # only a graded collectivité has a score to show, written in French
            score=fr.score(r.value) if r.grade and r.value is not None else None,
            url=card_path(r.kind, r.code),
        )
        for g in groups
        for r in g.rows
    ]
    entries.sort(key=lambda e: (e.name, e.code))
    return entries


def export_files(root: Path, folder: Path) -> list[ExportFile]:
    """The files of ``folder`` (inside the site's ``root``), in path order."""
    return [
        ExportFile(
            path=str(file.relative_to(root)),
            name=str(file.relative_to(folder)),
            bytes=file.stat().st_size,
        )
        for file in sorted(folder.rglob("*"))
        if file.is_file()
    ]


# -- national figures ---------------------------------------------------------------------

FIGURE_SECTIONS = (
    ("presence", "Présence sur les réseaux sociaux"),
    ("grandes_communes", "Les 50 communes les plus peuplées"),
    ("pratiques", "Pratiques sur les réseaux sociaux"),
    ("registre", "Sites et messageries (registre)"),
)


def coverage_text(measured: int, eligible: int) -> str:
    """« 12 sur 40 mesurées (30 %) »."""
    if not eligible:
        return "—"
    return (
        f"{fr.integer(measured)} sur {fr.integer(eligible)} "
        f"{fr.plural(measured, 'mesurée')} ({fr.ratio(measured, eligible, 0)})"
    )


def figure_sections(
    found: NationalFigures, group_label: Callable[[str], str]
) -> list[FigureSection]:
    """The edition's national figures as sections of rows, each with its denominator
    and its coverage (a figure nobody could measure is left out)."""
    sections: list[FigureSection] = []
    for key, title in FIGURE_SECTIONS:
        rows = [
            FigureRow(
                label=f"{group_label(f.group)} — {f.label}",
                share=f.share,
                numerator=f.numerator,
                denominator=f.denominator,
                coverage_text=coverage_text(f.measured, f.eligible),
                group=f.group,
            )
            for f in found.figures
            if f.section == key and f.denominator and (key != "presence" or f.numerator)
        ]
        if rows:
            sections.append(FigureSection(title, key, rows))
    legal = [
        FigureRow(
            label=f"{group_label(s.group)} — {s.code} {s.name}",
            share=s.share("pass"),
            numerator=s.passed,
            denominator=s.measured,
            coverage_text=coverage_text(s.measured, s.eligible),
            group=s.group,
        )
        for s in found.statuses
        if s.section == "conformite" and s.measured
    ]
    if legal:
        sections.append(FigureSection("Obligations légales (part réussie)", "conformite", legal))
    correlations = [
        FigureRow(
            label=f"{group_label(c.group)} — {c.label}",
            share=None,
            numerator=c.n,
            denominator=c.eligible,
            coverage_text=(
                f"ρ = {fr.number(c.rho, 2)} [{fr.number(c.low, 2)} ; {fr.number(c.high, 2)}]"
                if c.rho is not None and c.low is not None and c.high is not None
                else f"non calculable ({c.reason})"
            ),
            group=c.group,
        )
        for c in found.correlations
    ]
    if correlations:
        sections.append(
            FigureSection(
                "Corrélations de Spearman (intervalle à 95 %)", "correlations", correlations
            )
        )
    return sections


# -- providers ----------------------------------------------------------------------------

PROVIDER_CRITERIA = 6


def provider_sections(profiles: Iterable[Provider]) -> list[ProviderSection]:
    """The CMS and providers whose sites fail some criteria more often than nationally."""
    out = []
    for profile in profiles:
        concentrated = profile.concentrated()
        kind = category_label(profile.category)
        out.append(
            ProviderSection(
                title=f"{kind[:1].upper()}{kind[1:]} : {profile.label}",
                summary=(
                    f"{fr.count(profile.sites, 'site')} de collectivités ; "
                    f"{fr.count(len(concentrated), 'critère')} en échec plus souvent "
                    "qu'au national."
                ),
                rows=[
                    ProviderRow(
                        criterion=f"{c.criterion.code} {c.criterion.name}",
                        here=f"{fr.percent(c.rate)} ({fr.integer(c.failed)} sur "
                        f"{fr.integer(c.measured)})",
                        national=f"{fr.percent(c.national_rate)} "
                        f"({fr.integer(c.national_failed)} sur "
                        f"{fr.integer(c.national_measured)})",
                    )
                    for c in concentrated[:PROVIDER_CRITERIA]
                ],
            )
        )
    return out


# -- report cards -------------------------------------------------------------------------

RECOMMENDATIONS_SHOWN = 5


def recommendations(
    items: Iterable[Recommended], shown: int = RECOMMENDATIONS_SHOWN
) -> list[Recommendation]:
    """The first ``shown`` recommendations of a plan, each with its peers' example."""
    out = []
    for item in list(items)[:shown]:
        passed, measured = item.peers.passed, item.peers.measured
        out.append(
            Recommendation(
                code=item.code,
                name=item.name,
                nature=item.nature,
                advice=item.advice,
                basis=item.legal_basis,
                peers_text=(
                    f"{fr.count(passed, 'collectivité comparable', 'collectivités comparables')} "
                    f"sur {fr.integer(measured)} {fr.plural(measured, 'mesurée')} "
                    f"{'le réussit' if passed < 2 else 'le réussissent'} déjà."
                ),
            )
        )
    return out
