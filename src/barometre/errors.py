"""One error tree for the whole project.

Every error a user can cause (bad file, bad setting, unknown code…) derives from
:class:`BarometreError`; the CLI turns these into a French message and an exit code,
and never shows a traceback for them.
"""

from __future__ import annotations

import errno
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


_OS_REASONS = {
    errno.EACCES: "accès refusé (droits insuffisants)",
    errno.EPERM: "opération non permise (droits insuffisants)",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "plus de place sur le disque",
    getattr(errno, "EDQUOT", -1): "quota de disque dépassé",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.EEXIST: "existe déjà",
    errno.ENOTEMPTY: "dossier non vide",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EADDRINUSE: "adresse déjà utilisée (port occupé ?)",
}
_OS_HINTS = {
    errno.EACCES: "vérifiez les droits, ou choisissez un autre dossier (--data-dir)",
    errno.EPERM: "vérifiez les droits, ou choisissez un autre dossier (--data-dir)",
    errno.EROFS: "choisissez un dossier accessible en écriture (--data-dir)",
    errno.ENOSPC: "libérez de la place puis relancez la commande",
}


def os_reason(exc: OSError) -> str:
    """The French reason of a failed file operation (its system message otherwise)."""
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


class FileAccessError(BarometreError):
    """A file or folder cannot be read or written: names the path, the reason and, when
    there is one, what to do."""

    def __init__(self, exc: OSError, path: Path | str | None = None) -> None:
        self.path = path if path is not None else exc.filename
        reason = os_reason(exc)
        hint = _OS_HINTS.get(exc.errno or 0)
        where = f"{self.path}" if self.path is not None else "Système de fichiers"
        if exc.filename2 is not None and path is None:
            where += f" → {exc.filename2}"
        super().__init__(f"{where} : {reason}" + (f" ; {hint}." if hint else "."))
