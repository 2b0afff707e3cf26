"""``barometre publish`` and ``barometre serve``: the static site of an edition.

The site's inputs are gathered by the pipeline (``barometre.pipeline.publish``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from barometre.cli.context import AppContext
from barometre.cli.render import stage_progress
from barometre.errors import ConfigurationError
from barometre.pipeline.core import EditionRun, Setup, open_edition
from barometre.pipeline.publish import BuildReport, serve_site
from barometre.pipeline.publish import check_release as check_release_settings
from barometre.pipeline.publish import publish as publish_stage
from barometre.vocab import fr


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
    loaded: EditionRun | None = None,
) -> BuildReport:
    setup = context.setup if engine is None else Setup(context.settings, engine)
    run = loaded or open_edition(setup.engine, edition, methodology=methodology)
    edition = run.id
    with stage_progress("Publication", context.err) as progress:
        task = progress.add_task("bulletins", total=None)
        done = publish_stage(
            setup,
            run,
            out,
            only=only,
            extra=extra,
            pdf=pdf,
            release=release,
            on_start=lambda n: progress.update(task, total=n),
            on_card=lambda aid: progress.update(task, advance=1, description=aid),
        )
    report, target, partial = done.build, done.target, done.partial
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
    if done.only is not None:
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


def check_release(context: AppContext, release: bool) -> None:
    """Refuse at once a release build whose publisher is not named (before any stage)."""
    check_release_settings(context.settings, release)


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
    server = serve_site(folder, host, port)
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
    datasette: Annotated[
        bool,
        typer.Option(
            "--datasette",
            help="Servir plutôt la base SQLite exportée de l'édition avec Datasette "
            "(lecture seule ; extra « datasette »).",
        ),
    ] = False,
) -> None:
    """Prévisualiser le site publié sur la boucle locale (ou ses données avec Datasette)."""
    context: AppContext = ctx.obj
    if datasette:
        from barometre.cli.explore_cmd import serve_datasette

        serve_datasette(context, edition, host, port)
        return
    target = folder or context.settings.data_dir / "site" / (edition or f"{date.today():%Y-%m}")
    serve_folder(context, target, host, port)
