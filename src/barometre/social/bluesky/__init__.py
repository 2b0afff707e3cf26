"""Bluesky connector (public AppView, keyless).

``urls`` (handles, DIDs, AT URIs, XRPC URLs), ``types`` (lexicon views → profiles and
posts, forged dates, domain handles), ``errors`` (XRPC errors → connector errors) and
``client`` (:class:`BlueskyConnector`).
"""

from barometre.social.bluesky.client import BlueskyConnector

__all__ = ["BlueskyConnector"]
