"""The French labels of what a measurement says: result statuses, fetch outcomes,
confidence, sources of social figures and states of social accounts.

The enumerations live in :mod:`barometre.models` (they are stored); their words live
here, once, for the CLI, the checks' reasons, the site and the exports. ``label_of(x)``
names any of them; the tables are public for those who list them all.

Pure module, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from barometre.models import AccountState, Confidence, FetchOutcome, SocialSource, Status

STATUS_LABELS: Mapping[Status, str] = {
    Status.PASS: "réussi",
    Status.PARTIAL: "partiel",
    Status.FAIL: "échec",
    Status.NOT_APPLICABLE: "non applicable",
    Status.NOT_MEASURABLE: "non mesurable",
}
# A symbol beside the word, never the colour alone (RGAA 3.1).
STATUS_SYMBOLS: Mapping[Status, str] = {
    Status.PASS: "✓",
    Status.PARTIAL: "◐",
    Status.FAIL: "✗",
    Status.NOT_APPLICABLE: "–",
    Status.NOT_MEASURABLE: "?",
}
CONFIDENCE_LABELS: Mapping[Confidence, str] = {
    Confidence.OBSERVED: "observée",
    Confidence.INFERRED: "déduite",
}
OUTCOME_LABELS: Mapping[FetchOutcome, str] = {
    FetchOutcome.OK: "récupéré",
    FetchOutcome.HTTP_ERROR: "erreur HTTP",
    FetchOutcome.TIMEOUT: "délai dépassé",
    FetchOutcome.TOO_LARGE: "réponse trop volumineuse",
    FetchOutcome.REDIRECT_LOOP: "boucle de redirections",
    FetchOutcome.TOO_MANY_REDIRECTS: "trop de redirections",
    FetchOutcome.FORBIDDEN_ADDRESS: "adresse interdite (réseau privé ou local)",
    FetchOutcome.DNS_ERROR: "nom de domaine introuvable",
    FetchOutcome.TLS_ERROR: "certificat ou TLS invalide",
    FetchOutcome.CONNECTION_ERROR: "connexion interrompue",
    FetchOutcome.RATE_LIMITED: "limitation de débit (429)",
    FetchOutcome.ROBOTS: "interdit par robots.txt",
    FetchOutcome.INVALID_URL: "adresse invalide",
    FetchOutcome.NOT_TEXT: "contenu illisible, pas du texte",
}
SOURCE_LABELS: Mapping[SocialSource, str] = {
    SocialSource.API: "API publique",
    SocialSource.FEED: "flux public",
    SocialSource.IMPORT: "export importé",
    SocialSource.DECLARED: "chiffre déclaré",
}
STATE_LABELS: Mapping[AccountState, str] = {
    AccountState.OK: "lu",
    AccountState.NOT_FOUND: "compte introuvable ou supprimé",
    AccountState.SUSPENDED: "compte suspendu ou désactivé",
    AccountState.MOVED: "compte déplacé",
    AccountState.CLOSED: "plateforme fermée (présence seulement)",
    AccountState.DISABLED: "connecteur désactivé (clé absente)",
    AccountState.ERROR: "erreur de lecture",
}

# A figure that could not be measured, in tables and texts (never a zero).
NOT_MEASURED = "non mesuré"
# Grades, best first: given on the global score when the coverage is enough.
GRADES = ("A", "B", "C", "D", "E")

Labelled = Status | Confidence | FetchOutcome | SocialSource | AccountState


def label_of(value: Labelled) -> str:
    """The French word for a status, a confidence, a fetch outcome, a source of social
    figures or the state of an account: ``label_of(Status.FAIL)`` → « échec »."""
    match value:
        case Status():
            return STATUS_LABELS[value]
        case Confidence():
            return CONFIDENCE_LABELS[value]
        case FetchOutcome():
            return OUTCOME_LABELS[value]
        case SocialSource():
            return SOURCE_LABELS[value]
        case AccountState():
            return STATE_LABELS[value]
