"""``barometre serve --datasette``: the edition's SQLite export in Datasette."""

from __future__ import annotations

import contextlib
from datetime import date

from barometre.cli.context import AppContext
from barometre.outreach.explore import find_export, start_datasette


def serve_datasette(context: AppContext, edition: str, host: str, port: int) -> None:
    edition = edition or f"{date.today():%Y-%m}"
    exported = find_export(context.settings.data_dir / "exports", edition)
    context.console.print(
        f"Données de l'édition {edition} dans Datasette, en lecture seule, sur "
        f"http://{host}:{port}/ (Ctrl-C pour arrêter).",
        highlight=False,
    )
    process = start_datasette(exported, host, port)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
