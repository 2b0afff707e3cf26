"""The catalogue's figures of an edition, with their change since the previous edition
and over twelve months, as rows ready for a table, CSV or JSON.

:func:`edition_indicators` computes (or re-reads) the values of an edition;
:func:`rows` turns values and the earlier values of the series into French rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from barometre.indicators.compute import Value, compute, group_label
from barometre.indicators.read import read_facts
from barometre.methodology import Methodology
from barometre.methodology.indicators import Catalogue, Indicator
from barometre.vocab import fr
from barometre.vocab.status import NOT_MEASURED


def edition_indicators(
    engine: Engine, edition: str, methodology: Methodology, catalogue: Catalogue
) -> list[Value]:
    """Every catalogue indicator of ``edition`` per group, from storage."""
    return compute(catalogue, read_facts(engine, edition, catalogue), methodology)


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return NOT_MEASURED
    if indicator.is_share:
        return fr.percent(value, 1)
    return fr.number(value, 1)


def format_change(indicator: Indicator, now: float | None, before: float | None) -> str:
    """« +4,2 pts », « −0,3 » (means), « — » when either end is not measured."""
    if now is None or before is None:
        return fr.MISSING
    if indicator.is_share:
        return f"{fr.signed((now - before) * 100, 1)}{fr.NNBSP}pts"
    return fr.signed(now - before, 1)


@dataclass(frozen=True, slots=True)
class Row:
    """One indicator over one group, as shown."""

    indicator: Indicator
    value: Value
    previous: Value | None = None
    year_ago: Value | None = None

    @property
    def group_label(self) -> str:
        return group_label(self.value.group)

    @property
    def shown(self) -> str:
        return format_value(self.indicator, self.value.value)

    @property
    def ratio(self) -> str:
        if self.indicator.kind in ("accounts", "metric_mean"):
            return f"{fr.number(self.value.numerator, 0)} / {fr.integer(self.value.denominator)}"
        return f"{fr.integer(round(self.value.numerator))} / {fr.integer(self.value.denominator)}"

    @property
    def coverage(self) -> str:
        v = self.value
        return f"{fr.integer(v.measured)} / {fr.integer(v.eligible)} ({fr.percent(v.coverage)})"

    @property
    def switched(self) -> str:
        """« Département de l'Exemple (99), … »: the collectivités a mode-switch figure
        counts; empty for the other figures."""
        listed = self.value.detail.get("collectivites") or ()
        return ", ".join(f"{c['nom']} ({c['code']})" for c in listed)

    def change(self, earlier: Value | None) -> str:
        return format_change(
            self.indicator, self.value.value, earlier.value if earlier is not None else None
        )

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        return {
            "indicateur": self.indicator.id,
            "section": self.indicator.section,
            "libelle": self.indicator.label,
            "groupe": v.group,
            "libelle_groupe": self.group_label,
            "unite": v.unit,
            "numerateur": v.numerator,
            "denominateur": v.denominator,
            "valeur": None if v.value is None else round(v.value, 6),
            "mesurees": v.measured,
            "eligibles": v.eligible,
            "couverture": None if v.coverage is None else round(v.coverage, 6),
            "source": self.indicator.sources(),
            "valeur_precedente": _value(self.previous),
            "valeur_12_mois": _value(self.year_ago),
            "detail": dict(v.detail),
        }


def _value(value: Value | None) -> float | None:
    return None if value is None or value.value is None else round(value.value, 6)


def rows(
    catalogue: Catalogue,
    values: Sequence[Value],
    previous: Mapping[tuple[str, str], Value] | None = None,
    year_ago: Mapping[tuple[str, str], Value] | None = None,
) -> list[Row]:
    """Rows in catalogue order, each with its earlier values when the series has them."""
    by_id = {i.id: i for i in catalogue.indicators}
    out = []
    for value in values:
        indicator = by_id.get(value.indicator)
        if indicator is None:
            continue
        key = (value.indicator, value.group)
        out.append(
            Row(
                indicator,
                value,
                (previous or {}).get(key),
                (year_ago or {}).get(key),
            )
        )
    return out
