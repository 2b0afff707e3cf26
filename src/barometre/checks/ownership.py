"""Whose account is it? The evidence that a social account is the collectivité's own.

An account found on the collectivité's pages counts as its own only with positive
evidence [issue 12, item 3], strongest first:

1. ``rel="me"`` on the link (the page claims the account as its author's);
2. ``sameAs`` of the structured data (JSON-LD or microdata) describing the collectivité
   itself — an organisation or place whose name is the collectivité's;
3. a follow block in the header or footer (« Suivez-nous », a "social" list);
4. a list of icons to several platforms, whose labels name nothing but the platform;
5. the page declaring the account as its publisher (OpenGraph ``article:publisher``,
   ``twitter:site``) with a handle that names the collectivité;
6. a handle that names the collectivité.

Whatever names another organisation — the link's label, the handle, the block around it,
the structured node — makes it that organisation's account (tourist office, club,
préfecture, the département for a commune…): a « compte lié », kept and shown, never
counted. ``rel="me"`` alone outweighs that (the page says the account is its own).
Every verdict carries its reason in French, stored with the finding and shown on the card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from barometre.checks.html import Doc
from barometre.checks.lexicon import (
    FOLLOW_WORDS,
    KIND_WORDS,
    OTHER_ORGANISATIONS,
    name_tokens,
)
from barometre.models import Authority
from barometre.vocab.platforms import PLATFORMS
from barometre.vocab.text import fold


class Proof(IntEnum):
    """Kinds of evidence that an account is the collectivité's own, strongest first."""

    REL_ME = 1
    SAME_AS = 2
    FOLLOW_BLOCK = 3
    ICON_LIST = 4
    PUBLISHER = 5
    HANDLE = 6


@dataclass(frozen=True, slots=True)
class Verdict:
    """One link judged: the collectivité's own account (with its proof) or a linked one."""

    own: bool
    why: str  # French, as shown on the card and exported
    proof: Proof | None = None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def _phrase_in(text: str, phrase: str) -> str | None:
    """``phrase`` (folded words) as written in ``text``, or None when absent."""
    tokens = re.findall(r"\w+", text)
    folded = [fold(t) for t in tokens]
    wanted = phrase.split()
    for i in range(len(folded) - len(wanted) + 1):
        if folded[i : i + len(wanted)] == wanted:
            return " ".join(tokens[i : i + len(wanted)])
    return None


def names_collectivite(handle: str, tokens: list[str]) -> bool:
    """Whether an account handle spells a distinctive word of the official name."""
    words = fold(handle).split()
    squeezed = "".join(words)
    # short words ("val", "sud") only as whole words: inside a longer handle they match
    # other names too ("OfficeTourismeValleeDesTroisVillages").
    return bool(tokens) and (
        any(t in squeezed if len(t) >= 5 else t in words for t in tokens)
        or "".join(tokens) in squeezed
    )


class Names:
    """How a collectivité names itself, and whether a text names someone else."""

    def __init__(self, authority: Authority) -> None:
        self.tokens = name_tokens(authority.name)
        self.name_words = set(_words(authority.name))
        own = KIND_WORDS.get(authority.kind.value, ())
        self.own_phrases = tuple(own)
        others = [
            w for kind, words in KIND_WORDS.items() if kind != authority.kind.value for w in words
        ]
        # Longest first: « office de tourisme » is named before « office ».
        self.other_phrases = tuple(
            sorted(
                (p for p in (*OTHER_ORGANISATIONS, *others) if not self._own_phrase(p)),
                key=len,
                reverse=True,
            )
        )

    def _own_phrase(self, phrase: str) -> bool:
        words = phrase.split()
        return all(w in self.name_words for w in words) or phrase in self.own_phrases

    def named(self, text: str) -> bool:
        """Whether ``text`` (a handle, a name) spells a distinctive word of the official
        name."""
        return names_collectivite(text, self.tokens)

    def other_organisation(self, text: str) -> str | None:
        """The words of ``text`` naming another organisation, as written, or None."""
        words = f" {' '.join(_words(text))} "
        for phrase in self.other_phrases:
            if f" {phrase} " in words:
                return _phrase_in(text, phrase) or phrase
        return None

    def other_in_handle(self, handle: str) -> str | None:
        """The same inside a handle written in one piece (``OfficeTourismeValExemple``):
        words of five letters or more (and « club », « asso »), once the collectivité's own name
        is taken out, so that « Lassouts » does not read as « asso »."""
        squeezed = "".join(_words(handle))
        for token in sorted(self.name_words, key=len, reverse=True):
            if len(token) >= 3:
                squeezed = squeezed.replace(token, " ")
        for phrase in self.other_phrases:
            piece = phrase.replace(" ", "")
            if (len(piece) >= 5 or piece in ("club", "asso")) and piece in squeezed:
                return phrase
        return None

    def follow_label(self, label: str) -> bool:
        """Whether a link's label names nothing but the platform, the act of following
        and the collectivité (« Suivez-nous sur Facebook », « Instagram de la mairie »,
        or no words at all: an icon)."""
        own = {w for p in self.own_phrases for w in p.split()}
        return all(
            w in FOLLOW_WORDS or w in PLATFORMS or w in self.name_words or w in own
            for w in _words(label)
        )


