"""Rich display of ``barometre notify``: the messages written, sent, held back."""

from __future__ import annotations

from rich.console import Console

from barometre.outreach.notify import NotifyReport
from barometre.vocab import fr


def print_notify(console: Console, err: Console, report: NotifyReport, *, send: bool) -> None:
    """The messages written (and, with ``send``, sent); on ``err``, the addresses whose
    sending was interrupted or refused."""
    folder = report.written[0].parent if report.written else None
    console.print(
        f"Édition {report.edition} : {fr.count(len(report.notes), 'message')} "
        f"{fr.plural(len(report.notes), 'écrit')}"
        + (f" dans {folder}" if folder else "")
        + f" ; {fr.count(report.without_email, 'collectivité')} sans adresse connue"
        + f" ; {fr.count(len(report.opted_out), 'adresse')} sur la liste d'opposition.",
        highlight=False,
    )
    if send:
        console.print(
            f"Envoi : {fr.count(len(report.sent), 'message envoyé', 'messages envoyés')}, "
            f"{fr.integer(len(report.already))} déjà {fr.plural(len(report.already), 'envoyé')} "
            "auparavant.",
            highlight=False,
        )
    for address in report.uncertain:
        err.print(
            f"[yellow]{address} : un envoi précédent a été interrompu ; le message n'est pas "
            "renvoyé (vérifiez la file du serveur SMTP).[/yellow]",
            highlight=False,
        )
    for address, reason in report.refused:
        err.print(
            f"[red]{address} : refusé par le serveur ({reason}) ; il sera retenté au prochain "
            "envoi.[/red]",
            highlight=False,
        )
