"""French formatting and safe links for the templates (Jinja filters; pure functions)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from barometre.models import Finding, Status
from barometre.vocab import fr
from barometre.vocab.authorities import kind_or_legal_label, kind_plural
from barometre.vocab.cms import PROVIDER, display_name
from barometre.vocab.status import STATUS_LABELS, STATUS_SYMBOLS
from barometre.vocab.text import shorten

_SEVERAL = re.compile(r"[\s,;]+https?://", re.IGNORECASE)


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
    """Crawled text as it appears, cut at a word boundary (« … ») past ``length``."""
    return shorten(text, length) if text else ""


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


def finding_name(finding: Finding) -> str:
    """What discovery found, by its name: « WordPress » for the CMS ``wordpress``, a
    provider as its credit reads."""
    label = finding.handle if finding.category == PROVIDER else None
    return display_name(finding.category, finding.name, label)


FILTERS = {
    "nombre": fr.number,
    "compte": fr.count,
    "pourcent": fr.percent,
    "score": fr.score,
    "date_fr": fr.day,
    "edition_fr": fr.month,
    "type_fr": kind_or_legal_label,
    "types_fr": kind_plural,
    "lien": link,
    "nom_trouve": finding_name,
    "tronque": truncate,
    "statut": status_badge,
    "note": grade_badge,
}
__all__ = ["FILTERS", "escape"]
