"""The audit engine: applicability, unreachable sites, plugin checks, isolation of bugs."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from barometre.checks import base
from barometre.checks.base import CheckSpec, Verdict, check, scored
from barometre.checks.engine import NO_SOCIAL, audit
from barometre.checks.subject import Subject
from barometre.errors import ConfigurationError
from barometre.methodology import Methodology, bundled, parse
from barometre.models import (
    Authority,
    AuthorityKind,
    FetchOutcome,
    Page,
    SiteArchive,
    Status,
    Website,
)

GRID = """
version = "test.1"
title = "Grille d'essai"
published = "2026-11-22"
[[dimensions]]
id = "essai"
code = "E"
name = "Essai"
weight = 100
[[criteria]]
id = "essai.titre"
code = "E1"
dimension = "essai"
name = "Titre présent"
nature = "recommandation"
basis = "essai"
modes = ["S"]
weight = 1
[[criteria]]
id = "essai.bogue"
code = "E2"
dimension = "essai"
name = "Contrôle bogué"
nature = "recommandation"
basis = "essai"
modes = ["S"]
weight = 1
[[criteria]]
id = "essai.grandes_villes"
code = "E3"
dimension = "essai"
name = "Réservé aux grandes villes"
nature = "obligation"
basis = "essai"
modes = ["S"]
weight = 1
[[criteria.rules]]
kinds = ["commune"]
population_below = 10000
effect = "not_applicable"
reason = "Moins de 10 000 habitants."
"""


def grid() -> Methodology:
    return parse(GRID, "essai.toml")


def title_check(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    doc = subject.home_doc
    assert doc is not None
    return scored(1 if doc.title else 0)


def buggy_check(subject: Subject, params: Mapping[str, Any]) -> Verdict:
    raise ZeroDivisionError("division par zéro")


SPECS = {
    "essai.titre": CheckSpec("essai.titre", "3", title_check),
    "essai.bogue": CheckSpec("essai.bogue", "1", buggy_check),
    "essai.grandes_villes": CheckSpec("essai.grandes_villes", "1", title_check),
}


def town(population: int = 500, site: bool = True) -> Authority:
    websites = (
        (Website("https://www.ville.test/", "www.ville.test", "essai", True),) if site else ()
    )
    return Authority(
        AuthorityKind.COMMUNE, "99001", "Ville", population=population, websites=websites
    )


def archive(html: str | None, outcome: FetchOutcome = FetchOutcome.OK) -> SiteArchive:
    home = None
    if html is not None:
        home = Page(
            "https://www.ville.test/",
            "https://www.ville.test/",
            outcome,
            200 if outcome is FetchOutcome.OK else None,
            "text/html",
            text=html,
            body=html.encode(),
        )
    return SiteArchive("commune:99001", "https://www.ville.test/", outcome, datetime.now(UTC), home)


def statuses(subject: Subject, methodology: Methodology | None = None) -> dict[str, Verdict]:
    result = audit(subject, methodology or grid(), checks=SPECS)
    return {
        r.check_id: Verdict(r.status, r.value, r.confidence, r.reason, r.evidence)
        for r in result.results
    }


def test_checks_run_with_their_version_and_a_bug_becomes_not_measurable() -> None:
    subject = Subject(town(), archive("<title>Ville</title><p>Bonjour</p>"), date(2025, 3, 20))
    result = audit(subject, grid(), checks=SPECS)
    by_id = {r.check_id: r for r in result.results}
    assert by_id["essai.titre"].status is Status.PASS and by_id["essai.titre"].check_version == "3"
    assert by_id["essai.bogue"].status is Status.NOT_MEASURABLE
    assert "ZeroDivisionError" in (by_id["essai.bogue"].reason or "")
    assert by_id["essai.grandes_villes"].status is Status.NOT_APPLICABLE


def test_an_unreachable_site_is_not_measurable_and_no_site_is_not_applicable() -> None:
    down = statuses(Subject(town(20_000), archive(None, FetchOutcome.TIMEOUT)))
    assert all(v.status is Status.NOT_MEASURABLE for v in down.values())
    assert "délai dépassé" in (down["essai.titre"].reason or "")
    nothing = statuses(Subject(town(20_000, site=False)))
    assert all(v.status is Status.NOT_APPLICABLE for v in nothing.values())
    uncaptured = statuses(Subject(town(20_000), None))
    assert uncaptured["essai.titre"].status is Status.NOT_MEASURABLE
    assert "non capturé" in (uncaptured["essai.titre"].reason or "")


def test_social_criteria_wait_for_social_data() -> None:
    subject = Subject(town(20_000), archive("<title>Ville</title>"))
    result = audit(subject, bundled(), only={"dialogue.activite_comptes"})
    (only,) = result.results
    assert only.status is Status.NOT_MEASURABLE and only.reason == NO_SOCIAL


def test_every_criterion_of_the_bundled_grid_has_a_registered_check() -> None:
    checks = base.registered_checks()
    # Social criteria (D5-D7, K1) are measured from the social layer's records.
    missing = [c.id for c in bundled().criteria if c.id not in checks and not c.social]
    assert not missing


def test_a_third_party_check_registers_through_the_entry_point_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "extension_essai.py"
    module.write_text(
        textwrap.dedent(
            """
            from barometre.checks.base import check, scored

            @check("essai.extension", version="7")
            def extension(subject, params):
                return scored(0.5, reason="contrôle tiers")
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    entry = EntryPoint("essai", "extension_essai", base.ENTRY_POINT_GROUP)
    monkeypatch.setattr(
        base, "entry_points", lambda group: [entry] if group == base.ENTRY_POINT_GROUP else []
    )
    monkeypatch.setattr(base, "_loaded", False)
    monkeypatch.setattr(base, "_CHECKS", dict(base._CHECKS))
    checks = base.registered_checks()
    assert checks["essai.extension"].version == "7"
    assert checks["essai.extension"].module == "extension_essai"
    sys.modules.pop("extension_essai", None)


def test_a_broken_extension_is_a_clear_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = EntryPoint("cassee", "module_qui_nexiste_pas", base.ENTRY_POINT_GROUP)
    monkeypatch.setattr(base, "entry_points", lambda group: [entry])
    monkeypatch.setattr(base, "_loaded", False)
    with pytest.raises(ConfigurationError, match="cassee"):
        base.registered_checks()


def test_two_checks_for_one_criterion_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_CHECKS", {})
    check("essai.double")(title_check)
    with pytest.raises(ConfigurationError, match="Deux contrôles"):
        check("essai.double")(buggy_check)
