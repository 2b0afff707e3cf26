"""The connector registry: which platforms the social stage reads, and how.

Each open platform has one folder, ``social/<platform>/``, with the same files:
``urls.py`` (the platform's addresses), ``types.py`` (its answers → profiles and posts),
``errors.py`` (its errors → connector errors), ``client.py`` (the :class:`Connector`)
and ``__init__.py``. Adding a platform means adding its folder and one entry below
(see CONTRIBUTING.md, « Ajouter une plateforme »). A platform without an entry is
recorded as present only (closed platforms; open ones in :data:`OPEN_WITHOUT_CONNECTOR`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from barometre.social.base import Connector
from barometre.social.bluesky.client import BlueskyConnector
from barometre.social.config import SocialConfig
from barometre.social.http import SocialHttp
from barometre.social.mastodon.client import MastodonConnector
from barometre.social.youtube.client import YouTubeConnector

ConnectorFactory = Callable[[SocialHttp, SocialConfig], Connector]


@dataclass(frozen=True)
class ConnectorEntry:
    platform: str  # the id of barometre.vocab.platforms
    factory: ConnectorFactory
    window_complete: bool = True
    """Fewer posts than the cap means the whole window was read (not so for a platform
    whose public feed stops short, such as YouTube's)."""


REGISTRY: tuple[ConnectorEntry, ...] = (
    ConnectorEntry("mastodon", MastodonConnector),
    ConnectorEntry("bluesky", BlueskyConnector),
    ConnectorEntry("youtube", YouTubeConnector, window_complete=False),
)
ENTRIES: Mapping[str, ConnectorEntry] = {e.platform: e for e in REGISTRY}
CONNECTORS: Mapping[str, ConnectorFactory] = {e.platform: e.factory for e in REGISTRY}
# Open platforms the barometer has no connector for yet: presence only, said as such.
OPEN_WITHOUT_CONNECTOR = frozenset({"peertube", "telegram"})
