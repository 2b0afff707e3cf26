"""Mastodon's error answers mapped onto :mod:`barometre.social.errors`.

Per the Mastodon API documentation (methods/accounts, entities/Error): a JSON body
``{"error": "…"}``; 404 ``Record not found`` for an unknown account; 410 Gone for a
suspended account (servers 2.4 to 3.2; later ones return the account with
``"suspended": true``); 401 ``This API requires an authenticated user`` when the
instance refuses anonymous API calls (whitelist / limited-federation mode, or
``DISALLOW_UNAUTHENTICATED_API_ACCESS``); 429 ``Too many requests``.
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


def error_message(response: ApiResponse) -> str | None:
    """The ``error`` text of a JSON error body, if the body is one."""
    try:
        body = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])[:200]
    return None


def error_for(response: ApiResponse, what: str) -> ConnectorError | None:
    """The error a non-2xx answer means for ``what`` (an account's handle), or ``None``."""
    status = response.status
    if 200 <= status < 300:
        return None
    said = error_message(response)
    detail = f" (« {said} »)" if said else ""
    url = response.url
    if status == 404:
        return AccountNotFound(
            f"Compte Mastodon {what} introuvable sur son instance{detail}.", status=status, url=url
        )
    if status == 410:
        return AccountSuspended(
            f"Compte Mastodon {what} suspendu par son instance (HTTP 410){detail}.",
            status=status,
            url=url,
        )
    if status in (401, 403):
        return AccessClosed(
            f"L'instance de {what} refuse la lecture anonyme de son API (HTTP {status}){detail}.",
            status=status,
            url=url,
        )
    if status == 429:
        return RateLimited(
            f"Instance de {what} : limitation de débit (HTTP 429){detail}.", status=status, url=url
        )
    return ConnectorError(
        f"Instance de {what} : réponse HTTP {status} inattendue{detail}.", status=status, url=url
    )
