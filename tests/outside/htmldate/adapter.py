"""htmldate's own cases through :func:`barometre.checks.dates.page_date`.

Each case is a page (inline HTML, or one of htmldate's cached real pages, gzipped in
``pages/``) turned into the :class:`Page` the audit reads (``capture.archive.as_page``,
the same decoding), parsed once (:class:`Doc`), and asked for its date with htmldate's
semantics: ``original_date`` is our ``original`` (publication rather than latest update,
``False`` by default as in htmldate), ``extensive_search`` our ``extensive``,
``min_date``/``max_date`` our ``earliest``/``as_of``. The reference date is the day the
cases were retrieved (htmldate's tests use "now"). The answer is printed in the case's
``outputformat`` (``%Y-%m-%d`` by default), as htmldate prints it.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path
from typing import Any

from barometre.capture.archive import as_page
from barometre.checks.dates import page_date
from barometre.checks.html import Doc
from barometre.models import FetchOutcome
from barometre.net.fetcher import FetchResult

HERE = Path(__file__).resolve().parent
RETRIEVED = date(2026, 12, 6)
NEUTRAL_URL = "https://www.example.org/page"  # htmldate's inline cases carry no address


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def answer(case: dict[str, Any]) -> str | None:
    if "page" in case:
        body = gzip.decompress((HERE / "pages" / case["page"]).read_bytes())
    else:
        body = str(case["html"]).encode("utf-8")
    url = str(case.get("url") or NEUTRAL_URL)
    result = FetchResult(
        url=url,
        final_url=url,
        outcome=FetchOutcome.OK,
        status=200,
        headers=[("Content-Type", "text/html" if "page" in case else "text/html; charset=utf-8")],
        body=body,
    )
    found = page_date(
        Doc(as_page(result)),
        original=bool(case.get("original", False)),
        extensive=bool(case.get("extensive", True)),
        as_of=_day(case.get("max_date")) or RETRIEVED,
        earliest=_day(case.get("min_date")),
    )
    if found is None:
        return None
    return found.day.strftime(str(case.get("outputformat") or "%Y-%m-%d"))
