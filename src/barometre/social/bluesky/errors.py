"""Bluesky's XRPC error answers mapped onto :mod:`barometre.social.errors`.

An XRPC error is an HTTP status with a JSON body ``{"error": "<Name>", "message": "…"}``
(atproto specs, "HTTP API (XRPC)"). The names the AppView gives for accounts:
``InvalidRequest`` + ``Profile not found`` (unknown or deleted account, or a handle that
no longer resolves), ``AccountDeactivated``, ``AccountTakedown`` (suspended by
moderation), ``BlockedActor`` / ``BlockedByActor`` (getAuthorFeed lexicon),
``RateLimitExceeded`` (HTTP 429), ``AuthMissing`` / ``AuthRequired`` (401).
"""

from __future__ import annotations

import json

from barometre.social.errors import (
    AccessClosed,
    AccountNotFound,
    AccountSuspended,
    ConnectorError,
    RateLimited,
)
from barometre.social.http import ApiResponse


def xrpc_error(response: ApiResponse) -> tuple[str | None, str | None]:
    """``(error, message)`` of an XRPC error body, ``(None, None)`` if it is not one."""
    try:
        body = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    name, message = body.get("error"), body.get("message")
    return (
        name if isinstance(name, str) else None,
        message[:200] if isinstance(message, str) else None,
    )


def error_for(response: ApiResponse, what: str) -> ConnectorError | None:
    """The error a non-2xx answer means for the account ``what``, or ``None``."""
    status = response.status
    if 200 <= status < 300:
        return None
    name, message = xrpc_error(response)
    said = f" (« {name}{' : ' + message if message else ''} »)" if name else ""
    url = response.url
    lowered = (message or "").lower()
    if name == "AccountDeactivated":
        return AccountSuspended(f"Compte Bluesky {what} désactivé{said}.", status=status, url=url)
    if name == "AccountTakedown":
        return AccountSuspended(
            f"Compte Bluesky {what} suspendu par la modération{said}.", status=status, url=url
        )
    if name == "RateLimitExceeded" or status == 429:
        return RateLimited(f"Bluesky : limitation de débit{said}.", status=status, url=url)
    if status == 404 or (status == 400 and "not found" in lowered) or name == "NotFound":
        return AccountNotFound(
            f"Compte Bluesky {what} introuvable (supprimé, ou identifiant abandonné){said}.",
            status=status,
            url=url,
        )
    if name in ("BlockedActor", "BlockedByActor"):
        return AccessClosed(
            f"Le compte Bluesky {what} n'est pas lisible (blocage){said}.", status=status, url=url
        )
    if status in (401, 403):
        return AccessClosed(
            f"L'AppView Bluesky refuse la lecture anonyme (HTTP {status}){said}.",
            status=status,
            url=url,
        )
    return ConnectorError(
        f"Bluesky : réponse HTTP {status} inattendue pour {what}{said}.", status=status, url=url
    )
