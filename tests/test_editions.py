"""Scores of an edition, frozen editions (refused writes, tampering detected), differences."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from barometre.cli.app import app
from barometre.errors import EditionFrozenError
from barometre.methodology import bundled
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    Capture,
    CheckResult,
    SocialProfile,
    SocialSource,
    Status,
    Website,
)
from barometre.scoring.editions import (
    criterion_moves,
    diff,
    freeze_edition,
    manifest_path,
    verify_edition,
)
from barometre.scoring.run import complete_results, score_edition
from barometre.storage import audit_repo, capture_repo, registry_repo, score_repo, social_repo
from barometre.storage.db import open_database
from barometre.storage.schema import check_results, editions

GRID = bundled()
runner = CliRunner()


def town(code: str, population: int, site: bool = True) -> Authority:
    websites = (
        (Website(f"https://www.{code}.test/", f"www.{code}.test", "test", True),) if site else ()
    )
    return Authority(
        AuthorityKind.COMMUNE, code, f"Commune {code}", population=population, websites=websites
    )


TOWNS = [town("99001", 1200), town("99002", 1500), town("99003", 1800, site=False)]


def results(authority: Authority, passed: set[str], failed: set[str]) -> list[CheckResult]:
    out = []
    for criterion_id in passed | failed:
        status = Status.PASS if criterion_id in passed else Status.FAIL
        out.append(
            CheckResult(
                authority.id, criterion_id, "1", status, 1.0 if status is Status.PASS else 0.0
            )
        )
    return out


P = [c.id for c in GRID.criteria if c.dimension == "presence"]
T = [c.id for c in GRID.criteria if c.dimension == "technique"]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    registry_repo.replace_registry(engine, TOWNS, "test", {})
    for edition in ("2026-10", "2026-11"):
        capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
    audit_repo.store_many(
        engine,
        "2026-10",
        results(TOWNS[0], set(P[:3]), set(T[:2]))
        + results(TOWNS[1], set(P[:1]), set(P[1:3]) | set(T[:2]))
        + results(TOWNS[2], set(), {P[0]}),
    )
    audit_repo.store_many(
        engine,
        "2026-11",
        results(TOWNS[0], set(P[:3]) | set(T[:1]), set(T[1:2]))
        + results(TOWNS[1], set(P[:1]), set(P[1:3]) | set(T[:2]))
        + results(TOWNS[2], set(), {P[0]}),
    )
    return engine


def test_missing_results_are_not_measurable_with_a_site_and_na_without() -> None:
    with_site = {r.check_id: r.status for r in complete_results(TOWNS[0], [], GRID)}
    without = {r.check_id: r.status for r in complete_results(TOWNS[2], [], GRID)}
    assert with_site[T[0]] is Status.NOT_MEASURABLE
    assert without[T[0]] is Status.NOT_APPLICABLE


def test_scores_ranks_and_grades_are_stored(engine: Engine) -> None:
    report = score_edition(engine, "2026-11", GRID)
    assert report.scored == 3
    rows = {r.authority_id: r for r in score_repo.load_scores(engine, "2026-11", scope="global")}
    first, second = rows["commune:99001"], rows["commune:99002"]
    assert first.peer_group == second.peer_group == "commune:2"
    # a measured site criterion with most others unmeasured: low coverage, and under the
    # publication policy no global score, no grade, no rank (the coverage stays)
    assert 0 < first.coverage < 0.5
    assert (first.value, first.grade, first.rank) == (None, None, None)
    assert report.graded == 0 and report.captured == 2
    assert report.calibrated_on is None  # too few well-covered scores: provisional bands
    dims = {
        r.scope for r in score_repo.load_scores(engine, "2026-11", authority_id="commune:99001")
    }
    assert {"global", *(d.id for d in GRID.dimensions)} <= dims


def _archive(engine: Engine, edition: str, path: Path) -> None:
    path.write_bytes(b"WARC/1.1\r\n fictif")
    capture_repo.record_site(
        engine,
        edition,
        "commune:99001",
        [
            Capture(
                edition,
                "commune:99001",
                "https://www.99001.test/",
                str(path),
                0,
                10,
                200,
                "text/html",
                datetime(2026, 11, 3, tzinfo=UTC),
            )
        ],
        ["plan"],
    )


def test_a_frozen_edition_refuses_every_write(engine: Engine, tmp_path: Path) -> None:
    _archive(engine, "2026-11", tmp_path / "site.warc.gz")
    score_edition(engine, "2026-11", GRID)
    manifest, digest = freeze_edition(engine, "2026-11", tmp_path, GRID)
    assert manifest["tables"]["check_results"]["rows"] > 0
    assert manifest_path(tmp_path, "2026-11").exists()
    assert not (tmp_path / "site.warc.gz").stat().st_mode & 0o222  # read-only
    with pytest.raises(EditionFrozenError):
        audit_repo.store_many(engine, "2026-11", results(TOWNS[0], {T[2]}, set()))
    with pytest.raises(EditionFrozenError):
        score_edition(engine, "2026-11", GRID)
    with pytest.raises(EditionFrozenError):
        capture_repo.set_methodology(engine, "2026-11", "2099.1")
    with pytest.raises(EditionFrozenError):
        capture_repo.ensure_edition(engine, "2026-11", "x")
    profile = SocialProfile(
        "mastodon",
        "a",
        "a",
        "https://m.test/@a",
        AccountState.OK,
        datetime.now(UTC),
        SocialSource.API,
    )
    with pytest.raises(EditionFrozenError):
        social_repo.store_account(engine, "2026-11", "commune:99001", profile)
    with pytest.raises(EditionFrozenError, match="déjà figée"):
        freeze_edition(engine, "2026-11", tmp_path, GRID)
    assert verify_edition(engine, "2026-11", tmp_path, GRID).ok
    assert (
        digest == manifest_path(tmp_path, "2026-11").with_suffix(".sha256").read_text().split()[0]
    )
    # the other edition stays writable
    audit_repo.store_many(engine, "2026-10", results(TOWNS[0], {T[2]}, set()))


def test_tampering_is_detected(engine: Engine, tmp_path: Path) -> None:
    archive = tmp_path / "site.warc.gz"
    _archive(engine, "2026-11", archive)
    score_edition(engine, "2026-11", GRID)
    freeze_edition(engine, "2026-11", tmp_path, GRID)
    with engine.begin() as connection:  # someone edits a result behind the application
        connection.execute(
            update(check_results)
            .where(check_results.c.edition_id == "2026-11", check_results.c.check_id == T[1])
            .values(status="pass", value=1.0)
        )
    archive.chmod(0o644)
    archive.write_bytes(archive.read_bytes() + b"x")
    found = verify_edition(engine, "2026-11", tmp_path, GRID)
    assert not found.ok
    text = " ".join(found.problems)
    assert "check_results" in text and "Archive modifiée" in text
    with engine.begin() as connection:
        connection.execute(
            update(editions).where(editions.c.id == "2026-11").values(manifest={"edition": "x"})
        )
    assert any("empreinte" in p for p in verify_edition(engine, "2026-11", tmp_path, GRID).problems)


def test_cli_freeze_verify_and_refuse(engine: Engine, tmp_path: Path) -> None:
    url = str(engine.url)
    base = ["--database-url", url, "--data-dir", str(tmp_path)]
    assert runner.invoke(app, [*base, "score", "-e", "2026-11"]).exit_code == 0
    frozen = runner.invoke(app, [*base, "edition", "freeze", "2026-11"])
    assert frozen.exit_code == 0 and "figée" in frozen.output
    ok = runner.invoke(app, [*base, "edition", "verify", "2026-11"])
    assert ok.exit_code == 0 and "intacte" in ok.output
    refused = runner.invoke(app, [*base, "score", "-e", "2026-11"])
    assert refused.exit_code != 0 and isinstance(refused.exception, EditionFrozenError)
    with engine.begin() as connection:
        connection.execute(
            update(check_results).where(check_results.c.edition_id == "2026-11").values(value=0.5)
        )
    tampered = runner.invoke(app, [*base, "edition", "verify", "2026-11"])
    assert tampered.exit_code != 0 and "altérée" in str(tampered.exception)
    listed = runner.invoke(app, [*base, "edition", "list"])
    assert "2026-11" in listed.output and "2026-10" in listed.output


def test_differences_between_two_editions(engine: Engine, tmp_path: Path) -> None:
    score_edition(engine, "2026-10", GRID)
    score_edition(engine, "2026-11", GRID)
    profile = SocialProfile(
        "bluesky",
        "did:plc:a",
        "a.test",
        "https://bsky.app/profile/a.test",
        AccountState.OK,
        datetime(2026, 11, 2, tzinfo=UTC),
        SocialSource.API,
        followers=120,
    )
    social_repo.store_account(engine, "2026-11", "commune:99001", profile)
    result = runner.invoke(
        app, ["--database-url", str(engine.url), "edition", "diff", "2026-10", "2026-11"]
    )
    assert result.exit_code == 0, result.output
    assert T[0] in result.output  # the criterion gained by 99001
    assert "1 nouveau" in result.output
    csv_out = runner.invoke(
        app, ["--database-url", str(engine.url), "edition", "diff", "2026-10", "2026-11", "--csv"]
    )
    lines = csv_out.output.strip().splitlines()
    assert lines[0].startswith("collectivite,") and any("commune:99001" in line for line in lines)


def test_diff_is_pure_and_counts_moves() -> None:
    changes = diff(
        ({"a": (40.0, "C"), "b": (50.0, "B")}, {"a": (55.0, "B"), "b": (50.0, "B")}),
        (
            {"a": {"x": "fail", "y": "pass"}, "b": {"x": "pass"}},
            {"a": {"x": "pass", "y": "partial"}, "b": {"x": "pass"}},
        ),
        (
            {"a": {"mastodon:1": ("ok", 100)}, "b": {}},
            {"a": {"mastodon:1": ("not_found", None), "bluesky:2": ("ok", 5)}, "b": {}},
        ),
    )
    assert [c.authority_id for c in changes] == ["a"]
    change = changes[0]
    assert change.delta == 15.0 and change.gained == ("x",) and change.lost == ("y",)
    assert change.new_accounts == ("bluesky:2",) and change.closed_accounts == ("mastodon:1",)
    assert criterion_moves(changes) == {"x": (1, 0), "y": (0, 1)}
