"""No test reaches beyond the loopback: every TCP or UDP ``connect`` of the test process
to an address outside 127.0.0.0/8 and ::1 (or to a host name other than ``localhost``)
is refused and recorded, and the test that tried fails (see ``conftest.py``).

A page of a pure check may well name ``www.googletagmanager.com`` in its HTML: this guard
is what makes sure such a name is never fetched. Processes the tests start (workers,
Chromium) are outside its reach; they are given the sample web's resolver instead.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
attempts: list[str] = []  # what was refused, for the test that tried


class OutsideLoopback(ConnectionRefusedError):
    """Raised instead of connecting outside the loopback (a refusal, as the code under
    test would meet on a closed port)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a name: it would be resolved by the system, outside the sample web
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in LOOPBACK)


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    def connect(self: socket.socket, address: Any, *args: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = str(address[0])
            if not is_loopback(host):
                attempts.append(f"{host}:{address[1]}")
                raise OutsideLoopback(f"test hors boucle locale refusé : {host}:{address[1]}")
        return original(self, address, *args)

    return connect


def install() -> None:
    """Guard ``connect`` and ``connect_ex`` of every socket of this process (once)."""
    if getattr(socket.socket.connect, "loopback_guard", False):
        return
    for name in ("connect", "connect_ex"):
        guarded = _guarded(getattr(socket.socket, name))
        guarded.loopback_guard = True  # type: ignore[attr-defined]
        setattr(socket.socket, name, guarded)
