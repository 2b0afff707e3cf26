"""How a worker reaches the web: fetch settings, guarded resolver, TLS, DNS facts.

Built from the settings (the real web), or given by the caller (the sample web of the
tests and of a demonstration on several processes)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

import dns.asyncresolver

from barometre.capture.run import FactsConfig
from barometre.net.fetcher import FetchConfig
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.settings import Settings
from barometre.social.config import SocialConfig


@dataclass(frozen=True)
class Network:
    fetch: FetchConfig
    resolver: GuardedResolver
    ssl_context: ssl.SSLContext | None = None
    facts: FactsConfig | None = None
    social: SocialConfig = field(default_factory=SocialConfig)
    social_fetch: FetchConfig | None = None
    agent: str = "BarometreNumeriqueTerritoires"


def from_settings(settings: Settings) -> Network:
    """The real web, as ``barometre capture`` and ``barometre social`` reach it."""
    social = SocialConfig(
        bluesky_appview=settings.social_bluesky_appview,
        youtube_web=settings.social_youtube_web,
        youtube_api=settings.social_youtube_api,
        youtube_key=settings.social_youtube_key,
        meta_graph=settings.social_meta_graph,
        meta_token=settings.social_meta_token,
        window_days=settings.social_window_days,
    )
    return Network(
        fetch=FetchConfig(
            user_agent=settings.user_agent,
            per_host_delay=settings.capture_per_host_delay,
            total_timeout=settings.capture_timeout,
            # One page at a time per site in flight (see pipeline.capture).
            global_concurrency=max(settings.capture_sites_in_flight, 1),
        ),
        resolver=GuardedResolver(AddressPolicy.allowing(settings.capture_allow_networks)),
        facts=FactsConfig(dns=dns.asyncresolver.Resolver()),
        social=social,
        social_fetch=FetchConfig(
            user_agent=settings.user_agent,
            per_host_delay=settings.social_per_host_delay,
            total_timeout=settings.capture_timeout,
            max_retry_after=social.max_wait,
        ),
    )
