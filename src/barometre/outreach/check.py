"""``barometre check URL``: one site captured now, audited with the current methodology.

Nothing here touches an edition. The site is captured (the same crawler, robots.txt and
politeness as an edition) into a working folder of its own, with a database of its own
(SQLite, beside the WARC file), audited with the full grid, scored with the grade bands
of the main database's calibration (provisional bands when there is none), and its
report card is written with the site's own template, as HTML and, on request, as PDF.

Without a registry entry the site is checked as a commune's of unknown population
(criteria that depend on the population or the kind are then judged as for any
commune); given the collectivité, its registry facts (kind, population, e-mail, EPCI)
are used. With the last edition of the main database, the card shows the score of that
edition beside the new one and the report lists the criteria whose status changed.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import dns.asyncresolver
from sqlalchemy import Engine

from barometre.audit import audit_edition, load_methodology
from barometre.capture.archive import screenshot
from barometre.capture.render import CHROMIUM
from barometre.capture.run import FactsConfig, Target, capture_edition
from barometre.errors import BarometreError, ConfigurationError
from barometre.methodology import Methodology
from barometre.models import Authority, AuthorityKind, CheckResult, Status, Website
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.publish.pages.build import recommendations
from barometre.publish.pages.models import Recommendation
from barometre.publish.site.builder import SiteBuilder, SiteInputs
from barometre.publish.site.views import CardContext, card_context, card_path
from barometre.scoring.recommendations import peer_shares, recommend
from barometre.scoring.run import score_edition
from barometre.settings import Settings
from barometre.storage import (
    audit_repo,
    capture_repo,
    edition_repo,
    publish_repo,
    reco_repo,
    registry_repo,
    score_repo,
)
from barometre.storage.db import open_database
from barometre.storage.score_repo import ScoreRow
from barometre.vocab import fr

CHECK_EDITION = "verification"  # sorts after every AAAA-MM and demo edition
CHECK_SOURCE = "vérification ponctuelle"
UNKNOWN_CODE = "VERIF"
RECOMMENDATIONS_SHOWN = 5
# Grade bands when the main database has no calibration and the methodology fixes none:
# the regular split the methodology page calls provisional.
PROVISIONAL_BANDS = (80.0, 60.0, 40.0, 20.0)


@dataclass(frozen=True)
class CheckNetwork:
    """How to reach the site: the guarded resolver, the fetcher's politeness, TLS trust,
    and the DNS resolver for the DNS facts (none: no DNS or TLS facts)."""

    resolver: GuardedResolver
    config: FetchConfig
    ssl_context: ssl.SSLContext | None = None
    facts: FactsConfig | None = None
    agent: str = "BarometreNumeriqueTerritoires"
    max_fetches: int = 25


@dataclass(frozen=True)
class Reference:
    """The last edition of the main database, to compare with."""

    engine: Engine
    edition: str


@dataclass(frozen=True)
class StatusChange:
    code: str
    name: str
    before: Status | None
    after: Status


@dataclass
class CheckReport:
    url: str
    authority: Authority
    from_registry: bool
    outcome: str  # the capture's outcome for the site (ok, blocked, timeout…)
    methodology: str
    card: CardContext
    html: Path
    pdf: Path | None
    bands_origin: str
    seconds: float
    previous: tuple[str, float | None, str | None] | None = None  # edition, score, grade
    changes: list[StatusChange] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def score(self) -> ScoreRow | None:
        return self.card.global_score


def check_target(url: str) -> str:
    """The address to check, refused in French when it is no web address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"Adresse « {url} » invalide : une adresse web complète est attendue "
            "(ex. https://www.mairie-exemple.fr/)."
        )
    return url.strip()


def subject_authority(url: str, registered: Authority | None) -> Authority:
    """The collectivité checked: the registry's, with the address checked as its site;
    else a commune of unknown population named after the host."""
    host = urlsplit(url).hostname or url
    site = Website(url=url, host=host, source=CHECK_SOURCE, primary=True)
    if registered is not None:
        return replace(registered, websites=(site,))
    return Authority(kind=AuthorityKind.COMMUNE, code=UNKNOWN_CODE, name=host, websites=(site,))


def _screenshot(archive: Path) -> bytes | None:
    """The home page as rendered on a desktop, when the check rendered it."""
    try:
        return screenshot(archive)
    except (OSError, ValueError):
        return None


def _previous(
    reference: Reference, authority_id: str
) -> tuple[tuple[str, float | None, str | None] | None, dict[str, Status], bool]:
    """The global score, the statuses and the demonstration flag of the reference."""
    info = edition_repo.get_edition(reference.engine, reference.edition)
    rows = score_repo.load_scores(
        reference.engine, reference.edition, authority_id=authority_id, scope="global"
    )
    previous = (reference.edition, rows[0].value, rows[0].grade) if rows else None
    statuses = {
        r.check_id: r.status
        for r, _ in audit_repo.load_results(
            reference.engine, reference.edition, authority_id=authority_id
        )
    }
    return previous, statuses, info.demo


