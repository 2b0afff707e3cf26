"""``barometre recommend``, ``barometre providers`` and ``barometre explanation``.

Recommendations rank a collectivité's failed and partial criteria; the provider view
shows which CMS and web providers concentrate failures; explanations and disputes of
collectivités are imported from CSV or TOML files and shown beside the results, which
they never change.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.context import AppContext, ensure_registry, find_authorities
from barometre.cli.options import AuthorityCode, AuthorityKindOption, Edition, Methodology
from barometre.display.reco import (
    print_explanations_table,
    print_import,
    print_plan,
    print_providers,
    print_score,
)
from barometre.pipeline import reco
from barometre.pipeline.core import check_edition
from barometre.pipeline.reco import DEFAULT_MIN_SITES, edition_reference

explanation_app = typer.Typer(
    help="Explications et contestations des collectivités, affichées à côté des résultats.",
    no_args_is_help=True,
)


class ProviderKind(StrEnum):
    tous = "tous"
    cms = "cms"
    prestataire = "prestataire"


CATEGORIES = {
    ProviderKind.tous: ("cms", "provider"),
    ProviderKind.cms: ("cms",),
    ProviderKind.prestataire: ("provider",),
}


def recommend_command(
    ctx: typer.Context,
    code: AuthorityCode,
    edition: Edition = "",
    kind: AuthorityKindOption = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Recommandations affichées (0 : toutes).")
    ] = 0,
) -> None:
    """Les critères à améliorer d'une collectivité, par priorité, avec preuves et conseils."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    view = reco.edition_view(context.setup, edition)
    for authority in find_authorities(context, [code], kind):
        found = reco.authority_plan(context.setup, view, authority)
        print_plan(context.console, authority, found.plan, edition, view.on, limit)
        print_score(context.console, found.score)


def providers_command(
    ctx: typer.Context,
    edition: Edition = "",
    min_sites: Annotated[
        int, typer.Option("--min-sites", min=1, help="Sites au moins par CMS ou prestataire.")
    ] = DEFAULT_MIN_SITES,
    criteria: Annotated[
        int, typer.Option("--criteres", min=0, help="Critères listés par prestataire (0 : tous).")
    ] = 5,
    what: Annotated[ProviderKind, typer.Option("--type", help="CMS, prestataires ou tous.")] = (
        ProviderKind.tous
    ),
) -> None:
    """Les CMS et prestataires dont les sites concentrent des échecs, contre le national."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    with context.err.status(f"Échecs par CMS et prestataire, édition {edition}…"):
        found = reco.providers(context.setup, edition, CATEGORIES[what], min_sites)
    print_providers(context.console, edition, found, min_sites, criteria)


@explanation_app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Fichier CSV ou TOML d'explications.")],
    methodology: Methodology = "",
) -> None:
    """Importer des explications et contestations (CSV ou TOML) ; réimporter ne change rien."""
    context: AppContext = ctx.obj
    items = reco.read_explanations(path, methodology)
    ensure_registry(context)
    report = reco.store_explanations(context.setup, path, items)
    print_import(context.console, path.name, report.added, report.updated, report.unchanged)


@explanation_app.command("list")
def list_command(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Argument(help="Code ou identifiant de collectivité (toutes sinon).")
    ] = None,
    kind: AuthorityKindOption = None,
    edition: Annotated[
        str,
        typer.Option(
            "--edition", "-e", help="État jugé à la date de cette édition (sinon : ce jour)."
        ),
    ] = "",
) -> None:
    """Les explications et contestations enregistrées, avec leur état (en vigueur, expirée…)."""
    context: AppContext = ctx.obj
    engine = context.engine
    on = edition_reference(engine, check_edition(edition)) if edition else date.today()
    ids = [a.id for a in find_authorities(context, [code], kind)] if code else None
    items, names = reco.explanations(context.setup, ids)
    print_explanations_table(context.console, items, names, on)
