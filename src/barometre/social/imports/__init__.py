"""Imports of what closed platforms let an account owner download, and declared figures.

Facebook, Instagram, X, LinkedIn, TikTok and Threads cannot be read by the barometer;
their presence comes from discovery, their figures only from the exports a page admin
downloads (Meta Business Suite, X Analytics, LinkedIn Page analytics, TikTok Studio, or
the barometer's generic posts CSV) and from figures the collectivité declares. Each
batch carries its source (``import`` or ``declared``), the file's path and sha256.

* :func:`read_export` — one export file → :class:`ImportBatch` (profiles, posts,
  follower counts, sponsored post ids, French warnings);
* :func:`read_declared` — the declared-figures CSV → :class:`ImportBatch` with
  :class:`DeclaredFigure` rows;
* :func:`detect_format` — which format a file has (French error listing the accepted
  ones otherwise).

Column spellings (English and French interfaces), their sources and how sure each is
are in ``formats.toml`` (versioned); the families are ``meta``, ``x``, ``linkedin``,
``tiktok``, ``generic`` and ``declared``.
"""

from barometre.social.imports.base import (
    EXPORT_PLATFORMS,
    PLATFORMS,
    ImportBatch,
    accepted_formats,
    detect_format,
    read_declared,
    read_export,
)
from barometre.social.imports.declared import DeclaredFigure

__all__ = [
    "EXPORT_PLATFORMS",
    "PLATFORMS",
    "DeclaredFigure",
    "ImportBatch",
    "accepted_formats",
    "detect_format",
    "read_declared",
    "read_export",
]
