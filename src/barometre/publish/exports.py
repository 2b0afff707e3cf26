"""Open-data exports of an edition: CSV with Table Schemas, JSON, Parquet, SQLite.

One pass per table: rows stream from the database in batches and go to every format
asked for at once, so ``all`` reads the edition once and memory stays flat whatever its
size (the national edition has about 1.5 million results). Layout under ``out``::

    csv/<table>.csv, csv/<table>.schema.json, csv/datapackage.json
    (…, indicateurs: the catalogue's figures, when the pipeline gives them)
    json/<table>.json
    parquet/<table>.parquet
    sqlite/barometre-<edition>.sqlite, sqlite/metadata.json   (Datasette)

Every file is first written under a hidden temporary name beside its final place and
renamed only once every file of the export is complete: an interrupted or failed export
leaves the previous files as they were and no partial file; re-running replaces. A
killed export cannot clean up: the next one removes what it left (:mod:`barometre.files`).

Only the CSV files neutralise formula prefixes (spreadsheets run them); JSON, Parquet
and SQLite keep every text exactly as measured.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib
import json
import math
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from barometre import files
from barometre.errors import ConfigurationError, StorageError, os_reason
from barometre.methodology import Methodology, policy
from barometre.models import Edition
from barometre.publish import datasette
from barometre.publish.tableschema import (
    DEMO_SOURCES,
    INDICATORS_TABLE,
    LICENCE,
    REGISTRY_SOURCES,
    Field,
    TableDef,
    tables,
)
from barometre.storage import edition_repo, export_repo, score_repo
from barometre.tabular import neutralise
from barometre.vocab import fr
from barometre.vocab.status import NOT_MEASURED

FORMATS = ("csv", "json", "parquet", "sqlite")
BATCH = export_repo.BATCH
PARQUET_ROW_GROUP = 100_000
PARQUET_HINT = (
    "Le format Parquet demande pyarrow : installez l'extra « parquet » (uv sync --extra "
    "parquet, ou pip install 'barometre[parquet]'), ou choisissez csv, json ou sqlite."
)

Row = tuple[Any, ...]


def parse_formats(text: str) -> tuple[str, ...]:
    """``csv``, ``json``, ``parquet``, ``sqlite``, a comma-separated list, or ``all``."""
    asked = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not asked:
        raise ConfigurationError("Aucun format demandé : csv, json, parquet, sqlite ou all.")
    if "all" in asked:
        return FORMATS
    unknown = [a for a in asked if a not in FORMATS]
    if unknown:
        raise ConfigurationError(
            f"Format « {unknown[0]} » inconnu : csv, json, parquet, sqlite ou all "
            "(plusieurs séparés par des virgules)."
        )
    return tuple(f for f in FORMATS if f in asked)


def parquet_available() -> bool:
    """Whether the optional ``parquet`` extra (pyarrow) is installed."""
    try:
        load_pyarrow()
    except ConfigurationError:
        return False
    return True


def load_pyarrow() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``, or a French error naming the extra to install."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError as exc:
        raise ConfigurationError(PARQUET_HINT) from exc


# --- what the package says about itself ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """The edition as every export describes it (titles, licence, demonstration, manifest)."""

    edition: Edition
    methodology: Methodology
    exported_at: datetime

    @property
    def demo(self) -> bool:
        return self.edition.demo

    @property
    def name(self) -> str:
        return f"barometre-numerique-territoires-{self.edition.id}".lower()

    @property
    def database_name(self) -> str:
        return f"barometre-{self.edition.id}"

    @property
    def title(self) -> str:
        if self.demo:
            return (
                "Baromètre numérique des territoires — DÉMONSTRATION (données fictives), "
                f"édition {self.edition.id}"
            )
        return f"Baromètre numérique des territoires — édition {self.edition.id}"

    @property
    def frozen(self) -> bool:
        return self.edition.frozen_at is not None

    @property
    def status_text(self) -> str:
        if self.edition.frozen_at is not None:
            return (
                f"Édition figée le {fr.moment(_utc(self.edition.frozen_at))} UTC ; "
                f"empreinte SHA-256 de son manifeste : {self.edition.manifest_sha256}."
            )
        return "Édition non figée : ses résultats peuvent encore changer."

    @property
    def description(self) -> str:
        parts = []
        if self.demo:
            parts.append(
                "DÉMONSTRATION : collectivités, sites et comptes fictifs du web d'exemple du "
                "projet ; ces chiffres ne décrivent aucune collectivité réelle."
            )
        parts.append(
            "Mesures automatiques de la présence numérique des collectivités françaises "
            f"(édition {self.edition.id}, méthodologie {self.methodology.version}) : "
            "résultats par critère avec leurs preuves, scores, couvertures, notes et rangs "
            "par groupe de pairs, découvertes, comptes et indicateurs sociaux."
        )
        parts.append(self.status_text)
        parts.append(
            "Les mesures sont publiées sous la Licence Ouverte / Etalab 2.0 ; le registre des "
            "collectivités vient des sources ouvertes citées."
        )
        parts.append(
            "Dans les fichiers CSV, une cellule de texte qui commence par =, +, -, @, une "
            "tabulation ou un retour chariot est précédée d'une apostrophe (protection des "
            "tableurs contre l'injection de formules) ; JSON, Parquet et SQLite gardent les "
            "textes tels quels."
        )
        return " ".join(parts)

    @property
    def sources(self) -> list[dict[str, str]]:
        return [dict(s) for s in (DEMO_SOURCES if self.demo else REGISTRY_SOURCES)]

    def edition_row(self) -> Row:
        """The one row of the ``edition`` table (see :data:`EDITION_TABLE`)."""
        frozen = self.edition.frozen_at
        return (
            self.edition.id,
            self.title,
            self.demo,
            self.methodology.version,
            None if frozen is None else _iso(frozen),
            self.edition.manifest_sha256,
            LICENCE["title"],
            LICENCE["path"],
            _iso(self.exported_at),
        )

    def facts(self) -> dict[str, Any]:
        """The edition's identity, as JSON-ready values (the ``edition`` row)."""
        return {f.name: v for f, v in zip(EDITION_TABLE.fields, self.edition_row(), strict=True)}


