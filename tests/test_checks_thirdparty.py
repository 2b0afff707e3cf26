"""Third parties (third-party-web's entities with our overlay): classification of request
URLs, what inline code loads, consent managers. Small inline pages, no network."""

from __future__ import annotations

import pytest

from barometre.checks.html import Doc
from barometre.checks.thirdparty import (
    Directory,
    Notion,
    classify,
    consent_managers,
    notion_of,
    seen_in,
)
from barometre.models import FetchOutcome, Page


def doc(html: str, url: str = "https://www.ville-test.fr/") -> Doc:
    return Doc(Page(url, url, FetchOutcome.OK, 200, "text/html", (), html.encode(), html))


@pytest.mark.parametrize(
    ("url", "label", "notion"),
    [
        # a Meta pixel at any locale path (the old list matched "/fbevents.js" only)
        ("https://connect.facebook.net/fr_FR/fbevents.js", "Facebook (Meta Pixel)", "tracker"),
        ("https://www.facebook.com/tr?id=1&ev=PageView", "Facebook (Meta Pixel)", "tracker"),
        ("https://connect.facebook.net/fr_FR/sdk.js", "Facebook (Facebook SDK)", "tracker"),
        # Google's ad domains
        ("https://adservice.google.fr/adsid/google/ui", "Google/Doubleclick Ads", "tracker"),
        ("https://www.googletagservices.com/tag/js/gpt.js", "Google/Doubleclick Ads", "tracker"),
        ("https://s0.2mdn.net/ads/x.js", "Google/Doubleclick Ads", "tracker"),
        ("https://www.googletagmanager.com/gtag/js?id=AW-123", "Google/Doubleclick Ads", "tracker"),
        ("https://www.googletagmanager.com/gtag/js?id=G-ABC", "Google Analytics", "tracker"),
        ("https://www.googletagmanager.com/gtm.js?id=GTM-ABCD", "Google Tag Manager", "tracker"),
        # embeds and their CDNs
        ("https://www.youtube-nocookie.com/embed/abc", "YouTube", "tracker"),
        ("https://pbs.twimg.com/media/a.jpg", "Twitter", "tracker"),
        ("https://scontent.xx.fbcdn.net/v/a.jpg", "Facebook", "tracker"),
        ("https://scontent.cdninstagram.com/a.jpg", "Instagram", "tracker"),
        # analytics
        ("https://villetest.containers.piwik.pro/abc.js", "Piwik", "tracker"),
        ("https://stats.ville-test.fr/matomo.js", "Matomo", "exemptable"),
        ("https://logs1412.xiti.com/hit.xiti?s=1", "XiTi", "exemptable"),
        ("https://c.clarity.ms/c.gif", "Clarity", "tracker"),
        # consent managers and plain third parties
        ("https://CONSENT.Cookiebot.com/uc.js", "Cookiebot", "consent_manager"),
        ("https://fonts.googleapis.com/css2?family=Marianne", "Google Fonts", "third_party"),
    ],
)
def test_request_urls_are_classified(url: str, label: str, notion: str) -> None:
    found = classify(url)
    assert found is not None, url
    assert (found.label, found.entity.notion.value) == (label, notion)


@pytest.mark.parametrize(
    "url", ["https://www.ville-test.fr/app.js", "data:image/gif;base64,R0lG", "", "pas une url"]
)
def test_first_party_and_junk_are_no_third_party(url: str) -> None:
    assert classify(url) is None


def test_categories_become_our_notions() -> None:
    assert notion_of("ad") is notion_of("video") is Notion.TRACKER
    assert notion_of("analytics", exemptable=True) is Notion.EXEMPTABLE
    assert notion_of("consent-provider") is Notion.CONSENT_MANAGER
    assert notion_of("cdn") is notion_of("customer-success") is Notion.THIRD_PARTY


def test_wildcards_cover_the_bare_domain_and_the_longest_suffix_wins() -> None:
    directory = Directory(
        [
            {"name": "Large", "category": "ad", "domains": ["*.exemple.org"]},
            {"name": "Narrow", "category": "cdn", "domains": ["*.cdn.exemple.org"]},
            {"name": "Exact", "category": "social", "domains": ["a.cdn.exemple.org"]},
        ]
    )
    found = {
        u: (m.entity.name if m else None)
        for u in (
            "https://exemple.org/",
            "https://x.exemple.org/",
            "https://b.cdn.exemple.org/",
            "https://a.cdn.exemple.org/",
            "https://autre.org/",
        )
        if (m := directory.match(u)) or True
    }
    assert list(found.values()) == ["Large", "Large", "Narrow", "Exact", None]


def test_inline_code_loaders_and_signatures_but_not_profile_links() -> None:
    page = doc(
        """<script>(function(w,d,s,l,i){j.src='https://www.googletagmanager.com/gtm.js?id='+i;})
        (window,document,'script','dataLayer','GTM-ABC1');</script>
        <script>var reseaux = {"facebook": "https://www.facebook.com/VilleTest"};</script>
        <script>var _paq = window._paq || []; _paq.push(['trackPageView']);</script>"""
    )
    seen = {(s.match.label, s.where) for s in seen_in(page)}
    assert seen == {
        ("Google Tag Manager", "chargé par un script de la page"),
        ("Google Tag Manager", "code dans la page"),  # GTM-ABC1
        ("Matomo", "code dans la page"),
    }


def test_noscript_pixel_is_seen() -> None:
    page = doc(
        '<body><noscript><img height="1" src="https://www.facebook.com/tr?id=1&amp;ev=PageView">'
        "</noscript></body>"
    )
    assert [s.match.label for s in seen_in(page)] == ["Facebook (Meta Pixel)"]


@pytest.mark.parametrize(
    ("src", "name"),
    [
        ("https://static.axept.io/sdk.js", "Axeptio"),
        ("https://sdk.privacy-center.org/abc/loader.js?target=www.ville-test.fr", "Didomi"),
        ("https://cdn.cookielaw.org/scripttemplates/otSDKStub.js", "OneTrust"),
        ("https://consent.cookiebot.com/uc.js", "Cookiebot"),
        ("https://app.usercentrics.eu/browser-ui/latest/loader.js", "Usercentrics"),
        ("https://choices.consentframework.com/js/pa/1/c/2/stub", "Sirdata"),
        ("https://cdn-cookieyes.com/client_data/abc/script.js", "CookieYes"),
        ("https://tarteaucitron.io/load.js?domain=www.ville-test.fr", "tarteaucitron.js"),
        ("/assets/tarteaucitron/tarteaucitron.js", "tarteaucitron.js"),
    ],
)
def test_consent_managers_by_their_script(src: str, name: str) -> None:
    found = consent_managers([doc(f'<head><script src="{src}"></script></head>')])
    assert [c.label for c in found] == [name]


def test_consent_manager_configured_inline_and_the_uppercase_cookiebot_id() -> None:
    klaro = consent_managers([doc("<script>var klaroConfig = {};</script>")])
    assert [c.label for c in klaro] == ["Klaro"]
    cookiebot = consent_managers(
        [doc('<script id="Cookiebot" src="https://CONSENT.COOKIEBOT.COM/uc.js"></script>')]
    )
    assert [c.label for c in cookiebot] == ["Cookiebot"]
    assert consent_managers([doc("<p>Nous utilisons des cookies.</p>")]) == []
