"""Discovery (accounts, apps, platforms, services, open data, CMS) and the checks that
read it: P4, P5, S1-S3, S6, D1-D3, K2, L10. Small inline pages, no network."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometre.checks import data as refdata
from barometre.checks.dates import dates_in
from barometre.checks.dialogue import issue_reporting, participation, participatory_budget
from barometre.checks.discovery import (
    cms_findings,
    credited_name,
    discover_channels,
    discover_cms,
    opendata_findings,
    participation_findings,
    service_findings,
    social_accounts,
)
from barometre.checks.embeds import social_feeds
from barometre.checks.opendata import open_data
from barometre.checks.ownership import Names
from barometre.checks.presence import mobile_channels, social_presence
from barometre.checks.services import how_to, online_payment, online_procedures, planning_efiling
from barometre.checks.subject import Subject
from barometre.models import (
    Authority,
    AuthorityKind,
    Confidence,
    FetchOutcome,
    Finding,
    Page,
    SiteArchive,
    Status,
    Website,
)
from barometre.vocab.platforms import is_share_url, parse_social_url

SITE = "https://www.ville-test.fr/"
RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"


def page(html: str, url: str = SITE) -> Page:
    return Page(
        url,
        url,
        FetchOutcome.OK,
        200,
        "text/html; charset=utf-8",
        (),
        html.encode(),
        html,
    )


def subject(
    home: str,
    *,
    pages: dict[str, str] | None = None,
    renders: tuple[dict[str, Any], ...] = (),
    name: str = "Ville-Test",
    kind: AuthorityKind = AuthorityKind.COMMUNE,
    siren: str = "219900001",
    epci: Authority | None = None,
) -> Subject:
    authority = Authority(
        kind,
        "99001",
        name,
        siren=siren,
        population=12000,
        websites=(Website(SITE, "www.ville-test.fr", "test", True),),
    )
    site = SiteArchive(
        authority.id,
        SITE,
        FetchOutcome.OK,
        datetime(2025, 3, 20, tzinfo=UTC),
        home=page(home),
        pages={k: page(v, SITE + k + "/") for k, v in (pages or {}).items()},
        renders=renders,
    )
    return Subject(authority, site, as_of=date(2025, 3, 20), epci=epci)


def discovered(s: Subject) -> Subject:
    s.findings = [
        *social_accounts(s),
        *discover_channels(s),
        *participation_findings(s),
        *service_findings(s),
        *opendata_findings(s),
        *discover_cms(s),
    ]
    return s


def names(s: Subject, category: str) -> set[str]:
    return {f.name for f in s.found(category)}


# --- platform URL parsers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "platform", "handle", "post"),
    [
        ("https://www.facebook.com/VilleTest", "facebook", "VilleTest", False),
        ("https://fr-fr.facebook.com/VilleTest/posts/123", "facebook", "VilleTest", True),
        ("https://www.facebook.com/profile.php?id=1000123", "facebook", "1000123", False),
        ("https://www.facebook.com/pages/Ville-Test/123456", "facebook", "123456", False),
        (
            "https://www.facebook.com/people/Ville-Test/61550000000000/",
            "facebook",
            "61550000000000",
            False,
        ),
        (
            "https://www.facebook.com/permalink.php?story_fbid=1&id=598338556946671",
            "facebook",
            "598338556946671",
            True,
        ),
        ("https://fr-fr.facebook.com/VilleTest", "facebook", "VilleTest", False),
        ("https://fb.com/VilleTest", "facebook", "VilleTest", False),
        ("https://twitter.com/#!/VilleTest", "x", "VilleTest", False),
        ("https://www.youtube.com/VilleTestTV", "youtube", "VilleTestTV", False),
        ("https://www.youtube.com/@VilleTest/videos", "youtube", "@VilleTest", False),
        ("https://www.instagram.com/ville_test/reel/Cabc/", "instagram", "ville_test", True),
        ("https://instagr.am/ville_test", "instagram", "ville_test", False),
        ("https://telegram.me/s/villetest/12", "telegram", "villetest", True),
        ("https://www.instagram.com/ville_test/", "instagram", "ville_test", False),
        ("https://twitter.com/VilleTest", "x", "VilleTest", False),
        ("https://x.com/VilleTest/status/1789", "x", "VilleTest", True),
        ("https://www.linkedin.com/company/ville-test/", "linkedin", "ville-test", False),
        ("https://www.youtube.com/@VilleTest", "youtube", "@VilleTest", False),
        ("https://www.youtube.com/channel/UC123abc", "youtube", "UC123abc", False),
        ("https://www.tiktok.com/@villetest", "tiktok", "@villetest", False),
        ("https://www.threads.net/@villetest", "threads", "@villetest", False),
        ("https://bsky.app/profile/ville-test.fr", "bluesky", "ville-test.fr", False),
        ("https://bsky.app/profile/did:plc:abc/post/3k", "bluesky", "did:plc:abc", True),
        ("https://www.whatsapp.com/channel/0029VaTest", "whatsapp", "0029VaTest", False),
        ("https://t.me/villetest", "telegram", "villetest", False),
        ("https://t.me/s/villetest", "telegram", "villetest", False),
        ("https://mastodon.social/@villetest", "mastodon", "@villetest@mastodon.social", False),
    ],
)
def test_parsers_read_the_account(url: str, platform: str, handle: str, post: bool) -> None:
    account = parse_social_url(url)
    assert account is not None
    assert (account.platform, account.handle, account.post) == (platform, handle, post)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.facebook.com/sharer/sharer.php?u=https://www.ville-test.fr/",
        "https://www.facebook.com/share.php?u=x",
        "https://www.facebook.com/groups/entraide.ville",
        "https://www.facebook.com/hashtag/villetest",
        "https://www.facebook.com/plugins/page.php?href=x",
        "https://x.com/intent/tweet?url=https://www.ville-test.fr/",
        "https://twitter.com/share?url=x",
        "https://twitter.com/hashtag/ville",
        "https://x.com/search?q=ville",
        "https://www.linkedin.com/sharing/share-offsite/?url=x",
        "https://www.linkedin.com/shareArticle?mini=true&url=x",
        "https://www.instagram.com/p/Cabc123/",
        "https://www.instagram.com/your_activity/interactions/likes/",
        "https://www.instagram.com/about/",
        "https://twitter.com/settings",
        "https://twitter.com/messages",
        "https://x.com/notifications",
        "https://twitter.com/privacy",
        "https://www.facebook.com/me",
        "https://www.facebook.com/events/123/",
        "https://www.facebook.com/groups/123/permalink/456/",
        "https://fb.me/47574",
        "https://www.youtube.com/premium",
        "https://t.me/+AbCdEf123",
        "https://t.me/joinchat/AAAAAE9B8u",
        "https://telegram.org/apps",
        "https://www.youtube.com/watch?v=abc",
        "https://www.youtube.com/embed/abc",
        "https://api.whatsapp.com/send?text=x",
        "https://wa.me/33600000000",
        "https://t.me/share/url?url=x",
        "https://www.addthis.com/bookmark.php",
        "https://example.fr/@someone",  # /@user elsewhere needs a Mastodon hint
        "https://www.ville-test.fr/a/page",
    ],
)
def test_share_buttons_groups_and_posts_without_account_are_dropped(url: str) -> None:
    assert parse_social_url(url) is None


def test_a_persons_linkedin_profile_is_read_but_marked() -> None:
    account = parse_social_url("https://fr.linkedin.com/in/jean-maire")
    assert account is not None and account.person and account.handle == "jean-maire"
    page = subject(
        '<footer class="social"><a href="https://www.linkedin.com/in/jean-maire">In</a></footer>'
    )
    assert social_accounts(page) == []


def test_bare_platform_addresses_get_a_scheme() -> None:
    account = parse_social_url("www.facebook.com/VilleTest")
    assert account is not None and account.url == "https://www.facebook.com/VilleTest"
    assert parse_social_url("VilleTest") is None
    assert parse_social_url("mailto:mairie@ville-test.fr") is None


def test_fediverse_needs_a_hint_on_unknown_hosts() -> None:
    assert parse_social_url("https://social.ville.fr/@mairie", hint="mastodon") is not None
    assert parse_social_url("https://social.ville.fr/@mairie", hint="fediverse") is not None
    tube = parse_social_url("https://videos.ville.fr/c/conseil/videos", hint="peertube")
    assert (
        tube is not None
        and tube.platform == "peertube"
        and tube.handle == "conseil@videos.ville.fr"
    )
    assert parse_social_url("https://videos.ville.fr/c/conseil") is None


def test_share_detection_does_not_catch_handles_that_start_with_share() -> None:
    assert not is_share_url("https://www.facebook.com/sharethefun")
    assert is_share_url("https://www.facebook.com/share/p/abc/")


@given(st.text(max_size=120))
def test_parser_never_raises(tail: str) -> None:
    for host in (
        "https://www.facebook.com/",
        "https://x.com/",
        "https://bsky.app/",
        "https://t.me/",
    ):
        parse_social_url(host + tail)
        parse_social_url(host + tail, hint="fediverse")


# --- social discovery rules ----------------------------------------------------------

SOCIAL_HOME = """<html><head>
<link rel="me" href="https://piaille.fr/@villetest">
<script type="application/ld+json">{"@type": "GovernmentOrganization",
 "sameAs": ["https://www.linkedin.com/company/ville-test", "https://www.youtube.com/@VilleTestTV"]}</script>
