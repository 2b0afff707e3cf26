"""Messages copied from one account of a collectivité to another (« adapter ses messages
à chaque plateforme »).

An earlier barometer counted the accounts that *adapt their messages to each platform*
(5 %). This module measures the opposite, post by post: a post is **copied** when a
near-identical text was published on *another* account of the same collectivité within
a short delay, whichever came first. Per account, ``cross_post_share`` is the share of
its comparable posts that are copied; an account adapts its messages when that share is
low (the threshold is the catalogue's, ``pratiques.adaptation_par_plateforme``).

How two posts are compared (:class:`CopyParams`, documented defaults):

* both texts are put in the comparison form of
  :func:`barometre.social.analysis.text.copy_form`: the project's folding
  (:func:`barometre.vocab.text.fold`: lower case, no accents), links, mentions and
  hashtags removed, punctuation and emoji dropped — so a link shortened on one
  platform, a mention or the platform's own tags are no rewording;
* a post is *comparable* when it is the account's own (not a repost) and its
  comparison form has at least ``min_chars`` characters (« Merci ! » proves nothing);
* two comparable posts of two accounts are copies when they were published at most
  ``max_delay_hours`` apart (48 h: a cross-posting tool or a manager publishes the same
  day or the next) and their ``rapidfuzz`` ``fuzz.ratio`` (normalised Indel similarity,
  0–100) is at least ``threshold`` (90: the same sentence with a word or an emoji
  changed; a reworded, shortened or lengthened message falls well below, as the
  sample platforms' labels check).

The comparison needs at least two accounts whose posts were read in the edition's
window: with one, nothing can be copied and the collectivité is not eligible.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from barometre.models import SocialMetric, SocialPost, SocialSource
from barometre.social.analysis.text import copy_form

METRIC = "cross_post_share"
AccountKey = tuple[str, str]  # platform, account id


@dataclass(frozen=True)
class CopyParams:
    threshold: float = 90.0
    max_delay_hours: float = 48.0
    min_chars: int = 20

    def as_json(self) -> dict[str, float | int]:
        return {
            "seuil_similarite": self.threshold,
            "delai_max_heures": self.max_delay_hours,
            "longueur_min": self.min_chars,
        }


@dataclass(frozen=True)
class Copy:
    """One copied post and the closest post of another account."""

    post_id: str
    other_platform: str
    other_account: str
    other_post: str
    similarity: float
    hours: float  # signed: positive when the other post came later

    def as_json(self) -> dict[str, object]:
        return {
            "publication": self.post_id,
            "autre_plateforme": self.other_platform,
            "autre_publication": self.other_post,
            "similarite": round(self.similarity, 1),
            "ecart_heures": round(self.hours, 2),
        }


@dataclass(frozen=True)
class AccountCopies:
    """What the comparison says of one account."""

    platform: str
    account_id: str
    compared: int  # comparable posts in the window
    copies: tuple[Copy, ...] = ()
    others: tuple[str, ...] = field(default=())  # platforms it was compared with

    @property
    def share(self) -> float | None:
        return round(len(self.copies) / self.compared, 4) if self.compared else None

    def metric(self, source: SocialSource, params: CopyParams) -> SocialMetric:
        """The stored metric; without comparable post its value is empty (the account
        is eligible, not measured)."""
        return SocialMetric(
            self.platform,
            self.account_id,
            METRIC,
            self.share,
            source,
            self.compared,
            {
                "copies": len(self.copies),
                "comparees": self.compared,
                "comptes_compares": list(self.others),
                **params.as_json(),
                "publications": [c.as_json() for c in self.copies],
            },
        )


@dataclass(frozen=True)
class _Post:
    account: AccountKey
    post_id: str
    at: datetime
    form: str


def _comparable(
    key: AccountKey, posts: Sequence[SocialPost], start: datetime, end: datetime, minimum: int
) -> list[_Post]:
    out = []
    for post in posts:
        if post.is_repost or not start <= post.published_at <= end:
            continue
        form = copy_form(post.text)
        if len(form) >= minimum:
            out.append(_Post(key, post.post_id, post.published_at, form))
    return out


def read_in_window(posts: Sequence[SocialPost], start: datetime, end: datetime) -> bool:
    """Whether the account has at least one post of its own in the window."""
    return any(not p.is_repost and start <= p.published_at <= end for p in posts)


def cross_posts(
    accounts: Mapping[AccountKey, Sequence[SocialPost]],
    start: datetime,
    end: datetime,
    params: CopyParams | None = None,
) -> dict[AccountKey, AccountCopies]:
    """Each account of one collectivité with its copied posts; empty when fewer than
    two of its accounts have posts of their own in the window ``[start, end]``."""
    params = params or CopyParams()
    read = {k: p for k, p in accounts.items() if read_in_window(p, start, end)}
    if len(read) < 2:
        return {}
    comparable = {
        key: _comparable(key, posts, start, end, params.min_chars) for key, posts in read.items()
    }
    everything = sorted((p for posts in comparable.values() for p in posts), key=lambda p: p.at)
    times = [p.at for p in everything]
    delay = timedelta(hours=params.max_delay_hours)
    out: dict[AccountKey, AccountCopies] = {}
    for key, posts in comparable.items():
        copies: list[Copy] = []
        for post in posts:
            best: tuple[float, _Post] | None = None
            for other in everything[bisect_left(times, post.at - delay) :]:
                if other.at > post.at + delay:
                    break
                if other.account == key:
                    continue
                score = fuzz.ratio(post.form, other.form, score_cutoff=params.threshold)
                if score and (best is None or score > best[0]):
                    best = (score, other)
            if best is not None:
                score, other = best
                copies.append(
                    Copy(
                        post.post_id,
                        other.account[0],
                        other.account[1],
                        other.post_id,
                        score,
                        (other.at - post.at).total_seconds() / 3600,
                    )
                )
        others = tuple(sorted({k[0] for k in read if k != key}))
        out[key] = AccountCopies(key[0], key[1], len(posts), tuple(copies), others)
    return out
