"""``barometre stats``: the national figures of an edition, each with its denominator
and its coverage (Rich tables, or CSV / JSON on stdout for scripts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.context import AppContext
from barometre.cli.options import Edition, Format
from barometre.display.indicators import print_indicators
from barometre.display.national import print_budget, print_stats
from barometre.pipeline.core import open_edition
from barometre.pipeline.national import (
    as_json,
    bundled_catalogue,
    indicator_figures,
    national_stats,
    write_stats_csv,
)


def stats(
    ctx: typer.Context,
    edition: Edition = "",
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table, csv ou json (sur la sortie standard).")
    ] = Format.table,
    budget_departements: Annotated[
        Path | None,
        typer.Option(
            "--budget-departements",
            help="Export OFGL « ofgl-base-departements » (CSV) pour budget et activité.",
        ),
    ] = None,
) -> None:
    """Chiffres nationaux de l'édition : parts avec dénominateur et couverture,
    distribution des scores, corrélations avec la population et le budget."""
    context: AppContext = ctx.obj
    run = open_edition(context.engine, edition)
    with context.err.status(f"Chiffres nationaux de l'édition {run.id}…"):
        report = national_stats(context.setup, run)
        catalogue = bundled_catalogue()
        indicators, budget = indicator_figures(context.setup, run, catalogue, budget_departements)
    if format is Format.table:
        print_stats(context.console, report)
        print_indicators(context.console, catalogue, indicators)
        print_budget(context.console, budget)
    elif format is Format.csv:
        write_stats_csv(sys.stdout, report, indicators)
    else:
        json.dump(as_json(report, indicators, budget), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
