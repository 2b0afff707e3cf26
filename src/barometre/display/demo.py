"""Rich display of ``barometre demo``: the sample collectivités' scores and how to go on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from barometre.models import Authority
from barometre.pipeline.score import ScoreReport, ScoreRow
from barometre.vocab import fr


def print_summary(
    console: Console,
    authorities: Sequence[Authority],
    scores: Mapping[str, ScoreRow],
    counts: Mapping[str, Counter[str]],
) -> None:
    """Per sample collectivité: its score, coverage, grade, rank and criteria measured."""
    table = Table(title="Démonstration — web d'exemple (collectivités fictives)")
    table.add_column("Collectivité", no_wrap=True, overflow="ellipsis", max_width=30)
    for label in ("score", "couv.", "note", "rang", "mesurés", "non mes."):
        table.add_column(label, justify="right", no_wrap=True)
    for authority in authorities:
        c = counts.get(authority.id, Counter[str]())
        row = scores.get(authority.id)
        table.add_row(
            authority.name,
            fr.score(row.value if row is not None else None),
            fr.percent(row.coverage if row is not None else None),
            (row.grade or "—") if row else "—",
            str(row.rank) if row and row.rank else "—",
            str(c["pass"] + c["partial"] + c["fail"]),
            str(c["not_measurable"]),
        )
    console.print(table)


def print_demo(
    console: Console, edition: str, sample: int, report: ScoreReport, folder: Path
) -> None:
    """What the demonstration measured, and the command that details one criterion."""
    console.print(
        f"Édition « {edition} » (démonstration) : "
        f"{fr.count(sample, 'collectivité fictive', 'collectivités fictives')}, "
        f"{fr.count(report.scored, 'mesurée', 'mesurées')}, "
        f"{fr.count(report.graded, 'notée', 'notées')} (site capturé, couverture suffisante : "
        f"le même compte que le site). Détail d'un critère : barometre "
        f"--database-url sqlite:///{folder / 'barometre.sqlite3'} explain 99101 P1 "
        f"-e {edition}",
        soft_wrap=True,
        highlight=False,
    )
