"""Reference lists read by the checks, generated from the project's raw data snapshots.

* ``decidim_hosts.csv``: hosts of the Decidim instances listed by decidim.org
  (``decidim/decidim.org`` ``data/installations/*.yml``, AGPL-3.0; records are facts,
  attribution "decidim.org"), from ``shared/data/raw/decidim-installations``. Archived
  instances (``web.archive.org`` links) keep their original host with ``archived = 1``.
* ``odf_opendata.csv``: collectivités with an open-data portal, by SIREN, from the
  OpenDataFrance 2019 observatory as redistributed by Éclaireur Public
  (``dataforgoodfr/13_eclaireur_public``, MIT; data under Licence Ouverte), from
  ``shared/data/raw/eclaireur-public/odf_opendata_collectivites.csv``.

Regenerate both with ``uv run python -m barometre.checks.data ../shared/data/raw``; a test
checks that the files match the raw sources when ``../shared`` is present.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

DECIDIM_FILE = "decidim_hosts.csv"
ODF_FILE = "odf_opendata.csv"
DECIDIM_SOURCE = "decidim-installations/decidim_installations.csv"
ODF_SOURCE = "eclaireur-public/odf_opendata_collectivites.csv"
_ARCHIVE = "web.archive.org"


def _host(url: str) -> tuple[str, bool]:
    url = url.strip()
    archived = False
    if _ARCHIVE in url:
        archived = True
        inner = url.split("/http", 1)
        url = "http" + inner[1] if len(inner) == 2 else url
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    return host.removeprefix("www."), archived


def build_decidim(source: str) -> str:
    """``host,title,type,archived`` sorted by host, from decidim_installations.csv."""
    rows: dict[str, tuple[str, str, str]] = {}
    for row in csv.DictReader(io.StringIO(source)):
        host, archived = _host(row.get("url") or "")
        if host and host != _ARCHIVE:
            rows.setdefault(host, (row["title"].strip(), row["type"].strip(), str(int(archived))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["host", "title", "type", "archived"])
    for host in sorted(rows):
        writer.writerow([host, *rows[host]])
    return out.getvalue()


def build_odf(source: str) -> str:
    """``siren,name,portal,datagouv_id,technology`` sorted by SIREN."""
    rows = []
    for row in csv.DictReader(io.StringIO(source)):
        siren = (row.get("siren") or "").strip()
        if not siren.isdigit():
            continue
        rows.append(
            [
                siren,
                (row.get("nom") or "").strip(),
                (row.get("url_platform") or "").strip(),
                (row.get("id_datagouv") or "").strip(),
                (row.get("techno_platform") or "").strip(),
            ]
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["siren", "name", "portal", "datagouv_id", "technology"])
    writer.writerows(sorted(rows))
    return out.getvalue()


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def decidim_hosts() -> dict[str, tuple[str, bool]]:
    """Host → (title, archived) of the known Decidim instances."""
    return {
        row["host"]: (row["title"], row["archived"] == "1")
        for row in csv.DictReader(io.StringIO(_read(DECIDIM_FILE)))
    }


@cache
def odf_portals() -> dict[str, list[dict[str, str]]]:
    """SIREN → OpenDataFrance rows (portal URL, data.gouv.fr id, technology)."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(_read(ODF_FILE))):
        out.setdefault(row["siren"], []).append(row)
    return out
