"""Where the workers keep the WARC archives: a small interface, a shared filesystem today.

Every worker writes a site's archive under its own temporary name and renames it when
complete (see :mod:`barometre.capture.run`); the audit reads it back by the path stored
in the index. With several machines the folder is shared (NFS, CephFS…) at the same path
on each of them. An object store can take this place later: it writes locally, uploads
on completion and fetches an archive before it is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class ArchiveStore(Protocol):
    def writable_root(self) -> Path:
        """The folder under which the captures write ``<edition>/<site>.warc.gz``."""
        ...

    def readable(self, stored: str) -> Path:
        """A local path to read the archive the index names ``stored``."""
        ...


class SharedFolder:
    """Archives on a filesystem path that every worker mounts at the same place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def writable_root(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def readable(self, stored: str) -> Path:
        path = Path(stored)
        return path if path.is_absolute() else self.root / path

    def __repr__(self) -> str:
        return f"SharedFolder({str(self.root)!r})"
