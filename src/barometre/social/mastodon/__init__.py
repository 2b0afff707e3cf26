"""Mastodon connector (public REST API of each instance, keyless).

``urls`` (account addresses, API URLs, ``Link`` paging), ``types`` (documented
entities → profiles and posts), ``errors`` (error answers → connector errors) and
``client`` (:class:`MastodonConnector`).
"""

from barometre.social.mastodon.client import MastodonConnector

__all__ = ["MastodonConnector"]
