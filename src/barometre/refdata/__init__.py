"""Outside reference data the detectors build on, vendored with version, licence and checksum.

Two datasets maintained by the field, copied here unchanged (or, for the fingerprints, a
subset of whole records) by ``barometre refdata update`` (see :mod:`.vendor`):

* ``third-party-web`` (patrickhulce/third-party-web, MIT): every known third party of the
  web, with its category (analytics, ad, social, video, tag-manager, consent-provider,
  cdn…), domains and products; ``third_party_web/entities.json`` is the npm package's
  ``dist/entities.json``.
* ``webappanalyzer`` (enthec/webappanalyzer, GPL-3.0, the community fork of Wappalyzer):
  technology fingerprints; ``webappanalyzer/technologies.json`` keeps the technologies of
  the categories listed in the manifest, ``categories.json`` is copied whole.

``MANIFEST.json`` records, per dataset, the version (or commit), the source address, the
licence, the SHA-256 of the downloaded archive and of every file written. Every read is
checked against it: a file edited by hand stops the program with a message that says how
to restore it.

Our own additions (French public-sector analytics, consent managers, CMS, platform hosts)
live in ``overlay/`` in the same formats and are layered on top by :func:`entities` and
:func:`technologies` (rules in ``overlay/README.md``). This package only reads files: the
download is ``barometre.capture.refdata``'s business.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from barometre.errors import BarometreError

ROOT = Path(__file__).resolve().parent
MANIFEST = "MANIFEST.json"
THIRD_PARTY_WEB = "third-party-web"
WEBAPPANALYZER = "webappanalyzer"
DATASETS = (THIRD_PARTY_WEB, WEBAPPANALYZER)
OVERLAY = "overlay"
# Keys of an overlay entity whose lists are added to the upstream entity's, not replaced.
_APPENDED = ("domains", "examples", "products", "urlPatterns", "scripts", "aliases")


class RefDataError(BarometreError):
    """A vendored file is missing, altered, or not in the expected format."""


def _update_hint(dataset: str) -> str:
    return f"relancez « barometre refdata update {dataset} » ou restaurez le fichier depuis git"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(root: Path = ROOT) -> dict[str, Any]:
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RefDataError(f"{path} : manifeste des données de référence absent") from exc
    except json.JSONDecodeError as exc:
        raise RefDataError(f"{path}:{exc.lineno} : JSON illisible ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise RefDataError(f"{path} : un objet JSON est attendu")
    return data


def record(dataset: str, root: Path = ROOT) -> dict[str, Any]:
    """The manifest entry of ``dataset`` (version, source, licence, files…)."""
    entry = read_manifest(root).get(dataset)
    if not isinstance(entry, dict):
        raise RefDataError(f"{root / MANIFEST} : jeu « {dataset} » absent du manifeste")
    return entry


def read_vendored(dataset: str, name: str, root: Path = ROOT) -> bytes:
    """The bytes of a vendored file, after checking them against the manifest."""
    files = record(dataset, root).get("files") or {}
    expected = files.get(name)
    path = root / name
    if not isinstance(expected, dict):
        raise RefDataError(f"{root / MANIFEST} : fichier {name} non déclaré pour « {dataset} »")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RefDataError(f"{path} : fichier absent ; {_update_hint(dataset)}") from exc
    if sha256(data) != expected.get("sha256"):
        raise RefDataError(
            f"{path} : empreinte SHA-256 différente de celle du manifeste (fichier modifié "
            f"à la main ?) ; {_update_hint(dataset)}"
        )
    return data


def _json(data: bytes | str, path: Path | str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise RefDataError(f"{path}:{exc.lineno} : JSON illisible ({exc.msg})") from exc


def read_overlay(name: str, root: Path = ROOT) -> Any:
    path = root / OVERLAY / name
    return _json(path.read_text(encoding="utf-8"), path)


# --- third-party-web --------------------------------------------------------------------


def merge_entities(
    upstream: list[dict[str, Any]], overlay: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Upstream entities with ours layered on top.

    An overlay entity whose ``name`` is an upstream entity's replaces the keys it gives,
    except the lists in ``_APPENDED`` (domains, products…), which are added. Any other
    overlay entity is appended. A domain an overlay entity lists is taken from the
    upstream entity that had it (a domain belongs to one entity)."""
    merged = [dict(e) for e in upstream]
    index = {e["name"]: i for i, e in enumerate(merged)}
    claimed: set[str] = set()
    for entry in overlay:
        claimed.update(entry.get("domains") or ())
    for entity in merged:
        if claimed & set(entity.get("domains") or ()):
            entity["domains"] = [d for d in entity["domains"] if d not in claimed]
    for entry in overlay:
        position = index.get(entry["name"])
        if position is None:
            index[entry["name"]] = len(merged)
            merged.append(dict(entry))
            continue
        target = merged[position]
        for key, value in entry.items():
            if key in _APPENDED and isinstance(value, list):
                current = list(target.get(key) or [])
                target[key] = current + [v for v in value if v not in current]
            else:
                target[key] = value
    return merged


@cache
def entities() -> tuple[dict[str, Any], ...]:
    """third-party-web's entities with our overlay (``overlay/third_party_web.json``)."""
    path = ROOT / "third_party_web" / "entities.json"
    upstream = _json(read_vendored(THIRD_PARTY_WEB, "third_party_web/entities.json"), path)
    overlay = read_overlay("third_party_web.json")
    return tuple(merge_entities(upstream, overlay))


# --- webappanalyzer ---------------------------------------------------------------------


def merge_technologies(
    upstream: Mapping[str, dict[str, Any]], overlay: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Upstream fingerprints with ours on top: an overlay technology of the same name
    replaces the keys it gives; a new name is added."""
    merged = {name: dict(spec) for name, spec in upstream.items()}
    for name, spec in overlay.items():
        merged.setdefault(name, {}).update(spec)
    return merged


@cache
def technologies() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(technologies with our overlay, categories) of the Wappalyzer-format fingerprints."""
    folder = ROOT / "webappanalyzer"
    upstream = _json(
        read_vendored(WEBAPPANALYZER, "webappanalyzer/technologies.json"),
        folder / "technologies.json",
    )
    categories = _json(
        read_vendored(WEBAPPANALYZER, "webappanalyzer/categories.json"),
        folder / "categories.json",
    )
    overlay = read_overlay("webappanalyzer.json")
    return merge_technologies(upstream, overlay), categories