EDITION_TABLE = TableDef(
    name="edition",
    title="Édition",
    description="L'édition exportée : identité, méthodologie, démonstration ou non, gel, licence.",
    fields=(
        Field("edition", "string", "Édition", "Identifiant de l'édition (AAAA-MM).", required=True),
        Field("titre", "string", "Titre", "Titre du jeu de données."),
        Field(
            "demonstration",
            "boolean",
            "Démonstration",
            "true : édition de démonstration, sur des collectivités fictives.",
        ),
        Field("methodologie", "string", "Méthodologie", "Version de la méthodologie."),
        Field("figee_le", "datetime", "Figée le", "Date du gel de l'édition (vide : non figée)."),
        Field(
            "manifeste_sha256",
            "string",
            "Empreinte du manifeste",
            "SHA-256 du manifeste de l'édition figée.",
        ),
        Field("licence", "string", "Licence", "Licence des données."),
        Field("licence_url", "string", "Adresse de la licence", "Texte de la licence."),
        Field("exporte_le", "datetime", "Exporté le", "Date de l'export (UTC)."),
    ),
    primary_key=("edition",),
)


# --- values --------------------------------------------------------------------------------
#
# A public row holds str, int, float, bool, None; dates as ISO 8601 text in UTC to the
# second (``2026-12-01T08:22:06Z``: Table Schema's default datetime format) and JSON
# columns as :class:`Json` (the value and its text, computed once for every format).


def _utc(value: datetime) -> datetime:
    # SQLite gives naive datetimes back: they were stored in UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _iso(value: datetime) -> str:
    return _utc(value).replace(tzinfo=None).isoformat() + "Z"


