"""Walking the data rows of a recognised table, one error per row, located.

:class:`Source` is a table whose header row matched a format; :class:`Row` reads one
of its rows field by field, and every failure names the column as written in the file.
:func:`convert_rows` applies a family's converter to each row: with ``strict`` the first
bad row rejects the whole file (:class:`~barometre.errors.SourceError` with the file,
the line and the column: nothing half-imported); without it the bad row is skipped and
listed in the warnings, in French.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from barometre.errors import SourceError
from barometre.social.imports.spec import HeaderMatch
from barometre.social.imports.tables import Table
from barometre.social.imports.values import (
    Cell,
    CellError,
    is_abbreviated,
    is_empty,
    mangled_id,
    read_bool,
    read_count,
    read_number,
    read_when,
)
from barometre.vocab.when import When

T = TypeVar("T")


class RowError(Exception):
    """One row cannot be used; ``column`` is the header as written (None: the whole row)."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column

    def describe(self) -> str:
        return f"colonne « {self.column} » : {self.reason}" if self.column else self.reason


@dataclass
class Source:
    """A table of an export, its header matched, and how to read its cells."""

    path: Path
    table: Table
    header_at: int  # position of the header row in ``table.rows``
    match: HeaderMatch
    platform: str
    tz: ZoneInfo
    strict: bool
    account_handle: str | None = None
    day_first: bool = False
    decimal_comma: bool | None = None
    warnings: list[str] = field(default_factory=list)
    abbreviated: dict[str, list[str]] = field(default_factory=dict)  # column → cells

    @property
    def header_line(self) -> int:
        return self.table.rows[self.header_at][0]

    def data_rows(self) -> Iterator[tuple[int, tuple[Cell, ...]]]:
        yield from self.table.rows[self.header_at + 1 :]

    def column_values(self, name: str) -> list[Cell]:
        """Every cell of one field (to decide a file-wide convention such as date order)."""
        position = self.match.index.get(name)
        if position is None:
            return []
        return [c[position] for _, c in self.data_rows() if position < len(c)]

    def fail(self, message: str, line: int | None = None) -> SourceError:
        return SourceError(self.path, self.table.where() + message, line)

    def warn(self, message: str) -> None:
        self.warnings.append(self.table.where() + message)

    def warn_at(self, line: int, message: str) -> None:
        """A warning about one line, located like an error: ``file:line : …``."""
        self.warnings.append(f"{self.path}:{line} : {self.table.where()}{message}")


