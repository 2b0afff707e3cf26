"""Name resolution for the crawler, with the SSRF guard applied to every answer.

The resolver is where the guard lives (DESIGN.md): each answer is filtered by the
:class:`~barometre.net.guard.AddressPolicy` and the connection uses exactly the
address that passed (pinned), so a DNS answer that changes between check and connect
cannot reach a refused address. Redirects are resolved again, hop by hop.

Two back ends: the system resolver (``getaddrinfo`` in a thread), or dnspython with
explicit name servers (the sample web's test DNS server on loopback). A static map
``host → address`` and a port map let tests send real host names to loopback servers.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence

import dns.asyncresolver
import dns.exception
import dns.resolver
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from barometre.net.guard import AddressPolicy


class GuardedResolver(AbstractResolver):
    def __init__(
        self,
        policy: AddressPolicy,
        *,
        static_hosts: Mapping[str, str] | None = None,
        port_map: Mapping[int, int] | None = None,
        nameservers: Sequence[str] | None = None,
        dns_port: int = 53,
        static_only: bool = False,
    ) -> None:
        self.policy = policy
        # With ``static_only``, a name outside ``static_hosts`` is never looked up (the
        # sample web: third-party hosts named by fixture pages must not leave the machine).
        self.static_only = static_only
        self.static_hosts = {k.lower(): v for k, v in (static_hosts or {}).items()}
        self.port_map = dict(port_map or {})
        self._system: ThreadedResolver | None = None
        self._dns: dns.asyncresolver.Resolver | None = None
        if nameservers:
            self._dns = dns.asyncresolver.Resolver(configure=False)
            self._dns.nameservers = list(nameservers)
            self._dns.port = dns_port
            self._dns.lifetime = 5.0

    async def _lookup(self, host: str, port: int, family: socket.AddressFamily) -> list[str]:
        name = host.rstrip(".").lower()
        if name in self.static_hosts:
            return [self.static_hosts[name]]
        if self.static_only:
            raise OSError(socket.EAI_NONAME, f"nom hors du web d'exemple : {name}")
        if self._dns is not None:
            addresses: list[str] = []
            for rdtype in ("A", "AAAA") if family != socket.AF_INET else ("A",):
                try:
                    answer = await self._dns.resolve(name, rdtype)
                except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                    continue
                except dns.exception.DNSException as exc:
                    raise OSError(f"résolution DNS impossible pour {name} : {exc}") from exc
                addresses.extend(r.to_text() for r in answer)
            if not addresses:
                raise OSError(socket.EAI_NONAME, f"nom introuvable : {name}")
            return addresses
        if self._system is None:
            self._system = ThreadedResolver()
        return [r["host"] for r in await self._system.resolve(name, port, family)]

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self._lookup(host, port, family)
        allowed = [a for a in addresses if self.policy.permits(a)]
        if not allowed:
            self.policy.check(host, addresses[0])  # raises ForbiddenAddress
        target_port = self.port_map.get(port, port)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=target_port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in allowed
        ]

    async def close(self) -> None:
        if self._system is not None:
            await self._system.close()
