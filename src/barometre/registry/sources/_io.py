"""Careful readers for source files: every failure names the file and the line.

Parsers call these helpers instead of ``csv``/``json`` directly so that a malformed or
truncated file always gives a :class:`~barometre.errors.SourceError` pointing at the
faulty line, never a bare traceback or a silently shortened table.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from barometre.errors import SourceError, SourceMissingError
from barometre.tabular import csv_problem, strict_reader
from barometre.vocab.text import control_character


def open_text(path: Path) -> IO[str]:
    """Open a UTF-8 text file (transparently gunzipped when it ends in ``.gz``)."""
    if not path.is_file():
        raise SourceMissingError(path, "fichier introuvable")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_csv(
    path: Path, required: Sequence[str], *, delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` for each data row, checking the header and the width.

    The line number is the physical line where the record starts (header is line 1).
    A control character in any cell (a NUL byte, an escape…) refuses the file at its line.
    """
    start = 1
    try:
        with open_text(path) as handle:
            reader = strict_reader(handle, delimiter=delimiter)
            try:
                header = next(reader)
            except StopIteration:
                raise SourceError(path, "fichier vide (en-tête absent)", line=1) from None
            header = [name.strip() for name in header]
            missing = [name for name in required if name not in header]
            if missing:
                raise SourceError(
                    path,
                    f"colonnes manquantes dans l'en-tête : {', '.join(missing)} "
                    f"(trouvées : {', '.join(header)})",
                    line=1,
                )
            width = len(header)
            start = reader.line_num + 1
            for record in reader:
                if not record:
                    start = reader.line_num + 1
                    continue
                if len(record) != width:
                    raise SourceError(
                        path,
                        f"{len(record)} champs au lieu de {width} "
                        "(ligne tronquée ou guillemet mal fermé ?)",
                        line=start,
                    )
                if control_character("\t".join(record)) is not None:
                    _refuse_control(path, start, header, record)
                yield start, dict(zip(header, record, strict=True))
                start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(path, csv_problem(exc), line=start) from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"encodage invalide (UTF-8 attendu) : {exc.reason}") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SourceError(path, f"archive gzip tronquée ou corrompue : {exc}") from exc


def _refuse_control(path: Path, line: int, header: Sequence[str], record: Sequence[str]) -> None:
    for name, cell in zip(header, record, strict=True):
        control = control_character(cell)
        if control is not None:
            raise SourceError(path, f"caractère de contrôle {control} dans « {name} »", line=line)


def read_json(path: Path) -> Any:
    """Parse a whole JSON document; a syntax error reports its line."""
    try:
        with open_text(path) as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"encodage invalide (UTF-8 attendu) : {exc.reason}") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SourceError(path, f"archive gzip tronquée ou corrompue : {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"JSON invalide ou tronqué : {exc.msg}", line=exc.lineno) from exc


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-empty line of a JSON Lines file."""
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SourceError(
                        path, f"ligne JSON invalide ou tronquée : {exc.msg}", line=number
                    ) from exc
                if not isinstance(value, dict):
                    raise SourceError(path, "objet JSON attendu sur chaque ligne", line=number)
                yield number, value
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"encodage invalide (UTF-8 attendu) : {exc.reason}") from exc


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` of the non-blank, non-comment lines of a text file."""
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                text = line.strip()
                if text and not text.startswith("#"):
                    yield number, text
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"encodage invalide (UTF-8 attendu) : {exc.reason}") from exc


def require(path: Path, line: int | None, row: dict[str, Any], key: str) -> Any:
    """Return ``row[key]`` or fail with a located error when it is missing or empty."""
    value = row.get(key)
    if value is None or value == "":
        raise SourceError(path, f"champ obligatoire « {key} » absent ou vide", line=line)
    return value
