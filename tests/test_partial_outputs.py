"""Partial outputs never replace or pollute a published one (issue 13, items 4 and 5).

``publish --only … --pdf`` adds its cards to the published site and leaves every other
page in place; an export or a site build killed with SIGKILL leaves hidden partial files
or a half-built folder, which the next run removes and which are never published.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometre import files
from barometre.cli.app import app
from barometre.errors import UnknownAuthorityError
from barometre.storage import registry_repo
from barometre.storage.db import open_database
from small_edition import CODES, EDITION, build_small_edition, town

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    engine = open_database(f"sqlite:///{root / 'barometre.sqlite3'}")
    build_small_edition(engine)
    engine.dispose()
    return root


def invoke(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], catch_exceptions=True)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _partials(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if files.is_partial(p.name)]


def _card(code: str) -> str:
    return f"collectivites/commune/{code}.html"


# --- publish --only: the rest of the site stays -------------------------------------------


def test_publish_only_with_pdf_adds_one_card_and_keeps_the_rest_of_the_site(
    data_dir: Path,
) -> None:
    site = data_dir / "site" / EDITION
    full = invoke(data_dir, "publish", "--edition", EDITION)
    assert full.exit_code == 0, full.output
    before = _tree(site)
    assert all(_card(code) in before for code in CODES)

    # the README's command
    result = invoke(data_dir, "publish", "--edition", EDITION, "--only", "commune:99002", "--pdf")
    assert result.exit_code == 0, result.output
    assert "le reste du site est inchangé" in result.output
    after = _tree(site)
    # every page of the full build is still there, the other cards byte for byte
    assert set(before) <= set(after)
    changed = {path for path in before if after[path] != before[path]}
    assert changed <= {_card("99002")}
    assert set(after) - set(before) == {"pdf/commune-99002.pdf"}
    assert after["pdf/commune-99002.pdf"].startswith(b"%PDF")
    assert 'href="../../pdf/commune-99002.pdf"' in after[_card("99002")].decode()
    # every card a ranking links to exists
    ranking = (site / "classements").rglob("*.html")
    links = {
        m for page in ranking for m in re.findall(r'href="\.\./([^"#]+\.html)"', page.read_text())
    }
    cards = {link for link in links if link.startswith("collectivites/")}
    assert cards and all((site / link).is_file() for link in cards)
    assert not _partials(site)
    assert not site.with_name(site.name + ".en-cours").exists()


def test_publish_only_without_a_site_makes_a_site_of_its_own(data_dir: Path) -> None:
    result = invoke(data_dir, "publish", "--edition", EDITION, "--only", "commune:99001")
    assert result.exit_code == 0, result.output
    site = data_dir / "site" / EDITION
    assert (site / "index.html").is_file() and (site / _card("99001")).is_file()
    assert not (site / _card("99002")).exists()
    assert "ne contient que ces bulletins" in result.output


def test_publish_only_refuses_an_id_without_a_card(data_dir: Path) -> None:
    result = invoke(data_dir, "publish", "--edition", EDITION, "--only", "commune:75056")
    assert isinstance(result.exception, UnknownAuthorityError)
    assert "« commune:75056 »" in str(result.exception)
    assert not (data_dir / "site").exists()


def test_a_killed_partial_update_is_swept_by_the_next_one(data_dir: Path) -> None:
    site = data_dir / "site" / EDITION
    assert invoke(data_dir, "publish", "--edition", EDITION).exit_code == 0
    dead = _dead_pid()
    leftover = site / "pdf" / f".commune-99001.pdf.{dead}-0badcafe{files.SUFFIX}"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"%PDF-1.7 half")
    assert files.is_partial(leftover.name)
    result = invoke(data_dir, "publish", "--edition", EDITION, "--only", "commune:99001", "--pdf")
    assert result.exit_code == 0, result.output
    assert not leftover.exists() and not _partials(site)
    assert (site / "pdf" / "commune-99001.pdf").read_bytes().startswith(b"%PDF")


def _dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(proc.stdout)


# --- SIGKILL in the middle of an export or a site build -----------------------------------

_PAUSED_EXPORT = """
import signal, sys
from pathlib import Path
from barometre.methodology import bundled
from barometre.publish.exports import export_edition
from barometre.storage.db import open_database

def on_rows(table, rows):
    Path(sys.argv[3]).write_text(table)
    signal.pause()  # killed here, files half written

export_edition(open_database(sys.argv[1]), "2026-11", bundled(), Path(sys.argv[2]),
               ("csv", "json", "sqlite"), on_rows=on_rows)
"""

_PAUSED_BUILD = """
import signal, sys
from pathlib import Path
from barometre.methodology import bundled
from barometre.publish.site.builder import SiteBuilder
from barometre.storage.db import open_database

def on_card(authority_id):
    Path(sys.argv[3]).write_text(authority_id)
    signal.pause()  # killed here, the site half built

