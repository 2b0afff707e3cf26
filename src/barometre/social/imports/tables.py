"""Turning an export file into tables of cells, whatever its encoding or container.

A platform export is a CSV (UTF-8 with or without BOM, UTF-16 as Meta's page-level
exports use, or Windows-1252 once a spreadsheet on Windows re-saved it; ``,``, ``;`` or
tab separated; sometimes an Excel ``sep=,`` hint on the first line) or an XLSX workbook
of several sheets (LinkedIn). The kind is told from the bytes, not from the file name:
LinkedIn's ``.xls`` downloads and re-saved CSV files lie about their extension.

Every row keeps its physical line number (a quoted cell spanning lines counts from the
line where the record starts), so that any later error can say where to look. Cells are
text (CSV) or typed values (XLSX); nothing is ever evaluated: a cell reading
``=HYPERLINK(...)`` stays that text, and XLSX formulas give their stored result only.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from barometre.errors import SourceError, SourceMissingError
from barometre.social.imports.values import Cell
from barometre.tabular import csv_problem, strict_reader
from barometre.vocab.text import control_character

MAX_BYTES = 200 * 1024 * 1024
"""Largest file read (an export of many thousand posts is a few megabytes)."""
SNIFF_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    """One table of a file: the CSV itself, or one sheet of a workbook."""

    rows: Sequence[tuple[int, tuple[Cell, ...]]]
    sheet: str | None = None  # sheet name (XLSX)
    encoding: str | None = None  # text encoding (CSV)
    delimiter: str | None = None  # field separator (CSV)

    def where(self) -> str:
        """« feuille « All posts », » prefix for messages about a sheet (empty for a CSV)."""
        return f"feuille « {self.sheet} », " if self.sheet else ""


@dataclass(frozen=True)
class Loaded:
    path: Path
    sha256: str
    tables: tuple[Table, ...]
    kind: str  # "csv" | "xlsx"


def load(path: Path) -> Loaded:
    """Read ``path`` whole (hashing its bytes) and split it into tables."""
    if not path.is_file():
        raise SourceMissingError(path, "fichier introuvable")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SourceError(path, f"fichier trop gros ({size} octets, au plus {MAX_BYTES})")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise SourceError(path, "fichier vide")
    if data.startswith(b"PK\x03\x04"):
        return Loaded(path, digest, read_xlsx(path, data), "xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(
            path,
            "classeur Excel 97-2003 (.xls binaire) non pris en charge : ouvrez-le dans un "
            "tableur et enregistrez-le au format .xlsx ou .csv",
        )
    text, encoding = decode(path, data)
    return Loaded(path, digest, (read_csv_text(path, text, encoding),), "csv")


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding used: BOM first, then UTF-8, then cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _decode(path, data, encoding), encoding
    if len(data) >= 4 and data[0] != 0 and data[1] == 0 and data[3] == 0:
        return _decode(path, data, "utf-16-le"), "utf-16-le"
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return _decode(path, data, "utf-16-be"), "utf-16-be"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise SourceError(
            path,
            "encodage non reconnu (UTF-8, UTF-16 ou Windows-1252 attendus)",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from exc


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise SourceError(path, f"texte illisible en {encoding} : {exc.reason}", line) from exc


def read_csv_text(path: Path, text: str, encoding: str) -> Table:
    """Rows of a CSV text, with the separator given by a ``sep=`` line or sniffed."""
    text = text.lstrip("\ufeff")
    first_line_end = text.find("\n")
    first = (text if first_line_end < 0 else text[:first_line_end]).strip().strip('"')
    skip = 0
    if first.lower().startswith("sep=") and len(first) == 5:
        delimiter = first[4]
        skip = 1
    else:
        delimiter = sniff_delimiter(text)
    reader = strict_reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    start = 1
    try:
        for record in reader:
            if reader.line_num <= skip:
                start = reader.line_num + 1
                continue
            if record and any(cell.strip() for cell in record):
                _refuse_control(path, start, record)
                rows.append((start, tuple(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(path, csv_problem(exc), line=start) from exc
    return Table(rows=rows, encoding=encoding, delimiter=delimiter)


def _refuse_control(path: Path, line: int, cells: Sequence[Cell], where: str = "") -> None:
    """Refuse a row holding a control character (a NUL byte, an escape…) in a text cell."""
    for number, cell in enumerate(cells, start=1):
        control = control_character(cell) if isinstance(cell, str) else None
        if control is not None:
            raise SourceError(
                path, f"{where}caractère de contrôle {control} dans la colonne {number}", line
            )


def sniff_delimiter(text: str) -> str:
    """The separator of the first lines: the candidate found most often outside quotes."""
    sample_lines = [line for line in text.splitlines()[:12] if line.strip()]
    best, best_count = ",", -1
    for candidate in SNIFF_DELIMITERS:
        count = max((_outside_quotes(line, candidate) for line in sample_lines), default=0)
        if count > best_count:
            best, best_count = candidate, count
    return best


def _outside_quotes(line: str, char: str) -> int:
    quoted = False
    count = 0
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def read_xlsx(path: Path, data: bytes) -> tuple[Table, ...]:
    """Every sheet of a workbook, cells as stored values (formulas never recomputed)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(path, f"classeur Excel illisible ou tronqué : {exc}") from exc
    tables: list[Table] = []
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, tuple[Cell, ...]]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = tuple(_cell(value) for value in values)
                if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in cells):
                    _refuse_control(path, number, cells, f"feuille « {sheet.title} », ")
                    rows.append((number, cells))
            tables.append(Table(rows=rows, sheet=sheet.title))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(path, f"classeur Excel illisible ou tronqué : {exc}") from exc
    finally:
        workbook.close()
    return tuple(tables)


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | bool | int | float | datetime | date | time):
        return value
    return str(value)
