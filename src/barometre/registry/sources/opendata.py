"""OpenDataFrance observatory list (via Data4Good « Éclaireur public »): SIREN of councils.

The découpage gives no SIREN for régions and départements; this list names many of
them with their SIREN. It is used only to fill that gap, matched on the folded name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from barometre.registry.sources._io import read_csv

SOURCE_ID = "opendatafrance-2019"


@dataclass(frozen=True, slots=True)
class OpenDataRow:
    line: int
    siren: str
    name: str
    portal: str | None
    technology: str | None


def parse(path: Path) -> list[OpenDataRow]:
    rows = []
    for line, row in read_csv(path, ("siren", "nom", "url_platform", "techno_platform")):
        siren = row["siren"].strip()
        if len(siren) != 9 or not siren.isdigit():
            continue
        rows.append(
            OpenDataRow(
                line=line,
                siren=siren,
                name=row["nom"].strip(),
                portal=row["url_platform"].strip() or None,
                technology=row["techno_platform"].strip() or None,
            )
        )
    return rows
