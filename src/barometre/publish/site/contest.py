"""Contesting a result from its card: a pre-filled e-mail in the explanation file format.

The message body is a TOML file of the format ``barometre explanation import`` reads
(:mod:`barometre.scoring.explanations`): one ``[[explications]]`` table naming the
collectivité, the criterion, the nature and the day, with the edition, the measured
result and its evidence as comments. The collectivité writes its text, and the publisher
saves the body as a ``.toml`` file and imports it as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import quote

from barometre.models import Authority, Evidence

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://\S+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
EVIDENCE_SHOWN = 3


def _comment(text: str, limit: int = 200) -> str:
    """Text safe in a TOML comment: one line, no control character, bounded."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def contest_file(
    authority: Authority,
    criterion_code: str,
    criterion_name: str,
    status_label: str,
    evidence: Sequence[Evidence],
    edition: str,
    edition_title: str,
    on: date,
) -> str:
    """The body of the message: an explanation file to complete."""
    lines = [
        "# Explication ou contestation d'un résultat du Baromètre numérique des territoires.",
        "# Écrivez votre texte entre les triples guillemets, votre nom et votre fonction dans",
        "# « auteur » ; « nature » : contestation (la mesure est fausse) ou explication (elle",
        "# est juste, voici pourquoi). Ce message est importé tel quel : gardez sa forme.",
        f"# Édition : {_comment(edition_title)} ({_comment(edition)})",
        f"# Critère : {_comment(criterion_code)} — {_comment(criterion_name)}",
        f"# Résultat mesuré : {_comment(status_label)}",
    ]
    for item in evidence[:EVIDENCE_SHOWN]:
        parts = [p for p in (item.url, item.text and f"« {item.text} »", item.header) if p]
        if parts:
            lines.append(f"# Preuve : {_comment(' '.join(parts))}")
    lines += [
        "",
        "[[explications]]",
        f"type = {_toml_string(authority.kind.value)}",
        f"code = {_toml_string(authority.code)}",
        f"critere = {_toml_string(criterion_code)}",
        'nature = "contestation"',
        'texte = """',
        '"""',
        'auteur = ""',
        f"date = {on.isoformat()}",
        "",
    ]
    return "\n".join(lines)


def contest_href(contact: str | None, subject: str, body: str) -> str:
    """Where the card's « contester » link leads: a pre-filled e-mail to the publisher's
    address, or the publisher's contest form when its contact is a web page."""
    text = contact or ""
    email = _EMAIL.search(text)
    if email is None:
        page = _URL.search(text)
        if page is not None:
            return page.group(0)
    address = email.group(0) if email else ""
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