</head><body>
<main>
<p>Partager : <a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a>
<a href="https://x.com/intent/tweet?url=x">X</a></p>
<p>L'office de tourisme est sur <a href="https://www.instagram.com/officetourismevallee/">Instagram</a>.</p>
<p>Revoir <a href="https://www.tiktok.com/@villetest/video/123">notre vidéo</a>.</p>
</main>
<footer>
<ul class="social-links"><li><a href="https://www.facebook.com/VilleTestOfficiel">Facebook</a></li></ul>
<p class="credits">Conception : <a href="https://agence.fr/">Agence Web</a>
(<a href="https://www.facebook.com/AgenceWebCreation">Facebook</a>)</p>
</footer></body></html>"""


def own_and_linked(s: Subject) -> tuple[dict[str, Finding], dict[str, Finding]]:
    found = social_accounts(s)
    own = {f.name: f for f in found if f.category == "social"}
    linked = {f.name: f for f in found if f.category == "social_linked"}
    assert {f.category for f in found} <= {"social", "social_linked"}
    return own, linked


def why(finding: Finding) -> str:
    assert finding.evidence is not None and finding.evidence.note
    return finding.evidence.note


def test_social_discovery_keeps_official_accounts_and_drops_the_others() -> None:
    s = subject(SOCIAL_HOME)
    own, linked = own_and_linked(s)
    assert set(own) == {"facebook", "mastodon", "linkedin", "youtube", "tiktok"}
    assert own["facebook"].handle == "VilleTestOfficiel"  # not the agency, not the share button
    assert own["tiktok"].confidence is Confidence.INFERRED  # a post link named after the town
    assert own["mastodon"].handle == "@villetest@piaille.fr"
    # the tourist office's account, linked from a paragraph: kept apart, with the reason
    assert set(linked) == {"instagram"}
    assert "tourisme" in why(linked["instagram"])
    assert why(own["mastodon"]) == '<link rel="me"> de la page'
    assert why(own["linkedin"]).startswith("sameAs JSON-LD")
    assert why(own["facebook"]) == "bloc de suivi du pied de page"
    assert "reprend le nom" in why(own["tiktok"])


OTHER_ORGANISATIONS_PAGE = """<html><head>
<script type="application/ld+json">[
 {"@type": "GovernmentOrganization", "name": "Ville de Ville-Test",
  "sameAs": ["https://www.youtube.com/@VilleTestTV"]},
 {"@type": "Event", "name": "Fête du lac",
  "organizer": {"@type": "Organization", "name": "Comité des fêtes",
                "sameAs": "https://www.facebook.com/ComiteFetesLac"}}]</script>
