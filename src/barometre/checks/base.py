"""What a check is, how it says what it found, and how checks are registered.

A check is a pure function ``(subject, params) -> Verdict``: it reads the collectivité's
registry record and captured archive (never the network) and the criterion's thresholds
from the methodology, and returns a status, a value in [0, 1], a confidence and the
evidence that decided. Checks register with :func:`check`; discovery functions (social
accounts, apps, platforms…) with :func:`discoverer`.

Third parties add checks through the ``barometre.checks`` entry-point group: each entry
point names a module whose import registers its checks with these decorators.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Literal

from barometre.errors import ConfigurationError
from barometre.models import Confidence, Evidence, Finding, Status

if TYPE_CHECKING:
    from barometre.checks.subject import Subject

Needs = Literal["site", "registry", "social"]
ENTRY_POINT_GROUP = "barometre.checks"
BUILTIN_MODULES = (
    "barometre.checks.discovery",  # findings: accounts, apps, platforms, services, CMS
    "barometre.checks.media",  # findings: photo, video, webcam
    "barometre.checks.presence",  # P1-P5
    "barometre.checks.services",  # S1-S3, S6
    "barometre.checks.practical",  # S4, S5, S7, S8
    "barometre.checks.inclusive",  # S9
    "barometre.checks.dialogue",  # D1-D3
    "barometre.checks.identity",  # D4, K4
    "barometre.checks.coherence",  # K3
    "barometre.checks.embeds",  # K2
    "barometre.checks.accessibility",  # L1-L3
    "barometre.checks.legal",  # L4, L8, L9
    "barometre.checks.privacy",  # L5-L7
    "barometre.checks.opendata",  # L10
    "barometre.checks.security",  # T1-T6
    "barometre.checks.quality",  # T7-T10
    "barometre.checks.social",  # D5-D7, K1 (records of the social stage)
)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    value: float | None = None
    confidence: Confidence = Confidence.OBSERVED
    reason: str | None = None
    evidence: tuple[Evidence, ...] = ()


def scored(
    value: float,
    evidence: Iterable[Evidence] = (),
    *,
    confidence: Confidence = Confidence.OBSERVED,
    reason: str | None = None,
) -> Verdict:
    """A measured result: ``pass`` at 1, ``fail`` at 0, ``partial`` in between."""
    value = round(min(1.0, max(0.0, value)), 4)
    status = Status.PASS if value >= 1 else Status.FAIL if value <= 0 else Status.PARTIAL
    return Verdict(status, value, confidence, reason, tuple(evidence))


def not_measurable(reason: str, evidence: Iterable[Evidence] = ()) -> Verdict:
    return Verdict(Status.NOT_MEASURABLE, None, Confidence.OBSERVED, reason, tuple(evidence))


def not_applicable(reason: str) -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, None, Confidence.OBSERVED, reason)


CheckFn = Callable[["Subject", Mapping[str, Any]], Verdict]
DiscoverFn = Callable[["Subject"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    version: str
    func: CheckFn
    needs: Needs = "site"
    # A check that measures the site's failure itself (reachability, certificate) runs
    # even when the home page could not be captured; the others are then not measurable.
    handles_unreachable: bool = False
    module: str = ""
    # A check that reads the pages' content (text, links, forms): not measurable on a
    # JavaScript-only shell without its rendering. Technical checks (headers, TLS, DNS,
    # metadata of the served page, the render's own figures) read no content.
    reads_content: bool = True


@dataclass(frozen=True, slots=True)
class DiscoverySpec:
    name: str
    version: str
    func: DiscoverFn


_CHECKS: dict[str, CheckSpec] = {}
_DISCOVERERS: dict[str, DiscoverySpec] = {}
_loaded = False


def check(
    check_id: str,
    *,
    version: str = "1",
    needs: Needs = "site",
    handles_unreachable: bool = False,
    reads_content: bool = True,
) -> Callable[[CheckFn], CheckFn]:
    """Register ``func`` as the check of the criterion ``check_id``."""

    def register(func: CheckFn) -> CheckFn:
        existing = _CHECKS.get(check_id)
        if existing is not None and existing.func is not func:
            raise ConfigurationError(
                f"Deux contrôles pour le critère {check_id} : {existing.module} et {func.__module__}."
            )
        _CHECKS[check_id] = CheckSpec(
            check_id, version, func, needs, handles_unreachable, func.__module__, reads_content
        )
        return func

    return register


def discoverer(name: str, *, version: str = "1") -> Callable[[DiscoverFn], DiscoverFn]:
    def register(func: DiscoverFn) -> DiscoverFn:
        _DISCOVERERS[name] = DiscoverySpec(name, version, func)
        return func

    return register


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for module in BUILTIN_MODULES:
        importlib.import_module(module)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()
        except Exception as exc:  # a broken plugin is a configuration problem, said clearly
            raise ConfigurationError(
                f"Extension de contrôles « {entry.name} » ({entry.value}) impossible à charger : {exc}"
            ) from exc
    _loaded = True


def registered_checks() -> Mapping[str, CheckSpec]:
    _load()
    return dict(_CHECKS)


def registered_discoverers() -> Mapping[str, DiscoverySpec]:
    _load()
    return dict(_DISCOVERERS)
