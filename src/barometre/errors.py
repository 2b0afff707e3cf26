"""One error tree for the whole project.

Every error a user can cause (bad file, bad setting, unknown code…) derives from
:class:`BarometreError`; the CLI turns these into a French message and an exit code,
and never shows a traceback for them.
"""

from __future__ import annotations

from pathlib import Path


class BarometreError(Exception):
    """Base of every expected failure. ``str(error)`` is a French, user-facing message."""

    exit_code = 1


class ConfigurationError(BarometreError):
    """A setting or a configuration file is invalid."""

    exit_code = 2


class SourceError(BarometreError):
    """A data source file cannot be read; names the file and, when known, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where} : {message}")


class SourceMissingError(SourceError):
    """An expected source file does not exist."""


class RegistryError(BarometreError):
    """The registry is inconsistent or a lookup failed."""


class UnknownAuthorityError(RegistryError):
    """No collectivité matches the given code."""


class StorageError(BarometreError):
    """The database cannot be opened, migrated or written."""


class EditionFrozenError(StorageError):
    """An attempt was made to change a frozen (published) edition."""


class MethodologyError(ConfigurationError):
    """A methodology file is missing or invalid (names the file and the problem)."""


class ArchiveDamagedError(StorageError):
    """A WARC archive cannot be read back as its index says (missing, truncated, damaged)."""

    exit_code = 3


class LeaseLostError(StorageError):
    """Another writer took over a site whose lease this process held (it had expired)."""


class EditionTamperedError(StorageError):
    """A frozen edition no longer matches its manifest."""

    exit_code = 3
