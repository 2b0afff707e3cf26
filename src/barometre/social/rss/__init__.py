"""The collectivité's own RSS/Atom/RDF news feeds (what its social posts may re-publish)."""

from barometre.social.rss.client import SiteFeedReader
from barometre.social.rss.types import ParsedFeed, parse_feed, read_feed_document
from barometre.social.rss.urls import feed_links, normalise_feed_url

__all__ = [
    "ParsedFeed",
    "SiteFeedReader",
    "feed_links",
    "normalise_feed_url",
    "parse_feed",
    "read_feed_document",
]
