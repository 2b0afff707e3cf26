"""The Bluesky connector: one account's profile and recent posts, from the public AppView.

It only sequences HTTP calls (:mod:`.urls` builds them, :mod:`.types` reads the answers,
:mod:`.errors` judges the statuses):

1. ``app.bsky.actor.getProfile`` by the DID an earlier edition kept (``ref.known_id``),
   else by handle; the DID is the account's stable id, a different handle means the
   account was renamed (said in ``Fetched.notes``);
2. ``app.bsky.feed.getAuthorFeed`` by DID with ``filter=posts_with_replies`` (replies
   are what the conversation criteria read), 100 items a page (the lexicon's maximum),
   paged by ``cursor`` until an item entered the feed before ``since`` or the limits of
   :class:`~barometre.social.config.SocialConfig` are reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from barometre.models import SocialPost
from barometre.social.base import AccountRef, Fetched, KeylessConnector, newest_first
from barometre.social.bluesky.errors import error_for
from barometre.social.bluesky.types import (
    PIN,
    post_from_item,
    profile_from_view,
    read_feed,
    read_profile,
    reason_type,
    sort_time,
)
from barometre.social.bluesky.urls import (
    GET_AUTHOR_FEED,
    GET_PROFILE,
    INVALID_HANDLE,
    is_did,
    parse_actor,
    xrpc_url,
)
from barometre.social.errors import ConnectorError

PAGE_SIZE = 100  # lexicon maximum of getAuthorFeed ``limit``
FEED_FILTER = "posts_with_replies"


class BlueskyConnector(KeylessConnector):
    """``await BlueskyConnector(http, config).fetch_account(ref, since)``."""

    platform: ClassVar[str] = "bluesky"
    max_page_size: ClassVar[int] = PAGE_SIZE

    async def _get(self, method: str, params: Mapping[str, Any], what: str) -> Any:
        response = await self.http.get(xrpc_url(self.config.bluesky_appview, method), params)
        error = error_for(response, what)
        if error is not None:
            raise error
        return response.json()

    async def fetch_account(self, ref: AccountRef, since: datetime) -> Fetched:
        claimed = parse_actor(ref.handle) or parse_actor(ref.url)
        known = parse_actor(ref.known_id) if ref.known_id else None
        actor = known if known is not None and is_did(known) else claimed or known
        if actor is None:
            raise ConnectorError(
                f"Identifiant Bluesky illisible : « {ref.handle or ref.url} » "
                "(attendu https://bsky.app/profile/<identifiant> ou @identifiant)."
            )
        claimed_handle = claimed if claimed is not None and not is_did(claimed) else None
        shown = f"@{claimed_handle}" if claimed_handle else actor
        now = self._now()
        view = read_profile(await self._get(GET_PROFILE, {"actor": actor}, shown))
        did, handle = str(view["did"]), str(view["handle"]).lower()
        notes: list[str] = []
        if handle == INVALID_HANDLE:
            notes.append(
                f"L'AppView Bluesky n'a pas pu vérifier l'identifiant de {shown} "
                f"(« handle.invalid ») : identifiant non prouvé (DID {did})."
            )
        elif actor == did and claimed_handle and claimed_handle != handle:
            notes.append(
                f"Compte Bluesky renommé : @{claimed_handle} s'appelle désormais @{handle} "
                f"(même compte, DID {did})."
            )
        posts, newest, truncated = await self._feed(did, shown, since, now)
        if truncated:
            notes.append(truncated)
        profile = profile_from_view(
            view,
            claimed_handle=claimed_handle,
            site_host=ref.site_host,
            fetched_at=now,
            last_post_at=newest,
        )
        return Fetched(profile, newest_first(posts), tuple(notes))

    async def _feed(
        self, did: str, shown: str, since: datetime, now: datetime
    ) -> tuple[list[SocialPost], datetime | None, str | None]:
        """Posts published since ``since``, the newest plausible date seen, a note if cut."""
        posts: list[SocialPost] = []
        seen: set[str] = set()
        newest: datetime | None = None
        cursor: str | None = None
        for _page in range(self.config.max_pages):
            params = {
                "actor": did,
                "filter": FEED_FILTER,
                "limit": self.page_size,
                "cursor": cursor,
            }
            items, cursor = read_feed(await self._get(GET_AUTHOR_FEED, params, shown))
            for item in items:
                post = post_from_item(item, account_id=did, now=now)
                if post is not None:
                    newest = post.published_at if newest is None else max(newest, post.published_at)
                entered = sort_time(item)
                if entered is not None and entered < since and reason_type(item) != PIN:
                    return posts, newest, None
                if post is None or post.post_id in seen:
                    continue  # implausible date, or a pinned post seen again
                if post.published_at < since:
                    continue
                seen.add(post.post_id)
                posts.append(post)
                if len(posts) >= self.config.max_posts:
                    return (
                        posts,
                        newest,
                        (f"Lecture arrêtée à {self.config.max_posts} publications pour {shown}."),
                    )
            if cursor is None or not items:
                return posts, newest, None
        return posts, newest, f"Lecture arrêtée après {self.config.max_pages} pages pour {shown}."
