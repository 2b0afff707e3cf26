"""Themes of a post (multi-label), and the combined labels of a post for the callers.

Themes follow the functional budget nomenclature every local authority reports in (M57
functions 0 to 8, weka overview cited in the research note §4.1), plus the barometer's
buckets (local democracy, practical services, events, tourism). Each theme is a list of
French terms in ``social/data/lexicon.toml``: *strong* terms count 1, *weak* terms count
``weak_weight`` (0.5), *dated* terms count 1 when the post gives a date or a time, each
distinct term once; words inside an *exclude* phrase never count. A theme is kept when
its score reaches ``theme_threshold`` (1.0): one strong term, or two weak ones. The
threshold is data, versioned with the lexicon, and the matched terms are kept as
evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from barometre.errors import ConfigurationError
from barometre.models import SocialPost
from barometre.social.analysis.modes import ModeResult, ModeRules, classify_mode, load_mode_rules
from barometre.social.analysis.text import (
    Signals,
    Term,
    TermIndex,
    compile_terms,
    covered_by,
    fold_post,
    lexicon_origin,
    matched_spans,
    matched_terms,
    parse_signals,
    read_lexicon,
    reject_unknown_keys,
    tokens,
)

_THEME_KEYS = frozenset({"label", "nomenclature", "strong", "weak", "dated", "exclude"})


@dataclass(frozen=True)
class Theme:
    """One theme of the lexicon.

    ``strong`` terms count 1 and ``weak`` ones ``weak_weight``; ``dated`` terms count 1
    only when the post carries a date or a time (a *concert* with a date is on the
    agenda); the words of an ``exclude`` phrase never count (*salle des fêtes*).
    """

    id: str
    label: str
    nomenclature: str
    strong: tuple[Term, ...]
    weak: tuple[Term, ...] = ()
    dated: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    _strong: TermIndex = field(init=False, repr=False, compare=False)
    _weak: TermIndex = field(init=False, repr=False, compare=False)
    _dated: TermIndex = field(init=False, repr=False, compare=False)
    _exclude: TermIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, terms in (
            ("_strong", self.strong),
            ("_weak", self.weak),
            ("_dated", self.dated),
            ("_exclude", self.exclude),
        ):
            object.__setattr__(self, name, TermIndex(terms))

    def matches(self, words: list[str], *, dated: bool = False) -> tuple[list[str], list[str]]:
        """The strong (dated ones included when ``dated``) and weak terms found in ``words``;
        a word counts for one term only."""
        masked = covered_by(self._exclude, words) if self.exclude else frozenset()
        strong, used = matched_spans(self._strong, words, masked)
        if dated and self.dated:
            extra, more = matched_spans(self._dated, words, masked | used)
            strong, used = strong + extra, used | more
        return strong, matched_terms(self._weak, words, masked | used)


@dataclass(frozen=True)
class ThemeLexicon:
    """The theme section of one lexicon version."""

    version: str
    themes: tuple[Theme, ...]
    threshold: float = 1.0
    weak_weight: float = 0.5
    signals: Signals = field(default_factory=Signals)
    """The date patterns that ``dated`` terms need."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def label(self, theme_id: str) -> str:
        """The French name of a theme (the id itself when unknown)."""
        return next((t.label for t in self.themes if t.id == theme_id), theme_id)


@dataclass(frozen=True)
class ThemeScore:
    """A theme found in a post: its score and the lexicon terms that matched."""

    theme: str
    score: float
    terms: tuple[str, ...]


