"""Sponsored posts: the Meta Ad Library (``ads_archive``), optional, with a token."""

from barometre.social.metaads.client import MetaAdLibrary
from barometre.social.metaads.types import Ad
from barometre.social.metaads.urls import page_id_from_url

__all__ = ["Ad", "MetaAdLibrary", "page_id_from_url"]
