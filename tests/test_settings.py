"""Settings precedence: defaults < barometre.toml < BAROMETRE_* environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from barometre.errors import ConfigurationError
from barometre.settings import load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("BAROMETRE_DATA_DIR", "BAROMETRE_DATABASE_URL", "BAROMETRE_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_give_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.data_dir == Path("data")
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'barometre.sqlite3'}"


def test_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "barometre.toml").write_text('data_dir = "from-toml"\n', encoding="utf-8")
    assert load_settings().data_dir == Path("from-toml")
    monkeypatch.setenv("BAROMETRE_DATA_DIR", "from-env")
    assert load_settings().data_dir == Path("from-env")
    assert load_settings(data_dir=Path("from-flag")).data_dir == Path("from-flag")


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAROMETRE_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/b")
    assert load_settings().effective_database_url == "postgresql+psycopg://u@127.0.0.1/b"


def test_bad_values_and_files_are_clear_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BAROMETRE_DATABASE_URL", "not-a-url")
    with pytest.raises(ConfigurationError, match="database_url"):
        load_settings()
    monkeypatch.delenv("BAROMETRE_DATABASE_URL")
    (tmp_path / "barometre.toml").write_text("data_dir = \n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="illisible"):
        load_settings()
    (tmp_path / "barometre.toml").write_text("unknown_key = 1\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="unknown_key"):
        load_settings()
    monkeypatch.setenv("BAROMETRE_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigurationError, match="introuvable"):
        load_settings()
