"""Re-publication of the site's news on social media: which posts only relay the site.

No ready-made tool does this matching (research note §3); it combines weak signals,
strongest first:

1. **URL match**: a link of the post (the link card first), expanded when it went
   through a shortener, equals a news item's URL once both are normalised (scheme,
   ``www.``, tracking parameters such as ``utm_*``/``xtor``/``fbclid``, query order,
   trailing slash and ``index.*`` dropped);
2. **title similarity**: the post's text (links, hashtags, mentions, "Lire la suite",
   ellipses removed) against the item's title, ``rapidfuzz`` ``token_set_ratio`` —
   at least ``title_threshold`` alone, or ``tool_title_threshold`` when a posting
   tool fingerprint is present — and a publication lag between 0 and ``max_lag_days``;
3. **posting-tool fingerprints**: the shortener's host (dlvr.it, IFTTT, Buffer…), a
   ``utm_source`` naming a tool, or the Mastodon ``application`` of a feed bot.

A post that only relays the item (no more than ``added_value_chars`` of its own beyond
the title) counts as a *pure* re-publication. Link-less posts that match no title stay
in an "unknown" bucket rather than being called original. The thresholds are
methodology data (guesses to calibrate, as the research note says), passed in
:class:`Params`; the defaults were checked on the sample web's labelled posts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rapidfuzz import fuzz

from barometre.domains import registrable_domain
from barometre.models import NewsItem, SocialPost
from barometre.vocab.text import fold

# Query parameters that track a click, never identify a page.
_TRACKING = re.compile(
    r"^(utm_\w+|xtor|xts|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|at_\w+|_hs\w+|ref|ref_src|s_cid)$",
    re.IGNORECASE,
)
_INDEX = re.compile(r"/(index|default)\.(html?|php|aspx?)$", re.IGNORECASE)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_NOISE = re.compile(
    r"(lire la suite|en savoir plus|plus d'infos?|plus d.informations|\[…\]|\[\.\.\.\]|…|\.\.\.)",
    re.IGNORECASE,
)
_TAG = re.compile(r"[#@][\w.-]+")

# Posting tools by shortener host [research note §3.1 (5)].
SHORTENER_TOOLS: dict[str, str] = {
    "dlvr.it": "dlvr.it",
    "ift.tt": "IFTTT",
    "buff.ly": "Buffer",
    "ow.ly": "Hootsuite",
    "trib.al": "Echobox",
}
# ``utm_source`` values and Mastodon/Bluesky application names of feed-relaying tools.
TOOL_NAMES: dict[str, str] = {
    "dlvr.it": "dlvr.it",
    "dlvrit": "dlvr.it",
    "ifttt": "IFTTT",
    "buffer": "Buffer",
    "hootsuite": "Hootsuite",
    "echobox": "Echobox",
    "feed2toot": "feed2toot",
    "feediverse": "feediverse",
    "mastofeed": "MastoFeed",
    "rss2bsky": "rss2bsky",
    "bluesky-rss": "bluesky-rss",
    "zapier": "Zapier",
    "make": "Make",
    "socialbee": "SocialBee",
    "agorapulse": "Agorapulse",
}


@dataclass(frozen=True)
class Params:
    title_threshold: float = 85.0
    tool_title_threshold: float = 70.0
    max_lag_days: float = 14.0
    min_title_chars: int = 15
    added_value_chars: int = 40

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Params:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Match:
    """What the analysis says of one post."""

    post_id: str
    republication: bool
    pure: bool = False  # relays the item and adds (almost) nothing
    item_url: str | None = None
    method: str | None = None  # "url" | "title" | "title+outil"
    score: float | None = None  # title similarity (0–100)
    lag_hours: float | None = None
    tool: str | None = None
    own_link: bool = False  # links to the collectivité's own domain
    unknown: bool = False  # no link and no title match: cannot tell

    def as_json(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False) and k != "post_id"}


@dataclass(frozen=True)
class Summary:
    posts: int
    republished: int
    pure: int
    unknown: int
    own_link: int
    items: int
    items_pushed: int
    median_lag_hours: float | None
    tools: Mapping[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float | None:
        return self.republished / self.posts if self.posts else None

    @property
    def pure_share(self) -> float | None:
        return self.pure / self.posts if self.posts else None

    @property
    def items_pushed_share(self) -> float | None:
        return self.items_pushed / self.items if self.items else None


def normalise_url(url: str) -> str:
    """The comparison form of a URL: the same page gives the same string."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = _INDEX.sub("/", parts.path or "/")
    path = re.sub(r"/{2,}", "/", path).rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k))
    return urlunsplit(("", host, path, urlencode(query), ""))


