"""``uv run python -m outside.ural_alone`` (from ``tests/``): ural on its own, without
our guards, on the social URL sources — the measurement behind the choice of
:mod:`barometre.vocab.platforms` (ural first for Facebook, X, Instagram, YouTube and
Telegram, then our reserved paths, handle syntax and the forms ural misses).

Each ural answer is mapped to the sources' shape exactly as their ``SOURCE.toml`` says
(an account, an account's publication, or nothing). LinkedIn has no ural parser: its
cases are left out and counted apart.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ural.facebook import (
    FacebookHandle,
    FacebookPhoto,
    FacebookPost,
    FacebookUser,
    FacebookVideo,
    is_facebook_url,
    parse_facebook_url,
)
from ural.instagram import InstagramPost, InstagramUser, is_instagram_url, parse_instagram_url
from ural.telegram import TelegramChannel, TelegramMessage, is_telegram_url, parse_telegram_url
from ural.twitter import TwitterTweet, TwitterUser, is_twitter_url, parse_twitter_url
from ural.youtube import YoutubeChannel, YoutubeUser, is_youtube_url, parse_youtube_url

from outside.gate import ROOT, cases
from outside.social_urls import agrees

SOURCES = ("ural_social", "social_regexs", "socials")
PREDICATES: dict[str, Callable[[str], bool]] = {
    "facebook": is_facebook_url,
    "x": is_twitter_url,
    "instagram": is_instagram_url,
    "youtube": is_youtube_url,
    "telegram": is_telegram_url,
}


def _account(url: str) -> tuple[str | None, bool]:
    platform = next((p for p, known in PREDICATES.items() if known(url)), None)
    if platform == "facebook":
        t: Any = parse_facebook_url(url)
        if isinstance(t, FacebookHandle):
            return t.handle, False
        if isinstance(t, FacebookUser):
            return t.id, False
        if isinstance(t, (FacebookPost, FacebookVideo, FacebookPhoto)) and not (
            getattr(t, "group_id", None) or getattr(t, "group_handle", None)
        ):
            parent = getattr(t, "parent_handle", None) or getattr(t, "parent_id", None)
            return parent, parent is not None
    elif platform == "x":
        t = parse_twitter_url(url)
        if isinstance(t, TwitterUser):
            return t.screen_name, False
        if isinstance(t, TwitterTweet):
            return t.user_screen_name, True
    elif platform == "instagram":
        t = parse_instagram_url(url)
        if isinstance(t, InstagramUser):
            return t.name, False
        if isinstance(t, InstagramPost) and t.name:
            return t.name, True
    elif platform == "youtube":
        t = parse_youtube_url(url)
        if isinstance(t, (YoutubeChannel, YoutubeUser)):
            return t.id or t.name, False
    elif platform == "telegram":
        t = parse_telegram_url(url)
        if isinstance(t, TelegramChannel):
            return t.name, False
        if isinstance(t, TelegramMessage):
            return t.name, True
    return None, False


def answer(case: dict[str, Any]) -> dict[str, Any]:
    url = case["url"]
    if "platform" in case:
        return {"is_platform": bool(PREDICATES[case["platform"]](url))}
    handle, post = _account(url)
    return {"handle": handle, "post": post, "profile": None if post else handle}


def main() -> int:
    for source in SOURCES:
        folder = ROOT / source
        total = agreed = left_out = 0
        wrong: list[str] = []
        for case in cases(folder):
            if "linkedin.com" in case.input["url"]:
                left_out += 1
                continue
            total += 1
            try:
                ours = answer(case.input)
            except Exception as exc:  # ural raising is a disagreement too
                wrong.append(f"  {case.id}: exception {exc}")
                continue
            if agrees(ours, case.expected):
                agreed += 1
            else:
                wrong.append(f"  {case.id}: ural {ours}, attendu {case.expected}")
        print(f"{source:<16} ural seul {agreed}/{total} ({left_out} cas LinkedIn hors champ)")
        print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
