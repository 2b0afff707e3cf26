"""``barometre audit`` and ``barometre explain``: run the criteria grid, show the evidence.

The audit reads only what the capture archived (WARC files, replayed offline) and the
registry; it can be re-run at will on the same captures and gives the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Engine

from barometre.capture.archive import load_site_archive
from barometre.checks.base import registered_checks
from barometre.checks.engine import NO_SITE, Audit, audit
from barometre.checks.subject import Subject
from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import (
    AppContext,
    AuthorityCode,
    AuthorityCodes,
    AuthorityKindOption,
    ensure_registry,
    find_authorities,
)
from barometre.cli.render import describe_evidence, stage_progress
from barometre.errors import (
    ArchiveDamagedError,
    BarometreError,
    ConfigurationError,
)
from barometre.methodology import Methodology, bundled, load
from barometre.models import Authority, AuthorityKind, CheckResult, SiteArchive, Status
from barometre.storage import audit_repo, capture_repo, registry_repo, social_repo
from barometre.vocab import fr
from barometre.vocab.authorities import kind_plural
from barometre.vocab.status import label_of

app = typer.Typer(help="Évaluer la grille de critères sur une édition capturée.")

# The statuses in colour for the terminal (the words are vocab.status's).
STATUS_STYLES = {
    Status.PASS: "green",
    Status.PARTIAL: "yellow",
    Status.FAIL: "red",
    Status.NOT_APPLICABLE: "dim",
    Status.NOT_MEASURABLE: "magenta",
}


def styled_status(status: Status) -> str:
    return f"[{STATUS_STYLES[status]}]{label_of(status)}[/{STATUS_STYLES[status]}]"


@dataclass
class AuditReport:
    registry_level: int = 0
    sites: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)  # measured as not measurable


def load_methodology(choice: str | None) -> Methodology:
    if not choice:
        return bundled()
    path = Path(choice)
    return load(path) if path.suffix == ".toml" or path.exists() else bundled(choice)


def audit_edition(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    *,
    selection: Sequence[Authority] | None = None,
    registry_level: bool = True,
    sites: bool = True,
    as_of: date | None = None,
    on_site: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> AuditReport:
    """Registry-level criteria for the selection (all collectivités by default), then the
    whole grid for every selected collectivité whose site the edition captured."""
    report = AuditReport()
    checks = registered_checks()
    everyone = list(selection) if selection is not None else registry_repo.load_authorities(engine)

    # A commune's intercommunal body, by SIREN: its EPCI, or the Métropole de Lyon (a
    # collectivité of the départements' group that holds an EPCI's powers).
    def bodies(items: Iterable[Authority], wanted: set[str]) -> dict[str, Authority]:
        out = {}
        for a in items:
            key = a.code if a.kind is AuthorityKind.EPCI else a.siren
            if key in wanted and a.kind is not AuthorityKind.COMMUNE:
                out[key] = a
        return out

    wanted = {a.epci for a in everyone if a.epci}
    epcis = bodies(everyone, wanted)
    missing = wanted - epcis.keys()
    if missing:
        candidates = registry_repo.load_authorities(engine, codes=missing)
        candidates += registry_repo.load_authorities(engine, kinds=[AuthorityKind.DEPARTEMENT])
        epcis.update(bodies(candidates, missing))
    capture_repo.set_methodology(engine, edition, methodology.version)
    if registry_level:
        results: list[CheckResult] = []
        for authority in everyone:
            subject = Subject(
                authority, None, as_of or date.today(), epcis.get(authority.epci or "")
            )
            # Without a site, every criterion is decided now (not applicable, or a
            # failure for the site itself); with one, only the registry's criteria.
            # A site-less collectivité keeps only its decided results (no site, no
            # declared site, e-mail…): every other criterion is not applicable to it,
            # and its absence from storage means exactly that (``explain`` says so).
            no_site = authority.website is None
            outcome = audit(subject, methodology, checks=checks, registry_only=not no_site)
            skipped = (Status.NOT_APPLICABLE, Status.NOT_MEASURABLE) if no_site else ()
            results.extend(r for r in outcome.results if r.status not in skipped)
        audit_repo.store_many(engine, edition, results)
        report.registry_level = len(everyone)
    if not sites:
        return report
    paths = capture_repo.archive_paths(engine, edition)
    todo = [a for a in everyone if a.id in paths]
    social_available = social_repo.has_social(engine, edition)
    if on_start is not None:
        on_start(len(todo))
    for authority in todo:
        try:
            rows = [
                row
                for _, site_rows in capture_repo.iter_site_indexes(engine, edition, [authority.id])
                for row in site_rows
            ]
            damage: str | None = None
            try:
                archive: SiteArchive | None = load_site_archive(
                    Path(paths[authority.id]), index=rows
                )
            except ArchiveDamagedError as exc:
                # Not measurable, and it replaces what an earlier audit drew from the
                # archive when it was still readable; the other sites go on.
                archive, damage = None, str(exc)
            subject = Subject(
                authority,
                archive,
                as_of or (archive.captured_at.date() if archive else date.today()),
                epcis.get(authority.epci or ""),
                archive_problem=damage,
            )
            if social_available:
                subject.social = social_repo.load_accounts(engine, edition, [authority.id]).get(
                    authority.id, []
                )
            result: Audit = audit(
                subject, methodology, checks=checks, social_available=social_available
            )
            audit_repo.store_audit(engine, edition, authority.id, result.results, result.findings)
            if damage is None:
                report.sites += 1
            else:
                report.damaged.append((authority.id, damage))
        except BarometreError as exc:
            report.failed.append((authority.id, str(exc)))
        if on_site is not None:
            on_site(authority.id)
    return report


def social_criteria(methodology: Methodology) -> set[str]:
    checks = registered_checks()
    return {
        c.id
        for c in methodology.criteria
        if c.social or (c.id in checks and checks[c.id].needs == "social")
    }


def audit_social(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    authority_ids: Sequence[str],
    *,
    as_of: date | None = None,
) -> int:
    """Evaluate the social criteria (D5–D7, K1) of the given collectivités from the
    records of the social stage and the stored discovery; the other results stay."""
    wanted = social_criteria(methodology)
    checks = registered_checks()
    found = audit_repo.findings_by_authority(engine, edition)
    done = 0
    ids = list(dict.fromkeys(authority_ids))
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        accounts = social_repo.load_accounts(engine, edition, chunk)
        for authority in registry_repo.load_authorities(engine, ids=chunk):
            # The social criteria read no page: the site's host comes from the registry.
            subject = Subject(authority, None, as_of or date.today())
            subject.social = accounts.get(authority.id, [])
            outcome = audit(
                subject,
                methodology,
                checks=checks,
                only=wanted,
                social_available=True,
                discovered=found.get(authority.id, []),
            )
            audit_repo.store_audit(
                engine, edition, authority.id, outcome.results, [], replace_findings=False
            )
            done += 1
    return done


@app.callback(invoke_without_command=True)
def audit_command(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    only: AuthorityCodes = None,
    registry_only: Annotated[
        bool,
        typer.Option(
            "--registre",
            help="Seulement les critères du registre (toutes les collectivités, sans capture).",
        ),
    ] = False,
    as_of: Annotated[
        str,
        typer.Option(
            "--date", help="Date de référence AAAA-MM-JJ (fraîcheur) ; défaut : date de capture."
        ),
    ] = "",
    methodology: Annotated[
        str,
        typer.Option(
            "--methodologie", help="Version embarquée (2026.1) ou chemin d'un fichier TOML."
        ),
    ] = "",
) -> None:
    """Évaluer les critères (registre pour toutes les collectivités, puis sites capturés)."""
    if ctx.invoked_subcommand is not None:
        return
    context: AppContext = ctx.obj
    run_audit(
        context,
        edition,
        only=only,
        registry_only=registry_only,
        as_of=as_of,
        methodology=methodology,
    )


def run_audit(
    context: AppContext,
    edition: str,
    *,
    only: list[str] | None = None,
    registry_only: bool = False,
    as_of: str = "",
    methodology: str = "",
) -> AuditReport:
    grid = load_methodology(methodology)
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    reference = None
    if as_of:
        try:
            reference = date.fromisoformat(as_of)
        except ValueError as exc:
            raise ConfigurationError(f"Date « {as_of} » invalide : AAAA-MM-JJ attendu.") from exc
    ensure_registry(context)
    engine = context.engine
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
    selection = find_authorities(context, only) if only else None
    with stage_progress("Audit", context.err) as progress:
        task = progress.add_task("critères du registre", total=None)
        report = audit_edition(
            engine,
            edition,
            grid,
            selection=selection,
            sites=not registry_only,
            as_of=reference,
            on_start=lambda n: progress.update(task, total=n, completed=0, description="sites"),
            on_site=lambda aid: progress.update(task, advance=1, description=aid),
        )
    context.console.print(
        f"Édition {edition}, méthodologie {grid.version} : critères du registre pour "
        f"{fr.count(report.registry_level, 'collectivité')}, grille complète pour "
        f"{fr.count(report.sites, 'site capturé', 'sites capturés')}."
    )
    for aid, message in report.failed:
        context.err.print(f"[red]{aid}[/red] : {message}")
    if report.damaged:
        context.err.print(
            f"[yellow]{fr.count(len(report.damaged), 'site')} dont l'archive est endommagée : critères du site "
            f"« non mesurables », les résultats précédents sont remplacés. Pour les capturer "
            f"à nouveau : barometre edition check {edition} --reparer, puis "
            f"barometre capture --edition {edition} --resume.[/yellow]",
            highlight=False,
        )
        for aid, message in report.damaged:
            context.err.print(f"  {aid} : {message}", markup=False, highlight=False)
    return report


@app.command("national")
def national(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
) -> None:
    """Parts nationales par type de collectivité, critère par critère."""
    context: AppContext = ctx.obj
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    grid = bundled()
    counts = audit_repo.status_counts(context.engine, edition)
    if not counts:
        raise ConfigurationError(
            f"Aucun résultat pour l'édition {edition} : lancez d'abord « barometre audit »."
        )
    kinds = [k for k in AuthorityKind if any(c[0] == k.value for c in counts)]
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for kind_id, check_id, status, n in counts:
        totals.setdefault((check_id, kind_id), {})[status] = n
    for kind in kinds:
        table = Table(title=f"{kind_plural(kind).capitalize()} — édition {edition}")
        table.add_column("Critère", overflow="fold", max_width=40)
        for label in (
            *(label_of(s) for s in (Status.PASS, Status.PARTIAL, Status.FAIL)),
            "mesurées",
            "non mes.",
        ):
            table.add_column(label, justify="right", no_wrap=True)
        for criterion in grid.criteria:
            cell = totals.get((criterion.id, kind.value), {})
            measured = sum(v for st, v in cell.items() if st in ("pass", "partial", "fail"))
            if not measured:
                continue
            table.add_row(
                f"{criterion.code} {criterion.name}",
                fr.ratio(cell.get("pass", 0), measured),
                fr.ratio(cell.get("partial", 0), measured),
                fr.ratio(cell.get("fail", 0), measured),
                fr.integer(measured),
                fr.integer(cell.get("not_measurable", 0)),
            )
        context.console.print(table)
    if not capture_repo.archive_paths(context.engine, edition):
        context.console.print(
            "[yellow]Aucun site capturé dans cette édition : seuls les critères du registre "
            "sont mesurés, et P1 ne compte que les collectivités sans site déclaré.[/yellow]"
        )
    context.console.print(
        "Parts calculées sur les collectivités mesurées (ni non applicable, ni non "
        "mesurable) ; « non mes. » : collectivités dont le critère n'a pas pu être mesuré."
    )


def explain(
    ctx: typer.Context,
    code: AuthorityCode,
    check_id: Annotated[
        str, typer.Argument(help="Critère : identifiant (presence.site_joignable) ou code (P1).")
    ],
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    kind: AuthorityKindOption = None,
) -> None:
    """Afficher le résultat d'un critère pour une collectivité, avec ses preuves et
    l'explication ou la contestation de la collectivité s'il y en a une."""
    from barometre.cli.reco_cmd import print_explanations  # lives with the explanation commands

    context: AppContext = ctx.obj
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    criterion = bundled().criterion(check_id)
    engine = context.engine
    for authority in find_authorities(context, [code], kind):
        rows = audit_repo.load_results(
            engine, edition, authority_id=authority.id, check_id=criterion.id
        )
        context.console.print(
            f"[bold]{authority.name}[/bold] ({authority.id}) — {criterion.code} {criterion.name}"
        )
        context.console.print(f"  Nature : {criterion.nature} ; base : {criterion.basis}")
        if not rows:
            if authority.website is None:
                context.console.print(
                    f"  Statut : {styled_status(Status.NOT_APPLICABLE)} — {NO_SITE}"
                )
            else:
                context.console.print(f"  Pas de résultat dans l'édition {edition}.")
            print_explanations(context.console, engine, authority.id, criterion.id, edition)
            continue
        result, measured_at = rows[0]
        value = fr.number(result.value, 2)
        context.console.print(
            f"  Statut : {styled_status(result.status)} ; valeur : {value} ; confiance : "
            f"{label_of(result.confidence)} ; "
            f"contrôle v{result.check_version}, mesuré le {fr.numeric_day(measured_at)}"
        )
        if result.reason:
            context.console.print(f"  Motif : {result.reason}", markup=False)
        for item in result.evidence:
            context.console.print(
                "  Preuve — " + describe_evidence(item), markup=False, highlight=False
            )
        print_explanations(context.console, engine, authority.id, criterion.id, edition)
