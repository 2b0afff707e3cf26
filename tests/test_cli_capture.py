"""``barometre capture`` end to end, against a site served on loopback in a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from typer.testing import CliRunner

from barometre.cli.app import app
from barometre.net.warc import FACTS_TYPE, read_metadata
from barometre.storage import capture_repo
from barometre.storage.db import open_database

runner = CliRunner()


@pytest.fixture
def threaded_site() -> Iterator[int]:
    ready = threading.Event()
    state: dict[str, object] = {}

    async def page(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404)
        return web.Response(
            text='<a href="/mentions-legales">Mentions légales</a>', content_type="text/html"
        )

    def serve() -> None:
        loop = asyncio.new_event_loop()
        application = web.Application()
        application.router.add_route("GET", "/{tail:.*}", page)
        run = web.AppRunner(application)
        loop.run_until_complete(run.setup())
        site = web.TCPSite(run, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        state["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        state["loop"], state["runner"] = loop, run
        ready.set()
        loop.run_forever()
        loop.run_until_complete(run.cleanup())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield int(state["port"])  # type: ignore[call-overload]
    loop = state["loop"]
    assert isinstance(loop, asyncio.AbstractEventLoop)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_capture_command_runs_and_resumes(
    threaded_site: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    corrections = tmp_path / "sites.csv"
    corrections.write_text(
        f"type,code,website\ncommune,40192,http://127.0.0.1:{threaded_site}/\n", encoding="utf-8"
    )
    monkeypatch.setenv("BAROMETRE_CAPTURE_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("BAROMETRE_CAPTURE_PER_HOST_DELAY", "0")
    base = ["--data-dir", str(data)]
    assert (
        runner.invoke(app, [*base, "registry", "import", "--csv", str(corrections)]).exit_code == 0
    )
    first = runner.invoke(app, [*base, "capture", "--edition", "2026-11", "--only", "40192"])
    assert first.exit_code == 0, first.output
    assert "1 site capturé" in first.output and "ok : 1" in first.output
    engine = open_database(f"sqlite:///{data / 'barometre.sqlite3'}")
    assert capture_repo.completed_sites(engine, "2026-11") == {"commune:40192"}
    warc = data / "warc" / "2026-11" / "commune_40192.warc.gz"
    facts = read_metadata(warc, FACTS_TYPE)
    assert facts is not None and facts["dns"] is None  # an address has no DNS facts
    assert facts["tls"]["error"] or facts["tls"]["chain_valid"] is not True  # type: ignore[index]
    refused = runner.invoke(app, [*base, "capture", "--edition", "2026-11", "--only", "40192"])
    assert refused.exit_code != 0 and "--resume" in str(refused.exception)
    again = runner.invoke(
        app, [*base, "capture", "--edition", "2026-11", "--only", "40192", "--resume"]
    )
    assert again.exit_code == 0 and "0 site capturé, 1 déjà fait" in again.output
    bad = runner.invoke(app, [*base, "capture", "--edition", "novembre"])
    assert bad.exit_code != 0 and "AAAA-MM" in str(bad.exception)


def test_without_allowance_loopback_is_refused(
    threaded_site: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BAROMETRE_CAPTURE_ALLOW_NETWORKS", raising=False)
    data = tmp_path / "data"
    corrections = tmp_path / "sites.csv"
    corrections.write_text(
        f"type,code,website\ncommune,40192,http://127.0.0.1:{threaded_site}/\n", encoding="utf-8"
    )
    base = ["--data-dir", str(data)]
    runner.invoke(app, [*base, "registry", "import", "--csv", str(corrections)])
    result = runner.invoke(app, [*base, "capture", "--edition", "2026-11", "--only", "40192"])
    assert result.exit_code == 0, result.output
    assert "forbidden_address : 1" in result.output


def test_a_site_another_process_captures_is_left_and_said_so(
    threaded_site: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from barometre.storage import lease_repo

    data = tmp_path / "data"
    corrections = tmp_path / "sites.csv"
    corrections.write_text(
        f"type,code,website\ncommune,40192,http://127.0.0.1:{threaded_site}/\n", encoding="utf-8"
    )
    monkeypatch.setenv("BAROMETRE_CAPTURE_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("BAROMETRE_CAPTURE_PER_HOST_DELAY", "0")
    base = ["--data-dir", str(data)]
    assert (
        runner.invoke(app, [*base, "registry", "import", "--csv", str(corrections)]).exit_code == 0
    )
    engine = open_database(f"sqlite:///{data / 'barometre.sqlite3'}")
    capture_repo.ensure_edition(engine, "2026-11", "Édition 2026-11")
    other = lease_repo.LeaseOwner("autre-machine", 4242, "c" * 32, "ailleurs")
    assert lease_repo.acquire(engine, other, "2026-11", "commune:40192").held_by(other)
    left = runner.invoke(app, [*base, "capture", "--edition", "2026-11", "--only", "40192"])
    said = " ".join(left.output.split())
    assert left.exit_code == 0, left.output
    assert "0 site capturé" in said
    assert "1 site laissé de côté : un autre processus le capture en ce moment" in said
    assert "commune:40192 : capture par le processus 4242 sur autre-machine" in said
    listed = runner.invoke(app, [*base, "edition", "leases", "2026-11"])
    shown = " ".join(listed.output.split())
    assert listed.exit_code == 0 and "1 bail en cours" in shown
    assert "2026-11 — commune:40192 : capture par le processus 4242 sur autre-machine" in shown
    assert shown.endswith("(actif).")
    assert capture_repo.completed_sites(engine, "2026-11") == set()
    lease_repo.release(engine, other)
    done = runner.invoke(
        app, [*base, "capture", "--edition", "2026-11", "--only", "40192", "--resume"]
    )
    assert done.exit_code == 0 and "1 site capturé" in done.output
    assert capture_repo.completed_sites(engine, "2026-11") == {"commune:40192"}
    assert "Aucun bail" in runner.invoke(app, [*base, "edition", "leases"]).output
