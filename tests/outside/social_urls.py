"""The adapter shared by the social URL sources (ural_social, social_regexs, socials):
their cases go through :func:`barometre.vocab.platforms.parse_social_url` (the parser
discovery uses) and :func:`~barometre.vocab.platforms.platform_of_url`.

A case asks one of three things, and the peer's answer only says what it asserts:

* ``{"url", "platform"}`` → ``is_platform``: is this a link of that platform?
* ``{"url"}`` → ``handle`` (the account the link names, or null) and ``post`` (the link
  shows one publication of that account);
* ``{"url"}`` → ``profile``: the account when the link is the profile itself, null when
  it is a publication or not an account (suites that only parse profile links).
"""

from __future__ import annotations

from typing import Any

from barometre.vocab.platforms import handle_key, parse_social_url, platform_of_url


def answer(case: dict[str, Any]) -> Any:
    url = case["url"]
    if "platform" in case:
        return {"is_platform": platform_of_url(url) == case["platform"]}
    account = parse_social_url(url)
    if account is None:
        return {"handle": None, "post": False, "profile": None}
    return {
        "handle": account.handle,
        "post": account.post,
        "profile": None if account.post else account.handle,
    }


def _same_handle(ours: str | None, theirs: str | None) -> bool:
    """Handles compare as the platforms do: case and a leading ``@`` aside."""
    return (None if ours is None else handle_key(ours)) == (
        None if theirs is None else handle_key(theirs)
    )


def agrees(ours: Any, expected: Any) -> bool:
    for key, value in expected.items():
        mine = ours.get(key)
        if key in ("handle", "profile"):
            if not _same_handle(mine, value):
                return False
        elif mine != value:
            return False
    return True
