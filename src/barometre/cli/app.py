"""Entry point of the ``barometre`` command."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from barometre import __version__
from barometre.cli import (
    audit_cmd,
    capture_cmd,
    check_cmd,
    demo,
    export_cmd,
    notify_cmd,
    publish_cmd,
    reco_cmd,
    refdata_cmd,
    registry_cmd,
    score_cmd,
    search_cmd,
    social_cmd,
    stats_cmd,
    worker_cmd,
)
from barometre.cli.context import AppContext, ensure_registry
from barometre.cli.french import french_commands
from barometre.cli.options import Edition
from barometre.display.publish import print_how_to_open
from barometre.display.registry import print_stats
from barometre.errors import BarometreError, FileAccessError
from barometre.pipeline import capture as capture_stage
from barometre.pipeline import registry as registry_stage
from barometre.pipeline import social as social_stage
from barometre.pipeline.capture import Scope
from barometre.pipeline.core import LoadedOnce, check_edition
from barometre.pipeline.export import available_formats
from barometre.pipeline.publish import BuildReport, check_release
from barometre.pipeline.run import run_stages
from barometre.pipeline.social import SocialReport

app = typer.Typer(
    name="barometre",
    help="Baromètre numérique des territoires : mesure de la présence numérique des collectivités.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(registry_cmd.app, name="registry")
app.command("capture")(capture_cmd.capture)
app.add_typer(audit_cmd.app, name="audit")
app.command("explain")(audit_cmd.explain)
app.add_typer(social_cmd.app, name="social")
app.command("score")(score_cmd.score)
app.add_typer(score_cmd.edition_app, name="edition")
app.command("publish")(publish_cmd.publish)
app.command("serve")(publish_cmd.serve)
app.command("recommend")(reco_cmd.recommend_command)
app.command("providers")(reco_cmd.providers_command)
app.add_typer(reco_cmd.explanation_app, name="explanation")
app.command("stats")(stats_cmd.stats)
app.command("search")(search_cmd.search)
app.command("check")(check_cmd.check)
app.command("notify")(notify_cmd.notify)
app.command("export")(export_cmd.export)
app.add_typer(refdata_cmd.app, name="refdata")
app.command("worker")(worker_cmd.worker)
app.command("status")(worker_cmd.status)
err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"barometre {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Dossier des données (base, archives, site).",
            envvar=None,
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="URL SQLAlchemy (PostgreSQL : postgresql+psycopg://…).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Affiche la version."),
    ] = False,
) -> None:
    ctx.obj = AppContext(data_dir=data_dir, database_url=database_url)


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    render: Annotated[
        bool | None,
        typer.Option(
            "--render/--no-render", help="Rendre les accueils (défaut : si Chromium est là)."
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Servir le site produit à la fin.")
    ] = True,
    port: Annotated[int, typer.Option("--port", help="Port de l'aperçu (0 : libre).")] = 8000,
) -> None:
    """Démonstration hors ligne sur le web d'exemple (collectivités fictives) : registre,
    capture, audit, comptes sociaux, scores, exports, site publié, puis aperçu local."""
    demo.run_demo(ctx.obj, render=render, serve=serve, port=port)


@app.command()
def run(
    ctx: typer.Context,
    edition: Edition = "",
    scope: Annotated[Scope, typer.Option(help="Périmètre de la capture.")] = Scope.councils,
    capture: Annotated[
        bool, typer.Option("--capture/--no-capture", help="Capturer les sites officiels.")
    ] = True,
    render: Annotated[bool, typer.Option("--render", help="Rendre les accueils.")] = False,
    release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="Publication publique : refusée d'emblée tant que l'éditeur n'est pas "
            "renseigné (réglages publish_*).",
        ),
    ] = False,
    workers: Annotated[
        bool,
        typer.Option(
            "--workers",
            help="Confier l'édition aux workers (barometre worker, base PostgreSQL) et "
            "suivre son avancement.",
        ),
    ] = False,
) -> None:
    """Chaîne complète : registre, capture des sites (régions et départements par défaut),
    audit, comptes sociaux, scores, exports et site publié de l'édition.

    Reprend là où une exécution précédente s'est arrêtée. Sans réseau, l'audit porte sur
    les critères du registre, pour toutes les collectivités, et les scores le disent par
    leur couverture.
    """
    context: AppContext = ctx.obj
    check_release(context.settings, release)  # refused at once, before any stage
    edition = check_edition(edition)
    setup = context.setup

    def registry(done: Mapping[str, Any]) -> None:
        ensure_registry(context)
        print_stats(context.console, registry_stage.load_authorities(setup))

    if workers:
        registry({})
        worker_cmd.run_on_workers(
            context, edition, [k.value for k in capture_stage.SCOPES[scope]], render=render
        )
        return

    def capture_sites(done: Mapping[str, Any]) -> bool:
        if not capture:
            return False
        if capture_stage.reachable(setup, scope):
            capture_cmd.run_capture(context, edition, scope=scope, resume=True, render=render)
            return True
        context.err.print(
            "[yellow]Pas d'accès au réseau (aucun site officiel ne se résout) : capture "
            "reportée ; l'audit porte sur les critères du registre. Relancez la commande "
            "une fois connecté.[/yellow]"
        )
        return False

    def social(done: Mapping[str, Any]) -> SocialReport | None:
        if done["capture"]:
            return social_cmd.run_social(context, edition, criteria=False)
        if social_stage.has_social(setup, edition):
            context.err.print("[dim]Sans réseau : les comptes sociaux déjà lus sont gardés.[/dim]")
        return None

    def criteria(done: Mapping[str, Any]) -> object:
        report: SocialReport | None = done["social"]
        if report is None:
            return None
        return social_cmd.social_criteria(
            context, setup.engine, edition, report, as_of=datetime.now(UTC)
        )

    loaded = LoadedOnce(setup.engine, edition)
    done = run_stages(
        {
            "registry": registry,
            "capture": capture_sites,
            "audit": lambda done: audit_cmd.run_audit(
                context, edition, registry_only=not done["capture"]
            ),
            "social": social,
            "social_criteria": criteria,
            "score": lambda done: score_cmd.run_score(context, edition, loaded=loaded()),
            "export": lambda done: export_cmd.run_export(
                context, edition, available_formats(), loaded=loaded()
            ),
            "publish": lambda done: publish_cmd.run_publish(
                context, edition, release=release, loaded=loaded()
            ),
        }
    )
    report: BuildReport = done["publish"]
    print_how_to_open(context.console, report.out)


french_commands(app)  # Typer's own words (usage, help option, option errors) in French


def user_error(exc: BaseException) -> BarometreError | None:
    """The French error a user sees for ``exc``, or ``None`` for a bug (traceback kept).

    The one mapping of the command: stages raise :class:`BarometreError` for bad input
    (files name their line), the storage layer turns the database's troubles into
    :class:`~barometre.errors.StorageError` naming the database, and a file or folder
    that cannot be read or written is named here with the reason in French."""
    if isinstance(exc, BarometreError):
        return exc
    if isinstance(exc, OSError):
        return FileAccessError(exc)
    return None


def main(args: Sequence[str] | None = None) -> None:
    """``barometre ARGS`` (the command line when ``args`` is ``None``)."""
    try:
        app(args=None if args is None else list(args), prog_name="barometre")
    except (BarometreError, OSError) as exc:
        error = user_error(exc)
        assert error is not None
        err_console.print(f"[bold red]Erreur :[/bold red] {error}", highlight=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print(
            "[yellow]Interrompu. Rien n'a été écrit à moitié : relancez la commande.[/yellow]"
        )
        sys.exit(130)
