"""The capture stage: fetch the official sites of an edition into WARC files."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import dns.asyncresolver

from barometre.capture.preflight import network_reachable
from barometre.capture.run import FactsConfig, RunReport, Target, capture_edition
from barometre.errors import ConfigurationError
from barometre.models import Authority, AuthorityKind
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.core import Setup, check_edition
from barometre.storage import capture_repo, registry_repo
from barometre.storage.lease_repo import Lease
from barometre.vocab import fr

__all__ = [
    "SCOPES",
    "CapturePlan",
    "CaptureReport",
    "Lease",
    "Scope",
    "Target",
    "capture",
    "plan_capture",
    "reachable",
]


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


@dataclass(frozen=True)
class CapturePlan:
    """The sites a capture will fetch: the targets, the collectivités without a site,
    the sites an earlier run already finished."""

    edition: str
    targets: tuple[Target, ...]
    without: int
    done: frozenset[str]

    @property
    def already(self) -> int:
        return len(self.done & {t.authority_id for t in self.targets})


@dataclass(frozen=True)
class CaptureReport:
    plan: CapturePlan
    run: RunReport


def reachable(setup: Setup, scope: Scope = Scope.councils) -> bool:
    """Whether the official sites of ``scope`` can be reached (one resolves)."""
    kinds = set(SCOPES[scope])
    items = registry_repo.load_authorities(setup.engine)
    hosts = [urlsplit(a.website.url).hostname or "" for a in items if a.kind in kinds and a.website]
    return network_reachable(hosts)


def plan_capture(
    setup: Setup,
    edition: str,
    *,
    selection: Sequence[Authority] | None = None,
    scope: Scope = Scope.councils,
    resume: bool = False,
) -> CapturePlan:
    """The selected sites (``scope`` when no selection); a started edition is refused
    unless ``resume``. Creates the edition."""
    engine = setup.engine
    edition = check_edition(edition)
    items = (
        list(selection)
        if selection is not None
        else registry_repo.load_authorities(engine, kinds=SCOPES[scope])
    )
    targets = tuple(Target(a.id, a.website.url) for a in items if a.website)
    done = capture_repo.completed_sites(engine, edition)
    if done and not resume:
        raise ConfigurationError(
            f"L'édition {edition} a déjà {fr.count(len(done), 'site capturé', 'sites capturés')} : "
            "ajoutez --resume pour la compléter."
        )
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
    return CapturePlan(edition, targets, len(items) - len(targets), frozenset(done))


def capture(
    setup: Setup,
    plan: CapturePlan,
    *,
    render: bool = False,
    facts: bool = True,
    wait: bool = False,
    on_site: Callable[[Target, object], None] | None = None,
    on_wait: Callable[[Target, Lease], None] | None = None,
) -> CaptureReport:
    """Capture the planned sites into the edition."""
    settings = setup.settings
    config = FetchConfig(
        user_agent=settings.user_agent,
        per_host_delay=settings.capture_per_host_delay,
        total_timeout=settings.capture_timeout,
        # Each site in flight asks one page at a time: as many requests at once as sites.
        global_concurrency=max(settings.capture_sites_in_flight, 1),
    )
    resolver = GuardedResolver(AddressPolicy.allowing(settings.capture_allow_networks))
    report = asyncio.run(
        capture_edition(
            setup.engine,
            plan.edition,
            list(plan.targets),
            warc_root=settings.data_dir / "warc",
            config=config,
            resolver=resolver,
            max_fetches=settings.capture_max_fetches,
            sites_in_flight=settings.capture_sites_in_flight,
            render=render,
            facts=FactsConfig(dns=dns.asyncresolver.Resolver()) if facts else None,
            on_site=on_site,
            wait=wait,
            on_wait=on_wait,
        )
    )
    return CaptureReport(plan, report)
