"""Reading values written by people and their tools: numbers, dates, yes/no, handles.

The social stage's one reader of each kind (pure functions), used by the imports (one
cell of an export), by the site feeds (an item's date) and by the Ad Library (a reach).
Exports come from interfaces in English or French, saved by spreadsheets with their
own habits, so a cell can hold ``1,234`` (English thousands), ``1 234,5`` (French,
with a space, a no-break space U+00A0 or a narrow no-break space U+202F), ``12,3 %``,
``1.2K`` or ``1,2 k`` (abbreviated, as interfaces display counts), ``09/28/2026 18:12``
(United States order), ``28/09/2026`` (French order), ``Sat, Sep 12, 2026``,
``2026-09-18 12:00 +0000`` or an RFC 822 date whose day and month names are French
(``ven., 03 janv. 2025 10:00:00 +0100``, as some French CMS write their feeds). Every
reader here either returns the value or raises :class:`CellError` with a French reason;
none of them guesses silently when the text is ambiguous beyond what the caller's hints
decide.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from barometre.vocab import when
from barometre.vocab.text import fold
from barometre.vocab.when import When

Cell = str | int | float | bool | datetime | date | time | None
"""What a table cell can hold: text from CSV, typed values from an XLSX sheet."""

NULL_TEXTS = frozenset({"", "-", "--", "n/a", "na", "n.a.", "nan", "none", "null", "—", "–"})
"""Cell texts that mean "no value" in the exports (Meta writes ``N/A``, X writes ``-``)."""


class CellError(ValueError):
    """One cell cannot be read; ``str(error)`` is the French reason."""


def is_empty(value: Cell) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in NULL_TEXTS
    return False


# --- numbers ---------------------------------------------------------------------------

# Characters used to group thousands: spaces of every width, and the apostrophe (Swiss).
_GROUP_CHARS = " \u00a0\u202f\u2009\u2007'’"
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009\u2007'’]\d{3})+(?:[.,]\d+)?")
_MINUS = ("-", "\u2212")  # hyphen-minus and the typographic minus sign
# How interfaces abbreviate counts: « 1,2 k », « 3 M », « 1,5 Md » (French), « 1.2K »,
# « 3.4m », « 2B » (English), and the words written out. Compared folded, without a dot.
_MULTIPLIERS = {
    "k": 1e3, "mille": 1e3, "thousand": 1e3,
    "m": 1e6, "million": 1e6, "millions": 1e6, "mio": 1e6,
    "md": 1e9, "mds": 1e9, "mrd": 1e9, "milliard": 1e9, "milliards": 1e9,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
_ABBREVIATED = re.compile(r"(?P<number>.*?\d)\s*(?P<unit>[^\W\d_]+)\.?", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")


@dataclass(frozen=True, slots=True)
class Number:
    """A number read from text; ``abbreviated`` when written ``1,2 k`` (so rounded)."""

    value: float
    percent: bool = False
    abbreviated: bool = False

    def rounded(self) -> int:
        """The nearest whole number (half up): what an abbreviated count stands for."""
        return math.floor(self.value + 0.5)


def is_abbreviated(value: Cell) -> bool:
    """``1.2K``, ``3 M``: a count written the way interfaces abbreviate it."""
    if not isinstance(value, str):
        return False
    found = _ABBREVIATED.fullmatch(value.strip())
    return found is not None and fold(found.group("unit")) in _MULTIPLIERS


def is_scientific(text: str) -> bool:
    """``1.22158E+17``: how a spreadsheet displays, then saves, a number too long for it."""
    return _SCIENTIFIC.fullmatch(text.strip()) is not None


def parse_number(text: str, *, decimal_comma: bool | None = None) -> Number:
    """The number written in ``text``, in French or English notation.

    ``decimal_comma`` is the file's habit when one separator alone is ambiguous:
    ``True`` (French interface) reads ``1,5`` as 1.5 and ``1.234`` as 1234; ``False``
    (English interface) reads ``1,234`` as 1234; ``None`` reads a lone separator as the
    decimal mark. Spaces group thousands only in groups of three digits, so ``12 34``
    is refused rather than read as 1234. A count abbreviated as interfaces show it
    (``1.2K``, ``1,2 k``, ``3 M``, ``1,5 Md``) is multiplied out and marked
    ``abbreviated``: its last digits are not known. A number in scientific notation
    (``1.22158E+17``) is refused: the spreadsheet that wrote it dropped digits.
    """
    raw = text.strip()
    if not raw:
        raise CellError("nombre attendu, cellule vide")
    if is_scientific(raw):
        raise CellError(
            f"nombre en notation scientifique « {raw} » : un tableur l'a arrondi (chiffres perdus)"
        )
    body = raw
    multiplier = 1.0
    unit = _ABBREVIATED.fullmatch(body)
    if unit is not None:
        factor = _MULTIPLIERS.get(fold(unit.group("unit")))
        if factor is None:
            raise CellError(f"nombre invalide « {raw} »")
        multiplier, body = factor, unit.group("number").rstrip(_GROUP_CHARS)
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip(_GROUP_CHARS + " ")
    if percent and multiplier != 1.0:
        raise CellError(f"nombre invalide « {raw} »")
    negative = body.startswith(_MINUS)
    if negative or body.startswith("+"):
        body = body[1:].lstrip()
    if any(ch in body for ch in _GROUP_CHARS):
        if not _SPACE_GROUPED.fullmatch(body):
            raise CellError(f"nombre invalide « {raw} » (groupes de chiffres mal formés)")
        body = "".join(ch for ch in body if ch not in _GROUP_CHARS)
    if not body or not re.fullmatch(r"[0-9][0-9.,]*", body) or body[-1] in ".,":
        raise CellError(f"nombre invalide « {raw} »")
    plain = _plain_digits(body, raw, decimal_comma if multiplier == 1.0 else None)
    value = float(plain) * multiplier
    return Number(-value if negative else value, percent, multiplier != 1.0)


def _plain_digits(body: str, raw: str, decimal_comma: bool | None) -> str:
    """``body`` (digits, ``.`` and ``,``) rewritten with one ``.`` decimal mark at most."""
    commas, dots = body.count(","), body.count(".")
    if commas and dots:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if decimal == "," else ","
        if body.count(decimal) > 1 or not _grouped(body.split(decimal)[0], group):
            raise CellError(f"nombre invalide « {raw} » (séparateurs incohérents)")
        return body.replace(group, "").replace(decimal, ".")
    for mark, count, group_when in ((",", commas, False), (".", dots, True)):
        if not count:
            continue
        if count > 1:
            if not _grouped(body, mark):
                raise CellError(f"nombre invalide « {raw} » (groupes de chiffres mal formés)")
            return body.replace(mark, "")
        if decimal_comma is group_when and _grouped(body, mark):
            return body.replace(mark, "")
        return body.replace(mark, ".")
    return body


def _grouped(digits: str, mark: str) -> bool:
    """``digits`` is a well-formed thousands grouping with ``mark`` (``1.234.567``)."""
    return re.fullmatch(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+", digits) is not None


def read_number(value: Cell, *, decimal_comma: bool | None = None) -> Number | None:
    """A cell as a number (``None`` when empty); typed XLSX numbers pass through."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"nombre attendu, pas « {value} »")
    if isinstance(value, int | float):
        return Number(float(value))
    if isinstance(value, str):
        return parse_number(value, decimal_comma=decimal_comma)
    raise CellError(f"nombre attendu, pas une date ou une heure « {value} »")


