"""Wappalyzer-format cases (several sources) through :mod:`barometre.checks.technologies`.

``input.kind``:

* ``analyze``: fingerprints (``technologies``, ``categories``; ``null``: the vendored
  ones) and a page (``url``, ``html``, ``headers``, ``cookies``, ``meta``, ``scriptSrc``,
  ``scripts``) → the technologies detected;
* ``resolve``: fingerprints and raw hits (name, confidence, version) → detections after
  confidences, versions and relations;
* ``version``: a pattern with its tags and a text → the version it gives;
* ``pattern``: a pattern → its regular expression, confidence and version template;
* ``slug``: a name → its slug; ``category``: a category id → its vendored name.

``expected`` holds one or more facts, all of which must hold: ``detected`` (exactly these
names), ``includes``, ``at_least``, ``version``, ``confidence``, ``confidence_at_most``,
``categories``, ``slug`` (per technology), or for patterns ``value``, ``confidence``,
``version``, ``matches``, ``regex_contains``, ``regex_lacks``.
"""

from __future__ import annotations

from typing import Any

from barometre.checks import technologies as tech
from barometre.checks.html import Doc
from barometre.models import FetchOutcome, Page


def _catalogue(case: dict[str, Any]) -> tech.Catalogue:
    if case.get("technologies") is None:
        return tech.catalogue()
    return tech.build_catalogue(case["technologies"], case.get("categories") or {})


def _facts(page: dict[str, Any]) -> tech.PageFacts:
    url = page.get("url") or "https://example.org/"
    html = page.get("html") or ""
    doc = Doc(Page(url, url, FetchOutcome.OK, 200, "text/html", (), html.encode(), html))
    facts = tech.facts_of(doc)
    facts.url = page.get("url") or ""
    for key in ("headers", "cookies", "meta"):
        for name, values in (page.get(key) or {}).items():
            getattr(facts, key)[name.lower()] = values if isinstance(values, list) else [values]
    facts.script_src += page.get("scriptSrc") or []
    facts.scripts += page.get("scripts") or []
    return facts


def _detections(detections: list[tech.Detection], catalogue: tech.Catalogue) -> dict[str, Any]:
    out = {}
    for d in detections:
        known = catalogue.technologies.get(d.name)
        out[d.name] = {
            "version": d.version,
            "confidence": d.confidence,
            "slug": d.slug,
            "categories": catalogue.category_names(known) if known else [],
        }
    return {"detected": out}


def answer(case: dict[str, Any]) -> Any:
    kind = case["kind"]
    if kind == "slug":
        return {"slug": tech.slug(case["text"])}
    if kind == "category":
        return {"name": tech.catalogue().categories.get(case["id"])}
    if kind in ("pattern", "version"):
        pattern = tech.parse_pattern(case["pattern"])
        if pattern is None:
            return {"compiles": False}
        out: dict[str, Any] = {
            "value": pattern.value,
            "confidence": pattern.confidence,
            "version": pattern.version,
            "regex": pattern.regex.pattern,
        }
        if "target" in case:
            out["matches"] = pattern.search(case["target"]) is not None
            if kind == "version":
                out["version"] = tech.resolve_version(pattern, case["target"])
        return out
    catalogue = _catalogue(case)
    if kind == "resolve":
        hits = [tech.Hit(h["name"], h["confidence"], h["version"], "cas", "") for h in case["hits"]]
        return _detections(tech.resolve(hits, catalogue), catalogue)
    return _detections(tech.analyze([_facts(case["page"])], catalogue), catalogue)


def agrees(ours: Any, expected: Any) -> bool:
    if "detected" not in ours:
        for key, want in expected.items():
            if key == "regex_contains":
                ok = want in ours.get("regex", "")
            elif key == "regex_lacks":
                ok = want not in ours.get("regex", "")
            else:
                ok = ours.get(key) == want
            if not ok:
                return False
        return True
    found: dict[str, Any] = ours["detected"]
    checks = {
        "detected": lambda want: sorted(found) == sorted(want),
        "includes": lambda want: set(want) <= set(found),
        "at_least": lambda want: len(found) >= want,
        "version": lambda want: all(found.get(n, {}).get("version") == v for n, v in want.items()),
        "confidence": lambda want: all(
            found.get(n, {}).get("confidence") == v for n, v in want.items()
        ),
        "confidence_at_most": lambda want: all(
            n in found and found[n]["confidence"] <= v for n, v in want.items()
        ),
        "categories": lambda want: all(
            found.get(n, {}).get("categories") == v for n, v in want.items()
        ),
        "slug": lambda want: all(found.get(n, {}).get("slug") == v for n, v in want.items()),
    }
    return all(checks[key](want) for key, want in expected.items())
