"""The YouTube connector: a channel's profile and latest videos, with or without a key.

Sequence for one account (every step is one GET through :class:`SocialHttp`):

1. the ``UC…`` id: the one an earlier edition stored, else the one in the URL, else
   with a key ``channels?forHandle=@Handle`` (or ``forUsername``; 1 quota unit), else
   the channel page (``<link rel="canonical">``, ``itemprop="identifier"``, embedded
   JSON);
2. with a key, ``channels?part=snippet,statistics&id=UC…`` when step 1 did not already
   give it (subscribers, rounded by YouTube; video count; description);
   without a key, the channel page (its description carries the links back to the site);
3. the keyless Atom feed (latest 15 videos, views and likes);
4. with a key and ``video_statistics``, one ``videos?part=statistics,liveStreamingDetails``
   call for the feed's ids (1 unit for up to 50 ids): comment counts, live videos.

No key is not an error: the profile comes from the feed and says that subscriber counts
need one. A key refused by Google disables the connector for the rest of the run (one
message naming the setting); an exhausted quota is a rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from barometre.models import SocialSource
from barometre.social.base import AccountRef, Fetched
from barometre.social.config import SocialConfig
from barometre.social.errors import (
    AccountNotFound,
    ConnectorDisabled,
    ConnectorError,
    MalformedPayload,
)
from barometre.social.http import SocialHttp, redact
from barometre.social.youtube.errors import api_error, feed_error, page_error
from barometre.social.youtube.types import (
    ChannelFeed,
    ChannelInfo,
    PageInfo,
    VideoStats,
    build_profile,
    channel_from_api,
    page_info,
    parse_channel_feed,
    video_stats_from_api,
    with_video_stats,
)
from barometre.social.youtube.urls import (
    ChannelRef,
    api_url,
    channel_page_url,
    channel_url,
    feed_url,
    is_channel_id,
    legacy_channel,
    parse_channel_url,
)

FEED_ACCEPT = "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# YouTube sends visitors from the EU to a consent page first; the SOCS cookie with the
# value "CAI" records "reject all" (the value yt-dlp sends), which lets the page through.
PAGE_HEADERS = {"Cookie": "SOCS=CAI"}
MAX_IDS_PER_CALL = 50  # videos.list and channels.list take at most 50 ids


class YouTubeConnector:
    """Reads public YouTube channels (see the module docstring for the calls made)."""

    platform: ClassVar[str] = "youtube"
    source: ClassVar[SocialSource] = SocialSource.FEED

    def __init__(
        self, http: SocialHttp, config: SocialConfig, *, video_statistics: bool = True
    ) -> None:
        self.http = http
        self.config = config
        self.key = config.youtube_key or None
        self.video_statistics = video_statistics
        self._refused: str | None = None
        if self.key and self.key not in http.secrets:
            # The key must never reach an archive or a message, whoever built ``http``.
            http.secrets = (*http.secrets, self.key)

    def disabled_reason(self) -> str | None:
        """``None``: the connector works without a key; set once Google refused the key."""
        return self._refused

    async def fetch_account(self, ref: AccountRef, since: datetime) -> Fetched:
        """The channel's profile and its videos published since ``since`` (newest first)."""
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        try:
            return await self._fetch(ref, since)
        except ConnectorDisabled as exc:
            self._refused = self._safe(str(exc))
            raise ConnectorDisabled(self._refused, status=exc.status, url=exc.url) from None
        except ConnectorError as exc:
            raise type(exc)(self._safe(str(exc)), status=exc.status, url=exc.url) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedPayload(
                self._safe(f"Réponse YouTube inattendue pour {ref.url} : {exc!r}"), url=ref.url
            ) from None

    # -- steps ------------------------------------------------------------------------------

    def _safe(self, text: str) -> str:
        return redact(text, self.http.secrets)

    def _target(self, ref: AccountRef) -> ChannelRef | None:
        """The channel the account's URL names (its handle when no URL is known)."""
        web = self.config.youtube_web
        found = parse_channel_url(ref.url if ref.url.strip() else ref.handle, web)
        return found or legacy_channel(ref.url, ref.handle, web)

    async def _fetch(self, ref: AccountRef, since: datetime) -> Fetched:
        target = self._target(ref)
        known = ref.known_id if is_channel_id(ref.known_id) else None
        if target is None and known is None:
            raise ConnectorError(f"Adresse de chaîne YouTube non reconnue : {ref.url}", url=ref.url)
        channel_id = known or (target.value if target and target.kind == "channel" else None)
        notes: list[str] = []
        api: ChannelInfo | None = None
        page: PageInfo | None = None

        if self.key and channel_id is None and target and target.kind in ("handle", "user"):
            lookup = "forHandle" if target.kind == "handle" else "forUsername"
            value = f"@{target.value}" if target.kind == "handle" else target.value
            api = await self._api_channel({lookup: value})
            if api is None:
                raise AccountNotFound(f"Aucune chaîne YouTube pour {target.handle} (API YouTube)")
            channel_id = api.channel_id

        if channel_id is None or not self.key:
            page_ref = ChannelRef("channel", channel_id) if channel_id else target
            assert page_ref is not None
            page = await self._page(page_ref, required=channel_id is None)
            if channel_id is None:
                if page is None or page.channel_id is None:
                    raise MalformedPayload(
                        "Page de la chaîne YouTube sans identifiant de chaîne (UC…) : "
                        + channel_page_url(self.config.youtube_web, page_ref)
                    )
                channel_id = page.channel_id

        if self.key and api is None:
            api = await self._api_channel({"id": channel_id})
            if api is None:
                raise AccountNotFound(f"Chaîne YouTube {channel_id} introuvable ou supprimée")

        confirmed = api is not None or (page is not None and page.channel_id == channel_id)
        feed = await self._feed(channel_id, confirmed=confirmed)
        videos = [v for v in feed.videos if v.published_at >= since][: self.config.max_posts]
        if self.key and self.video_statistics and videos:
            stats = await self._video_stats([v.post_id for v in videos])
            videos = [with_video_stats(v, stats.get(v.post_id)) for v in videos]

        renamed = (
            api is not None
            and api.custom_url is not None
            and target is not None
            and target.kind == "handle"
            and api.custom_url.lstrip("@").lower() != target.value.lower()
        )
        if renamed and api and target:
            notes.append(f"identifiant renommé : {target.handle} → {api.custom_url}")
        handle = target.handle if target and target.kind != "channel" else channel_id
        profile = build_profile(
            channel_id=channel_id,
            handle=handle,
            url=channel_url(self.config.youtube_web, channel_id),
            fetched_at=datetime.now(UTC),
            page=page,
            api=api,
            feed=feed,
        )
        return Fetched(profile, tuple(videos), tuple(notes))

    async def _api(self, resource: str, params: Mapping[str, Any]) -> Any:
        url = api_url(self.config.youtube_api, resource)
        response, payload = await self.http.get_json(url, {**params, "key": self.key})
        error = api_error(payload, response.status, response.url)
        if error is not None:
            raise error
        return payload

    async def _api_channel(self, selector: Mapping[str, str]) -> ChannelInfo | None:
        params = {"part": "snippet,statistics", **selector}
        payload = await self._api("channels", params)
        return channel_from_api(payload, api_url(self.config.youtube_api, "channels"))

    async def _video_stats(self, ids: list[str]) -> dict[str, VideoStats]:
        stats: dict[str, VideoStats] = {}
        for start in range(0, len(ids), MAX_IDS_PER_CALL):
            chunk = ids[start : start + MAX_IDS_PER_CALL]
            payload = await self._api(
                "videos", {"part": "statistics,liveStreamingDetails", "id": ",".join(chunk)}
            )
            stats.update(video_stats_from_api(payload, api_url(self.config.youtube_api, "videos")))
        return stats

    async def _page(self, ref: ChannelRef, *, required: bool) -> PageInfo | None:
        """The channel page; when the id is already known, only a 404 is fatal."""
        url = channel_page_url(self.config.youtube_web, ref)
        try:
            response = await self.http.get(url, accept=PAGE_ACCEPT, headers=PAGE_HEADERS)
        except ConnectorError:
            if required:
                raise
            return None
        error = page_error(response.status, response.url)
        if error is not None:
            if required or isinstance(error, AccountNotFound):
                raise error
            return None
        if (urlsplit(response.final_url).hostname or "").startswith("consent."):
            if required:
                raise ConnectorError(
                    f"YouTube a renvoyé sa page de consentement au lieu de la chaîne : {url}",
                    url=url,
                )
            return None
        return page_info(response.text)

    async def _feed(self, channel_id: str, *, confirmed: bool) -> ChannelFeed:
        """The channel's feed; ``confirmed``: the page or the API showed the channel exists."""
        url = feed_url(self.config.youtube_web, channel_id)
        response = await self.http.get(url, accept=FEED_ACCEPT)
        error = feed_error(response.status, response.url, channel_exists=confirmed)
        if error is not None:
            raise error
        return parse_channel_feed(
            response.body, url=response.url, channel_id=channel_id, web_base=self.config.youtube_web
        )
