"""``barometre social import``, ``social show``, ``score`` and ``edition`` from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from barometre.cli.app import app
from barometre.errors import ConfigurationError
from barometre.models import AccountState, SocialSource
from barometre.pipeline.demo import sample_authorities
from barometre.storage import capture_repo, registry_repo, social_repo
from barometre.storage.db import open_database

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "social_imports"
EDITION = "2026-11"


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Engine]:
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    engine = open_database(url)
    registry_repo.replace_registry(engine, sample_authorities(), "web d'exemple", {})
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    return url, engine


def invoke(url: str, *args: str) -> object:
    return runner.invoke(app, ["--database-url", url, *args], catch_exceptions=False)


def test_import_a_facebook_export_then_show_it(db: tuple[str, Engine]) -> None:
    url, engine = db
    path = FIXTURES / "meta_facebook_posts_en.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = invoke(
        url,
        "social",
        "import",
        str(path),
        "--platform",
        "facebook",
        "--authority",
        "99101",
        "--edition",
        EDITION,
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    accounts = social_repo.load_accounts(engine, EDITION, ["commune:99101"])["commune:99101"]
    assert len(accounts) == 1
    account = accounts[0]
    assert account.profile.platform == "facebook" and account.profile.state is AccountState.OK
    assert account.profile.source is SocialSource.IMPORT
    assert len(account.posts) == len(rows)
    assert account.metrics["posts_per_week"].source is SocialSource.IMPORT
    again = invoke(
        url,
        "social",
        "import",
        str(path),
        "--platform",
        "facebook",
        "--authority",
        "99101",
        "--edition",
        EDITION,
    )
    assert again.exit_code == 0 and "déjà importé" in again.output  # type: ignore[attr-defined]
    assert len(social_repo.load_accounts(engine, EDITION)["commune:99101"]) == 1
    shown = invoke(url, "social", "show", "99101", "--edition", EDITION)
    assert shown.exit_code == 0  # type: ignore[attr-defined]
    assert "export importé" in shown.output and "Publications par semaine" in shown.output  # type: ignore[attr-defined]
    assert (
        "Compte de la collectivité : export du compte importé pour la collectivité" in shown.output  # type: ignore[attr-defined]
    )


def test_import_declared_figures(db: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = db
    path = tmp_path / "declares.csv"
    path.write_text(
        "type,code,plateforme,compte,url,indicateur,valeur,date,note\n"
        "commune,99101,x,VilleExemple,https://x.com/VilleExemple,followers,5 400,2026-10-31,page du compte\n"
        "commune,99101,x,VilleExemple,https://x.com/VilleExemple,posts_30d,12,2026-10-31,\n"
        "departement,99,linkedin,departement-exemple,,followers,2100,2026-10-20,\n",
        encoding="utf-8",
    )
    result = invoke(
        url, "social", "import", str(path), "--platform", "declare", "--edition", EDITION
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    town = social_repo.load_accounts(engine, EDITION, ["commune:99101"])["commune:99101"]
    assert town[0].profile.followers == 5400 and town[0].profile.source is SocialSource.DECLARED
    assert town[0].metrics["posts_30d"].value == 12
    assert town[0].metrics["posts_30d"].source is SocialSource.DECLARED
    assert town[0].ownership == "chiffres déclarés par la collectivité"
    dept = social_repo.load_accounts(engine, EDITION, ["departement:99"])["departement:99"]
    assert dept[0].profile.followers == 2100


def test_a_bad_import_changes_nothing(db: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = db
    bad = tmp_path / "declares.csv"
    bad.write_text(
        "type,code,plateforme,compte,url,indicateur,valeur,date,note\n"
        "commune,99101,x,VilleExemple,,followers,5400,2026-10-31,\n"
        "commune,99101,x,VilleExemple,,followers,-3,pas une date,\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "--database-url",
            url,
            "social",
            "import",
            str(bad),
            "--platform",
            "declare",
            "--edition",
            EDITION,
        ],
    )
    assert result.exit_code != 0
    assert "declares.csv:3" in (result.output + str(result.exception))
    assert not social_repo.has_social(engine, EDITION)
    missing = runner.invoke(
        app,
        [
            "--database-url",
            url,
            "social",
            "import",
            str(tmp_path / "nope.csv"),
            "--platform",
            "x",
            "--authority",
            "99101",
        ],
    )
    assert missing.exit_code != 0


def test_an_export_needs_its_collectivite(db: tuple[str, Engine]) -> None:
    url, _ = db
    result = runner.invoke(
        app,
        [
            "--database-url",
            url,
            "social",
            "import",
            str(FIXTURES / "x_analytics_content.csv"),
            "--platform",
            "x",
        ],
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigurationError)
    assert "--authority" in str(result.exception)