def read_count(value: Cell, *, decimal_comma: bool | None = None) -> int | None:
    """A count (likes, views…): a whole number ≥ 0, or ``None`` when the cell is empty.

    An abbreviated count (``1.2K``) is rounded to the unit: 1 200.
    """
    number = read_number(value, decimal_comma=decimal_comma)
    if number is None:
        return None
    if number.percent:
        raise CellError(f"nombre attendu, pas un pourcentage « {value} »")
    if number.value < 0:
        raise CellError(f"nombre négatif « {value} » pour un compte")
    if number.abbreviated:
        return number.rounded()
    if number.value != int(number.value):
        raise CellError(f"nombre entier attendu, pas « {value} »")
    return int(number.value)


@dataclass(frozen=True, slots=True)
class CountRange:
    """A count known only between two bounds (``1K-5K``, Graph's ``lower_bound`` and
    ``upper_bound``); ``upper`` is ``None`` when open (``>1M``). ``midpoint`` is the
    value used where one figure is needed, and said to be one."""

    lower: int
    upper: int | None

    @property
    def exact(self) -> bool:
        return self.upper == self.lower

    @property
    def midpoint(self) -> int:
        return self.lower if self.upper is None else (self.lower + self.upper) // 2


_RANGE_SEPARATOR = re.compile(r"\s*(?:[-–—]|\bà\b|\bto\b)\s*")
_OPEN_UPPER = re.compile(r"^(?:>|≥|\+|plus de|more than|over)\s*(.+?)\s*\+?$", re.IGNORECASE)
_OPEN_LOWER = re.compile(r"^(?:<|≤|moins de|less than|under)\s*(.+)$", re.IGNORECASE)


