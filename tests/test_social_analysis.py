"""Pure analysis of social records: re-publication of the site's news and metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barometre.models import (
    AccountState,
    FollowerCount,
    Media,
    NewsItem,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.social.analysis.metrics import (
    Window,
    account_metrics,
    follower_growth,
    good_practice_level,
)
from barometre.social.analysis.republication import (
    Params,
    analyse,
    clean_text,
    normalise_url,
    tool_of_application,
    tool_of_link,
)

NOW = datetime(2025, 3, 20, 12, tzinfo=UTC)
SITE = "www.ville-exemple.test"
ITEMS = [
    NewsItem(
        "https://www.ville-exemple.test/2025/03/budget-participatif-2025/",
        "Budget participatif 2025 : déposez vos projets",
        datetime(2025, 3, 18, 8, tzinfo=UTC),
    ),
    NewsItem(
        "https://www.ville-exemple.test/2025/03/conseil-municipal-10-mars/",
        "Conseil municipal du 10 mars : ordre du jour",
        datetime(2025, 3, 2, 8, tzinfo=UTC),
    ),
    NewsItem(
        "https://www.ville-exemple.test/2025/02/fermeture-mediatheque/",
        "Fermeture exceptionnelle de la médiathèque",
        datetime(2025, 2, 15, 8, tzinfo=UTC),
    ),
]


def post(
    post_id: str,
    text: str = "",
    *,
    hours: float = 0,
    links: tuple[str, ...] = (),
    reply_to: str | None = None,
    repost: bool = False,
    media: tuple[Media, ...] = (),
    application: str | None = None,
    likes: int | None = None,
    replies: int | None = None,
    poll: bool = False,
) -> SocialPost:
    return SocialPost(
        platform="mastodon",
        account_id="acct",
        post_id=post_id,
        published_at=datetime(2025, 3, 18, 8, tzinfo=UTC) + timedelta(hours=hours),
        source=SocialSource.API,
        text=text,
        links=links,
        reply_to=reply_to,
        is_repost=repost,
        media=media,
        application=application,
        likes=likes,
        replies=replies,
        poll=poll,
    )


def profile(followers: int | None = 1000, **extra: object) -> SocialProfile:
    return SocialProfile(
        platform="mastodon",
        account_id="acct",
        handle="ville",
        url="https://mastodon.collectivites.test/@ville",
        state=AccountState.OK,
        fetched_at=NOW,
        source=SocialSource.API,
        followers=followers,
        **extra,  # type: ignore[arg-type]
    )


# --- URLs and fingerprints ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "https://www.ville-exemple.test/2025/03/budget/?utm_source=dlvr.it&utm_medium=social",
            "http://ville-exemple.test/2025/03/budget",
        ),
        ("https://ville-exemple.test/a/index.html", "https://ville-exemple.test/a/"),
        ("https://ville-exemple.test/p?b=2&a=1&xtor=RSS-1", "https://ville-exemple.test/p?a=1&b=2"),
        ("https://ville-exemple.test/p#haut", "https://ville-exemple.test/p"),
    ],
)
def test_the_same_page_normalises_to_the_same_url(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)


def test_different_pages_stay_different() -> None:
    assert normalise_url("https://ville-exemple.test/p?id=1") != normalise_url(
        "https://ville-exemple.test/p?id=2"
    )
    assert normalise_url("https://ville-exemple.test/a") != normalise_url(
        "https://autre-exemple.test/a"
    )


def test_tool_fingerprints() -> None:
    assert tool_of_link("https://dlvr.it/TxYz12") == "dlvr.it"
    assert tool_of_link("https://ift.tt/abc") == "IFTTT"
    assert tool_of_link("https://www.ville-exemple.test/a?utm_source=buffer") == "Buffer"
    assert tool_of_link("https://www.ville-exemple.test/a?utm_source=newsletter") is None
    assert tool_of_application("feed2toot") == "feed2toot"
    assert tool_of_application("Web") is None
    assert tool_of_application(None) is None


def test_clean_text_drops_links_tags_and_read_more() -> None:
    assert clean_text("Fermeture de la médiathèque… Lire la suite https://x.test/a #Culture") == (
        "fermeture de la mediatheque"
    )


# --- matching ----------------------------------------------------------------------------


def test_url_match_through_tracking_parameters_and_shortener() -> None:
    posts = [
        post("1", "Budget participatif", links=(ITEMS[0].url + "?utm_source=dlvr.it",)),
        post("2", "Le conseil", links=("https://lien.plateformes.test/c10",)),
    ]
    expanded = {"https://lien.plateformes.test/c10": ITEMS[1].url}
    matches, summary = analyse(posts, ITEMS, SITE, expanded=expanded)
    assert matches["1"].republication and matches["1"].method == "url"
    assert matches["1"].item_url == ITEMS[0].url and matches["1"].tool == "dlvr.it"
    assert matches["2"].republication and matches["2"].item_url == ITEMS[1].url
    assert matches["2"].own_link
    assert summary.republished == 2 and summary.share == 1.0


def test_title_match_without_link_needs_time_coherence() -> None:
    text = "Budget participatif 2025 : déposez vos projets !"
    in_time = post("t1", text, hours=2)
    too_late = post("t2", text, hours=24 * 30)
    before = post("t3", text, hours=-48)
    matches, _ = analyse([in_time, too_late, before], ITEMS, SITE)
    assert matches["t1"].republication and matches["t1"].method == "title"
    assert matches["t1"].lag_hours == 2.0
    assert not matches["t2"].republication
    assert not matches["t3"].republication


def test_a_tool_lowers_the_title_threshold_but_only_with_a_tool() -> None:
    text = "Budget participatif : vos projets pour 2025"  # reworded title
    params = Params(title_threshold=95, tool_title_threshold=60)
    plain, _ = analyse([post("p", text)], ITEMS, SITE, params=params)
    tooled, _ = analyse([post("p", text, application="dlvr.it")], ITEMS, SITE, params=params)
    assert not plain["p"].republication
    assert tooled["p"].republication and tooled["p"].method == "title+outil"


def test_pure_relay_versus_added_value() -> None:
    bare = post("bare", ITEMS[2].title, links=(ITEMS[2].url,))
    rich = post(
        "rich",
        ITEMS[2].title
        + " : pendant l'inventaire, les retours de livres se font à la boîte extérieure, "
        "et le bibliobus passe mercredi dans les quartiers nord.",
        links=(ITEMS[2].url,),
    )
    matches, summary = analyse([bare, rich], ITEMS, SITE)
    assert matches["bare"].pure and not matches["rich"].pure
    assert summary.pure == 1 and summary.pure_share == 0.5


def test_replies_reposts_and_linkless_posts() -> None:
    posts = [
        post("r", "@jean merci, c'est noté", reply_to="mastodon:42"),
        post("b", ITEMS[0].title, repost=True),
        post("o", "Belle journée au marché de Noël, merci aux bénévoles !"),
    ]
    matches, summary = analyse(posts, ITEMS, SITE)
    assert set(matches) == {"o"}  # replies to others and reposts are not judged
    assert matches["o"].unknown and not matches["o"].republication
    assert summary.posts == 1 and summary.unknown == 1


def test_items_pushed_counts_window_items_once() -> None:
    posts = [
        post("1", "a", links=(ITEMS[0].url,)),
        post("2", "b", links=(ITEMS[0].url + "?utm_medium=social",)),
    ]
    _, summary = analyse(posts, ITEMS, SITE, since=datetime(2025, 3, 1, tzinfo=UTC))
    assert summary.items == 2  # the February item is outside the window
    assert summary.items_pushed == 1 and summary.items_pushed_share == 0.5


# --- metrics -----------------------------------------------------------------------------


def by_name(metrics: list) -> dict:  # type: ignore[type-arg]
    return {m.metric: m for m in metrics}


def test_metrics_of_an_account() -> None:
    posts = [
        post("1", "Photo", hours=0, media=(Media("image", "Vue du pont"),), likes=10, replies=2),
        post("2", "Photo", hours=-24, media=(Media("image", ""),), likes=4),
        post("3", "Vidéo", hours=-48, media=(Media("video"),), likes=6, poll=True),
        post("4", "@marie bonjour", hours=-50, reply_to="mastodon:9", likes=0),
        post("5", "Boost", hours=-60, repost=True),
        post("6", "Vieux", hours=-24 * 120),  # outside the 90-day window
    ]
    window = Window.ending(NOW, 90)
    found = by_name(account_metrics(profile(500), posts, window))
    assert found["followers"].value == 500 and found["followers"].source is SocialSource.API
    assert found["posts_per_week"].sample == 4  # reposts and old posts excluded
    assert found["posts_per_week"].value == pytest.approx(4 / (90 / 7), abs=1e-3)
    assert found["days_since_last_post"].value == pytest.approx(2 + 4 / 24, abs=0.1)
    assert found["reply_share"].value == 0.25
    assert found["answered_share"].value == 1.0  # one reply for one commented post
    assert found["alt_text_share"].value == 0.5 and found["alt_text_share"].sample == 2
    assert found["format_image"].value == pytest.approx(2 / 3, abs=1e-3)
    assert found["formats"].value == 2
    assert found["conversational_formats"].value == 1
    mean = (12 + 4 + 6 + 0) / 4
    assert found["engagement_per_follower"].value == pytest.approx(mean / 500, rel=1e-3)
    assert "republication_share" not in found  # no site news given


def test_a_feed_limited_source_gives_a_lower_bound() -> None:
    posts = [post(str(i), "v", hours=-24 * i, media=(Media("video"),)) for i in range(15)]
    window = Window.ending(NOW, 90)
    found = by_name(account_metrics(profile(None), posts, window, complete=False))
    assert found["posts_per_week"].detail["borne_inferieure"] is True
    assert "followers" not in found and "engagement_per_follower" not in found


def test_growth_from_the_kept_history() -> None:
    history = [
        FollowerCount("mastodon", "acct", date(2025, 1, 20), 1000, SocialSource.API),
        FollowerCount("mastodon", "acct", date(2025, 3, 20), 1100, SocialSource.API),
    ]
    rate, detail = follower_growth(history) or (None, {})
    assert rate == pytest.approx((1.1) ** (30.44 / 59) - 1, rel=1e-3)
    assert detail["de"] == 1000 and detail["a"] == 1100
    assert follower_growth(history[:1]) is None
    recent = [
        history[1],
        FollowerCount("mastodon", "acct", date(2025, 3, 18), 1090, SocialSource.API),
    ]
    assert follower_growth(recent) is None  # less than 7 days apart


@given(
    st.lists(st.integers(min_value=1, max_value=10**7), min_size=2, max_size=6),
)
def test_growth_sign_follows_the_counts(counts: list[int]) -> None:
    history = [
        FollowerCount("x", "a", date(2025, 1, 1) + timedelta(days=30 * i), n, SocialSource.IMPORT)
        for i, n in enumerate(counts)
    ]
    found = follower_growth(history)
    assert found is not None
    rate = found[0]
    if counts[-1] > counts[0]:
        assert rate > 0
    elif counts[-1] < counts[0]:
        assert rate < 0
    else:
        assert rate == 0


def test_good_practice_levels_are_cumulative() -> None:
    base: dict[str, float | int | None] = {
        "days_since_last": 3.0,
        "pure_or_auto_share": 0.1,
        "original_per_week": 2.0,
        "formats": 3,
        "answered_share": 0.5,
        "alt_share": 0.9,
        "conversational": 1,
    }
    assert good_practice_level(**base) == 5  # type: ignore[arg-type]
    assert good_practice_level(**{**base, "conversational": 0}) == 4  # type: ignore[arg-type]
    assert good_practice_level(**{**base, "answered_share": 0.1}) == 3  # type: ignore[arg-type]
    assert good_practice_level(**{**base, "formats": 1}) == 2  # type: ignore[arg-type]
    assert good_practice_level(**{**base, "pure_or_auto_share": 0.9}) == 2  # type: ignore[arg-type]
    assert good_practice_level(**{**base, "days_since_last": 45.0}) == 1  # type: ignore[arg-type]
    assert good_practice_level(**{**base, "days_since_last": None}) == 1  # type: ignore[arg-type]
    # a higher level never holds without the lower ones
    assert good_practice_level(**{**base, "days_since_last": 200.0}) == 1  # type: ignore[arg-type]
