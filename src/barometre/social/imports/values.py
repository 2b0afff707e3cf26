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
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from barometre.vocab.fr import MONTH_NUMBERS
from barometre.vocab.text import fold

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

# French month names and abbreviations (vocab.fr), and the English ones of exports.
_MONTHS = {
    **MONTH_NUMBERS,
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "aou": 8, "sep": 9, "september": 9, "october": 10,
    "november": 11, "december": 12,
}  # fmt: skip
_FILLER_WORDS = frozenset(
    {
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur",
        "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
        "lun", "lundi", "mardi", "mer", "mercredi", "jeu", "jeudi", "ven",
        "vendredi", "sam", "samedi", "dim", "dimanche", "at", "a", "le",
    }
)  # fmt: skip
_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMERIC = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ ,T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_SLASHED = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}\b")
_TIME = re.compile(r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?")
_HOUR_ONLY = re.compile(r"\b(\d{1,2})h\b")
# Time zones written after a worded date (RFC 822 names, and those French feeds use).
_ZONE_HOURS = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_TRAILING_ZONE = re.compile(
    r"\s*(?:([+-]\d{2}:?\d{2})|\(?\b(" + "|".join(_ZONE_HOURS) + r")\b\)?)\s*$"
)
# RFC 822 puts the day of the week first, followed by a comma: « Ven, 03 Jan 2025 »,
# « lun., 06 janv. 2025 ». It repeats the date, so its language does not matter.
_WEEKDAY = re.compile(r"^\s*[^\W\d_]+\.?\s*,")


@dataclass(frozen=True, slots=True)
class When:
    """A moment read from a cell; ``has_time`` is False for a date alone (midnight)."""

    at: datetime
    has_time: bool


def read_when(value: Cell, *, tz: ZoneInfo, day_first: bool) -> When | None:
    """A cell as an aware datetime; times without an offset are local times in ``tz``.

    ``day_first`` decides ``03/04/2026`` (4 March when False, 3 April when True); use
    :func:`day_first_of` to decide it once per file from the whole column.
    """
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        at = value if value.tzinfo is not None else value.replace(tzinfo=tz)
        return When(at, True)
    if isinstance(value, date):
        return When(datetime.combine(value, time(), tzinfo=tz), False)
    if not isinstance(value, str):
        raise CellError(f"date attendue, pas « {value} »")
    text = value.strip()
    found = _ISO.fullmatch(text)
    if found:
        y, mo, d, hh, mi, ss, zone = found.groups()
        return _build(text, int(y), int(mo), int(d), hh, mi, ss, None, zone, tz)
    found = _NUMERIC.fullmatch(text)
    if found:
        a, b, y, hh, mi, ss, meridiem, zone = found.groups()
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        return _build(text, int(y), month, day, hh, mi, ss, meridiem, zone, tz)
    return _worded(text, tz)


def _build(
    text: str,
    year: int,
    month: int,
    day: int,
    hour: str | None,
    minute: str | None,
    second: str | None,
    meridiem: str | None,
    zone: str | None,
    tz: ZoneInfo,
) -> When:
    h = int(hour) if hour else 0
    if meridiem:
        pm = meridiem.lower().startswith("p")
        if not 1 <= h <= 12:
            raise CellError(f"heure invalide « {text} »")
        h = (h % 12) + (12 if pm else 0)
    try:
        at = datetime(year, month, day, h, int(minute or 0), int(second or 0))
    except ValueError:
        raise CellError(f"date invalide « {text} »") from None
    return When(at.replace(tzinfo=_zone(zone, text) or tz), hour is not None)


def _zone(zone: str | None, text: str) -> tzinfo | None:
    if zone is None:
        return None
    if zone.upper() in ("Z", "UT", "UTC", "GMT"):
        return UTC
    if zone in _ZONE_HOURS:
        return timezone(timedelta(hours=_ZONE_HOURS[zone]))
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise CellError(f"fuseau horaire invalide « {text} »")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if zone[0] == "-" else offset)


def _worded(text: str, tz: ZoneInfo) -> When:
    """``Sat, Sep 12, 2026``, ``September 12, 2026 3:04 PM``, ``sam. 12 sept. 2026 à 14h30``,
    ``Ven, 03 Jan 2025 10:00:00 +0100`` (RFC 822 with a weekday in any language)."""
    body, zone = text, None
    zoned = _TRAILING_ZONE.search(body)
    if zoned is not None and _TIME.search(body[: zoned.start()]):  # a zone follows a time
        zone = zoned.group(1) or zoned.group(2)
        body = body[: zoned.start()]
    weekday = _WEEKDAY.match(body)
    if weekday is not None and fold(weekday.group(0)) not in _MONTHS:
        body = body[weekday.end() :]
    body = _HOUR_ONLY.sub(r"\1h00", body)  # « à 8h »
    clock = _TIME.search(body)
    rest = body[: clock.start()] + " " + body[clock.end() :] if clock else body
    meridiem = re.search(r"\b([ap])\.?m\.?\b", rest, re.IGNORECASE)
    if meridiem:
        rest = rest[: meridiem.start()] + rest[meridiem.end() :]
    words = [w for w in re.split(r"[\s,.]+", fold(rest.replace("1er", "1"))) if w]
    months: list[str] = []
    numbers: list[int] = []
    for word in words:
        if word in _MONTHS:
            months.append(word)
        elif word.isdigit():
            numbers.append(int(word))
        elif word not in _FILLER_WORDS:
            raise CellError(f"date non reconnue « {text} »")
    if len(months) == 2 and months[0] == "mar":  # « mar. » is also Tuesday in French
        months.pop(0)
    if len(months) != 1 or len(numbers) != 2:
        raise CellError(f"date non reconnue « {text} »")
    month = _MONTHS[months[0]]
    day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
    if year < 1000:
        raise CellError(f"date non reconnue « {text} »")
    hour = minute = second = None
    if clock:
        hour, minute, second = clock.groups()
    ampm = (meridiem.group(1) + "m") if meridiem else None
    return _build(text, year, month, day, hour, minute, second, ampm, zone, tz)


def day_first_of(values: list[Cell], *, default: bool) -> bool:
    """Whether the ``dd/mm/yyyy`` order is used in this column of a file.

    A value such as ``28/09/2026`` proves the day comes first, ``09/28/2026`` that the
    month does; when no value decides, ``default`` does (the interface's language).
    A column holding both proofs is refused: it mixes two conventions.
    """
    day_first = month_first = False
    for value in values:
        if not isinstance(value, str):
            continue
        found = _SLASHED.match(value)
        if not found:
            continue
        a, b = int(found.group(1)), int(found.group(2))
        day_first |= a > 12
        month_first |= b > 12
    if day_first and month_first:
        raise CellError("dates écrites tantôt jour/mois, tantôt mois/jour dans la même colonne")
    if day_first or month_first:
        return day_first
    return default


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
