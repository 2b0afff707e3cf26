"""The text side shared by the post classifiers: normalisation, term matching, lexicon file.

A post is compared in one *normal form*: lower case, accents folded (the project's
:func:`barometre.vocab.text.fold`), no URL, no mention, hashtags split into their words
(``#ConseilMunicipal`` → ``conseil municipal``), no emoji nor punctuation. Lexicon terms
go through the same normal form, so the lexicon can be written in plain French.

French stemming stays light on purpose (no NLP dependency, explainable matches): a
lexicon word ending in ``*`` is a prefix (``bibliothe*`` matches *bibliothèque* and
*bibliothécaire*); any other word matches its singular form (*écoles* ↔ *école*,
*travaux* ↔ *travau*: the same rule applies to both sides, so it only has to be
consistent, not linguistically right).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from barometre.errors import ConfigurationError
from barometre.vocab import fr
from barometre.vocab.text import fold, fold_keep_punctuation

LEXICON_RESOURCE = ("data", "lexicon.toml")
"""Where the bundled lexicon lives inside :mod:`barometre.social`."""

MIN_PREFIX = 3
"""A prefix term shorter than this would match half the dictionary: refused at load."""

# E-mail addresses first (they contain an ``@`` that is not a mention), then URLs with a
# scheme or ``www.``, then bare host names of the usual extensions (``ville-exemple.fr``).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_BARE_HOST = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:fr|com|org|net|eu|info|bzh|paris|alsace|corsica|io|test)\b(?:/\S*)?",
    re.IGNORECASE,
)
# ``@jean``, ``@mairie.exemple`` (Bluesky), ``@ville@mastodon.exemple`` (Mastodon).
_MENTION = re.compile(r"(?<![\w@])@[\w][\w.-]*(?:@[\w-]+(?:\.[\w-]+)+)?")
_HASHTAG = re.compile(r"#(\w+)")
_UPPER = "A-ZÀ-ÖØ-ÞŒ"
_LOWER = "a-zß-öø-ÿœ"
# Split points inside a hashtag: ``conseilMunicipal``, ``SNCFConnect`` (an acronym before
# a capitalised word of 2+ lower-case letters, so that ``PLUi`` stays one word), ``JO2024``.
_CAMEL = re.compile(
    rf"(?<=[{_LOWER}])(?=[{_UPPER}])"
    rf"|(?<=[{_UPPER}])(?=[{_UPPER}][{_LOWER}]{{2}})"
    r"|(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])"
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def split_hashtag(tag: str) -> str:
    """The words of a hashtag body: ``FeteDeLaMusique`` → ``Fete De La Musique``."""
    return _CAMEL.sub(" ", tag.replace("_", " "))


def find_urls(text: str) -> list[str]:
    """The URLs written in a post (with a scheme or ``www.``), in order."""
    return [m.group(0).rstrip(".,;:!?)»\"'") for m in _URL.finditer(text)]


def strip_links(text: str) -> str:
    """The text without e-mail addresses, URLs and bare host names."""
    return _BARE_HOST.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", text)))


def fold_post(text: str) -> str:
    """A post folded for the mode signals: links and mentions removed, lower case,
    accents folded, punctuation *kept* (:func:`barometre.vocab.text.fold_keep_punctuation`).

    The form the mode signals read: a question mark or a date such as ``12/05`` or
    ``14h30`` is meaningful there, while :func:`normalise` drops punctuation.
    """
    without = _MENTION.sub(" ", strip_links(text))
    return fold_keep_punctuation(without)


def normalise(text: str) -> str:
    """The comparison form of a post: see the module docstring.

    >>> normalise("Fête de l’été 🎉 #ConseilMunicipal https://ville-exemple.fr @Jean")
    'fete de l ete conseil municipal'
    """
    text = strip_links(text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + split_hashtag(m.group(1)) + " ", text)
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def copy_form(text: str) -> str:
    """The form in which two posts of one collectivité are compared for copies: like
    :func:`normalise`, but hashtags are dropped whole (a platform's own tags are no
    rewording), as are links and mentions.

    >>> copy_form("Travaux place du Marché : réouverture mi-avril. #Travaux https://x.test/a")
    'travaux place du marche reouverture mi avril'
    """
    text = strip_links(text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def tokens(text: str) -> list[str]:
    """The words of the normal form, in order."""
    return normalise(text).split()


# Words whose final ``s`` or ``x`` is not a plural and whose cut form would meet a
# lexicon word (*plus* → *plu* the town plan, *cours* → *cour*, *avis*, *taux*…).
INVARIABLE = frozenset(
    {
        "plus", "cours", "concours", "parcours", "secours", "discours", "recours", "sous",
        "avis", "fois", "temps", "mois", "pays", "prix", "taux", "choix", "voix", "gens",
        "lors", "repas", "bras", "bois", "dos", "gaz", "tennis", "paris", "campus", "puis",
        "mais", "jamais", "depuis", "alors", "toujours", "vers", "ailleurs", "tres", "apres",
    }
)  # fmt: skip


def stem(word: str) -> str:
    """A light singular form of a normalised word: a final ``s`` or ``x`` goes.

    Only words longer than three letters lose it (*bus*, *vos* stay), never a double
    ``ss`` (*express*) nor an :data:`INVARIABLE` word.
    """
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss") and word not in INVARIABLE:
        return word[:-1]
    return word


@dataclass(frozen=True)
class Term:
    """One lexicon entry, compiled: its words, each exact (by stem) or a prefix."""

    text: str
    """The entry as written in the lexicon (shown as evidence)."""
    words: tuple[tuple[str, bool], ...]
    """``(form, is_prefix)`` per word; an exact form is already stemmed."""

    def matches_at(self, words: Sequence[str], stems: Sequence[str], start: int) -> bool:
        if start + len(self.words) > len(words):
            return False
        for offset, (form, is_prefix) in enumerate(self.words):
            index = start + offset
            if is_prefix:
                if not words[index].startswith(form):
                    return False
            elif stems[index] != form:
                return False
        return True


def reject_unknown_keys(
    table: Mapping[str, object], allowed: Iterable[str], origin: str, where: str
) -> None:
    """A clear French error for the keys of a lexicon table that are not ``allowed``."""
    expected = sorted(allowed)
    unknown = sorted(set(table) - set(expected))
    if unknown:
        raise ConfigurationError(
            f"{origin} : {where} : {fr.plural(len(unknown), 'clé inconnue', 'clés inconnues')} "
            f"{', '.join(unknown)} (attendues : {', '.join(expected)})."
        )


def compile_term(entry: str) -> Term:
    """Compile a lexicon entry; raises :class:`ValueError` (in French) when it is unusable."""
    parts: list[tuple[str, bool]] = []
    for raw in entry.split():
        is_prefix = raw.endswith("*")
        words = normalise(raw.rstrip("*")).split()
        if not words:
            continue
        for position, word in enumerate(words):
            last = position == len(words) - 1
            if is_prefix and last:
                if len(word) < MIN_PREFIX:
                    raise ValueError(
                        f"préfixe « {raw} » trop court (au moins {MIN_PREFIX} lettres)"
                    )
                parts.append((word, True))
            else:
                parts.append((stem(word), False))
    if not parts:
        raise ValueError(f"terme « {entry} » vide une fois normalisé")
    return Term(entry, tuple(parts))


class TermIndex:
    """Terms indexed by their first word, so that matching a post costs its length, not the
    lexicon's size (the national edition classifies millions of posts)."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._exact: dict[str, list[Term]] = {}
        self._prefix: dict[str, list[Term]] = {}
        for term in terms:
            form, is_prefix = term.words[0]
            if is_prefix:
                self._prefix.setdefault(form[:MIN_PREFIX], []).append(term)
            else:
                self._exact.setdefault(form, []).append(term)

    def find(self, words: Sequence[str]) -> list[tuple[Term, int]]:
        """Every ``(term, start)`` occurrence in the normalised ``words``."""
        stems = [stem(w) for w in words]
        found: list[tuple[Term, int]] = []
        for start, word in enumerate(words):
            candidates = self._exact.get(stems[start], []) + self._prefix.get(word[:MIN_PREFIX], [])
            found.extend(
                (term, start) for term in candidates if term.matches_at(words, stems, start)
            )
        return found


