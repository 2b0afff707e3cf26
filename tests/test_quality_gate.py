"""Quality gate of the audit: every check gives the labelled answer on the sample web.

The labels (``tests/quality/labels/*.toml``) say, for every sample collectivité, the
status each check must give and the findings discovery must report, as read from the
fixture pages themselves. Precision and recall per detector must stay at or above the
baseline recorded in ``tests/quality/baseline.toml``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import sampleaudit
from barometre.capture.render import CHROMIUM
from barometre.checks.base import registered_checks
from barometre.checks.engine import Audit
from barometre.methodology import bundled
from barometre.models import Status
from barometre.sampleweb import SampleWeb
from barometre.storage.db import open_database

LABELS = Path(__file__).parent / "quality" / "labels"
BASELINE = Path(__file__).parent / "quality" / "baseline.toml"
POSITIVE = {Status.PASS.value, Status.PARTIAL.value}
MEASURED = POSITIVE | {Status.FAIL.value}

pytestmark = pytest.mark.skipif(
    os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
    reason="Chromium absent : la porte de qualité se mesure sur le web d'exemple rendu.",
)


def load_labels() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, set[str]]]]:
    checks: dict[str, dict[str, str]] = {}
    findings: dict[str, dict[str, set[str]]] = {}
    for path in sorted(LABELS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, value in data.items():
            if key == "findings":
                for aid, categories in value.items():
                    target = findings.setdefault(aid, {})
                    for category, names in categories.items():
                        target.setdefault(category, set()).update(names)
                continue
            for check_id, status in value.items():
                assert status in {s.value for s in Status}, f"{path.name}: {key} {check_id}"
                previous = checks.setdefault(key, {}).setdefault(check_id, status)
                assert previous == status, f"{key} {check_id}: labels contradict each other"
    return checks, findings


@pytest.fixture(scope="module")
def audits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Audit]]:
    folder = tmp_path_factory.mktemp("sample-edition")
    engine: Engine = open_database(f"sqlite:///{folder / 'barometre.sqlite'}")
    asyncio.run(sampleaudit.capture(engine, folder / "warc", render=True))
    yield sampleaudit.audit_all(engine)
    engine.dispose()


def _actual(audits: dict[str, Audit]) -> dict[str, dict[str, str]]:
    """Status per collectivité and criterion; a site-less collectivité's missing results
    are "not applicable" (storage keeps only what applies to it)."""
    grid = list(bundled().ids)
    out = {}
    for aid, audit in audits.items():
        got = {r.check_id: r.status.value for r in audit.results}
        if aid in SITELESS:
            got = {c: got.get(c, Status.NOT_APPLICABLE.value) for c in grid}
        out[aid] = got
    return out


SITELESS = {a.id for a in sampleaudit.sample_authorities() if a.website is None}


def test_labels_cover_every_sample_collectivite_and_known_checks() -> None:
    checks, _ = load_labels()
    if not checks:
        pytest.skip("aucune étiquette")
    known = set(bundled().ids)
    everyone = set(sampleaudit.hosts_by_authority())
    assert set(checks) <= everyone
    for aid, labelled in checks.items():
        assert set(labelled) <= known, f"{aid}: unknown criteria {set(labelled) - known}"


def test_every_check_gives_the_labelled_answer(audits: dict[str, Audit]) -> None:
    labels, _ = load_labels()
    actual = _actual(audits)
    hosts = sampleaudit.hosts_by_authority()
    wrong = [
        f"{hosts.get(aid, aid)} {check_id}: attendu {expected}, obtenu {actual.get(aid, {}).get(check_id)}"
        for aid, labelled in sorted(labels.items())
        for check_id, expected in sorted(labelled.items())
        if actual.get(aid, {}).get(check_id) != expected
    ]
    assert not wrong, "\n".join(wrong)


def test_discovery_finds_the_labelled_accounts_apps_and_platforms(audits: dict[str, Audit]) -> None:
    _, labels = load_labels()
    if not labels:
        pytest.skip("aucune étiquette de découverte")
    wrong = []
    for aid, categories in sorted(labels.items()):
        found: dict[str, set[str]] = {}
        for finding in audits[aid].findings:
            found.setdefault(finding.category, set()).add(finding.name)
        for category, names in categories.items():
            if found.get(category, set()) != names:
                wrong.append(
                    f"{aid} {category}: attendu {sorted(names)}, obtenu {sorted(found.get(category, set()))}"
                )
    assert not wrong, "\n".join(wrong)


def precision_recall(audits: dict[str, Audit]) -> dict[str, tuple[float, float]]:
    """Per detector: precision and recall of "satisfied" (pass or partial) against labels;
    per finding category: precision and recall of the (collectivité, name) pairs."""
    labels, finding_labels = load_labels()
    actual = _actual(audits)
    counts: dict[str, list[int]] = {}
    for aid, labelled in labels.items():
        for check_id, expected in labelled.items():
            got = actual.get(aid, {}).get(check_id)
            if expected not in MEASURED and got not in MEASURED:
                continue
            tp_fp_fn = counts.setdefault(check_id, [0, 0, 0])
            if got in POSITIVE and expected in POSITIVE:
                tp_fp_fn[0] += 1
            elif got in POSITIVE:
                tp_fp_fn[1] += 1
            elif expected in POSITIVE:
                tp_fp_fn[2] += 1
    for aid, categories in finding_labels.items():
        found = {(f.category, f.name) for f in audits[aid].findings}
        for category, names in categories.items():
            tp_fp_fn = counts.setdefault(f"découverte.{category}", [0, 0, 0])
            got = {n for c, n in found if c == category}
            tp_fp_fn[0] += len(got & names)
            tp_fp_fn[1] += len(got - names)
            tp_fp_fn[2] += len(names - got)
    out = {}
    for detector, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        out[detector] = (round(precision, 3), round(recall, 3))
    return out


def test_precision_and_recall_stay_at_or_above_the_baseline(audits: dict[str, Audit]) -> None:
    baseline = tomllib.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    measured = precision_recall(audits)
    if not baseline:
        pytest.skip("pas encore de référence enregistrée")
    drops = []
    for detector, floor in baseline.items():
        precision, recall = measured.get(detector, (0.0, 0.0))
        if precision < floor["precision"] or recall < floor["recall"]:
            drops.append(
                f"{detector}: précision {precision} (référence {floor['precision']}), "
                f"rappel {recall} (référence {floor['recall']})"
            )
    assert not drops, "\n".join(drops)
    assert set(measured) <= set(baseline), (
        f"détecteurs sans référence : {set(measured) - set(baseline)}"
    )


def test_every_criterion_has_a_result_and_every_non_result_a_reason(
    audits: dict[str, Audit],
) -> None:
    grid = set(bundled().ids)
    assert SITELESS and set(audits) >= SITELESS
    for aid, audit in audits.items():
        if aid in SITELESS:
            assert all(r.status is not Status.NOT_APPLICABLE for r in audit.results), aid
            assert "presence.site_joignable" in {r.check_id for r in audit.results}
            continue
        assert {r.check_id for r in audit.results} == grid, aid
        for r in audit.results:
            if r.status in (Status.NOT_MEASURABLE, Status.NOT_APPLICABLE):
                assert r.reason and r.value is None, (aid, r.check_id)
            else:
                assert r.value is not None and 0 <= r.value <= 1, (aid, r.check_id)
                assert r.evidence or r.reason, (aid, r.check_id)


def test_hostile_sites_that_could_not_be_captured_are_not_measurable_with_reasons(
    audits: dict[str, Audit],
) -> None:
    broken = {s.host for s in SampleWeb().sites if s.kind == "hostile" and s.expected != "ok"}
    hosts = sampleaudit.hosts_by_authority()
    checks = registered_checks()
    grid = bundled()
    inapplicable = {
        a.id: {c.id for c in grid.criteria if c.applicability(a)[0] == "not_applicable"}
        for a in sampleaudit.sample_authorities()
    }
    seen = 0
    for aid, host in hosts.items():
        if host not in broken:
            continue
        seen += 1
        for r in audits[aid].results:
            spec = checks.get(r.check_id)
            if spec is None or spec.needs != "site" or spec.handles_unreachable:
                continue
            if r.status is Status.NOT_APPLICABLE and r.check_id in inapplicable[aid]:
                continue  # the methodology rules it out for this collectivité anyway
            assert r.status is Status.NOT_MEASURABLE, (host, r.check_id, r.status)
            assert r.reason and "non mesurable" in r.reason, (host, r.check_id)
    assert seen >= 8
