"""The outside reference data the detectors build on: install a downloaded archive,
or fetch a version and install it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from barometre import refdata
from barometre.capture.refdata import (
    Sources,
    fetch_config,
    update_third_party_web,
    update_webappanalyzer,
)
from barometre.errors import ConfigurationError
from barometre.net.fetcher import Fetcher
from barometre.refdata.vendor import (
    Installed,
    install_third_party_web,
    install_webappanalyzer,
    verify,
)
from barometre.settings import Settings

__all__ = [
    "Bundled",
    "Installed",
    "bundled",
    "install",
    "install_archive",
    "refdata",
    "update",
    "verify",
]


@dataclass(frozen=True)
class Bundled:
    """One data set shipped with the package, as its manifest describes it."""

    dataset: str
    version: str
    licence: str
    source: str
    files: int
    bytes: int


def bundled() -> list[Bundled]:
    """The bundled data sets (« ? » for what the manifest does not say)."""
    manifest = refdata.read_manifest()
    found = []
    for dataset in refdata.DATASETS:
        entry = manifest.get(dataset) or {}
        files = entry.get("files") or {}
        found.append(
            Bundled(
                dataset,
                str(entry.get("version", "?")),
                str(entry.get("licence", "?")),
                str(entry.get("source", "?")),
                len(files),
                sum(int(f.get("bytes", 0)) for f in files.values()),
            )
        )
    return found


def install(
    settings: Settings,
    dataset: str,
    *,
    archive: Path | None = None,
    version: str | None = None,
    commit: str | None = None,
    sha256: str | None = None,
) -> Installed:
    """Install ``dataset`` from ``archive`` when given (nothing is fetched), else download it."""
    if archive is not None:
        return install_archive(dataset, archive, version=version, commit=commit, sha256=sha256)
    return update(settings, dataset, version=version, commit=commit, sha256=sha256)


def install_archive(
    dataset: str,
    archive: Path,
    *,
    version: str | None = None,
    commit: str | None = None,
    sha256: str | None = None,
) -> Installed:
    """Install ``dataset`` from an archive already downloaded (nothing is fetched)."""
    today = date.today()
    data = archive.read_bytes()
    if dataset == refdata.THIRD_PARTY_WEB:
        if not version:
            raise ConfigurationError("--archive demande --version (celle de l'archive npm).")
        return install_third_party_web(
            data,
            version=version,
            source=f"archive locale {archive.name}",
            archive_sha256=sha256,
            retrieved=today,
        )
    if not commit:
        raise ConfigurationError("--archive demande --commit (celui de l'archive).")
    return install_webappanalyzer(
        data,
        commit=commit,
        source=f"archive locale {archive.name}",
        archive_sha256=sha256,
        retrieved=today,
    )


def update(
    settings: Settings,
    dataset: str,
    *,
    version: str | None = None,
    commit: str | None = None,
    sha256: str | None = None,
) -> Installed:
    """Download a version of ``dataset``, check it, rewrite its files and the manifest."""
    today = date.today()

    async def run() -> Installed:
        async with Fetcher(fetch_config(settings.user_agent)) as fetcher:
            if dataset == refdata.THIRD_PARTY_WEB:
                return await update_third_party_web(
                    fetcher, version=version, sources=Sources(), today=today
                )
            return await update_webappanalyzer(
                fetcher, commit=commit, sources=Sources(), today=today, archive_sha256=sha256
            )

    return asyncio.run(run())