def read_count_range(value: object, *, decimal_comma: bool | None = None) -> CountRange | None:
    """A count given as one number, as bounds or as a range written out.

    Accepted: a whole number; a mapping ``{"lower_bound": …, "upper_bound": …}`` (the
    Graph API writes the bounds as text or numbers; an absent upper bound is open);
    text such as ``1K-5K``, ``1 000 – 4 999``, ``1 k à 5 k``, ``>1M``, ``<100``, or
    one count (``1,2 k``). ``None`` when empty; :class:`CellError` when unreadable.
    """
    if value is None or (isinstance(value, str) and is_empty(value)):
        return None
    if isinstance(value, bool):
        raise CellError(f"nombre attendu, pas « {value} »")
    if isinstance(value, int | float):
        count = read_count(value)
        return None if count is None else CountRange(count, count)
    if isinstance(value, dict):
        lower = read_count(_cell(value.get("lower_bound")), decimal_comma=decimal_comma)
        upper = read_count(_cell(value.get("upper_bound")), decimal_comma=decimal_comma)
        if lower is None and upper is None:
            return None
        return _range(lower or 0, upper, value)
    if not isinstance(value, str):
        raise CellError(f"nombre ou fourchette attendu, pas « {value} »")
    text = value.strip()
    found = _OPEN_UPPER.match(text)
    if found:
        return _range(_bound(found.group(1), text, decimal_comma), None, text)
    found = _OPEN_LOWER.match(text)
    if found:
        return _range(0, _bound(found.group(1), text, decimal_comma), text)
    parts = [p for p in _RANGE_SEPARATOR.split(text) if p]
    if len(parts) == 1 and not text.startswith(_MINUS):
        count = _bound(parts[0], text, decimal_comma)
        return CountRange(count, count)
    if len(parts) != 2:
        raise CellError(f"fourchette illisible « {text} »")
    return _range(
        _bound(parts[0], text, decimal_comma), _bound(parts[1], text, decimal_comma), text
    )


def _cell(value: object) -> Cell:
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _bound(text: str, whole: str, decimal_comma: bool | None) -> int:
    try:
        count = read_count(text, decimal_comma=decimal_comma)
    except CellError:
        raise CellError(f"fourchette illisible « {whole} »") from None
    if count is None:
        raise CellError(f"fourchette illisible « {whole} »")
    return count


def _range(lower: int, upper: int | None, written: object) -> CountRange:
    if upper is not None and upper < lower:
        raise CellError(f"fourchette inversée « {written} »")
    return CountRange(lower, upper)


# --- identifiers -----------------------------------------------------------------------

SPREADSHEET_DIGITS = 15
"""Significant digits a spreadsheet keeps in a number: longer ids lose their last digits."""


def mangled_id(value: Cell) -> str | None:
    """Why an id cell was damaged by a spreadsheet, or ``None`` when it looks intact.

    Post and account ids (Facebook, X, TikTok…) are longer than the 15 digits a
    spreadsheet keeps in a number: once a spreadsheet took the column for numbers, it
    shows ``1.22158E+17`` and saves that text in a CSV, or stores a rounded number in a
    workbook. Either way the last digits are gone and two posts may share one id.
    """
    if isinstance(value, str) and is_scientific(value):
        return (
            f"identifiant « {value.strip()} » en notation scientifique : un tableur l'a "
            "arrondi, ses derniers chiffres sont perdus"
        )
    if isinstance(value, float) and abs(value) >= 10**SPREADSHEET_DIGITS:
        return (
            f"identifiant enregistré comme nombre par un tableur (« {value:.15G} ») : "
            f"au-delà de {SPREADSHEET_DIGITS} chiffres, ses derniers chiffres sont perdus"
        )
    return None


# --- yes / no --------------------------------------------------------------------------

_TRUE = frozenset({"1", "true", "yes", "y", "oui", "o", "vrai", "x"})
_FALSE = frozenset({"0", "false", "no", "n", "non", "faux"})


def read_bool(value: Cell) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = fold(str(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"oui ou non attendu, pas « {value} »")


# --- dates -----------------------------------------------------------------------------


def read_when(value: Cell, *, tz: ZoneInfo, day_first: bool) -> When | None:
    """A cell as an aware datetime (:func:`barometre.vocab.when.read_when`); an empty
    cell is ``None``, an unreadable one raises :class:`CellError`."""
    if is_empty(value):
        return None
    try:
        return when.read_when(value, tz=tz, day_first=day_first)
    except when.DateError as error:
        raise CellError(str(error)) from None


def day_first_of(values: list[Cell], *, default: bool) -> bool:
    """Whether a column writes ``dd/mm/yyyy`` (:func:`barometre.vocab.when.day_first_of`)."""
    try:
        return when.day_first_of(values, default=default)
    except when.DateError as error:
        raise CellError(str(error)) from None


# --- handles and links -----------------------------------------------------------------

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)


def normalize_handle(handle: str) -> str:
    """The comparison form of a handle: no spaces, no leading ``@``, lower case."""
    return handle.strip().lstrip("@").strip().lower()


def links_in(text: str) -> tuple[str, ...]:
    """The http(s) links written in a post's text, in order, without trailing punctuation."""
    found: list[str] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(".,;:!?)]}…")
        if url not in found:
            found.append(url)
    return tuple(found)
