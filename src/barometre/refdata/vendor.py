"""Write a downloaded dataset into the package: verify, extract, rewrite, record.

Pure file work on archive bytes already in memory (the download is
``barometre.capture.refdata``): the archive is checked against the checksum its source
publishes (npm's ``integrity``) or the one the caller pins, the wanted files are read
from it without extracting anything else, validated (JSON shape, the invariants the
detectors rely on), written, and the manifest entry is rewritten last with the version,
source, licence, archive checksum and every file's checksum and size.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from barometre.refdata import (
    MANIFEST,
    ROOT,
    THIRD_PARTY_WEB,
    WEBAPPANALYZER,
    RefDataError,
    read_manifest,
    sha256,
)

MAX_MEMBER_BYTES = 64 * 2**20
# Wappalyzer categories kept (src/categories.json ids): CMS, wikis, analytics, blogs,
# JavaScript frameworks, editors, tag managers, page builders, static site generators,
# PaaS, cookie compliance, hosting.
WEBAPPANALYZER_CATEGORIES = (1, 8, 10, 11, 12, 20, 42, 51, 57, 62, 67, 88)
_WILDCARD = re.compile(r"^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$", re.IGNORECASE)


@dataclass(frozen=True)
class Installed:
    dataset: str
    version: str
    files: dict[str, int]  # path → bytes


def _members(archive: bytes, label: str) -> dict[str, bytes]:
    """Regular files of a .tar.gz, by name, read in memory (never extracted)."""
    out: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for member in tar:
                if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                    continue
                handle = tar.extractfile(member)
                if handle is not None:
                    out[member.name] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise RefDataError(f"{label} : archive illisible ({exc})") from exc
    return out


def check_integrity(archive: bytes, integrity: str, label: str) -> None:
    """npm's Subresource-Integrity string (``sha512-<base64>``) must match the bytes."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in ("sha512", "sha384", "sha256", "sha1"):
        raise RefDataError(f"{label} : empreinte « {integrity[:20]}… » d'un type inconnu")
    digest = base64.b64encode(hashlib.new(algorithm, archive).digest()).decode()
    if digest != expected:
        raise RefDataError(
            f"{label} : l'archive téléchargée ne correspond pas à l'empreinte publiée "
            f"({algorithm}) ; rien n'a été écrit"
        )


def _check_sha256(archive: bytes, expected: str | None, label: str) -> None:
    if expected and sha256(archive) != expected.lower():
        raise RefDataError(
            f"{label} : SHA-256 de l'archive différente de celle attendue ({expected[:12]}…) ; "
            "rien n'a été écrit"
        )


def _parse(data: bytes, label: str) -> Any:
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RefDataError(f"{label} : JSON illisible ({exc})") from exc


def validate_entities(entities: Any, label: str) -> None:
    """The shape and invariants of third-party-web's entity list: named entities with a
    category, domains written ``host`` or ``*.host``, no domain claimed twice."""
    if not isinstance(entities, list) or not entities:
        raise RefDataError(f"{label} : une liste d'entités non vide est attendue")
    owner: dict[str, str] = {}
    for position, entity in enumerate(entities):
        where = f"{label} : entité n° {position + 1}"
        if not isinstance(entity, dict) or not isinstance(entity.get("name"), str):
            raise RefDataError(f"{where} : « name » manquant")
        if not isinstance(entity.get("category"), str):
            raise RefDataError(f"{where} ({entity['name']}) : « category » manquante")
        domains = entity.get("domains")
        if not isinstance(domains, list):
            raise RefDataError(f"{where} ({entity['name']}) : « domains » doit être une liste")
        for domain in domains:
            if not isinstance(domain, str) or not _WILDCARD.match(domain):
                raise RefDataError(f"{where} ({entity['name']}) : domaine invalide {domain!r}")
            if domain in owner:
                raise RefDataError(
                    f"{where} : domaine {domain} à la fois chez {owner[domain]} et {entity['name']}"
                )
            owner[domain] = entity["name"]


def validate_technologies(technologies: Any, categories: Any, label: str) -> None:
    if not isinstance(categories, dict) or not categories:
        raise RefDataError(f"{label} : categories.json doit être un objet non vide")
    if not isinstance(technologies, dict) or not technologies:
        raise RefDataError(f"{label} : aucune technologie")
    for name, spec in technologies.items():
        cats = spec.get("cats") if isinstance(spec, dict) else None
        if not isinstance(cats, list) or not all(isinstance(c, int) for c in cats):
            raise RefDataError(f"{label} : {name} : « cats » doit être une liste d'entiers")


