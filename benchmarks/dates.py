"""Date benchmark: our page dates and date labels against htmldate, same pages, same run.

    uv run python benchmarks/dates.py [--repeats 5]

Pages, each parsed once as the audit parses it (``capture.archive.as_page`` then
``checks.html.Doc``):

* real pages: htmldate's own cached web pages, kept as outside-reference test data in
  ``tests/outside/htmldate/pages`` (49 news, blog and institution pages, 5 to 180 kB);
* sample pages: every HTML file of the bundled sample web (``src/barometre/sampleweb``).

On each set, ``--repeats`` times (htmldate's caches emptied before every pass), median:

1. ``htmldate.find_date``, its default (extensive search) — the reference;
2. ``htmldate.find_date(extensive_search=False)``: markup only, the first step of ours;
3. ``page_date`` (ours: htmldate's markup reading, French mentions, then htmldate's text
   search without bare years);
4. ``date_labels`` (ours: every date printed on the page's items, for news listings and
   home pages; htmldate has no equivalent);
5. the freshness criterion (``services.actualite``) on a one-page site made of each page
   (home = the page; with ``page_date`` when the page is one article).

Prints milliseconds per page and the share of pages where each finds a date (for the
criterion: a dated news item or an event ahead).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from htmldate import find_date
from htmldate.meta import reset_caches

from barometre.capture.archive import as_page
from barometre.checks import practical
from barometre.checks.dates import date_labels, page_date
from barometre.checks.html import Doc
from barometre.checks.subject import Subject
from barometre.models import Authority, AuthorityKind, FetchOutcome, SiteArchive
from barometre.net.fetcher import FetchResult

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "outside" / "htmldate" / "pages"
SAMPLE = ROOT / "src" / "barometre" / "sampleweb" / "sites"
AS_OF = date(2026, 12, 6)


AUTHORITY = Authority(AuthorityKind.COMMUNE, "0", "Banc d'essai")


@dataclass(frozen=True)
class Sample:
    """One page, parsed once, and the one-page site the freshness criterion reads."""

    html: str
    doc: Doc
    subject: Subject


def _doc(url: str, body: bytes) -> Sample:
    result = FetchResult(url, url, FetchOutcome.OK, 200, [("Content-Type", "text/html")], body)
    page = as_page(result)
    site = SiteArchive("commune:0", url, FetchOutcome.OK, datetime(2026, 12, 6), home=page)
    subject = Subject(AUTHORITY, site, AS_OF)
    doc = subject.doc(page)  # parsed here, outside the timings, as the audit shares it
    assert doc is not None
    return Sample(page.text, doc, subject)


def real_pages() -> list[Sample]:
    return [
        _doc(f"https://example.org/{path.name}", gzip.decompress(path.read_bytes()))
        for path in sorted(REAL.glob("*.gz"))
    ]


def sample_pages() -> list[Sample]:
    return [
        _doc(f"https://{path.relative_to(SAMPLE).parts[0]}/{path.name}", path.read_bytes())
        for path in sorted(SAMPLE.rglob("*.htm*"))
    ]


TOOLS: dict[str, Callable[[Sample], Any]] = {
    "htmldate (recherche étendue)": lambda s: find_date(s.html, max_date="2026-12-06"),
    "htmldate (balisage seul)": lambda s: find_date(
        s.html, extensive_search=False, max_date="2026-12-06"
    ),
    "page_date": lambda s: page_date(s.doc, original=False, as_of=AS_OF),
    "date_labels": lambda s: date_labels(s.doc) or None,
    "critère S7 (page seule)": lambda s: practical.freshness(s.subject, {}).evidence or None,
}


def measure(samples: list[Sample], repeats: int) -> dict[str, tuple[float, float]]:
    """Per tool: (median ms per page, share of pages with an answer)."""
    out: dict[str, tuple[float, float]] = {}
    for name, tool in TOOLS.items():
        runs: list[float] = []
        found = 0
        for _ in range(repeats):
            reset_caches()
            start = time.perf_counter()
            answers = [tool(sample) for sample in samples]
            runs.append(time.perf_counter() - start)
            found = sum(1 for a in answers if a is not None)
        out[name] = (statistics.median(runs) * 1000 / len(samples), found / len(samples))
    return out


def report(title: str, samples: list[Sample], repeats: int) -> None:
    size = statistics.median(len(s.html) for s in samples) / 1000
    print(f"\n{title} : {len(samples)} pages (médiane {size:.0f} ko de HTML)")
    for name, (ms, share) in measure(samples, repeats).items():
        print(f"  {name:30} {ms:7.2f} ms/page   réponse sur {share:4.0%} des pages")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="passes (médiane)")
    args = parser.parse_args(argv)
    # Warm the imports (htmldate loads dateparser) before timing anything.
    find_date("<html><body><p>1 mars 2025</p></body></html>")
    one, five, _ = os.getloadavg()
    print(f"charge {one:.1f}/{five:.1f} sur {os.cpu_count()} cœurs")
    report("Pages réelles (cache de htmldate)", real_pages(), args.repeats)
    report("Pages du web d'essai", sample_pages(), args.repeats)


if __name__ == "__main__":
    main()
