"""Reading a moment as people and their tools write it: the one date reader.

ISO 8601 (``2026-09-18 12:00 +0000``), numeric dates in either order (``28/09/2026``,
``09/28/2026 18:12``, the order decided by the caller, or once per column with
:func:`day_first_of`), and worded dates in English or French (``Sat, Sep 12, 2026``,
``sam. 12 sept. 2026 à 14h30``), including RFC 822 dates whose day and month names are
French (``ven., 03 janv. 2025 10:00:00 +0100``, as some French CMS write their feeds).
Used by the social imports (a cell of an export), the site feeds (an item's date) and
the freshness criterion (the same feeds, read from the capture). A text that is not a
date raises :class:`DateError` with a French reason; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from barometre.vocab.fr import MONTH_NUMBERS
from barometre.vocab.text import fold

Moment = str | int | float | bool | datetime | date | time | None
"""What holds a moment: text, or a typed value from a spreadsheet."""


class DateError(ValueError):
    """A text that is not a readable date; the message is French and quotes it."""


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


def read_when(value: Moment, *, tz: ZoneInfo, day_first: bool) -> When | None:
    """A cell as an aware datetime; times without an offset are local times in ``tz``.

    ``day_first`` decides ``03/04/2026`` (4 March when False, 3 April when True); use
    :func:`day_first_of` to decide it once per file from the whole column.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        at = value if value.tzinfo is not None else value.replace(tzinfo=tz)
        return When(at, True)
    if isinstance(value, date):
        return When(datetime.combine(value, time(), tzinfo=tz), False)
    if not isinstance(value, str):
        raise DateError(f"date attendue, pas « {value} »")
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
            raise DateError(f"heure invalide « {text} »")
        h = (h % 12) + (12 if pm else 0)
    try:
        at = datetime(year, month, day, h, int(minute or 0), int(second or 0))
    except ValueError:
        raise DateError(f"date invalide « {text} »") from None
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
        raise DateError(f"fuseau horaire invalide « {text} »")
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
            raise DateError(f"date non reconnue « {text} »")
    if len(months) == 2 and months[0] == "mar":  # « mar. » is also Tuesday in French
        months.pop(0)
    if len(months) != 1 or len(numbers) != 2:
        raise DateError(f"date non reconnue « {text} »")
    month = _MONTHS[months[0]]
    day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
    if year < 1000:
        raise DateError(f"date non reconnue « {text} »")
    hour = minute = second = None
    if clock:
        hour, minute, second = clock.groups()
    ampm = (meridiem.group(1) + "m") if meridiem else None
    return _build(text, year, month, day, hour, minute, second, ampm, zone, tz)


def day_first_of(values: list[Moment], *, default: bool) -> bool:
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
        raise DateError("dates écrites tantôt jour/mois, tantôt mois/jour dans la même colonne")
    if day_first or month_first:
        return day_first
    return default
