"""DashLord declaration-a11y cases: the accessibility mention of a home page and the link
to its statement, through :func:`barometre.checks.accessibility.page_mention` (what L1
reads on the home page)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from barometre.checks.accessibility import page_mention
from barometre.checks.html import Doc
from barometre.models import FetchOutcome, Page

HERE = Path(__file__).resolve().parent


def answer(case: dict[str, Any]) -> Any:
    html = gzip.decompress((HERE / case["sample"]).read_bytes()).decode("utf-8")
    url = case["url"] + "/"
    mention = page_mention(
        Doc(Page(url, url, FetchOutcome.OK, 200, "text/html", text=html, body=html.encode()))
    )
    if case["ask"] == "mention":
        return mention.status if mention is not None else None
    return mention.link.url if mention is not None and mention.link is not None else None
