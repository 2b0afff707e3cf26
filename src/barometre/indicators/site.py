"""What the published site shows of the catalogue: synthèse sections (every indicator
with its change since the previous edition and over twelve months), the follower
progression ranking, and the per-area values of the maps.

The site builder (:mod:`barometre.publish`) does not compute anything: it receives
these plain dictionaries through its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from barometre.indicators.compute import group_label, group_order
from barometre.indicators.report import Row, format_value
from barometre.indicators.series import (
    AREAS,
    earlier_editions,
    progressions,
    ranking,
    store_edition,
    stored_rows,
)
from barometre.methodology import Methodology
from barometre.methodology.indicators import Catalogue
from barometre.models import SocialSource
from barometre.storage import edition_repo, indicator_repo
from barometre.vocab import fr
from barometre.vocab.authorities import peer_group_label
from barometre.vocab.platforms import platform_label
from barometre.vocab.status import SOURCE_LABELS

TOP = 10  # accounts per progression ranking


def ensure_stored(
    engine: Engine, edition: str, methodology: Methodology, catalogue: Catalogue
) -> None:
    """Store the edition's indicators afresh (they derive from its results); a frozen
    edition keeps the values it has, and gets them once when it has none."""
    info = edition_repo.get_edition(engine, edition)
    if info.frozen_at is None or not indicator_repo.stored_values(engine, edition):
        known = {e: p for p, e in indicator_repo.periods(engine, info.demo)}
        store_edition(engine, edition, methodology, catalogue, known.get(edition))


def site_inputs(
    engine: Engine, edition: str, methodology: Methodology, catalogue: Catalogue
) -> dict[str, Any]:
    """What the site builder shows of the catalogue (``SiteInputs.indicators``)."""
    ensure_stored(engine, edition, methodology, catalogue)
    return {
        "passed": passed_criteria(engine, edition, methodology),
        "sections": synthesis_sections(engine, edition, catalogue),
        "progressions": progression_ranking(engine, edition),
        "maps": area_maps(engine, edition, catalogue),
    }


def passed_criteria(engine: Engine, edition: str, methodology: Methodology) -> dict[str, str]:
    """The codes of the criteria each collectivité passes (``"P1 P3 T1"``), for the
    filter by criterion of the ranking pages."""
    codes = {c.id: c.code for c in methodology.criteria}
    passed: dict[str, list[str]] = {}
    for authority_id, check_id, status in indicator_repo.statuses(engine, edition):
        if status == "pass" and check_id in codes:
            passed.setdefault(authority_id, []).append(codes[check_id])
    order = {c.code: n for n, c in enumerate(methodology.criteria)}
    return {a: " ".join(sorted(c, key=order.__getitem__)) for a, c in passed.items()}


def _row(row: Row) -> dict[str, Any]:
    v = row.value
    return {
        "id": row.indicator.id,
        "label": f"{row.indicator.label} — {row.group_label}",
        "indicator": row.indicator.label,
        "group": v.group,
        "group_label": row.group_label,
        "definition": row.indicator.definition,
        "value_text": row.shown,
        "share": v.value if row.indicator.is_share else None,
        "numerator": round(v.numerator),
        "denominator": v.denominator,
        "coverage_text": row.coverage,
        "change": row.change(row.previous),
        "change_year": row.change(row.year_ago),
        "source": row.indicator.sources(),
        "switched": row.switched,  # who moved, for a mode-switch figure
    }


def synthesis_sections(engine: Engine, edition: str, catalogue: Catalogue) -> list[dict[str, Any]]:
    """One section per catalogue section, every stored indicator and group in it."""
    shown = stored_rows(engine, edition, catalogue)
    earlier = earlier_editions(engine, edition)
    previous = None
    if earlier.previous is not None:
        info = edition_repo.get_edition(engine, earlier.previous)
        previous = info.label
    out = []
    for section in catalogue.sections:
        chosen = [_row(r) for r in shown if r.indicator.section == section.id]
        if chosen:
            out.append(
                {
                    "title": section.title,
                    "key": f"catalogue-{section.id}",
                    "rows": chosen,
                    "changes": True,
                    "previous": previous,
                    "sources": list(dict.fromkeys(r["source"] for r in chosen)),
                }
            )
    return out


def progression_ranking(engine: Engine, edition: str) -> dict[str, Any] | None:
    """The biggest follower progressions since the previous edition, per peer group and
    platform, in absolute numbers and in percent, with the source of each count."""
    earlier = earlier_editions(engine, edition)
    if earlier.previous is None:
        return None
    items = progressions(engine, edition, earlier.previous)
    tables = []
    for by in ("gain", "percent"):
        for (group, platform), chosen in ranking(items, by=by).items():
            tables.append(
                {
                    "by": by,
                    "group": group,
                    "group_label": peer_group_label(group),
                    "platform": platform,
                    "platform_label": platform_label(platform),
                    "rows": [
                        {
                            "rank": n,
                            "name": p.name,
                            "authority_id": p.authority_id,
                            "handle": p.handle,
                            "url": p.url,
                            "before": fr.integer(p.before),
                            "after": fr.integer(p.after),
                            "gain": fr.signed(p.gain),
                            "percent": fr.signed(None if p.percent is None else p.percent * 100, 1)
                            + (f"{fr.NNBSP}%" if p.percent is not None else ""),
                            "source": f"{_source(p.source_before)} → {_source(p.source_after)}",
                        }
                        for n, p in enumerate(chosen[:TOP], start=1)
                    ],
                }
            )
    previous = edition_repo.get_edition(engine, earlier.previous)
    return {"previous": previous.label, "accounts": len(items), "tables": tables}


def _source(source: str) -> str:
    """« API », « import »… as the social layer names its sources."""
    try:
        return SOURCE_LABELS[SocialSource(source)]
    except ValueError:
        return source


def area_maps(engine: Engine, edition: str, catalogue: Catalogue) -> list[dict[str, Any]]:
    """Per indicator, its value per area (``region``, ``departement``, ``communes``:
    communes and EPCI aggregated per département), with numerator and denominator."""
    stored = indicator_repo.stored_values(engine, edition)
    prefixes = {a[0] for a in AREAS}
    by_indicator: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for v in stored:
        prefix, _, code = v.group.partition(":")
        if prefix not in prefixes:
            continue
        indicator = catalogue.get(v.indicator) if v.indicator in catalogue.ids else None
        if indicator is None:
            continue
        by_indicator.setdefault(v.indicator, {}).setdefault(prefix, []).append(
            {
                "code": code,
                "value": v.value,
                "text": format_value(indicator, v.value),
                "numerator": round(v.numerator),
                "denominator": v.denominator,
                "eligible": v.eligible,
            }
        )
    series = edition_series(engine, edition)
    out = []
    for indicator in catalogue.indicators:
        areas = by_indicator.get(indicator.id, {})
        points = series.get(indicator.id, [])
        if areas or points:
            out.append(
                {
                    "id": indicator.id,
                    "label": indicator.label,
                    "definition": indicator.definition,
                    "share": indicator.is_share,
                    "per": "compte" if indicator.unit == "comptes" else "collectivité",
                    "areas": areas,
                    "series": [
                        {
                            **p,
                            "month": fr.month(p["period"]),
                            "text": format_value(indicator, p["value"]),
                        }
                        for p in points
                    ],
                }
            )
    return out


def edition_series(engine: Engine, edition: str) -> dict[str, list[dict[str, Any]]]:
    """Per indicator, its stored value per group (areas aside) in every edition up to
    ``edition`` (one edition a month: the one the changes are measured against, and
    ``edition`` itself for its own month), groups in their order, oldest month first."""
    info = edition_repo.get_edition(engine, edition)
    current = earlier_editions(engine, edition).period
    chosen: dict[str, str] = {}
    for period, other in indicator_repo.periods(engine, info.demo):
        if period < current:
            chosen[period] = other  # the last one listed for the month, as for changes
    chosen[current] = edition
    kept = set(chosen.items())
    out: dict[str, list[dict[str, Any]]] = {}
    for v in indicator_repo.group_values(engine, chosen.values(), (a[0] for a in AREAS)):
        if (v.period, v.edition) not in kept:
            continue
        out.setdefault(v.indicator, []).append(
            {
                "group": v.group,
                "group_label": group_label(v.group),
                # the whole and the types of collectivité, or a peer group (population
                # band, type of EPCI): drawn as two charts
                "family": "strate" if group_order(v.group)[0] == 2 else "type",
                "period": v.period,
                "value": v.value,
                "numerator": round(v.numerator, 6),
                "denominator": v.denominator,
            }
        )
    for points in out.values():
        points.sort(key=lambda p: (group_order(p["group"]), p["period"]))
    return out


def indicator_ids(rows: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["id"] for r in rows))
