"""One writer per (edition, collectivité): leases, concurrent captures, killed owners.

The captures are real processes (``capture_worker.py``), each serving its own copy of the
sample web on loopback, writing into one database (SQLite, then a real PostgreSQL) and
one WARC folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from warcio.archiveiterator import ArchiveIterator

from barometre.errors import StorageError
from barometre.pipeline.demo import sample_authorities
from barometre.storage import capture_repo, registry_repo
from barometre.storage.db import upgrade
from barometre.storage.schema import captures

WORKER = Path(__file__).with_name("capture_worker.py")
EDITION = "2026-11"
# The ordinary sample sites (the hostile ones test the crawler, not the leases).
IDS = [a.id for a in sample_authorities() if a.website and not a.code.startswith("992")]


def _prepare(engine: Engine) -> str:
    upgrade(engine)
    registry_repo.replace_registry(engine, sample_authorities(), "web d'exemple", {})
    capture_repo.ensure_edition(engine, EDITION, "Édition de test")
    return engine.url.render_as_string(hide_password=False)


def _worker(url: str, root: Path, ids: list[str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(root), EDITION, *ids, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=WORKER.parent,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[dict[str, object], list[str]]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    lines = [line for line in out.strip().splitlines() if line != "ready"]
    done = [line.split(" ", 1)[1] for line in lines if line.startswith("done ")]
    return json.loads(lines[-1]), done


def _reads_back(row: object) -> bool:
    """The index row finds its own record: exact bytes, one whole record, same URL,
    WARC digests verified (independent of the code under test)."""
    with open(row.warc_path, "rb") as handle:  # type: ignore[attr-defined]
        handle.seek(row.warc_offset)  # type: ignore[attr-defined]
        chunk = handle.read(row.warc_length)  # type: ignore[attr-defined]
    if len(chunk) != row.warc_length or hashlib.sha256(chunk).hexdigest() != row.sha256:  # type: ignore[attr-defined]
        return False
    try:
        records = ArchiveIterator(io.BytesIO(chunk), check_digests="raise")
        record = next(records)
        uri = record.rec_headers.get_header("WARC-Target-URI")
        records.read_to_end()
        return bool(uri == row.url and records.get_record_length() == len(chunk))  # type: ignore[attr-defined]
    except Exception:
        return False


def _index(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        return list(connection.execute(select(captures).where(captures.c.edition_id == EDITION)))


def test_two_processes_capture_one_edition_without_loss_or_damage(
    any_engine: Engine, tmp_path: Path
) -> None:
    url = _prepare(any_engine)
    root = tmp_path / "warc"
    go = tmp_path / "go"
    first = _worker(url, root, IDS, "--in-flight", "2", "--go", str(go))
    second = _worker(url, root, IDS, "--in-flight", "2", "--go", str(go))
    for process in (first, second):  # both serve their sample web: start them together
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    go.touch()
    (report_a, done_a), (report_b, done_b) = _finish(first), _finish(second)
    assert report_a["failed"] == [] and report_b["failed"] == []
    # No site lost, none captured twice: each one by exactly one of the two processes.
    assert sorted(done_a + done_b) == sorted(IDS)
    assert not set(done_a) & set(done_b)
    rows = _index(any_engine)
    plans = Counter(r.authority_id for r in rows if r.kind == "plan")  # type: ignore[attr-defined]
    assert plans == Counter(IDS)
    # Every index row reads back its own record.
    assert len(rows) > 5 * len(IDS)
    damaged = [(r.authority_id, r.url) for r in rows if not _reads_back(r)]  # type: ignore[attr-defined]
    assert damaged == []
    from barometre.capture.integrity import check_edition_archives
    from barometre.storage import lease_repo

    check = check_edition_archives(any_engine, EDITION)
    assert check.ok and check.sites == len(IDS) and check.records == len(rows)
    assert lease_repo.list_leases(any_engine) == []
    assert not list(root.rglob("*.part"))


def test_a_second_process_waits_for_the_sites_the_first_one_holds(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    from barometre.storage import lease_repo

    url = _prepare(sqlite_engine)
    root = tmp_path / "warc"
    # Another owner (on another machine) holds two sites; it releases them later.
    other = lease_repo.LeaseOwner("autre-machine", 4242, "f" * 32, "ailleurs")
    held = IDS[:2]
    for authority_id in held:
        assert lease_repo.acquire(sqlite_engine, other, EDITION, authority_id).held_by(other)
    without_wait = _worker(url, root, held, "--in-flight", "2")
    report, done = _finish(without_wait)
    assert done == [] and sorted(report["leased"]) == sorted(held)  # type: ignore[arg-type]
    waiting = _worker(url, root, held, "--in-flight", "2", "--wait")
    _wait_for(lambda: len(lease_repo.list_leases(sqlite_engine)) == 2)
    assert lease_repo.release(sqlite_engine, other) == 2
    report, done = _finish(waiting)
    assert sorted(done) == sorted(held) and report["leased"] == []


def _wait_for(condition: object, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.05)


def test_a_killed_owner_loses_its_lease_and_its_site_is_captured_again(
    any_engine: Engine, tmp_path: Path
) -> None:
    from barometre.capture.integrity import check_edition_archives
    from barometre.storage import lease_repo

    url = _prepare(any_engine)
    root = tmp_path / "warc"
    process = _worker(url, root, IDS, "--in-flight", "1")
    try:
        _wait_for(
            lambda: lease_repo.list_leases(any_engine, EDITION) and list(root.rglob("*.part"))
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    (lease,) = lease_repo.list_leases(any_engine, EDITION)
    # Visible: who held it (host, pid, token), since when and until when.
    assert lease.owner.pid == process.pid and len(lease.owner.token) == 32
    assert lease.owner.host and lease.task == "capture"
    assert lease.taken_at <= lease.renewed_at < lease.expires_at
    assert not lease.expired() and lease.owner.alive() is False
    assert not capture_repo.is_complete(any_engine, EDITION, lease.authority_id)
    # Its owner is gone from this machine: the next process takes the site at once,
    # removes what the dead writer left and captures it.
    survivor = _worker(url, root, IDS, "--in-flight", "2")
    report, done = _finish(survivor)
    assert lease.authority_id in done and report["failed"] == []
    assert capture_repo.completed_sites(any_engine, EDITION) == set(IDS)
    assert check_edition_archives(any_engine, EDITION).ok
    assert lease_repo.list_leases(any_engine) == [] and not list(root.rglob("*.part"))


def test_lease_api(any_engine: Engine) -> None:
    from barometre.errors import LeaseLostError
    from barometre.storage import lease_repo

    _prepare(any_engine)
    site = IDS[0]
    t0 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    here = lease_repo.LeaseOwner.current()
    # An owner on another machine: its pid cannot be checked here, only its expiry.
    far = lease_repo.LeaseOwner("autre-machine", here.pid, "a" * 32, "ailleurs")
    taken = lease_repo.acquire(any_engine, far, EDITION, site, ttl=60, now=t0)
    assert taken.held_by(far) and taken.expires_at == t0 + timedelta(seconds=60)
    assert far.alive() is None and here.alive() is True
    refused = lease_repo.acquire(any_engine, here, EDITION, site, ttl=60, now=t0)
    assert not refused.held_by(here) and refused.owner == far
    assert "autre-machine" in refused.describe()
    # Taking it again renews it; so does renew().
    again = lease_repo.acquire(
        any_engine, far, EDITION, site, ttl=60, now=t0 + timedelta(seconds=30)
    )
    assert again.held_by(far) and again.taken_at == t0
    assert again.expires_at == t0 + timedelta(seconds=90)
    (renewed,) = lease_repo.renew(any_engine, far, ttl=60, now=t0 + timedelta(seconds=50))
    assert renewed.expires_at == t0 + timedelta(seconds=110)
    too_soon = lease_repo.acquire(any_engine, here, EDITION, site, now=t0 + timedelta(seconds=109))
    assert not too_soon.held_by(here)
    # Expired: taken over, and the old owner can no longer write under it.
    late = lease_repo.acquire(
        any_engine, here, EDITION, site, ttl=60, now=t0 + timedelta(seconds=111)
    )
    assert late.held_by(here) and late.taken_at == t0 + timedelta(seconds=111)
    assert lease_repo.renew(any_engine, far, now=t0 + timedelta(seconds=112)) == []
    with (
        pytest.raises(LeaseLostError, match="repris"),
        lease_repo.held(any_engine, far, EDITION, site),
    ):
        pass
    with lease_repo.held(any_engine, here, EDITION, site):
        pass
    assert [lease.authority_id for lease in lease_repo.list_leases(any_engine, EDITION)] == [site]
    assert lease_repo.release(any_engine, far) == 0
    assert lease_repo.release(any_engine, here, EDITION, site) == 1
    assert lease_repo.list_leases(any_engine) == []
    with pytest.raises(StorageError, match="inconnue"):
        lease_repo.acquire(any_engine, here, "2031-01", site)


@pytest.mark.parametrize("expired", [False, True])
def test_one_owner_wins_when_many_take_the_same_lease_at_once(
    any_engine: Engine, expired: bool
) -> None:
    """Atomic on both databases: a free lease (INSERT … ON CONFLICT) and an expired one
    (conditional UPDATE) each go to exactly one of the owners racing for it."""
    from barometre.storage import lease_repo

    _prepare(any_engine)
    site = IDS[1]
    now = datetime.now(UTC)
    if expired:
        ghost = lease_repo.LeaseOwner("autre-machine", 1, "b" * 32, "ailleurs")
        lease_repo.acquire(any_engine, ghost, EDITION, site, ttl=1, now=now - timedelta(hours=1))
    owners = [lease_repo.LeaseOwner("hote", 1000 + i, f"{i:032x}", "ailleurs") for i in range(8)]
    barrier = threading.Barrier(len(owners))
    results: dict[str, bool] = {}

    def race(owner: lease_repo.LeaseOwner) -> None:
        barrier.wait()
        results[owner.token] = lease_repo.acquire(any_engine, owner, EDITION, site).held_by(owner)

    threads = [threading.Thread(target=race, args=(o,)) for o in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == len(owners) and sum(results.values()) == 1
    (lease,) = lease_repo.list_leases(any_engine, EDITION)
    assert results[lease.owner.token]


def test_owner_identity() -> None:
    from barometre.storage import lease_repo

    a, b = lease_repo.LeaseOwner.current(), lease_repo.LeaseOwner.current()
    assert a.token != b.token and a.pid == b.pid == os.getpid() and a.node == b.node
    assert a.describe() == f"processus {os.getpid()} sur {a.host}"


def test_a_second_demo_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    """The demonstration starts by deleting ``<data>/demo``: while one runs (here, a real
    process holding its folder), another one on the same data folder must not start."""
    from typer.testing import CliRunner

    from barometre.cli.app import app

    data = tmp_path / "data"
    kept = data / "demo" / "barometre.sqlite3"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"the running demo's database")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from barometre.pipeline.demo import only_demo\n"
            "with only_demo(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)",
            str(data / "demo"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = CliRunner().invoke(app, ["--data-dir", str(data), "demo", "--no-serve"])
        assert refused.exit_code != 0
        message = str(refused.exception)
        assert "Une autre démonstration utilise déjà" in message
        assert f"processus {holder.pid} sur" in message
        assert kept.read_bytes() == b"the running demo's database"
    finally:
        holder.kill()
        holder.communicate(timeout=60)
