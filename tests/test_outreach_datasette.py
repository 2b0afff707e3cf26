"""``barometre serve --datasette``: the edition's SQLite export in Datasette, read-only on
loopback, queried from Debian's Chromium (a canned query of the export's metadata, and a
query with a parameter), its answers compared with the database itself."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from typer.testing import CliRunner

from barometre.capture.render import CHROMIUM
from barometre.cli.app import app
from barometre.outreach.explore import datasette_available, find_export
from barometre.publish.datasette import QUERIES
from barometre.publish.exports import export_edition
from barometre.storage.db import open_database
from test_exports import EDITION, GRID, build_small
from test_site_browser import BROWSER_ARGS

pytestmark = [
    pytest.mark.skipif(not datasette_available(), reason="extra datasette absent"),
    pytest.mark.skipif(
        os.environ.get("BAROMETRE_REQUIRE_CHROMIUM") != "1" and shutil.which(CHROMIUM) is None,
        reason="Debian chromium not installed",
    ),
]
DATABASE = f"barometre-{EDITION}"


@dataclass
class Live:
    base: str
    database: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("datasette")
    engine = open_database(f"sqlite:///{data / 'barometre.sqlite3'}")
    build_small(engine)
    export_edition(engine, EDITION, GRID, data / "exports" / EDITION, ("sqlite",))
    engine.dispose()
    port = free_port()
    command = [sys.executable, "-m", "barometre", "--data-dir", str(data), "serve"]
    command += ["--datasette", "--edition", EDITION, "--port", str(port)]
    process = subprocess.Popen(command, start_new_session=True)  # its Datasette child too
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "-/versions.json", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Datasette n'a pas démarré") from None
                time.sleep(0.3)
        yield Live(base, find_export(data / "exports", EDITION).database)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)


def test_a_canned_query_answers_in_the_browser(live: Live) -> None:
    with sqlite3.connect(f"file:{live.database}?mode=ro", uri=True) as db:
        expected = [
            [str(cell) for cell in row] for row in db.execute(QUERIES["notes_par_groupe"]["sql"])
        ]
    assert expected
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        try:
            tab = browser.new_page(locale="fr-FR")
            tab.set_default_timeout(20_000)
            tab.goto(live.base + DATABASE, wait_until="load")
            # the database page lists the canned queries of the export's metadata
            tab.get_by_role("link", name=QUERIES["notes_par_groupe"]["title"]).click()
            tab.wait_for_selector("table.rows-and-columns")
            assert QUERIES["notes_par_groupe"]["title"] in tab.locator("h1").inner_text()
            rows = tab.eval_on_selector_all(
                "table.rows-and-columns tbody tr",
                "trs => trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))",
            )
            assert rows == expected
            # a query with a parameter: one collectivité's results
            wanted = "commune:99001"
            tab.goto(
                f"{live.base}{DATABASE}/resultats_collectivite?collectivite={wanted}",
                wait_until="load",
            )
            tab.wait_for_selector("table.rows-and-columns")
            criteria = tab.eval_on_selector_all(
                "table.rows-and-columns tbody td.col-critere", "tds => tds.map(td => td.innerText)"
            )
            with sqlite3.connect(f"file:{live.database}?mode=ro", uri=True) as db:
                stored = [
                    r[0]
                    for r in db.execute(
                        "select critere from resultats where collectivite = ? order by critere",
                        (wanted,),
                    )
                ]
            assert criteria == stored and stored
        finally:
            browser.close()


def test_the_database_cannot_be_written(live: Live) -> None:
    before = live.database.stat().st_mtime_ns
    query = "update scores set score = 100"
    url = f"{live.base}{DATABASE}.json?sql={urllib.request.quote(query)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            body = answer.read().decode()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode()
    assert "SELECT" in body or "select" in body  # refused: only reading statements
    assert live.database.stat().st_mtime_ns == before


def test_without_an_export_the_command_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "serve", "--datasette", "--edition", "2026-10"]
    )
    assert result.exit_code != 0
    assert "barometre export --edition 2026-10 --format sqlite" in str(result.exception)
