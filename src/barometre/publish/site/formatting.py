"""French formatting and safe links for the templates (Jinja filters; pure functions)."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from barometre.models import AuthorityKind, LegalType, Status

_SEVERAL = re.compile(r"[\s,;]+https?://", re.IGNORECASE)
NBSP = "\u00a0"
NNBSP = "\u202f"

STATUS_LABELS = {
    Status.PASS: "réussi",
    Status.PARTIAL: "partiel",
    Status.FAIL: "échec",
    Status.NOT_APPLICABLE: "non applicable",
    Status.NOT_MEASURABLE: "non mesurable",
}
# A symbol beside the word, never the colour alone (RGAA 3.1).
STATUS_SYMBOLS = {
    Status.PASS: "✓",
    Status.PARTIAL: "◐",
    Status.FAIL: "✗",
    Status.NOT_APPLICABLE: "–",
    Status.NOT_MEASURABLE: "?",
}
MONTHS = (
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


def number(value: float | int | None, digits: int = 0) -> str:
    """``1 234,5`` (narrow no-break space for thousands, comma for decimals)."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{number(value * 100, digits)}{NNBSP}%"


def score(value: float | None) -> str:
    return "—" if value is None else number(value, 1)


def french_date(value: date | datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            day_of: date = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day_of = value
    day = day_of.day
    return f"{'1er' if day == 1 else day} {MONTHS[day_of.month - 1]} {day_of.year}"


def edition_label(edition: str) -> str:
    """``2026-11`` → « novembre 2026 »; other ids are shown as they are."""
    try:
        year, month = edition.split("-")
        return f"{MONTHS[int(month) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return edition


def kind_label(kind: str, legal_type: str | None = None) -> str:
    """« département », or the legal type when it is not what the kind says
    (« collectivité à statut particulier » for the Collectivité de Corse)."""
    try:
        return LegalType(legal_type).label if legal_type else AuthorityKind(kind).label
    except ValueError:
        return legal_type or kind


def safe_url(url: str | None) -> str | None:
    """The URL if it is a web address (http/https), else ``None``.

    Links come from crawled pages: ``javascript:``, ``data:`` and other schemes must never
    become a clickable ``href``.
    """
    if not url:
        return None
    if _SEVERAL.search(url):
        return None  # several addresses joined into one text: not one link
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def link(url: str | None, text: str | None = None) -> Markup:
    """An external link when the URL is safe, else the text (escaped) alone."""
    shown = text if text is not None else (url or "")
    target = safe_url(url)
    if target is None:
        return Markup('<span class="texte-lien">{}</span>').format(shown)
    return Markup('<a href="{}" rel="noopener noreferrer nofollow">{}</a>').format(target, shown)


def truncate(text: str | None, length: int = 160) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@lru_cache(maxsize=16)
def status_badge(status: Status | str) -> Markup:
    status = Status(status)
    return Markup(
        '<span class="statut statut-{}"><span aria-hidden="true">{}</span> {}</span>'
    ).format(status.value.replace("_", "-"), STATUS_SYMBOLS[status], STATUS_LABELS[status])


@lru_cache(maxsize=16)
def grade_badge(grade: str | None) -> Markup:
    if not grade:
        return Markup(
            '<span class="note note-aucune" title="Couverture insuffisante pour une note">—</span>'
        )
    return Markup('<span class="note note-{}">{}</span>').format(grade.lower(), grade)


FILTERS = {
    "nombre": number,
    "pourcent": percent,
    "score": score,
    "date_fr": french_date,
    "edition_fr": edition_label,
    "type_fr": kind_label,
    "lien": link,
    "tronque": truncate,
    "statut": status_badge,
    "note": grade_badge,
}
__all__ = ["FILTERS", "escape"]