@lru_cache(maxsize=4096)
def _public_datetime(value: datetime) -> str:
    # Results of one audit pass share their timestamp: most calls are cache hits.
    return _iso(value)


def _public_number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _normaliser(f: Field) -> Callable[[Any], Any] | None:
    """How a raw database value becomes the public one (``None``: as it is)."""
    if f.type == "datetime":
        return lambda v: None if v is None else _public_datetime(v)
    if f.type == "number":
        return _public_number
    if f.type == "integer":
        return lambda v: None if v is None else int(v)
    if f.type == "boolean":
        return lambda v: None if v is None else bool(v)
    return None


def _normalise(table: TableDef, rows: Iterable[Row]) -> Iterator[Row]:
    steps = [(i, fn) for i, f in enumerate(table.fields) if (fn := _normaliser(f)) is not None]
    for row in rows:
        if steps:
            values = list(row)
            for i, fn in steps:
                values[i] = fn(values[i])
            yield tuple(values)
        else:
            yield row


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class Json:
    """A JSON value of a public row with its compact text (strict JSON: a NaN or an
    infinity kept in a detail becomes null)."""

    __slots__ = ("text", "value")

    def __init__(self, value: Any) -> None:
        try:
            text = _ENCODER.encode(value)
        except ValueError:
            value = _finite(value)
            text = _ENCODER.encode(value)
        self.value = value
        self.text = text


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _stored_text(text: str, kind: type) -> Json:
    value = _parsed(text)
    return Json(value if isinstance(value, kind) else kind())


def _stored(raw: Any, kind: type) -> Json:
    """A stored JSON column (its text; an already decoded value on some drivers) as a
    list or a dict; anything else, or nothing, as an empty one."""
    if isinstance(raw, str):
        return _stored_text(raw, kind)
    return Json(raw if isinstance(raw, kind) else kind())


def _first_evidence(raw: Any) -> Json | None:
    evidence = _stored(raw, list).value
    return Json(evidence[0]) if evidence and isinstance(evidence[0], dict) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, Json):
        return value.value
    raise TypeError(f"valeur non sérialisable : {type(value).__name__}")


_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default)


def _json_text(value: Json | None) -> str | None:
    return None if value is None else value.text


def _criteria_rows(methodology: Methodology, seen: Sequence[str]) -> Iterator[Row]:
    names = {d.id: d.name for d in methodology.dimensions}
    known = methodology.ids
    for c in methodology.criteria:
        yield (
            c.id,
            c.code,
            c.dimension,
            names.get(c.dimension),
            c.name,
            c.nature,
            c.basis or None,
            c.weight,
            methodology.version,
        )
    # A result of a criterion the grid no longer has still needs its row (foreign key).
    for check_id in seen:
        if check_id not in known:
            dimension = check_id.split(".", 1)[0]
            yield (
                check_id,
                None,
                dimension,
                names.get(dimension),
                f"Critère absent de la méthodologie {methodology.version}",
                None,
                None,
                None,
                methodology.version,
            )


def _rows(engine: Engine, edition: str, methodology: Methodology, name: str) -> Iterator[Row]:
    """The public rows of one table, streamed, before normalisation."""
    if name == "collectivites":
        yield from export_repo.iter_authorities(engine, edition)
    elif name == "criteres":
        yield from _criteria_rows(methodology, export_repo.result_check_ids(engine, edition))
    elif name == "resultats":
        for r in export_repo.iter_results(engine, edition):
            yield (*r[:6], _stored(r[6], list), r[7], r[8])
    elif name == "scores":
        # publication policy: the scoring stores a score, grade and rank only for the
        # graded; each row says which publication its collectivité has
        captured = score_repo.site_measured(
            engine, edition, policy.site_criteria(methodology.criteria)
        )
        grades = {
            r.authority_id: r.grade for r in score_repo.load_scores(engine, edition, scope="global")
        }
        for r in export_repo.iter_scores(engine, edition):
            yield _published_score(r, r[0] in captured, grades.get(r[0]))
    elif name == "decouvertes":
        for number, r in enumerate(export_repo.iter_findings(engine, edition), start=1):
            yield (number, *r[:6], _first_evidence(r[6]))
    elif name == "comptes_sociaux":
        for r in export_repo.iter_profiles(engine, edition):
            yield (*r[:22], _stored(r[22], list))
    elif name == "indicateurs_sociaux":
        for r in export_repo.iter_metrics(engine, edition):
            yield (*r[:7], _stored(r[7], dict))
    else:  # pragma: no cover - the table list is fixed
        raise ValueError(name)