</head><body><main>
<article class="carte"><h3>Office de tourisme du Val</h3><p>Ouvert tous les jours.</p>
 <ul class="reseaux"><li><a href="https://www.facebook.com/OTduVal"><img alt=""></a></li>
 <li><a href="https://www.instagram.com/ot_du_val/"><img alt=""></a></li></ul></article>
<aside><h2>Suivez la ville</h2>
 <ul><li><a href="https://x.com/VilleTestX" aria-label="X (nouvelle fenêtre)"></a></li>
 <li><a href="https://www.linkedin.com/company/ville-test" aria-label="LinkedIn"></a></li></ul></aside>
<p>Le <a href="https://www.facebook.com/DepartementExemple">Département</a> finance le projet ;
 le <a href="https://www.tiktok.com/@asvilletestfoot">club de football</a> y joue.</p>
<p>Voir aussi <a href="https://www.threads.net/@quelquun">ce compte</a>.</p>
</main>
<footer><ul class="social"><li><a href="https://www.facebook.com/VilleTest">Facebook</a></li>
<li><a href="https://twitter.com/Prefecture99" title="Préfecture de l'Exemple">Préfecture</a></li></ul>
<p><a href="https://x.com/VilleTestX">X</a></p></footer>
</body></html>"""


def test_other_organisations_accounts_are_linked_not_counted() -> None:
    s = subject(OTHER_ORGANISATIONS_PAGE)
    own, _ = own_and_linked(s)
    assert {(f.name, f.handle) for f in own.values()} == {
        ("youtube", "@VilleTestTV"),  # sameAs of the node naming the town
        ("x", "VilleTestX"),  # an icon list in the body (aside), then the footer
        ("linkedin", "ville-test"),
        ("facebook", "VilleTest"),  # the footer's follow block
    }
    assert why(own["x"]) == "bloc de suivi du pied de page"  # the strongest proof kept
    assert why(own["linkedin"]) == "liste d'icônes vers 2 plateformes"
    linked_all = {
        (f.name, f.handle): why(f) for f in social_accounts(s) if f.category == "social_linked"
    }
    assert set(linked_all) == {
        ("facebook", "ComiteFetesLac"),  # the event organiser's sameAs
        ("facebook", "OTduVal"),  # the tourist office's card
        ("instagram", "ot_du_val"),
        ("facebook", "DepartementExemple"),  # another collectivité
        ("tiktok", "@asvilletestfoot"),  # named after the town, but a club
        ("x", "Prefecture99"),  # in the footer's list, labelled as the préfecture
        ("threads", "@quelquun"),  # a body link with no evidence at all
    }
    assert "« Comité »" in linked_all[("facebook", "ComiteFetesLac")]
    assert "« Office de tourisme »" in linked_all[("facebook", "OTduVal")]
    assert "« Département »" in linked_all[("facebook", "DepartementExemple")]
    assert "« Préfecture »" in linked_all[("x", "Prefecture99")]
    assert "sans preuve" in linked_all[("threads", "@quelquun")]
    s.findings = social_accounts(s)
    assert social_presence(s, {}).reason == "4 plateformes : Facebook, X, LinkedIn, YouTube."


def test_names_tell_the_collectivite_from_other_organisations() -> None:
    def names(kind: AuthorityKind, name: str) -> Names:
        return Names(Authority(kind, "99001", name))

    lassouts = names(AuthorityKind.COMMUNE, "Lassouts")
    assert lassouts.other_in_handle("MairieLassouts") is None  # not « asso »
    assert lassouts.other_in_handle("AssoLassoutsRando") == "asso"
    assert lassouts.other_organisation("Mairie de Lassouts") is None
    assert lassouts.other_organisation("Le Département finance") == "Département"
    cc = names(AuthorityKind.EPCI, "Communauté de communes du Val")
    assert cc.other_organisation("Communauté de communes du Val") is None
    assert cc.other_organisation("Mairie de Valbourg") == "Mairie"  # a commune, for an EPCI
    dep = names(AuthorityKind.DEPARTEMENT, "Département de l'Exemple")
    assert dep.other_organisation("Département de l'Exemple") is None
    assert dep.other_organisation("Office de tourisme de l'Exemple") == "Office de tourisme"
    assert dep.follow_label("Suivez le Département sur Facebook (nouvelle fenêtre)")
    assert dep.follow_label("")  # an icon
    assert not dep.follow_label("Agenda des sorties")


def test_microdata_and_the_pages_publisher_are_read_by_extruct() -> None:
    html = """<html><head>
    <meta property="og:type" content="article">
    <meta property="article:publisher" content="https://www.facebook.com/VilleTestOfficiel">
    <meta name="twitter:site" content="@AgenceDuTheme">
    </head><body>
    <div itemscope itemtype="https://schema.org/GovernmentOrganization">
     <span itemprop="name">Mairie de Ville-Test</span>
     <link itemprop="sameAs" href="https://www.instagram.com/mairie_ville_test/"></div>
    <div itemscope itemtype="https://schema.org/SportsClub">
     <span itemprop="name">Union sportive du lac</span>
     <link itemprop="sameAs" href="https://www.instagram.com/us_du_lac/"></div>
    </body></html>"""
    own, linked = own_and_linked(subject(html))
    assert own["facebook"].handle == "VilleTestOfficiel"
    assert why(own["facebook"]) == "éditeur déclaré des pages (article:publisher)"
    assert own["instagram"].handle == "mairie_ville_test"
    assert why(own["instagram"]) == "sameAs microdata de « Mairie de Ville-Test »"
    assert linked["instagram"].handle == "us_du_lac"
    assert "x" not in own and "x" not in linked  # a theme's twitter:site: no evidence


def test_a_broken_json_ld_block_does_not_hide_the_others() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "Organization", oops</script>
    <script type="application/ld+json">
    // commentaire laissé par le thème
    {"@context": "https://schema.org", "@graph": [{"@type": "WebSite"},
     {"@type": "GovernmentOrganization", "name": "Ville-Test",
      "sameAs": "facebook.com/VilleTest"}]}</script></head><body></body></html>"""
    own, _ = own_and_linked(subject(html))
    assert own["facebook"].url == "https://facebook.com/VilleTest"


