"""``barometre check URL``: one site captured now, audited, scored and shown as a card.

The sample web serves Ville-Exemple on loopback (its names mapped by the guarded
resolver, its certificate trusted); the command line is run against a small site on a
loopback literal, as ``barometre capture`` is tested."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometre.capture.render import CHROMIUM
from barometre.cli.app import app
from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, CheckResult, Status, Website
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.outreach.check import CheckNetwork, Reference, check_url
from barometre.pipeline.demo import AGENT, SAMPLE_AS_OF, fetch_config, sample_authorities
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.sampleweb.server import SampleWeb
from barometre.storage import audit_repo, capture_repo, registry_repo, score_repo
from barometre.storage.db import open_database
from barometre.storage.score_repo import ScoreRow
from test_cli_capture import threaded_site

__all__ = ["threaded_site"]  # the fixture, shared with the capture command's tests

VILLE = "https://www.ville-exemple.test/"
runner = CliRunner()


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with BackgroundSampleWeb() as sample:
        yield sample


def network(web: SampleWeb) -> CheckNetwork:
    resolver = GuardedResolver(
        AddressPolicy.allowing(["127.0.0.1/32"]),
        static_hosts=web.host_map,
        port_map=web.port_map,
        static_only=True,
    )
    return CheckNetwork(resolver, fetch_config(), web.client_ssl_context(), agent=AGENT)


def test_check_captures_audits_and_writes_the_card(web: SampleWeb, tmp_path: Path) -> None:
    grid = bundled()
    report = check_url(
        VILLE,
        network=network(web),
        workdir=tmp_path / "travail",
        out=tmp_path / "bulletin",
        methodology=grid,
        as_of=SAMPLE_AS_OF,
        pdf=True,
    )
    assert report.outcome == "ok"
    assert not report.from_registry and report.authority.name == "www.ville-exemple.test"
    lines = [line for d in report.card.dimensions for line in d.lines]
    assert len(lines) == len(grid.criteria)
    measured = [line for line in lines if line.measured]
    assert measured and any(line.evidence for line in measured)
    score = report.score
    assert score is not None and score.value is not None and score.rank is None  # alone
    assert report.recommendations and len(report.recommendations) <= 5
    html = report.html.read_text(encoding="utf-8")
    assert "Vérification ponctuelle du" in html and "hors édition" in html
    assert "www.ville-exemple.test" in html
    assert (tmp_path / "bulletin" / "static" / "site.css").is_file()  # the card opens alone
    assert report.pdf is not None and report.pdf.read_bytes().startswith(b"%PDF")
    # nothing of an edition: the check's database is its own
    engine = open_database(f"sqlite:///{tmp_path / 'travail' / 'verification.sqlite3'}")
    assert capture_repo.completed_sites(engine, "verification") == {report.authority.id}
    engine.dispose()


def test_check_with_the_registry_compares_with_the_last_edition(
    web: SampleWeb, tmp_path: Path
) -> None:
    grid = bundled()
    ville = next(a for a in sample_authorities() if a.code == "99101")
    # the last edition: Ville-Exemple scored 50 (C), its legal notice (L4) failed then
    reference = open_database(f"sqlite:///{tmp_path / 'base.sqlite3'}")
    registry_repo.replace_registry(reference, [ville], "test", {})
    capture_repo.ensure_edition(reference, "2025-02", "Édition 2025-02")
    legal = next(c for c in grid.criteria if c.code == "L4")
    audit_repo.store_audit(
        reference,
        "2025-02",
        ville.id,
        [CheckResult(ville.id, legal.id, "1", Status.FAIL, 0.0)],
        [],
    )
    score_repo.replace_scores(
        reference, "2025-02", [ScoreRow(ville.id, "global", 50.0, 0.9, "C", "commune:4")]
    )
    report = check_url(
        VILLE,
        network=network(web),
        workdir=tmp_path / "travail",
        out=tmp_path / "bulletin",
        methodology=grid,
        registered=ville,
        reference=Reference(reference, "2025-02"),
        as_of=SAMPLE_AS_OF,
    )
    assert report.from_registry and report.authority.id == "commune:99101"
    assert report.authority.population == ville.population  # the registry's facts
    assert report.previous == ("2025-02", 50.0, "C")
    now = next(
        line.status
        for d in report.card.dimensions
        for line in d.lines
        if line.criterion.code == "L4"
    )
    moved = {c.code: (c.before, c.after) for c in report.changes}
    if now is Status.FAIL:
        assert "L4" not in moved
    else:
        assert moved["L4"] == (Status.FAIL, now)
    assert all(
        c.before is None for code, c in ((c.code, c) for c in report.changes) if code != "L4"
    )
    html = report.html.read_text(encoding="utf-8")
    assert "février 2025" in html  # the card's « Évolution » shows the last edition
    reference.dispose()


def test_check_command_prints_the_card(
    threaded_site: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAROMETRE_CAPTURE_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("BAROMETRE_CAPTURE_PER_HOST_DELAY", "0")
    data = tmp_path / "data"
    url = f"http://127.0.0.1:{threaded_site}/"
    result = runner.invoke(
        app, ["--data-dir", str(data), "check", url, "--out", str(tmp_path / "b")]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "site hors registre" in said and "Score :" in said and "Dimensions" in said
    assert "Mentions légales" in said  # a criterion, with its result
    assert "Bulletin :" in said
    cards = list((tmp_path / "b" / "collectivites").rglob("*.html"))
    assert len(cards) == 1


def test_check_command_refuses_what_it_cannot_check(tmp_path: Path) -> None:
    base = ["--data-dir", str(tmp_path / "data"), "check"]
    bad = runner.invoke(app, [*base, "www.sans-schema.example"])
    assert bad.exit_code != 0 and "adresse web complète" in str(bad.exception)
    alone = runner.invoke(app, [*base, "https://www.example.org/", "--comparer"])
    assert alone.exit_code != 0 and "--authority" in str(alone.exception)


def test_check_command_with_the_registry_compares_with_its_last_edition(
    threaded_site: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAROMETRE_CAPTURE_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("BAROMETRE_CAPTURE_PER_HOST_DELAY", "0")
    data = tmp_path / "data"
    data.mkdir()
    url = f"http://127.0.0.1:{threaded_site}/"
    epci = Authority(AuthorityKind.EPCI, "299900003", "CC de l'Essai", siren="299900003")
    town = Authority(
        AuthorityKind.COMMUNE,
        "99001",
        "Essai-sur-Boucle",
        population=1200,
        departement="99",
        epci="299900003",
        websites=(Website("https://www.essai.test/", "www.essai.test", "test", True),),
    )
    engine = open_database(f"sqlite:///{data / 'barometre.sqlite3'}")
    registry_repo.replace_registry(engine, [town, epci], "test", {})
    capture_repo.ensure_edition(engine, "2026-10", "Édition 2026-10")
    score_repo.replace_scores(
        engine, "2026-10", [ScoreRow(town.id, "global", 42.0, 0.8, "D", "commune:2")]
    )
    engine.dispose()
    result = runner.invoke(
        app,
        ["--data-dir", str(data), "check", url, "--authority", "commune:99001", "--comparer"],
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Essai-sur-Boucle (commune:99001)" in said
    assert "Édition octobre 2026 : 42,0 / 100, note D ; écart :" in said, said
    cards = list((data / "verifications").rglob("collectivites/commune/99001.html"))
    assert len(cards) == 1 and "octobre 2026" in cards[0].read_text("utf-8")


@pytest.mark.skipif(
    os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
    reason="Debian chromium not installed (apt-get install chromium)",
)
def test_check_with_render_shows_the_rendered_home(web: SampleWeb, tmp_path: Path) -> None:
    report = check_url(
        VILLE,
        network=network(web),
        workdir=tmp_path / "travail",
        out=tmp_path / "bulletin",
        methodology=bundled(),
        as_of=SAMPLE_AS_OF,
        render=True,
    )
    shots = list((tmp_path / "bulletin" / "captures").glob("*.png"))
    assert len(shots) == 1 and shots[0].read_bytes().startswith(b"\x89PNG")
    assert f"captures/{shots[0].name}" in report.html.read_text("utf-8")
    # the rendered page's measures are read: performance (T8) is measured only rendered
    measured = {
        line.criterion.code for d in report.card.dimensions for line in d.lines if line.measured
    }
    assert "T8" in measured