@dataclass(frozen=True)
class PostLabels:
    """Themes and mode of one post, as the barometer stores and counts them.

    ``themes`` and ``mode`` are plain codes (what the shares are counted on);
    ``scores`` and ``mode_result`` keep the evidence (matched terms, deciding rule).
    """

    themes: tuple[str, ...]
    """Theme codes, highest score first (the first is the main theme)."""
    mode: str
    scores: tuple[ThemeScore, ...]
    mode_result: ModeResult
    lexicon_version: str

    @property
    def main_theme(self) -> str | None:
        return self.themes[0] if self.themes else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form with the evidence (for storage and the published data)."""
        return {
            "themes": list(self.themes),
            "mode": self.mode,
            "theme_terms": {s.theme: list(s.terms) for s in self.scores},
            "mode_rule": self.mode_result.rule,
            "mode_terms": list(self.mode_result.terms),
            "lexicon": self.lexicon_version,
        }


def load_themes(path: Path | None = None) -> ThemeLexicon:
    """The themes of a lexicon file (the bundled one by default), validated.

    Raises :class:`~barometre.errors.ConfigurationError` naming the file and the theme at
    fault (no term, unknown key, bad threshold, a prefix too short…).
    """
    if path is None:
        return _bundled_themes()
    return parse_themes(read_lexicon(path), lexicon_origin(path))


def check_lexicon(path: Path | None = None) -> tuple[ThemeLexicon, ModeRules]:
    """Load and validate both sections of a lexicon file (themes and mode rules)."""
    return load_themes(path), load_mode_rules(path)


@cache
def _bundled_themes() -> ThemeLexicon:
    return parse_themes(read_lexicon(), lexicon_origin(None))


def _number(data: dict[str, Any], key: str, default: float, origin: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{origin} : « {key} » doit être un nombre positif.")
    return float(value)


def parse_themes(data: dict[str, Any], origin: str) -> ThemeLexicon:
    """Validate the ``[themes]`` table (and its two numbers) of a lexicon's raw content."""
    threshold = _number(data, "theme_threshold", 1.0, origin)
    weak_weight = _number(data, "weak_weight", 0.5, origin)
    section = data.get("themes")
    if not isinstance(section, dict) or not section:
        raise ConfigurationError(f"{origin} : la table [themes] manque ou est vide.")
    themes = []
    for theme_id, raw in section.items():
        where = f"thème « {theme_id} »"
        if not isinstance(raw, dict):
            raise ConfigurationError(f"{origin} : {where} : une table est attendue.")
        reject_unknown_keys(raw, _THEME_KEYS, origin, where)
        strong = compile_terms(raw.get("strong", []), origin, f"{where}, strong")
        weak = compile_terms(raw.get("weak", []), origin, f"{where}, weak")
        dated = compile_terms(raw.get("dated", []), origin, f"{where}, dated")
        exclude = compile_terms(raw.get("exclude", []), origin, f"{where}, exclude")
        if not strong and not weak and not dated:
            raise ConfigurationError(f"{origin} : {where} : aucun terme (strong, weak ou dated).")
        if not strong and not dated and weak_weight * len(weak) < threshold:
            raise ConfigurationError(
                f"{origin} : {where} : ses termes faibles ne peuvent pas atteindre le seuil."
            )
        themes.append(
            Theme(
                theme_id,
                str(raw.get("label", theme_id)),
                str(raw.get("nomenclature", "")),
                strong,
                weak,
                dated,
                exclude,
            )
        )
    return ThemeLexicon(
        str(data["version"]), tuple(themes), threshold, weak_weight, parse_signals(data, origin)
    )


def classify_themes(text: str, *, lexicon: ThemeLexicon | None = None) -> list[ThemeScore]:
    """The themes of a post whose score reaches the threshold, highest score first.

    Ties keep the lexicon's order. An empty list means the post has no recognised theme
    (season's greetings, a short thank-you…), which the barometer reports as such.
    """
    lexicon = lexicon or load_themes()
    words = tokens(text)
    dated = lexicon.signals.has_date(fold_post(text))
    found = []
    for theme in lexicon.themes:
        strong, weak = theme.matches(words, dated=dated)
        score = len(strong) + lexicon.weak_weight * len(weak)
        if score >= lexicon.threshold:
            found.append(ThemeScore(theme.id, score, tuple(strong + weak)))
    return sorted(found, key=lambda s: -s.score)


def main_theme(text: str, *, lexicon: ThemeLexicon | None = None) -> str | None:
    """The theme with the highest score, or ``None`` when the post has none."""
    themes = classify_themes(text, lexicon=lexicon)
    return themes[0].theme if themes else None


def post_text(post: SocialPost) -> str:
    """What the classifiers read of a post: its text and its link card's title."""
    return "\n".join(part for part in (post.text, post.card_title or "") if part)


def classify_post(
    post: SocialPost,
    *,
    lexicon: ThemeLexicon | None = None,
    rules: ModeRules | None = None,
) -> PostLabels:
    """Themes and mode of a shared :class:`~barometre.models.SocialPost`.

    A reply to another account is a conversation; a thread of the account itself is
    judged on its text (``SocialPost.is_reply`` makes that distinction).
    """
    lexicon = lexicon or load_themes()
    text = post_text(post)
    mode = classify_mode(
        text, is_reply=post.is_reply, has_poll=post.poll, links=post.links, rules=rules
    )
    found = tuple(classify_themes(text, lexicon=lexicon))
    return PostLabels(tuple(s.theme for s in found), mode.mode, found, mode, lexicon.version)
