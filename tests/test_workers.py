"""Workers on the task queue: real PostgreSQL, real worker processes, ``kill -9``.

Each worker is a process (``queue_worker.py``) serving its own copy of the sample web on
loopback and running a real Procrastinate worker on a PostgreSQL server started on
127.0.0.1 by the test session. No assertion depends on time: the tests poll with
generous limits.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from barometre.audit import audit_edition, audit_social
from barometre.capture.integrity import check_edition_archives
from barometre.capture.run import Target, capture_edition
from barometre.methodology import bundled
from barometre.pipeline import social as social_stage
from barometre.pipeline.core import Setup
from barometre.pipeline.demo import sample_authorities
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.settings import Settings, load_settings
from barometre.storage import capture_repo, edition_repo, lease_repo, registry_repo, work_repo
from barometre.storage.db import make_engine, upgrade
from barometre.storage.schema import captures, check_results
from barometre.workers.edition import edition_status, enqueue_edition
from barometre.workers.tasks import social_moment
from queue_worker import sample_network

WORKER = Path(__file__).with_name("queue_worker.py")
EDITION = "2026-11"
AS_OF = "2025-03-20"
# The ordinary sample collectivités (the hostile sites test the crawler, not the queue).
ORDINARY = [a for a in sample_authorities() if not a.code.startswith("992")]
SITES = sorted(a.id for a in ORDINARY if a.website)


def _settings(url: str, data: Path) -> Settings:
    return load_settings(database_url=url, data_dir=data)


def _env(url: str, data: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BAROMETRE_DATABASE_URL=url,
        BAROMETRE_DATA_DIR=str(data),
        BAROMETRE_WORKERS_HEARTBEAT="0.5",
        BAROMETRE_WORKERS_STALLED_AFTER="8",
        BAROMETRE_WORKERS_STALLED_CRON="* * * * * *",  # every second
        BAROMETRE_WORKERS_MAX_ATTEMPTS="4",
        BAROMETRE_WORKERS_RETRY_WAIT="1",
        **extra,
    )
    return env


def _start(env: dict[str, str], root: Path, count: int) -> list[subprocess.Popen[str]]:
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(root), "--concurrency", "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=WORKER.parent,
            env=env,
        )
        for _ in range(count)
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == "ready\n", process.stderr.read() if process.stderr else line
    return processes


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    """Worker processes the test starts; stopped (SIGTERM, then SIGKILL) at the end."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate(timeout=60)


def _prepare(engine: Engine) -> str:
    upgrade(engine)
    registry_repo.replace_registry(engine, ORDINARY, "web d'exemple", {})
    return engine.url.render_as_string(hide_password=False)


def _wait_for(condition: Callable[[], Any], limit: float = 900, what: str = "") -> Any:
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"condition never met: {what}"
        time.sleep(0.05)


def _results(engine: Engine, edition: str = EDITION) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                check_results.c.authority_id,
                check_results.c.check_id,
                check_results.c.status,
                check_results.c.value,
                check_results.c.reason,
            ).where(check_results.c.edition_id == edition)
        )
        return sorted((a, c, s, None if v is None else round(v, 9), r) for a, c, s, v, r in rows)


def _plans(engine: Engine, edition: str = EDITION) -> Counter[str]:
    with engine.connect() as connection:
        return Counter(
            connection.scalars(
                select(captures.c.authority_id).where(
                    captures.c.edition_id == edition, captures.c.kind == "plan"
                )
            )
        )


def _single_process(tmp_path: Path) -> list[tuple[Any, ...]]:
    """The embedded default on the same collectivités: one process, SQLite."""
    engine = make_engine(f"sqlite:///{tmp_path / 'single.sqlite3'}")
    upgrade(engine)
    registry_repo.replace_registry(engine, ORDINARY, "web d'exemple", {})
    capture_repo.ensure_edition(engine, EDITION, "Édition de test")
    targets = [Target(a.id, a.website.url) for a in ORDINARY if a.website]
    with BackgroundSampleWeb(with_dns=True, slow_drip_limit=10) as web:
        network = sample_network(web)
        report = asyncio.run(
            capture_edition(
                engine,
                EDITION,
                targets,
                warc_root=tmp_path / "single-warc",
                config=network.fetch,
                resolver=network.resolver,
                ssl_context=network.ssl_context,
                agent=network.agent,
                facts=network.facts,
            )
        )
        assert report.failed == [] and report.done == len(targets)
        audit_edition(engine, EDITION, bundled(), as_of=date.fromisoformat(AS_OF))
        # The social stage, then the social criteria, as ``barometre run`` orders them.
        moment = social_moment({"as_of": AS_OF})
        social = social_stage.read_accounts(
            Setup(load_settings(data_dir=tmp_path / "single"), engine),
            EDITION,
            social_stage.build_targets(engine, EDITION),
            config=network.social,
            as_of=moment,
            network=social_stage.Network(
                resolver=network.resolver,
                ssl_context=network.ssl_context,
                fetch_config=network.social_fetch,
            ),
            warc_root=tmp_path / "single-warc",
        )
    assert social.authorities
    audit_social(engine, EDITION, bundled(), sorted(social.authorities), as_of=moment.date())
    results = _results(engine)
    engine.dispose()
    return results


