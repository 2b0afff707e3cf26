"""Communication mode of a post: information, conversation, promotion or mobilisation.

The four modes follow Lovejoy & Saxton (2012, *Journal of Computer-Mediated
Communication* 17:337-353 — information / community / action), action being split into
*promotion* (events, attractiveness, achievements) and *mobilisation* (opinion, vote,
sign-up, consultation) as the research note suggests (§4.1).

The decision is a list of rules kept as data in ``social/data/lexicon.toml``
(``[[modes.rules]]``), tried in order: the first that holds decides, and the result
names it with the terms that matched, so every figure can be explained post by post.
A rule holds when all its ``signals`` are present (``reply``, ``poll``, ``question``,
``date``, ``link``), at least ``min_terms`` of its ``terms`` occur (words inside one of
its ``exclude`` phrases do not count) and, when it lists ``links``, one of the post's
links contains one of them. No rule → ``default``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from barometre.errors import ConfigurationError
from barometre.models import POST_MODES
from barometre.social.analysis.text import (
    Signals,
    Term,
    TermIndex,
    compile_terms,
    covered_by,
    find_urls,
    fold_post,
    lexicon_origin,
    matched_terms,
    parse_signals,
    read_lexicon,
    reject_unknown_keys,
    tokens,
)

MODES = POST_MODES
"""The communication modes, in the order reports list them."""

SIGNALS = ("reply", "poll", "question", "date", "link")
"""Facts about a post a rule can require (``question`` and ``date`` come from the regular
expressions of the lexicon's ``[signals]`` table)."""

DEFAULT_RULE = "defaut"
"""The ``rule`` of a result no rule decided."""

_RULE_KEYS = frozenset(
    {"id", "mode", "description", "signals", "terms", "exclude", "links", "min_terms"}
)


@dataclass(frozen=True)
class ModeRule:
    """One rule of the lexicon."""

    id: str
    mode: str
    description: str = ""
    signals: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    links: tuple[str, ...] = ()
    min_terms: int = 1
    exclude: tuple[Term, ...] = ()
    """Phrases whose words never count as the rule's terms (*sur rendez-vous* is not an
    invitation to a *rendez-vous*)."""
    index: TermIndex = field(init=False, repr=False, compare=False)
    masks: TermIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", TermIndex(self.terms))
        object.__setattr__(self, "masks", TermIndex(self.exclude))


@dataclass(frozen=True)
class ModeRules:
    """The mode section of one lexicon version."""

    version: str
    default: str
    rules: tuple[ModeRule, ...]
    signals: Signals


@dataclass(frozen=True)
class ModeResult:
    """The mode of a post and why: the deciding rule's id and the terms or links it saw."""

    mode: str
    rule: str
    terms: tuple[str, ...] = ()
    description: str = ""


def load_mode_rules(path: Path | None = None) -> ModeRules:
    """The mode rules of a lexicon file (the bundled one by default), validated.

    Raises :class:`~barometre.errors.ConfigurationError` naming the file and the rule at
    fault (unknown mode or signal, a rule without any condition, a bad pattern…).
    """
    if path is None:
        return _bundled_rules()
    return parse_mode_rules(read_lexicon(path), lexicon_origin(path))


@cache
def _bundled_rules() -> ModeRules:
    return parse_mode_rules(read_lexicon(), lexicon_origin(None))


def parse_mode_rules(data: dict[str, Any], origin: str) -> ModeRules:
    """Validate the ``[signals]`` and ``[modes]`` tables of a lexicon's raw content."""
    signals = parse_signals(data, origin)
    section = data.get("modes")
    if not isinstance(section, dict):
        raise ConfigurationError(f"{origin} : la table [modes] manque.")
    reject_unknown_keys(section, ("default", "rules"), origin, "[modes]")
    default = section.get("default", "information")
    if default not in MODES:
        raise ConfigurationError(
            f"{origin} : modes.default « {default} » inconnu (attendu : {', '.join(MODES)})."
        )
    raw_rules = section.get("rules", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ConfigurationError(f"{origin} : [[modes.rules]] : aucune règle.")
    rules: list[ModeRule] = []
    for position, raw in enumerate(raw_rules, start=1):
        rule = _rule(raw, origin, position)
        if any(r.id == rule.id for r in rules):
            raise ConfigurationError(f"{origin} : règle « {rule.id} » définie deux fois.")
        rules.append(rule)
    return ModeRules(str(data["version"]), default, tuple(rules), signals)


def _rule(raw: object, origin: str, position: int) -> ModeRule:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{origin} : règle n° {position} : une table est attendue.")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise ConfigurationError(f"{origin} : règle n° {position} : « id » manque.")
    where = f"règle « {rule_id} »"
    reject_unknown_keys(raw, _RULE_KEYS, origin, where)
    mode = raw.get("mode")
    if mode not in MODES:
        raise ConfigurationError(
            f"{origin} : {where} : mode « {mode} » inconnu (attendu : {', '.join(MODES)})."
        )
    signals = raw.get("signals", [])
    if not isinstance(signals, list) or any(s not in SIGNALS for s in signals):
        raise ConfigurationError(
            f"{origin} : {where} : signaux {signals!r} invalides (connus : {', '.join(SIGNALS)})."
        )
    links = raw.get("links", [])
    if not isinstance(links, list) or not all(isinstance(s, str) and s for s in links):
        raise ConfigurationError(f"{origin} : {where} : « links » doit être une liste de textes.")
    terms = compile_terms(raw.get("terms", []), origin, f"{where}, terms")
    exclude = compile_terms(raw.get("exclude", []), origin, f"{where}, exclude")
    if exclude and not terms:
        raise ConfigurationError(f"{origin} : {where} : « exclude » sans « terms ».")
    min_terms = raw.get("min_terms", 1)
    if not isinstance(min_terms, int) or isinstance(min_terms, bool) or min_terms < 1:
        raise ConfigurationError(f"{origin} : {where} : min_terms doit être un entier ≥ 1.")
    if not (signals or terms or links):
        raise ConfigurationError(
            f"{origin} : {where} : aucune condition (signals, terms ou links) : "
            "elle s'appliquerait à toutes les publications."
        )
    return ModeRule(
        rule_id,
        str(mode),
        str(raw.get("description", "")),
        tuple(signals),
        terms,
        tuple(s.lower() for s in links),
        min_terms,
        exclude,
    )


def classify_mode(
    text: str,
    *,
    is_reply: bool = False,
    has_poll: bool = False,
    links: Sequence[str] = (),
    rules: ModeRules | None = None,
) -> ModeResult:
    """The communication mode of a post, with the rule that decided it.

    ``is_reply`` means a reply to *another* account (a thread of the account itself is
    not a conversation): :attr:`barometre.models.SocialPost.is_reply`. URLs written in
    the text count as links too.
    """
    rules = rules or load_mode_rules()
    folded = fold_post(text)
    all_links = [link.lower() for link in (*links, *find_urls(text))]
    active = {
        "reply": is_reply,
        "poll": has_poll,
        "question": rules.signals.has_question(folded),
        "date": rules.signals.has_date(folded),
        "link": bool(all_links),
    }
    words = tokens(text)
    for rule in rules.rules:
        if not all(active[signal] for signal in rule.signals):
            continue
        found: list[str] = []
        if rule.terms:
            masked = covered_by(rule.masks, words) if rule.exclude else frozenset()
            found = matched_terms(rule.index, words, masked)
            if len(found) < rule.min_terms:
                continue
        if rule.links:
            hits = [part for part in rule.links if any(part in link for link in all_links)]
            if not hits:
                continue
            found += hits
        return ModeResult(rule.mode, rule.id, tuple(found), rule.description)
    return ModeResult(
        rules.default, DEFAULT_RULE, (), "Aucune règle ne s'applique : mode par défaut"
    )
