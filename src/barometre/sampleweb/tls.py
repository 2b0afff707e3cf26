"""Certificates of the sample web: a trustme CA, one leaf for every normal host, and
special certificates chosen by SNI (expired, self-signed, shared-hosting default)."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterable, Mapping
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

EXPIRED_HOST = "expired.badtls.test"
SELF_SIGNED_HOST = "selfsigned.badtls.test"
# Served to any name the leaf certificate does not cover (e.g. an http-only site reached
# over https): a valid certificate for another name, like a shared host's default page.
SHARED_HOSTING_HOST = "accueil.hebergement-mutualise.test"


def _server_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _self_signed_pem(host: str) -> tuple[bytes, bytes]:
    """A self-signed certificate for ``host`` (its own issuer, trusted by nobody)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Certificat auto-signé (jeu d'essai)"),
            x509.NameAttribute(NameOID.COMMON_NAME, host),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class TLSMaterial:
    """The CA, the server contexts and the SNI callback that picks between them.

    One leaf certificate names every host by default. With ``per_site``, each site gets
    its own, naming ``x.test`` and ``www.x.test``, issued when first asked for: a web
    of thousands of synthetic sites (``benchmarks/national.py``) then shows each client
    a certificate of ordinary size, as on the real web."""

    def __init__(self, hosts: Iterable[str], workdir: Path, *, per_site: bool = False) -> None:
        self.ca = trustme.CA(organization_name="AC de test du Baromètre numérique (jeu d'essai)")
        self.ca_pem_path = workdir / "sampleweb-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem_path))
        self.hosts = frozenset(host.lower() for host in hosts)
        self.per_site = per_site
        self._sites: dict[str, ssl.SSLContext] = {}

        self.context = _server_context()
        if per_site:
            self.ca.issue_cert(SHARED_HOSTING_HOST).configure_cert(self.context)
        else:
            self.ca.issue_cert(*sorted(self.hosts)).configure_cert(self.context)

        now = dt.datetime.now(dt.UTC)
        expired = _server_context()
        self.ca.issue_cert(
            EXPIRED_HOST,
            not_before=now - dt.timedelta(days=400),
            not_after=now - dt.timedelta(days=35),
        ).configure_cert(expired)

        self_signed = _server_context()
        cert_pem, key_pem = _self_signed_pem(SELF_SIGNED_HOST)
        cert_path = workdir / "selfsigned-cert.pem"
        key_path = workdir / "selfsigned-key.pem"
        cert_path.write_bytes(cert_pem)
        key_path.write_bytes(key_pem)
        self_signed.load_cert_chain(cert_path, key_path)

        shared = _server_context()
        self.ca.issue_cert(SHARED_HOSTING_HOST).configure_cert(shared)
        self._default_for_unknown = shared

        self.special: Mapping[str, ssl.SSLContext] = {
            EXPIRED_HOST: expired,
            SELF_SIGNED_HOST: self_signed,
            SHARED_HOSTING_HOST: shared,
        }
        self.context.sni_callback = self._pick

    def _pick(
        self, sslobj: ssl.SSLObject, server_name: str | None, _context: ssl.SSLContext
    ) -> int | None:
        if server_name is None:  # no SNI: keep the main certificate
            return None
        name = server_name.rstrip(".").lower()
        special = self.special.get(name)
        if special is not None:
            sslobj.context = special
        elif name not in self.hosts:
            sslobj.context = self._default_for_unknown
        elif self.per_site:
            sslobj.context = self._site_context(name)
        return None

    def _site_context(self, name: str) -> ssl.SSLContext:
        apex = name.removeprefix("www.")
        context = self._sites.get(apex)
        if context is None:
            context = self._sites[apex] = _server_context()
            self.ca.issue_cert(apex, f"www.{apex}").configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts the sample web's CA (and nothing else)."""
        context = ssl.create_default_context(cafile=str(self.ca_pem_path))
        return context
