"""``barometre capture``: fetch the official sites of an edition into WARC files."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from enum import StrEnum
from typing import Annotated

import dns.asyncresolver
import typer

from barometre.capture.run import FactsConfig, Target, capture_edition
from barometre.cli.context import AppContext, AuthorityCodes, ensure_registry, find_authorities
from barometre.cli.render import stage_progress
from barometre.errors import ConfigurationError
from barometre.models import AuthorityKind
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.storage import capture_repo, registry_repo
from barometre.storage.lease_repo import Lease
from barometre.vocab import fr

EDITION = re.compile(r"^(\d{4}-(0[1-9]|1[0-2])|demo(-[a-z0-9-]+)?)$")


class Scope(StrEnum):
    councils = "conseils"  # régions and départements (default)
    communes = "communes"
    epci = "epci"
    all = "all"


SCOPES = {
    Scope.councils: [AuthorityKind.REGION, AuthorityKind.DEPARTEMENT],
    Scope.communes: [AuthorityKind.COMMUNE],
    Scope.epci: [AuthorityKind.EPCI],
    Scope.all: list(AuthorityKind),
}


def check_edition(edition: str) -> str:
    if not EDITION.match(edition):
        raise ConfigurationError(
            f"Édition « {edition} » invalide : AAAA-MM (ex. {date.today():%Y-%m}) ou demo-…"
        )
    return edition


def capture(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")] = "",
    only: AuthorityCodes = None,
    scope: Annotated[Scope, typer.Option(help="Périmètre si --only est absent.")] = Scope.councils,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Reprendre une édition commencée (les sites finis ne sont pas refaits).",
        ),
    ] = False,
    render: Annotated[
        bool,
        typer.Option("--render", help="Rendre aussi l'accueil dans Chromium (écrans, axe-core)."),
    ] = False,
    facts: Annotated[
        bool,
        typer.Option("--facts/--no-facts", help="Relever les faits DNS (MX, SPF, DMARC) et TLS."),
    ] = True,
    wait: Annotated[
        bool,
        typer.Option(
            "--attendre",
            help="Attendre les sites qu'un autre processus est en train de capturer, "
            "au lieu de les laisser.",
        ),
    ] = False,
) -> None:
    """Capturer les sites officiels (page d'accueil et pages utiles) dans des archives WARC."""
    run_capture(
        ctx.obj,
        edition,
        only=only,
        scope=scope,
        resume=resume,
        render=render,
        facts=facts,
        wait=wait,
    )


def run_capture(
    context: AppContext,
    edition: str,
    *,
    only: list[str] | None = None,
    scope: Scope = Scope.councils,
    resume: bool = False,
    render: bool = False,
    facts: bool = True,
    wait: bool = False,
) -> None:
    """Capture the selected sites into the edition (shared by ``capture`` and ``run``)."""
    settings = context.settings
    edition = check_edition(edition or f"{date.today():%Y-%m}")
    ensure_registry(context)
    engine = context.engine
    if only:
        items = find_authorities(context, only)
    else:
        items = registry_repo.load_authorities(engine, kinds=SCOPES[scope])
    targets = [Target(a.id, a.website.url) for a in items if a.website]
    without = len(items) - len(targets)
    done = capture_repo.completed_sites(engine, edition)
    if done and not resume:
        raise ConfigurationError(
            f"L'édition {edition} a déjà {fr.count(len(done), 'site capturé', 'sites capturés')} : "
            "ajoutez --resume pour la compléter."
        )
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
    config = FetchConfig(
        user_agent=settings.user_agent,
        per_host_delay=settings.capture_per_host_delay,
        total_timeout=settings.capture_timeout,
        # Each site in flight asks one page at a time: as many requests at once as sites.
        global_concurrency=max(settings.capture_sites_in_flight, 1),
    )
    resolver = GuardedResolver(AddressPolicy.allowing(settings.capture_allow_networks))
    context.err.print(
        f"Édition {edition} : {fr.count(len(targets), 'site')} à capturer"
        + (f", {fr.count(without, 'collectivité')} sans site déclaré" if without else "")
        + (f", {fr.integer(len(done))} déjà faits" if done else "")
        + "."
    )
    with stage_progress("Capture", context.err) as progress:
        task = progress.add_task(
            "", total=len(targets), completed=len(done & {t.authority_id for t in targets})
        )

        def advance(target: Target, site: object) -> None:
            progress.update(task, advance=1, description=target.authority_id)

        def waiting(target: Target, lease: Lease) -> None:
            context.err.print(f"En attente — {lease.describe()}.", markup=False, highlight=False)

        report = asyncio.run(
            capture_edition(
                engine,
                edition,
                targets,
                warc_root=settings.data_dir / "warc",
                config=config,
                resolver=resolver,
                max_fetches=settings.capture_max_fetches,
                sites_in_flight=settings.capture_sites_in_flight,
                render=render,
                facts=FactsConfig(dns=dns.asyncresolver.Resolver()) if facts else None,
                on_site=advance,
                wait=wait,
                on_wait=waiting,
            )
        )
    context.console.print(
        f"{fr.count(report.done, 'site capturé', 'sites capturés')}, "
        f"{fr.integer(report.skipped)} {fr.plural(report.skipped, 'déjà fait', 'déjà faits')}. "
        + ", ".join(f"{k} : {fr.integer(v)}" for k, v in sorted(report.outcomes.items()))
    )
    for authority_id, error in report.failed:
        context.err.print(f"[red]Échec {authority_id} : {error}[/red]")
    if report.leased:
        count = len(report.leased)
        context.err.print(
            f"[yellow]{fr.count(count, 'site laissé', 'sites laissés')} de côté : un autre "
            "processus "
            f"{'les' if count > 1 else 'le'} capture en ce moment. Relancez avec --resume "
            "quand il aura fini, ou avec --attendre.[/yellow]"
        )
        for lease in report.leased:
            context.err.print(f"  {lease.describe()}.", markup=False, highlight=False)