def covered_by(index: TermIndex, words: Sequence[str]) -> frozenset[int]:
    """Positions of ``words`` inside an occurrence of one of the index's terms.

    The lexicon's ``exclude`` lists use it: *salle des fêtes* is a place, not a fête, so
    its words are masked before the ``fete*`` term is looked for.
    """
    return frozenset(
        position
        for term, start in index.find(words)
        for position in range(start, start + len(term.words))
    )


def matched_terms(
    index: TermIndex, words: Sequence[str], masked: frozenset[int] = frozenset()
) -> list[str]:
    """The distinct terms found, longest first; a shorter term inside a longer one's span
    does not count again (``conseil municipal`` is not also ``conseil``), nor does a term
    touching a ``masked`` position."""
    return matched_spans(index, words, masked)[0]


def matched_spans(
    index: TermIndex, words: Sequence[str], masked: frozenset[int] = frozenset()
) -> tuple[list[str], frozenset[int]]:
    """:func:`matched_terms` and the positions the found terms cover."""
    occurrences = sorted(index.find(words), key=lambda item: (-len(item[0].words), item[1]))
    covered: set[int] = set(masked)
    seen: dict[str, None] = {}
    for term, start in occurrences:
        span = set(range(start, start + len(term.words)))
        if span & covered:
            continue
        covered |= span
        seen.setdefault(term.text, None)
    return list(seen), frozenset(covered - masked)


