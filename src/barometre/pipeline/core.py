"""What every stage of the pipeline receives: the settings, the database, the edition.

A run opens the database once (:class:`Setup`) and loads the edition once
(:func:`open_edition`): the stages read the methodology and the demo flag from the
:class:`EditionRun` instead of going back to storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from barometre.audit import load_methodology
from barometre.errors import ConfigurationError
from barometre.methodology import Methodology
from barometre.models import Edition
from barometre.settings import Settings
from barometre.storage import capture_repo, edition_repo
from barometre.storage.db import open_database

EDITION = re.compile(r"^(\d{4}-(0[1-9]|1[0-2])|demo(-[a-z0-9-]+)?)$")


def check_edition(edition: str) -> str:
    """``edition`` when it is a valid id (this month's when empty), else a French error."""
    edition = edition or f"{date.today():%Y-%m}"
    if not EDITION.match(edition):
        raise ConfigurationError(
            f"Édition « {edition} » invalide : AAAA-MM (ex. {date.today():%Y-%m}) ou demo-…"
        )
    return edition


@dataclass(frozen=True)
class Setup:
    """The settings and the database a run works on."""

    settings: Settings
    engine: Engine

    @classmethod
    def open(cls, settings: Settings) -> Setup:
        return cls(settings, open_database(settings.effective_database_url))


@dataclass(frozen=True)
class EditionRun:
    """One edition as loaded once for a run: its record and its methodology."""

    info: Edition
    methodology: Methodology

    @property
    def id(self) -> str:
        return self.info.id


def open_edition(
    engine: Engine,
    edition: str,
    *,
    methodology: str = "",
    create: bool = False,
    label: str = "",
    demo: bool = False,
) -> EditionRun:
    """The edition ``edition`` (created first when ``create``), with the methodology
    ``methodology`` names, or the one the edition was audited with."""
    edition = check_edition(edition)
    if create:
        capture_repo.ensure_edition(engine, edition, label or f"Édition {edition}", demo=demo)
    info = edition_repo.get_edition(engine, edition)
    return EditionRun(info, load_methodology(methodology or (info.methodology_version or "")))


class LoadedOnce:
    """The edition of a run, loaded on first use (after the audit recorded its
    methodology), then the same :class:`EditionRun` for every later stage."""

    def __init__(self, engine: Engine, edition: str) -> None:
        self.engine, self.edition = engine, edition
        self._run: EditionRun | None = None

    def __call__(self) -> EditionRun:
        if self._run is None:
            self._run = open_edition(self.engine, self.edition)
        return self._run


def ensure_edition(setup: Setup, edition: str, label: str = "", *, demo: bool = False) -> str:
    """Create the edition when it does not exist yet; returns its (checked) id."""
    edition = check_edition(edition)
    capture_repo.ensure_edition(setup.engine, edition, label or f"Édition {edition}", demo=demo)
    return edition
