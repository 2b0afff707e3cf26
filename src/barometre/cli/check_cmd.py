"""``barometre check URL``: check one site now and show its report card."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from barometre.cli.context import AppContext, ensure_registry, find_authority
from barometre.cli.options import Methodology
from barometre.display.check import print_card
from barometre.outreach.check import check_with_settings
from barometre.pipeline.audit import parse_day


def check(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Adresse du site (https://…).")],
    authority: Annotated[
        str | None,
        typer.Option(
            "--authority",
            help="Code ou identifiant de la collectivité (ex. commune:75056) : ses faits du "
            "registre sont pris en compte.",
        ),
    ] = None,
    render: Annotated[
        bool, typer.Option("--render", help="Rendre aussi l'accueil dans Chromium.")
    ] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Écrire aussi le bulletin en PDF.")] = False,
    compare: Annotated[
        bool,
        typer.Option(
            "--comparer",
            help="Comparer avec le bulletin de la collectivité dans la dernière édition.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Dossier du bulletin (défaut : <données>/verifications/…)."),
    ] = None,
    as_of: Annotated[
        str, typer.Option("--date", help="Date de référence AAAA-MM-JJ (défaut : aujourd'hui).")
    ] = "",
    methodology: Methodology = "",
) -> None:
    """Vérifier un site maintenant : capture, audit avec la méthodologie en vigueur et
    bulletin (terminal, HTML, PDF sur demande), sans toucher aux éditions."""
    context: AppContext = ctx.obj
    reference = parse_day(as_of)
    registered = None
    if authority:
        ensure_registry(context)
        registered = find_authority(context, authority)
    with context.err.status(f"Vérification de {url}…"):
        report = check_with_settings(
            context.settings,
            context.engine,
            url,
            methodology,
            registered=registered,
            render=render,
            pdf=pdf,
            compare=compare,
            out=out,
            as_of=reference,
        )
    print_card(context.console, report)
