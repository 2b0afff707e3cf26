"""``barometre registry …``: import, list, show, stats, export."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from barometre import files
from barometre.cli.context import (
    AppContext,
    AuthorityCode,
    AuthorityKindOption,
    ensure_registry,
    find_authorities,
    import_embedded,
)
from barometre.cli.render import print_authority, print_report, print_stats
from barometre.errors import BarometreError, FileAccessError
from barometre.models import Authority, AuthorityKind
from barometre.registry import BuildReport, build_from_raw, collectivites, write_bundle
from barometre.registry.sources import user_csv
from barometre.storage import registry_repo
from barometre.tabular import write_csv
from barometre.vocab import fr

app = typer.Typer(
    help="Registre des collectivités : import, consultation, statistiques, export.",
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _ctx(ctx: typer.Context) -> AppContext:
    obj: AppContext = ctx.obj
    return obj


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
    context = _ctx(ctx)
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
        print_stats(console, registry_repo.load_authorities(context.engine))
        return
    with context.err.status(f"Lecture et jointure des sources de {raw}…"):
        registry = build_from_raw(raw)
    print_report(console, registry.report)
    _refuse_if_strict(strict, registry.report)
    if write_bundle_dir:
        write_bundle(registry, write_bundle_dir)
        console.print(f"Registre compact écrit dans {write_bundle_dir}.")
    with context.err.status(f"Écriture de {fr.integer(len(registry.authorities))} collectivités…"):
        import_id = registry_repo.replace_registry(
            context.engine, registry.authorities, str(raw), registry.report.as_dict()
        )
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
    existing = {a.id: a for a in registry_repo.load_authorities(context.engine)}
    # The départements where a collectivité may lie: INSEE's codes (2A, 67… even though
    # their councils are gone) and the codes of the départements' group.
    departements = {a.departement for a in existing.values() if a.departement}
    departements |= {
        code
        for a in existing.values()
        if a.kind is AuthorityKind.DEPARTEMENT
        for code in (a.code, *a.territory)
    }
    report = BuildReport()
    rows = user_csv.parse(path, report, existing, departements)
    print_report(context.console, report)
    _refuse_if_strict(strict, report)
    import_id = registry_repo.merge_user_rows(context.engine, rows, str(path), report.as_dict())
    context.console.print(
        f"Import n° {import_id} : {fr.count(len(rows), 'ligne appliquée', 'lignes appliquées')} "
        f"depuis {path}."
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: Annotated[
        list[AuthorityKind] | None,
        typer.Option(
            "--type", "-t", help="Type de collectivité (répétable).", case_sensitive=False
        ),
    ] = None,
    departement: Annotated[
        str | None,
        typer.Option("--departement", "-d", help="Code du département (ex. 40, 2A, 974)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="Nombre maximal de lignes affichées (0 : tout).")] = 50,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Format de sortie.")] = Format.table,
) -> None:
    """Lister les collectivités, filtrées par type et département."""
    context = _ctx(ctx)
    ensure_registry(context)
    items = registry_repo.load_authorities(context.engine, kinds=kind, departement=departement)
    shown = items if limit == 0 else items[:limit]
    if fmt is Format.table:
        from rich.table import Table

        table = Table(title=fr.count(len(items), "collectivité"), title_justify="left")
        for col in ("Identifiant", "Nom", "Dép.", "Population", "Site officiel"):
            table.add_column(col, justify="right" if col == "Population" else "left")
        for a in shown:
            site = a.website
            table.add_row(
                a.id,
                a.name,
                a.departement or "",
                fr.integer(a.population),
                site.url if site else "—",
            )
        context.console.print(table)
        if len(shown) < len(items):
            context.console.print(
                f"[dim]{fr.count(len(items) - len(shown), 'autre')} : --limit 0 pour tout voir.[/dim]"
            )
    else:
        _export(shown, fmt, sys.stdout)


@app.command()
def show(
    ctx: typer.Context,
    code: AuthorityCode,
    kind: AuthorityKindOption = None,
) -> None:
    """Afficher la fiche d'une collectivité : site, population, rattachements, contacts."""
    context = _ctx(ctx)
    ensure_registry(context)
    matches = find_authorities(context, [code], kind)
    successors = collectivites.successors()
    wanted = {f"region:{m.region}" for m in matches if m.region}
    wanted |= {f"departement:{m.departement}" for m in matches if m.departement}
    wanted |= {f"epci:{m.epci}" for m in matches if m.epci}
    # An identifier of INSEE's map whose collectivité is gone is named by its successor
    # (région 94 → Collectivité de Corse, EPCI 200046977 → Métropole de Lyon).
    found = registry_repo.load_authorities(
        context.engine, ids=wanted | {successors[w] for w in wanted if w in successors}
    )
    by_id = {a.id: a.name for a in found}
    names = {w: by_id.get(w) or by_id.get(successors.get(w, ""), "") for w in wanted}
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
    context = _ctx(ctx)
    ensure_registry(context)
    print_stats(context.console, registry_repo.load_authorities(context.engine))
    imports = registry_repo.recent_imports(context.engine)
    # The join rates of the last full build (a user CSV import has only its own rows).
    full = next((i for i in imports if len(i["report"].get("joins", [])) > 1), None)
    if full:
        print_report(context.console, BuildReport.from_dict(full["report"]))
    if imports:
        last = imports[0]
        context.console.print(
            f"[dim]Dernier import : n° {last['id']}, {last['origin']}, "
            f"{fr.moment(last['imported_at'])}.[/dim]"
        )


