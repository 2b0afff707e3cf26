"""Tables in and out: CSV that spreadsheets open safely, and the reading problems of CSV.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) is read as a
formula by spreadsheet programs; text coming from crawled pages or user files must
never be able to run one, so such cells get a leading apostrophe (OWASP advice for
CSV injection). Numbers are written as numbers and are not touched.

Every reader of CSV files refuses cells longer than :data:`CSV_FIELD_LIMIT` (a runaway
quote in a damaged file must fail, not swallow the rest of the file) and reports a
:class:`csv.Error` with :func:`csv_problem`, at the line where the record starts.
"""

from __future__ import annotations

import _csv
import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_FIELD_LIMIT = 1 << 20
_EXPECTED_AFTER_QUOTE = re.compile(r"^'(.+)' expected after '(.)'$")


def strict_reader(lines: Iterable[str], *, delimiter: str = ",") -> _csv.Reader:
    """A strict :mod:`csv` reader that refuses cells over :data:`CSV_FIELD_LIMIT`.

    The limit is process-wide in :mod:`csv` and other libraries raise it when imported
    (frictionless does), so it is set again for every reader rather than once."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(lines, delimiter=delimiter, strict=True)


def csv_problem(exc: csv.Error) -> str:
    """What is wrong in French, for the error of a strict :mod:`csv` reader (the caller
    adds the file and the line where the record starts)."""
    text = str(exc)
    if text == "unexpected end of data":
        return (
            "guillemet ouvert jamais refermé : le fichier se termine au milieu d'un champ "
            "(fichier tronqué ou guillemet en trop ?)"
        )
    if text.startswith("field larger than field limit"):
        return (
            f"champ de plus de {CSV_FIELD_LIMIT >> 20} Mio (guillemet non refermé, ou "
            "fichier qui n'est pas un CSV ?)"
        )
    found = _EXPECTED_AFTER_QUOTE.match(text)
    if found:
        return (
            f"caractère inattendu après un guillemet fermant (« {found[1]} » attendu) : un "
            'guillemet dans un champ s\'écrit "" (doublé)'
        )
    if "new-line character seen in unquoted field" in text:
        return "retour à la ligne isolé dans un champ sans guillemets"
    return f"CSV invalide ({text})"


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write UTF-8 CSV with neutralised cells; returns the number of data rows."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
        count += 1
    return count
