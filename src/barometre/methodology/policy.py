"""The publication policy: what an edition may publish about a collectivité.

Publish only what was measured (DESIGN.md, publication policy):

* a global score, a grade and a rank exist only for a collectivité whose **site was
  captured** in the edition and whose **coverage** reaches the methodology's threshold
  (``[scoring] min_coverage``); such a collectivité is « notée »;
* a dimension score is published on the same terms (site captured, the dimension's own
  coverage at the threshold); otherwise no number takes its place;
* ranks count the graded collectivités only;
* a collectivité whose site was captured but whose coverage stays under the threshold
  is « couverture insuffisante »: its card says what is missing, with no number;
* a collectivité whose site was not captured (no declared site, or an edition measured
  from the registry alone) is « registre seul »: the edition publishes its registry
  indicators (declared site, own domain, e-mail on its own domain) as shares, maps and
  lists, never a score.

The scoring stores only what this policy allows; the site and the exports read the
same functions, so every output agrees on who is graded. Pure module, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from barometre.models import Status
from barometre.vocab import fr
from barometre.vocab.status import label_of

if TYPE_CHECKING:
    from barometre.methodology import Criterion


class Publication(StrEnum):
    """What an edition publishes of one collectivité (French: it is shown and exported)."""

    GRADED = "notée"
    INSUFFICIENT = "couverture insuffisante"
    REGISTRY_ONLY = "registre seul"


def publication(captured: bool, coverage: float, min_coverage: float) -> Publication:
    """The publication status of a collectivité from the edition's facts."""
    if not captured:
        return Publication.REGISTRY_ONLY
    if coverage < min_coverage:
        return Publication.INSUFFICIENT
    return Publication.GRADED


def publishable(captured: bool, coverage: float, min_coverage: float) -> bool:
    """Whether a score (global or of a dimension) at this coverage may be published."""
    return publication(captured, coverage, min_coverage) is Publication.GRADED


def publication_of(captured: bool, grade: str | None) -> Publication:
    """The status read back from stored scores: a grade is stored only for the graded."""
    if grade:
        return Publication.GRADED
    return Publication.INSUFFICIENT if captured else Publication.REGISTRY_ONLY


# --- registry indicators ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistryIndicator:
    """An indicator measured from the registry alone, for every collectivité: the share
    of those whose criterion result reaches ``at_least`` among those it could be
    measured for (a not-measurable or not-applicable result is out of the denominator).
    """

    id: str
    label: str
    criterion: str
    at_least: float
    definition: str

    def met(self, status: Status, value: float | None) -> bool | None:
        """``True``/``False`` when measured, ``None`` when it is out of the count."""
        if status not in (Status.PASS, Status.PARTIAL, Status.FAIL) or value is None:
            return None
        return value >= self.at_least


REGISTRY_INDICATORS = (
    RegistryIndicator(
        "site_declare",
        "Site officiel déclaré",
        "presence.annuaire",
        0.01,  # P2 is 0 exactly when no site is declared
        "collectivités dont un site officiel est déclaré dans l'Annuaire de "
        "l'administration ou le registre, sur toutes les collectivités",
    ),
    RegistryIndicator(
        "domaine_propre",
        "Nom de domaine propre",
        "presence.domaine_souverain",
        0.75,  # P3: own sovereign domain (1, 0.8) or a sub-domain of the EPCI's (0.75)
        "collectivités dont le site est publié sous un nom de domaine propre à extension "
        "souveraine (ou sous-domaine du portail intercommunal), sur celles qui déclarent "
        "un site",
    ),
    RegistryIndicator(
        "messagerie_propre",
        "Adresse électronique sur un domaine propre",
        "coherence.messagerie",
        0.5,  # K3: the site's domain (1) or another own domain (0.5)
        "collectivités dont l'adresse électronique déclarée est sur un nom de domaine "
        "propre, sur celles dont le registre donne une adresse",
    ),
)


def indicators_of(
    results: Mapping[str, tuple[Status, float | None]],
) -> dict[str, bool | None]:
    """Each registry indicator of one collectivité from its results (``check_id →
    (status, value)``): met, not met, or ``None`` when it is out of the count."""
    out: dict[str, bool | None] = {}
    for indicator in REGISTRY_INDICATORS:
        found = results.get(indicator.criterion)
        out[indicator.id] = indicator.met(*found) if found is not None else None
    return out


def indicator_shares(
    values: Iterable[Mapping[str, bool | None]],
) -> dict[str, tuple[int, int]]:
    """``indicator id → (met, measured)`` over the collectivités given (as returned by
    :func:`indicators_of`)."""
    out = {i.id: (0, 0) for i in REGISTRY_INDICATORS}
    for item in values:
        for key, met in item.items():
            if met is None:
                continue
            done, total = out[key]
            out[key] = (done + met, total + 1)
    return out


# The criterion whose discovery finds a collectivité's accounts on its site (P4): when it
# is not measurable, its accounts were not searched, and a card must not say « none ».
ACCOUNTS_CRITERION = "presence.reseaux_sociaux"


def accounts_not_searched(status: Status | None, reason: str | None) -> str | None:
    """Why the accounts of a collectivité were not searched, or ``None`` if they were."""
    if status is None or status is Status.NOT_MEASURABLE:
        why = _lower_first((reason or "site non capturé dans cette édition").rstrip("."))
        return f"Comptes sociaux non cherchés : {why}."
    return None