CSV_COLUMNS = (
    "id",
    "type",
    "statut",
    "code",
    "siren",
    "nom",
    "population",
    "region",
    "departement",
    "epci",
    "type_epci",
    "territoire",
    "site",
    "site_source",
    "email",
    "email_source",
    "telephone",
)


def _csv_row(a: Authority) -> tuple[Any, ...]:
    site = a.website
    mail = next((c for c in a.contacts if c.kind == "email"), None)
    return (
        a.id,
        a.kind.value,
        a.legal.value,
        a.code,
        a.siren,
        a.name,
        a.population,
        a.region,
        a.departement,
        a.epci,
        a.epci_type,
        " ".join(a.territory) or None,
        site.url if site else None,
        site.source if site else None,
        mail.value if mail else None,
        mail.source if mail else None,
        a.phone,
    )


def _export(items: list[Authority], fmt: Format, handle: IO[str]) -> None:
    if fmt is Format.json:
        payload = []
        for a in items:
            record = asdict(a)
            record["kind"] = a.kind.value
            record["legal_type"] = a.legal.value
            record["id"] = a.id
            payload.append(record)
        json.dump(payload, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    else:
        write_csv(handle, CSV_COLUMNS, (_csv_row(a) for a in items))


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="csv ou json.")] = Format.csv,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Fichier (sortie standard sinon).", dir_okay=False),
    ] = None,
    kind: Annotated[
        list[AuthorityKind] | None,
        typer.Option(
            "--type", "-t", help="Type de collectivité (répétable).", case_sensitive=False
        ),
    ] = None,
) -> None:
    """Exporter le registre (CSV UTF-8 aux cellules neutralisées, ou JSON avec les sources)."""
    context = _ctx(ctx)
    if fmt is Format.table:
        raise typer.BadParameter("export : format csv ou json.")
    ensure_registry(context)
    items = registry_repo.load_authorities(context.engine, kinds=kind)
    if out is None:
        _export(items, fmt, sys.stdout)
        return
    files.sweep(out.parent, only=out.name, recursive=False)  # a killed export's leftover
    tmp = files.partial_path(out)
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            _export(items, fmt, handle)
        tmp.replace(out)  # never leave a half-written export behind
    except OSError as exc:
        files.discard(tmp)
        raise FileAccessError(exc, out) from exc
    except BaseException:
        files.discard(tmp)
        raise
    context.console.print(
        f"{fr.count(len(items), 'collectivité exportée', 'collectivités exportées')} dans {out}.",
        highlight=False,
    )
