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


# Webmail and consumer ISP mailboxes: an address there is not on the collectivité's own
# domain. Business offers of the same ISPs (e.g. 9business.fr) are counted as well since
# the mailbox still bears the provider's name, not the collectivité's.
CONSUMER_MAIL_DOMAINS = frozenset(
    {
        "wanadoo.fr",
        "orange.fr",
        "gmail.com",
        "googlemail.com",
        "laposte.net",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "cegetel.net",
        "club-internet.fr",
        "numericable.fr",
        "noos.fr",
        "bbox.fr",
        "hotmail.fr",
        "hotmail.com",
        "outlook.fr",
        "outlook.com",
        "live.fr",
        "live.com",
        "msn.com",
        "yahoo.fr",
        "yahoo.com",
        "ymail.com",
        "aol.com",
        "aol.fr",
        "icloud.com",
        "me.com",
        "gmx.fr",
        "gmx.com",
        "gmx.net",
        "protonmail.com",
        "proton.me",
        "nordnet.fr",
        "aliceadsl.fr",
        "alice.fr",
        "libertysurf.fr",
        "tiscali.fr",
        "voila.fr",
        "9online.fr",
        "9business.fr",
        "ozone.net",
        "wibox.fr",
        "akeonet.com",
        "mageos.com",
        "dbmail.com",
        "infonie.fr",
        "worldonline.fr",
        "bluewin.ch",
        "mailo.com",
        "netcourrier.com",
        "sfr.net",
        "evhr.net",
        "calixo.net",
    }
)
