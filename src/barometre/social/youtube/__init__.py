"""YouTube: channel ids, the keyless channel feed and, with a key, the Data API v3."""

from barometre.social.youtube.client import YouTubeConnector
from barometre.social.youtube.urls import ChannelRef, is_channel_id, parse_channel_url

__all__ = ["ChannelRef", "YouTubeConnector", "is_channel_id", "parse_channel_url"]
