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
from barometre.cli.options import Edition
from barometre.display.progress import stage_bar
from barometre.display.publish import print_publish
from barometre.errors import ConfigurationError
from barometre.pipeline.core import EditionRun, Setup, open_edition
from barometre.pipeline.publish import BuildReport, default_site, serve_site
from barometre.pipeline.publish import publish as publish_stage


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
    with stage_bar("Publication", context.err, description="bulletins") as bar:
        done = publish_stage(
            setup,
            run,
            out,
            only=only,
            extra=extra,
            pdf=pdf,
            release=release,
            on_start=bar.total,
            on_card=bar.advance,
        )
    print_publish(context.console, context.err, run.id, done)
    return done.build


def publish(
    ctx: typer.Context,
    edition: Edition = "",
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
    edition: Edition = "",
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
    target = folder or default_site(context.settings, edition or f"{date.today():%Y-%m}")
    serve_folder(context, target, host, port)
