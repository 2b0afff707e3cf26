"""Accent folding and text normalisation: the one place where French text is compared.

Every layer compares words through these functions, never through a copy of its own.
They differ only where the use demands it, and each name says what it keeps:

* :func:`fold`: the comparison form of words (lower case, no accents, punctuation and
  separators turned into single spaces). « Mentions légales » and "MENTIONS-LEGALES"
  meet there.
* :func:`fold_keep_punctuation`: lower case and no accents, punctuation kept
  (hour ranges ``9h-12h``, numeric dates ``12/03/2024``, ``%``, ``:``, ``?``).
* :func:`fold_document`: the same for text extracted from a document: soft hyphens
  dropped, words cut at a line end rejoined, typographic quotes straightened.
* :func:`fold_aligned`: one character for one, so that a position found in the folded
  text is the same position in the original (to quote evidence as it appears).
* :func:`fold_traced`: :func:`fold_document` (or :func:`fold`) that remembers, for each
  folded character, where it comes from in the original (:class:`Folded`): match on the
  folded form, quote the page's own words (:meth:`Folded.quote`, :func:`excerpt`).
* :func:`slug`: an identifier for a name (``typo3-cms``).
* :func:`strip_accents`: accents (and the ``œ`` ligature) removed, nothing else touched.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

_SEPARATORS = re.compile(r"[\u0092\s\-‐‑–—_'’`´.,;:/()\"]+")
_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "´": "'", "«": '"', "»": '"', "“": '"', "”": '"'}
)
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(\w)")


def strip_accents(text: str) -> str:
    """``text`` without its accents, ``œ`` written ``oe``; case and punctuation kept.

    Compatibility forms are decomposed too (ligatures ``ﬁ`` → ``fi``, no-break spaces
    → spaces, ``²`` → ``2``).
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: the comparison form of French text.

    « Mentions légales », "MENTIONS-LEGALES" and "mentions_légales" all fold to
    ``mentions legales``.
    """
    return _SEPARATORS.sub(" ", strip_accents(text).lower()).strip()


def fold_keep_punctuation(text: str) -> str:
    """Lower case and no accents, punctuation untouched, runs of white space as one space.

    ``fold`` drops "-", "/" and ":", which hour ranges, numeric dates and questions need:
    « Ouvert du lundi au vendredi, 9h-12h » → ``ouvert du lundi au vendredi, 9h-12h``.
    """
    return " ".join(strip_accents(text).lower().split())


def fold_document(text: str) -> str:
    """:func:`fold_keep_punctuation` for text extracted from a page or a PDF: soft
    hyphens dropped, words hyphenated across lines re-joined, curly quotes and
    guillemets straightened.

    « Accessibilité\u202f: non conforme » becomes ``accessibilite : non conforme`` and
    dates like ``12/03/2024`` survive.
    """
    text = _HYPHEN_BREAK.sub(r"\1\2", text.replace("\u00ad", ""))
    return fold_keep_punctuation(text.translate(_QUOTES))


def _aligned_char(char: str) -> str:
    if char.isascii():
        return " " if char.isspace() else char.lower()
    base = [c for c in unicodedata.normalize("NFKD", char.lower()) if not unicodedata.combining(c)]
    if not base:
        return " "
    return " " if base[0].isspace() else base[0]


def fold_aligned(text: str) -> str:
    """Lower case, no accents, white space as spaces, punctuation kept: one character for
    one, so that a position in the result is the same position in ``text`` (« … » and
    ligatures keep their first character). For finding something in folded text and
    quoting it from the original."""
    if text.isascii():
        return re.sub(r"\s", " ", text.lower())
    return "".join(_aligned_char(c) for c in text)


@lru_cache(maxsize=4096)
def _stripped(char: str) -> str:
    """:func:`strip_accents` of one character (the whole-text form is the concatenation:
    the decomposition is per character and the marks it reorders are all dropped)."""
    return strip_accents(char)


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded text that remembers where each of its characters comes from.

    ``text`` is the folded form (what the patterns search), ``original`` the text as it
    appears, ``offsets[i]`` the position in ``original`` of the character ``text[i]``
    (a run of white space folded to one space points at its first character, ``œ``
    folded to ``oe`` gives two characters pointing at the same one)."""

    text: str
    original: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that the folded span ``text[start:end]`` comes from,
        with the accents written as separate marks (decomposed text) after its last
        letter."""
        if not self.text or start >= end:
            at = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return at, at
        first = self.offsets[start]
        last = self.offsets[min(end, len(self.text)) - 1] + 1
        while last < len(self.original) and unicodedata.combining(self.original[last]):
            last += 1
        return first, last

    def quote(self, start: int, end: int) -> str:
        """The original words of the folded span ``text[start:end]``, white space runs as
        one space and soft hyphens (invisible) dropped: « État de conformité » where the
        pattern found ``etat de conformite``."""
        first, last = self.span(start, end)
        return " ".join(self.original[first:last].replace("\u00ad", "").split())


_Form = Literal["document", "words"]


def fold_traced(text: str, form: _Form = "document") -> Folded:
    """``text`` folded, each folded character traced back to the original.

    ``form="document"`` gives :func:`fold_document`'s text (the statement and legal
    pages), ``form="words"`` :func:`fold`'s (``Doc.folded``): ``fold_traced(t).text ==
    fold_document(t)`` and ``fold_traced(t, "words").text == fold(t)``, so a position
    found by the same pattern is valid in both, and :meth:`Folded.quote` or
    :func:`excerpt` quote it as it appears.

    « Taux de conformité\u00a0:  75 % » folds to ``taux de conformite : 75 %``; the span of
    ``conformite`` maps back to « conformité »."""
    chars: list[str] = []
    where: list[int] = []
    if form == "document":
        kept = [i for i, char in enumerate(text) if char != "\u00ad"]
        joined = "".join(text[i] for i in kept)
        cut = 0
        for match in _HYPHEN_BREAK.finditer(joined):  # the same matches as re.sub
            for i in range(cut, match.end(1)):
                chars.append(joined[i])
                where.append(kept[i])
            cut = match.start(2)
        chars.extend(joined[cut:])
        where.extend(kept[cut:])
        chars = list("".join(chars).translate(_QUOTES))  # one character for one
    else:
        chars, where = list(text), list(range(len(text)))
    stripped: list[str] = []
    origin: list[int] = []
    for char, at in zip(chars, where, strict=True):
        if char.isascii():
            stripped.append(char)
            origin.append(at)
            continue
        for piece in _stripped(char):
            stripped.append(piece)
            origin.append(at)
    lowered = "".join(stripped).lower()
    if len(lowered) != len(stripped):  # a letter whose lower case is longer (none in NFKD)
        pieces = [c.lower() for c in stripped]
        lowered = "".join(pieces)
        origin = [at for piece, at in zip(pieces, origin, strict=True) for _ in piece]
    runs = _SEPARATORS if form == "words" else _WHITE_SPACE
    out: list[str] = []
    offsets: list[int] = []
    cut = 0
    for match in runs.finditer(lowered):
        out.append(lowered[cut : match.start()])
        offsets.extend(origin[cut : match.start()])
        out.append(" ")
        offsets.append(origin[match.start()])
        cut = match.end()
    out.append(lowered[cut:])
    offsets.extend(origin[cut:])
    folded = "".join(out)
    if folded[:1] == " ":  # white space at either end is dropped, as str.strip does
        folded, offsets = folded[1:], offsets[1:]
    if folded[-1:] == " ":
        folded, offsets = folded[:-1], offsets[:-1]
    return Folded(folded, text, tuple(offsets))


_WHITE_SPACE = re.compile(r"\s+")

ELLIPSIS = "…"


def excerpt(text: str | Folded, start: int, end: int, *, before: int = 60, after: int = 60) -> str:
    """``text[start:end]`` quoted as it appears, with up to ``before`` and ``after``
    characters around it, cut at word boundaries: each cut is marked « … », white space
    runs become one space, soft hyphens are dropped. The positions are those of ``text`` (or of its
    :func:`fold_aligned` form, which keeps them); for a :class:`Folded` text they are
    those of its folded form, and the quote is taken from its original: find in the
    folded form, quote from the original.

    ``excerpt("Conseil municipal : lundi 14 avril", 20, 34, before=12)`` →
    ``… municipal : lundi 14 avril``."""
    if isinstance(text, Folded):
        start, end = text.span(start, end)
        text = text.original
    left = max(0, start - before)
    right = min(len(text), end + after)
    if left > 0 and not text[left - 1].isspace():  # never start inside a word
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else start
    if right < len(text) and not text[right].isspace():  # nor end inside one
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else end
    quoted = " ".join(text[left:right].replace("\u00ad", "").split()).strip(" ,;:")
    opening = ELLIPSIS + " " if left > 0 else ""
    return opening + quoted + (" " + ELLIPSIS if right < len(text) else "")


def shorten(text: str, length: int) -> str:
    """``text`` in at most ``length`` characters, white space runs as one space, cut at
    the last word boundary when too long and the cut marked « … » (a word is cut only
    when it alone is longer than ``length``)."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: max(1, length - 2)]
    space = cut.rfind(" ")
    if space >= length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:(«") + " " + ELLIPSIS


def slug(text: str) -> str:
    """The identifier of a name (a technology, a provider, a peer group): folded,
    hyphens between words, at most 60 characters. « TYPO3 CMS » → ``typo3-cms``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60]


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