def _changes(
    methodology: Methodology, before: Mapping[str, Status], after: Sequence[CheckResult]
) -> list[StatusChange]:
    now = {r.check_id: r.status for r in after}
    out = []
    for criterion in methodology.criteria:
        status = now.get(criterion.id)
        if status is None or before.get(criterion.id) is status:
            continue
        out.append(StatusChange(criterion.code, criterion.name, before.get(criterion.id), status))
    return out


def check_url(
    url: str,
    *,
    network: CheckNetwork,
    workdir: Path,
    out: Path,
    methodology: Methodology,
    registered: Authority | None = None,
    neighbours: Sequence[Authority] = (),
    render: bool = False,
    pdf: bool = False,
    reference: Reference | None = None,
    bands: tuple[str, tuple[float, ...]] | None = None,
    as_of: date | None = None,
) -> CheckReport:
    """Capture, audit and score ``url`` now; write its card into ``out``.

    ``workdir`` (emptied first) holds the check's own database and WARC file;
    ``bands`` are the grade bands to use (with where they were calibrated);
    ``reference`` is the edition to compare with (and whose peers order the
    recommendations); ``as_of`` the reference day for freshness (the capture's day);
    ``neighbours`` the registry entries the audit consults beside the collectivité (its
    EPCI, for the criteria a commune shares with it)."""
    started = time.perf_counter()
    url = check_target(url)
    authority = subject_authority(url, registered)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    engine = open_database(f"sqlite:///{workdir / 'verification.sqlite3'}")
    try:
        return _check(
            engine,
            url,
            authority,
            network=network,
            workdir=workdir,
            out=out,
            methodology=methodology,
            from_registry=registered is not None,
            neighbours=neighbours,
            render=render,
            pdf=pdf,
            reference=reference,
            bands=bands,
            as_of=as_of,
            started=started,
        )
    finally:
        engine.dispose()


def _check(
    engine: Engine,
    url: str,
    authority: Authority,
    *,
    network: CheckNetwork,
    workdir: Path,
    out: Path,
    methodology: Methodology,
    from_registry: bool,
    neighbours: Sequence[Authority],
    render: bool,
    pdf: bool,
    reference: Reference | None,
    bands: tuple[str, tuple[float, ...]] | None,
    as_of: date | None,
    started: float,
) -> CheckReport:
    registry_repo.replace_registry(engine, [authority, *neighbours], CHECK_SOURCE, {})
    previous: tuple[str, float | None, str | None] | None = None
    before: dict[str, Status] = {}
    demo = False
    if reference is not None:
        previous, before, demo = _previous(reference, authority.id)
        if previous is not None:  # the card's « Évolution » shows it
            capture_repo.ensure_edition(
                engine, reference.edition, f"Édition {reference.edition}", demo=demo
            )
            score_repo.replace_scores(
                engine,
                reference.edition,
                [ScoreRow(authority.id, "global", previous[1], 1.0, previous[2])],
            )
    capture_repo.ensure_edition(engine, CHECK_EDITION, "Vérification ponctuelle", demo=demo)
    capture_repo.set_methodology(engine, CHECK_EDITION, methodology.version)

    # --- capture: one site, the edition's crawler and politeness --------------------------
    report = asyncio.run(
        capture_edition(
            engine,
            CHECK_EDITION,
            [Target(authority.id, url)],
            warc_root=workdir / "warc",
            config=network.config,
            resolver=network.resolver,
            ssl_context=network.ssl_context,
            max_fetches=network.max_fetches,
            sites_in_flight=1,
            agent=network.agent,
            facts=network.facts,
            render=render,
        )
    )
    if report.failed:
        raise BarometreError(f"Capture de {url} impossible : {report.failed[0][1]}")
    outcome = next(iter(report.outcomes), "ok")

    # --- audit: the edition's audit stage, on this one site ------------------------------
    audited = audit_edition(engine, CHECK_EDITION, methodology, selection=[authority], as_of=as_of)
    problems = audited.failed + audited.damaged
    if problems:
        raise BarometreError(f"Audit de {url} impossible : {problems[0][1]}")
    archive = Path(capture_repo.archive_paths(engine, CHECK_EDITION)[authority.id])
    results = [
        r for r, _ in audit_repo.load_results(engine, CHECK_EDITION, authority_id=authority.id)
    ]

    # --- score with the national grade bands; alone, it has no rank -----------------------
    if methodology.scoring.bands is not None:
        origin = "fixées par la méthodologie"
    elif bands is not None:
        origin = f"calibrées sur l'édition {fr.month(bands[0])}"
    else:
        origin = "provisoires : aucune édition calibrée dans la base"
    if methodology.scoring.bands is None:
        kept = bands[1] if bands is not None else PROVISIONAL_BANDS
        score_repo.keep_calibration(engine, methodology.version, CHECK_EDITION, kept, 0)
    score_edition(engine, CHECK_EDITION, methodology, demo=demo)
    score_repo.replace_scores(
        engine,
        CHECK_EDITION,
        [replace(r, rank=None) for r in score_repo.load_scores(engine, CHECK_EDITION)],
    )

    # --- recommendations, ordered by what the reference edition's peers achieve ----------
    counts = (
        reco_repo.peer_status_counts(reference.engine, reference.edition)
        if reference is not None
        else reco_repo.peer_status_counts(engine, CHECK_EDITION)
    )
    shares = peer_shares(counts)
    items: list[Recommendation] = []

    def for_card(card: publish_repo.Card) -> list[Recommendation]:
        group = card.global_score.peer_group if card.global_score else None
        if not group:
            return []
        plan = recommend(card.authority, [r for r, _ in card.results], methodology, group, shares)
        items[:] = recommendations(plan.recommendations, RECOMMENDATIONS_SHOWN)
        return items

    # --- the card, with the site's template ----------------------------------------------
    builder = SiteBuilder(
        engine,
        CHECK_EDITION,
        out,
        methodology,
        inputs=SiteInputs(
            recommendations=for_card,
            checked_on=date.today(),
            screenshot=lambda _: _screenshot(archive) if render else None,
        ),
        only=[authority.id],
        pdf=pdf,
    )
    built = builder.cards_alone()
    earlier = [previous[0]] if previous is not None else []
    card = next(publish_repo.iter_cards(engine, CHECK_EDITION, earlier=earlier))
    context = card_context(
        card, methodology, group_sizes={}, peer_medians={}, recommendations=items
    )
    page = out / card_path(authority.kind.value, authority.code)
    pdf_file = next(iter(sorted((out / "pdf").glob("*.pdf"))), None) if built.pdfs else None
    return CheckReport(
        url=url,
        authority=authority,
        from_registry=from_registry,
        outcome=outcome,
        methodology=methodology.version,
        card=context,
        html=page,
        pdf=pdf_file,
        bands_origin=origin,
        seconds=time.perf_counter() - started,
        previous=previous,
        changes=_changes(methodology, before, results) if reference is not None else [],
        recommendations=items,
    )