def test_p4_counts_facebook_and_video_double() -> None:
    s = subject("<html></html>")
    s.findings = [Finding("social", "facebook", handle="a")]
    assert social_presence(s, {}).value == pytest.approx(2 / 3, abs=1e-3)
    s.findings.append(Finding("social", "youtube", handle="b"))
    assert social_presence(s, {}).status is Status.PASS
    s.findings = [Finding("social", "x", handle="a"), Finding("social", "linkedin", handle="b")]
    assert social_presence(s, {}).value == pytest.approx(2 / 3, abs=1e-3)
    s.findings = []
    assert social_presence(s, {}).status is Status.FAIL


# --- apps, newsletters, feeds (P5) ---------------------------------------------------


def test_p5_app_newsletter_and_feed() -> None:
    html = """<html><head><link rel="alternate" type="application/rss+xml" href="/feed/">
<meta name="apple-itunes-app" content="app-id=1234567"></head><body>
<iframe src="https://app.panneaupocket.com/embeded/123?mode=widget"></iframe>
<form action="https://abc.list-manage.com/subscribe/post"><input type="email" name="EMAIL"></form>
</body></html>"""
    s = discovered(subject(html))
    assert names(s, "app") == {"app_store", "panneaupocket"}
    assert names(s, "newsletter") == {"mailchimp"}
    assert names(s, "feed") == {"rss"}
    assert mobile_channels(s, {}).status is Status.PASS
    s.findings = [f for f in s.findings if f.category != "app"]
    assert mobile_channels(s, {"app": 0.5, "newsletter": 0.25, "feed": 0.25}).value == 0.5


