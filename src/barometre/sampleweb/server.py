"""The sample web: every fixture site behind one HTTP and one HTTPS server on loopback.

::

    async with SampleWeb() as web:
        resolver = SomeResolver(static_hosts=web.host_map, port_map=web.port_map)
        url = web.url("www.ville-exemple.test")      # https://www.ville-exemple.test/

Both servers listen on 127.0.0.1 only, on free ports. Requests are dispatched on the
``Host`` header (port stripped): static sites (``sites/<host>/``) and hostile sites
(:mod:`barometre.sampleweb.hostile`). Canonical URLs carry no port: a client maps the
names to 127.0.0.1 (``host_map``) and ports 80/443 to the real ones (``port_map``).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import tempfile
from collections.abc import Iterator
from html import escape
from pathlib import Path
from types import TracebackType
from typing import Self

import trustme
from aiohttp import web

from barometre.sampleweb.dns import FORBIDDEN_DNS_HOST, TestDNS
from barometre.sampleweb.hostile import (
    FORBIDDEN_REDIRECT_ADDRESS,
    HOSTILE_SITES,
    HostileSite,
    HostileState,
    page,
)
from barometre.sampleweb.hostile import handle as handle_hostile
from barometre.sampleweb.platforms import PlatformState, find_route, load_routes
from barometre.sampleweb.sites import SITES_DIR, SiteInfo, StaticSite, load_sites
from barometre.sampleweb.tls import (
    EXPIRED_HOST,
    SELF_SIGNED_HOST,
    SHARED_HOSTING_HOST,
    TLSMaterial,
)

LOOPBACK = "127.0.0.1"
HTML = "text/html; charset=utf-8"


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    return sock


def _request_host(request: web.Request) -> str:
    raw = request.headers.get("Host", "")
    host = raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw
    return host.rstrip(".").lower()


def _error_page(status: int, title: str, message: str) -> web.Response:
    return web.Response(
        status=status,
        text=page(title, f"<p>{escape(message)}</p>"),
        headers={"Content-Type": HTML},
    )


class SampleWeb:
    """Async context manager running the sample web on 127.0.0.1.

    Attributes, once entered: ``http_port``, ``https_port``, ``ca`` (the trustme CA),
    ``ca_pem_path`` (its certificate, PEM), ``host_map`` (every served name →
    ``"127.0.0.1"``), ``port_map`` (``{80: http_port, 443: https_port}``), ``sites``
    (:class:`SiteInfo` list), ``dns_records`` and ``dns_host_map`` (the data for
    :class:`TestDNS`; ``dns_host_map`` adds ``FORBIDDEN_DNS_HOST`` → 127.0.0.2), ``dns``
    (the running :class:`TestDNS` if ``with_dns``) and ``state`` (hostile counters).
    Helpers: :meth:`url`, :meth:`site`, :meth:`hosts`, :meth:`client_ssl_context`,
    :meth:`reset`. The CA and the temporary files exist only while the web is running.
    ``tls_per_site``: one certificate per site rather than one naming every host (see
    :class:`TLSMaterial`).
    """

    def __init__(
        self,
        *,
        http_port: int = 0,
        https_port: int = 0,
        with_dns: bool = False,
        dns_port: int = 0,
        sites_dir: Path = SITES_DIR,
        slow_drip_limit: float = 120.0,
        shutdown_timeout: float = 0.5,
        tls_per_site: bool = False,
    ) -> None:
        self._requested_ports = (http_port, https_port)
        self._with_dns = with_dns
        self._dns_port = dns_port
        self._shutdown_timeout = shutdown_timeout
        self._tls_per_site = tls_per_site
        self._static: dict[str, StaticSite] = {}
        self._hostile: dict[str, HostileSite] = {}
        self._aliases: dict[str, str] = {}
        self.state = HostileState(slow_drip_limit=slow_drip_limit)
        self.platform_state = PlatformState()
        self._platforms = load_routes()

        for site in load_sites(sites_dir):
            self._static[site.info.host] = site
            for alias in site.info.aliases:
                self._aliases[alias] = site.info.host
        for hostile in HOSTILE_SITES:
            self._hostile[hostile.info.host] = hostile

        self.sites: list[SiteInfo] = [site.info for site in self._static.values()] + [
            hostile.info for hostile in self._hostile.values()
        ]
        names = [*self._static, *self._aliases, *self._hostile]
        if len(set(names)) != len(names):
            raise ValueError("nom d'hôte défini deux fois dans le web d'essai")
        names += sorted({r.host for r in self._platforms} - set(names))
        self.host_map: dict[str, str] = dict.fromkeys(sorted(names), LOOPBACK)
        self.dns_host_map: dict[str, str] = {
            **self.host_map,
            FORBIDDEN_DNS_HOST: FORBIDDEN_REDIRECT_ADDRESS,
        }
        self.dns_records: dict[str, dict[str, list[str]]] = {}
        for site in self._static.values():
            for name, by_type in site.dns.items():
                target = self.dns_records.setdefault(name, {})
                for rtype, values in by_type.items():
                    target.setdefault(rtype, []).extend(values)

        self.http_port = 0
        self.https_port = 0
        self.port_map: dict[int, int] = {}
        self.dns: TestDNS | None = None
        self._workdir: Path | None = None
        self._tls: TLSMaterial | None = None
        self._runner: web.AppRunner | None = None

    # -- public helpers -------------------------------------------------------------

    @property
    def ca(self) -> trustme.CA:
        return self._require_tls().ca

    @property
    def ca_pem_path(self) -> Path:
        return self._require_tls().ca_pem_path

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context trusting only the sample web's CA."""
        return self._require_tls().client_context()

    def url(self, host: str, path: str = "/", https: bool = True) -> str:
        """Canonical URL of ``path`` on ``host``, without a port."""
        if not path.startswith("/"):
            path = "/" + path
        return f"{'https' if https else 'http'}://{host}{path}"

    def site(self, host: str) -> SiteInfo:
        host = host.lower()
        host = self._aliases.get(host, host)
        if host in self._static:
            return self._static[host].info
        return self._hostile[host].info

    def hosts(self, kind: str | None = None) -> Iterator[str]:
        return (site.host for site in self.sites if kind is None or site.kind == kind)

    def reset(self) -> None:
        """Forget per-path counters (the 429 storm, the platforms' scenarios)."""
        self.state.reset()
        self.platform_state.reset()

    def _require_tls(self) -> TLSMaterial:
        if self._tls is None:
            raise RuntimeError("SampleWeb n'est pas démarré (utiliser « async with »)")
        return self._tls

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self.state.stopping.clear()
        self._workdir = Path(tempfile.mkdtemp(prefix="barometre-sampleweb-"))
        tls_hosts = [
            name
            for name in self.host_map
            if name not in (EXPIRED_HOST, SELF_SIGNED_HOST, SHARED_HOSTING_HOST)
            and self._serves_https(name)
        ]
        self._tls = TLSMaterial(tls_hosts, self._workdir, per_site=self._tls_per_site)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=self._shutdown_timeout,
        )
        await self._runner.setup()
        http_sock = _bind(self._requested_ports[0])
        try:
            https_sock = _bind(self._requested_ports[1])
        except OSError:
            http_sock.close()
            raise
        self.http_port = int(http_sock.getsockname()[1])
        self.https_port = int(https_sock.getsockname()[1])
        self.state.http_port = self.http_port
        self.port_map = {80: self.http_port, 443: self.https_port}
        await web.SockSite(self._runner, http_sock).start()
        await web.SockSite(self._runner, https_sock, ssl_context=self._tls.context).start()

        if self._with_dns:
            self.dns = TestDNS(
                hosts=self.dns_host_map, records=self.dns_records, port=self._dns_port
            )
            self.dns.start()

    async def stop(self) -> None:
        if self.dns is not None:
            self.dns.stop()
            self.dns = None
        self.state.stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._tls = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    async def __aenter__(self) -> Self:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _serves_https(self, name: str) -> bool:
        canonical = self._aliases.get(name, name)
        static = self._static.get(canonical)
        return static is None or static.info.https

    # -- dispatch -----------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        host = _request_host(request)
        route = find_route(self._platforms, host, request.path)
        if route is not None:
            return await route.handler(request, self.platform_state)
        hostile = self._hostile.get(host)
        if hostile is not None:
            return await handle_hostile(request, hostile, self.state)
        canonical = self._aliases.get(host, host)
        site = self._static.get(canonical)
        if site is None:
            return _error_page(
                404,
                "Site inconnu",
                f"Aucun site n'est hébergé sous le nom « {host} » sur ce serveur d'essai.",
            )
        return await self._serve_static(request, site, host)

    async def _wait(self, seconds: float) -> None:
        """Wait before answering; the wait ends early when the sample web stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.state.stopping.wait(), seconds)

    async def _serve_static(
        self, request: web.Request, site: StaticSite, host: str
    ) -> web.StreamResponse:
        info = site.info
        if site.close_connection:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never sent: the connection is gone
        if site.latency:
            await self._wait(site.latency)
        if not request.secure and info.https:
            raise web.HTTPMovedPermanently(f"https://{host}{request.path_qs}")
        if request.secure and not info.https:
            return _error_page(
                404,
                "Hébergement mutualisé",
                "Aucun site n'est configuré en HTTPS pour ce nom de domaine.",
            )
        if host != info.host:
            scheme = "https" if info.https else "http"
            raise web.HTTPMovedPermanently(f"{scheme}://{info.host}{request.path_qs}")
        headers = dict(site.headers)
        if site.status is not None:
            response = _error_page(
                site.status,
                "Service indisponible",
                "Le site est momentanément indisponible. Merci de réessayer plus tard.",
            )
            response.headers.update(headers)
            return response
        if site.redirect_all is not None:
            raise web.HTTPMovedPermanently(site.redirect_all, headers=headers)
        location = site.redirects.get(request.path)
        if location is not None:
            raise web.HTTPMovedPermanently(location, headers=headers)
        if request.method not in ("GET", "HEAD"):
            response = _error_page(
                405, "Méthode non autorisée", "Seules GET et HEAD sont acceptées."
            )
            response.headers["Allow"] = "GET, HEAD"
            return response

        delay = site.delays.get(request.path)
        if delay:
            await self._wait(delay)  # a slow endpoint
        lookup = site.rewrites.get(request.path_qs, request.path)
        file, redirect = site.find(lookup)
        if redirect is not None:
            raise web.HTTPMovedPermanently(redirect, headers=headers)
        if file is None and site.spa_fallback and "." not in lookup.rsplit("/", 1)[-1]:
            lookup = "/"
            file, _ = site.find(lookup)
        if file is None:
            stub = site.placeholder(lookup)
            if stub is not None:
                headers["Content-Type"] = site.content_type(lookup, Path(lookup))
                return web.Response(body=stub, headers=headers)
            not_found, _ = site.find("/404.html")
            body = (
                not_found.read_bytes()
                if not_found is not None
                else page("Page introuvable", "<p>La page demandée n'existe pas.</p>").encode()
            )
            return web.Response(status=404, body=body, headers={**headers, "Content-Type": HTML})
        headers["Content-Type"] = site.content_type(lookup, file)
        return web.Response(body=file.read_bytes(), headers=headers)