@dataclass(frozen=True)
class Row:
    source: Source
    line: int
    cells: tuple[Cell, ...]
    abbreviated: list[tuple[str, str]] = field(default_factory=list)  # (column, cell)

    def has(self, name: str) -> bool:
        return name in self.source.match.index

    def raw(self, name: str) -> Cell:
        position = self.source.match.index.get(name)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def column(self, name: str) -> str:
        return self.source.match.column(name)

    def text(self, name: str) -> str | None:
        """The cell as text, ``None`` when empty (``N/A``, ``-``…). Never evaluated."""
        value = self.raw(name)
        if is_empty(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))  # an id typed as a number by a spreadsheet
        return str(value).strip()

    def count(self, name: str) -> int | None:
        """A count; one abbreviated by the interface (``1.2K``) is noted for the warnings."""
        value = self.raw(name)
        try:
            found = read_count(value, decimal_comma=self.source.decimal_comma)
        except CellError as exc:
            raise RowError(str(exc), self.column(name)) from None
        if is_abbreviated(value):
            self.abbreviated.append((self.column(name), str(value).strip()))
        return found

    def number(self, name: str) -> float | None:
        try:
            found = read_number(self.raw(name), decimal_comma=self.source.decimal_comma)
        except CellError as exc:
            raise RowError(str(exc), self.column(name)) from None
        return None if found is None else found.value

    def flag(self, name: str) -> bool | None:
        try:
            return read_bool(self.raw(name))
        except CellError as exc:
            raise RowError(str(exc), self.column(name)) from None

    def when(self, name: str) -> When | None:
        try:
            return read_when(self.raw(name), tz=self.source.tz, day_first=self.source.day_first)
        except CellError as exc:
            raise RowError(str(exc), self.column(name)) from None

    def identifier(self, name: str, *, recovered: str | None = None) -> str | None:
        """A post or account id, refused (``strict``) or reported when a spreadsheet
        damaged it (:func:`~barometre.social.imports.values.mangled_id`).

        ``recovered`` is the same id read elsewhere in the row (a permalink that carries
        it): without ``strict``, a damaged id is replaced by it."""
        problem = mangled_id(self.raw(name))
        if problem is None:
            return self.text(name)
        if self.source.strict:
            raise RowError(
                f"{problem} (réexportez le fichier depuis la plateforme sans l'ouvrir dans "
                "un tableur, ou importez-le en mode non strict pour garder ces lignes)",
                self.column(name),
            )
        kept = (
            f"identifiant repris du lien de la publication : « {recovered} »"
            if recovered
            else "ligne gardée avec cet identifiant"
        )
        self.source.warn_at(self.line, f"colonne « {self.column(name)} » : {problem} ; {kept}")
        return recovered or self.text(name)

    def require_identifier(self, name: str, *, recovered: str | None = None) -> str:
        value = self.identifier(name, recovered=recovered)
        if value is None:
            raise RowError("valeur obligatoire absente", self.column(name))
        return value

    def require(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise RowError("valeur obligatoire absente", self.column(name))
        return value


def convert_rows(source: Source, convert: Callable[[Row], T | None]) -> list[tuple[int, T]]:
    """``convert`` applied to each data row; ``None`` results are dropped silently.

    A CSV row with fewer fields than the header is truncated (an error, not a short
    row); extra fields are allowed only when empty. XLSX rows are padded, since
    spreadsheets do not store trailing empty cells.
    """
    width = len(source.match.names)
    is_csv = source.table.delimiter is not None
    done: list[tuple[int, T]] = []
    seen_rows = 0
    first_problem: str | None = None
    for line, cells in source.data_rows():
        seen_rows += 1
        try:
            if is_csv and len(cells) < width:
                raise RowError(
                    f"{len(cells)} champs au lieu de {width} (ligne tronquée ou guillemet "
                    "mal fermé ?)"
                )
            if len(cells) > width and any(not is_empty(c) for c in cells[width:]):
                raise RowError(f"{len(cells)} champs au lieu de {width} (colonnes en trop)")
            padded = tuple(cells[:width]) + (None,) * max(0, width - len(cells))
            row = Row(source, line, padded)
            result = convert(row)
        except RowError as exc:
            if source.strict:
                raise source.fail(exc.describe(), line) from None
            first_problem = first_problem or f"ligne {line} : {exc.describe()}"
            source.warn(f"ligne {line} ignorée : {exc.describe()}")
            continue
        if result is not None:
            done.append((line, result))
            for column, cell in row.abbreviated:
                source.abbreviated.setdefault(column, []).append(cell)
    for column, written in source.abbreviated.items():
        if len(written) == 1:
            said = f"valeur abrégée « {written[0]} », lue comme un arrondi de l'interface"
        else:
            shown = list(dict.fromkeys(written))
            quoted = ", ".join(f"« {c} »" for c in shown[:3]) + ("…" if len(shown) > 3 else "")
            said = f"{len(written)} valeurs abrégées ({quoted}), lues comme des arrondis de l'interface"
        source.warn(f"colonne « {column} » : {said}")
    source.abbreviated.clear()
    if seen_rows == 0:
        raise source.fail("aucune ligne de données après l'en-tête", source.header_line)
    if not done and first_problem is not None:
        raise source.fail(f"aucune ligne valide ({first_problem})")
    return done
