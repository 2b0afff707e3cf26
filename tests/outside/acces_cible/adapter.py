"""Accès Cible cases through the functions the accessibility checks use
(:mod:`barometre.checks.accessibility`: L1 mention, L2 statement reading, schéma and plan
validity) and the crawl plan's choice of the statement link
(:func:`barometre.capture.plan.classify`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from barometre.capture.plan import classify, extract_links
from barometre.checks import accessibility as a11y
from barometre.checks.html import Doc
from barometre.models import FetchOutcome, Page


def _doc(url: str, html: str) -> Doc:
    return Doc(Page(url, url, FetchOutcome.OK, 200, "text/html", text=html, body=html.encode()))


def _document(found: a11y.NamedDocument | None) -> Any:
    return None if found is None else {"years": list(found.years), "valid": found.valid}


def answer(case: dict[str, Any]) -> Any:
    kind = case["kind"]
    if kind == "mention":
        hit = a11y.find_mention(case["text"]) or a11y.fuzzy_mention(case["text"])
        return hit[0] if hit else None
    if kind == "statement_link":
        links = extract_links(case["html"], case["url"])
        pick = classify(links, urlsplit(case["url"]).hostname or "").picks.get("accessibility")
        return pick.url if pick is not None else None
    as_of = date.fromisoformat(case["as_of"])
    if kind == "validity":
        check = a11y.schema_valid if case["document"] == "schema" else a11y.plan_valid
        return check(case["years"], as_of)
    facts = a11y.read_statement([_doc(case["url"], case["html"])], as_of)
    if kind == "document":
        return _document(facts.schema if case["document"] == "schema" else facts.plan)
    field = case["field"]
    if field == "standard":
        found = facts.standard
        return None if found is None else {"name": found.name, "version": found.version}
    value = getattr(facts, {"rate": "rate"}.get(field, field))
    return value.isoformat() if isinstance(value, date) else value


def agrees(ours: Any, expected: Any) -> bool:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(ours, float) and abs(ours - expected) < 1e-9
    if isinstance(ours, dict) and "name" in ours and isinstance(expected, str):
        # Accès Cible returns the matched words (« RGAA version 4.1 », « RGAA v4.1.1 »):
        # the standard and its version are what they say.
        version = re.search(r"\d+(?:\.\d+)+", expected)
        return bool(
            ours["name"] == expected.split()[0].upper()
            and ours["version"] == (version.group(0) if version else None)
        )
    return bool(ours == expected)
