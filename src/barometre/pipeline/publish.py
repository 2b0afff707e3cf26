"""The publish stage: the site's inputs gathered from the other stages, then the site.

The pipeline is the one place that knows every stage: it gathers what the site shows
from the scoring stage (recommendations, national figures, providers), the capture
archives (screenshots) and the charts, and hands it to the site builder, which reads the
rest from storage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from barometre.capture.archive import screenshot
from barometre.errors import ConfigurationError, UnknownAuthorityError
from barometre.indicators.site import site_inputs as indicator_site_inputs
from barometre.methodology import Methodology
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.pipeline.core import EditionRun, Setup
from barometre.publish.pages.build import (
    figure_sections,
    provider_sections,
    recommendations,
)
from barometre.publish.pages.models import (
    Explanation,
    FigureSection,
    ProviderSection,
    Recommendation,
)
from barometre.publish.serve import make_server
from barometre.publish.site import legal
from barometre.publish.site.builder import BuildReport, SiteBuilder, SiteInputs, published
from barometre.registry.collectivites import successors
from barometre.scoring.budget import read_budget
from barometre.scoring.explanations import State as ExplanationState
from barometre.scoring.explanations import label as explanation_label
from barometre.scoring.explanations import reference_date
from barometre.scoring.explanations import state as explanation_state
from barometre.scoring.recommendations import (
    DEFAULT_MIN_SITES,
    peer_shares,
    pick_labels,
    provider_view,
    recommend,
)
from barometre.scoring.stats import edition_stats, group_label
from barometre.settings import Settings
from barometre.storage import capture_repo, explanation_repo, publish_repo, reco_repo
from barometre.vocab.authorities import ambiguous_error, parse_references

__all__ = [
    "BuildReport",
    "PublishReport",
    "check_release",
    "default_site",
    "national_figures",
    "providers_page",
    "publish",
    "publisher_of",
    "serve_site",
    "site_inputs",
]


def _screenshots(engine: Engine, edition: str) -> Callable[[str], bytes | None]:
    paths = capture_repo.archive_paths(engine, edition)

    def find(authority_id: str) -> bytes | None:
        path = paths.get(authority_id)
        if path is None or not Path(path).exists():
            return None
        try:
            return screenshot(Path(path))
        except (OSError, ValueError):
            return None

    return find


def _recommendations(
    engine: Engine, edition: str, methodology: Methodology
) -> Callable[[publish_repo.Card], list[Recommendation]]:
    """The ranked recommendations of each card, with the peer shares counted once."""
    shares = peer_shares(reco_repo.peer_status_counts(engine, edition))

    def for_card(card: publish_repo.Card) -> list[Recommendation]:
        group = card.global_score.peer_group if card.global_score else None
        if not group:
            return []
        plan = recommend(card.authority, [r for r, _ in card.results], methodology, group, shares)
        return recommendations(plan.recommendations)

    return for_card


def _explanations(
    engine: Engine, edition: str, created: datetime | None
) -> Callable[[Sequence[str]], dict[str, dict[str, Explanation]]]:
    """The explanations and disputes in force on the edition's reference date."""
    on = reference_date(edition, created)

    def for_chunk(ids: Sequence[str]) -> dict[str, dict[str, Explanation]]:
        out: dict[str, dict[str, Explanation]] = {}
        for (authority_id, check_id), items in explanation_repo.current_many(
            engine, on, ids
        ).items():
            item = items[-1]
            if explanation_state(item, on) is not ExplanationState.CURRENT:
                continue
            out.setdefault(authority_id, {})[check_id] = Explanation(
                label=explanation_label(item).capitalize(),
                text=item.text,
                received=item.received_on,
                expires=item.expires_on,
            )
        return out

    return for_chunk


def national_figures(engine: Engine, edition: str, methodology: Methodology) -> list[FigureSection]:
    """The edition's national figures as sections of rows, each with its denominator
    and its coverage (a figure nobody could measure is left out of the home page)."""
    return figure_sections(edition_stats(engine, edition, methodology, read_budget()), group_label)


def providers_page(engine: Engine, edition: str, methodology: Methodology) -> list[ProviderSection]:
    """The CMS and providers whose sites fail some criteria more often than nationally."""
    categories = ("cms", "provider")
    return provider_sections(
        provider_view(
            reco_repo.provider_sites(engine, edition, categories),
            reco_repo.provider_status_counts(
                engine, edition, min_sites=DEFAULT_MIN_SITES, categories=categories
            ),
            reco_repo.national_status_counts(engine, edition),
            methodology,
            labels=pick_labels(reco_repo.provider_labels(engine, edition, categories)),
        )
    )