def test_newsletter_form_needs_the_words_or_a_mailing_service() -> None:
    contact = (
        '<form action="/contact"><input type="email" name="mail"><button>Envoyer</button></form>'
    )
    assert not names(discovered(subject(contact)), "newsletter")
    letter = '<form action="/nl"><label>Lettre d\'information</label><input type="email"></form>'
    assert names(discovered(subject(letter)), "newsletter") == {"newsletter"}


# --- services (S1-S3, S6) ------------------------------------------------------------


def test_s1_partial_credits() -> None:
    one = '<a href="https://demarche.numerique.gouv.fr/commencer/ville-test-terrasse">Demander une terrasse</a>'
    national = (
        '<a href="https://ants.gouv.fr/">Passeport</a>'
        '<a href="https://www.service-public.fr/particuliers/vosdroits/F1234">Fiche</a>'
    )
    assert online_procedures(discovered(subject(national)), {}).status is Status.FAIL
    assert online_procedures(discovered(subject(one)), {}).value == 0.5
    three = one + (
        '<a href="https://demarches.ville-test.fr/bac">Demander un bac</a>'
        '<a href="https://famille.ville-test.fr/">Portail famille</a>'
    )
    assert online_procedures(discovered(subject(three)), {}).value == 0.75
    avis = (
        '<a href="https://jedonnemonavis.numerique.gouv.fr/Demarches/1?nd_source=button">avis</a>'
    )
    assert online_procedures(discovered(subject(three + avis)), {}).status is Status.PASS


def test_s2_credits_the_epci_guichet() -> None:
    epci = Authority(
        AuthorityKind.EPCI,
        "200000001",
        "CC Test",
        websites=(Website("https://www.cc-test.fr/", "www.cc-test.fr", "t", True),),
    )
    html = '<a href="https://gnau.cc-test.fr/">Déposer une autorisation d\'urbanisme en ligne</a>'
    verdict = planning_efiling(discovered(subject(html, epci=epci)), {})
    assert verdict.status is Status.PASS and "intercommunalit" in (verdict.reason or "")
    text = "<p>Le dépôt en ligne des demandes d'urbanisme est possible depuis 2022.</p>"
    assert planning_efiling(discovered(subject(text)), {}).value == 0.5
    assert planning_efiling(discovered(subject("<p>Rien</p>")), {}).status is Status.FAIL


