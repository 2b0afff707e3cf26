"""What a connector is: an account to read in, a profile and its posts out.

Every connector (``social/<platform>/client.py``) implements :class:`Connector`. It
reads public data only, through :class:`~barometre.social.http.SocialHttp`, and
raises the errors of :mod:`barometre.social.errors`; :func:`read_account` turns those
into a profile whose state says what happened, so one account never stops a run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Protocol

from barometre.models import AccountState, SocialPost, SocialProfile, SocialSource
from barometre.social.config import SocialConfig
from barometre.social.errors import ConnectorDisabled, ConnectorError
from barometre.social.http import SocialHttp


@dataclass(frozen=True)
class AccountRef:
    """One account to read: how it was found, and what an earlier edition knew of it.

    ``known_id`` is the stable id from an earlier edition (a Bluesky DID, a YouTube
    ``UC…`` id): connectors look the account up by it first, so that a renamed handle
    still finds the same account. ``site_host`` is the official site's host name, for
    the back-link and domain-handle checks.
    """

    authority_id: str
    platform: str
    handle: str
    url: str
    known_id: str | None = None
    site_host: str | None = None
    found_at: str | None = None
    ownership: str | None = None  # why it is the collectivité's own (discovery's evidence)


@dataclass(frozen=True)
class Fetched:
    profile: SocialProfile
    posts: tuple[SocialPost, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)  # e.g. "handle renamed"


class Connector(Protocol):
    platform: ClassVar[str]
    source: ClassVar[SocialSource]

    def disabled_reason(self) -> str | None:
        """Why the connector cannot run (a missing key), or ``None``."""
        ...

    async def fetch_account(self, ref: AccountRef, since: datetime) -> Fetched:
        """The profile and the posts published since ``since`` (newest first)."""
        ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class KeylessConnector:
    """What the connectors of open APIs share: the HTTP client, the settings, an
    injectable clock (identical replays) and a page size bounded by the API's maximum."""

    platform: ClassVar[str]
    source: ClassVar[SocialSource] = SocialSource.API
    max_page_size: ClassVar[int] = 100

    def __init__(
        self,
        http: SocialHttp,
        config: SocialConfig,
        *,
        now: Callable[[], datetime] = utc_now,
        page_size: int | None = None,
    ) -> None:
        self.http = http
        self.config = config
        self._now = now
        size = self.max_page_size if page_size is None else page_size
        self.page_size = max(1, min(size, self.max_page_size))

    def disabled_reason(self) -> str | None:
        return None  # a public API: no key to miss


def failed_profile(
    ref: AccountRef,
    state: AccountState,
    reason: str,
    source: SocialSource,
    *,
    now: datetime | None = None,
) -> SocialProfile:
    """The profile recorded for an account that could not be read."""
    return SocialProfile(
        platform=ref.platform,
        account_id=ref.known_id or ref.handle,
        handle=ref.handle,
        url=ref.url,
        state=state,
        fetched_at=now or datetime.now(UTC),
        source=source,
        reason=reason,
    )


async def read_account(
    connector: Connector, ref: AccountRef, since: datetime, *, now: datetime | None = None
) -> Fetched:
    """Run ``connector`` on ``ref``; any connector error becomes the profile's state.

    ``now`` dates the profile of an account that could not be read (a replay passes
    the original run's date, so that replayed records are identical)."""
    disabled = connector.disabled_reason()
    if disabled is not None:
        return Fetched(
            failed_profile(ref, AccountState.DISABLED, disabled, connector.source, now=now)
        )
    try:
        return await connector.fetch_account(ref, since)
    except ConnectorDisabled as exc:
        return Fetched(
            failed_profile(ref, AccountState.DISABLED, str(exc), connector.source, now=now)
        )
    except ConnectorError as exc:
        return Fetched(failed_profile(ref, exc.state, str(exc), connector.source, now=now))


def newest_first(posts: Sequence[SocialPost]) -> tuple[SocialPost, ...]:
    return tuple(sorted(posts, key=lambda p: p.published_at, reverse=True))
