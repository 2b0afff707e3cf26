"""The bundled "sample web": fixture sites of French local authorities, hostile sites
and a test DNS server, all on 127.0.0.1, to test the crawler without the Internet.

* :class:`SampleWeb` — HTTP + HTTPS servers (trustme CA, SNI for bad certificates);
* :class:`TestDNS` — A/MX/TXT answers for the sample hosts (dnslib);
* :class:`SiteInfo` — what each host models and the outcome a crawler should record.
"""

from barometre.sampleweb.dns import FORBIDDEN_DNS_HOST, TestDNS
from barometre.sampleweb.server import SampleWeb
from barometre.sampleweb.sites import SYNTHETIC_MARKER, SiteInfo

__all__ = ["FORBIDDEN_DNS_HOST", "SYNTHETIC_MARKER", "SampleWeb", "SiteInfo", "TestDNS"]
