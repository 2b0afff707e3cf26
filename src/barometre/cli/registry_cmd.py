"""``barometre registry …``: import, list, show, stats, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.context import AppContext, ensure_registry, find_authorities, import_embedded
from barometre.cli.options import AuthorityCode, AuthorityKindOption, AuthorityKinds, Format
from barometre.display.registry import print_authority, print_list, print_report, print_stats
from barometre.errors import BarometreError
from barometre.pipeline import registry as registry_stage
from barometre.pipeline.registry import BuildReport, write_authorities
from barometre.vocab import fr

app = typer.Typer(
    help="Registre des collectivités : import, consultation, statistiques, export.",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    ctx: typer.Context,
    raw: Annotated[
        Path | None,
        typer.Option(
            "--raw",
            help="Reconstruire depuis les fichiers bruts (dossier shared/data/raw).",
            file_okay=False,
        ),
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Fichier CSV utilisateur (corrections et ajouts).", dir_okay=False
        ),
    ] = None,
    write_bundle_dir: Annotated[
        Path | None,
        typer.Option(
            "--write-bundle",
            help="Avec --raw : écrire aussi le registre compact dans ce dossier.",
            file_okay=False,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuser l'import (rien n'est écrit) si une anomalie est signalée."
        ),
    ] = False,
) -> None:
    """Importer le registre (embarqué par défaut) dans la base, en une seule transaction."""
    context: AppContext = ctx.obj
    console = context.console
    if raw and csv_file:
        raise typer.BadParameter("--raw et --csv s'excluent : importez l'un puis l'autre.")
    if write_bundle_dir and not raw:
        raise typer.BadParameter("--write-bundle demande --raw.")
    if csv_file is not None:
        _import_csv(context, csv_file, strict)
        return
    if raw is None:
        import_id = import_embedded(context)
        console.print(f"Registre embarqué importé (import n° {import_id}).")
        print_stats(console, registry_stage.load_authorities(context.setup))
        return
    with context.err.status(f"Lecture et jointure des sources de {raw}…"):
        registry = registry_stage.build_from_raw(raw)
    print_report(console, registry.report)
    _refuse_if_strict(strict, registry.report)
    if write_bundle_dir:
        registry_stage.write_bundle(registry, write_bundle_dir)
        console.print(f"Registre compact écrit dans {write_bundle_dir}.")
    with context.err.status(f"Écriture de {fr.integer(len(registry.authorities))} collectivités…"):
        import_id = registry_stage.store_registry(context.setup, registry, str(raw))
    console.print(f"Import n° {import_id} terminé.")
    print_stats(console, registry.authorities)


def _refuse_if_strict(strict: bool, report: BuildReport) -> None:
    if strict and report.anomalies:
        raise BarometreError(
            f"{fr.count(len(report.anomalies), 'anomalie signalée', 'anomalies signalées')} et "
            "--strict demandé : rien n'a été écrit."
        )


def _import_csv(context: AppContext, path: Path, strict: bool) -> None:
    ensure_registry(context)
    rows, report = registry_stage.read_user_csv(context.setup, path)
    print_report(context.console, report)
    _refuse_if_strict(strict, report)
    import_id = registry_stage.merge_user_rows(context.setup, rows, path, report)
    context.console.print(
        f"Import n° {import_id} : {fr.count(len(rows), 'ligne appliquée', 'lignes appliquées')} "
        f"depuis {path}."
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: AuthorityKinds = None,
    departement: Annotated[
        str | None,
        typer.Option("--departement", "-d", help="Code du département (ex. 40, 2A, 974)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="Nombre maximal de lignes affichées (0 : tout).")] = 50,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Format de sortie.")] = Format.table,
) -> None:
    """Lister les collectivités, filtrées par type et département."""
    context: AppContext = ctx.obj
    ensure_registry(context)
    items = registry_stage.load_authorities(context.setup, kind, departement=departement)
    if fmt is Format.table:
        print_list(context.console, items, limit)
    else:
        write_authorities(items if limit == 0 else items[:limit], fmt.value, sys.stdout)


@app.command()
def show(
    ctx: typer.Context,
    code: AuthorityCode,
    kind: AuthorityKindOption = None,
) -> None:
    """Afficher la fiche d'une collectivité : site, population, rattachements, contacts."""
    context: AppContext = ctx.obj
    ensure_registry(context)
    matches = find_authorities(context, [code], kind)
    names = registry_stage.hierarchy_names(context.setup, matches)
    if len(matches) > 1:
        context.console.print(
            f"[yellow]Le code « {code} » désigne {len(matches)} collectivités "
            f"(précisez --type pour n'en voir qu'une).[/yellow]"
        )
    for a in matches:
        context.console.rule(a.name)
        print_authority(context.console, a, names)


@app.command()
def stats(ctx: typer.Context) -> None:
    """Chiffres du registre : effectifs par type, part avec site, avec e-mail, messagerie grand public."""
    context: AppContext = ctx.obj
    ensure_registry(context)
    print_stats(context.console, registry_stage.load_authorities(context.setup))
    imports = registry_stage.recent_imports(context.setup)
    build = registry_stage.last_build(imports)
    if build:
        print_report(context.console, build)
    if imports:
        last = imports[0]
        context.console.print(
            f"[dim]Dernier import : n° {last['id']}, {last['origin']}, "
            f"{fr.moment(last['imported_at'])}.[/dim]"
        )


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="csv ou json.")] = Format.csv,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Fichier (sortie standard sinon).", dir_okay=False),
    ] = None,
    kind: AuthorityKinds = None,
) -> None:
    """Exporter le registre (CSV UTF-8 aux cellules neutralisées, ou JSON avec les sources)."""
    context: AppContext = ctx.obj
    if fmt is Format.table:
        raise typer.BadParameter("export : format csv ou json.")
    ensure_registry(context)
    items = registry_stage.load_authorities(context.setup, kind)
    if out is None:
        write_authorities(items, fmt.value, sys.stdout)
        return
    registry_stage.export_authorities(items, fmt.value, out)
    context.console.print(
        f"{fr.count(len(items), 'collectivité exportée', 'collectivités exportées')} dans {out}.",
        highlight=False,
    )