def test_s3_payfip_or_announced_payment() -> None:
    assert (
        online_payment(
            discovered(subject('<a href="https://www.payfip.gouv.fr/">Payer</a>')), {}
        ).status
        is Status.PASS
    )
    announced = discovered(subject("<p>Paiement en ligne de la cantine sur le portail.</p>"))
    verdict = online_payment(announced, {})
    assert verdict.value == 0.5 and verdict.confidence is Confidence.INFERRED
    assert online_payment(discovered(subject("<p>Rien</p>")), {}).status is Status.FAIL


def test_s6_three_fiches_or_comarquage() -> None:
    two = "".join(
        f'<a href="https://www.service-public.gouv.fr/particuliers/vosdroits/F{n}">f</a>'
        for n in (1, 2)
    )
    assert how_to(discovered(subject(two)), {"min_fiches": 3}).value == 0.5
    comarquage = two + '<a href="/demarches?xml=F1342&xsl=particuliers">CNI</a>'
    assert how_to(discovered(subject(comarquage)), {"min_fiches": 3}).status is Status.PASS
    assert how_to(discovered(subject("<p>Rien</p>")), {}).status is Status.FAIL


# --- dialogue (D1-D3) ----------------------------------------------------------------


def test_dates_in_french_iso_and_numeric() -> None:
    assert dates_in("jusqu'au 30 avril 2025, puis le 1er mai 2025") == [
        date(2025, 4, 30),
        date(2025, 5, 1),
    ]
    assert dates_in("2024-11-05 et 03/02/2023, 31/02/2023") == [date(2024, 11, 5), date(2023, 2, 3)]


def test_d1_linked_active_or_not_measurable_activity() -> None:
    active = '<p>Consultation ouverte jusqu\'au 30 avril 2025 sur <a href="https://participez.ville-test.fr/processes/plu">la plateforme</a></p>'
    s = discovered(subject(active))
    assert names(s, "participation") == {"decidim"}
    assert participation(s, {}).status is Status.PASS
    old = '<p>Concertation close le 12 janvier 2022 : <a href="https://ville-test.cap-collectif.com/project/x">bilan</a></p>'
    assert participation(discovered(subject(old)), {}).value == 0.6
    undated = '<p><a href="https://ville-test.citizenlab.co/fr/">Participer</a></p>'
    verdict = participation(discovered(subject(undated)), {})
    assert verdict.value == 0.6 and verdict.confidence is Confidence.INFERRED
    national = '<p><a href="https://make.org/FR/consultation/climat/selection">Consultation nationale</a></p>'
    assert participation(discovered(subject(national)), {}).status is Status.FAIL
    named = '<p><a href="https://make.org/FR/consultation/ville-test-demain/selection">Ville-Test demain</a></p>'
    assert participation(discovered(subject(named)), {}).value == 0.6


def test_decidim_hosts_from_the_reference_list() -> None:
    host = next(iter(refdata.decidim_hosts()))
    s = discovered(subject(f'<a href="https://{host}/">Je participe</a>'))
    assert names(s, "participation") == {"decidim"}


def test_d2_recent_edition_or_old_mention() -> None:
    assert (
        participatory_budget(subject("<p>Budget participatif 2025 : votez !</p>"), {}).status
        is Status.PASS
    )
    assert (
        participatory_budget(subject("<p>Budget participatif 2021 : bilan.</p>"), {}).value == 0.5
    )
    assert participatory_budget(subject("<p>Budget primitif 2025</p>"), {}).status is Status.FAIL


def test_d3_link_form_or_mention() -> None:
    assert (
        issue_reporting(subject('<a href="/signalement">Signaler un problème</a>'), {}).status
        is Status.PASS
    )
    assert (
        issue_reporting(subject('<a href="https://www.tellmycity.com/">Appli</a>'), {}).status
        is Status.PASS
    )
    mention = issue_reporting(subject("<p>Pour un signalement, appelez la mairie.</p>"), {})
    assert mention.value == 0.5
    assert issue_reporting(subject("<p>Rien</p>"), {}).status is Status.FAIL


# --- K2 ------------------------------------------------------------------------------

IFRAME = '<iframe src="https://www.facebook.com/plugins/page.php?href=x"></iframe>'
GATED = (
    '<div class="fb-page" data-href="https://www.facebook.com/VilleTest"></div>'
    '<script src="/tarteaucitron/tarteaucitron.js"></script>'
    "<script>(tarteaucitron.job = tarteaucitron.job || []).push('facebook');</script>"
)


