"""Reading one export or declared-figures file into an :class:`ImportBatch`.

This is what ``barometre social import FILE --platform P`` calls. The batch is built
whole in memory and returned; nothing is written anywhere, so a file rejected half-way
(``strict``, the default) leaves nothing behind. The caller stores the batch, with the
file's ``sha256`` so that importing the same bytes twice is recognised.

The format is found from the header row (and, for workbooks, the sheet names): each
format of ``formats.toml`` accepted for the platform is tried on the first rows of every
table, the platform's own formats before the generic posts CSV. Unknown headers give an
error that lists the accepted formats and their main columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from barometre.errors import SourceError
from barometre.models import (
    FollowerCount,
    SocialPost,
    SocialProfile,
    SocialSource,
)
from barometre.social.imports import generic, linkedin, meta, tiktok, x
from barometre.social.imports.declared import DeclaredFigure
from barometre.social.imports.declared import extract as extract_declared
from barometre.social.imports.posts import Extracted
from barometre.social.imports.rows import Source
from barometre.social.imports.spec import FormatSpec, HeaderMatch, catalog, match_header
from barometre.social.imports.tables import Loaded, Table, load
from barometre.social.imports.values import CellError, day_first_of
from barometre.vocab.platforms import PLATFORMS

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

EXPORT_PLATFORMS = ("facebook", "instagram", "x", "linkedin", "tiktok", "threads")
"""The closed platforms whose figures come from owners' exports."""
PLATFORM_ALIASES = {"twitter": "x", "fb": "facebook", "ig": "instagram"}
DEFAULT_TZ = "Europe/Paris"
HEADER_SCAN_ROWS = 10
"""A header is looked for in the first rows of a table (notice lines come before it)."""
DECLARED = "declared"
DECLARED_HINT = " ; ce fichier est un CSV de chiffres déclarés : importez-le comme tel"
MIXED = "mixed"


@dataclass(frozen=True)
class ImportBatch:
    """Everything read from one file, with where it comes from.

    ``declared`` is filled for the declared-figures CSV only. ``sponsored_post_ids`` are
    the posts the export marks as paid for (boosted, sponsored, promoted). ``warnings``
    are French: skipped rows (``strict=False``), unused columns, what the file could not
    give. ``platform`` is the platform of the export; for a declared-figures file, the
    platform of its rows, or ``"mixed"`` when they name several.
    """

    platform: str
    source: SocialSource
    path: str
    sha256: str
    format: str
    profiles: tuple[SocialProfile, ...] = ()
    posts: tuple[SocialPost, ...] = ()
    followers: tuple[FollowerCount, ...] = ()
    declared: tuple[DeclaredFigure, ...] = ()
    sponsored_post_ids: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()

    def report(self) -> dict[str, object]:
        """A JSON-ready summary (what ``social_imports.report`` keeps)."""
        return {
            "format": self.format,
            "profiles": len(self.profiles),
            "posts": len(self.posts),
            "followers": len(self.followers),
            "declared": len(self.declared),
            "sponsored": len(self.sponsored_post_ids),
            "warnings": list(self.warnings),
        }


_FAMILIES: dict[str, Callable[[Source], Extracted]] = {
    "meta": meta.extract_publications,
    "meta-daily": meta.extract_daily,
    "x": x.extract,
    "linkedin": linkedin.extract_updates,
    "linkedin-followers": linkedin.extract_followers,
    "tiktok": tiktok.extract,
    "generic": generic.extract,
}


def read_export(
    path: Path,
    platform: str,
    *,
    account_handle: str | None = None,
    format: str | None = None,
    strict: bool = True,
    tz: str = DEFAULT_TZ,
) -> ImportBatch:
    """Read an owner's export of ``platform`` (``format`` forces one; else detected).

    ``account_handle`` names the account when the file does not (LinkedIn, the generic
    CSV) and is checked against the file when it does. Local times in the file are read
    in ``tz`` (Europe/Paris) unless the file writes an offset.
    """
    platform = normalize_platform(path, platform)
    loaded = load(path)
    spec, table, header_at, found = _locate(loaded, platform, format, exclude=(DECLARED,))
    source = _source(loaded, spec, table, header_at, found, platform, tz, strict)
    source.account_handle = account_handle.strip() if account_handle else None
    extracted = _FAMILIES[spec.family](source)
    return ImportBatch(
        platform=platform,
        source=SocialSource.IMPORT,
        path=str(path),
        sha256=loaded.sha256,
        format=spec.id,
        profiles=tuple(extracted.profiles),
        posts=tuple(extracted.posts),
        followers=tuple(extracted.followers),
        sponsored_post_ids=frozenset(extracted.sponsored),
        warnings=tuple(source.warnings),
    )


def read_declared(path: Path, *, strict: bool = True, today: date | None = None) -> ImportBatch:
    """Read the declared-figures CSV (see :mod:`barometre.social.imports.declared`)."""
    loaded = load(path)
    spec, table, header_at, found = _locate(loaded, "*", DECLARED)
    source = _source(loaded, spec, table, header_at, found, "*", DEFAULT_TZ, strict)
    figures, followers = extract_declared(source, today or date.today())
    platforms = sorted({f.platform for f in figures})
    return ImportBatch(
        platform=platforms[0] if len(platforms) == 1 else MIXED,
        source=SocialSource.DECLARED,
        path=str(path),
        sha256=loaded.sha256,
        format=spec.id,
        followers=tuple(followers),
        declared=tuple(figures),
        warnings=tuple(source.warnings),
    )


def detect_format(path: Path, platform: str) -> str:
    """The id of the export format of ``path`` for ``platform`` (French error if none)."""
    platform = normalize_platform(path, platform)
    spec, _, _, _ = _locate(load(path), platform, None, exclude=(DECLARED,))
    return spec.id


