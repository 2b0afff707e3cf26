"""Reading a collectivité's own news feeds (and finding them from one of its pages).

Not a :class:`~barometre.social.base.Connector`: it reads the site, not an account.
Each call is one GET through :class:`~barometre.social.http.SocialHttp` (so that the
fetcher's guard, caps and archive apply); parsing is in :mod:`.types`.
"""

from __future__ import annotations

from barometre.models import NewsItem
from barometre.social.errors import ConnectorError, MalformedPayload
from barometre.social.http import SocialHttp
from barometre.social.rss.errors import status_error
from barometre.social.rss.types import ParsedFeed, read_feed_document
from barometre.social.rss.urls import feed_links, normalise_feed_url

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


class SiteFeedReader:
    def __init__(self, http: SocialHttp) -> None:
        self.http = http

    async def read(self, feed_url: str, *, limit: int = 200) -> list[NewsItem]:
        """The feed's items, newest first, at most ``limit``; errors are ConnectorErrors."""
        return (await self.read_feed(feed_url, limit=limit)).items

    async def read_feed(self, feed_url: str, *, limit: int = 200) -> ParsedFeed:
        """The feed's items with the count of undated ones (see :class:`ParsedFeed`)."""
        url = normalise_feed_url(feed_url)
        response = await self.http.get(url, accept=FEED_ACCEPT)
        error = status_error(response.status, response.url)
        if error is not None:
            raise error
        try:
            return read_feed_document(
                response.body,
                url,
                base_url=response.final_url,
                content_type=response.header("Content-Type"),
                limit=limit,
            )
        except ConnectorError:
            raise
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedPayload(f"{url} : flux illisible ({exc!r})", url=url) from None

    async def discover(self, page_url: str) -> list[str]:
        """The feeds a site page announces (``<link rel="alternate">``), absolute."""
        url = normalise_feed_url(page_url)
        response = await self.http.get(url, accept=PAGE_ACCEPT)
        error = status_error(response.status, response.url)
        if error is not None:
            raise error
        return feed_links(response.text, response.final_url)
