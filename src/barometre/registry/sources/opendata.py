"""OpenDataFrance observatory list (via Data4Good « Éclaireur public »): SIREN of councils.

The découpage gives no SIREN for régions and départements; this list names many of
them with their SIREN. It is used only to fill that gap, matched on the folded name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from barometre.registry.report import BuildReport
from barometre.registry.sources._io import read_csv

SOURCE_ID = "opendatafrance-2019"


@dataclass(frozen=True, slots=True)
class OpenDataRow:
    line: int
    siren: str
    name: str
    portal: str | None
    technology: str | None


def parse(path: Path, report: BuildReport) -> list[OpenDataRow]:
    rows = []
    for line, row in read_csv(path, ("siren", "nom", "url_platform", "techno_platform")):
        # invisible marks (U+200E…) sometimes stick to the number
        siren = "".join(ch for ch in row["siren"] if ch.isdigit())
        if len(siren) != 9:
            report.add(SOURCE_ID, line, "invalid_value", f"SIREN « {row['siren']} » invalide")
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
