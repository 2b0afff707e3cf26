"""``barometre publish`` and ``barometre serve``: the static site of an edition.

The CLI is the one place that knows every stage: it gathers what the site shows from
the scoring stage (recommendations, national figures, providers), the capture archives
(screenshots) and the charts, and hands it to the site builder, which reads the rest
from storage.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from barometre.capture.archive import screenshot
from barometre.cli.audit_cmd import load_methodology
from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import AppContext
from barometre.cli.render import stage_progress
from barometre.errors import ConfigurationError, UnknownAuthorityError
from barometre.methodology import Methodology
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
from barometre.storage import capture_repo, edition_repo, explanation_repo, publish_repo, reco_repo
from barometre.vocab import fr
from barometre.vocab.authorities import ambiguous_error, parse_references
from barometre.vocab.cms import category_label


def _screenshots(engine: Engine, edition: str) -> Any:
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


RECOMMENDATIONS_SHOWN = 5


def _recommendations(engine: Engine, edition: str, methodology: Methodology) -> Any:
    """The ranked recommendations of each card, with the peer shares counted once."""
    shares = peer_shares(reco_repo.peer_status_counts(engine, edition))

    def for_card(card: publish_repo.Card) -> list[dict[str, Any]]:
        group = card.global_score.peer_group if card.global_score else None
        if not group:
            return []
        plan = recommend(card.authority, [r for r, _ in card.results], methodology, group, shares)
        out = []
        for item in plan.recommendations[:RECOMMENDATIONS_SHOWN]:
            out.append(
                {
                    "code": item.code,
                    "name": item.name,
                    "nature": item.nature,
                    "advice": item.advice,
                    "basis": item.legal_basis,
                    "peers_text": (
                        f"{fr.count(item.peers.passed, 'collectivité comparable', 'collectivités comparables')} "
                        f"sur {fr.integer(item.peers.measured)} "
                        f"{fr.plural(item.peers.measured, 'mesurée')} "
                        f"{'le réussit' if item.peers.passed < 2 else 'le réussissent'} déjà."
                    ),
                }
            )
        return out

    return for_card


def _explanations(engine: Engine, edition: str, created: Any) -> Any:
    """The explanations and disputes in force on the edition's reference date."""
    on = reference_date(edition, created)

    def for_chunk(ids: Sequence[str]) -> dict[str, dict[str, dict[str, Any]]]:
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for (authority_id, check_id), items in explanation_repo.current_many(
            engine, on, ids
        ).items():
            item = items[-1]
            if explanation_state(item, on) is not ExplanationState.CURRENT:
                continue
            out.setdefault(authority_id, {})[check_id] = {
                "label": explanation_label(item).capitalize(),
                "text": item.text,
                "received": item.received_on,
                "expires": item.expires_on,
            }
        return out

    return for_chunk


FIGURE_SECTIONS = (
    ("presence", "Présence sur les réseaux sociaux"),
    ("grandes_communes", "Les 50 communes les plus peuplées"),
    ("pratiques", "Pratiques sur les réseaux sociaux"),
    ("registre", "Sites et messageries (registre)"),
)


def _coverage(measured: int, eligible: int) -> str:
    if not eligible:
        return "—"
    return (
        f"{fr.integer(measured)} sur {fr.integer(eligible)} "
        f"{fr.plural(measured, 'mesurée')} ({fr.ratio(measured, eligible, 0)})"
    )


