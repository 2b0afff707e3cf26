"""``barometre notify``: the message of each collectivité about an edition."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.capture_cmd import check_edition
from barometre.cli.context import AppContext, AuthorityCodes, find_authorities
from barometre.outreach.notify import notify_with_settings
from barometre.vocab import fr


def notify(
    ctx: typer.Context,
    edition: Annotated[str, typer.Option("--edition", "-e", help="Édition AAAA-MM.")],
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
    folder = report.written[0].parent if report.written else None
    context.console.print(
        f"Édition {edition} : {fr.count(len(report.notes), 'message')} "
        f"{fr.plural(len(report.notes), 'écrit')}"
        + (f" dans {folder}" if folder else "")
        + f" ; {fr.count(report.without_email, 'collectivité')} sans adresse connue"
        + f" ; {fr.count(len(report.opted_out), 'adresse')} sur la liste d'opposition.",
        highlight=False,
    )
    if send:
        context.console.print(
            f"Envoi : {fr.count(len(report.sent), 'message envoyé', 'messages envoyés')}, "
            f"{fr.integer(len(report.already))} déjà {fr.plural(len(report.already), 'envoyé')} "
            "auparavant.",
            highlight=False,
        )
    for address in report.uncertain:
        context.err.print(
            f"[yellow]{address} : un envoi précédent a été interrompu ; le message n'est pas "
            "renvoyé (vérifiez la file du serveur SMTP).[/yellow]",
            highlight=False,
        )
    for address, reason in report.refused:
        context.err.print(
            f"[red]{address} : refusé par le serveur ({reason}) ; il sera retenté au prochain "
            "envoi.[/red]",
            highlight=False,
        )
