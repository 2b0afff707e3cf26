"""Etalab lists of public-sector domain names (« noms de domaine des organismes publics »).

One host per line with an optional ``# comment``; no mapping to a code, so they serve
to confirm a candidate domain and to choose between candidates, not to attribute one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from barometre.errors import SourceError
from barometre.registry.sources._io import read_lines

SOURCE_ID = "etalab-domaines"


@dataclass(frozen=True, slots=True)
class DomainList:
    name: str
    hosts: frozenset[str]


def parse_hosts(path: Path) -> DomainList:
    hosts = set()
    for line, text in read_lines(path):
        host = text.split("#", 1)[0].strip().lower()
        if not host or " " in host or "/" in host:
            raise SourceError(path, f"nom d'hôte invalide : {text!r}", line=line)
        hosts.add(host)
    return DomainList(name=path.stem, hosts=frozenset(hosts))


def parse_urls(path: Path) -> frozenset[str]:
    """Hosts of the URLs that answered HTTP 200 in the Dec. 2024 refresh (``urls.txt``)."""
    hosts = set()
    for line, text in read_lines(path):
        if "://" not in text:
            raise SourceError(path, f"URL sans schéma : {text!r}", line=line)
        hosts.add(text.split("://", 1)[1].split("/", 1)[0].lower())
    return frozenset(hosts)