SiteBuilder(open_database(sys.argv[1]), "2026-11", Path(sys.argv[2]), bundled(),
            on_card=on_card).build()
"""


def _kill_when_paused(script: str, url: str, out: Path, tmp_path: Path) -> None:
    """Run ``script`` in a real process, and SIGKILL it once it says it is in the middle."""
    marker = tmp_path / "en-pause"
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", script, url, str(out), str(marker)])
    try:
        deadline = time.monotonic() + 300  # a guard against a hang, not a measure
        while not marker.exists():
            assert proc.poll() is None, "the process ended before its pause"
            assert time.monotonic() < deadline, "the process never reached its pause"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_an_export_killed_with_sigkill_is_cleaned_by_the_next_one_and_never_published(
    data_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{data_dir / 'barometre.sqlite3'}"
    exports = data_dir / "exports" / EDITION
    _kill_when_paused(_PAUSED_EXPORT, url, exports, tmp_path)
    left = _partials(exports)
    assert left and all(p.name.startswith(".") for p in left)  # hidden, half written
    assert not [p for p in exports.rglob("*") if p.is_file() and p not in left]

    # a site built now copies no partial file into donnees/
    built = invoke(data_dir, "publish", "--edition", EDITION)
    assert built.exit_code == 0, built.output
    site = data_dir / "site" / EDITION
    assert not _partials(site)
    assert not (site / "donnees").exists() or not any((site / "donnees").rglob("*.partiel"))

    # the next export removes them and writes complete files
    exported = invoke(data_dir, "export", "--edition", EDITION, "--format", "csv,json,sqlite")
    assert exported.exit_code == 0, exported.output
    assert not _partials(exports) and all(not p.exists() for p in left)
    assert (exports / "csv" / "resultats.csv").read_text("utf-8").count("\n") > 1
    # and the next site build publishes them, and only them
    built = invoke(data_dir, "publish", "--edition", EDITION)
    assert built.exit_code == 0, built.output
    published = _tree(site / "donnees")
    assert published == _tree(exports)
    assert "csv/resultats.csv" in published and not _partials(site)


def test_a_site_build_killed_with_sigkill_leaves_the_previous_site_and_is_cleaned(
    data_dir: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{data_dir / 'barometre.sqlite3'}"
    site = data_dir / "site" / EDITION
    assert invoke(data_dir, "publish", "--edition", EDITION).exit_code == 0
    before = _tree(site)
    _kill_when_paused(_PAUSED_BUILD, url, site, tmp_path)
    work = site.with_name(site.name + ".en-cours")
    assert work.is_dir()  # the half-built site, aside
    assert _tree(site) == before  # the published one untouched
    assert invoke(data_dir, "publish", "--edition", EDITION).exit_code == 0
    assert not work.exists() and all(_card(code) in _tree(site) for code in CODES)


def test_a_site_whose_swap_was_killed_between_renames_comes_back(data_dir: Path) -> None:
    site = data_dir / "site" / EDITION
    assert invoke(data_dir, "publish", "--edition", EDITION).exit_code == 0
    old = site.with_name(site.name + ".ancien")
    site.rename(old)  # killed after moving the old site aside, before the new one came in
    result = invoke(data_dir, "publish", "--edition", EDITION, "--only", "commune:99001")
    assert result.exit_code == 0, result.output
    assert not old.exists() and all((site / _card(code)).is_file() for code in CODES)


def test_the_sweep_spares_the_files_of_a_writer_still_running(tmp_path: Path) -> None:
    final = tmp_path / "a" / "table.csv"
    mine = files.partial_path(final)
    mine.parent.mkdir(parents=True)
    mine.write_text("en cours")
    gone = final.with_name(f".table.csv.{_dead_pid()}-00ff{files.SUFFIX}")
    gone.write_text("abandonné")
    legacy = final.with_name(f".table.csv.00ff00ff{files.SUFFIX}")  # before pids were named
    legacy.write_text("abandonné")
    assert sorted(files.sweep(tmp_path)) == sorted([gone, legacy])
    assert mine.exists()
    files.write_atomic(final, b"complet")
    assert final.read_bytes() == b"complet" and sorted(_partials(tmp_path)) == [mine]


def test_a_killed_registry_export_leaves_nothing_after_the_next(tmp_path: Path) -> None:
    out = tmp_path / "registre [copie].csv"
    other = tmp_path / f".autre.csv.{_dead_pid()}-00ff{files.SUFFIX}"
    other.write_text("à un autre fichier")
    leftover = out.with_name(f".{out.name}.{_dead_pid()}-00ff{files.SUFFIX}")
    leftover.write_text("type,code\nregion,9")
    data = tmp_path / "data"
    engine = open_database(f"sqlite:///{data / 'barometre.sqlite3'}")
    registry_repo.replace_registry(engine, [town("99001", 100)], "test", {})
    engine.dispose()
    result = invoke(data, "registry", "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "commune:99001" in out.read_text("utf-8")
    assert not leftover.exists() and other.exists()  # only its own leftovers