def _render(*urls: str) -> tuple[dict[str, Any], ...]:
    return ({"viewport": "desktop", "outcome": "ok", "requests": [{"url": u} for u in urls]},)


def test_k2_rendered_request_log_decides() -> None:
    loaded = social_feeds(
        subject(IFRAME, renders=_render("https://www.facebook.com/plugins/page.php?href=x")), {}
    )
    assert loaded.value == 0.5 and loaded.confidence is Confidence.OBSERVED
    gated = social_feeds(
        subject(GATED, renders=_render(SITE + "tarteaucitron/tarteaucitron.js")), {}
    )
    assert gated.status is Status.PASS and gated.confidence is Confidence.OBSERVED
    none = social_feeds(subject("<p>Rien</p>", renders=_render(SITE)), {})
    assert none.status is Status.FAIL


def test_k2_without_render_is_inferred() -> None:
    assert social_feeds(subject(IFRAME), {}).value == 0.5
    verdict = social_feeds(subject(GATED), {})
    assert verdict.status is Status.PASS and verdict.confidence is Confidence.INFERRED
    # a div.fb-page without any consent manager is not a gated feed
    assert social_feeds(subject('<div class="fb-page"></div>'), {}).status is Status.FAIL


# --- L10 -----------------------------------------------------------------------------


def test_l10_presence_freshness_and_mandated_datasets() -> None:
    html = (
        '<ul><li><a href="https://data.ville-test.fr/explore/">Portail open data</a></li></ul>'
        "<p>Jeux publiés : subventions, marchés publics, délibérations, budget (mis à jour le 2 février 2025).</p>"
    )
    s = discovered(subject(html))
    assert names(s, "opendata") == {"opendatasoft"}
    assert open_data(s, {}).status is Status.PASS
    bare = discovered(
        subject('<a href="https://www.data.gouv.fr/fr/organizations/ville-test/">data</a>')
    )
    verdict = open_data(bare, {"presence": 0.4})
    assert verdict.value == 0.4 and verdict.confidence is Confidence.INFERRED
    assert open_data(discovered(subject("<p>Rien</p>")), {}).status is Status.FAIL


def test_l10_odf_reference_counts_as_presence() -> None:
    siren = next(iter(refdata.odf_portals()))
    s = discovered(subject("<p>Rien</p>", siren=siren))
    assert names(s, "opendata") == {"reference_odf"}
    assert open_data(s, {}).value == pytest.approx(0.4)


# --- CMS and provider ----------------------------------------------------------------


def test_cms_and_provider() -> None:
    html = """<html><head><meta name="generator" content="WordPress 6.5.2"></head><body>
<footer><p class="site-info">Réalisation : <a href="https://www.agence-exemple.fr/">Agence Exemple</a>
· Propulsé par <a href="https://wordpress.org/">WordPress</a></p></footer></body></html>"""
    s = subject(html)
    cms = cms_findings(s)
    assert [(f.name, f.handle) for f in cms] == [("wordpress", "6.5.2")]
    providers = [f for f in discover_cms(s) if f.category == "provider"]
    assert [(f.name, f.handle) for f in providers] == [("agence-exemple", "Agence Exemple")]


def test_cms_ignores_script_in_generator() -> None:
    assert (
        cms_findings(subject('<meta name="generator" content="<img src=x onerror=alert(1)>">'))
        == []
    )


def _providers(s: Subject) -> list[tuple[str, str | None]]:
    return [(f.name, f.handle) for f in discover_cms(s) if f.category == "provider"]


def test_cms_from_asset_paths_without_generator() -> None:
    drupal = subject(
        '<html><head><link rel="stylesheet" href="/sites/all/themes/ville/style.css">'
        '<script src="/misc/drupal.js?v=7.98"></script></head><body><p>x</p></body></html>'
    )
    assert [f.name for f in cms_findings(drupal)] == ["drupal"]
    wordpress = subject('<link rel="stylesheet" href="/wp-content/themes/ville/style.css"><p>x</p>')
    assert [f.name for f in cms_findings(wordpress)] == ["wordpress"]


def test_cms_of_a_site_on_a_platform_host() -> None:
    """A site built on a hosted platform: its resources come from the platform's domain;
    the platform's own credit link is not a web agency."""
    html = """<html><head><link rel="stylesheet" href="https://static.e-monsite.com/themes/a.css">
</head><body><footer><p>Créé avec <a href="https://www.e-monsite.com/">e-monsite</a></p>
</footer></body></html>"""
    s = subject(html)
    assert [f.name for f in cms_findings(s)] == ["e-monsite"]
    assert _providers(s) == []


