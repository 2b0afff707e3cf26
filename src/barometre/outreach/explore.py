"""``barometre serve --datasette``: the edition's SQLite export, live, with Datasette.

Datasette is an optional extra (``pip install 'barometre[datasette]'``). The database is
served immutable (opened read-only: nothing a visitor does can change it), with the
``metadata.json`` written beside it by the export (titles, descriptions, licence, canned
queries), on loopback unless another address is asked for."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from barometre.errors import ConfigurationError


@dataclass(frozen=True)
class Exported:
    database: Path
    metadata: Path | None


def datasette_available() -> bool:
    return importlib.util.find_spec("datasette") is not None


def find_export(exports: Path, edition: str) -> Exported:
    """The SQLite export of ``edition`` under ``exports`` (``<edition>/sqlite/``)."""
    folder = exports / edition / "sqlite"
    databases = sorted(folder.glob("*.sqlite")) if folder.is_dir() else []
    if not databases:
        raise ConfigurationError(
            f"Pas de base SQLite exportée pour l'édition {edition} dans {folder} : lancez "
            f"d'abord « barometre export --edition {edition} --format sqlite »."
        )
    meta = folder / "metadata.json"
    return Exported(databases[0], meta if meta.is_file() else None)


def datasette_command(exported: Exported, host: str, port: int) -> list[str]:
    if not datasette_available():
        raise ConfigurationError(
            "Datasette n'est pas installé : uv sync --extra datasette (ou pip install "
            "'barometre[datasette]')."
        )
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(exported.database),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "3000",
    ]
    if exported.metadata is not None:
        command += ["--metadata", str(exported.metadata)]
    return command


def start_datasette(
    exported: Exported, host: str = "127.0.0.1", port: int = 8001
) -> subprocess.Popen[bytes]:
    """Datasette in a child process (the caller waits for it or stops it)."""
    return subprocess.Popen(datasette_command(exported, host, port))