def national_figures(
    engine: Engine, edition: str, methodology: Methodology
) -> list[dict[str, Any]]:
    """The edition's national figures as sections of rows, each with its denominator
    and its coverage (a figure nobody could measure is left out of the home page)."""
    found = edition_stats(engine, edition, methodology, read_budget())
    sections: list[dict[str, Any]] = []
    for key, title in FIGURE_SECTIONS:
        rows = [
            {
                "label": f"{group_label(f.group)} — {f.label}",
                "share": f.share,
                "numerator": f.numerator,
                "denominator": f.denominator,
                "coverage_text": _coverage(f.measured, f.eligible),
                "group": f.group,
            }
            for f in found.figures
            if f.section == key and f.denominator and (key != "presence" or f.numerator)
        ]
        if rows:
            sections.append({"title": title, "key": key, "rows": rows})
    legal = [
        {
            "label": f"{group_label(s.group)} — {s.code} {s.name}",
            "share": s.share("pass"),
            "numerator": s.passed,
            "denominator": s.measured,
            "coverage_text": _coverage(s.measured, s.eligible),
            "group": s.group,
        }
        for s in found.statuses
        if s.section == "conformite" and s.measured
    ]
    if legal:
        sections.append(
            {"title": "Obligations légales (part réussie)", "key": "conformite", "rows": legal}
        )
    correlations = [
        {
            "label": f"{group_label(c.group)} — {c.label}",
            "share": None,
            "numerator": c.n,
            "denominator": c.eligible,
            "coverage_text": (
                f"ρ = {fr.number(c.rho, 2)} [{fr.number(c.low, 2)} ; {fr.number(c.high, 2)}]"
                if c.rho is not None and c.low is not None and c.high is not None
                else f"non calculable ({c.reason})"
            ),
            "group": c.group,
        }
        for c in found.correlations
    ]
    if correlations:
        sections.append(
            {
                "title": "Corrélations de Spearman (intervalle à 95 %)",
                "key": "correlations",
                "rows": correlations,
            }
        )
    return sections


PROVIDER_CRITERIA = 6


def providers_page(engine: Engine, edition: str, methodology: Methodology) -> list[dict[str, Any]]:
    """The CMS and providers whose sites fail some criteria more often than nationally."""
    categories = ("cms", "provider")
    profiles = provider_view(
        reco_repo.provider_sites(engine, edition, categories),
        reco_repo.provider_status_counts(
            engine, edition, min_sites=DEFAULT_MIN_SITES, categories=categories
        ),
        reco_repo.national_status_counts(engine, edition),
        methodology,
        labels=pick_labels(reco_repo.provider_labels(engine, edition, categories)),
    )
    out = []
    for profile in profiles:
        worse = profile.concentrated()[:PROVIDER_CRITERIA]
        kind = category_label(profile.category)
        out.append(
            {
                "title": f"{kind[:1].upper()}{kind[1:]} : {profile.label}",
                "summary": (
                    f"{fr.count(profile.sites, 'site')} de collectivités ; "
                    f"{fr.count(len(profile.concentrated()), 'critère')} en échec plus souvent "
                    "qu'au "
                    "national."
                ),
                "rows": [
                    {
                        "criterion": f"{c.criterion.code} {c.criterion.name}",
                        "here": (
                            f"{fr.percent(c.rate)} ({fr.integer(c.failed)} sur "
                            f"{fr.integer(c.measured)})"
                        ),
                        "national": (
                            f"{fr.percent(c.national_rate)} ({fr.integer(c.national_failed)} sur "
                            f"{fr.integer(c.national_measured)})"
                        ),
                    }
                    for c in worse
                ],
            }
        )
    return out


def publisher_of(context: AppContext) -> dict[str, str]:
    """The publisher's identity from the settings (``publish_*``), the empty ones left out."""
    settings = context.settings
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


def check_release(context: AppContext, release: bool) -> None:
    """Refuse at once a release build (``--release``, or a public address set) whose
    publisher is not named, before any long stage runs."""
    if release or context.settings.publish_base_url:
        refused = legal.release_error(publisher_of(context))
        if refused is not None:
            raise refused


def site_inputs(
    context: AppContext, engine: Engine, edition: str, methodology: Methodology
) -> SiteInputs:
    """Everything the other stages give the site (each part optional)."""
    info = edition_repo.get_edition(engine, edition)
    inputs = SiteInputs(
        screenshot=_screenshots(engine, edition),
        recommendations=_recommendations(engine, edition, methodology),
        explanations=_explanations(engine, edition, info.created_at),
        figures=national_figures(engine, edition, methodology),
        providers=providers_page(engine, edition, methodology),
    )
    settings = context.settings
    inputs.publisher = publisher_of(context)
    inputs.base_url = settings.publish_base_url
    exports = settings.data_dir / "exports" / edition
    if exports.is_dir():
        inputs.exports = exports
    return inputs


