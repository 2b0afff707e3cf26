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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_NAMES = {0: "NUL", 0x1B: "ESC", 0x7F: "DEL"}


def control_character(text: str) -> str | None:
    """The first control character of ``text`` (tab and line breaks aside) as the user
    should read it, e.g. ``U+0000 (NUL)``; ``None`` when there is none.

    Imported text (names, posts, explanations) never legitimately holds one: a NUL byte
    or an escape sequence means a damaged or binary file, or an attempt to fool a
    terminal or a database. The C1 range (U+0080 to U+009F) is left alone: real sources
    hold it where Windows-1252 bytes were read as Latin-1 (U+0092 for ’, U+009C for œ)."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    code = ord(found.group())
    name = _CONTROL_NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")