def accepted_formats(platform: str) -> list[FormatSpec]:
    """The formats an export of ``platform`` may have (generic posts CSV last)."""
    name = PLATFORM_ALIASES.get(platform.strip().lower(), platform.strip().lower())
    return [f for f in catalog().for_platform(name) if f.id != DECLARED]


def normalize_platform(path: Path, platform: str) -> str:
    name = platform.strip().lower()
    name = PLATFORM_ALIASES.get(name, name)
    if name not in PLATFORMS:
        raise SourceError(
            path, f"plateforme inconnue « {platform} » (attendues : {', '.join(PLATFORMS)})"
        )
    return name


# --- locating the header ---------------------------------------------------------------


def _locate(
    loaded: Loaded,
    platform: str,
    format_id: str | None,
    *,
    exclude: Sequence[str] = (),
) -> tuple[FormatSpec, Table, int, HeaderMatch]:
    formats = catalog().formats
    if format_id is not None:
        if format_id not in formats or format_id in exclude:
            known = ", ".join(f.id for f in accepted_formats(platform)) or ", ".join(formats)
            raise SourceError(loaded.path, f"format inconnu « {format_id} » (connus : {known})")
        specs = [formats[format_id]]
        if platform != "*" and not specs[0].accepts(platform):
            raise SourceError(
                loaded.path, f"le format « {format_id} » n'est pas un format de {platform}"
            )
    else:
        specs = [f for f in catalog().for_platform(platform) if f.id not in exclude]
    best: tuple[tuple[int, int, int], FormatSpec, Table, int, HeaderMatch] | None = None
    for rank, spec in enumerate(specs):
        for table in _tables_for(loaded.tables, spec):
            for at, (_, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
                found = match_header(spec, cells)
                if not found.complete:
                    continue
                generic_last = 0 if "*" not in spec.platforms or len(specs) == 1 else -1
                score = (generic_last, len(found.index), -rank)
                if best is None or score > best[0]:
                    best = (score, spec, table, at, found)
                break
    if best is None:
        raise _unrecognised(loaded, platform, specs, format_id, exclude)
    _, spec, table, at, found = best
    if "*" in spec.platforms and DECLARED in exclude and _looks_declared(loaded):
        # the generic posts CSV would take it, but it is a declared-figures file
        raise SourceError(loaded.path, f"format non reconnu pour {platform}{DECLARED_HINT}", 1)
    return spec, table, at, found


def _tables_for(tables: Sequence[Table], spec: FormatSpec) -> list[Table]:
    """Tables of the file, the sheets named by the format first."""
    preferred = [n.lower() for n in spec.sheets]
    return sorted(
        tables,
        key=lambda t: (
            preferred.index(t.sheet.lower())
            if t.sheet and t.sheet.lower() in preferred
            else len(preferred)
        ),
    )


def _looks_declared(loaded: Loaded) -> bool:
    declared = catalog().formats[DECLARED]
    return any(
        match_header(declared, cells).complete
        for table in loaded.tables
        for _, cells in table.rows[:HEADER_SCAN_ROWS]
    )


def _unrecognised(
    loaded: Loaded,
    platform: str,
    specs: Sequence[FormatSpec],
    format_id: str | None,
    exclude: Sequence[str],
) -> SourceError:
    seen = ""
    for table in loaded.tables:
        if table.rows:
            cells = [str(c) for c in table.rows[0][1] if c not in (None, "")][:12]
            seen = f" ; en-tête lu : {', '.join(cells)}" if cells else ""
            break
    if format_id is not None:
        spec = specs[0]
        return SourceError(
            loaded.path,
            f"le fichier ne correspond pas au format « {spec.id} » ({spec.label}) : "
            f"colonnes attendues : {spec.headline()}{seen}",
            line=1,
        )
    listed = " ; ".join(f"{s.id} ({s.label} — colonnes {s.headline()})" for s in specs)
    hint = DECLARED_HINT if DECLARED in exclude and _looks_declared(loaded) else ""
    return SourceError(
        loaded.path,
        f"format non reconnu pour {platform}. Formats acceptés : {listed}{seen}{hint}",
        line=1,
    )


def _source(
    loaded: Loaded,
    spec: FormatSpec,
    table: Table,
    header_at: int,
    found: HeaderMatch,
    platform: str,
    tz: str,
    strict: bool,
) -> Source:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceError(loaded.path, f"fuseau horaire inconnu « {tz} »") from exc
    # A lone "," or "." is read by the interface's language: French headers mean French
    # numbers; a platform's English headers mean English ones, even once a French
    # spreadsheet re-saved the file with ";". The barometer's own CSVs have no English
    # habit: ";" means a French spreadsheet, else a lone separator is a decimal mark.
    french = found.french
    decimal_comma: bool | None
    if french:
        decimal_comma = True
    elif spec.family in ("generic", "declared"):
        decimal_comma = True if table.delimiter == ";" else None
    else:
        decimal_comma = False
    source = Source(
        path=loaded.path,
        table=table,
        header_at=header_at,
        match=found,
        platform=platform,
        tz=zone,
        strict=strict,
        decimal_comma=decimal_comma,
    )
    date_field = "published_at" if "published_at" in found.index else "date"
    try:
        source.day_first = day_first_of(
            source.column_values(date_field), default=spec.day_first or french
        )
    except CellError as exc:
        raise source.fail(f"colonne « {found.column(date_field)} » : {exc}") from exc
    if found.unknown:
        source.warn(f"colonnes non utilisées : {', '.join(found.unknown)}")
    return source
