"""The command line speaks French: its help boilerplate and its option errors (the
words Typer writes in English), and a release build refuses to go out without a
publisher, in a process of its own, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENGLISH = (
    "Usage",
    "Show this message",
    "No such option",
    "No such command",
    "Missing ",
    "Invalid value",
    "Value error",
    "Input should",
    "Did you mean",
    "Try ",
    "for help",
    "Commands",
    "Install completion",
    "[default",
    "[required]",
)


def barometre(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BAROMETRE_")}
    clean["COLUMNS"] = "200"  # one line per message: nothing cut by the panel's width
    return subprocess.run(
        [sys.executable, "-m", "barometre", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        check=False,
    )


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("publish", "--nope"), "Option inconnue : --nope"),
        (("serve", "--port", "abc"), "Valeur invalide pour --port : « abc » n'est pas un nombre"),
        (("capture", "--scope", "zz"), "« zz » n'est pas l'une des valeurs possibles"),
        (("demoo",), "Commande inconnue : demoo (vouliez-vous dire demo ?)"),
        (("explain",), "Argument obligatoire manquant"),
        (("serve", "--port"), "L'option --port attend une valeur"),
    ],
)
def test_option_errors_are_french(args: tuple[str, ...], expected: str) -> None:
    proc = barometre(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert expected in proc.stderr, proc.stderr
    assert "Erreur" in proc.stderr, proc.stderr
    assert english_in(proc.stderr) == [], proc.stderr


@pytest.mark.parametrize("args", [("--help",), ("demo", "--help"), ("registry", "--help")])
def test_help_boilerplate_is_french(args: tuple[str, ...]) -> None:
    proc = barometre(*args)
    assert proc.returncode == 0, proc.stderr
    assert "Utilisation : barometre" in proc.stdout
    assert "Afficher cette aide et quitter." in proc.stdout
    assert english_in(proc.stdout) == [], proc.stdout


def test_a_release_without_publisher_is_refused_before_anything_runs(tmp_path: Path) -> None:
    proc = barometre("--data-dir", str(tmp_path), "run", "--release", "--no-capture")
    assert proc.returncode != 0
    assert "Publication refusée" in proc.stderr, proc.stderr
    for setting in ("publish_publisher", "publish_director", "publish_host", "publish_contact"):
        assert setting in proc.stderr
    assert not (tmp_path / "barometre.sqlite3").exists()  # refused before the registry
    # a public address makes it a release too
    proc = barometre(
        "--data-dir",
        str(tmp_path),
        "run",
        "--no-capture",
        env={"BAROMETRE_PUBLISH_BASE_URL": "https://barometre.example.org/"},
    )
    assert "Publication refusée" in proc.stderr, proc.stderr
