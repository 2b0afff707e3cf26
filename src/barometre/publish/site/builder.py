"""Build the static site of an edition: home, rankings, maps, report cards, methodology.

The site is written into ``<out>.en-cours`` and swapped into place when complete, so a
failed build never leaves a half site where the previous one was. :meth:`SiteBuilder.update`
adds or replaces some report cards (and their PDFs) in a published site instead, each
file written atomically: the rest of the site stays as it was. Report cards are
rendered a chunk at a time from storage (:func:`barometre.storage.publish_repo.iter_cards`)
and written at once: memory does not grow with the number of collectivités.

Everything the site shows comes from storage and the methodology; what other stages
compute (recommendations, national figures, charts, screenshots from the archives) is
handed in by the caller through :class:`SiteInputs`, so this package never imports
another stage and never touches the network.
"""

from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from sqlalchemy import Engine

from barometre import files
from barometre.methodology import Methodology, policy
from barometre.models import AccountState, Status
from barometre.publish.badges import badge_svg, badge_text, embed_snippet
from barometre.publish.pages import registry
from barometre.publish.pages.build import (
    export_files,
    group_summary,
    ranking_row,
    search_entries,
)
from barometre.publish.pages.models import (
    CardCharts,
    CardPublication,
    CriterionOption,
    DepartementLink,
    Explanation,
    ExportFile,
    FigureSection,
    HomePage,
    IndicatorGroup,
    IndicatorInfo,
    IndicatorSection,
    IndicatorShare,
    Link,
    ProviderSection,
    RankingPage,
    RankingRow,
    RankingSummary,
    Recommendation,
    SiteInfo,
    TextPage,
)
from barometre.publish.pages.registry import Page
from barometre.publish.pdf import render_pdf
from barometre.publish.serve import headers_file
from barometre.publish.site import formatting, legal
from barometre.publish.site.contest import contest_file, contest_href
from barometre.publish.site.figures import FigureWriter
from barometre.publish.site.findings import key_findings
from barometre.publish.site.views import (
    CardContext,
    Group,
    card_context,
    card_path,
    groups_of,
    place_of,
    ranking_path,
)
from barometre.storage import edition_repo, publish_repo, registry_repo, score_repo, social_repo
from barometre.vocab import fr
from barometre.vocab.status import GRADES, label_of

# Results a collectivité may explain or contest from its card (a success needs no answer).
CONTESTABLE = (Status.FAIL, Status.PARTIAL, Status.NOT_MEASURABLE)

SITEMAP_LIMIT = 50_000  # addresses per file (sitemaps.org protocol)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FINDING_CATEGORIES = {
    "app": "Applications mobiles",
    "newsletter": "Lettres d'information",
    "feed": "Flux d'actualités",
    "participation": "Participation citoyenne",
    "service": "Services en ligne",
    "opendata": "Données ouvertes",
    "cms": "Logiciel du site (CMS)",
    "provider": "Prestataires crédités",
}


@dataclass
class SiteInputs:
    """What other stages computed, for the site to show (all optional), as page models
    (:mod:`barometre.publish.pages.models`)."""

    recommendations: Callable[[publish_repo.Card], Sequence[Recommendation]] | None = None
    # by collectivité id then criterion id, for a chunk of collectivité ids
    explanations: Callable[[Sequence[str]], Mapping[str, Mapping[str, Explanation]]] | None = None
    figures: Sequence[FigureSection] = ()  # sections of national figures
    providers: Sequence[ProviderSection] = ()
    screenshot: Callable[[str], bytes | None] | None = None
    exports: Path | None = None  # folder of the edition's open-data exports, copied in
    accessibility_status: str = "partiellement conforme"
    base_url: str | None = None  # public address: canonical links, sitemap.xml, robots.txt
    publisher: Mapping[str, str] = field(default_factory=dict)
    # the indicator catalogue (barometre.indicators.site): "sections" of the synthèse,
    # "progressions" (follower ranking), "maps" (values per area of every indicator)
    indicators: Mapping[str, Any] = field(default_factory=dict)
    # a release goes out to the public: it must name its publisher (it is one when the
    # public address is set, or when asked)
    release: bool = False
    # a one-off check of one site (``barometre check``): the day it was measured; its
    # card says it is outside any edition
    checked_on: date | None = None


