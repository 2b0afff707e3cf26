"""A user's CSV: corrections and additions to the registry (sites, e-mails, accounts).

Columns: ``type`` and ``code`` are required; ``name``, ``siren``, ``population``,
``region``, ``departement``, ``epci``, ``website``, ``email``, ``phone`` and
``accounts`` (URLs separated by spaces or ``;``) are optional. Rows that cannot be
used are listed in the report with their line, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from barometre.errors import SourceError
from barometre.models import Account, Authority, Contact, Website
from barometre.registry.normalize import (
    host_of,
    normalize_email,
    normalize_phone,
    normalize_url,
    registrable_domain,
)
from barometre.registry.report import BuildReport
from barometre.registry.sources._io import read_csv
from barometre.vocab.authorities import parse_kind
from barometre.vocab.platforms import platform_of_url

COLUMNS = (
    "type",
    "code",
    "name",
    "siren",
    "population",
    "region",
    "departement",
    "epci",
    "website",
    "email",
    "phone",
    "accounts",
)
# Hosts of account URLs that are not social platforms (vocab.platforms knows those).
OTHER_DOMAINS = {"panneaupocket.com": "panneaupocket"}
_SPLIT = re.compile(r"[\s;]+")


def platform_of(url: str) -> str | None:
    """Platform of an account URL; Mastodon-like ``/@user`` paths on other hosts too."""
    platform = platform_of_url(url) or OTHER_DOMAINS.get(registrable_domain(host_of(url)))
    if platform is not None:
        return platform
    if urlsplit(url).path.startswith("/@"):
        return "mastodon"
    return None


def _handle(url: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[-1].lstrip("@") if parts else host_of(url)


def parse(
    path: Path,
    report: BuildReport,
    existing: Mapping[str, Authority],
    departements: set[str],
) -> list[Authority]:
    """Rows of the user file as authorities (merged field by field onto ``existing``)."""
    source = f"user:{path.name}"
    seen: dict[str, int] = {}
    out: list[Authority] = []
    stat = report.join("lignes du fichier utilisateur", source)
    for line, row in read_csv(path, ("type", "code")):
        stat.records += 1
        unknown = set(row) - set(COLUMNS)
        if unknown and line == 2:
            report.add(
                source, 1, "unknown_column", f"colonnes ignorées : {', '.join(sorted(unknown))}"
            )
        kind = parse_kind(row["type"])
        if kind is None:
            report.add(source, line, "invalid_value", f"type inconnu « {row['type']} »")
            continue
        code = row["code"].strip().upper()
        if not code:
            report.add(source, line, "invalid_value", "code vide")
            continue
        aid = f"{kind.value}:{code}"
        if aid in seen:
            report.add(
                source,
                line,
                "duplicate_code",
                f"{aid} déjà présent ligne {seen[aid]}, ligne ignorée",
            )
            continue
        seen[aid] = line
        dep = (row.get("departement") or "").strip().upper()
        base = existing.get(aid)
        if dep and dep not in departements:
            report.add(
                source,
                line,
                "unknown_departement",
                f"{aid} : département inconnu « {dep} », ligne ignorée",
            )
            continue
        name = (row.get("name") or "").strip()
        if base is None and not name:
            report.add(
                source,
                line,
                "invalid_value",
                f"{aid} : collectivité absente du registre et sans nom, ligne ignorée",
            )
            continue
        population_text = (row.get("population") or "").strip().replace(" ", "")
        population: int | None = None
        if population_text:
            if not population_text.isdigit():
                report.add(
                    source,
                    line,
                    "invalid_value",
                    f"{aid} : population « {population_text} » invalide, ignorée",
                )
            else:
                population = int(population_text)
        websites: list[Website] = []
        raw_site = (row.get("website") or "").strip()
        if raw_site:
            url = normalize_url(raw_site)
            if url is None:
                report.add(source, line, "invalid_value", f"{aid} : URL « {raw_site} » invalide")
            else:
                websites.append(Website(url, host_of(url), source, primary=True))
        contacts: list[Contact] = []
        for kind_name, key, norm in (
            ("email", "email", normalize_email),
            ("phone", "phone", normalize_phone),
        ):
            raw = (row.get(key) or "").strip()
            if raw:
                value = norm(raw)
                if value is None:
                    report.add(source, line, "invalid_value", f"{aid} : {key} « {raw} » invalide")
                else:
                    contacts.append(Contact(kind_name, value, source))
        accounts: list[Account] = []
        for raw in _SPLIT.split(row.get("accounts") or ""):
            if not raw:
                continue
            url = normalize_url(raw)
            platform = platform_of(url) if url else None
            if url is None or platform is None:
                report.add(source, line, "invalid_value", f"{aid} : compte « {raw} » non reconnu")
                continue
            accounts.append(Account(platform, _handle(url), url, source))
        out.append(
            Authority(
                kind=kind,
                code=code,
                name=name or (base.name if base else code),
                siren=(row.get("siren") or "").strip() or (base.siren if base else None),
                population=population
                if population is not None
                else (base.population if base else None),
                region=(row.get("region") or "").strip() or (base.region if base else None),
                departement=dep or (base.departement if base else None),
                epci=(row.get("epci") or "").strip() or (base.epci if base else None),
                epci_type=base.epci_type if base else None,
                postal_codes=base.postal_codes if base else (),
                websites=tuple(websites),
                contacts=tuple(contacts),
                accounts=tuple(accounts),
            )
        )
        stat.matched += 1
        stat.by_rule["mise à jour" if base else "ajout"] += 1
    if not seen and stat.records == 0:
        raise SourceError(path, "aucune ligne de données")
    return out
