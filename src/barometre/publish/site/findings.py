"""The findings that open the national summary: a few sentences written from the
edition's figures, each with its denominator and its coverage, that a journalist can
quote as they stand (« Site officiel déclaré : 33 sur 34 communes (97,1 %) ; mesuré
pour 34 sur 34 (100 %). »).

One finding per section of figures (the registry, the social networks, the practices,
the legal obligations), taken from the row that rests on the most collectivités: a
share of two is no finding, so a row needs at least ``MIN_DENOMINATOR`` of them.
Correlations are left to their table (a coefficient needs its interval to be read).
Pure functions of the figures the site already shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from barometre.publish.pages.models import FigureRow, FigureSection
from barometre.vocab import fr

MIN_DENOMINATOR = 3
LIMIT = 5
# which sections speak first: what the registry says of every collectivité, then what
# was measured on the sites and the accounts
ORDER = ("registre", "conformite", "presence", "pratiques", "grandes_communes")


def _group_noun(label: str) -> str | None:
    """« communes » from « Communes — Site officiel déclaré »; ``None`` when the row is
    about something else than collectivités (a platform's accounts)."""
    group, sep, _ = label.partition(" — ")
    if not sep or not group:
        return None
    noun = group[0].lower() + group[1:]
    if not any(word in noun for word in ("région", "département", "commune", "intercommunal")):
        return None
    return noun


def _measured(coverage: str) -> int | None:
    """The number of collectivités measured, from « 21 sur 34 mesurées (62 %) »."""
    first = coverage.partition(" sur ")[0]
    digits = "".join(c for c in first if c.isdigit())
    return int(digits) if digits and " sur " in coverage else None


def _sentence(row: FigureRow, key: str = "") -> str | None:
    noun = _group_noun(row.label)
    denominator, numerator, share = row.denominator, row.numerator, row.share
    if noun is None or denominator < MIN_DENOMINATOR or share is None:
        return None
    coverage = row.coverage_text
    if _measured(coverage) != denominator:
        return None  # a share of posts or accounts, not of collectivités
    what = row.label.partition(" — ")[2]
    verb = "réussi par " if key == "conformite" else ""
    sentence = (
        f"{what} : {verb}{fr.integer(numerator)} sur {fr.integer(denominator)} {noun} "
        f"({fr.percent(share, 1)})"
    )
    if coverage and coverage != fr.MISSING:
        sentence += f" ; couverture : {coverage}"
    return sentence + "."


def key_findings(
    sections: Iterable[FigureSection],
    *,
    scored: int = 0,
    graded: int = 0,
    registry_only: bool = False,
    limit: int = LIMIT,
) -> list[str]:
    """About ``limit`` sentences, each with its denominator and its coverage (an edition
    measured from the registry alone grades no one: it has no sentence on the grades)."""
    by_key = {s.key: s for s in sections}
    found: list[str] = []
    if scored >= MIN_DENOMINATOR and not registry_only:
        found.append(
            f"Notes : {fr.integer(graded)} sur {fr.integer(scored)} collectivités mesurées "
            f"({fr.ratio(graded, scored, 0)}) ont une couverture suffisante pour être notées."
        )
    for key in ORDER:
        section = by_key.get(key)
        if section is None:
            continue
        rows = section.rows
        candidates = [r for r in rows if _sentence(r, key) is not None]
        if not candidates:
            continue
        best = max(candidates, key=lambda r: (r.denominator, -rows.index(r)))
        sentence = _sentence(best, key)
        if sentence is not None:
            found.append(sentence)
        if len(found) >= limit:
            break
    return found[:limit]
