"""Connector settings: endpoints, keys and limits (filled from :mod:`barometre.settings`).

Endpoints are settings so that the same connectors read the real platforms or the
sample web's recorded platforms on loopback (tests, ``barometre demo``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SocialConfig:
    bluesky_appview: str = "https://public.api.bsky.app"
    youtube_web: str = "https://www.youtube.com"
    youtube_api: str = "https://www.googleapis.com/youtube/v3"
    youtube_key: str | None = None
    meta_graph: str = "https://graph.facebook.com/v21.0"
    meta_token: str | None = None
    window_days: int = 90
    """Posts are read back this many days from the edition's reference date."""
    max_posts: int = 300
    """At most this many posts per account and edition (newest first)."""
    max_pages: int = 10
    """At most this many API pages per account and edition."""
    max_wait: float = 60.0
    """Longest wait for a rate-limit reset before the account is recorded as rate-limited."""
    https_only: bool = True
