"""SSRF guard: which IP addresses the crawler may connect to.

By default only global unicast addresses are allowed: private, loopback, link-local
(cloud metadata services live there), multicast, reserved and unspecified addresses are
refused, for IPv4 and IPv6 alike (IPv4-mapped IPv6 addresses are unwrapped first).
A setting can allow given networks, e.g. exactly ``127.0.0.1/32`` for the sample web.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ForbiddenAddress(OSError):
    """Raised when a host resolves (or redirects) to an address the policy refuses."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"adresse interdite pour {host} : {address}")
        self.host = host
        self.address = address


@dataclass(frozen=True)
class AddressPolicy:
    allowed: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def allowing(cls, networks: Iterable[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def permits(self, address: str) -> bool:
        try:
            ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self.allowed):
            return True
        return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)

    def check(self, host: str, address: str) -> None:
        if not self.permits(address):
            raise ForbiddenAddress(host, address)
