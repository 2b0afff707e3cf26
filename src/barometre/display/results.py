"""How a check result reads in the terminal: its status in colour, its evidence in French."""

from __future__ import annotations

from barometre.models import Evidence, Status
from barometre.vocab.status import label_of

# The statuses in colour for the terminal (the words are vocab.status's).
STATUS_STYLES = {
    Status.PASS: "green",
    Status.PARTIAL: "yellow",
    Status.FAIL: "red",
    Status.NOT_APPLICABLE: "dim",
    Status.NOT_MEASURABLE: "magenta",
}


def styled_status(status: Status) -> str:
    return f"[{STATUS_STYLES[status]}]{label_of(status)}[/{STATUS_STYLES[status]}]"


def describe_evidence(item: Evidence) -> str:
    """« adresse : … ; texte : … » — one piece of evidence as a French line."""
    parts = [
        f"{label} : {value}"
        for label, value in (
            ("adresse", item.url),
            ("texte", item.text),
            ("en-tête", item.header),
            ("sélecteur", item.selector),
            ("note", item.note),
        )
        if value
    ]
    return " ; ".join(parts)