def compact_technologies(technologies: dict[str, Any]) -> bytes:
    """One technology per line, keys sorted: stable bytes and readable diffs."""
    lines = [
        json.dumps(name, ensure_ascii=False)
        + ":"
        + json.dumps(technologies[name], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for name in sorted(technologies)
    ]
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode()


def _write(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)


def _record_files(files: dict[str, bytes], origins: dict[str, str]) -> dict[str, Any]:
    return {
        name: {"from": origins[name], "sha256": sha256(data), "bytes": len(data)}
        for name, data in sorted(files.items())
    }


def _save_manifest(root: Path, dataset: str, entry: dict[str, Any]) -> None:
    try:
        manifest = read_manifest(root)
    except RefDataError:
        manifest = {}
    manifest[dataset] = entry
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _write(root, {MANIFEST: text.encode()})


def install_third_party_web(
    archive: bytes,
    *,
    version: str,
    source: str,
    integrity: str | None = None,
    archive_sha256: str | None = None,
    retrieved: date,
    root: Path = ROOT,
) -> Installed:
    """Install the npm tarball of ``third-party-web`` ``version`` (``package/…``)."""
    label = f"third-party-web {version}"
    if integrity:
        check_integrity(archive, integrity, label)
    _check_sha256(archive, archive_sha256, label)
    members = _members(archive, label)
    wanted = {
        "third_party_web/entities.json": "package/dist/entities.json",
        "third_party_web/LICENSE": "package/LICENSE",
    }
    missing = [origin for origin in wanted.values() if origin not in members]
    if missing:
        raise RefDataError(f"{label} : fichiers absents de l'archive : {', '.join(missing)}")
    package = _parse(members["package/package.json"], f"{label} package.json")
    if package.get("version") != version:
        raise RefDataError(
            f"{label} : l'archive annonce la version {package.get('version')!r} ; rien n'a été écrit"
        )
    files = {name: members[origin] for name, origin in wanted.items()}
    validate_entities(_parse(files["third_party_web/entities.json"], label), label)
    _write(root, files)
    _save_manifest(
        root,
        THIRD_PARTY_WEB,
        {
            "name": "third-party-web",
            "repository": "patrickhulce/third-party-web",
            "version": version,
            "source": source,
            "integrity": integrity,
            "archive_sha256": sha256(archive),
            "licence": str(package.get("license") or "MIT"),
            "retrieved": retrieved.isoformat(),
            "files": _record_files(files, wanted),
        },
    )
    return Installed(THIRD_PARTY_WEB, version, {n: len(d) for n, d in files.items()})


def install_webappanalyzer(
    archive: bytes,
    *,
    commit: str,
    source: str,
    archive_sha256: str | None = None,
    retrieved: date,
    root: Path = ROOT,
    categories: tuple[int, ...] = WEBAPPANALYZER_CATEGORIES,
) -> Installed:
    """Install the GitHub archive of enthec/webappanalyzer at ``commit``: the
    technologies of ``categories`` (whole records), ``categories.json`` and the licence."""
    label = f"webappanalyzer {commit[:12]}"
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise RefDataError(f"{label} : un commit de 40 chiffres hexadécimaux est attendu")
    _check_sha256(archive, archive_sha256, label)
    members = _members(archive, label)
    prefixes = {name.split("/", 1)[0] for name in members}
    if len(prefixes) != 1:
        raise RefDataError(f"{label} : archive inattendue (plusieurs dossiers racine)")
    top = prefixes.pop()
    if not top.endswith(commit) and not top.endswith(commit[:7]):
        raise RefDataError(
            f"{label} : l'archive est celle de « {top} », pas du commit demandé ; rien n'a été écrit"
        )
    technologies: dict[str, Any] = {}
    pattern = re.compile(rf"^{re.escape(top)}/src/technologies/[^/]+\.json$")
    for name, data in sorted(members.items()):
        if pattern.match(name):
            part = _parse(data, f"{label} {name}")
            if not isinstance(part, dict):
                raise RefDataError(f"{label} {name} : un objet JSON est attendu")
            technologies.update(part)
    categories_raw = members.get(f"{top}/src/categories.json")
    licence = members.get(f"{top}/LICENSE")
    if categories_raw is None or licence is None or not technologies:
        raise RefDataError(f"{label} : src/technologies, src/categories.json ou LICENSE absent")
    category_data = _parse(categories_raw, f"{label} categories.json")
    validate_technologies(technologies, category_data, label)
    kept = {
        name: spec
        for name, spec in technologies.items()
        if set(spec.get("cats") or ()) & set(categories)
    }
    files = {
        "webappanalyzer/technologies.json": compact_technologies(kept),
        "webappanalyzer/categories.json": categories_raw,
        "webappanalyzer/LICENSE": licence,
    }
    origins = {
        "webappanalyzer/technologies.json": "src/technologies/*.json (catégories "
        + ", ".join(str(c) for c in categories)
        + ")",
        "webappanalyzer/categories.json": "src/categories.json",
        "webappanalyzer/LICENSE": "LICENSE",
    }
    _write(root, files)
    _save_manifest(
        root,
        WEBAPPANALYZER,
        {
            "name": "webappanalyzer",
            "repository": "enthec/webappanalyzer",
            "version": commit[:12],
            "commit": commit,
            "source": source,
            "archive_sha256": sha256(archive),
            "licence": "GPL-3.0",
            "categories": list(categories),
            "technologies": len(kept),
            "retrieved": retrieved.isoformat(),
            "files": _record_files(files, origins),
        },
    )
    return Installed(WEBAPPANALYZER, commit[:12], {n: len(d) for n, d in files.items()})


def verify(root: Path = ROOT) -> list[str]:
    """Problems found (empty when every vendored file matches the manifest)."""
    problems = []
    manifest = read_manifest(root)
    for dataset in (THIRD_PARTY_WEB, WEBAPPANALYZER):
        entry = manifest.get(dataset)
        if not isinstance(entry, dict):
            problems.append(f"{dataset} : absent du manifeste")
            continue
        for name, expected in (entry.get("files") or {}).items():
            path = root / name
            if not path.is_file():
                problems.append(f"{path} : absent")
            elif sha256(path.read_bytes()) != expected.get("sha256"):
                problems.append(f"{path} : empreinte différente du manifeste")
    return problems
