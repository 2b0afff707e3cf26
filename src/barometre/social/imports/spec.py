"""The export formats as data: ``formats.toml`` loaded, checked, and matched to headers.

Keeping the column spellings in a versioned data file (with where each comes from and
how sure it is) lets a maintainer fix a header that a platform renamed without touching
the parsers. Header cells and aliases are compared in their folded form
(:func:`barometre.vocab.text.fold`), so ``"Heure de publication"``, ``"heure de
publication "`` and ``"HEURE DE PUBLICATION"`` are the same column.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from barometre.errors import ConfigurationError
from barometre.social.imports.values import Cell
from barometre.vocab.text import fold

RESOURCE = "formats.toml"
ANY_PLATFORM = "*"


@dataclass(frozen=True)
class FormatSpec:
    """One export format: its platforms, fields and the header spellings of each field."""

    id: str
    family: str
    label: str
    platforms: tuple[str, ...]
    columns: Mapping[str, tuple[str, ...]]  # field → aliases (English interface)
    columns_fr: Mapping[str, tuple[str, ...]]  # field → aliases (French interface)
    signature: tuple[str, ...]  # all of these fields
    required: tuple[str, ...]
    ignore: frozenset[str]  # folded
    day_first: bool
    sheets: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()  # and at least one of these (when given)
    confidence: str = ""
    tables: Mapping[str, Any] = field(default_factory=dict)  # family-specific tables

    def accepts(self, platform: str) -> bool:
        return ANY_PLATFORM in self.platforms or platform in self.platforms

    def mapping(self, name: str) -> dict[str, str]:
        """A folded-key lookup table of this format (``post_types``…)."""
        table = self.tables.get(name, {})
        return {fold(str(key)): str(value) for key, value in table.items()}

    def headline(self) -> str:
        """The main expected columns, for error messages (English spellings)."""
        names = [self.columns[f][0] for f in self.signature if f in self.columns]
        alternatives = [self.columns[f][0] for f in self.one_of if f in self.columns]
        if alternatives:
            names.append(" ou ".join(alternatives))
        return ", ".join(names)


@dataclass(frozen=True)
class HeaderMatch:
    """Where each field of a format sits in one header row."""

    spec: FormatSpec
    index: Mapping[str, int]  # field → column index
    names: tuple[str, ...]  # the header cells as written
    french: bool  # at least one column was recognised by its French spelling
    unknown: tuple[str, ...]  # header cells neither used nor ignored

    @property
    def complete(self) -> bool:
        spec = self.spec
        if not all(f in self.index for f in spec.signature):
            return False
        return not spec.one_of or any(f in self.index for f in spec.one_of)

    def column(self, name: str) -> str:
        """The header of a field as written in the file (for messages)."""
        return self.names[self.index[name]] if name in self.index else name


@dataclass(frozen=True)
class Catalog:
    version: str
    formats: Mapping[str, FormatSpec]

    def for_platform(self, platform: str) -> list[FormatSpec]:
        """Formats accepted for ``platform``, the specific ones first, generic last."""
        found = [f for f in self.formats.values() if f.accepts(platform)]
        return sorted(found, key=lambda f: ANY_PLATFORM in f.platforms)


def match_header(spec: FormatSpec, cells: Sequence[Cell]) -> HeaderMatch:
    """Match one row of cells against ``spec``'s aliases (first alias present wins)."""
    names = tuple("" if c is None else str(c).strip() for c in cells)
    folded = [fold(n) for n in names]
    index: dict[str, int] = {}
    french = False
    fields = [*spec.columns, *(f for f in spec.columns_fr if f not in spec.columns)]
    for name in fields:
        candidates = [(a, False) for a in spec.columns.get(name, ())]
        candidates += [(a, True) for a in spec.columns_fr.get(name, ())]
        for alias, is_french in candidates:
            key = fold(alias)
            if key in folded:
                position = folded.index(key)
                if position in index.values():
                    continue
                index[name] = position
                french = french or (is_french and key not in _english(spec))
                break
    used = set(index.values())
    unknown = tuple(
        names[i] for i, key in enumerate(folded) if key and i not in used and key not in spec.ignore
    )
    return HeaderMatch(spec, index, names, french, unknown)


def _english(spec: FormatSpec) -> frozenset[str]:
    return frozenset(fold(a) for aliases in spec.columns.values() for a in aliases)


@cache
def catalog() -> Catalog:
    """The formats shipped with the package (``formats.toml``), loaded once."""
    resource = resources.files("barometre.social.imports").joinpath(RESOURCE)
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{RESOURCE} illisible : {exc}") from exc
    return parse_catalog(data)


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Check and convert the TOML document (a maintainer's typo fails loudly here)."""
    formats: dict[str, FormatSpec] = {}
    for format_id, raw in dict(data.get("formats", {})).items():
        try:
            columns = _aliases(raw.get("columns", {}))
            columns_fr = _aliases(raw.get("columns_fr", {}))
            signature = tuple(raw["signature"])
            known = {*columns, *columns_fr}
            one_of = tuple(raw.get("one_of", ()))
            listed = (*signature, *one_of, *raw.get("required", ()))
            missing = [f for f in listed if f not in known]
            if missing:
                raise ValueError(f"champs sans colonne : {', '.join(missing)}")
            special = {"columns", "columns_fr", "ignore"}
            formats[format_id] = FormatSpec(
                id=format_id,
                family=str(raw["family"]),
                label=str(raw["label"]),
                platforms=tuple(raw["platforms"]),
                columns=columns,
                columns_fr=columns_fr,
                signature=signature,
                required=tuple(raw.get("required", ())),
                ignore=frozenset(fold(c) for c in raw.get("ignore", {}).get("columns", ())),
                day_first=bool(raw.get("day_first", False)),
                sheets=tuple(raw.get("sheets", ())),
                one_of=one_of,
                confidence=str(raw.get("confidence", "")),
                tables={k: v for k, v in raw.items() if isinstance(v, dict) and k not in special},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{RESOURCE} : format « {format_id} » invalide : {exc}"
            ) from exc
    return Catalog(version=str(data.get("version", "")), formats=formats)


def _aliases(table: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {str(name): tuple(str(a) for a in aliases) for name, aliases in table.items()}