@dataclass
class BuildReport:
    out: Path
    pages: int = 0
    cards: int = 0
    pdfs: int = 0
    bytes: int = 0
    seconds: float = 0.0


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("barometre.publish.site", "templates"),
        autoescape=True,  # every crawled string is text, never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(formatting.FILTERS)
    return env


def _root(path: str) -> str:
    return "../" * path.count("/")


def _base(url: str | None) -> str | None:
    if not url:
        return None
    return url if url.endswith("/") else url + "/"


class SiteBuilder:
    """Writes the pages of :data:`barometre.publish.pages.registry.PAGES`, in order.

    Each page's ``build`` calls one ``write_*`` method below with its registry entry;
    what every page needs (the edition, the ranking rows by peer group, the names of the
    areas, the figure writer) is read once, before the first page."""

    def __init__(
        self,
        engine: Engine,
        edition: str,
        out: Path,
        methodology: Methodology,
        *,
        inputs: SiteInputs | None = None,
        title: str = "Baromètre numérique des territoires",
        split_above: int = 1500,
        only: Sequence[str] | None = None,
        on_card: Callable[[str], None] | None = None,
        pdf: bool | Collection[str] = False,
        svg_cards_up_to: int = 2000,
        svg_cache: Path | None = None,
    ) -> None:
        self.engine = engine
        self.edition = edition
        self.out = out
        self.methodology = methodology
        self.inputs = inputs or SiteInputs()
        self.title = title
        self.split_above = split_above
        self.only = only
        self.on_card = on_card
        self.pdf = pdf
        self.svg_cards_up_to = svg_cards_up_to
        self.svg_cache = svg_cache
        self.env = _environment()
        self.work = out.with_name(out.name + ".en-cours")
        self.report = BuildReport(out)
        self.paths: list[str] = []
        self.demo = False
        self.rows: list[publish_repo.RankRow] = []
        self.groups: list[Group] = []
        self.names: dict[tuple[str, str], str] = {}
        self._home_page: HomePage | None = None
        self._passed: Mapping[str, str] = self.inputs.indicators.get("passed", {})
        self._texts: dict[str, Markup] | None = None
        self._put: Callable[[Path, bytes], None] = _write_file

    # -- writing ------------------------------------------------------------------------

    def write_page(
        self, entry: Page, template: str, path: str | None = None, **context: object
    ) -> str:
        """Render ``template`` into the page's path (or ``path``, for a page of its
        family): the navigation marks the entry's section; ``sitemap.xml`` lists the
        page when the entry says so."""
        path = path or entry.path
        html = self.env.get_template(template).render(
            site=self.site,
            racine=_root(path),
            grades=GRADES,
            chemin=path,
            rubrique=entry.rubrique,
            **context,
        )
        if self.site.base_url and entry.sitemap:
            self.paths.append(path)  # for sitemap.xml
        data = html.encode("utf-8")
        self._put(self.work / path, data)
        self.report.pages += 1
        self.report.bytes += len(data)
        return html

    def _pdf(self, html: str, page: str, pdf: str) -> None:
        data = render_pdf(html, self.work / page, self.work)
        self._put(self.work / pdf, data)
        self.report.pdfs += 1
        self.report.bytes += len(data)

    # -- what every page needs ----------------------------------------------------------

    def _common(self) -> None:
        info = edition_repo.get_edition(self.engine, self.edition)
        status = self.inputs.accessibility_status
        checked = self.inputs.checked_on
        self.site = SiteInfo(
            title=self.title,
            edition=self.edition,
            edition_fr="vérification ponctuelle" if checked else fr.month(self.edition),
            edition_title=(
                "vérification ponctuelle"
                if checked
                else "édition de démonstration"
                if info.demo
                else f"édition {fr.month(self.edition)}"
            ),
            demo=info.demo,
            methodology=self.methodology.version,
            frozen=info.frozen_at,
            manifest=info.manifest_sha256 or "",
            built=datetime.now(UTC).date(),
            min_coverage=self.methodology.scoring.min_coverage,
            criteria=len(self.methodology.criteria),
            accessibility_status=status,
            base_url=_base(self.inputs.base_url),
            menu=registry.menu(),
            footer=registry.footer(status),
            checked_on=checked,
            # a site that names no publisher is a preview, and says so on every page
            preview=not info.demo and not checked and bool(legal.missing(self.inputs.publisher)),
        )
        self.demo = info.demo
        if not info.demo and (self.inputs.release or self.inputs.base_url):
            refused = legal.release_error(self.inputs.publisher)
            if refused is not None:
                raise refused

    def _names(self) -> dict[tuple[str, str], str]:
        """Names of the areas where collectivités lie, by ``(level, INSEE code)``: the
        map's régions and départements (2A is Corse-du-Sud even though its council is
        gone), the zones d'outre-mer, then the registry's own (the sample web's 99)."""
        from barometre.models import AuthorityKind
        from barometre.publish.geo import LEVELS, NO_SHAPE, geo_names

        names: dict[tuple[str, str], str] = {
            (level, code): name for level in LEVELS for code, name in geo_names(level).items()
        }
        names.update({(level, code): name for level in LEVELS for code, name in NO_SHAPE.items()})
        for a in registry_repo.load_authorities(
            self.engine, kinds=[AuthorityKind.REGION, AuthorityKind.DEPARTEMENT]
        ):
            names.setdefault((a.kind.value, a.code), a.name)
        return names

    def _read(self) -> None:
        self.names = self._names()
        self.rows = list(publish_repo.ranking(self.engine, self.edition))
        self._policy()
        self.groups = groups_of(self.rows)
        cards = len(self.only) if self.only is not None else len(self.rows)
        self.card_svg = self.pdf is not False or cards <= self.svg_cards_up_to

    def _policy(self) -> None:
        """What the edition measured and who is graded (publication policy), read once
        for every page; ``self.rows`` must be loaded."""
        self.captured = score_repo.site_measured(
            self.engine, self.edition, policy.site_criteria(self.methodology.criteria)
        )
        values = score_repo.result_values(
            self.engine, self.edition, [i.criterion for i in policy.REGISTRY_INDICATORS]
        )
        self.indicators = {key: policy.indicators_of(v) for key, v in values.items()}
        read = sum(
            n
            for _kind, _platform, state, _source, n in social_repo.state_counts(
                self.engine, self.edition
            )
            if state == AccountState.OK.value
        )
        ids = {r.authority_id for r in self.rows}
        self.measured = policy.Measured(
            authorities=len(self.rows),
            captured=len(self.captured & ids),
            accounts=read,
            graded=sum(1 for r in self.rows if r.grade),
        )
        self.site = replace(
            self.site,
            measured=self.measured.sentence(),
            registry_only=self.measured.registry_only,
            indicators=tuple(
                IndicatorInfo(i.id, i.label, i.definition) for i in policy.REGISTRY_INDICATORS
            ),
        )

    def _publication(self, authority_id: str, grade: str | None) -> policy.Publication:
        return policy.publication_of(authority_id in self.captured, grade)

    def _ranking_row(self, row: publish_repo.RankRow) -> RankingRow:
        return replace(
            ranking_row(row),
            publication=str(self._publication(row.authority_id, row.grade)),
            indicators=self.indicators.get(row.authority_id, {}),
            # criteria it passes: the filter by criterion (issue 16)
            passed=self._passed.get(f"{row.kind}:{row.code}", ""),
        )

    # -- pages (called by the registry's entries) ----------------------------------------

    def write_rankings(self, entry: Page) -> None:
        """The index of the rankings, then the ranking of each peer group (split by
        département above ``split_above`` collectivités)."""
        summaries = []
        criteria = self._criterion_filter()
        for group in self.groups:
            rows = [self._ranking_row(r) for r in group.rows]
            ranked = sum(1 for r in group.rows if r.grade)
            best = next((r.name for r in rows if r.rank == 1), None)
            url = ranking_path(group.id)
            summaries.append(RankingSummary(group.title, url, len(rows), ranked, best))
            departements: list[DepartementLink] = []
            if len(rows) > self.split_above:
                by_dep: dict[str, list[RankingRow]] = defaultdict(list)
                for row in rows:
                    by_dep[row.departement or "—"].append(row)
                for code in sorted(by_dep):
                    dep_url = ranking_path(group.id, code)
                    dep_name = self.names.get(("departement", code), code)
                    departements.append(DepartementLink(code, dep_name, dep_url, len(by_dep[code])))
                    self.write_page(
                        entry,
                        "classement.html.j2",
                        dep_url,
                        page=RankingPage(
                            title=group.title,
                            subtitle=f"{dep_name} ({code})",
                            rows=by_dep[code],
                            parent=Link(url, group.title),
                            graded=sum(1 for r in by_dep[code] if r.rank),
                            criteria=criteria,
                        ),
                    )
            shown = rows[: self.split_above] if departements else rows
            self.write_page(
                entry,
                "classement.html.j2",
                url,
                page=RankingPage(
                    title=group.title,
                    subtitle=None,
                    rows=shown,
                    departements=departements,
                    truncated=len(shown) < len(rows),
                    graded=ranked,
                    criteria=criteria,
                ),
            )
        self.write_page(entry, "classements.html.j2", groups=summaries)

    def write_cards(self, entry: Page) -> None:
        """The report card of every collectivité (of ``only``), a chunk at a time."""
        sizes = {g.id: g.graded for g in self.groups}  # ranks count graded collectivités only
        means = publish_repo.dimension_medians(self.engine, self.edition)
        earlier = publish_repo.earlier_editions(self.engine, self.edition, demo=self.demo)
        ids = list(self.only) if self.only is not None else None
        explanations: Mapping[str, Mapping[str, Explanation]] = {}
        pending: list[publish_repo.Card] = []

        def flush() -> None:
            nonlocal explanations
            if self.inputs.explanations is not None and pending:
                explanations = self.inputs.explanations([c.authority.id for c in pending])
            for item in pending:
                self._card(entry, item, sizes, means, explanations.get(item.authority.id, {}))
            pending.clear()

        for card in publish_repo.iter_cards(self.engine, self.edition, ids=ids, earlier=earlier):
            pending.append(card)
            if len(pending) >= publish_repo.CHUNK:
                flush()
        flush()

    def _card(
        self,
        entry: Page,
        card: publish_repo.Card,
        sizes: Mapping[str, int],
        means: Mapping[tuple[str, str], float],
        explanations: Mapping[str, Explanation],
    ) -> None:
        authority = card.authority
        path = card_path(authority.kind.value, authority.code)
        screenshot = None
        if self.inputs.screenshot is not None:
            png = self.inputs.screenshot(authority.id)
            if png:
                shot = f"captures/{authority.kind.value}-{authority.code}.png"
                self._put(self.work / shot, png)
                screenshot = shot
        recommendations = self.inputs.recommendations(card) if self.inputs.recommendations else ()
        context = card_context(
            card,
            self.methodology,
            group_sizes=sizes,
            peer_medians=means,
            explanations=explanations,
            recommendations=recommendations,
            screenshot=screenshot,
        )
        group = card.global_score.peer_group if card.global_score else None
        captured = authority.id in self.captured
        status = self._publication(
            authority.id, context.global_score.grade if context.global_score else None
        )
        publication = CardPublication(
            status=str(status),
            graded=status is policy.Publication.GRADED,
            captured=captured,
            text=None
            if status is policy.Publication.GRADED
            else policy.missing_summary(
                captured,
                context.global_score.coverage if context.global_score else 0.0,
                self.methodology.scoring.min_coverage,
                (
                    (line.criterion.code, line.reason)
                    for block in context.dimensions
                    for line in block.lines
                    if line.status is Status.NOT_MEASURABLE
                ),
            ),
            indicators=self.indicators.get(authority.id, {}),
            accounts_note=next(
                (
                    policy.accounts_not_searched(line.status, line.reason)
                    for block in context.dimensions
                    for line in block.lines
                    if line.criterion.id == policy.ACCOUNTS_CRITERION
                ),
                None,
            ),
        )
        racine = _root(path)
        charts = CardCharts(
            dimensions=self.figures.card_dimensions(context, racine, svg=self.card_svg),
            history=self.figures.card_history(context, self.edition, racine, svg=self.card_svg)
            if context.history
            else None,
        )
        badge = f"badges/{authority.kind.value}-{path.rsplit('/', 1)[-1][:-5]}.svg"
        grade = card.global_score.grade if card.global_score else None
        badge_words = badge_text(grade, self.site.edition_title, authority.name)
        self._put(
            self.work / badge,
            badge_svg(grade, self.site.edition_title, authority.name).encode("utf-8"),
        )
        base = self.site.base_url
        embed = embed_snippet(
            (base or racine) + badge, (base + path) if base else path, badge_words
        )
        wants_pdf = self.pdf is True or (
            not isinstance(self.pdf, bool) and authority.id in self.pdf
        )
        pdf_url = f"pdf/{authority.kind.value}-{path.rsplit('/', 1)[-1][:-5]}.pdf"
        html = self.write_page(
            entry,
            "collectivite.html.j2",
            path,
            card=context,
            publication=publication,
            place=place_of(authority, self.names),
            ranking_url=ranking_path(group) if group else None,
            categories=FINDING_CATEGORIES,
            charts=charts,
            charts_used=True,
            pdf_url=pdf_url if wants_pdf else None,
            badge={"url": badge, "alt": badge_words, "embed": embed, "public": bool(base)},
            contests=self._contests(context),
        )
        if wants_pdf:
            self._pdf(html, path, pdf_url)
        self.report.cards += 1
        if self.on_card is not None:
            self.on_card(authority.id)

    def _contests(self, context: CardContext) -> dict[str, str]:
        """criterion id → the « contester » link of each result that is not a success
        (a criterion without a result in this edition has nothing to explain or contest:
        36,000 registry-only cards carried 45 links of 1.3 KB each)."""
        out = {}
        contact = self.inputs.publisher.get("contact")
        a = context.authority
        for block in context.dimensions:
            for line in block.lines:
                if line.status not in CONTESTABLE or not line.recorded:
                    continue
                body = contest_file(
                    a,
                    line.criterion.code,
                    line.criterion.name,
                    label_of(line.status),
                    line.evidence,
                    self.edition,
                    self.site.edition_title,
                    self.site.built,
                )
                subject = (
                    f"Baromètre : {a.name} ({a.id}), critère {line.criterion.code}, "
                    f"{self.site.edition_title}"
                )
                out[line.criterion.id] = contest_href(contact, subject, body)
        return out

    def home_page(self) -> HomePage:
        """The edition in figures (read once, for the home page and the synthèse)."""
        if self._home_page is not None:
            return self._home_page
        previous = publish_repo.earlier_editions(self.engine, self.edition, demo=self.demo)
        before = previous[-1] if previous else None
        old_means: dict[str, float] = {}
        if before is not None:
            old: dict[str, list[float]] = defaultdict(list)
            for row in publish_repo.ranking(self.engine, before):
                if row.value is not None:
                    old[row.peer_group].append(row.value)
            old_means = {g: sum(v) / len(v) for g, v in old.items()}
        accounts = sum(n for *_, n in social_repo.state_counts(self.engine, self.edition))
        figures: list[FigureSection | IndicatorSection] = [
            replace(
                section,
                chart=self.figures.presence(section.rows, "")
                if section.key == "presence"
                else None,
            )
            for section in self.inputs.figures
        ]
        figures += [IndicatorSection(**s) for s in self.inputs.indicators.get("sections", ())]
        self._home_page = HomePage(
            scored=sum(len(g.rows) for g in self.groups),
            graded=sum(g.graded for g in self.groups),
            captured=self.measured.captured,
            accounts=accounts,
            accounts_read=self.measured.accounts,
            indicators=self._indicator_rows(self.groups),
            groups=[group_summary(g, old_means) for g in self.groups],
            figures=figures,
            previous=before,
            distribution_chart=self.figures.distribution(self.groups, "", live=False),
            indicator_pages=bool(self.inputs.indicators),
            findings=key_findings(
                self.inputs.figures,
                scored=sum(len(g.rows) for g in self.groups),
                graded=sum(g.graded for g in self.groups),
                registry_only=self.measured.registry_only,
            ),
        )
        return self._home_page

    def _indicator_rows(self, groups: Sequence[Group]) -> list[IndicatorGroup]:
        """The registry indicators per group: met / measured, as shares."""
        out = []
        for group in groups:
            shares = policy.indicator_shares(
                self.indicators.get(r.authority_id, {}) for r in group.rows
            )
            out.append(
                IndicatorGroup(
                    title=group.title,
                    url=ranking_path(group.id),
                    count=len(group.rows),
                    shares=[
                        IndicatorShare(met, total, fr.ratio(met, total, 0))
                        for met, total in (shares[i.id] for i in policy.REGISTRY_INDICATORS)
                    ],
                )
            )
        return out

    def write_home(self, entry: Page) -> None:
        # the home shows its one chart as the static SVG: no script weighs on the page
        # most visitors open first (EcoIndex)
        self.write_page(entry, "index.html.j2", home=self.home_page())

    def write_synthese(self, entry: Page) -> None:
        """The synthèse nationale, and its PDF."""
        home = replace(
            self.home_page(), distribution_chart=self.figures.distribution(self.groups, "")
        )
        html = self.write_page(entry, "synthese.html.j2", home=home, charts_used=True)
        self._pdf(html, entry.path, "pdf/synthese-nationale.pdf")

    def write_methodology(self, entry: Page) -> None:
        from barometre.storage import score_repo

        kept = score_repo.calibration(self.engine, self.methodology.version)
        bands = self.methodology.scoring.bands or (kept[1] if kept else (80.0, 60.0, 40.0, 20.0))
        origin = (
            "fixées par la méthodologie"
            if self.methodology.scoring.bands
            else f"calibrées sur l'édition {fr.month(kept[0])} (quintiles)"
            if kept
            else "provisoires (partage régulier de l'échelle, faute d'une édition nationale assez couverte pour les calibrer)"
        )
        self.write_page(
            entry,
            "methodologie.html.j2",
            methodology=self.methodology,
            dimensions=list(self.methodology.by_dimension()),
            bands=list(zip(GRADES, bands, strict=False)),
            bands_origin=origin,
            policy_rules=policy.rules(self.methodology.scoring.min_coverage),
        )

    def write_search(self, entry: Page) -> None:
        """The search page and its index, ``recherche.json``."""
        index = [e.to_json() for e in search_entries(self.groups)]
        data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        (self.work / "recherche.json").write_bytes(data)
        self.report.bytes += len(data)
        self.write_page(entry, "recherche.html.j2")

    def write_text(self, entry: Page) -> None:
        """One of the publisher's own pages (:func:`barometre.publish.site.legal.pages`)."""
        if self._texts is None:
            self._texts = legal.pages(self.site, self.inputs.publisher)
        self.write_page(entry, "page.html.j2", page=TextPage(entry.title, self._texts[entry.path]))

    def write_providers(self, entry: Page) -> None:
        self.write_page(entry, "prestataires.html.j2", providers=list(self.inputs.providers))

    def write_maps(self, entry: Page) -> None:
        self.write_page(
            entry,
            "cartes.html.j2",
            maps=self.figures.indicator_maps(
                self.rows,
                self.indicators,
                [(i.id, i.label) for i in policy.REGISTRY_INDICATORS],
                self.names,
            )
            if self.measured.registry_only
            else self.figures.maps(self.rows, self.names),
            charts_used=True,
        )

    def write_open_data(self, entry: Page) -> None:
        """The open-data page, with the edition's exports copied in."""
        exports: list[ExportFile] = []
        if self.inputs.exports is not None and self.inputs.exports.is_dir():
            shutil.copytree(
                self.inputs.exports,
                self.work / "donnees",
                dirs_exist_ok=True,
                ignore=files.ignore_partials,  # an export still being written, or killed
            )
            exports = export_files(self.work, self.work / "donnees")
        self.write_page(entry, "page.html.j2", page=TextPage(entry.title, legal.open_data(exports)))

    def write_site_map(self, entry: Page) -> None:
        """The « plan du site »: the registry's pages, each followed by its family."""
        body = legal.site_map(registry.site_map(self.groups))
        self.write_page(entry, "page.html.j2", page=TextPage(entry.title, body))

    # -- files for crawlers and servers --------------------------------------------------

    def _static(self) -> None:
        source = resources.files("barometre.publish.site").joinpath("static")
        target = self.work / "static"
        with resources.as_file(source) as folder:
            shutil.copytree(folder, target)
        vendor = resources.files("barometre.publish").joinpath("static")
        with resources.as_file(vendor) as folder:
            if Path(folder).is_dir():
                shutil.copytree(folder, target, dirs_exist_ok=True)

    # -- pages of the indicator catalogue (issue 16) -------------------------------------

    def write_indicators(self, entry: Page) -> None:
        """``indicateurs.html``: per catalogue indicator, its series as a chart (a panel
        per group) and its maps, with a selector."""
        maps = self.inputs.indicators.get("maps", ())
        self.write_page(
            entry,
            "indicateurs.html.j2",
            maps=[
                {
                    **self.figures.catalogue_maps(m, ranks=not self.measured.registry_only),
                    "chart": self.figures.catalogue_series(m),
                }
                for m in maps
            ],
            charts_used=True,
        )

    def write_progressions(self, entry: Page) -> None:
        """``progressions.html``: the biggest follower progressions since the previous
        edition, per peer group and platform."""
        self.write_page(
            entry, "progressions.html.j2", progressions=self.inputs.indicators.get("progressions")
        )

    def _criterion_filter(self) -> list[CriterionOption]:
        """The criteria of the filter on the ranking pages (none without the data)."""
        if not self.inputs.indicators.get("passed"):
            return []
        return [CriterionOption(c.code, c.name) for c in self.methodology.criteria]

    def _sitemap(self, name: str, paths: Sequence[str], base: str) -> None:
        entries = "".join(f"<url><loc>{escape(base + path)}</loc></url>\n" for path in paths)
        (self.work / name).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NS}">\n{entries}</urlset>\n',
            encoding="utf-8",
        )

    def _crawlers(self) -> None:
        """robots.txt always; sitemap.xml when the site's public address is known."""
        base = self.site.base_url
        lines = ["User-agent: *", "Allow: /"]
        if base:
            lines.append(f"Sitemap: {base}sitemap.xml")
            paths = sorted(set(self.paths))
            parts = [paths[i : i + SITEMAP_LIMIT] for i in range(0, len(paths), SITEMAP_LIMIT)]
            if len(parts) == 1:
                self._sitemap("sitemap.xml", parts[0], base)
            else:  # the protocol allows 50,000 addresses a file: an index of files
                names = [f"sitemap-{i + 1}.xml" for i in range(len(parts))]
                for name, part in zip(names, parts, strict=True):
                    self._sitemap(name, part, base)
                entries = "".join(
                    f"<sitemap><loc>{escape(base + n)}</loc></sitemap>\n" for n in names
                )
                (self.work / "sitemap.xml").write_text(
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    f'<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n',
                    encoding="utf-8",
                )
        (self.work / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def build(self) -> BuildReport:
        """The whole site, built aside and swapped in at once: every page of the
        registry, in its order."""
        started = time.perf_counter()
        published(self.out)
        old = _aside(self.out)
        if self.work.exists():  # a build killed half-way
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        try:
            self._common()
            self._static()
            self.figures = FigureWriter(self.work, cache=self.svg_cache)
            self._read()
            for entry in registry.PAGES:
                entry.build(self, entry)
            (self.work / "_headers").write_text(headers_file(), encoding="utf-8")
            self._crawlers()
        except BaseException:
            shutil.rmtree(self.work, ignore_errors=True)
            raise
        if old.exists():
            shutil.rmtree(old)
        if self.out.exists():
            self.out.rename(old)
        self.work.rename(self.out)
        shutil.rmtree(old, ignore_errors=True)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def cards_alone(self) -> BuildReport:
        """Only the report cards of ``only`` (PDFs when asked) and the static assets,
        written into ``out`` (replaced): no ranking, map or home page. The card of
        ``barometre check``, opened from the disk."""
        if self.only is None:
            raise ValueError("cards_alone() writes the cards of only=…")
        started = time.perf_counter()
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        self.work = self.out
        self._common()
        self._static()
        self.figures = FigureWriter(self.out, cache=self.svg_cache, geo=False)
        self._read()
        self.card_svg = True
        self.write_cards(registry.page("collectivites"))
        self.report.seconds = time.perf_counter() - started
        return self.report

    def update(self) -> BuildReport:
        """Write the report cards of ``only`` (with their PDFs when asked) into the site
        already published in ``out``, each file atomically; every other page stays.

        Rankings, maps and the home page are not rebuilt: they keep the figures of the
        last full build (:meth:`build`)."""
        if self.only is None:
            raise ValueError("update() writes the cards of only=…")
        if not published(self.out):
            raise ValueError(f"no published site in {self.out}")
        started = time.perf_counter()
        self.work = self.out
        self._put = files.write_atomic
        files.sweep(self.out)  # what a killed update left behind
        self._common()  # (the sitemap of the full build already lists every card)
        self.figures = FigureWriter(
            self.out, cache=self.svg_cache, write=files.write_atomic, geo=False
        )
        self._read()
        self.write_cards(registry.page("collectivites"))
        self.report.seconds = time.perf_counter() - started
        return self.report


def _aside(out: Path) -> Path:
    return out.with_name(out.name + ".ancien")


def published(out: Path) -> bool:
    """Whether a built site is in ``out``; first puts back the previous site if a build
    was killed between moving it aside and moving the new one in."""
    old = _aside(out)
    if old.is_dir() and not out.exists():
        old.rename(out)
    return (out / "index.html").is_file()


def _write_file(path: Path, data: bytes) -> None:
    """A plain write, for a site built aside (:meth:`SiteBuilder.build`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