def test_a_cms_plugin_is_not_the_cms_and_a_builder_only_counts_alone() -> None:
    elementor = subject(
        '<meta name="generator" content="WordPress 6.5"><meta name="generator" '
        'content="Elementor 3.20.0; features: e_optimized_css_loading"><p>x</p>'
    )
    assert {f.name for f in cms_findings(elementor)} == {"wordpress"}


def test_credit_in_meta_generator_names_the_agency() -> None:
    html = (
        '<head><meta name="generator" content="WordPress 6.6.2 – site réalisé par l\'Atelier '
        'Numérique du Val"></head><body><p>x</p></body>'
    )
    s = subject(html)
    assert [(f.name, f.handle) for f in cms_findings(s)] == [("wordpress", "6.6.2")]
    assert _providers(s) == [("atelier-numerique-du-val", "Atelier Numérique du Val")]


def test_credit_under_a_heading_of_the_legal_notice() -> None:
    legal = """<main><h2>Hébergement</h2><p><a href="https://www.hebergeur.fr/">Hébergeur SAS</a></p>
<h2>Conception et réalisation</h2><p><a href="https://www.agence-bocage.fr/">Agence Bocage</a></p></main>"""
    s = subject("<p>Accueil</p>", pages={"legal": legal})
    assert _providers(s) == [("agence-bocage", "Agence Bocage")]


def test_an_auditor_named_by_the_accessibility_statement_is_not_the_agency() -> None:
    statement = """<main><h1>Déclaration d'accessibilité</h1><p>L'audit de conformité a été
réalisé par la société Audit Accès le 4 février 2025.</p><p>Site réalisé par Audit Accès.</p></main>"""
    s = subject("<p>Accueil</p>", pages={"accessibility": statement})
    assert _providers(s) == []
    legal = "<main><p>L'évaluation RGAA a été réalisée par la société Audit Accès.</p></main>"
    assert _providers(subject("<p>Accueil</p>", pages={"legal": legal})) == []


def test_same_agency_credited_twice_is_one_provider() -> None:
    footer = (
        '<footer><p>Réalisation : <a href="https://www.ligne.fr/">agence Ligne</a></p></footer>'
    )
    legal = '<main><p>Conception graphique : <a href="https://www.ligne.fr/a-propos">Ligne</a></p></main>'
    s = subject(footer, pages={"legal": legal})
    assert _providers(s) == [("agence-ligne", "agence Ligne")]


# --- reference lists -----------------------------------------------------------------


@pytest.mark.skipif(not RAW.exists(), reason="../shared absent : sources brutes non disponibles")
def test_reference_lists_match_the_raw_sources() -> None:
    here = Path(refdata.__file__).parent
    decidim = (RAW / refdata.DECIDIM_SOURCE).read_text(encoding="utf-8")
    odf = (RAW / refdata.ODF_SOURCE).read_text(encoding="utf-8")
    assert (here / refdata.DECIDIM_FILE).read_text(encoding="utf-8") == refdata.build_decidim(
        decidim
    )
    assert (here / refdata.ODF_FILE).read_text(encoding="utf-8") == refdata.build_odf(odf)


@pytest.mark.parametrize(
    ("credit", "maker"),
    [
        ("Conception et réalisation : Agence Y", "Agence Y"),
        (
            "Conception et réalisation : l'Atelier du Bocage. Tous droits réservés",
            "Atelier du Bocage",
        ),
        ("Site réalisé par l'Atelier X", "Atelier X"),
        ("Site réalisé par Agence Ligne (Lyon)", "Agence Ligne"),
        ("Site conçu par Studio Web, hébergé par OVH", "Studio Web"),
        ("Réalisation : Agence Nord - Mentions légales", "Agence Nord"),
        ("Site développé par Atelier Sud avec WordPress", "Atelier Sud"),
        ("L'audit a été réalisé par la société Audit Accès", None),
        ("Mentions légales", None),
    ],
)
def test_the_maker_a_credit_names(credit: str, maker: str | None) -> None:
    """The colon, the bracket and the full stop that delimit a maker's name are read (a
    fold without punctuation lost them: « Conception et réalisation : Agence Y » gave
    nothing)."""
    assert credited_name(credit) == maker
