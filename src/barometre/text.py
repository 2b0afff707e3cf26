"""Text helpers shared by every layer (pure functions, no I/O)."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\u0092\s\-‐‑–—_'’`´.,;:/()\"]+")


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: the comparison form of French text.

    « Mentions légales », "MENTIONS-LEGALES" and "mentions_légales" all fold to
    ``mentions legales``.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", stripped.lower()).strip()
