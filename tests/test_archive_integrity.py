"""Damaged, truncated, overwritten and missing WARC files: the audit measures the site as
« non mesurable (archive endommagée) », replaces its earlier results and goes on;
``barometre edition check`` reports those sites and ``--reparer`` gets them captured again.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import dns.asyncresolver
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from barometre.audit import audit_edition
from barometre.capture.run import FactsConfig, RunReport, Target, capture_edition
from barometre.checks.base import registered_checks
from barometre.cli.app import app
from barometre.methodology import bundled
from barometre.models import Status
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import SAMPLE_AS_OF, fetch_config, sample_authorities
from barometre.sampleweb import SampleWeb
from barometre.storage import audit_repo, capture_repo, registry_repo

EDITION = "2026-11"
INTACT = ["region:99", "departement:99"]
FLIPPED, HALVED, TAIL_CUT, OVERWRITTEN = (
    "commune:99101",
    "commune:99102",
    "epci:299900003",
    "commune:99112",
)
DAMAGED = [FLIPPED, HALVED, TAIL_CUT, OVERWRITTEN]
runner = CliRunner()


def _said(result: object) -> str:
    """What the command printed and raised, on one line (Rich wraps long lines)."""
    return " ".join(f"{result.output} {result.exception or ''}".split())  # type: ignore[attr-defined]


async def _capture(engine: Engine, root: Path, ids: list[str]) -> RunReport:
    wanted = set(ids)
    targets = [Target(a.id, a.website.url) for a in sample_authorities() if a.id in wanted]
    async with SampleWeb(with_dns=True, slow_drip_limit=10) as web:
        assert web.dns is not None
        names = dns.asyncresolver.Resolver(configure=False)
        names.nameservers, names.port = web.dns.nameservers, web.dns.port
        return await capture_edition(
            engine,
            EDITION,
            targets,
            warc_root=root,
            config=fetch_config(),
            resolver=GuardedResolver(
                AddressPolicy.allowing(["127.0.0.1/32"]),
                static_hosts=web.host_map,
                port_map=web.port_map,
                static_only=True,
            ),
            ssl_context=web.client_ssl_context(),
            facts=FactsConfig(dns=names, trust=web.client_ssl_context(), timeout=2),
        )


def _statuses(engine: Engine, authority_id: str) -> dict[str, tuple[Status, str | None]]:
    return {
        r.check_id: (r.status, r.reason)
        for r, _ in audit_repo.load_results(engine, EDITION, authority_id=authority_id)
    }


def _damage(engine: Engine) -> None:
    paths = capture_repo.archive_paths(engine, EDITION)
    flipped = Path(paths[FLIPPED])
    rows = capture_repo.site_index(engine, EDITION, FLIPPED)
    page = next(r for r in rows if r["kind"] != "plan" and r["warc_length"] > 200)
    data = bytearray(flipped.read_bytes())
    middle = page["warc_offset"] + page["warc_length"] // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    flipped.write_bytes(bytes(data))
    halved = Path(paths[HALVED])
    halved.write_bytes(halved.read_bytes()[: halved.stat().st_size // 2])
    cut = Path(paths[TAIL_CUT])
    cut.write_bytes(cut.read_bytes()[:-20])  # the last record (DNS and TLS facts) is cut
    # What concurrent writers used to leave: the file of another site under this name.
    shutil.copyfile(paths[INTACT[0]], paths[OVERWRITTEN])


@pytest.fixture
def damaged_edition(sqlite_engine: Engine, tmp_path: Path) -> tuple[Engine, Path]:
    registry_repo.replace_registry(sqlite_engine, sample_authorities(), "web d'exemple", {})
    capture_repo.ensure_edition(sqlite_engine, EDITION, "Édition de test")
    root = tmp_path / "data" / "warc"
    report = asyncio.run(_capture(sqlite_engine, root, INTACT + DAMAGED))
    assert report.done == 6 and not report.failed
    first = audit_edition(sqlite_engine, EDITION, bundled(), as_of=SAMPLE_AS_OF)
    assert first.sites == 6 and not first.failed
    return sqlite_engine, root


def test_the_audit_measures_a_damaged_archive_as_not_measurable_and_goes_on(
    damaged_edition: tuple[Engine, Path],
) -> None:
    engine, _root = damaged_edition
    before = {aid: _statuses(engine, aid) for aid in INTACT + DAMAGED}
    assert all(audit_repo.load_findings(engine, EDITION, aid) for aid in (FLIPPED, HALVED))
    _damage(engine)
    report = audit_edition(engine, EDITION, bundled(), as_of=SAMPLE_AS_OF)
    assert report.sites == len(INTACT) and not report.failed
    assert sorted(aid for aid, _ in report.damaged) == sorted(DAMAGED)
    assert all("archive" in message for _, message in report.damaged)
    site_checks = {cid for cid, spec in registered_checks().items() if spec.needs == "site"}
    for aid in DAMAGED:
        now = _statuses(engine, aid)
        measured = {
            cid
            for cid, (status, _) in before[aid].items()
            if cid in site_checks and status in (Status.PASS, Status.PARTIAL, Status.FAIL)
        }
        assert measured, aid  # the earlier audit had measured the site…
        for cid in site_checks & set(now):  # …its results are replaced, none kept
            status, reason = now[cid]
            if status is Status.NOT_APPLICABLE:  # the methodology's rule comes first
                assert before[aid][cid][0] is Status.NOT_APPLICABLE, (aid, cid)
                continue
            assert status is Status.NOT_MEASURABLE, (aid, cid)
            assert reason is not None and "archive endommagée" in reason
        assert measured <= set(now)
        assert audit_repo.load_findings(engine, EDITION, aid) == []
        # What the registry says stays measured.
        registry = {cid for cid, spec in registered_checks().items() if spec.needs == "registry"}
        assert {cid: now[cid] for cid in registry & set(now)} == {
            cid: before[aid][cid] for cid in registry & set(now)
        }
    for aid in INTACT:
        assert _statuses(engine, aid) == before[aid]


def test_edition_check_reports_damaged_sites_and_repairs_the_index(
    damaged_edition: tuple[Engine, Path], tmp_path: Path
) -> None:
    from barometre.errors import ArchiveDamagedError

    engine, root = damaged_edition
    base = ["--database-url", str(engine.url), "--data-dir", str(tmp_path / "data")]
    clean = runner.invoke(app, [*base, "edition", "check", EDITION])
    assert clean.exit_code == 0, clean.output
    assert "6 sites" in _said(clean) and "aucune archive endommagée" in _said(clean)
    _damage(engine)
    found = runner.invoke(app, [*base, "edition", "check", EDITION])
    text = _said(found)
    assert isinstance(found.exception, ArchiveDamagedError), text
    assert found.exception.exit_code == 3
    assert "archive endommagée pour 4 sites sur 6" in text
    for aid in DAMAGED:
        assert f"{aid} (" in text
    for aid in INTACT:
        assert f"{aid} (" not in text
    assert "empreinte différente" in text  # the flipped bytes
    assert "octets attendus" in text  # the truncations
    repaired = runner.invoke(app, [*base, "edition", "check", EDITION, "--reparer"])
    assert repaired.exit_code == 0, repaired.output
    assert "4 sites retirés de l'index" in _said(repaired)
    assert capture_repo.completed_sites(engine, EDITION) == set(INTACT)
    assert all(audit_repo.load_results(engine, EDITION, authority_id=aid) == [] for aid in DAMAGED)
    # The next capture (resumed) takes them again; the edition reads back whole.
    again = asyncio.run(_capture(engine, root, INTACT + DAMAGED))
    assert again.done == 4 and again.skipped == 2 and not again.failed
    final = runner.invoke(app, [*base, "edition", "check", EDITION])
    assert final.exit_code == 0 and "aucune archive endommagée" in _said(final)
    assert not audit_edition(engine, EDITION, bundled(), as_of=SAMPLE_AS_OF).damaged
