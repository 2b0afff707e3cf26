"""The registry shipped inside the package: a few gzipped CSV tables and a build report.

``barometre registry import`` loads it with no network and no raw files. It is rebuilt
from ``shared/data/raw`` by ``barometre registry import --raw DIR --write-bundle``;
the gzip streams carry no timestamp so that the same sources give the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from barometre.errors import SourceError
from barometre.models import Account, Authority, AuthorityKind, Contact, LegalType, Website
from barometre.registry.build import Registry, SourceFile
from barometre.registry.normalize import host_of
from barometre.registry.report import BuildReport

BUNDLE_VERSION = 2
AUTHORITY_COLUMNS = (
    "kind",
    "code",
    "name",
    "siren",
    "population",
    "region",
    "departement",
    "epci",
    "epci_type",
    "postal_codes",
    "legal_type",
    "territory",
)
WEBSITE_COLUMNS = ("authority_id", "url", "source", "primary")
CONTACT_COLUMNS = ("authority_id", "kind", "value", "source")
ACCOUNT_COLUMNS = ("authority_id", "platform", "handle", "url", "source")
ANOMALY_COLUMNS = ("source", "line", "kind", "message")


def default_location() -> Traversable:
    return resources.files("barometre.registry").joinpath("data")


def _write_table(path: Path, header: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buffer.getvalue().encode("utf-8"))


def write_bundle(registry: Registry, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    auths = sorted(registry.authorities, key=lambda a: (a.kind.value, a.code))
    _write_table(
        directory / "authorities.csv.gz",
        AUTHORITY_COLUMNS,
        (
            (
                a.kind.value,
                a.code,
                a.name,
                a.siren or "",
                "" if a.population is None else a.population,
                a.region or "",
                a.departement or "",
                a.epci or "",
                a.epci_type or "",
                " ".join(a.postal_codes),
                a.legal_type.value if a.legal_type else "",
                " ".join(a.territory),
            )
            for a in auths
        ),
    )
    _write_table(
        directory / "websites.csv.gz",
        WEBSITE_COLUMNS,
        ((a.id, w.url, w.source, int(w.primary)) for a in auths for w in a.websites),
    )
    _write_table(
        directory / "contacts.csv.gz",
        CONTACT_COLUMNS,
        ((a.id, c.kind, c.value, c.source) for a in auths for c in a.contacts),
    )
    _write_table(
        directory / "accounts.csv.gz",
        ACCOUNT_COLUMNS,
        ((a.id, x.platform, x.handle, x.url, x.source) for a in auths for x in a.accounts),
    )
    _write_table(
        directory / "anomalies.csv.gz",
        ANOMALY_COLUMNS,
        (
            (x.source, "" if x.line is None else x.line, x.kind, x.message)
            for x in registry.report.anomalies
        ),
    )
    meta = {
        "bundle_version": BUNDLE_VERSION,
        "counts": {k.value: len(registry.by_kind(k)) for k in AuthorityKind},
        "legal_types": {
            t.value: n
            for t in LegalType
            if (n := sum(1 for a in registry.authorities if a.legal is t))
        },
        "sources": [{"path": s.path, "sha256": s.sha256} for s in registry.sources],
        **registry.report.as_dict(),
    }
    (directory / "build.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def _read_table(location: Traversable, name: str, header: tuple[str, ...]) -> list[list[str]]:
    entry = location.joinpath(name)
    try:
        data = gzip.decompress(entry.read_bytes()).decode("utf-8")
    except FileNotFoundError:
        raise SourceError(str(entry), "table absente du registre embarqué") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise SourceError(str(entry), f"table corrompue : {exc}") from exc
    rows = list(csv.reader(io.StringIO(data)))
    if not rows or tuple(rows[0]) != header:
        raise SourceError(str(entry), f"en-tête inattendu (attendu : {','.join(header)})", line=1)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise SourceError(str(entry), f"{len(row)} champs au lieu de {len(header)}", number)
    return rows[1:]


def read_bundle(location: Traversable | Path | None = None) -> Registry:
    """Load a bundle (the embedded one by default) back into a :class:`Registry`."""
    loc: Traversable = default_location() if location is None else location
    websites: dict[str, list[Website]] = defaultdict(list)
    for aid, url, source, primary in _read_table(loc, "websites.csv.gz", WEBSITE_COLUMNS):
        websites[aid].append(Website(url, host_of(url), source, primary == "1"))
    contacts: dict[str, list[Contact]] = defaultdict(list)
    for aid, kind, value, source in _read_table(loc, "contacts.csv.gz", CONTACT_COLUMNS):
        contacts[aid].append(Contact(kind, value, source))
    accounts: dict[str, list[Account]] = defaultdict(list)
    for aid, platform, handle, url, source in _read_table(loc, "accounts.csv.gz", ACCOUNT_COLUMNS):
        accounts[aid].append(Account(platform, handle, url, source))
    authorities = []
    for row in _read_table(loc, "authorities.csv.gz", AUTHORITY_COLUMNS):
        kind, code, name, siren, pop, region, dep, epci, epci_type, postal, legal, land = row
        aid = f"{kind}:{code}"
        authorities.append(
            Authority(
                kind=AuthorityKind(kind),
                code=code,
                name=name,
                siren=siren or None,
                population=int(pop) if pop else None,
                region=region or None,
                departement=dep or None,
                epci=epci or None,
                epci_type=epci_type or None,
                postal_codes=tuple(postal.split()),
                websites=tuple(websites.get(aid, ())),
                contacts=tuple(contacts.get(aid, ())),
                accounts=tuple(accounts.get(aid, ())),
                legal_type=LegalType(legal) if legal else None,
                territory=tuple(land.split()),
            )
        )
    report = BuildReport()
    for source, line, kind, message in _read_table(loc, "anomalies.csv.gz", ANOMALY_COLUMNS):
        report.add(source, int(line) if line else None, kind, message)
    meta = json.loads(loc.joinpath("build.json").read_text(encoding="utf-8"))
    report.joins = BuildReport.from_dict(meta).joins
    sources = [SourceFile(s["path"], s["sha256"]) for s in meta.get("sources", [])]
    return Registry(authorities=authorities, report=report, sources=sources)
