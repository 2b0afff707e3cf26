"""Passive DNS and TLS facts about a site (no port or vulnerability scanning).

* DNS (dnspython): A/AAAA of the host, MX, SPF and DMARC of the registrable domain,
  DNSKEY presence (signed zone) and the AD flag of the resolver's answer (validated).
* TLS (``ssl`` + ``cryptography``): for each protocol version, whether the server
  accepts it; the certificate's subject, SANs, issuer and validity dates; whether the
  chain verifies against the trust store, and why not.

Every connection goes through the guarded resolver: an address the SSRF policy refuses
is never contacted. The facts are plain JSON, archived beside the exchanges.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.resolver
from cryptography import x509
from cryptography.x509.oid import NameOID

from barometre.net.guard import ForbiddenAddress
from barometre.net.resolver import GuardedResolver

TLS_VERSIONS = {
    "TLSv1.0": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


@dataclass
class DnsFacts:
    host: str
    domain: str
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    mx: list[str] = field(default_factory=list)
    spf: str | None = None
    dmarc: str | None = None
    dnskey: bool = False
    validated: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class TlsFacts:
    host: str
    port: int
    versions: dict[str, bool] = field(default_factory=dict)
    subject: str | None = None
    san: list[str] = field(default_factory=list)
    issuer: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    chain_valid: bool | None = None
    chain_error: str | None = None
    error: str | None = None


def _txt(answer: dns.resolver.Answer) -> list[str]:
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


async def dns_facts(resolver: dns.asyncresolver.Resolver, host: str, domain: str) -> DnsFacts:
    facts = DnsFacts(host=host, domain=domain)

    async def query(name: str, rdtype: str) -> dns.resolver.Answer | None:
        try:
            return await resolver.resolve(name, rdtype)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return None
        except dns.exception.DNSException as exc:
            facts.errors[f"{name} {rdtype}"] = type(exc).__name__
            return None

    if (a := await query(host, "A")) is not None:
        facts.a = sorted(r.to_text() for r in a)
    if (aaaa := await query(host, "AAAA")) is not None:
        facts.aaaa = sorted(r.to_text() for r in aaaa)
    if (mx := await query(domain, "MX")) is not None:
        facts.mx = sorted(r.exchange.to_text().rstrip(".") for r in mx)
    if (txt := await query(domain, "TXT")) is not None:
        facts.spf = next((t for t in _txt(txt) if t.lower().startswith("v=spf1")), None)
    if (dmarc := await query(f"_dmarc.{domain}", "TXT")) is not None:
        facts.dmarc = next((t for t in _txt(dmarc) if t.upper().startswith("V=DMARC1")), None)
    if (key := await query(domain, "DNSKEY")) is not None:
        facts.dnskey = True
        facts.validated = bool(key.response.flags & dns.flags.AD)
    return facts


def _name(value: x509.Name) -> str:
    cn = value.get_attributes_for_oid(NameOID.COMMON_NAME)
    org = value.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    parts = [str(a.value) for a in (*cn, *org)]
    return ", ".join(parts) or value.rfc4514_string()


async def _handshake(
    address: str, port: int, host: str, context: ssl.SSLContext, timeout: float
) -> ssl.SSLObject | None:
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(address, port, ssl=context, server_hostname=host), timeout
    )
    try:
        obj = writer.get_extra_info("ssl_object")
        return obj if isinstance(obj, ssl.SSLObject) else None
    finally:
        writer.close()
        with contextlib.suppress(ssl.SSLError, OSError):
            await writer.wait_closed()
        del reader


async def tls_facts(
    resolver: GuardedResolver,
    host: str,
    *,
    port: int = 443,
    trust: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> TlsFacts:
    facts = TlsFacts(host=host, port=port)
    try:
        resolved = await resolver.resolve(host, port)
    except ForbiddenAddress as exc:
        facts.error = str(exc)
        return facts
    except OSError as exc:
        facts.error = f"résolution impossible : {exc}"
        return facts
    address, real_port = resolved[0]["host"], resolved[0]["port"]
    verify = trust or ssl.create_default_context()
    try:
        await _handshake(address, real_port, host, verify, timeout)
        facts.chain_valid = True
    except ssl.SSLCertVerificationError as exc:
        facts.chain_valid, facts.chain_error = False, exc.verify_message or str(exc)
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        facts.error = f"{type(exc).__name__}: {exc}"
        return facts
    for label, version in TLS_VERSIONS.items():
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        probe.check_hostname = False
        probe.verify_mode = ssl.CERT_NONE
        try:
            probe.set_ciphers("ALL:@SECLEVEL=0")
            with warnings.catch_warnings():  # probing old versions is the point here
                warnings.simplefilter("ignore", DeprecationWarning)
                probe.minimum_version = version
                probe.maximum_version = version
        except (ValueError, ssl.SSLError):
            facts.versions[label] = False  # this OpenSSL cannot even offer it
            continue
        try:
            obj = await _handshake(address, real_port, host, probe, timeout)
        except (ssl.SSLError, OSError, TimeoutError):
            facts.versions[label] = False
            continue
        facts.versions[label] = True
        if obj is not None and facts.subject is None:
            der = obj.getpeercert(binary_form=True)
            if der:
                _read_certificate(facts, x509.load_der_x509_certificate(der))
    return facts


def _read_certificate(facts: TlsFacts, cert: x509.Certificate) -> None:
    facts.subject = _name(cert.subject)
    facts.issuer = _name(cert.issuer)
    facts.not_before = cert.not_valid_before_utc.isoformat()
    facts.not_after = cert.not_valid_after_utc.isoformat()
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        facts.san = sorted(ext.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        facts.san = []


def as_json(facts: DnsFacts | TlsFacts) -> dict[str, Any]:
    return asdict(facts)
