"""Run the grid for one collectivité: discovery, then every criterion of the methodology.

The engine applies the methodology's applicability rules, turns a site that could not be
captured into ``not_measurable`` (with the capture's own reason) for the checks that need
its pages, and never lets one check's bug stop the others: an exception becomes a
``not_measurable`` result that names it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from barometre.checks.base import (
    CheckSpec,
    DiscoverySpec,
    Verdict,
    not_applicable,
    not_measurable,
    registered_checks,
    registered_discoverers,
)
from barometre.checks.subject import Subject
from barometre.methodology import Criterion, Methodology
from barometre.models import CheckResult, Evidence, FetchOutcome, Finding, Status
from barometre.vocab.status import label_of

log = logging.getLogger(__name__)

NO_SITE = "Aucun site officiel déclaré pour cette collectivité."
NOT_CAPTURED = "Site non capturé dans cette édition."
NO_SOCIAL = (
    "Activité des comptes non mesurée : aucune donnée sociale (connecteurs ou imports) "
    "pour cette édition."
)
NO_CHECK = "Aucun contrôle automatique n'implémente ce critère."

ARCHIVE_DAMAGED = (
    "Site non mesurable : archive endommagée (la capture de ce site ne peut pas être relue)."
)


@dataclass(frozen=True)
class Audit:
    results: list[CheckResult]
    findings: list[Finding]


def unreachable_reason(subject: Subject) -> str | None:
    """Why the site's pages cannot be read, or ``None`` when the home page is there."""
    site = subject.site
    if subject.archive_problem is not None:
        return ARCHIVE_DAMAGED
    if site is None:
        return NO_SITE if subject.authority.website is None else NOT_CAPTURED
    if subject.home is not None:
        return None
    outcome = site.outcome
    detail = ""
    if site.home is not None:
        if site.home.status is not None and outcome in (FetchOutcome.OK, FetchOutcome.HTTP_ERROR):
            outcome = FetchOutcome.HTTP_ERROR
            detail = f" (HTTP {site.home.status})"
        elif site.home.error and not site.home.error.startswith("absent de l'archive"):
            detail = f" ({site.home.error[:160]})"
    return f"Site non mesurable : {label_of(outcome)}{detail}."


def script_only_reason(subject: Subject) -> str | None:
    """Why the site's content cannot be read: a JavaScript-only home page, not rendered."""
    shell = subject.script_only
    if shell is None:
        return None
    return (
        "Site non mesurable : site rendu en JavaScript (page d'accueil servie sans contenu : "
        f"{shell.describe()}) ; le contenu ne se lit qu'avec un rendu navigateur (--render)."
    )


def _run(spec: CheckSpec, subject: Subject, criterion: Criterion) -> Verdict:
    try:
        return spec.func(subject, criterion.params)
    except Exception as exc:  # a bug in one check must not stop the audit
        log.exception("contrôle %s en échec sur %s", spec.id, subject.authority.id)
        return not_measurable(f"Erreur interne du contrôle : {type(exc).__name__}: {exc}")


def discover(
    subject: Subject, discoverers: Mapping[str, DiscoverySpec] | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    if subject.home is None:
        return findings
    for spec in (discoverers or registered_discoverers()).values():
        try:
            findings.extend(spec.func(subject))
        except Exception:
            log.exception("découverte %s en échec sur %s", spec.name, subject.authority.id)
    return findings


def evaluate(
    subject: Subject,
    criterion: Criterion,
    spec: CheckSpec | None,
    *,
    social_available: bool = False,
) -> Verdict:
    effect, rule_reason = criterion.applicability(subject.authority)
    if effect == "not_applicable":
        return not_applicable(rule_reason or "Critère non applicable.")
    if (criterion.social or (spec is not None and spec.needs == "social")) and not social_available:
        return not_measurable(NO_SOCIAL)
    if spec is None:
        return not_measurable(NO_CHECK)
    if spec.needs == "site" and subject.archive_problem is not None:
        # Not even the checks that judge an unreachable site can tell anything here.
        return not_measurable(ARCHIVE_DAMAGED)
    if spec.needs == "site" and not spec.handles_unreachable:
        reason = unreachable_reason(subject)
        if reason is not None:
            if subject.site is None and subject.authority.website is None:
                return not_applicable(reason)
            return not_measurable(reason)
        if spec.reads_content:
            reason = script_only_reason(subject)
            if reason is not None:
                home = subject.home
                return not_measurable(reason, [Evidence(url=home.final_url)] if home else [])
    verdict = _run(spec, subject, criterion)
    if effect == "bonus" and verdict.status is Status.FAIL:
        return not_applicable(f"{rule_reason} Compté seulement en bonus.")
    return verdict


def audit(
    subject: Subject,
    methodology: Methodology,
    *,
    checks: Mapping[str, CheckSpec] | None = None,
    only: set[str] | None = None,
    registry_only: bool = False,
    social_available: bool = False,
    discovered: list[Finding] | None = None,
) -> Audit:
    """Discovery then every (selected) criterion, as :class:`CheckResult` records.

    ``discovered`` gives the findings of an earlier discovery (the social pass re-runs
    only the social criteria, on the findings stored by the site pass)."""
    specs = checks if checks is not None else registered_checks()
    if discovered is not None:
        subject.findings = list(discovered)
    else:
        subject.findings = [] if registry_only else discover(subject)
    results: list[CheckResult] = []
    for criterion in methodology.criteria:
        if only is not None and criterion.id not in only:
            continue
        spec = specs.get(criterion.id)
        if registry_only and (spec is None or spec.needs != "registry"):
            continue
        verdict = evaluate(subject, criterion, spec, social_available=social_available)
        results.append(
            CheckResult(
                authority_id=subject.authority.id,
                check_id=criterion.id,
                check_version=spec.version if spec is not None else "0",
                status=verdict.status,
                value=verdict.value,
                confidence=verdict.confidence,
                reason=verdict.reason,
                evidence=verdict.evidence,
            )
        )
    return Audit(results, subject.findings)


def evidence_of(finding: Finding) -> Evidence:
    return finding.evidence or Evidence(url=finding.url)
