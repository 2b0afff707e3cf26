"""Download the outside reference data (``barometre refdata update``).

The network half of :mod:`barometre.refdata.vendor`: it finds the version to install
(npm's ``latest`` tag, or the head of enthec/webappanalyzer's default branch), downloads
the archive through the project's guarded fetcher, and hands the bytes over with the
checksum their source publishes (npm's ``integrity``). Checking, extracting and writing
happen in :mod:`barometre.refdata.vendor`, which never touches the network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from barometre.net.fetcher import FetchConfig, Fetcher
from barometre.refdata import ROOT, RefDataError
from barometre.refdata.vendor import Installed, install_third_party_web, install_webappanalyzer

PACKAGE = "third-party-web"
REPOSITORY = "enthec/webappanalyzer"
MAX_ARCHIVE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Sources:
    """Where the datasets are published (tests point these at a loopback server)."""

    npm_registry: str = "https://registry.npmjs.org"
    github_api: str = "https://api.github.com"
    github_archives: str = "https://codeload.github.com"


def fetch_config(user_agent: str) -> FetchConfig:
    return FetchConfig(
        user_agent=user_agent,
        total_timeout=300.0,
        max_bytes=MAX_ARCHIVE_BYTES,
        max_raw_bytes=MAX_ARCHIVE_BYTES,
        per_host_delay=0.0,
        retries=2,
    )


async def _download(fetcher: Fetcher, url: str, accept: str = "*/*") -> bytes:
    result = await fetcher.fetch(url, headers={"Accept": accept})
    if not result.ok or result.status != 200:
        detail = result.error or (f"HTTP {result.status}" if result.status else result.outcome)
        raise RefDataError(f"{url} : téléchargement impossible ({detail})")
    return result.body


async def _json(fetcher: Fetcher, url: str) -> Any:
    body = await _download(fetcher, url, "application/json")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RefDataError(f"{url} : réponse JSON illisible ({exc})") from exc


async def update_third_party_web(
    fetcher: Fetcher,
    *,
    version: str | None = None,
    sources: Sources = Sources(),
    root: Path = ROOT,
    today: date | None = None,
) -> Installed:
    """Install ``third-party-web`` ``version`` (default: npm's ``latest``), checked
    against the integrity npm publishes for it."""
    url = f"{sources.npm_registry.rstrip('/')}/{PACKAGE}"
    document = await _json(fetcher, url)
    try:
        wanted = version or str(document["dist-tags"]["latest"])
        versions = document["versions"]
    except (KeyError, TypeError) as exc:
        raise RefDataError(f"{url} : document npm inattendu (champ {exc} absent)") from exc
    info = versions.get(wanted) if isinstance(versions, dict) else None
    if not isinstance(info, dict):
        known = ", ".join(sorted(versions, key=_version_key)[-5:]) if versions else "aucune"
        raise RefDataError(
            f"{PACKAGE} : version {wanted} inconnue du registre (dernières : {known})"
        )
    dist = info.get("dist") or {}
    tarball, integrity = dist.get("tarball"), dist.get("integrity")
    if not tarball or not integrity:
        raise RefDataError(f"{url} : {wanted} sans adresse d'archive ni empreinte publiée")
    archive = await _download(fetcher, str(tarball))
    return install_third_party_web(
        archive,
        version=wanted,
        source=str(tarball),
        integrity=str(integrity),
        retrieved=today or date.today(),
        root=root,
    )


async def update_webappanalyzer(
    fetcher: Fetcher,
    *,
    commit: str | None = None,
    sources: Sources = Sources(),
    root: Path = ROOT,
    today: date | None = None,
    archive_sha256: str | None = None,
) -> Installed:
    """Install enthec/webappanalyzer at ``commit`` (default: the head of its default
    branch). GitHub publishes no checksum: pass ``archive_sha256`` to pin one."""
    if commit is None:
        head = await _json(
            fetcher, f"{sources.github_api.rstrip('/')}/repos/{REPOSITORY}/commits/main"
        )
        commit = str(head.get("sha") or "") if isinstance(head, dict) else ""
    if not re.fullmatch(r"[0-9a-f]{40}", commit or ""):
        raise RefDataError(f"{REPOSITORY} : commit {commit!r} invalide (40 chiffres hexadécimaux)")
    url = f"{sources.github_archives.rstrip('/')}/{REPOSITORY}/tar.gz/{commit}"
    archive = await _download(fetcher, url)
    return install_webappanalyzer(
        archive,
        commit=commit,
        source=url,
        archive_sha256=archive_sha256,
        retrieved=today or date.today(),
        root=root,
    )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))
