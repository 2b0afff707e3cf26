"""A tiny authoritative DNS server for the sample web (dnslib, threads, 127.0.0.1 only).

::

    with TestDNS(hosts={"www.ville-exemple.test": "127.0.0.1"},
                 records={"ville-exemple.test": {"MX": ["10 mx.ville-exemple.test."],
                                                 "TXT": ["v=spf1 mx -all"]}}) as dns:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = dns.port

``hosts`` gives A (or AAAA) records; ``records`` any of A, AAAA, CNAME, MX, TXT, NS,
DNSKEY (``"257 3 13 <base64 key>"``). A name holding a DNSKEY stands for a signed zone
that validates: its answers carry the AD flag (no real signature is made).
Names known to neither answer NXDOMAIN; a known name without the asked type answers
NOERROR with no answer. Every address must be a loopback address: the server refuses
to hand out anything else. :data:`FORBIDDEN_DNS_HOST` answers 127.0.0.2 when built
with :meth:`TestDNS.for_sample_web`, to test the crawler's guard on DNS answers.
"""

from __future__ import annotations

import base64
import ipaddress
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from dnslib import (
    AAAA,
    CNAME,
    DNSKEY,
    MX,
    NS,
    QTYPE,
    RCODE,
    RR,
    TXT,
    A,
)
from dnslib.server import BaseResolver, DNSServer

if TYPE_CHECKING:
    from barometre.sampleweb.server import SampleWeb

LOOPBACK = "127.0.0.1"
FORBIDDEN_DNS_HOST = "forbidden-dns.hostile.test"  # answers 127.0.0.2 (see for_sample_web)
SUPPORTED_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "DNSKEY")


def _normalize(name: str) -> str:
    return name.rstrip(".").lower()


def _check_loopback(address: str) -> str:
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"adresse refusée par le DNS d'essai (bouclage seulement) : {address}")
    return address


def _txt_chunks(value: str) -> list[bytes]:
    data = value.encode()
    return [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]


def _rdata(rtype: str, value: str) -> Any:
    if rtype == "A":
        return A(_check_loopback(value))
    if rtype == "AAAA":
        return AAAA(_check_loopback(value))
    if rtype == "CNAME":
        return CNAME(value)
    if rtype == "NS":
        return NS(value)
    if rtype == "MX":
        preference, _, exchange = value.strip().partition(" ")
        return MX(exchange.strip(), int(preference))
    if rtype == "TXT":
        return TXT(_txt_chunks(value))
    if rtype == "DNSKEY":
        flags, protocol, algorithm, key = value.split(maxsplit=3)
        return DNSKEY(int(flags), int(protocol), int(algorithm), base64.b64decode(key))
    raise ValueError(f"type d'enregistrement non pris en charge : {rtype}")


class _QuietLogger:
    """dnslib logs every packet to stdout by default; stay silent."""

    def log_pass(self, *args: Any) -> None:
        pass

    log_prefix = log_recv = log_send = log_request = log_reply = log_pass
    log_truncated = log_error = log_data = log_pass


class _Resolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, owner: TestDNS) -> None:
        self.owner = owner

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        qname = request.q.qname
        name = _normalize(str(qname))
        qtype = QTYPE[request.q.qtype]
        with self.owner._lock:
            records = {
                rtype: list(values) for rtype, values in self.owner._records.get(name, {}).items()
            }
        if not records:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if "DNSKEY" in records:
            reply.header.ad = 1  # a "signed and validated" zone of the sample web
        for rtype, values in records.items():
            if qtype not in (rtype, "ANY") and rtype != "CNAME":
                continue
            for value in values:
                reply.add_answer(
                    RR(qname, getattr(QTYPE, rtype), rdata=_rdata(rtype, value), ttl=self.owner.ttl)
                )
        return reply


class TestDNS:
    """Threaded UDP (and TCP, same port) DNS server on 127.0.0.1, for tests.

    ``hosts``: name → loopback address (A, or AAAA for IPv6). ``records``: name →
    {type: [values]} (``MX``: ``"10 mx.example.test."``, ``TXT``: the text). ``port=0``
    picks a free port (``self.port`` once started). Usable as a (async) context manager.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(
        self,
        hosts: Mapping[str, str] | None = None,
        records: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
        *,
        port: int = 0,
        tcp: bool = True,
        ttl: int = 60,
    ) -> None:
        self.address = LOOPBACK
        self.port = port
        self.tcp = tcp
        self.ttl = ttl
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, list[str]]] = {}
        self._servers: list[Any] = []
        self._threads: list[threading.Thread] = []
        for name, address in (hosts or {}).items():
            self.set_address(name, address)
        for name, by_type in (records or {}).items():
            for rtype, values in by_type.items():
                for value in values:
                    self.add_record(name, rtype, value)

    @classmethod
    def for_sample_web(cls, web: SampleWeb, **kwargs: Any) -> TestDNS:
        """A server answering for every host of ``web``, with its MX/TXT records, and
        ``FORBIDDEN_DNS_HOST`` → 127.0.0.2."""
        return cls(hosts=web.dns_host_map, records=web.dns_records, **kwargs)

    # -- records ----------------------------------------------------------------------

    def set_address(self, name: str, address: str) -> None:
        """Make ``name`` answer only ``address`` (A or AAAA), replacing previous ones."""
        _check_loopback(address)
        rtype = "AAAA" if ipaddress.ip_address(address).version == 6 else "A"
        key = _normalize(name)
        with self._lock:
            entry = self._records.setdefault(key, {})
            entry.pop("A", None)
            entry.pop("AAAA", None)
            entry[rtype] = [address]

    def add_record(self, name: str, rtype: str, value: str) -> None:
        rtype = rtype.upper()
        if rtype not in SUPPORTED_TYPES:
            raise ValueError(f"type d'enregistrement non pris en charge : {rtype}")
        _rdata(rtype, value)  # validate now rather than at query time
        with self._lock:
            self._records.setdefault(_normalize(name), {}).setdefault(rtype, []).append(value)

    def remove(self, name: str) -> None:
        """Forget ``name`` entirely (it will answer NXDOMAIN)."""
        with self._lock:
            self._records.pop(_normalize(name), None)

    @property
    def nameservers(self) -> list[str]:
        return [self.address]

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        if self._servers:
            return
        resolver = _Resolver(self)
        last_error: OSError | None = None
        for _attempt in range(20):
            udp = DNSServer(resolver, address=self.address, port=self.port, logger=_QuietLogger())
            port = int(udp.server.server_address[1])
            servers = [udp]
            if self.tcp:
                try:
                    servers.append(
                        DNSServer(
                            resolver,
                            address=self.address,
                            port=port,
                            tcp=True,
                            logger=_QuietLogger(),
                        )
                    )
                except OSError as exc:  # TCP port taken: try another UDP port
                    udp.server.server_close()
                    last_error = exc
                    if self.port:
                        raise
                    continue
            for server in servers:
                thread = threading.Thread(
                    target=server.server.serve_forever,
                    kwargs={"poll_interval": 0.05},
                    name=f"testdns-{port}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
            self._servers = servers
            self.port = port
            return
        raise OSError(f"aucun port libre pour le DNS d'essai : {last_error}")

    def stop(self) -> None:
        for server in self._servers:
            server.server.shutdown()
            server.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers = []
        self._threads = []

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["FORBIDDEN_DNS_HOST", "TestDNS"]
