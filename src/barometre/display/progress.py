"""The progress bar of a long stage, on stderr so that stdout stays clean."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from barometre.vocab import fr


class CountColumn(MofNCompleteColumn):
    """« 12/37 » once the total is known; « en cours » until then (never « 0/? »)."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("en cours", style="progress.download")
        return super().render(task)


def stage_progress(label: str, console: Console, *, detail: bool = True) -> Progress:
    """The progress bar of a long stage: its name, a bar, done/total, elapsed time and
    (``detail``) what it is working on."""
    columns = [
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        CountColumn(),
        TimeElapsedColumn(),
    ]
    if detail:
        columns.append(TextColumn("{task.description}"))
    return Progress(*columns, console=console)


@dataclass
class Bar:
    """One task of a stage's progress bar, as the stages' callbacks drive it."""

    progress: Progress
    task: TaskID

    def start(self, total: int, description: str | None = None) -> None:
        """The total is known (``description``: what comes now)."""
        self.progress.update(self.task, total=total, completed=0, description=description)

    def total(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def advance(self, description: str | None = None) -> None:
        """One more item done (``description``: the item)."""
        self.progress.update(self.task, advance=1, description=description)

    def update(self, **fields: Any) -> None:
        self.progress.update(self.task, **fields)


@contextmanager
def stage_bar(
    label: str,
    console: Console,
    *,
    total: int | None = None,
    completed: int = 0,
    description: str = "",
    detail: bool = True,
) -> Iterator[Bar]:
    """:func:`stage_progress` with its one task, for a ``with`` block."""
    with stage_progress(label, console, detail=detail) as progress:
        yield Bar(progress, progress.add_task(description, total=total, completed=completed))


@contextmanager
def rows_progress(console: Console) -> Iterator[Callable[[str, int], None]]:
    """One line per table being written, with its rows so far (gone once done): the
    callback takes the table and its rows."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[rows]} lignes"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:

        def on_rows(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table, rows="0")
            progress.update(tasks[table], rows=fr.integer(rows))

        yield on_rows