# --- what the edition measured --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measured:
    """What an edition measured, said on every page: registry only, sites captured,
    social accounts read, and how many of each."""

    authorities: int  # collectivités of the registry in the edition
    captured: int  # sites captured
    accounts: int  # social accounts read
    graded: int  # collectivités graded under the publication policy

    @property
    def registry_only(self) -> bool:
        return self.captured == 0

    def sentence(self) -> str:
        """« Mesuré : 36 012 collectivités du registre, 0 site capturé… »"""
        parts = [
            fr.count(self.authorities, "collectivité du registre", "collectivités du registre")
        ]
        if self.registry_only:
            return (
                f"Édition mesurée sur le registre seul ({parts[0]}) : aucun site capturé, "
                "aucun compte social lu, donc ni score, ni note, ni rang."
            )
        parts.append(fr.count(self.captured, "site capturé", "sites capturés"))
        parts.append(fr.count(self.accounts, "compte social lu", "comptes sociaux lus"))
        parts.append(fr.count(self.graded, "collectivité notée", "collectivités notées"))
        return "Ce que l'édition a mesuré : " + ", ".join(parts) + "."


def missing_summary(
    captured: bool,
    coverage: float,
    min_coverage: float,
    not_measurable: Iterable[tuple[str, str | None]],
) -> str:
    """What keeps a collectivité from a grade, in one French paragraph.

    ``not_measurable``: ``(criterion code, reason)`` of its not-measurable criteria."""
    items = list(not_measurable)
    reasons: dict[str, list[str]] = {}
    for code, reason in items:
        reasons.setdefault(reason or label_of(Status.NOT_MEASURABLE), []).append(code)
    if not captured:
        head = (
            "Site non capturé dans cette édition : seuls les indicateurs du registre sont "
            "publiés, sans score, sans note et sans rang."
        )
    else:
        head = (
            f"Couverture de {fr.percent(coverage)}, sous le seuil de "
            f"{fr.percent(min_coverage)} fixé par la méthodologie : pas de score global, "
            "pas de note, pas de rang."
        )
    if not items:
        return head
    top = sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:4]
    detail = "; ".join(
        f"{fr.count(len(codes), 'critère', 'critères')} ({', '.join(codes[:6])}"
        f"{'…' if len(codes) > 6 else ''}) : {_lower_first(reason.rstrip('.'))}"
        for reason, codes in top
    )
    return f"{head} Non mesurable : {detail}."


def _lower_first(text: str) -> str:
    """« Non mesuré… » → « non mesuré… » after a colon; « LinkedIn… » stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def counts(publications: Mapping[str, Publication]) -> dict[Publication, int]:
    """How many collectivités of each publication status."""
    out = dict.fromkeys(Publication, 0)
    for value in publications.values():
        out[value] += 1
    return out


def site_criteria(criteria: Iterable[Criterion]) -> list[str]:
    """The criteria read from a captured site: neither the registry's nor the social
    ones. A collectivité with a declared site and a stored result for one of them had
    its site captured in the edition (the audit stores only the registry's criteria of
    a site it did not capture)."""
    return [c.id for c in criteria if not c.registry_level and not c.social]


def rules(min_coverage: float) -> list[str]:
    """The publication policy in French, for the methodology page."""
    threshold = fr.percent(min_coverage)
    labels = ", ".join(f"« {i.label.lower()} »" for i in REGISTRY_INDICATORS)
    return [
        "Un score global, une note et un rang ne sont publiés que pour une collectivité "
        f"dont le site a été capturé dans l'édition et dont la couverture atteint {threshold} "
        f"du poids des critères applicables : elle est « {Publication.GRADED} ».",
        "Les rangs ne comptent que les collectivités notées : « 3ᵉ sur 40 » veut dire "
        "troisième parmi les 40 collectivités notées du groupe.",
        "Sous ce seuil, la collectivité est en « couverture insuffisante » : son bulletin "
        "dit ce qui manque (critères non mesurables et leurs motifs), sans aucun chiffre à "
        "la place du score, de la note ou du rang. Un score de dimension n'est publié que "
        f"si la couverture de la dimension atteint aussi {threshold}.",
        f"Sans site capturé (aucun site déclaré, ou édition mesurée sur le registre seul), "
        f"la collectivité est en « {Publication.REGISTRY_ONLY} » : l'édition publie ses "
        f"indicateurs du registre ({labels}), en parts, cartes et listes, jamais en score.",
        "Une donnée absente n'est pas un échec : un critère dont l'entrée manque au "
        "registre (aucune adresse électronique, par exemple) ou dont le site n'a pas été "
        "capturé est « non mesurable », avec son motif ; il n'est ni compté comme un échec "
        "ni repris dans les recommandations.",
        "Les cartes, les distributions et les corrélations portent sur les collectivités "
        "notées seulement ; les exports disent pour chaque collectivité sa publication "
        f"(« {Publication.GRADED} », « {Publication.INSUFFICIENT} », "
        f"« {Publication.REGISTRY_ONLY} ») et ne donnent ni score, ni note, ni rang aux autres.",
    ]


def summary(counts: Mapping[Publication, int]) -> str:
    """« Publication : 22 collectivités notées, 12 en couverture insuffisante, 3 en
    registre seul. » — the same count of graded collectivités as the site's."""
    graded = counts.get(Publication.GRADED, 0)
    thin = counts.get(Publication.INSUFFICIENT, 0)
    registry = counts.get(Publication.REGISTRY_ONLY, 0)
    if graded == thin == 0 and registry:
        return (
            f"Publication : {fr.count(registry, 'collectivité', 'collectivités')} sur le "
            "registre seul (aucun site capturé) : ni score, ni note, ni rang."
        )
    return (
        f"Publication : {fr.count(graded, 'collectivité notée', 'collectivités notées')}, "
        f"{fr.integer(thin)} en couverture insuffisante, {fr.integer(registry)} en registre "
        "seul (sans site capturé)."
    )
