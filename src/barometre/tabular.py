"""Writing tables that spreadsheets open safely.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return) is read as a
formula by spreadsheet programs; text coming from crawled pages or user files must
never be able to run one, so such cells get a leading apostrophe (OWASP advice for
CSV injection). Numbers are written as numbers and are not touched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