def publisher_of(settings: Settings) -> dict[str, str]:
    """The publisher's identity from the settings (``publish_*``), the empty ones left out."""
    return {
        key: value
        for key, value in (
            ("publisher", settings.publish_publisher),
            ("director", settings.publish_director),
            ("host", settings.publish_host),
            ("contact", settings.publish_contact),
            ("dpo", settings.publish_dpo),
        )
        if value
    }


def check_release(settings: Settings, release: bool) -> None:
    """Refuse at once a release build (``--release``, or a public address set) whose
    publisher is not named, before any long stage runs."""
    if release or settings.publish_base_url:
        refused = legal.release_error(publisher_of(settings))
        if refused is not None:
            raise refused


def site_inputs(
    settings: Settings,
    engine: Engine,
    edition: str,
    methodology: Methodology,
    *,
    created: datetime | None,
) -> SiteInputs:
    """Everything the other stages give the site (each part optional)."""
    inputs = SiteInputs(
        screenshot=_screenshots(engine, edition),
        recommendations=_recommendations(engine, edition, methodology),
        explanations=_explanations(engine, edition, created),
        figures=national_figures(engine, edition, methodology),
        providers=providers_page(engine, edition, methodology),
        indicators=indicator_site_inputs(engine, edition, methodology, bundled_catalogue()),
    )
    inputs.publisher = publisher_of(settings)
    inputs.base_url = settings.publish_base_url
    exports = settings.data_dir / "exports" / edition
    if exports.is_dir():
        inputs.exports = exports
    return inputs


def _check_only(only: Sequence[str], scored: Sequence[str], edition: str) -> list[str]:
    """The ids of the collectivités asked (``commune:75056``, or a code alone when one
    card answers it), each once; a collectivité without a score in the edition is
    refused."""
    known = set(scored)
    wanted: list[str] = []
    unknown: list[str] = []
    for ref in parse_references(only):
        ids = [i for i in ref.ids(successors()) if i in known]
        if len(ids) > 1:
            raise ambiguous_error(ref, [(i, i) for i in ids])
        if ids:
            wanted.append(ids[0])
        else:
            unknown.append(ref.text)
    if unknown:
        raise UnknownAuthorityError(
            f"Pas de bulletin pour {', '.join(f'« {u} »' for u in unknown)} dans l'édition "
            f"{edition} : identifiant « type:code » d'une collectivité notée attendu "
            "(ex. commune:75056, departement:40)."
        )
    return list(dict.fromkeys(wanted))


@dataclass(frozen=True)
class PublishReport:
    """What the publish stage wrote: the builder's report, where, and how."""

    build: BuildReport
    target: Path
    partial: bool  # cards added to an existing site, the rest left unchanged
    only: tuple[str, ...] | None  # the cards asked with --only


def default_site(settings: Settings, edition: str) -> Path:
    return settings.data_dir / "site" / edition


def publish(
    setup: Setup,
    run: EditionRun,
    out: Path | None = None,
    *,
    only: Sequence[str] | None = None,
    extra: Mapping[str, Any] | None = None,
    pdf: bool = False,
    release: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_card: Callable[[str], None] | None = None,
) -> PublishReport:
    """Build the edition's site (or add the ``only`` cards to the published one)."""
    engine, edition = setup.engine, run.id
    target = out or default_site(setup.settings, edition)
    scored = publish_repo.scored_ids(engine, edition)
    if not scored:
        raise ConfigurationError(
            f"Aucun score dans l'édition {edition} : lancez d'abord « barometre score »."
        )
    if only is not None:
        only = _check_only(only, scored, edition)
    if on_start is not None:
        on_start(len(scored) if only is None else len(only))
    # --only adds its cards to the published site, file by file; without a site, they
    # make a site of their own
    partial = only is not None and published(target)
    inputs = site_inputs(
        setup.settings, engine, edition, run.methodology, created=run.info.created_at
    )
    inputs.release = release
    for key, value in (extra or {}).items():
        setattr(inputs, key, value)
    builder = SiteBuilder(
        engine,
        edition,
        target,
        run.methodology,
        inputs=inputs,
        only=list(only) if only is not None else None,
        on_card=on_card,
        pdf=pdf,
    )
    report = builder.update() if partial else builder.build()
    return PublishReport(report, target, partial, tuple(only) if only is not None else None)


def serve_site(folder: Path, host: str, port: int) -> ThreadingHTTPServer:
    """A preview server of the published site ``folder`` (not started)."""
    return make_server(folder, host, port)
