"""One capture process of the concurrency tests (run as a script by test_capture_leases.py).

It serves its own copy of the sample web on loopback, in a thread, and captures the
sample collectivités given on the command line into the shared database and WARC
folder, with the real capture driver; it prints its report as one JSON line.

    python capture_worker.py DATABASE_URL WARC_ROOT EDITION ID… [--in-flight N] [--wait]
                             [--go FILE]

With ``--go``, it says ``ready`` once its sample web serves, and starts capturing when
FILE exists: two workers then start at the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from barometre.capture.run import Target, capture_edition
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import fetch_config, sample_authorities
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.storage.db import make_engine


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("warc_root", type=Path)
    parser.add_argument("edition")
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--in-flight", type=int, default=2)
    parser.add_argument("--wait", action="store_true")
    parser.add_argument("--go", type=Path)
    args = parser.parse_args()
    engine = make_engine(args.database_url)  # the test migrated it already
    wanted = set(args.ids)
    targets = [
        Target(a.id, a.website.url) for a in sample_authorities() if a.website and a.id in wanted
    ]
    with BackgroundSampleWeb(slow_drip_limit=10) as web:
        resolver = GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
            static_only=True,
        )
        if args.go is not None:
            print("ready", flush=True)
            while not args.go.exists():
                time.sleep(0.01)
        report = asyncio.run(
            capture_edition(
                engine,
                args.edition,
                targets,
                warc_root=args.warc_root,
                config=fetch_config(),
                resolver=resolver,
                ssl_context=web.client_ssl_context(),
                sites_in_flight=args.in_flight,
                **({"wait": True, "wait_interval": 0.2} if args.wait else {}),
                on_site=lambda target, site: print(f"done {target.authority_id}", flush=True),
            )
        )
    print(
        json.dumps(
            {
                "done": report.done,
                "skipped": report.skipped,
                "failed": report.failed,
                "leased": [lease.authority_id for lease in getattr(report, "leased", [])],
            }
        ),
        flush=True,
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