def tool_of_link(url: str) -> str | None:
    """The posting tool a link reveals (shortener host or ``utm_source``), if any."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host in SHORTENER_TOOLS:
        return SHORTENER_TOOLS[host]
    for key, value in parse_qsl(parts.query):
        if key.lower() == "utm_source":
            return TOOL_NAMES.get(value.lower().strip())
    return None


def tool_of_application(name: str | None) -> str | None:
    if not name:
        return None
    lowered = name.lower()
    return next((tool for key, tool in TOOL_NAMES.items() if key in lowered), None)


def clean_text(text: str) -> str:
    """The post's own words: links, tags, "Lire la suite" and ellipses removed, folded."""
    return fold(_TAG.sub(" ", _NOISE.sub(" ", _URL.sub(" ", text))))


def _lag_hours(post: SocialPost, item: NewsItem) -> float | None:
    if item.published_at is None:
        return None
    return (post.published_at - item.published_at).total_seconds() / 3600


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class Matcher:
    """Matches posts against one collectivité's news items."""

    def __init__(
        self,
        items: Sequence[NewsItem],
        site_host: str | None,
        *,
        expanded: Mapping[str, str] | None = None,
        params: Params | None = None,
    ) -> None:
        self.items = list(items)
        self.params = params or Params()
        self.expanded = dict(expanded or {})
        self.domain = registrable_domain(site_host) if site_host else None
        self._by_url = {normalise_url(i.url): i for i in self.items}
        self._titles = [(clean_text(i.title), i) for i in self.items]

    def _resolve(self, link: str) -> str:
        return self.expanded.get(link, link)

    def _own(self, link: str) -> bool:
        host = _host(link)
        return bool(self.domain and host and registrable_domain(host) == self.domain)

    def match(self, post: SocialPost) -> Match:
        links = [self._resolve(link) for link in post.links]
        tool = tool_of_application(post.application) or next(
            (t for t in (tool_of_link(link) for link in (*post.links, *links)) if t), None
        )
        own = any(self._own(link) for link in links)
        own_words = clean_text(post.text)
        for link in links:
            item = self._by_url.get(normalise_url(link))
            if item is not None:
                return self._found(post, item, "url", 100.0, own_words, tool, own)
        best: tuple[float, NewsItem] | None = None
        text = clean_text(" ".join(t for t in (post.card_title or "", post.text) if t))
        if text:
            for title, item in self._titles:
                if len(title) < self.params.min_title_chars:
                    continue
                score = float(fuzz.token_set_ratio(text, title))
                if best is None or score > best[0]:
                    best = (score, item)
        if best is not None:
            score, item = best
            lag = _lag_hours(post, item)
            in_time = lag is None or 0 <= lag <= self.params.max_lag_days * 24
            threshold = self.params.tool_title_threshold if tool else self.params.title_threshold
            if score >= threshold and in_time:
                method = "title+outil" if tool and score < self.params.title_threshold else "title"
                return self._found(post, item, method, score, own_words, tool, own)
        return Match(
            post.post_id,
            False,
            tool=tool,
            own_link=own,
            unknown=not post.links and not post.media,
        )

    def _found(
        self,
        post: SocialPost,
        item: NewsItem,
        method: str,
        score: float,
        own_words: str,
        tool: str | None,
        own: bool,
    ) -> Match:
        title = clean_text(item.title)
        extra = own_words
        for word in title.split():
            extra = re.sub(rf"\b{re.escape(word)}\b", " ", extra, count=1)
        added = len(re.sub(r"\s+", "", extra))
        return Match(
            post.post_id,
            True,
            pure=added <= self.params.added_value_chars,
            item_url=item.url,
            method=method,
            score=round(score, 1),
            lag_hours=None if (lag := _lag_hours(post, item)) is None else round(lag, 2),
            tool=tool,
            own_link=own,
        )


def analyse(
    posts: Sequence[SocialPost],
    items: Sequence[NewsItem],
    site_host: str | None,
    *,
    expanded: Mapping[str, str] | None = None,
    params: Params | None = None,
    since: datetime | None = None,
) -> tuple[dict[str, Match], Summary]:
    """Match every own post (reposts and replies to others aside) of one account.

    Returns the match per post id and the account's summary; items published before
    ``since`` do not count in the share of items pushed to social media.
    """
    matcher = Matcher(items, site_host, expanded=expanded, params=params)
    own = [p for p in posts if not p.is_repost and not p.is_reply]
    matches = {p.post_id: matcher.match(p) for p in own}
    found = [m for m in matches.values() if m.republication]
    pushed = {m.item_url for m in found}
    window_items = [
        i for i in items if since is None or i.published_at is None or i.published_at >= since
    ]
    lags = [m.lag_hours for m in found if m.lag_hours is not None and m.lag_hours >= 0]
    tools = Counter(m.tool for m in matches.values() if m.tool)
    summary = Summary(
        posts=len(own),
        republished=len(found),
        pure=sum(1 for m in found if m.pure),
        unknown=sum(1 for m in matches.values() if m.unknown),
        own_link=sum(1 for m in matches.values() if m.own_link),
        items=len(window_items),
        items_pushed=sum(1 for i in window_items if i.url in pushed),
        median_lag_hours=round(median(lags), 2) if lags else None,
        tools=dict(tools),
    )
    return matches, summary
