"""French numbers, percentages, scores, dates and plurals: the one way every layer writes them.

One rounding rule: halves go up, as people count (``42,5`` → ``43``), on the decimal
value written (``2.675`` → ``2,68``, not the ``2,67`` of binary floating point). One
typography: a narrow no-break space between thousands (``1 234``) and before ``%``
(``43 %``), a decimal comma, the minus sign ``−``, never ``-0``. A missing figure is
``—``. Plurals are written out, never « (s) »: French takes the singular below two
(``0 site``, ``1,5 jour``, ``2 sites``).

Pure functions, no I/O.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"  # no-break space: before « : », inside « »
NNBSP = "\u202f"  # narrow no-break space: thousands, before « % », « € », units
MINUS = "\u2212"
MISSING = "—"

MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# The month names and abbreviations found in French text, folded (no accents, lower
# case), with their number: « 12 sept. 2024 », « 3 fév 2025 ».
MONTH_NUMBERS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}


def _decimal(value: float | int | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    return Decimal(repr(float(value)))


def rounded(value: float | int | Decimal, digits: int = 0) -> Decimal:
    """``value`` rounded to ``digits`` decimals, halves up, on its decimal writing."""
    result = _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result  # no "-0"


def number(
    value: float | int | Decimal | None,
    digits: int = 0,
    *,
    trim: bool = False,
    missing: str = MISSING,
) -> str:
    """``1234.5`` → ``1 234,5`` with ``digits`` decimals (halves up).

    ``trim`` drops trailing zeros of the decimals (``62,0`` → ``62``), for text rather
    than columns; ``missing`` is written for ``None``.
    """
    if value is None:
        return missing
    text = f"{rounded(value, digits):,f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", NNBSP).replace(".", ",").replace("-", MINUS)


def integer(value: int | None, *, missing: str = MISSING) -> str:
    """``36249`` → ``36 249``."""
    return number(value, 0, missing=missing)


def signed(value: float | int | None, digits: int = 0, *, missing: str = MISSING) -> str:
    """A change: ``+1,5``, ``−2``, ``0``."""
    if value is None:
        return missing
    text = number(value, digits)
    return text if text.startswith(MINUS) or rounded(value, digits) == 0 else "+" + text


def percent(
    share: float | Decimal | None, digits: int = 0, *, trim: bool = False, missing: str = MISSING
) -> str:
    """A share in [0, 1] as a percentage: ``0.425`` → ``43 %`` (narrow no-break space)."""
    if share is None:
        return missing
    return f"{number(_decimal(share) * 100, digits, trim=trim)}{NNBSP}%"


def ratio(numerator: int, denominator: int, digits: int = 1, *, missing: str = MISSING) -> str:
    """``numerator / denominator`` as a percentage, ``missing`` when nothing is counted."""
    if not denominator:
        return missing
    return percent(Decimal(numerator) / Decimal(denominator), digits)


def score(value: float | None, *, trim: bool = False, missing: str = MISSING) -> str:
    """A score out of 100, one decimal: ``62,5``, ``62,0`` (``62`` with ``trim``, for
    text and chart labels rather than columns)."""
    return number(value, 1, trim=trim, missing=missing)


def plural(n: float | int | Decimal, singular: str, plural_form: str | None = None) -> str:
    """The word that agrees with ``n``: singular below two (French rule), else
    ``plural_form`` (``singular`` + ``s`` by default). ``plural(3, "bulletin")`` →
    ``bulletins``; a rounded figure agrees as written (``plural(rounded(1.96, 1), "jour")``)."""
    few = (n.copy_abs() if isinstance(n, Decimal) else abs(n)) < 2
    return singular if few else (plural_form if plural_form is not None else singular + "s")


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """A count and its noun: ``count(1234, "site capturé", "sites capturés")`` →
    ``1 234 sites capturés``; ``count(0, "site")`` → ``0 site``."""
    return f"{integer(n)} {plural(n, singular, plural_form)}"


def day(value: date | datetime | str | None, *, missing: str = MISSING) -> str:
    """``1er mars 2026``, ``12 novembre 2026``; an ISO text is read first (kept as it is
    when it is not a date)."""
    if value is None:
        return missing
    if isinstance(value, str):
        try:
            when: date = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        when = value
    n = when.day
    return f"{'1er' if n == 1 else n} {MONTH_NAMES[when.month - 1]} {when.year}"


def numeric_day(value: date | datetime) -> str:
    """``12/03/2026``: the short form, for tables and terminal lines."""
    return f"{value:%d/%m/%Y}"


def moment(value: datetime) -> str:
    """``12/03/2026 à 14:05``."""
    return f"{value:%d/%m/%Y} à {value:%H:%M}"


def month(edition: str) -> str:
    """An edition ``2026-11`` as « novembre 2026 »; other ids are shown as they are."""
    try:
        year, month_number = edition.split("-")
        return f"{MONTH_NAMES[int(month_number) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return edition


def sentence(parts: list[str]) -> str:
    """« a; b » as a French sentence: first letter upper case, final full stop."""
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