def _settled(engine: Engine, edition: str = EDITION) -> bool:
    return edition_status(engine, edition).finished


def test_two_workers_capture_and_audit_like_one_process(
    postgres_engine: Engine, tmp_path: Path, workers: list[subprocess.Popen[str]]
) -> None:
    url = _prepare(postgres_engine)
    data, root = tmp_path / "data", tmp_path / "warc"
    workers += _start(_env(url, data), root, 2)
    queued = enqueue_edition(
        _settings(url, data), postgres_engine, EDITION, authorities=ORDINARY, as_of=AS_OF
    )
    assert queued.authorities == len(ORDINARY) and queued.sites == len(SITES)
    assert queued.jobs == len(ORDINARY)  # one first task per collectivité
    _wait_for(lambda: _settled(postgres_engine), what="edition closed")
    status = edition_status(postgres_engine, EDITION)
    assert status.problems == [] and status.closing == work_repo.DONE
    assert status.count("capture", work_repo.DONE) == len(SITES)
    assert status.count("audit", work_repo.DONE) == len(ORDINARY)
    settled, total = status.progress()
    assert settled == total == len(SITES) + len(ORDINARY) + status.total("social")
    assert status.count("social", work_repo.DONE) == status.total("social") > 0
    assert (data / "site" / EDITION / "index.html").is_file()
    # Both workers took part.
    doers = {item.worker for item in work_repo.items(postgres_engine, EDITION)}
    assert {f"processus {p.pid}" for p in workers} <= {d.split(" sur ")[0] for d in doers if d}
    # Every site captured once, its archive whole; no lease nor temporary file left.
    assert _plans(postgres_engine) == Counter(SITES)
    assert check_edition_archives(postgres_engine, EDITION).ok
    assert lease_repo.list_leases(postgres_engine) == [] and not list(root.rglob("*.part"))
    # The same results as the embedded default, criterion by criterion.
    spread = _results(postgres_engine)
    assert len(spread) > 20 * len(ORDINARY)
    single = _single_process(tmp_path)
    differences = sorted(set(spread) ^ set(single))
    assert not differences, "\n".join(map(str, differences[:40]))
    assert spread == single
    # Scores and exports of the closing step.
    assert (data / "exports" / EDITION / "csv").is_dir()
    # Queued again: nothing to do, nothing done twice.
    again = enqueue_edition(
        _settings(url, data), postgres_engine, EDITION, authorities=ORDINARY, as_of=AS_OF
    )
    assert again.jobs == 0
    _wait_for(lambda: _settled(postgres_engine), what="edition closed again")
    assert _plans(postgres_engine) == Counter(SITES)


def test_a_worker_killed_mid_task_loses_and_duplicates_nothing(
    postgres_engine: Engine, tmp_path: Path, workers: list[subprocess.Popen[str]]
) -> None:
    url = _prepare(postgres_engine)
    data, root = tmp_path / "data", tmp_path / "warc"
    workers += _start(_env(url, data), root, 2)
    victim, survivor = workers
    # The edition is queued and followed by the command a user runs.
    follower = subprocess.Popen(
        [sys.executable, "-m", "barometre", "run", "--workers", "--scope", "all", "-e", EDITION],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(url, data),
    )

    def victim_lease() -> lease_repo.Lease | None:
        held = [x for x in lease_repo.list_leases(postgres_engine) if x.owner.pid == victim.pid]
        return held[0] if held else None

    # The victim holds a collectivité's lease: it is in the middle of that task.
    lease = _wait_for(victim_lease, what="the victim works")
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    out, err = follower.communicate(timeout=900)
    assert follower.returncode == 0, err[-3000:]
    assert f"Édition {EDITION} confiée aux workers : {len(ORDINARY)} collectivités" in err
    assert f"Capture : {len(SITES)} terminées (sur {len(SITES)})" in out
    assert "Clôture de l'édition : 1 terminée (sur 1)" in out
    assert _settled(postgres_engine)
    status = edition_status(postgres_engine, EDITION)
    assert status.problems == [] and status.closing == work_repo.DONE
    # The interrupted task was done again by the survivor, after the victim's attempt.
    (item,) = [
        i
        for i in work_repo.items(postgres_engine, EDITION)
        if i.authority_id == lease.authority_id and i.task == lease.task
    ]
    assert item.state == work_repo.DONE and item.attempts >= 2
    assert item.worker is not None and item.worker.startswith(f"processus {survivor.pid} ")
    # Nothing lost, nothing twice.
    assert _plans(postgres_engine) == Counter(SITES)
    assert status.count("audit", work_repo.DONE) == len(ORDINARY)
    assert check_edition_archives(postgres_engine, EDITION).ok
    assert lease_repo.list_leases(postgres_engine) == [] and not list(root.rglob("*.part"))
    audited = {row[0] for row in _results(postgres_engine) if row[1] == "presence.site_joignable"}
    assert set(SITES) <= audited


