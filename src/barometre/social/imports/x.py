"""X (Twitter) analytics exports: the current content export and the older tweet export.

* ``x-analytics-posts`` (``account_analytics_content_*.csv``): ``Date`` holds the day
  only. The time is recovered from the post id: X ids are "snowflakes" whose upper bits
  are milliseconds since 2010-11-04T01:42:54.657Z (X's published id layout: timestamp
  shifted left by 22 bits). It is used only when it falls on the day the file states;
  otherwise the post is dated at midnight and the batch says so.
* ``x-analytics-tweets-legacy`` (``tweet_activity_metrics_*.csv``): ``time`` carries
  its UTC offset (``2026-09-18 12:00 +0000``); a tweet with promoted impressions is
  counted as sponsored.

Neither export says whether a post is a reply. A post whose text starts with
``@name`` is read as a reply to that account (how X writes replies in these exports);
a post starting with ``RT @`` as a repost. Both are heuristics.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from barometre.social.imports.posts import (
    Extracted,
    PostFields,
    build_posts,
    handle_from_permalink,
    post_id_from_permalink,
)
from barometre.social.imports.rows import Row, RowError, Source, convert_rows
from barometre.social.imports.values import links_in
from barometre.vocab import fr
from barometre.vocab.when import When

SNOWFLAKE_EPOCH_MS = 1288834974657
_REPLY = re.compile(r"@([A-Za-z0-9_]{1,15})\b")
_REPOST = re.compile(r"RT @([A-Za-z0-9_]{1,15}):")


def snowflake_time(post_id: str) -> datetime | None:
    """When an X post was created, read from its id (``None`` for non-snowflake ids)."""
    if not post_id.isdigit():
        return None
    millis = (int(post_id) >> 22) + SNOWFLAKE_EPOCH_MS
    if millis <= SNOWFLAKE_EPOCH_MS:
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def extract(source: Source) -> Extracted:
    undated: list[int] = []

    def convert(row: Row) -> PostFields:
        post_id = row.require_identifier(
            "post_id", recovered=post_id_from_permalink("x", row.text("url"))
        )
        published = row.when("published_at")
        if published is None:
            raise RowError("date de publication absente", row.column("published_at"))
        if not published.has_time:
            precise = snowflake_time(post_id)
            stated = published.at.date()
            if precise is not None and abs(precise.astimezone(source.tz).date() - stated) <= (
                timedelta(days=1)
            ):
                published = When(precise, True)
        text = row.text("text") or ""
        url = row.text("url") or f"https://x.com/i/web/status/{post_id}"
        repost = _REPOST.match(text)
        reply = None if repost else _REPLY.match(text)
        promoted = row.count("promoted_impressions") if row.has("promoted_impressions") else None
        fields = PostFields(
            post_id=post_id,
            published=published,
            url_handle=handle_from_permalink("x", url),
            url=url,
            text=text,
            likes=row.count("likes"),
            reposts=row.count("reposts"),
            replies=row.count("replies"),
            views=row.count("views"),
            links=links_in(text),
            is_repost=repost is not None,
            reply_to_handle=reply.group(1) if reply else None,
            sponsored=bool(promoted),
        )
        if not published.has_time:
            undated.append(row.line)
        return fields

    extracted = build_posts(source, convert_rows(source, convert))
    if undated:
        source.warn(
            f"{fr.count(len(undated), 'publication')} sans heure (datées à minuit, heure de "
            f"{source.tz.key}) : lignes {', '.join(map(str, undated[:10]))}"
            + ("…" if len(undated) > 10 else "")
        )
    return extracted
