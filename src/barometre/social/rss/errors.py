"""A site feed's failures mapped onto :mod:`barometre.social.errors`.

A feed is read from the collectivité's own site: there is no error body to decode,
only the HTTP status and what the bytes turn out to be.
"""

from __future__ import annotations

from barometre.social.errors import AccessClosed, AccountNotFound, ConnectorError


class InvalidFeedUrl(ConnectorError):
    """The feed address is not a web address (``mailto:``, empty, no host…)."""


def status_error(status: int, url: str) -> ConnectorError | None:
    """The error an HTTP status of a feed means, or ``None`` for a success."""
    if status in (404, 410):
        return AccountNotFound(f"Flux introuvable (HTTP {status}) : {url}", status=status, url=url)
    if status in (401, 403):
        return AccessClosed(f"Flux refusé (HTTP {status}) : {url}", status=status, url=url)
    if status >= 400:
        return ConnectorError(f"Flux illisible (HTTP {status}) : {url}", status=status, url=url)
    return None
