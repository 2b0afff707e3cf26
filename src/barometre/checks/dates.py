"""French dates in page text: « 12 mars 2024 », « 1er mars 2024 », « 12 sept. 2024 »,
« 12/03/2024 », « 12.03.2024 » and ISO « 2024-03-12 » (shared by every check)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date

MONTHS = {
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
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:er)?\s+(?P<m1>{_MONTH_RE})\.?\s+(?P<y1>(?:19|20)\d\d)\b"
    r"|\b(?P<d2>\d{1,2})[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>(?:19|20)\d\d)\b"
    r"|\b(?P<y3>(?:19|20)\d\d)-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
)


def plain(text: str) -> str:
    """Lower case, no accents, single spaces; punctuation kept (one character for one)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s", " ", kept)


def _make(year: str, month: int, day: str) -> date | None:
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    if match.group("y1"):
        return _make(match.group("y1"), MONTHS[match.group("m1")], match.group("d1"))
    if match.group("y2"):
        return _make(match.group("y2"), int(match.group("m2")), match.group("d2"))
    return _make(match.group("y3"), int(match.group("m3")), match.group("d3"))


def find_dates(text: str) -> Iterator[tuple[date, str, int]]:
    """Every valid date of ``text`` in order: ``(date, matched text, position)``."""
    for match in DATE_RE.finditer(plain(text)):
        found = _from_match(match)
        if found is not None:
            yield found, match.group(0), match.start()


def dates_in(text: str) -> list[date]:
    return [found for found, _, _ in find_dates(text)]


def parse_date(text: str) -> date | None:
    """The first date of ``text`` (ISO date-times included: ``2025-03-18T10:00``)."""
    return next((found for found, _, _ in find_dates(text)), None)
