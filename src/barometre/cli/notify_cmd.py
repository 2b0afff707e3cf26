"""``barometre notify``: the message of each collectivité about an edition."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.context import AppContext, find_authorities
from barometre.cli.options import AuthorityCodes, Edition
from barometre.display.notify import print_notify
from barometre.outreach.notify import notify_with_settings
from barometre.pipeline.core import check_edition


def notify(
    ctx: typer.Context,
    edition: Edition,
    send: Annotated[
        bool,
        typer.Option(
            "--send", help="Envoyer par SMTP (réglages smtp_*) ; sans lui, écrire les .eml."
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Dossier des .eml (défaut : <données>/messages/<édition>)."),
    ] = None,
    only: AuthorityCodes = None,
) -> None:
    """Préparer (et envoyer avec --send) à chaque collectivité dont l'adresse est connue
    son score, ce qui a changé, ses trois premières recommandations et le lien vers son
    bulletin ; un message n'est jamais envoyé deux fois, la liste d'opposition est suivie."""
    context: AppContext = ctx.obj
    edition = check_edition(edition)
    ids = [a.id for a in find_authorities(context, only)] if only else None
    report = notify_with_settings(
        context.settings,
        context.engine,
        edition,
        send=send,
        out=out,
        only=ids,
    )
    print_notify(context.console, context.err, report, send=send)
