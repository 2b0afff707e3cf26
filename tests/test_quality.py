"""The package stays lint-clean, typed, and its layers keep their import contracts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.skip(f"{name} not installed (dev dependency group)")
        return found
    return str(path)


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--quiet", "src", "tests", "benchmarks"],
        ["ruff", "format", "--check", "--quiet", "src", "tests", "benchmarks"],
        ["lint-imports"],
        ["mypy"],
    ],
    ids=["ruff", "ruff-format", "import-linter", "mypy"],
)
def test_tool_passes(command: list[str]) -> None:
    proc = subprocess.run(
        [_tool(command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
