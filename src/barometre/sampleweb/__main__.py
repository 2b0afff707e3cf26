"""``python -m barometre.sampleweb``: run the sample web (and its DNS) until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from barometre.sampleweb.server import LOOPBACK, SampleWeb


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m barometre.sampleweb",
        description="Lance le web d'essai du Baromètre (sites fictifs et hostiles) sur 127.0.0.1.",
    )
    parser.add_argument("--port-http", type=int, default=0, help="port HTTP (défaut : libre)")
    parser.add_argument("--port-https", type=int, default=0, help="port HTTPS (défaut : libre)")
    parser.add_argument("--port-dns", type=int, default=0, help="port DNS (défaut : libre)")
    parser.add_argument(
        "--duree",
        type=float,
        default=None,
        help="s'arrêter au bout de ce nombre de secondes (défaut : jusqu'à Ctrl-C)",
    )
    return parser


def describe(web: SampleWeb) -> str:
    lines = [f"Web d'essai du Baromètre numérique des territoires — {len(web.sites)} sites", ""]
    width = max(len(site.host) for site in web.sites)
    for site in web.sites:
        scheme = "https" if site.https else "http "
        aliases = f"  (alias : {', '.join(site.aliases)})" if site.aliases else ""
        lines.append(
            f"  {scheme}  {site.host:<{width}}  {site.kind:<12} attendu : {site.expected:<17}{aliases}"
        )
    lines += [
        "",
        f"HTTP  : {LOOPBACK}:{web.http_port}",
        f"HTTPS : {LOOPBACK}:{web.https_port}",
    ]
    if web.dns is not None:
        lines.append(f"DNS   : {LOOPBACK}:{web.dns.port} (UDP et TCP)")
    lines += [
        f"Certificat de l'autorité de test : {web.ca_pem_path}",
        "",
        "Exemples :",
        f"  curl --cacert {web.ca_pem_path} "
        f"--connect-to www.ville-exemple.test:443:{LOOPBACK}:{web.https_port} "
        "https://www.ville-exemple.test/",
        f"  curl --connect-to www.petit-village-exemple.test:80:{LOOPBACK}:{web.http_port} "
        "http://www.petit-village-exemple.test/",
    ]
    if web.dns is not None:
        lines.append(f"  dig @{LOOPBACK} -p {web.dns.port} MX ville-exemple.test")
    return "\n".join(lines)


async def serve(args: argparse.Namespace) -> None:
    async with SampleWeb(
        http_port=args.port_http,
        https_port=args.port_https,
        with_dns=True,
        dns_port=args.port_dns,
    ) as web:
        print(describe(web), flush=True)
        if args.duree is None:
            print("\nEn service. Ctrl-C pour arrêter.", flush=True)
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(args.duree)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    print("Web d'essai arrêté.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
