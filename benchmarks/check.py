"""``barometre check`` benchmark: one site captured, audited, scored and its card written.

    uv run python benchmarks/check.py [--render] [--pdf] [--delay 1.0] [--sites 3] [--host H]

The bundled sample web is started on loopback; each of the first ``--sites`` sample
sites is checked once (a fresh working folder each time, as the command does), and the
wall time of each phase is printed: capture (with ``--delay`` seconds between two
requests to a host, the edition's politeness; 0 by default, the sample web's pace),
audit, score and card. The first site also pays for the imports and the template
compilation.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import barometre.outreach.check as check
from barometre.methodology import bundled
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import AGENT, SAMPLE_AS_OF, fetch_config
from barometre.sampleweb.background import BackgroundSampleWeb

PHASES: dict[str, float] = {}


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--sites", type=int, default=3)
    parser.add_argument("--host", action="append", help="sample host(s) to check (repeatable)")
    args = parser.parse_args()
    check.asyncio.run = timed("capture", check.asyncio.run)  # type: ignore[attr-defined]
    check.audit_edition = timed("audit", check.audit_edition)  # type: ignore[attr-defined]
    check.score_edition = timed("score", check.score_edition)  # type: ignore[attr-defined]
    check.SiteBuilder.cards_alone = timed("card", check.SiteBuilder.cards_alone)  # type: ignore[attr-defined,method-assign]
    with BackgroundSampleWeb() as web, tempfile.TemporaryDirectory() as folder:
        resolver = GuardedResolver(
            AddressPolicy.allowing(["127.0.0.1/32"]),
            static_hosts=web.host_map,
            port_map=web.port_map,
            static_only=True,
        )
        config = replace(fetch_config(), per_host_delay=args.delay)
        network = check.CheckNetwork(resolver, config, web.client_ssl_context(), agent=AGENT)
        hosts = sorted(site.host for site in web.sites if site.host.startswith("www."))
        for host in args.host or hosts[: args.sites]:
            PHASES.clear()
            report = check.check_url(
                f"https://{host}/",
                network=network,
                workdir=Path(folder) / "travail",
                out=Path(folder) / "bulletin",
                methodology=bundled(),
                render=args.render,
                pdf=args.pdf,
                as_of=SAMPLE_AS_OF,
            )
            phases = ", ".join(f"{k} {v:.1f} s" for k, v in PHASES.items())
            print(f"{host}: {report.seconds:.1f} s ({phases}); capture {report.outcome}")


if __name__ == "__main__":
    main()