def test_the_monthly_schedule_runs_a_whole_edition(
    postgres_engine: Engine, tmp_path: Path, workers: list[subprocess.Popen[str]]
) -> None:
    url = _prepare(postgres_engine)
    data, root = tmp_path / "data", tmp_path / "warc"
    # An accelerated clock: the "monthly" schedule fires every two seconds.
    env = _env(
        url,
        data,
        BAROMETRE_SCHEDULE_ENABLED="1",
        BAROMETRE_SCHEDULE_CRON="* * * * * */2",
        BAROMETRE_SCHEDULE_KINDS='["region", "departement", "epci", "commune"]',
    )
    before = datetime.now(UTC)
    workers += _start(env, root, 2)

    def frozen() -> str | None:
        for edition in edition_repo.list_editions(postgres_engine):
            if edition.frozen_at is not None:
                return edition.id
        return None

    edition = _wait_for(frozen, what="an edition frozen by the schedule")
    _wait_for(lambda: _settled(postgres_engine, edition), what="its exports and site")
    assert edition in {f"{before:%Y-%m}", f"{datetime.now(UTC):%Y-%m}"}
    status = edition_status(postgres_engine, edition)
    assert status.closing == work_repo.DONE and status.problems == []
    assert status.count("capture", work_repo.DONE) == len(SITES)
    assert _plans(postgres_engine, edition) == Counter(SITES)
    assert check_edition_archives(postgres_engine, edition).ok
    # Scored, exported, frozen; the schedule firing again leaves it as it is.
    from barometre.storage import score_repo

    assert score_repo.load_scores(postgres_engine, edition, scope="global")
    assert (data / "exports" / edition / "csv").is_dir()
    assert (data / "editions" / edition / "manifest.json").is_file()
    assert (data / "site" / edition / "index.html").is_file()
    assert edition_repo.get_edition(postgres_engine, edition).frozen_at is not None


def test_status_command_says_what_is_done_running_and_failed(
    postgres_engine: Engine, tmp_path: Path
) -> None:
    from barometre.cli.app import app

    url = _prepare(postgres_engine)
    capture_repo.ensure_edition(postgres_engine, EDITION, "Édition de test")
    first, second, third = SITES[:3]
    work_repo.plan(postgres_engine, EDITION, [(a, "capture") for a in SITES[:3]])
    work_repo.mark(postgres_engine, EDITION, first, "capture", work_repo.DONE)
    work_repo.mark(
        postgres_engine, EDITION, second, "capture", work_repo.RUNNING, worker="processus 7 sur h"
    )
    work_repo.mark(
        postgres_engine,
        EDITION,
        third,
        "capture",
        work_repo.FAILED,
        attempts=4,
        message="Capture impossible : délai dépassé",
    )
    result = CliRunner().invoke(
        app, ["--database-url", url, "--data-dir", str(tmp_path), "status", EDITION]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Capture" in out and "1 terminée" in out and "1 en cours" in out
    assert "1 en échec" in out
    assert f"{third}" in out and "Capture impossible : délai dépassé" in out and "4 essais" in out
    assert f"{second}" in out and "processus 7 sur h" in out


def test_workers_need_postgresql_and_valid_settings(tmp_path: Path) -> None:
    from procrastinate.jobs import Job

    from barometre.cli.app import app
    from barometre.errors import ConfigurationError
    from barometre.workers.queue import Backoff, LeaseBusy, conninfo

    with pytest.raises(ConfigurationError, match="PostgreSQL partagée"):
        conninfo(load_settings(data_dir=tmp_path))
    refused = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "worker"])
    assert refused.exit_code != 0 and "PostgreSQL" in str(refused.exception)
    assert conninfo(load_settings(database_url="postgresql+psycopg://u:p@127.0.0.1:5433/b")) == (
        "postgresql://u:p@127.0.0.1:5433/b"
    )
    with pytest.raises(ConfigurationError, match="cron invalide « le premier du mois »"):
        load_settings(schedule_cron="le premier du mois")
    with pytest.raises(ConfigurationError, match="type inconnu « canton »"):
        load_settings(schedule_kinds=["canton"])
    # Backoff: doubling waits, a limit on attempts, none on a lease held elsewhere.
    strategy = Backoff(max_attempts=3, base=2)

    def job(attempts: int) -> Job:
        return Job(
            id=1,
            queue="capture",
            lock=None,
            queueing_lock=None,
            task_name="barometre.capture",
            task_kwargs={},
            attempts=attempts,
        )

    waits = [strategy.get_retry_decision(exception=OSError(), job=job(n)) for n in range(3)]
    assert [w.retry_at is not None for w in waits[:2]] == [True, True] and waits[2] is None
    assert waits[0] is not None and waits[1] is not None and waits[0].retry_at < waits[1].retry_at
    assert strategy.will_retry(LeaseBusy("pris"), job(10))
