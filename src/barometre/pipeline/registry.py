"""The registry stage: the collectivités of the database, and how a user names them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from barometre import files
from barometre.errors import FileAccessError
from barometre.models import Authority, AuthorityKind
from barometre.pipeline.core import Setup
from barometre.registry import (
    BuildReport,
    Registry,
    build_from_raw,
    collectivites,
    read_bundle,
    registry_stats,
    write_bundle,
)
from barometre.registry.collectivites import successors
from barometre.registry.sources import user_csv
from barometre.storage import registry_repo
from barometre.tabular import write_csv
from barometre.vocab.authorities import parse_references

__all__ = [
    "BuildReport",
    "Registry",
    "build_from_raw",
    "registry_stats",
    "write_authorities",
    "write_bundle",
]


@dataclass(frozen=True)
class RegistryReport:
    """The registry a run starts from: imported now (``import_id``) or already there."""

    import_id: int | None
    authorities: int | None = None


def embedded_registry() -> Registry:
    """The registry shipped with the package."""
    return read_bundle()


def store_registry(setup: Setup, registry: Registry, source: str = "registre embarqué") -> int:
    """Replace the database's registry by ``registry``; returns the import's id."""
    return registry_repo.replace_registry(
        setup.engine, registry.authorities, source, registry.report.as_dict()
    )


def import_embedded(setup: Setup) -> int:
    """Load the registry shipped with the package into the database."""
    return store_registry(setup, embedded_registry())


def has_registry(setup: Setup) -> bool:
    return registry_repo.last_import(setup.engine) is not None


def ensure_registry(setup: Setup) -> RegistryReport:
    """Import the embedded registry first when the database has none."""
    if registry_repo.last_import(setup.engine) is None:
        return RegistryReport(import_embedded(setup))
    return RegistryReport(None)


def load_authorities(
    setup: Setup,
    kinds: Sequence[AuthorityKind] | None = None,
    *,
    departement: str | None = None,
) -> list[Authority]:
    return registry_repo.load_authorities(setup.engine, kinds=kinds, departement=departement)


def read_user_csv(setup: Setup, path: Path) -> tuple[list[Authority], BuildReport]:
    """The rows of a user CSV (corrections and additions) checked against the registry."""
    existing = {a.id: a for a in registry_repo.load_authorities(setup.engine)}
    # The départements where a collectivité may lie: INSEE's codes (2A, 67… even though
    # their councils are gone) and the codes of the départements' group.
    departements = {a.departement for a in existing.values() if a.departement}
    departements |= {
        code
        for a in existing.values()
        if a.kind is AuthorityKind.DEPARTEMENT
        for code in (a.code, *a.territory)
    }
    report = BuildReport()
    rows = user_csv.parse(path, report, existing, departements)
    return rows, report


def merge_user_rows(setup: Setup, rows: list[Authority], path: Path, report: BuildReport) -> int:
    return registry_repo.merge_user_rows(setup.engine, rows, str(path), report.as_dict())


def hierarchy_names(setup: Setup, matches: Sequence[Authority]) -> dict[str, str]:
    """The names of the région, département and EPCI of each collectivité, by id."""
    successors = collectivites.successors()
    wanted = {f"region:{m.region}" for m in matches if m.region}
    wanted |= {f"departement:{m.departement}" for m in matches if m.departement}
    wanted |= {f"epci:{m.epci}" for m in matches if m.epci}
    # An identifier of INSEE's map whose collectivité is gone is named by its successor
    # (région 94 → Collectivité de Corse, EPCI 200046977 → Métropole de Lyon).
    found = registry_repo.load_authorities(
        setup.engine, ids=wanted | {successors[w] for w in wanted if w in successors}
    )
    by_id = {a.id: a.name for a in found}
    return {w: by_id.get(w) or by_id.get(successors.get(w, ""), "") for w in wanted}


def recent_imports(setup: Setup) -> list[dict[str, Any]]:
    return registry_repo.recent_imports(setup.engine)


def last_build(imports: Sequence[dict[str, Any]]) -> BuildReport | None:
    """The report of the last full build among ``imports`` (its join rates: a user CSV
    import has only its own rows)."""
    full = next((i for i in imports if len(i["report"].get("joins", [])) > 1), None)
    return BuildReport.from_dict(full["report"]) if full else None


CSV_COLUMNS = (
    "id",
    "type",
    "statut",
    "code",
    "siren",
    "nom",
    "population",
    "region",
    "departement",
    "epci",
    "type_epci",
    "territoire",
    "site",
    "site_source",
    "email",
    "email_source",
    "telephone",
)


def _csv_row(a: Authority) -> tuple[Any, ...]:
    site = a.website
    mail = next((c for c in a.contacts if c.kind == "email"), None)
    return (
        a.id,
        a.kind.value,
        a.legal.value,
        a.code,
        a.siren,
        a.name,
        a.population,
        a.region,
        a.departement,
        a.epci,
        a.epci_type,
        " ".join(a.territory) or None,
        site.url if site else None,
        site.source if site else None,
        mail.value if mail else None,
        mail.source if mail else None,
        a.phone,
    )


def write_authorities(items: list[Authority], fmt: str, handle: IO[str]) -> None:
    """The collectivités as CSV (cells neutralised) or JSON (``fmt``: csv or json)."""
    if fmt == "json":
        payload = []
        for a in items:
            record = asdict(a)
            record["kind"] = a.kind.value
            record["legal_type"] = a.legal.value
            record["id"] = a.id
            payload.append(record)
        json.dump(payload, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    else:
        write_csv(handle, CSV_COLUMNS, (_csv_row(a) for a in items))


def export_authorities(items: list[Authority], fmt: str, out: Path) -> None:
    """:func:`write_authorities` into the file ``out``, written under a partial name and
    renamed once complete: never a half-written export (a killed one's leftover is swept)."""
    files.sweep(out.parent, only=out.name, recursive=False)
    tmp = files.partial_path(out)
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            write_authorities(items, fmt, handle)
        tmp.replace(out)
    except OSError as exc:
        files.discard(tmp)
        raise FileAccessError(exc, out) from exc
    except BaseException:
        files.discard(tmp)
        raise


def find_authorities(
    setup: Setup,
    codes: Sequence[str],
    kind: AuthorityKind | None = None,
    *,
    single: bool = False,
    on_successor: Callable[[str, str], None] | None = None,
) -> list[Authority]:
    """The collectivités the user named (``commune:75056``, ``75056``, ``75`` with
    ``--type``), the one way every command reads them: an identifier of INSEE's map that
    now designates another collectivité (``departement:2A``, ``region:94``…) finds it,
    and ``on_successor`` says so. French errors for an unknown code, and for an
    ambiguous one when ``single``."""
    refs = parse_references(codes, kind)
    table = successors()
    for ref in refs:
        for old, new in ref.successors(table):
            if on_successor is not None:
                on_successor(old, new)
    return registry_repo.find_authorities(setup.engine, refs, table, single=single)
