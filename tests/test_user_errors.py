"""Bad surroundings and bad files give a French error naming the file, line or path, and
never a traceback (issue 13, item 7). Every case runs the real command in a process of
its own, as a user runs it, and reads what it prints on stderr."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from barometre.cli.app import main
from barometre.storage import registry_repo
from barometre.storage.db import open_database
from small_edition import EDITION, build_small_edition


def run(*args: str, read_only: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``barometre ARGS`` in a process of its own; ``read_only``: a folder it may not
    write (the process needs a mount namespace of its own for that when run as root)."""
    command = [sys.executable, "-m", "barometre", *args]
    if read_only is not None and os.geteuid() == 0:
        # root writes through permission bits: a read-only bind mount instead, in a mount
        # namespace of the command's own (nothing changes outside it)
        if shutil.which("unshare") is None:
            pytest.skip("unshare is needed to make a read-only folder for root")
        script = (
            'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
        )
        command = ["unshare", "-m", "sh", "-c", script, "sh", str(read_only), *command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAROMETRE_")}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if read_only is not None and "mount:" in proc.stderr:
        pytest.skip(f"no read-only bind mount here: {proc.stderr.strip()}")
    return proc


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``barometre ARGS`` through the command's entry point (:func:`main`), in this
    process: returns what the user sees. An exception that escapes it (a traceback)
    fails the test."""

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exit:
            code = int(exit.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["barometre", *args], code, out, err)

    return call


def assert_french_error(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "\nErreur : " in "\n" + proc.stderr, proc.stderr
    for text in expected:
        assert text in proc.stderr, (text, proc.stderr)


@contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """Permission bits for an ordinary user (root is handled by :func:`run`)."""
    mode = folder.stat().st_mode
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(mode)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    engine = open_database(f"sqlite:///{root / 'barometre.sqlite3'}")
    build_small_edition(engine)
    engine.dispose()
    return root


def database(data_dir: Path) -> Path:
    return data_dir / "barometre.sqlite3"


# --- the database ---------------------------------------------------------------------------


def test_a_file_that_is_not_a_database(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "donnees"
    folder.mkdir()
    fake = folder / "barometre.sqlite3"
    fake.write_bytes(b"type,code\ncommune,40192\n" * 200)
    proc = run("--data-dir", str(folder), "registry", "stats")
    assert_french_error(proc, f"{fake} : ce fichier n'est pas une base SQLite")
    proc = cli("--database-url", f"sqlite:///{fake}", "score", "--edition", EDITION)
    assert_french_error(proc, f"{fake} : ce fichier n'est pas une base SQLite")


def _damage_results(path: Path) -> None:
    """Overwrite the first page of the results table, as a disk fault would."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'check_results'"
        ).fetchone()
        (size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xff" * size)


def test_a_damaged_database_during_score(cli: Cli, data_dir: Path) -> None:
    _damage_results(database(data_dir))
    proc = cli("--data-dir", str(data_dir), "score", "--edition", EDITION)
    assert_french_error(proc, f"{database(data_dir)} : base de données endommagée", ".recover")


def test_social_import_on_a_locked_database(cli: Cli, data_dir: Path, tmp_path: Path) -> None:
    figures = tmp_path / "chiffres.csv"
    figures.write_text(
        "type,code,plateforme,compte,url,indicateur,valeur,date,note\n"
        "commune,99001,mastodon,ville,https://social.test/@ville,followers,120,2026-10-31,\n",
        encoding="utf-8",
    )
    holder = sqlite3.connect(database(data_dir), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
        holder.execute("UPDATE authorities SET name = name")
        # the URL's timeout (seconds) replaces the 30 s SQLite waits by default
        url = f"sqlite:///{database(data_dir)}?timeout=0.2"
        args = ["--database-url", url, "social", "import", str(figures), "--platform", "declare"]
        proc = cli(*args, "--edition", EDITION)
        assert_french_error(proc, f"{database(data_dir)} : base verrouillée")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    proc = cli(*args, "--edition", EDITION)  # the lock gone, the same command passes
    assert proc.returncode == 0, proc.stderr


def test_a_read_only_data_dir_is_named(data_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "ailleurs.sqlite3"
    shutil.copy(database(data_dir), elsewhere)
    url = f"sqlite:///{elsewhere}"
    out = data_dir / "registre.csv"
    with read_only_folder(data_dir):
        cases = [
            # the database in it cannot be opened for writing
            (["--data-dir", str(data_dir), "registry", "stats"], f"{database(data_dir)} : "),
            # a new database cannot be made in it
            (
                ["--data-dir", str(data_dir / "neuve"), "registry", "stats"],
                f"{data_dir / 'neuve'} : ",
            ),
            # the database elsewhere: what the command writes in the folder is named
            (["--database-url", url, "registry", "export", "-o", str(out)], f"{out} : "),
            (
                ["--data-dir", str(data_dir), "--database-url", url, "export", "-e", EDITION],
                f"{data_dir / 'exports' / EDITION}",
            ),
        ]
        for args, named in cases:
            proc = run(*args, read_only=data_dir)
            assert_french_error(proc, named)
            assert any(
                reason in proc.stderr
                for reason in ("lecture seule", "accès refusé", "droits", "impossible à ouvrir")
            ), proc.stderr


# --- files: malformed CSV, control characters -------------------------------------------


def _registry_names(data_dir: Path) -> dict[str, str]:
    engine: Engine = open_database(f"sqlite:///{database(data_dir)}")
    names = {a.id: a.name for a in registry_repo.load_authorities(engine)}
    engine.dispose()
    return names


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # a quote opened on line 3 and never closed: the file ends inside the field
        ('commune,99002,"Nouveau nom\ncommune,99003,Autre\n', 3, "guillemet ouvert jamais refermé"),
        # a 5 MB cell (a runaway quote in a damaged file)
        ('commune,99002,"' + "x" * 5_000_000 + '"\n', 3, "champ de plus de 1 Mio"),
        # a NUL byte in a name
        (
            "commune,99002,Nom\x00cach\u00e9\n",
            3,
            "caractère de contrôle U+0000 (NUL) dans « name »",
        ),
        ("commune,99002,\x1b[31mRouge\n", 3, "caractère de contrôle U+001B (ESC)"),
    ],
)
def test_registry_csv_errors_name_the_line(
    cli: Cli, data_dir: Path, tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text("type,code,name\ncommune,99001,Premier\n" + body, encoding="utf-8")
    before = _registry_names(data_dir)
    proc = cli("--data-dir", str(data_dir), "registry", "import", "--csv", str(path))
    assert_french_error(proc, f"{path}:{line} : {message}")
    assert _registry_names(data_dir) == before  # nothing stored, not even line 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('commune,99001,mastodon,ville,,followers,"120,2026-10-31,\n', "guillemet ouvert"),
        ("commune,99001,mastodon,vil\x00le,,followers,120,2026-10-31,\n", "U+0000 (NUL)"),
    ],
)
def test_social_import_errors_name_the_line(
    cli: Cli, data_dir: Path, tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "chiffres.csv"
    path.write_text(
        "type,code,plateforme,compte,url,indicateur,valeur,date,note\n"
        "commune,99002,mastodon,autre,,followers,12,2026-10-31,\n" + body,
        encoding="utf-8",
    )
    proc = cli(
        "--data-dir", str(data_dir), "social", "import", str(path), "--platform", "declare",
        "--edition", EDITION,
    )  # fmt: skip
    assert_french_error(proc, f"{path}:3 : ", message)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('commune,99001,presence.site_joignable,explication,"Le site,Mairie,2026-10-01,\n', "guillemet ouvert"),
        ("commune,99001,presence.site_joignable,explication,Texte\x00,Mairie,2026-10-01,\n", "U+0000 (NUL) dans « texte »"),
    ],
)  # fmt: skip
def test_explanation_import_errors_name_the_line(
    cli: Cli, data_dir: Path, tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "explications.csv"
    path.write_text(
        "type,code,critere,nature,texte,auteur,date,expire\n"
        "commune,99002,presence.site_joignable,explication,Travaux,Mairie,2026-10-01,\n" + body,
        encoding="utf-8",
    )
    proc = cli("--data-dir", str(data_dir), "explanation", "import", str(path))
    assert_french_error(proc, f"{path}:3 : ", message)
