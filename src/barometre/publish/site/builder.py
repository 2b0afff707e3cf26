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
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from statistics import median
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import escape
from sqlalchemy import Engine

from barometre import files
from barometre.methodology import Methodology
from barometre.publish.pdf import render_pdf
from barometre.publish.serve import headers_file
from barometre.publish.site import formatting, legal
from barometre.publish.site.figures import FigureWriter
from barometre.publish.site.findings import key_findings
from barometre.publish.site.views import (
    Group,
    card_context,
    card_path,
    groups_of,
    place_of,
    ranking_path,
)
from barometre.storage import capture_repo, edition_repo, publish_repo, registry_repo, social_repo
from barometre.vocab import fr
from barometre.vocab.authorities import kind_or_legal_label, peer_group_label
from barometre.vocab.status import GRADES

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
    """What other stages computed, for the site to show (all optional)."""

    recommendations: Callable[[publish_repo.Card], Sequence[Mapping[str, Any]]] | None = None
    explanations: (
        Callable[[Sequence[str]], Mapping[str, Mapping[str, Mapping[str, Any]]]] | None
    ) = None
    figures: Sequence[Mapping[str, Any]] = ()  # sections of national figures
    providers: Sequence[Mapping[str, Any]] = ()
    screenshot: Callable[[str], bytes | None] | None = None
    exports: Path | None = None  # folder of the edition's open-data exports, copied in
    accessibility_status: str = "partiellement conforme"
    base_url: str | None = None  # public address: canonical links, sitemap.xml, robots.txt
    publisher: Mapping[str, str] = field(default_factory=dict)
    # a release goes out to the public: it must name its publisher (it is one when the
    # public address is set, or when asked)
    release: bool = False


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
        self.site: dict[str, Any] = {}
        self.paths: list[str] = []
        self._put: Callable[[Path, bytes], None] = _write_file

    # -- writing ------------------------------------------------------------------------

    def _write(self, path: str, template: str, **context: Any) -> str:
        racine = _root(path)
        html = self.env.get_template(template).render(
            site=self.site, racine=racine, grades=GRADES, chemin=path, **context
        )
        if self.site.get("base_url"):
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

    # -- pages --------------------------------------------------------------------------

    def _common(self) -> None:
        info = edition_repo.get_edition(self.engine, self.edition)
        self.site = {
            "title": self.title,
            "edition": self.edition,
            "edition_fr": fr.month(self.edition),
            "edition_title": (
                "édition de démonstration" if info.demo else f"édition {fr.month(self.edition)}"
            ),
            "demo": info.demo,
            "methodology": self.methodology.version,
            "frozen": info.frozen_at,
            "manifest": info.manifest_sha256 or "",
            "built": datetime.now(UTC).date(),
            "min_coverage": self.methodology.scoring.min_coverage,
            "criteria": len(self.methodology.criteria),
            "accessibility_status": self.inputs.accessibility_status,
            "base_url": _base(self.inputs.base_url),
            # a site that names no publisher is a preview, and says so on every page
            "preview": not info.demo and bool(legal.missing(self.inputs.publisher)),
        }
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

    def _rankings(self, groups: list[Group], names: Mapping[tuple[str, str], str]) -> None:
        summaries = []
        for group in groups:
            rows = [self._rank_row(r) for r in group.rows]
            ranked = sum(1 for r in group.rows if r.rank)
            best = next((r["name"] for r in rows if r["rank"] == 1), None)
            url = ranking_path(group.id)
            summaries.append(
                {
                    "title": group.title,
                    "url": url,
                    "count": len(rows),
                    "ranked": ranked,
                    "best": best,
                }
            )
            departements: list[dict[str, Any]] = []
            if len(rows) > self.split_above:
                by_dep: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for row in rows:
                    by_dep[row["departement"] or "—"].append(row)
                for code in sorted(by_dep):
                    dep_url = ranking_path(group.id, code)
                    dep_name = names.get(("departement", code), code)
                    departements.append(
                        {"code": code, "name": dep_name, "url": dep_url, "count": len(by_dep[code])}
                    )
                    self._write(
                        dep_url,
                        "classement.html.j2",
                        rubrique="classements",
                        page={
                            "title": group.title,
                            "subtitle": f"{dep_name} ({code})",
                            "rows": by_dep[code],
                            "parent": {"title": group.title, "url": url},
                            "departements": [],
                            "truncated": False,
                        },
                    )
            shown = rows[: self.split_above] if departements else rows
            self._write(
                url,
                "classement.html.j2",
                rubrique="classements",
                page={
                    "title": group.title,
                    "subtitle": None,
                    "rows": shown,
                    "parent": None,
                    "departements": departements,
                    "truncated": len(shown) < len(rows),
                },
            )
        self._write(
            "classements/index.html",
            "classements.html.j2",
            rubrique="classements",
            groups=summaries,
        )

    @staticmethod
    def _rank_row(row: publish_repo.RankRow) -> dict[str, Any]:
        return {
            "name": row.name,
            "code": row.code,
            "kind": row.kind,
            "departement": row.departement,
            "population": row.population,
            "value": row.value,
            "coverage": row.coverage,
            "grade": row.grade,
            "rank": row.rank,
            "url": card_path(row.kind, row.code),
        }

    def _cards(self, groups: list[Group], names: Mapping[tuple[str, str], str]) -> None:
        sizes = {g.id: len(g.rows) for g in groups}
        means = publish_repo.dimension_medians(self.engine, self.edition)
        earlier = publish_repo.earlier_editions(self.engine, self.edition, demo=self.demo)
        ids = list(self.only) if self.only is not None else None
        explanations: Mapping[str, Mapping[str, Mapping[str, Any]]] = {}
        pending: list[publish_repo.Card] = []

        def flush() -> None:
            nonlocal explanations
            if self.inputs.explanations is not None and pending:
                explanations = self.inputs.explanations([c.authority.id for c in pending])
            for item in pending:
                self._card(item, sizes, means, explanations.get(item.authority.id, {}), names)
            pending.clear()

        for card in publish_repo.iter_cards(self.engine, self.edition, ids=ids, earlier=earlier):
            pending.append(card)
            if len(pending) >= publish_repo.CHUNK:
                flush()
        flush()

    def _card(
        self,
        card: publish_repo.Card,
        sizes: Mapping[str, int],
        means: Mapping[tuple[str, str], float],
        explanations: Mapping[str, Mapping[str, Any]],
        names: Mapping[tuple[str, str], str],
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
        racine = _root(path)
        charts = {
            "dimensions": self.figures.card_dimensions(context, racine, svg=self.card_svg),
            "history": self.figures.card_history(context, self.edition, racine, svg=self.card_svg)
            if context.history
            else None,
        }
        wants_pdf = self.pdf is True or (
            not isinstance(self.pdf, bool) and authority.id in self.pdf
        )
        pdf_url = f"pdf/{authority.kind.value}-{path.rsplit('/', 1)[-1][:-5]}.pdf"
        html = self._write(
            path,
            "collectivite.html.j2",
            rubrique="",
            card=context,
            place=place_of(authority, names),
            ranking_url=ranking_path(group) if group else None,
            categories=FINDING_CATEGORIES,
            charts=charts,
            charts_used=True,
            pdf_url=pdf_url if wants_pdf else None,
        )
        if wants_pdf:
            self._pdf(html, path, pdf_url)
        self.report.cards += 1
        if self.on_card is not None:
            self.on_card(authority.id)

    def _home(self, groups: list[Group]) -> None:
        previous = publish_repo.earlier_editions(self.engine, self.edition, demo=self.demo)
        before = previous[-1] if previous else None
        old_means: dict[str, float] = {}
        if before is not None:
            old: dict[str, list[float]] = defaultdict(list)
            for row in publish_repo.ranking(self.engine, before):
                if row.value is not None:
                    old[row.peer_group].append(row.value)
            old_means = {g: sum(v) / len(v) for g, v in old.items()}
        rows = []
        for group in groups:
            values = [r.value for r in group.rows if r.value is not None]
            grades = Counter(r.grade for r in group.rows if r.grade)
            evolution = "—"
            if group.id in old_means and values:
                delta = sum(values) / len(values) - old_means[group.id]
                evolution = fr.signed(delta, 1)
            rows.append(
                {
                    "title": group.title,
                    "url": ranking_path(group.id),
                    "count": len(group.rows),
                    "graded": sum(grades.values()),
                    "median": median(values) if values else None,
                    "grades": dict(grades),
                    "evolution": evolution,
                }
            )
        accounts = sum(n for *_, n in social_repo.state_counts(self.engine, self.edition))
        figures = [
            {
                **section,
                "chart": self.figures.presence(section["rows"], "")
                if section.get("key") == "presence"
                else None,
            }
            for section in self.inputs.figures
        ]
        home = {
            "scored": sum(len(g.rows) for g in groups),
            "graded": sum(g.graded for g in groups),
            "captured": len(capture_repo.archive_paths(self.engine, self.edition)),
            "accounts": accounts,
            "groups": rows,
            "figures": figures,
            "previous": before,
            "distribution_chart": self.figures.distribution(groups, "", live=False),
        }
        home["findings"] = key_findings(
            self.inputs.figures,
            scored=sum(len(g.rows) for g in groups),
            graded=sum(g.graded for g in groups),
        )
        # the home shows its one chart as the static SVG: no script weighs on the page
        # most visitors open first (EcoIndex)
        self._write("index.html", "index.html.j2", rubrique="", home=home)
        home["distribution_chart"] = self.figures.distribution(groups, "")
        html = self._write(
            "synthese.html", "synthese.html.j2", rubrique="", home=home, charts_used=True
        )
        self._pdf(html, "synthese.html", "pdf/synthese-nationale.pdf")

    def _methodology(self) -> None:
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
        self._write(
            "methodologie.html",
            "methodologie.html.j2",
            rubrique="methodologie",
            methodology=self.methodology,
            dimensions=list(self.methodology.by_dimension()),
            bands=list(zip(GRADES, bands, strict=False)),
            bands_origin=origin,
        )

    def _search(self, groups: Iterable[Group]) -> None:
        index = [
            {
                "n": r.name,
                "c": r.code,
                "t": kind_or_legal_label(r.kind, r.legal_type),
                "s": None if r.value is None else round(r.value, 1),
                "u": card_path(r.kind, r.code),
            }
            for g in groups
            for r in g.rows
        ]
        index.sort(key=lambda item: (str(item["n"]), str(item["c"])))
        data = json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        (self.work / "recherche.json").write_bytes(data)
        self.report.bytes += len(data)
        self._write("recherche.html", "recherche.html.j2", rubrique="recherche")

    def _static(self) -> None:
        source = resources.files("barometre.publish.site").joinpath("static")
        target = self.work / "static"
        with resources.as_file(source) as folder:
            shutil.copytree(folder, target)
        vendor = resources.files("barometre.publish").joinpath("static")
        with resources.as_file(vendor) as folder:
            if Path(folder).is_dir():
                shutil.copytree(folder, target, dirs_exist_ok=True)

    def _pages(self) -> None:
        for path, page in legal.pages(self.site, self.inputs.publisher).items():
            self._write(path, "page.html.j2", rubrique="", page=page)
        self._write(
            "prestataires.html",
            "prestataires.html.j2",
            rubrique="prestataires",
            providers=list(self.inputs.providers),
        )
        self._write(
            "cartes.html",
            "cartes.html.j2",
            rubrique="cartes",
            maps=self.figures.maps(self.rows, self.names),
            charts_used=True,
        )
        exports: list[dict[str, Any]] = []
        if self.inputs.exports is not None and self.inputs.exports.is_dir():
            shutil.copytree(
                self.inputs.exports,
                self.work / "donnees",
                dirs_exist_ok=True,
                ignore=files.ignore_partials,  # an export still being written, or killed
            )
            for file in sorted((self.work / "donnees").rglob("*")):
                if file.is_file():
                    exports.append(
                        {
                            "path": str(file.relative_to(self.work)),
                            "name": str(file.relative_to(self.work / "donnees")),
                            "bytes": file.stat().st_size,
                        }
                    )
        self._write(
            "donnees.html", "page.html.j2", rubrique="donnees", page=legal.open_data(exports)
        )

    def _sitemap(self, name: str, paths: Sequence[str], base: str) -> None:
        entries = "".join(f"<url><loc>{escape(base + path)}</loc></url>\n" for path in paths)
        (self.work / name).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NS}">\n{entries}</urlset>\n',
            encoding="utf-8",
        )

    def _crawlers(self) -> None:
        """robots.txt always; sitemap.xml when the site's public address is known."""
        base = self.site["base_url"]
        lines = ["User-agent: *", "Allow: /"]
        if base:
            lines.append(f"Sitemap: {base}sitemap.xml")
            paths = sorted(set(self.paths) - {"404.html"})
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
        """The whole site, built aside and swapped in at once."""
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
            names = self.names = self._names()
            self.rows = list(publish_repo.ranking(self.engine, self.edition))
            groups = groups_of(self.rows)
            cards = len(self.only) if self.only is not None else len(self.rows)
            self.card_svg = self.pdf is not False or cards <= self.svg_cards_up_to
            self._rankings(groups, names)
            self._cards(groups, names)
            self._home(groups)
            self._methodology()
            self._search(groups)
            self._pages()
            self._write(
                "plan-du-site.html",
                "page.html.j2",
                rubrique="",
                page=legal.site_map(groups, peer_group_label),
            )
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
        names = self.names = self._names()
        self.rows = list(publish_repo.ranking(self.engine, self.edition))
        groups = groups_of(self.rows)
        self.card_svg = self.pdf is not False or len(self.only) <= self.svg_cards_up_to
        self._cards(groups, names)
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
