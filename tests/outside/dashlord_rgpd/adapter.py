"""DashLord declaration-rgpd cases: which page the crawl plan picks as the legal notice
and as the privacy policy from a home page (:func:`barometre.capture.plan.classify`, the
function the capture uses to choose the pages the legal checks read)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from barometre.capture.plan import classify, extract_links

HERE = Path(__file__).resolve().parent


def answer(case: dict[str, Any]) -> Any:
    html = (
        gzip.decompress((HERE / case["sample"]).read_bytes()).decode("utf-8")
        if "sample" in case
        else case["html"]
    )
    url = case["url"]
    plan = classify(extract_links(html, url), urlsplit(url).hostname or "")
    pick = plan.picks.get(case["page"])
    return pick.url if pick is not None else None
