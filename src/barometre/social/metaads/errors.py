"""Graph API errors mapped onto :mod:`barometre.social.errors`.

Graph answers errors as ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`` (Graph API "Handling errors" reference). Codes read here: 190 (access
token expired or invalid, with subcodes such as 463 "expired"), 102 and 104 (session
or token missing); 4, 17, 32, 613 and 80000–80014 (application, user, page and business
rate limits); 10 and 200–299 (permission missing: for the Ad Library, the identity
confirmation of the app's owner); anything else is an error carrying Graph's message.
"""

from __future__ import annotations

from collections.abc import Mapping

from barometre.social.errors import (
    AccessClosed,
    ConnectorDisabled,
    ConnectorError,
    RateLimited,
)

META_SETTING = "social_meta_token (variable BAROMETRE_SOCIAL_META_TOKEN)"

DISABLED_MESSAGE = (
    "Bibliothèque publicitaire Meta non interrogée faute de jeton d'accès : renseigner le "
    "réglage " + META_SETTING + " ; les publications sponsorisées restent « non mesurables »."
)
EXPIRED_MESSAGE = (
    "Jeton d'accès Meta expiré ou invalide : le renouveler (outil « Graph API Explorer » "
    "ou jeton longue durée) et mettre à jour le réglage " + META_SETTING + "."
)

_TOKEN_CODES = frozenset({102, 104, 190})
_RATE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})


def graph_error(payload: object, status: int, url: str) -> ConnectorError | None:
    """The error a Graph answer means, or ``None`` when it is a success."""
    body = payload.get("error") if isinstance(payload, Mapping) else None
    if not isinstance(body, Mapping):
        if status >= 400:
            return ConnectorError(f"API Graph : HTTP {status} ({url})", status=status, url=url)
        return None
    code = body.get("code")
    code = code if isinstance(code, int) else -1
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    if code in _TOKEN_CODES:
        return ConnectorDisabled(EXPIRED_MESSAGE, status=status, url=url)
    if code in _RATE_CODES:
        return RateLimited(
            f"Limite de débit de l'API Graph atteinte (code {code}) : réessayer dans une "
            f"heure environ. {url}",
            status=status,
            url=url,
        )
    if code == 10 or 200 <= code <= 299:
        return AccessClosed(
            f"Bibliothèque publicitaire Meta : accès refusé (code {code}) ; l'application "
            f"doit avoir confirmé l'identité de son responsable. {message} ({url})",
            status=status,
            url=url,
        )
    return ConnectorError(f"API Graph, erreur {code} : {message} ({url})", status=status, url=url)
