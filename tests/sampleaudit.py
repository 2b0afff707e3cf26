"""Capture the sample web once and audit it (shared by the quality gate and developers).

Developers: ``uv run python tests/sampleaudit.py /tmp/sample [--render] [--recapture]``
captures the sample web into ``/tmp/sample`` (SQLite + WARC) unless it is already there,
audits it, and prints every result as ``host  check  status  value  reason``. Use
``--check ID`` to see one criterion, ``--host HOST`` to see one site.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from pathlib import Path

from sqlalchemy import Engine

from barometre.audit import audit_edition
from barometre.checks.engine import Audit
from barometre.methodology import bundled
from barometre.models import CheckResult, Finding
from barometre.pipeline.demo import SAMPLE_AS_OF, capture_sample, sample_authorities
from barometre.sampleweb import SampleWeb
from barometre.storage import audit_repo, capture_repo
from barometre.storage.db import open_database

EDITION = "demo-test"


def hosts_by_authority() -> dict[str, str]:
    out = {}
    for authority in sample_authorities():
        site = authority.website
        out[authority.id] = site.host if site else f"(sans site) {authority.code}"
    return out


async def capture(engine: Engine, warc_root: Path, *, render: bool) -> None:
    async with SampleWeb(with_dns=True, slow_drip_limit=20) as web:
        result = await capture_sample(engine, web, warc_root, EDITION, render=render)
    assert not result.report.failed, result.report.failed


def audit_all(engine: Engine) -> dict[str, Audit]:
    """Audit the captured sample edition; results per authority id (read back from storage)."""
    audit_edition(engine, EDITION, bundled(), as_of=SAMPLE_AS_OF)
    out: dict[str, Audit] = {}
    results: dict[str, list[CheckResult]] = {}
    for result, _ in audit_repo.load_results(engine, EDITION):
        results.setdefault(result.authority_id, []).append(result)
    for aid, items in results.items():
        found: list[Finding] = audit_repo.load_findings(engine, EDITION, aid)
        out[aid] = Audit(items, found)
    return out


def prepare(folder: Path, *, render: bool, recapture: bool = False) -> Engine:
    if recapture and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    engine = open_database(f"sqlite:///{folder / 'barometre.sqlite'}")
    if not capture_repo.completed_sites(engine, EDITION):
        asyncio.run(capture(engine, folder / "warc", render=render))
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--render", action="store_true")
    parser.add_argument("--recapture", action="store_true")
    parser.add_argument("--check", action="append")
    parser.add_argument("--host", action="append")
    parser.add_argument("--findings", action="store_true")
    args = parser.parse_args(argv)
    engine = prepare(args.folder, render=args.render, recapture=args.recapture)
    audits = audit_all(engine)
    hosts = hosts_by_authority()
    for aid, audit in sorted(audits.items(), key=lambda kv: hosts.get(kv[0], kv[0])):
        host = hosts.get(aid, aid)
        if args.host and host not in args.host:
            continue
        for r in audit.results:
            if args.check and r.check_id not in args.check:
                continue
            value = "" if r.value is None else f"{r.value:.2f}"
            print(f"{host:40} {r.check_id:38} {r.status.value:15} {value:5} {r.reason or ''}")
        if args.findings:
            for f in audit.findings:
                print(f"{host:40} finding {f.category}:{f.name} {f.url or ''} {f.handle or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
