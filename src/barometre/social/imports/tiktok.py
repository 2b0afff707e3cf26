"""TikTok Studio content export (``.xlsx`` or ``.csv``), one row per video.

The column set (``Video title``, ``Video link``, ``Post time``, ``Video views``,
``Likes``, ``Comments``, ``Shares``…) comes from one third-party importer only (see
``formats.toml``: confidence ~); when it does not match a real export, the generic posts
CSV (:mod:`barometre.social.imports.generic`) takes the same figures. Every TikTok post
is a video; the post id is the number in ``/video/<id>`` when no id column exists, and
the handle the ``@name`` of the link.
"""

from __future__ import annotations

from barometre.models import Media
from barometre.social.imports.posts import (
    Extracted,
    PostFields,
    build_posts,
    handle_from_permalink,
    post_id_from_permalink,
)
from barometre.social.imports.rows import Row, RowError, Source, convert_rows
from barometre.social.imports.values import links_in


def extract(source: Source) -> Extracted:
    def convert(row: Row) -> PostFields:
        url = row.text("url")
        from_link = post_id_from_permalink("tiktok", url)
        post_id = row.identifier("post_id", recovered=from_link) or from_link
        if post_id is None:
            raise RowError(
                "identifiant de la vidéo absent (ni colonne d'identifiant, ni lien /video/…)",
                row.column("url"),
            )
        published = row.when("published_at")
        if published is None:
            raise RowError("date de publication absente", row.column("published_at"))
        text = row.text("text") or ""
        return PostFields(
            post_id=post_id,
            published=published,
            url_handle=handle_from_permalink("tiktok", url),
            url=url,
            text=text,
            likes=row.count("likes"),
            reposts=row.count("reposts"),
            replies=row.count("replies"),
            views=row.count("views"),
            media=(Media(kind="video"),),
            links=links_in(text),
        )

    return build_posts(source, convert_rows(source, convert))