@dataclass(frozen=True)
class Signals:
    """The regular expressions of the lexicon's ``[signals]`` table, compiled.

    They read :func:`fold_post` text (punctuation kept): ``date`` finds a date or a time
    (*12 mai*, *14h30*, *samedi*, *ce soir*), ``question`` a question to the reader.
    """

    date: tuple[re.Pattern[str], ...] = ()
    question: tuple[re.Pattern[str], ...] = ()

    def has_date(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.date)

    def has_question(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.question)


def parse_signals(data: dict[str, Any], origin: str) -> Signals:
    """Validate the ``[signals]`` table of a lexicon's raw content."""
    section = data.get("signals", {})
    if not isinstance(section, dict):
        raise ConfigurationError(f"{origin} : [signals] doit être une table.")
    reject_unknown_keys(section, ("date", "question"), origin, "[signals]")
    return Signals(
        _patterns(section.get("date", []), origin, "signals.date"),
        _patterns(section.get("question", []), origin, "signals.question"),
    )


def _patterns(raw: object, origin: str, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ConfigurationError(f"{origin} : {where} doit être une liste d'expressions.")
    compiled = []
    for pattern in raw:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigurationError(
                f"{origin} : {where} : expression « {pattern} » invalide ({exc})."
            ) from exc
    return tuple(compiled)


def lexicon_origin(path: Path | None) -> str:
    """How a lexicon file is named in messages."""
    return str(path) if path is not None else "social/data/lexicon.toml"


def read_lexicon(path: Path | None = None) -> dict[str, Any]:
    """The raw content of a lexicon file (the bundled one by default), its version checked.

    Each classifier validates its own section (``themes`` in :mod:`.themes`, ``modes``
    and ``signals`` in :mod:`.modes`); this function only reads the file.
    """
    if path is None:
        return dict(_bundled_raw())
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{path} : lexique illisible ({exc.strerror}).") from exc
    return _parse(text, lexicon_origin(path))


@cache
def _bundled_raw() -> dict[str, Any]:
    resource = resources.files("barometre.social").joinpath(*LEXICON_RESOURCE)
    return _parse(resource.read_text(encoding="utf-8"), lexicon_origin(None))


def _parse(text: str, origin: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{origin} : TOML invalide ({exc}).") from exc
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ConfigurationError(
            f"{origin} : la clé « version » (texte non vide) manque en tête du lexique."
        )
    return data


def compile_terms(entries: object, origin: str, where: str) -> tuple[Term, ...]:
    """A list of lexicon entries compiled, or a French error naming the file and the place."""
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ConfigurationError(f"{origin} : {where} doit être une liste de textes.")
    terms = []
    for entry in entries:
        try:
            terms.append(compile_term(entry))
        except ValueError as exc:
            raise ConfigurationError(f"{origin} : {where} — {exc}.") from exc
    return tuple(terms)
