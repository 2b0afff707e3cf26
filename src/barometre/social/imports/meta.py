"""Meta Business Suite / Meta Insights exports (Facebook Pages, Instagram accounts).

Two families, column sets in ``formats.toml``:

* ``meta-business-suite-publications``: one row per post with lifetime figures. The
  caption sits in ``Title`` or ``Description`` depending on the post type, so the longer
  of the two is the text. ``Reactions`` (Facebook) or ``Likes`` (Instagram) are the
  likes, ``Comments`` the replies, ``Shares`` the reposts, ``Views`` (``Impressions`` in
  older exports) the views. ``Post type`` gives the media (Photos, Videos, Reels, IG
  carousel…). A post is counted as sponsored when ``Funded content status`` says it was
  boosted or when the boosted reach or views are above zero — a reading of the column
  names, not of Meta's documentation (?), kept in one function below.
* ``meta-business-suite-daily``: a page-level series, one file per metric (UTF-16,
  ``sep=,`` line, the metric's title, then ``Date``/``Primary``). Only series of
  follower *totals* become :class:`~barometre.models.FollowerCount`; ``Facebook follows``
  and the like are new follows per day, which cannot give a count without a starting
  total, so they are reported and not imported.
"""

from __future__ import annotations

from datetime import datetime

from barometre.models import AccountState, FollowerCount, SocialProfile, SocialSource
from barometre.social.imports.posts import (
    Extracted,
    PostFields,
    build_posts,
    handle_from_permalink,
    media_of,
)
from barometre.social.imports.rows import Row, RowError, Source, convert_rows
from barometre.social.imports.values import is_empty, links_in, normalize_handle
from barometre.vocab.platforms import profile_url
from barometre.vocab.text import fold

_NOT_BOOSTED_PREFIXES = ("not ", "non ", "no ", "pas ", "aucun")
_BOOSTED_WORDS = ("boost", "sponsor", "paid", "payant", "promot", "financ")


def extract_publications(source: Source) -> Extracted:
    kinds = source.match.spec.mapping("post_types")
    unknown_types: set[str] = set()

    def convert(row: Row) -> PostFields:
        post_id = row.require_identifier("post_id")
        published = row.when("published_at")
        if published is None:
            raise RowError("date de publication absente", row.column("published_at"))
        title = row.text("title") or ""
        description = row.text("text") or ""
        text = title if len(title) >= len(description) else description
        url = row.text("url")
        raw_type = row.text("post_type")
        kind = kinds.get(fold(raw_type)) if raw_type else None
        if raw_type and kind is None:
            unknown_types.add(raw_type)
        media, poll, live = media_of(kind)
        return PostFields(
            post_id=post_id,
            published=published,
            account_id=row.identifier("account_id"),
            handle=row.text("account_handle"),
            url_handle=handle_from_permalink(source.platform, url),
            name=row.text("account_name"),
            url=url,
            text=text,
            likes=row.count("likes"),
            reposts=row.count("reposts"),
            replies=row.count("replies"),
            views=row.count("views"),
            media=media,
            links=links_in(text),
            is_repost=bool(row.flag("is_share")),
            sponsored=_boosted(row),
            poll=poll,
            live=live,
        )

    extracted = build_posts(source, convert_rows(source, convert))
    if unknown_types:
        source.warn(
            "type de publication non reconnu (format non renseigné) : "
            + ", ".join(sorted(unknown_types))
        )
    return extracted


def _boosted(row: Row) -> bool:
    """Whether Meta's export marks the post as paid for (boosted)."""
    for name in ("boosted_reach", "boosted_views"):
        value = row.count(name)
        if value:
            return True
    status = row.text("funded")
    if status is None:
        return False
    folded = fold(status)
    if folded.startswith(_NOT_BOOSTED_PREFIXES) or folded in ("organic", "organique"):
        return False
    return any(word in folded for word in _BOOSTED_WORDS)


def extract_daily(source: Source) -> Extracted:
    """A page-level daily series: follower totals become a FollowerCount series."""
    titles = source.match.spec.tables.get("titles", {})
    totals = {fold(t) for t in titles.get("totals", ())}
    gains = {fold(t) for t in titles.get("gains", ())}
    title = _title(source)
    kind = "totals" if fold(title) in totals else "gains" if fold(title) in gains else None

    def convert(row: Row) -> tuple[datetime, int]:
        day = row.when("date")
        if day is None:
            raise RowError("date absente", row.column("date"))
        value = row.count("value")
        if value is None:
            raise RowError("valeur absente", row.column("value"))
        return day.at, value

    rows = convert_rows(source, convert)
    out = Extracted()
    label = f"« {title} »" if title else "sans titre"
    if kind == "gains":
        total = sum(value for _, (_, value) in rows)
        source.warn(
            f"série {label} : nouveaux abonnements par jour ({total} sur la période), pas un "
            "nombre d'abonnés : rien n'est importé (déclarez le total dans le CSV des "
            "chiffres déclarés)"
        )
        return out
    if kind is None:
        source.warn(f"série {label} non importée : seules les séries du nombre d'abonnés le sont")
        return out
    if not source.account_handle:
        raise source.fail(
            "la série ne dit pas de quel compte il s'agit : indiquez le compte (option --handle)"
        )
    account_id = normalize_handle(source.account_handle)
    seen: dict[str, int] = {}
    latest: tuple[datetime, int] | None = None
    for line, (at, value) in rows:
        day = at.date().isoformat()
        if day in seen:
            message = f"jour {day} en double (déjà ligne {seen[day]})"
            if source.strict:
                raise source.fail(message, line)
            source.warn(f"ligne {line} ignorée : {message}")
            continue
        seen[day] = line
        out.followers.append(
            FollowerCount(source.platform, account_id, at.date(), value, SocialSource.IMPORT)
        )
        if latest is None or at > latest[0]:
            latest = (at, value)
    if latest is not None:
        out.profiles.append(
            SocialProfile(
                platform=source.platform,
                account_id=account_id,
                handle=account_id,
                url=profile_url(source.platform, account_id),
                state=AccountState.OK,
                fetched_at=latest[0],
                source=SocialSource.IMPORT,
                followers=latest[1],
            )
        )
    out.followers.sort(key=lambda f: f.observed_on)
    return out


def _title(source: Source) -> str:
    """The metric's title: the single-cell row just above the header."""
    if source.header_at == 0:
        return ""
    cells = [c for c in source.table.rows[source.header_at - 1][1] if not is_empty(c)]
    return str(cells[0]).strip() if len(cells) == 1 else ""
