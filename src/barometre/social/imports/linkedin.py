"""LinkedIn Page analytics exports (``.xlsx`` workbooks, or one sheet saved as CSV).

* ``linkedin-page-updates``: the content export's "All posts" sheet, after a notice
  row. The file names no account, so the caller must give the page's handle. The post
  id is the URN in ``Post link`` (``urn:li:activity:…``), the link itself otherwise.
  ``Post type`` says ``Organic`` or ``Sponsored``; ``Content Type`` the media (often
  empty: then the post's format stays unknown, text only).
* ``linkedin-page-followers``: the followers export's "New followers" sheet. Its
  ``Total followers`` column is the number of *new* followers each day, not the page's
  follower count, so no count can be derived from it: the file is recognised, its total
  of new followers reported, and nothing is imported.
"""

from __future__ import annotations

from barometre.social.imports.posts import (
    Extracted,
    PostFields,
    build_posts,
    media_of,
    post_id_from_permalink,
)
from barometre.social.imports.rows import Row, RowError, Source, convert_rows
from barometre.social.imports.values import links_in
from barometre.vocab.text import fold

_SPONSORED = frozenset({"sponsored", "sponsorise", "sponsorisee", "paid", "payant"})
_ORGANIC = frozenset({"organic", "organique", "naturel", "naturelle"})


def extract_updates(source: Source) -> Extracted:
    kinds = source.match.spec.mapping("content_types")

    def convert(row: Row) -> PostFields:
        url = row.require("url")
        published = row.when("published_at")
        if published is None:
            raise RowError("date de publication absente", row.column("published_at"))
        distribution = fold(row.text("distribution") or "")
        raw_kind = row.text("content_type")
        kind = kinds.get(fold(raw_kind)) if raw_kind else None
        if kind is None and distribution not in _SPONSORED | _ORGANIC:
            kind = kinds.get(distribution)  # older exports put the kind in "Update type"
        media, poll, live = media_of(kind)
        text = row.text("text") or ""
        return PostFields(
            post_id=post_id_from_permalink("linkedin", url) or url,
            published=published,
            url=url,
            text=text,
            likes=row.count("likes"),
            reposts=row.count("reposts"),
            replies=row.count("replies"),
            views=row.count("views"),
            media=media,
            links=links_in(text),
            sponsored=distribution in _SPONSORED,
            poll=poll,
            live=live,
        )

    return build_posts(source, convert_rows(source, convert))


def extract_followers(source: Source) -> Extracted:
    """Recognise the new-followers sheet and report it; it holds no follower count."""

    def convert(row: Row) -> int:
        if row.when("date") is None:
            raise RowError("date absente", row.column("date"))
        return row.count("new_followers") or 0

    rows = convert_rows(source, convert)
    total = sum(value for _, value in rows)
    source.warn(
        f"nouveaux abonnés par jour ({total} sur {len(rows)} jours) : LinkedIn n'exporte pas "
        "le nombre total d'abonnés, rien n'est importé (déclarez le total dans le CSV des "
        "chiffres déclarés)"
    )
    return Extracted()
