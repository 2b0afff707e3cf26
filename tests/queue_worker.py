"""One worker process of the task-queue tests (run as a script by test_workers.py).

It serves its own copy of the sample web on loopback, in a thread, and runs a real
``barometre`` worker (Procrastinate, on the PostgreSQL the settings name through the
``BAROMETRE_*`` environment) whose network is that sample web. It prints ``ready``
once the worker is about to take tasks.

    python queue_worker.py WARC_ROOT [--concurrency N]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import dns.asyncresolver

from barometre.capture.run import FactsConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import AGENT, fetch_config, sample_social_config
from barometre.sampleweb import SampleWeb
from barometre.sampleweb.background import BackgroundSampleWeb
from barometre.settings import load_settings
from barometre.workers.archives import SharedFolder
from barometre.workers.network import Network
from barometre.workers.run import run_worker


def sample_network(web: SampleWeb) -> Network:
    """The sample web as the workers (and the single-process reference) reach it."""
    facts = None
    if web.dns is not None:
        names = dns.asyncresolver.Resolver(configure=False)
        names.nameservers, names.port = web.dns.nameservers, web.dns.port
        facts = FactsConfig(dns=names, trust=web.client_ssl_context(), timeout=2)
    # The demo's settings, with room for a loaded machine (the workers share its cores
    # with their own sample webs): a slow answer must not change what is captured.
    patient = replace(fetch_config(), connect_timeout=20, read_timeout=20, total_timeout=30)
    return Network(
        fetch=patient,
        resolver=GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
            static_only=True,
        ),
        ssl_context=web.client_ssl_context(),
        facts=facts,
        social=sample_social_config(),
        social_fetch=patient,
        agent=AGENT,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("warc_root", type=Path)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    settings = load_settings()
    with BackgroundSampleWeb(with_dns=True, slow_drip_limit=10) as web:
        run_worker(
            settings,
            concurrency=args.concurrency,
            network=sample_network(web),
            archives=SharedFolder(args.warc_root),
            finish_poll=0.5,
            runtime=lambda _: print("ready", flush=True),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