def _published_score(row: Sequence[Any], captured: bool, grade: str | None) -> Row:
    """One ``scores`` row as the publication policy lets it out: a collectivité that is
    not graded has no global score, no grade and no rank, and without a captured site no
    dimension score either (whatever the storage holds); its publication is named."""
    authority_id, scope, value, coverage, row_grade, group, rank = row
    status = policy.publication_of(captured, grade)
    if status is not policy.Publication.GRADED:
        row_grade = rank = None
        if scope == "global" or (not captured and not str(scope).startswith("social:")):
            value = None
    return (authority_id, scope, value, coverage, row_grade, group, rank, str(status))


# --- the catalogue's figures ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One catalogue indicator over one group, as ``barometre stats`` computes it (the
    pipeline gives these: the publish stage computes nothing), with the values of the
    editions it is compared with."""

    indicator: str
    label: str
    section: str
    group: str
    group_label: str
    share: bool  # a share in [0, 1]; else a mean
    unit: str  # "collectivités" or "comptes"
    numerator: float
    denominator: int
    value: float | None  # None: nobody could be measured
    measured: int
    eligible: int
    coverage: float | None
    source: str
    previous_edition: str | None = None
    previous: float | None = None
    year_ago_edition: str | None = None
    year_ago: float | None = None


def _round6(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 6)


def indicator_row(r: IndicatorRecord) -> Row:
    """One row of :data:`INDICATORS_TABLE`."""
    return (
        r.indicator,
        r.label,
        r.section,
        r.group,
        r.group_label,
        "part" if r.share else "moyenne",
        r.unit,
        _round6(r.numerator),
        r.denominator,
        _round6(r.value),
        r.measured,
        r.eligible,
        _round6(r.coverage),
        NOT_MEASURED if r.value is None else "mesuré",
        r.previous_edition,
        _round6(r.previous),
        _change(r.value, r.previous),
        r.year_ago_edition,
        _round6(r.year_ago),
        _change(r.value, r.year_ago),
        r.source,
    )


def _batches(rows: Iterable[Row], size: int = BATCH) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# --- staging: temporary names, renamed together ------------------------------------------------


class Staging:
    """Files written under hidden temporary names (:func:`barometre.files.partial_path`),
    renamed to their final names together by :meth:`commit`, or all removed by
    :meth:`discard`."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path]] = []
        self._token = secrets.token_hex(4)

    def path(self, final: Path) -> Path:
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"{final.parent} : dossier impossible à créer ({os_reason(exc)})."
            ) from exc
        temporary = files.partial_path(final, self._token)
        self._files.append((temporary, final))
        return temporary

    def commit(self) -> list[Path]:
        for temporary, final in self._files:
            temporary.replace(final)
        done = [final for _, final in self._files]
        self._files = []
        return done

    def discard(self) -> None:
        for temporary, _ in self._files:
            files.discard(temporary)
        self._files = []


# --- writers -------------------------------------------------------------------------------------


