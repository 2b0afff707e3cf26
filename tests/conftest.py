"""Shared fixtures: the raw open-data files, databases (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine

import network_guard
from barometre.storage.db import make_engine, upgrade

# Property tests judge answers, never speed: Hypothesis's 200 ms deadline per example (and
# its too-slow health check) fail on a loaded 2-core machine for no fault of the code.
settings.register_profile(
    "barometre", deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
settings.load_profile("barometre")

network_guard.install()


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    """A test that tried to connect outside the loopback fails, even when the code under
    test took the refusal as an unreachable site."""
    network_guard.attempts.clear()
    yield
    tried, network_guard.attempts[:] = list(network_guard.attempts), []
    assert not tried, f"connexion hors boucle locale tentée : {tried}"


REPO = Path(__file__).resolve().parents[1]
RAW = REPO.parent / "shared" / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    if not RAW.is_dir():
        pytest.skip(f"raw open-data files not found at {RAW} (../shared beside the clone)")
    return RAW


@pytest.fixture(scope="session")
def raw_registry(raw_dir: Path):  # type: ignore[no-untyped-def]
    """The registry built from the real raw files (once per session: ~5 s)."""
    from barometre.registry import build_from_raw

    return build_from_raw(raw_dir)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'barometre.sqlite3'}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1, or an external one given by URL."""
    external = os.environ.get("BAROMETRE_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    required = os.environ.get("BAROMETRE_REQUIRE_POSTGRES") == "1"
    bindir = _pg_bin()
    if bindir is None:
        if required:
            pytest.fail("PostgreSQL binaries not found but BAROMETRE_REQUIRE_POSTGRES=1")
        pytest.skip("PostgreSQL not installed (apt-get install postgresql)")
    workdir = Path(tempfile.mkdtemp(prefix="barometre-pg-"))
    datadir = workdir / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(workdir, "postgres")
        os.chmod(workdir, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "barometre",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    log = workdir / "server.log"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-l",
            str(log),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {workdir} -F",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    url = f"postgresql+psycopg://barometre@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """A fresh database on the session's server for each test."""
    from sqlalchemy import create_engine, text

    name = f"t_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_url.rsplit("/", 1)[0]
    engine = make_engine(f"{base}/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each storage test runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{request.getfixturevalue('tmp_path') / 'b.sqlite3'}")
    else:
        engine = request.getfixturevalue("postgres_engine")
    yield engine
    engine.dispose()


_real_getaddrinfo = socket.getaddrinfo


def _loopback_only_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Tests never resolve a real name: only localhost and loopback literals pass."""
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or name in ("localhost", "::1") or str(name).startswith("127."):
        return _real_getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"test network guard: refusing to resolve {name!r}")


@pytest.fixture(autouse=True)
def _no_real_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only_getaddrinfo)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Agreement per outside-reference source, printed after every run that measured it."""
    if not any(
        "test_outside_references" in report.nodeid
        for reports in terminalreporter.stats.values()
        for report in reports
        if hasattr(report, "nodeid")
    ):
        return
    from outside.gate import measure, sources, table

    terminalreporter.section("Références extérieures : accord par source")
    terminalreporter.write_line(table([measure(folder) for folder in sources()]))
