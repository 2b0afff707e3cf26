"""Errors of the social connectors.

A connector never lets one of these escape to the user as a traceback: the runner turns
each into the account's :class:`~barometre.models.AccountState` and a French reason.
Each platform's ``errors.py`` maps the platform's own error bodies onto these classes.
"""

from __future__ import annotations

from barometre.errors import BarometreError
from barometre.models import AccountState


class ConnectorError(BarometreError):
    """A platform could not give what was asked. ``state`` is what it means for the account."""

    state = AccountState.ERROR

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class AccountNotFound(ConnectorError):
    """The account does not exist (deleted, never existed, handle given up)."""

    state = AccountState.NOT_FOUND


class AccountSuspended(ConnectorError):
    """The account exists but is suspended, deactivated or taken down."""

    state = AccountState.SUSPENDED


class AccessClosed(ConnectorError):
    """The platform refuses anonymous reads (token required, instance closed)."""

    state = AccountState.CLOSED


class RateLimited(ConnectorError):
    """HTTP 429 after every retry, or a rate-limit reset beyond the allowed wait."""


class MalformedPayload(ConnectorError):
    """The answer is not what the platform's documented format says (bad JSON, XML…)."""


class Unreachable(ConnectorError):
    """No HTTP answer at all (DNS, TLS, timeout, refused address…)."""


class ConnectorDisabled(ConnectorError):
    """The connector lacks its key or token: it says so once and reads nothing."""

    state = AccountState.DISABLED