class _Writer:
    """One format: :meth:`begin` a table, :meth:`write` batches, :meth:`end` it; then
    :meth:`finish` writes the format's own metadata. :meth:`close` releases everything
    (also after a failure)."""

    def __init__(self, folder: Path, staging: Staging, info: PackageInfo) -> None:
        self.folder = folder
        self.staging = staging
        self.info = info

    def begin(self, table: TableDef) -> None:
        raise NotImplementedError

    def write(self, batch: Sequence[Row]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError

    def finish(self, done: Sequence[TableDef]) -> None:
        """Metadata files of the format, once every table is written."""

    def close(self) -> None:
        """Release open handles (called after :meth:`finish` or on failure)."""


def _write_json(staging: Staging, final: Path, data: Any) -> None:
    with staging.path(final).open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def _csv_cell(f: Field) -> Callable[[Any], Any] | None:
    """The text of a boolean or JSON cell (other values go to the CSV writer as they are:
    it writes ``None`` as an empty cell and numbers as numbers)."""
    if f.type == "boolean":
        return lambda v: None if v is None else ("true" if v else "false")
    if f.type in ("array", "object"):
        return _json_text
    return None


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class CsvWriter(_Writer):
    def __init__(self, folder: Path, staging: Staging, info: PackageInfo) -> None:
        super().__init__(folder, staging, info)
        self._handle: IO[str] | None = None
        self._files: dict[str, Path] = {}

    def begin(self, table: TableDef) -> None:
        self._table = table
        path = self.staging.path(self.folder / f"{table.name}.csv")
        self._files[table.name] = path
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._handle, lineterminator="\n")
        self._csv.writerow(table.columns)
        self._cells = [(i, fn) for i, f in enumerate(table.fields) if (fn := _csv_cell(f))]

    def write(self, batch: Sequence[Row]) -> None:
        # Every text cell goes through neutralise (numbers and None pass unchanged).
        if not self._cells:
            self._csv.writerows(map(neutralise, row) for row in batch)
            return
        rows = []
        for row in batch:
            values = list(row)
            for i, fn in self._cells:
                values[i] = fn(values[i])
            rows.append(map(neutralise, values))
        self._csv.writerows(rows)

    def end(self) -> None:
        assert self._handle is not None
        self._handle.close()
        self._handle = None
        _write_json(
            self.staging, self.folder / f"{self._table.name}.schema.json", self._table.schema()
        )

    def finish(self, done: Sequence[TableDef]) -> None:
        resources = []
        for table in done:
            sha256, size = _sha256(self._files[table.name])
            resources.append(
                {
                    "name": table.name,
                    "title": table.title,
                    "description": table.description,
                    "profile": "tabular-data-resource",
                    "path": f"{table.name}.csv",
                    "schema": f"{table.name}.schema.json",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "bytes": size,
                    "hash": f"sha256:{sha256}",
                }
            )
        info = self.info
        package: dict[str, Any] = {
            "profile": "tabular-data-package",
            "name": info.name,
            "title": info.title,
            "description": info.description,
            "version": info.edition.id,
            "created": _iso(info.edition.frozen_at or info.exported_at),
            "keywords": ["collectivités", "numérique", "accessibilité", "réseaux sociaux"],
            "licenses": [dict(LICENCE)],
            "sources": info.sources,
            "edition": info.edition.id,
            "methodologie": info.methodology.version,
            "demonstration": info.demo,
            "figee": info.frozen,
            "resources": resources,
        }
        if info.edition.manifest_sha256:
            package["manifeste_sha256"] = info.edition.manifest_sha256
        _write_json(self.staging, self.folder / "datapackage.json", package)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class JsonWriter(_Writer):
    """One JSON document per table: the edition's identity, ``colonnes``, then ``lignes``
    as lists in column order (compact for millions of rows), written row by row. Evidence
    and details are nested JSON, not text."""

    def __init__(self, folder: Path, staging: Staging, info: PackageInfo) -> None:
        super().__init__(folder, staging, info)
        self._handle: IO[str] | None = None

    def begin(self, table: TableDef) -> None:
        head = {
            **self.info.facts(),
            "table": table.name,
            "description": table.description,
            "colonnes": [
                {"nom": f.name, "type": f.type, "titre": f.title, "description": f.description}
                for f in table.fields
            ],
        }
        self._handle = self.staging.path(self.folder / f"{table.name}.json").open(
            "w", encoding="utf-8"
        )
        opening = json.dumps(head, ensure_ascii=False, indent=1)
        self._handle.write(opening[:-1].rstrip() + ',\n "lignes": [')
        self._first = True

    def write(self, batch: Sequence[Row]) -> None:
        assert self._handle is not None
        parts = [_ROW_ENCODER.encode(row) for row in batch]
        if parts:
            self._handle.write(("\n  " if self._first else ",\n  ") + ",\n  ".join(parts))
            self._first = False

    def end(self) -> None:
        assert self._handle is not None
        self._handle.write("\n ]\n}\n")
        self._handle.close()
        self._handle = None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class ParquetWriter(_Writer):
    """Typed columns (int64, float64, bool, timestamp[ms, UTC], string; JSON as text),
    row groups of up to 100,000 rows, zstd; French descriptions in the field metadata."""

    def __init__(self, folder: Path, staging: Staging, info: PackageInfo) -> None:
        super().__init__(folder, staging, info)
        self.pa, self.pq = load_pyarrow()
        self._writer: Any = None
        self._pending: list[Any] = []
        self._pending_rows = 0

    def _type(self, f: Field) -> Any:
        pa = self.pa
        return {
            "string": pa.string(),
            "integer": pa.int64(),
            "number": pa.float64(),
            "boolean": pa.bool_(),
            "datetime": pa.timestamp("ms", tz="UTC"),  # Parquet's coarsest unit
            "array": pa.string(),
            "object": pa.string(),
        }[f.type]

    def begin(self, table: TableDef) -> None:
        pa = self.pa
        self._table = table
        self._json = [i for i, f in enumerate(table.fields) if f.type in ("array", "object")]
        self._dates = [i for i, f in enumerate(table.fields) if f.type == "datetime"]
        fields = [
            pa.field(
                f.name,
                self._type(f),
                nullable=not f.required,
                metadata={"titre": f.title, "description": f.description},
            )
            for f in table.fields
        ]
        facts = {k: json.dumps(v, ensure_ascii=False) for k, v in self.info.facts().items()}
        self._schema = pa.schema(
            fields,
            metadata={**facts, "table": table.name, "description": table.description},
        )
        path = self.staging.path(self.folder / f"{table.name}.parquet")
        self._writer = self.pq.ParquetWriter(str(path), self._schema, compression="zstd")

    def write(self, batch: Sequence[Row]) -> None:
        if not batch:
            return
        columns = [list(c) for c in zip(*batch, strict=True)]
        for i in self._json:
            columns[i] = [_json_text(v) for v in columns[i]]
        arrays = [
            self.pa.array(values, type=self.pa.string()).cast(field_.type)
            if i in self._dates
            else self.pa.array(values, type=field_.type)
            for i, (values, field_) in enumerate(zip(columns, self._schema, strict=True))
        ]
        self._pending.append(self.pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        self._pending_rows += len(batch)
        if self._pending_rows >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(
                self.pa.Table.from_batches(self._pending, schema=self._schema),
                row_group_size=PARQUET_ROW_GROUP,
            )
        self._pending, self._pending_rows = [], 0

    def end(self) -> None:
        self._flush()
        self._writer.close()
        self._writer = None

    def close(self) -> None:
        self._pending, self._pending_rows = [], 0
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class SqliteWriter(_Writer):
    """A standalone SQLite database of the public tables (keys, indexes, the ``edition``
    row), ready for Datasette with its ``metadata.json``."""

    def __init__(self, folder: Path, staging: Staging, info: PackageInfo) -> None:
        super().__init__(folder, staging, info)
        path = staging.path(folder / f"{info.database_name}.sqlite")
        self._database: export_repo.PublicDatabase | None = export_repo.PublicDatabase(path)

    def _db(self) -> export_repo.PublicDatabase:
        assert self._database is not None
        return self._database

    def begin(self, table: TableDef) -> None:
        self._table = table
        self._db().create(table.public_table())
        self._json = [i for i, f in enumerate(table.fields) if f.type in ("array", "object")]

    def write(self, batch: Sequence[Row]) -> None:
        if self._json:
            converted = []
            for row in batch:
                values = list(row)
                for i in self._json:
                    values[i] = _json_text(values[i])
                converted.append(values)
            self._db().insert(self._table.name, converted)
        else:
            self._db().insert(self._table.name, batch)

    def end(self) -> None:
        """Nothing to close per table: the whole database is one transaction."""

    def finish(self, done: Sequence[TableDef]) -> None:
        self.begin(EDITION_TABLE)
        self.write([self.info.edition_row()])
        database = self._db()
        self._database = None
        database.finish()
        _write_json(
            self.staging,
            self.folder / "metadata.json",
            datasette.metadata(self.info, [*done, EDITION_TABLE]),
        )

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None


WRITERS: dict[str, type[_Writer]] = {
    "csv": CsvWriter,
    "json": JsonWriter,
    "parquet": ParquetWriter,
    "sqlite": SqliteWriter,
}


# --- the export ----------------------------------------------------------------------------------


@dataclass
class ExportReport:
    edition: str
    out: Path
    formats: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def default_out(data_dir: Path, edition: str) -> Path:
    return data_dir / "exports" / edition


def export_edition(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    out: Path,
    formats: Sequence[str] = FORMATS,
    *,
    on_rows: Callable[[str, int], None] | None = None,
    now: datetime | None = None,
    indicators: Sequence[IndicatorRecord] | None = None,
) -> ExportReport:
    """Write the public tables of ``edition`` in every format of ``formats`` under
    ``out`` (one folder per format). ``on_rows(table, rows_so_far)`` follows progress.
    ``indicators``: the catalogue's figures of the edition (the ``indicateurs`` table;
    left out when ``None``).

    Nothing is renamed into place before every file is complete: on any error or
    interruption the temporary files are removed and earlier exports stay untouched.
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        parse_formats(",".join(formats))  # raises the French message
    if "parquet" in formats:
        load_pyarrow()
    info = PackageInfo(
        edition_repo.get_edition(engine, edition), methodology, now or datetime.now(UTC)
    )
    if not export_repo.has_content(engine, edition):
        raise ConfigurationError(
            f"Rien à exporter : l'édition {edition} ne contient encore aucun résultat "
            "(lancez « barometre audit » puis « barometre score »)."
        )
    report = ExportReport(edition, out, tuple(f for f in FORMATS if f in formats))
    files.sweep(out)  # what a killed export left behind
    staging = Staging()
    writers: list[_Writer] = []
    try:
        writers = [WRITERS[f](out / f, staging, info) for f in report.formats]
        done: list[TableDef] = []
        chosen: list[tuple[TableDef, Iterable[Row]]] = [
            (table, _rows(engine, edition, methodology, table.name))
            for table in tables(methodology)
        ]
        if indicators is not None:
            chosen.append((INDICATORS_TABLE, map(indicator_row, indicators)))
        for table, source in chosen:
            for writer in writers:
                writer.begin(table)
            count = 0
            for batch in _batches(_normalise(table, source)):
                for writer in writers:
                    writer.write(batch)
                count += len(batch)
                if on_rows is not None:
                    on_rows(table.name, count)
            for writer in writers:
                writer.end()
            report.rows[table.name] = count
            if on_rows is not None:
                on_rows(table.name, count)
            done.append(table)
        for writer in writers:
            writer.finish(done)
        for writer in writers:
            writer.close()
        report.files = staging.commit()
    except OSError as exc:
        _abandon(writers, staging)
        where = f"{exc.filename} : " if exc.filename else ""
        raise StorageError(
            f"Export interrompu, rien n'a été remplacé : {where}{os_reason(exc)}."
        ) from exc
    except BaseException:
        _abandon(writers, staging)
        raise
    return report


def _abandon(writers: Sequence[_Writer], staging: Staging) -> None:
    for writer in writers:
        # Already failing: whatever a writer says now, its temporary files go anyway.
        with contextlib.suppress(Exception):
            writer.close()
    staging.discard()
