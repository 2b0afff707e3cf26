"""Rich display of the publication: what the build wrote, and how to look at the site."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from barometre.pipeline.publish import PublishReport
from barometre.vocab import fr


def print_publish(console: Console, err: Console, edition: str, done: PublishReport) -> None:
    report, target = done.build, done.target
    seconds = fr.number(report.seconds, 1)
    if done.partial:
        console.print(
            f"{fr.count(report.cards, 'bulletin')} et {fr.integer(report.pdfs)} PDF "
            f"{'écrit' if report.cards + report.pdfs < 2 else 'écrits'} dans "
            f"le site de l'édition {edition} ({target}), en {seconds} s ; le reste du site "
            "est inchangé (classements et cartes : « barometre publish » sans --only).",
            highlight=False,
        )
        return
    if done.only is not None:
        err.print(
            f"[yellow]Pas encore de site dans {target} : il ne contient que ces "
            "bulletins ; « barometre publish » sans --only construit les autres.[/yellow]",
            highlight=False,
        )
    console.print(
        f"Site de l'édition {edition} : {fr.integer(report.pages)} pages dont "
        f"{fr.integer(report.cards)} bulletins, {fr.integer(report.pdfs)} PDF, "
        f"{fr.integer(report.bytes // 1024)} ko, en "
        f"{seconds} s, dans {target}."
    )


def print_how_to_open(console: Console, site: Path) -> None:
    """The last words of a build: where the site is and how to look at it."""
    console.print(
        f"Pour voir le site : ouvrez {site / 'index.html'} dans un navigateur, ou lancez "
        f"« barometre serve {site} » puis ouvrez http://127.0.0.1:8000/ "
        "(Ctrl-C pour arrêter l'aperçu).",
        soft_wrap=True,
        highlight=False,
    )