# --- structured data: who the page describes ------------------------------------------

# Types whose sameAs may list a collectivité's accounts (schema.org): the organisation
# itself, or the place it governs.
_ORGANISATION_TYPES = frozenset(
    {
        "organization",
        "governmentorganization",
        "localbusiness",
        "city",
        "administrativearea",
        "place",
        "civicstructure",
        "cityhall",
        "governmentoffice",
        "governmentbuilding",
        "touristinformationcenter",
        "sportsorganization",
        "sportsclub",
        "educationalorganization",
        "library",
        "museum",
        "ngo",
        "corporation",
    }
)


@dataclass(frozen=True, slots=True)
class Described:
    """A node of the page's structured data that lists accounts (``sameAs``)."""

    syntax: str  # "JSON-LD" | "microdata"
    types: tuple[str, ...]
    name: str
    same_as: tuple[str, ...]
    top: bool  # a top-level node (not nested under an event, an article…)


def _types(node: Mapping[str, Any]) -> tuple[str, ...]:
    kind = node.get("@type")
    values = kind if isinstance(kind, list) else [kind]
    return tuple(str(v).rsplit("/", 1)[-1] for v in values if isinstance(v, str))


def _strings(value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in values:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("@id") or item.get("url"), str):
            out.append(str(item.get("@id") or item.get("url")))
    return tuple(out)


def _walk(node: Any, syntax: str, top: bool, depth: int = 0) -> Iterator[Described]:
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, syntax, top, depth + 1)
        return
    if not isinstance(node, Mapping):
        return
    same = _strings(node.get("sameAs"))
    if same:
        name = node.get("name")
        yield Described(syntax, _types(node), name if isinstance(name, str) else "", same, top)
    for key, value in node.items():
        if not key.startswith("@") and key != "sameAs" and isinstance(value, (Mapping, list)):
            yield from _walk(value, syntax, False, depth + 1)


def described(doc: Doc) -> Iterator[Described]:
    """Every node of the page's JSON-LD and microdata (read by extruct) with ``sameAs``."""
    for block in doc.jsonld:
        yield from _walk(block, "JSON-LD", True)
    for item in doc.microdata:
        yield from _walk(item, "microdata", True)


def judge_described(node: Described, names: Names) -> Verdict:
    """Whether the node describing these accounts is the collectivité itself."""
    kinds = {t.lower() for t in node.types}
    label = f"sameAs {node.syntax}" + (f" de « {node.name} »" if node.name else "")
    if "person" in kinds:
        return Verdict(False, f"{label} : une personne, pas la collectivité")
    other = names.other_organisation(node.name) if node.name else None
    if other is not None:
        return Verdict(False, f"{label} : une autre organisation (« {other} »)")
    organisation = bool(kinds & _ORGANISATION_TYPES)
    if organisation and (names.named(node.name) or (not node.name and node.top)):
        return Verdict(True, label, Proof.SAME_AS)
    return Verdict(False, f"{label} : ne décrit pas la collectivité")
