"""The barometer's generic posts CSV: one documented column set for any platform.

For platforms without a known export (Threads), for figures copied by hand from an
interface, or for an export whose columns changed before ``formats.toml`` caught up.
English or French headers, ``,`` or ``;`` separated, one post per row:

============================  ==========================================================
column (English / français)   content
============================  ==========================================================
``published_at`` / ``date``   date and time of publication (required): ``2026-09-28
                              18:12``, ``28/09/2026 18:12`` (day first), ISO with offset;
                              local times are Europe/Paris unless an offset is written
``post_id`` / ``identifiant``  the platform's id of the post (else the link is the id)
``url`` / ``lien``            the post's permalink
``text`` / ``texte``          the text of the post (links in it are the post's links)
``format``                    ``image``/``photo``, ``video``/``vidéo``, ``gif``, ``live``
                              /``direct``, ``link``/``lien``, ``text``/``texte``,
                              ``poll``/``sondage``; empty when unknown
``likes`` / ``j_aime``        likes (reactions)
``reposts`` / ``partages``    reposts or shares
``replies`` / ``commentaires``  comments or replies received
``views`` / ``vues``          views or impressions
``sponsored`` / ``sponsorise``  ``oui``/``non`` (``yes``/``no``, ``1``/``0``)
``reply_to`` / ``en_reponse_a``  handle of the account the post answers (a reply)
``account_id`` / ``id_compte``  the platform's id of the account, when known
``handle`` / ``compte``       the account's handle (else the one given to the import)
============================  ==========================================================

Numbers may be written the French way (``1 234``, ``1 234,5``).
"""

from __future__ import annotations

from barometre.social.imports.posts import (
    Extracted,
    PostFields,
    build_posts,
    handle_from_permalink,
    media_of,
)
from barometre.social.imports.rows import Row, RowError, Source, convert_rows
from barometre.social.imports.values import links_in
from barometre.vocab.text import fold


def extract(source: Source) -> Extracted:
    formats = source.match.spec.mapping("formats")

    def convert(row: Row) -> PostFields:
        url = row.text("url")
        post_id = row.identifier("post_id") or url
        if post_id is None:
            raise RowError("ni identifiant ni lien de la publication")
        published = row.when("published_at")
        if published is None:
            raise RowError("date de publication absente", row.column("published_at"))
        raw_format = row.text("format")
        kind = None
        if raw_format:
            kind = formats.get(fold(raw_format))
            if kind is None:
                raise RowError(
                    f"format inconnu « {raw_format} » (attendus : "
                    f"{', '.join(sorted(set(formats)))})",
                    row.column("format"),
                )
        media, poll, live = media_of(kind)
        text = row.text("text") or ""
        return PostFields(
            post_id=post_id,
            published=published,
            account_id=row.identifier("account_id"),
            handle=row.text("account_handle"),
            url_handle=handle_from_permalink(source.platform, url),
            url=url,
            text=text,
            likes=row.count("likes"),
            reposts=row.count("reposts"),
            replies=row.count("replies"),
            views=row.count("views"),
            media=media,
            links=links_in(text),
            reply_to_handle=row.text("reply_to"),
            sponsored=bool(row.flag("sponsored")),
            poll=poll,
            live=live,
        )

    return build_posts(source, convert_rows(source, convert))
