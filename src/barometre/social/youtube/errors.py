"""YouTube's failures mapped onto :mod:`barometre.social.errors`.

Data API v3 errors come as ``{"error": {"code", "message", "errors": [{"reason",
"domain"}], "status", "details": [{"reason"}]}}`` (Google JSON error format). The
reasons read here: ``quotaExceeded`` / ``dailyLimitExceeded`` / ``rateLimitExceeded``
(the project's 10,000 daily units are spent; they come back at midnight Pacific time,
per developers.google.com/youtube/v3/determine_quota_cost), ``keyInvalid`` and the newer
``API_KEY_INVALID`` detail (a refused key), ``forbidden`` without a key.
The channel page and the feed answer 404 for a deleted or unknown channel.
"""

from __future__ import annotations

from collections.abc import Mapping

from barometre.social.errors import (
    AccessClosed,
    AccountNotFound,
    ConnectorDisabled,
    ConnectorError,
    RateLimited,
)

KEY_SETTING = "social_youtube_key (variable BAROMETRE_SOCIAL_YOUTUBE_KEY)"

QUOTA_MESSAGE = (
    "Quota quotidien de l'API YouTube épuisé : il se renouvelle à minuit, heure du "
    "Pacifique (vers 9 h à Paris). Relancer la collecte après cette heure."
)
INVALID_KEY_MESSAGE = (
    "Clé d'API YouTube refusée par Google : vérifier le réglage " + KEY_SETTING + "."
)

_QUOTA_REASONS = frozenset({"quotaexceeded", "dailylimitexceeded", "ratelimitexceeded"})
_KEY_REASONS = frozenset({"keyinvalid", "api_key_invalid", "keyexpired", "api_key_expired"})


def _reasons(body: Mapping[str, object]) -> set[str]:
    found: set[str] = set()
    for key in ("errors", "details"):
        items = body.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, Mapping) and isinstance(item.get("reason"), str):
                    found.add(str(item["reason"]).lower())
    status = body.get("status")
    if isinstance(status, str):
        found.add(status.lower())
    return found


def api_error(payload: object, status: int, url: str) -> ConnectorError | None:
    """The error a Data API answer means, or ``None`` when it is a success."""
    body = payload.get("error") if isinstance(payload, Mapping) else None
    if not isinstance(body, Mapping):
        if status >= 400:
            return ConnectorError(f"API YouTube : HTTP {status} ({url})", status=status, url=url)
        return None
    reasons = _reasons(body)
    if reasons & _QUOTA_REASONS:
        return RateLimited(QUOTA_MESSAGE, status=status, url=url)
    if reasons & _KEY_REASONS:
        return ConnectorDisabled(INVALID_KEY_MESSAGE, status=status, url=url)
    code = body.get("code", status)
    if "forbidden" in reasons or "permission_denied" in reasons:
        return AccessClosed(
            f"API YouTube : accès refusé (HTTP {code}) ; la clé est-elle réglée "
            f"({KEY_SETTING}) ? ({url})",
            status=status,
            url=url,
        )
    if status == 404 or "notfound" in reasons or "channelnotfound" in reasons:
        return AccountNotFound(f"Chaîne YouTube introuvable ({url})", status=status, url=url)
    message = body.get("message")
    shown = f" : {message}" if isinstance(message, str) and message else ""
    return ConnectorError(f"API YouTube, erreur {code}{shown} ({url})", status=status, url=url)


def page_error(status: int, url: str) -> ConnectorError | None:
    """The error a channel page's status means (404/410: the channel is gone)."""
    if status in (404, 410):
        return AccountNotFound(
            f"Chaîne YouTube introuvable ou supprimée (HTTP {status}) : {url}",
            status=status,
            url=url,
        )
    if status >= 400:
        return ConnectorError(
            f"Page de la chaîne YouTube illisible (HTTP {status}) : {url}", status=status, url=url
        )
    return None


def feed_error(status: int, url: str, *, channel_exists: bool = False) -> ConnectorError | None:
    """The error the feed's status means.

    404 alone means a deleted channel. But YouTube's feeds are known to answer 404 (or
    500) for hours while the channel is up (reported in RSS-Bridge issue #2113,
    youtube-rss-finder #371, NetNewsWire #5212): when the page or the API has just shown
    the channel, a 404 is recorded as a read error, not as a deleted account.
    """
    if status in (404, 410) and channel_exists:
        return ConnectorError(
            f"Flux de la chaîne YouTube indisponible (HTTP {status}) alors que la chaîne "
            f"existe : panne passagère connue de YouTube, réessayer plus tard. {url}",
            status=status,
            url=url,
        )
    if status in (404, 410):
        return AccountNotFound(
            f"Flux de la chaîne YouTube introuvable (HTTP {status}) : chaîne supprimée. {url}",
            status=status,
            url=url,
        )
    if status >= 400:
        return ConnectorError(
            f"Flux de la chaîne YouTube illisible (HTTP {status}) : {url}", status=status, url=url
        )
    return None
