"""The bundled "sample web": fixture sites of French local authorities, hostile sites
and a test DNS server, all on 127.0.0.1, to test the crawler without the Internet.

* :class:`SampleWeb` — HTTP + HTTPS servers (trustme CA, SNI for bad certificates);
* :class:`TestDNS` — A/MX/TXT answers for the sample hosts (dnslib);
* :class:`SiteInfo` — what each host models and the outcome a crawler should record.
"""

from pathlib import Path

from barometre.sampleweb.dns import FORBIDDEN_DNS_HOST, TestDNS
from barometre.sampleweb.server import SampleWeb
from barometre.sampleweb.sites import SYNTHETIC_MARKER, SiteInfo

# Fictitious collectivités owning the sample sites (user-CSV format of the registry).
AUTHORITIES_CSV = Path(__file__).with_name("authorities.csv")

__all__ = [
    "AUTHORITIES_CSV",
    "FORBIDDEN_DNS_HOST",
    "SYNTHETIC_MARKER",
    "SampleWeb",
    "SiteInfo",
    "TestDNS",
]