# --- from the settings (the command line) ---------------------------------------------------


def network_from(settings: Settings) -> CheckNetwork:
    """The crawler of an edition, as the settings configure it (politeness included)."""
    return CheckNetwork(
        resolver=GuardedResolver(AddressPolicy.allowing(settings.capture_allow_networks)),
        config=FetchConfig(
            user_agent=settings.user_agent,
            per_host_delay=settings.capture_per_host_delay,
            total_timeout=settings.capture_timeout,
        ),
        facts=FactsConfig(dns=dns.asyncresolver.Resolver()),
        max_fetches=settings.capture_max_fetches,
    )


def _neighbours(engine: Engine, registered: Authority | None) -> list[Authority]:
    """The intercommunal body of a commune, from the registry (by SIREN or EPCI code)."""
    if registered is None or not registered.epci:
        return []
    found = registry_repo.load_authorities(engine, codes={registered.epci})
    found += registry_repo.load_authorities(engine, kinds=[AuthorityKind.DEPARTEMENT])
    return [
        a
        for a in found
        if a.kind is not AuthorityKind.COMMUNE
        and registered.epci in (a.siren, a.code)
        and a.id != registered.id
    ][:1]


def last_edition(engine: Engine, authority_id: str) -> str | None:
    """The latest edition (demonstrations apart) that scored ``authority_id``."""
    for info in sorted(edition_repo.list_editions(engine), key=lambda e: e.id, reverse=True):
        if info.demo or info.id == CHECK_EDITION:
            continue
        if score_repo.load_scores(engine, info.id, authority_id=authority_id, scope="global"):
            return info.id
    return None


def check_with_settings(
    settings: Settings,
    engine: Engine,
    url: str,
    choice: str = "",
    *,
    registered: Authority | None = None,
    render: bool = False,
    pdf: bool = False,
    compare: bool = False,
    out: Path | None = None,
    as_of: date | None = None,
) -> CheckReport:
    """``barometre check``: the settings' crawler, the main database's grade bands and,
    with ``compare``, the collectivité's card in its last edition; ``choice`` names the
    methodology (the bundled one by default, a version or a TOML file)."""
    url = check_target(url)
    methodology = load_methodology(choice)
    reference = None
    if compare:
        if registered is None:
            raise ConfigurationError(
                "--comparer a besoin de la collectivité (--authority CODE) : sans elle, il "
                "n'y a pas de bulletin à comparer."
            )
        edition = last_edition(engine, registered.id)
        if edition is None:
            raise ConfigurationError(
                f"Aucune édition de la base ne note {registered.name} ({registered.id}) : "
                "rien à comparer."
            )
        reference = Reference(engine, edition)
    if render and not Path(CHROMIUM).exists():
        raise ConfigurationError(
            f"--render demande Chromium ({CHROMIUM}), introuvable sur cette machine."
        )
    host = urlsplit(url).hostname or "site"
    folder = settings.data_dir / "verifications" / f"{host}-{date.today():%Y-%m-%d}"
    return check_url(
        url,
        network=network_from(settings),
        workdir=folder / "travail",
        out=out or folder / "bulletin",
        methodology=methodology,
        registered=registered,
        neighbours=_neighbours(engine, registered),
        render=render,
        pdf=pdf,
        reference=reference,
        bands=score_repo.calibration(engine, methodology.version),
        as_of=as_of,
    )
