"""Registrable domains (Public Suffix List), shared by every layer; no I/O."""

from __future__ import annotations

from functools import lru_cache

import tldextract

# tldextract ships a snapshot of the Public Suffix List; never fetch it at run time.
# ``.test`` (RFC 6761, reserved for testing) is the top-level domain of the sample web:
# it behaves as a public suffix so that ``www.ville-exemple.test`` → ``ville-exemple.test``.
TEST_SUFFIX = "test"
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, extra_suffixes=(TEST_SUFFIX,))


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """``www.ville-x.fr`` → ``ville-x.fr``; hosts on a public suffix keep their label."""
    result = _EXTRACT(host)
    if not result.domain:
        return host
    return f"{result.domain}.{result.suffix}" if result.suffix else result.domain