def run_publish(
    context: AppContext,
    edition: str,
    out: Path | None = None,
    *,
    only: Sequence[str] | None = None,
    engine: Engine | None = None,
    methodology: str = "",
    extra: Mapping[str, Any] | None = None,
    pdf: bool = False,
    release: bool = False,
) -> BuildReport:
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    engine = engine or context.engine
    info = edition_repo.get_edition(engine, edition)
    grid = load_methodology(methodology or (info.methodology_version or ""))
    target = out or context.settings.data_dir / "site" / edition
    scored = publish_repo.scored_ids(engine, edition)
    if not scored:
        raise ConfigurationError(
            f"Aucun score dans l'édition {edition} : lancez d'abord « barometre score »."
        )
    if only is not None:
        only = _check_only(only, scored, edition)
    total = len(scored) if only is None else len(only)
    # --only adds its cards to the published site, file by file; without a site, they
    # make a site of their own
    partial = only is not None and published(target)
    inputs = site_inputs(context, engine, edition, grid)
    inputs.release = release
    for key, value in (extra or {}).items():
        setattr(inputs, key, value)
    with stage_progress("Publication", context.err) as progress:
        task = progress.add_task("bulletins", total=total)
        builder = SiteBuilder(
            engine,
            edition,
            target,
            grid,
            inputs=inputs,
            only=list(only) if only is not None else None,
            on_card=lambda aid: progress.update(task, advance=1, description=aid),
            pdf=pdf,
        )
        report = builder.update() if partial else builder.build()
    seconds = fr.number(report.seconds, 1)
    if partial:
        context.console.print(
            f"{fr.count(report.cards, 'bulletin')} et {fr.integer(report.pdfs)} PDF "
            f"{'écrit' if report.cards + report.pdfs < 2 else 'écrits'} dans "
            f"le site de l'édition {edition} ({target}), en {seconds} s ; le reste du site "
            "est inchangé (classements et cartes : « barometre publish » sans --only).",
            highlight=False,
        )
        return report
    if only is not None:
        context.err.print(
            f"[yellow]Pas encore de site dans {target} : il ne contient que ces "
            "bulletins ; « barometre publish » sans --only construit les autres.[/yellow]",
            highlight=False,
        )
    context.console.print(
        f"Site de l'édition {edition} : {fr.integer(report.pages)} pages dont "
        f"{fr.integer(report.cards)} bulletins, {fr.integer(report.pdfs)} PDF, "
        f"{fr.integer(report.bytes // 1024)} ko, en "
        f"{seconds} s, dans {target}."
    )
    return report


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


def publish(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Dossier du site (défaut : <données>/site/<édition>)."),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Identifiants des bulletins à produire.")
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Aussi chaque bulletin en PDF (la synthèse l'est toujours)."),
    ] = False,
    release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="Publication publique : refusée tant que l'éditeur n'est pas renseigné "
            "(réglages publish_*).",
        ),
    ] = False,
) -> None:
    """Construire le site statique de l'édition (classements, cartes, bulletins, PDF)."""
    run_publish(ctx.obj, edition, out, only=only, pdf=pdf, release=release)


def print_how_to_open(context: AppContext, site: Path) -> None:
    """The last words of a build: where the site is and how to look at it."""
    context.console.print(
        f"Pour voir le site : ouvrez {site / 'index.html'} dans un navigateur, ou lancez "
        f"« barometre serve {site} » puis ouvrez http://127.0.0.1:8000/ "
        "(Ctrl-C pour arrêter l'aperçu).",
        soft_wrap=True,
        highlight=False,
    )


def serve_folder(context: AppContext, folder: Path, host: str, port: int) -> None:
    if not (folder / "index.html").exists():
        raise ConfigurationError(
            f"{folder} ne contient pas de site publié : lancez d'abord « barometre publish »."
        )
    server = make_server(folder, host, port)
    address = f"http://{host}:{server.server_address[1]}/"
    context.console.print(f"Aperçu du site sur {address} (Ctrl-C pour arrêter).")
    with contextlib.suppress(KeyboardInterrupt), server:
        server.serve_forever()


def serve(
    ctx: typer.Context,
    folder: Annotated[
        Path | None, typer.Argument(help="Dossier du site (défaut : celui de l'édition).")
    ] = None,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    host: Annotated[str, typer.Option("--host", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0 : libre).")] = 8000,
) -> None:
    """Prévisualiser le site publié sur la boucle locale."""
    context: AppContext = ctx.obj
    target = folder or context.settings.data_dir / "site" / (edition or f"{date.today():%Y-%m}")
    serve_folder(context, target, host, port)
