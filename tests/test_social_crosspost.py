"""Messages copied between the accounts of one collectivité (« adapter ses messages à
chaque plateforme »): what counts as a copy, and what does not."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from barometre.models import SocialPost, SocialSource
from barometre.social.analysis.crosspost import (
    METRIC,
    AccountCopies,
    AccountKey,
    CopyParams,
    cross_posts,
)

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2025, 3, 31, tzinfo=UTC)
AT = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
MASTODON = ("mastodon", "m")
BLUESKY = ("bluesky", "b")


def post(
    key: tuple[str, str],
    post_id: str,
    text: str,
    at: datetime = AT,
    *,
    repost: bool = False,
) -> SocialPost:
    return SocialPost(key[0], key[1], post_id, at, SocialSource.API, text=text, is_repost=repost)


def copied(result: Mapping[AccountKey, AccountCopies], key: AccountKey) -> list[str]:
    return [c.post_id for c in result[key].copies]


def test_identical_text_on_two_platforms_is_a_copy_whatever_links_tags_and_mentions() -> None:
    result = cross_posts(
        {
            MASTODON: [
                post(
                    MASTODON,
                    "m1",
                    "@amelie Travaux place du Marché : réouverture prévue mi-avril. #Travaux "
                    "https://www.ville.test/travaux",
                )
            ],
            BLUESKY: [
                post(
                    BLUESKY,
                    "b1",
                    "Travaux place du Marché : réouverture prévue mi-avril ! 🚧 ville.test/trav…",
                    AT + timedelta(minutes=5),
                )
            ],
        },
        START,
        END,
    )
    assert copied(result, MASTODON) == ["m1"] and copied(result, BLUESKY) == ["b1"]
    assert result[MASTODON].share == 1.0
    first = result[MASTODON].copies[0]
    assert (first.other_platform, first.other_post) == ("bluesky", "b1")
    assert first.similarity >= 90 and round(first.hours, 2) == 0.08


def test_a_reworded_or_different_message_is_no_copy() -> None:
    result = cross_posts(
        {
            MASTODON: [
                post(MASTODON, "m1", "Séance du conseil municipal en cours : 14 délibérations."),
                post(MASTODON, "m2", "Collecte des encombrants : inscription avant le 14 février."),
            ],
            BLUESKY: [
                post(BLUESKY, "b1", "Le conseil municipal en séance ce soir : 14 délibérations."),
                post(BLUESKY, "b2", "La piscine rouvre samedi après sa vidange annuelle."),
            ],
        },
        START,
        END,
    )
    assert copied(result, MASTODON) == [] and copied(result, BLUESKY) == []
    assert result[MASTODON].share == 0.0 and result[MASTODON].compared == 2


def test_the_same_text_outside_the_delay_is_no_copy() -> None:
    text = "Merci pour le signalement, les services techniques interviennent lundi."
    params = CopyParams()
    late = AT + timedelta(hours=params.max_delay_hours + 1)
    just = AT + timedelta(hours=params.max_delay_hours - 1)
    result = cross_posts(
        {MASTODON: [post(MASTODON, "m1", text)], BLUESKY: [post(BLUESKY, "b1", text, late)]},
        START,
        END,
        params,
    )
    assert copied(result, MASTODON) == [] and copied(result, BLUESKY) == []
    result = cross_posts(
        {MASTODON: [post(MASTODON, "m1", text)], BLUESKY: [post(BLUESKY, "b1", text, just)]},
        START,
        END,
        params,
    )
    assert copied(result, MASTODON) == ["m1"] and copied(result, BLUESKY) == ["b1"]


def test_reposts_short_texts_and_posts_outside_the_window_are_not_compared() -> None:
    text = "Inscriptions scolaires ouvertes jusqu'au 28 mars."
    result = cross_posts(
        {
            MASTODON: [
                post(MASTODON, "m1", text),
                post(MASTODON, "m2", "Merci !"),  # too short to prove anything
                post(MASTODON, "m3", "Un partage de la Région", repost=True),
                post(MASTODON, "m4", text, START - timedelta(days=1)),  # before the window
            ],
            BLUESKY: [post(BLUESKY, "b1", text), post(BLUESKY, "b2", "Merci !")],
        },
        START,
        END,
    )
    assert result[MASTODON].compared == 1 and copied(result, MASTODON) == ["m1"]
    assert result[BLUESKY].compared == 1


def test_one_account_read_is_not_eligible_and_an_account_without_comparable_post_has_no_value() -> (
    None
):
    text = "Inscriptions scolaires ouvertes jusqu'au 28 mars."
    alone = {MASTODON: [post(MASTODON, "m1", text)], BLUESKY: []}
    assert cross_posts(alone, START, END) == {}
    old = {
        MASTODON: [post(MASTODON, "m1", text)],
        BLUESKY: [post(BLUESKY, "b1", text, START - timedelta(days=3))],
    }
    assert cross_posts(old, START, END) == {}  # Bluesky was read, nothing in the window
    short = {MASTODON: [post(MASTODON, "m1", text)], BLUESKY: [post(BLUESKY, "b1", "Merci !")]}
    result = cross_posts(short, START, END)
    assert result[BLUESKY].compared == 0 and result[BLUESKY].share is None
    metric = result[BLUESKY].metric(SocialSource.API, CopyParams())
    assert metric.metric == METRIC and metric.value is None and metric.sample == 0
    detail = result[MASTODON].metric(SocialSource.API, CopyParams()).detail
    assert detail["comptes_compares"] == ["bluesky"] and detail["seuil_similarite"] == 90.0
