"""Dates, shared by every check.

French dates in page text (« 12 mars 2024 », « 1er mars 2024 », « 12 sept. 2024 »,
« 12/03/2024 », « 12.03.2024 » and ISO « 2024-03-12 »), the date of a page (htmldate,
then our French rules where it finds nothing) and the dates printed on the items of a
page (news listings, home page blocks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from barometre.checks.html import Doc
from barometre.vocab.fr import MONTH_NUMBERS
from barometre.vocab.text import fold, fold_aligned

MONTHS = MONTH_NUMBERS
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:er)?\s+(?P<m1>{_MONTH_RE})\.?\s+(?P<y1>(?:19|20)\d\d)\b"
    r"|\b(?P<d2>\d{1,2})[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>(?:19|20)\d\d)\b"
    r"|\b(?P<y3>(?:19|20)\d\d)-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
)


def _make(year: str, month: int, day: str) -> date | None:
    try:
        return date(int(year), month, int(day))
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    if match.group("y1"):
        return _make(match.group("y1"), MONTHS[match.group("m1")], match.group("d1"))
    if match.group("y2"):
        return _make(match.group("y2"), int(match.group("m2")), match.group("d2"))
    return _make(match.group("y3"), int(match.group("m3")), match.group("d3"))


def find_dates(text: str) -> Iterator[tuple[date, str, int]]:
    """Every valid date of ``text`` in order: ``(date, matched text as written,
    position)`` (found in the :func:`fold_aligned` form, which keeps the positions)."""
    for match in DATE_RE.finditer(fold_aligned(text)):
        found = _from_match(match)
        if found is not None:
            yield found, text[match.start() : match.end()], match.start()


def dates_in(text: str) -> list[date]:
    return [found for found, _, _ in find_dates(text)]


def parse_date(text: str) -> date | None:
    """The first date of ``text`` (ISO date-times included: ``2025-03-18T10:00``)."""
    return next((found for found, _, _ in find_dates(text)), None)


# --- dates of pages and of their items (HTML) ------------------------------------------------
#
# Two readers, used by the freshness criterion (S7) and open to every check:
#
# * :func:`page_date` — when one page was published (or last updated). htmldate reads the
#   markup first (meta tags, JSON-LD, ``<time>``, ``<abbr>``, date classes, the URL);
#   where it finds nothing, our French rules read a dated mention (« Publié le 1er avril
#   2025 », « Mis à jour le 3 sept. 2024 »), then htmldate searches the free text; a bare
#   year (a copyright line) is never taken for a date.
# * :func:`date_labels` — every date *label* of a page's content: the date printed on
#   each item of a news listing or of a home page block (« Le 05/06/2025 », « Publié le
#   3 mars 2026 », ``<span>12 févr. 2025</span>``, ``<time datetime>``), with the title
#   of the item it dates. htmldate gives one date per page, not one per item: this is
#   where our rules do what it does not. Dates in the page banner, the navigation and the
#   footer (« jeudi 20 mars 2025 » printed as today's date, copyright) are left out; a
#   date inside running text (« la séance aura lieu le 10 mars 2025 ») is not a label.

_INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "br",
        "cite",
        "data",
        "em",
        "font",
        "i",
        "label",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "wbr",
        "-text",
    }
)
_EMPHASIS = frozenset({"b", "em", "i", "mark", "strong", "u"})
_HIDDEN = frozenset({"script", "style", "noscript", "template", "-comment"})
_CONTENT_TAGS = frozenset({"article", "main"})
_CHROME_TAGS = frozenset({"header", "footer", "nav"})
_CHROME_ROLES = frozenset({"banner", "contentinfo", "navigation"})
# id/class tokens of the page banner, menus and footer (not "entry-header", "card-footer":
# those belong to an item, and items sit in an article or in main anyway).
_CHROME_TOKENS = frozenset(
    {
        "header",
        "site-header",
        "page-header",
        "main-header",
        "masthead",
        "entete",
        "en-tete",
        "bandeau",
        "topbar",
        "top-bar",
        "footer",
        "site-footer",
        "page-footer",
        "colophon",
        "pied",
        "pied-de-page",
        "piedpage",
        "nav",
        "navigation",
        "menu",
        "main-menu",
        "breadcrumb",
        "breadcrumbs",
        "ariane",
        "fil-ariane",
    }
)
_EVENT_WORDS = ("agenda", "event", "evenement", "evenements", "manifestation", "calendrier")
_YEAR = re.compile(r"(?:19|20)\d\d")
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.?,?\s+)?"
# Just before a date (plain text): a publication mention makes it a label...
_CUE = re.compile(
    r"(?:\b(?:publie|poste|mis en ligne|mise en ligne|mis a jour|mise a jour|actualise|modifie"
    r"|cree|redige|diffuse)e?s?\b[^.!?]{0,40}?\ble\s*:?"
    r"|\b(?:date de (?:publication|mise en ligne|mise a jour|creation)|publication|mise a jour"
    r"|mis a jour|publie|modifie|date)\s*:|^\s*le)\s*" + _WEEKDAY + r"$"
)
# ... a preposition makes it part of a sentence (« aura lieu le 10 mars 2025 »).
_PROSE = re.compile(
    r"\b(?:le|la|les|du|au|aux|des|jusqu'au|jusqu’au|depuis|avant|apres|partir du|d'ici"
    r"|d’ici|entre|et|ou|ce|cette|dater du)\s*" + _WEEKDAY + r"$"
)
_MENTION = re.compile(r"publi|post|ligne|jour|actualis|modifi|cre|redig|diffus|date")
LABEL_SLACK = 40  # characters a label may hold besides its date (« Publié le … par … »)


@dataclass(frozen=True, slots=True)
class DateLabel:
    """A date printed on a page's content: ``text`` as written (or the ``datetime``
    attribute), ``title`` of the item it dates ("" when none), ``event`` when it sits in
    an agenda or event block (a date of something that happens, not of a publication)."""

    day: date
    text: str
    title: str
    event: bool
    markup: bool = False  # read from ``<time datetime>`` or microdata, not from text


@dataclass(frozen=True, slots=True)
class PageDate:
    """When a page was published or updated, and how we know: ``how`` is « balisage »
    (meta, JSON-LD, time elements, read by htmldate), « mention » (« Publié le … », our
    French rules) or « htmldate » (htmldate's whole search, markup then free text)."""

    day: date
    how: str
    text: str | None = None


def _tokens(node: LexborNode) -> list[str]:
    attrs = node.attributes
    raw = f"{attrs.get('id') or ''} {attrs.get('class') or ''}".lower()
    return raw.split()


def _place(node: LexborNode, agenda_page: bool) -> tuple[bool, bool]:
    """(in the page's content, in an agenda or event block) for one element."""
    content = chrome = False
    event = agenda_page
    depth = 0
    current: LexborNode | None = node
    while current is not None and depth < 80 and current.tag not in ("body", "html"):
        tag = current.tag or ""
        attrs = current.attributes
        role = (attrs.get("role") or "").lower()
        tokens = _tokens(current)
        if tag in _CONTENT_TAGS or role == "main":
            content = True
        elif (
            tag in _CHROME_TAGS or role in _CHROME_ROLES or any(t in _CHROME_TOKENS for t in tokens)
        ):
            chrome = True
        if not event:
            words = re.split(r"[^a-z0-9]+", fold(" ".join(tokens)))
            event = any(w.startswith(_EVENT_WORDS) for w in words) or (
                "event" in (attrs.get("itemtype") or "").lower()
            )
        current = current.parent
        depth += 1
    return content or not chrome, event


def _block(node: LexborNode) -> LexborNode:
    current = node
    while current.parent is not None and (current.tag or "") in _INLINE:
        current = current.parent
    return current


ITEM_CHARS = 600  # an item (its title, date and summary) is short; a section is not


def _title(block: LexborNode, label: str) -> str:
    """The heading or link text of the item a label dates: looked for in the label's
    block, then up to four levels up while the element is still item-sized."""
    current: LexborNode | None = block
    for _ in range(5):
        if current is None or current.tag in ("body", "main", "html"):
            return ""
        if len(current.text(separator=" ")) > ITEM_CHARS:
            return ""
        for node in current.css("h1, h2, h3, h4, h5, h6, a[href]"):
            text = " ".join(node.text(separator=" ").split())
            if len(text) >= 4 and text != label and label not in text:
                return text[:160]
        current = current.parent
    return ""


def _agenda_page(doc: Doc) -> bool:
    heading = doc.first("h1")
    where = fold(
        f"{urlsplit(doc.url).path} {doc.title} {heading.text() if heading is not None else ''}"
    )
    return any(word in where.split() for word in _EVENT_WORDS)


def _is_label(group: str, start: int, end: int) -> bool:
    before = group[max(0, start - 80) : start]
    if _CUE.search(before):
        return True
    if _PROSE.search(before):
        return False
    if len(group) <= (end - start) + LABEL_SLACK:
        return True
    return not before.strip(" -–—:|·•,()[]")


def _label(
    block: LexborNode, folded: str, start: int, end: int, pieces: list[tuple[int, LexborNode]]
) -> bool:
    """Whether the date at ``folded[start:end]`` is a label: its run of text (or the
    inline element holding it, such as a ``<span>``) is a short date line, starts with
    the date or names a publication before it, and no preposition ties it to a sentence."""
    if _is_label(folded, start, end):
        return True
    holder, holder_start = None, 0
    for offset, parent in pieces:
        if offset > start:
            break
        if holder is None or parent.mem_id != holder.mem_id:
            holder, holder_start = parent, offset
    if holder is None or holder.mem_id == block.mem_id or holder.tag in _EMPHASIS:
        return False
    if _PROSE.search(folded[max(0, holder_start - 80) : holder_start]):
        return False
    own = fold_aligned(" ".join(holder.text(separator=" ").split()))
    at = own.find(folded[start:end])
    return at >= 0 and _is_label(own, at, at + end - start)


def _text_runs(body: LexborNode) -> Iterator[tuple[LexborNode, str, list[tuple[int, LexborNode]]]]:
    """Runs of visible text that read as one line: consecutive text nodes under the same
    block element (inline elements are transparent), with where each piece starts."""
    block: LexborNode | None = None
    parts: list[str] = []
    pieces: list[tuple[int, LexborNode]] = []
    length = 0
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        parent = node.parent
        if parent is None or parent.tag in _HIDDEN:
            continue
        text = node.text_content or ""
        if not text.strip():
            continue
        owner = _block(parent)
        if block is None or owner.mem_id != block.mem_id:
            if block is not None and parts:
                yield block, "".join(parts), pieces
            block, parts, pieces, length = owner, [], [], 0
        piece = " ".join(text.split())
        if parts:
            piece = " " + piece
        pieces.append((length + (1 if parts else 0), parent))
        parts.append(piece)
        length += len(piece)
    if block is not None and parts:
        yield block, "".join(parts), pieces


def date_labels(doc: Doc) -> list[DateLabel]:
    """Every date label of the page's content, in document order (see the comment above
    :class:`DateLabel`): ``<time datetime>`` and microdata first, then text labels."""
    tree = doc.tree
    body = tree.body if tree is not None else None
    if body is None:
        return []
    agenda = _agenda_page(doc)
    found: list[DateLabel] = []
    seen: set[tuple[date, str]] = set()

    def add(label: DateLabel) -> None:
        key = (label.day, label.title)
        if key not in seen:
            seen.add(key)
            found.append(label)

    for node in body.css("time[datetime], [itemprop='datePublished'], [itemprop='dateCreated']"):
        raw = node.attributes.get("datetime") or node.attributes.get("content") or ""
        day = parse_date(raw)
        if day is None:
            continue
        content, event = _place(node, agenda)
        if content:
            shown = " ".join(node.text(separator=" ").split()) or raw
            add(DateLabel(day, shown, _title(_block(node), shown), event, markup=True))
    for block, text, pieces in _text_runs(body):
        if not _YEAR.search(text):
            continue
        folded = fold_aligned(text)
        for match in DATE_RE.finditer(folded):
            day = _from_match(match)
            if day is None:
                continue
            start, end = match.span()
            label = text[start:end]
            if not _label(block, folded, start, end, pieces):
                continue
            content, event = _place(block, agenda)
            if content:
                shown = text if len(text) <= 120 else label
                add(DateLabel(day, shown, _title(block, shown), event))
    return found


def _htmldate(doc: Doc, **options: Any) -> date | None:
    from htmldate import find_date

    try:
        found = find_date(doc.html(), outputformat="%Y-%m-%d", url=doc.url, **options)
    except (ValueError, TypeError):  # an unparsable document: no date, not a crash
        return None
    return date.fromisoformat(found) if found else None


def _written(doc: Doc, day: date) -> bool:
    """Whether ``day`` is written as a whole date on the page (not only its year)."""
    html = doc.html()
    forms = (day.isoformat(), f"{day:%d/%m/%Y}", f"{day:%d.%m.%Y}", f"{day:%Y%m%d}")
    return any(form in html for form in forms) or day in dates_in(doc.text)


def _mention(
    doc: Doc, original: bool, latest: date | None, earliest: date | None
) -> PageDate | None:
    """The date of a publication or update mention in the page's content (our French
    rules): the first « publié le … » for the publication date, the last « mis à jour
    le … » (else the publication) for the latest one."""
    published: list[tuple[date, str]] = []
    updated: list[tuple[date, str]] = []
    tree = doc.tree
    body = tree.body if tree is not None else None
    if body is None:
        return None
    for block, text, _ in _text_runs(body):
        if not _YEAR.search(text):
            continue
        folded = fold_aligned(text)
        for match in DATE_RE.finditer(folded):
            day = _from_match(match)
            before = folded[max(0, match.start() - 80) : match.start()]
            cue = _CUE.search(before)
            if day is None or cue is None or not _MENTION.search(cue.group(0)):
                continue  # a bare « Le 05/03/2025 » dates an item, not the page
            if (latest and day > latest) or (earliest and day < earliest):
                continue
            if not _place(block, False)[0]:
                continue
            shown = text if len(text) <= 120 else text[match.start() : match.end()]
            kind = updated if re.search(r"jour|actualis|modifi", cue.group(0)) else published
            kind.append((day, shown))
    if original:
        pick = published[0] if published else (min(updated) if updated else None)
    else:
        pick = max(updated) if updated else (max(published) if published else None)
    return PageDate(pick[0], "mention", pick[1]) if pick else None


def page_date(
    doc: Doc,
    *,
    original: bool = True,
    as_of: date | None = None,
    earliest: date | None = None,
    extensive: bool = True,
) -> PageDate | None:
    """When the page was first published (``original``) or last updated, not after
    ``as_of`` nor before ``earliest``; ``None`` when the page says nothing dated.

    htmldate's markup reading first; then a French publication or update mention; then
    (``extensive``) htmldate's search of the free text, where a date that is only a year
    (a copyright line, « 2017 ») is refused: a year is not a day of publication. The
    French mention is looked for first (our parse is already there), so that htmldate
    parses the page once: its markup reading alone when a mention exists, its whole
    search otherwise."""
    if doc.is_pdf or doc.tree is None:
        return None
    bounds: dict[str, Any] = {"original_date": original}
    if as_of is not None:
        bounds["max_date"] = datetime.combine(as_of, time.max)
    if earliest is not None:
        bounds["min_date"] = datetime.combine(earliest, time.min)
    mention = _mention(doc, original, as_of, earliest)
    if mention is not None or not extensive:
        # Markup first: one pass of htmldate without its text search (cheap).
        found = _day_of(doc, _htmldate(doc, extensive_search=False, **bounds))
        return PageDate(found, "balisage") if found is not None else mention
    # No French mention: htmldate's whole search, markup first then free text (one pass).
    found = _day_of(doc, _htmldate(doc, extensive_search=True, **bounds))
    return PageDate(found, "htmldate") if found is not None else None


def _day_of(doc: Doc, found: date | None) -> date | None:
    """htmldate's answer, unless it is a year alone (given as 1 January): a copyright
    line or ``copyrightYear`` is not a day of publication."""
    if found is None or (found.month == 1 and found.day == 1 and not _written(doc, found)):
        return None
    return found
