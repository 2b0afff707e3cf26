"""The Mastodon connector: one account's profile and recent statuses, keyless.

It only sequences HTTP calls (:mod:`.urls` builds them, :mod:`.types` reads the
answers, :mod:`.errors` judges the statuses): WebFinger on the handle's domain to find
the server that holds the account (RFC 7033; a handle's domain need not be its server:
``@mairie@ville.test`` may live on ``social.ville.test``), falling back on the domain
itself when WebFinger gives nothing; lookup by username on that server; then the
account's statuses newest first, 40 at a time (the documented maximum), paged with
``max_id`` until a status is older than ``since`` or the limits of
:class:`~barometre.social.config.SocialConfig` are reached. Replies and boosts are kept:
the analysis needs them (conversation, republication).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from barometre.models import AccountState, SocialPost
from barometre.social.base import AccountRef, Fetched, KeylessConnector, newest_first
from barometre.social.errors import ConnectorError
from barometre.social.mastodon.errors import error_for
from barometre.social.mastodon.types import (
    account_id_of,
    address_from_jrd,
    post_from_status,
    profile_from_account,
    read_account,
    read_statuses,
    status_time,
)
from barometre.social.mastodon.urls import (
    MastodonAddress,
    acct_uri,
    lookup_url,
    max_id_of,
    next_link,
    parse_address,
    statuses_url,
    webfinger_url,
)

PAGE_SIZE = 40  # documented maximum of GET /api/v1/accounts/:id/statuses
JRD_ACCEPT = "application/jrd+json, application/json;q=0.9"


class MastodonConnector(KeylessConnector):
    """``await MastodonConnector(http, config).fetch_account(ref, since)``."""

    platform: ClassVar[str] = "mastodon"
    max_page_size: ClassVar[int] = PAGE_SIZE

    async def _get(
        self, url: str, params: Mapping[str, Any], address: MastodonAddress
    ) -> tuple[Any, str | None]:
        """Decoded JSON of a successful answer and its ``Link`` header."""
        response = await self.http.get(url, params)
        error = error_for(response, address.handle)
        if error is not None:
            raise error
        return response.json(), response.header("Link")

    async def fetch_account(self, ref: AccountRef, since: datetime) -> Fetched:
        address = parse_address(ref.url) or parse_address(ref.handle)
        if address is None:
            raise ConnectorError(
                f"Adresse de compte Mastodon illisible : « {ref.url or ref.handle} » "
                "(attendu https://instance/@nom ou @nom@instance)."
            )
        fetched_at = self._now()
        notes: list[str] = []
        address = await self._resolve(address, notes)
        account, _ = await self._get(lookup_url(address), {"acct": address.username}, address)
        account = read_account(account)
        if account.get("limited") is True:
            notes.append(
                f"Le compte {address.handle} est masqué par la modération de son instance."
            )
        if isinstance(account.get("moved"), Mapping) or account.get("suspended") is True:
            profile = profile_from_account(account, address, fetched_at=fetched_at)
            return Fetched(profile, notes=tuple(notes))

        api_id = str(account["id"])
        stable_id = account_id_of(account)
        posts, newest, truncated = await self._statuses(address, api_id, stable_id, since)
        if truncated:
            notes.append(truncated)
        profile = profile_from_account(account, address, fetched_at=fetched_at, newest_post=newest)
        if profile.state is not AccountState.OK:
            return Fetched(profile, notes=tuple(notes))
        return Fetched(profile, newest_first(posts), tuple(notes))

    async def _resolve(self, address: MastodonAddress, notes: list[str]) -> MastodonAddress:
        """The account's server and canonical handle by WebFinger; ``address`` as given
        (its domain taken for the server) when WebFinger answers nothing usable."""
        try:
            response = await self.http.get(
                webfinger_url(address.handle_domain),
                {"resource": acct_uri(address)},
                accept=JRD_ACCEPT,
            )
        except ConnectorError:
            return address
        if response.status != 200:
            return address
        try:
            found = address_from_jrd(response.json(), address)
        except ConnectorError:
            return address
        if found is None:
            return address
        if found.instance != address.instance:
            notes.append(
                f"Le compte {found.handle} est servi par {found.instance} (trouvé par WebFinger)."
            )
        return found

    async def _statuses(
        self, address: MastodonAddress, api_id: str, account_id: str, since: datetime
    ) -> tuple[list[SocialPost], datetime | None, str | None]:
        """Posts since ``since``, the newest status date seen, and a note if cut short."""
        url = statuses_url(address.instance, api_id)
        posts: list[SocialPost] = []
        newest: datetime | None = None
        max_id: str | None = None
        for _page in range(self.config.max_pages):
            params = {"limit": self.page_size, "max_id": max_id}
            data, link = await self._get(url, params, address)
            items = read_statuses(data)
            if not items:
                return posts, newest, None
            for raw in items:
                published = status_time(raw)
                newest = published if newest is None else max(newest, published)
                if published < since:
                    return posts, newest, None
                posts.append(post_from_status(raw, account_api_id=api_id, account_id=account_id))
                if len(posts) >= self.config.max_posts:
                    return (
                        posts,
                        newest,
                        (
                            f"Lecture arrêtée à {self.config.max_posts} publications "
                            f"pour {address.handle}."
                        ),
                    )
            max_id = self._next_max_id(link, url) or str(items[-1].get("id") or "") or None
            if max_id is None:
                return posts, newest, None
        return (
            posts,
            newest,
            (f"Lecture arrêtée après {self.config.max_pages} pages pour {address.handle}."),
        )

    @staticmethod
    def _next_max_id(link: str | None, url: str) -> str | None:
        """``max_id`` of the ``Link: rel="next"`` target, if it stays on the instance."""
        target = next_link(link)
        if target is None or urlsplit(target).hostname != urlsplit(url).hostname:
            return None
        return max_id_of(target)
