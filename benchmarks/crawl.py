"""Crawl benchmark: our fetcher against Scrapy on the same URL list, same politeness.

    uv run --group bench python benchmarks/crawl.py [--latency 0.05] [--copies 20]

The pages of the bundled sample web (``src/barometre/sampleweb/sites``) are served by
one loopback server listening on several loopback addresses (127.0.0.2, 127.0.0.3…),
one per site copy, so that per-host politeness applies as on the real web; each
response waits ``--latency`` seconds first. Each crawler runs in its own process (peak
RSS measured by the OS), fetches every URL once with per-host concurrency 1, the same
global concurrency, no delay beyond the latency, no retries, and reads whole bodies.
Prints pages/s and peak RSS of both, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
import multiprocessing
import resource
import sys
import time
import urllib.request
from pathlib import Path

from aiohttp import web

SITES = Path(__file__).resolve().parents[1] / "src" / "barometre" / "sampleweb" / "sites"
USER_AGENT = "BarometreNumeriqueTerritoires/bench (+http://contact.test/)"
DELAY = 0.001  # per-host delay for both crawlers, seconds


def site_files() -> list[tuple[str, Path]]:
    """(host, file) for every static file of the sample web."""
    files = []
    for site in sorted(p for p in SITES.iterdir() if p.is_dir()):
        for path in sorted(site.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".pdf", ".css"):
                files.append((site.name, path))
    return files


def serve(addresses: list[str], port: int, latency: float, ready: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    files = site_files()
    by_path = {f"/{host}/{path.relative_to(SITES / host)}": path for host, path in files}

    inflight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/__peak__":  # politeness check: most requests at once per host
            value = max(peak.values(), default=0)
            peak.clear()
            return web.Response(text=str(value))
        host = request.host
        inflight[host] = inflight.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), inflight[host])
        try:
            await asyncio.sleep(latency)
        finally:
            inflight[host] -= 1
        path = by_path.get(request.path)
        if path is None:
            return web.Response(status=404)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return web.Response(body=path.read_bytes(), content_type=ctype)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for address in addresses:
            await web.TCPSite(runner, address, port, backlog=1024).start()
        ready.set()  # type: ignore[attr-defined]
        await asyncio.Event().wait()

    asyncio.run(main())


def urls_for(addresses: list[str], port: int) -> list[str]:
    paths = [f"/{host}/{path.relative_to(SITES / host)}" for host, path in site_files()]
    return [f"http://{address}:{port}{p}" for address in addresses for p in paths]


def run_ours(urls: list[str], concurrency: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from barometre.net.fetcher import FetchConfig, Fetcher
    from barometre.net.guard import AddressPolicy
    from barometre.net.resolver import GuardedResolver

    config = FetchConfig(
        user_agent=USER_AGENT,
        per_host_concurrency=1,
        per_host_delay=DELAY,
        global_concurrency=concurrency,
        retries=0,
        total_timeout=60,
    )

    async def main() -> tuple[int, int]:
        resolver = GuardedResolver(AddressPolicy.allowing(["127.0.0.0/8"]))
        ok = size = 0
        async with Fetcher(config, resolver=resolver) as fetcher:
            results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        for r in results:
            ok += r.ok
            size += len(r.body)
        return ok, size

    start = time.perf_counter()
    ok, size = asyncio.run(main())
    elapsed = time.perf_counter() - start
    out.put(
        {
            "name": "barometre",
            "pages": ok,
            "bytes": size,
            "seconds": elapsed,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run_scrapy(urls: list[str], concurrency: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import scrapy
    from scrapy.crawler import CrawlerProcess

    counts = {"pages": 0, "bytes": 0}

    class ListSpider(scrapy.Spider):  # type: ignore[misc]
        name = "list"

        async def start(self):  # type: ignore[no-untyped-def]
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):  # type: ignore[no-untyped-def]
            counts["pages"] += 1
            counts["bytes"] += len(response.body)

    process = CrawlerProcess(
        settings={
            "USER_AGENT": USER_AGENT,
            "ROBOTSTXT_OBEY": False,
            "LOG_LEVEL": "ERROR",
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            # Measured here: with DOWNLOAD_DELAY = 0 Scrapy 2.19 sent up to 63 requests at once
            # to one host despite CONCURRENT_REQUESTS_PER_DOMAIN = 1; a 1 ms delay restores the
            # per-host limit (checked by the server's count below), and both crawlers get it.
            "DOWNLOAD_SLOTS": {
                u.split("/")[2].split(":")[0]: {"concurrency": 1, "delay": DELAY} for u in urls
            },
            "DOWNLOAD_DELAY": DELAY,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "RETRY_ENABLED": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "DOWNLOAD_TIMEOUT": 60,
            "HTTPERROR_ALLOW_ALL": False,
            "REACTOR_THREADPOOL_MAXSIZE": 4,
        }
    )
    process.crawl(ListSpider)
    start = time.perf_counter()
    process.start()
    elapsed = time.perf_counter() - start
    out.put(
        {
            "name": "scrapy",
            "pages": counts["pages"],
            "bytes": counts["bytes"],
            "seconds": elapsed,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def measure(target, urls: list[str], concurrency: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    proc = multiprocessing.Process(target=target, args=(urls, concurrency, queue))
    proc.start()
    result: dict[str, float] = queue.get(timeout=1800)
    proc.join()
    first = urls[0].split("/", 3)
    peak_url = f"{first[0]}//{first[2]}/__peak__"  # our own loopback server
    with urllib.request.urlopen(peak_url, timeout=10) as answer:  # noqa: S310
        result["peak_per_host"] = float(answer.read())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="per response, seconds")
    parser.add_argument("--copies", type=int, default=20, help="loopback hosts (site copies)")
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    multiprocessing.set_start_method("spawn")
    addresses = [f"127.0.0.{i}" for i in range(2, 2 + args.copies)]
    port = 18000 + (int(time.time()) % 1000)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve, args=(addresses, port, args.latency, ready), daemon=True
    )
    server.start()
    if not ready.wait(30):
        sys.exit("le serveur de test n'a pas démarré")
    urls = urls_for(addresses, port)
    print(
        f"{len(urls)} URL sur {len(addresses)} hôtes de bouclage, latence {args.latency}s, "
        f"concurrence {args.concurrency} (1 par hôte)"
    )
    try:
        rows = [
            measure(run_ours, urls, args.concurrency),
            measure(run_scrapy, urls, args.concurrency),
        ]
    finally:
        server.terminate()
    for row in rows:
        row["pages_per_s"] = row["pages"] / row["seconds"]
        print(
            f"{row['name']:>10} : {row['pages']:.0f} pages en {row['seconds']:.2f} s, "
            f"{row['pages_per_s']:.1f} pages/s, RSS max {row['rss_mb']:.0f} Mo, "
            f"au plus {row['peak_per_host']:.0f} requête(s) simultanée(s) par hôte"
        )
    ours, peer = rows
    print(f"rapport débit barometre/scrapy : {ours['pages_per_s'] / peer['pages_per_s']:.2f}")
    print(f"rapport mémoire barometre/scrapy : {ours['rss_mb'] / peer['rss_mb']:.2f}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
