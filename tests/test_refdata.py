"""Vendored reference data: the manifest and its checks, the overlay rules, and the update
command against a loopback registry (npm) and archive server (GitHub)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from typer.testing import CliRunner

from barometre import refdata
from barometre.capture.refdata import (
    Sources,
    fetch_config,
    update_third_party_web,
    update_webappanalyzer,
)
from barometre.cli.app import app
from barometre.net.fetcher import Fetcher
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.refdata import RefDataError, merge_entities, read_vendored
from barometre.refdata.vendor import install_third_party_web, verify

COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"
HOSTS = ("registry.npm.test", "api.github.test", "codeload.github.test")
ENTITIES = [
    {"name": "Exemple Analytics", "category": "analytics", "domains": ["*.analytics.test"]},
    {"name": "Exemple CMP", "category": "consent-provider", "domains": ["cmp.exemple.test"]},
]
TECHNOLOGIES_A = {"Alpha CMS": {"cats": [1], "meta": {"generator": "^Alpha"}}}
TECHNOLOGIES_B = {"Beta Server": {"cats": [22], "headers": {"Server": "Beta"}}}


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def npm_tarball(version: str) -> bytes:
    return _tar(
        {
            "package/package.json": json.dumps({"version": version, "license": "MIT"}).encode(),
            "package/dist/entities.json": json.dumps(ENTITIES).encode(),
            "package/LICENSE": b"MIT License (test)\n",
        }
    )


def github_archive(commit: str) -> bytes:
    top = f"webappanalyzer-{commit}"
    return _tar(
        {
            f"{top}/src/technologies/a.json": json.dumps(TECHNOLOGIES_A).encode(),
            f"{top}/src/technologies/b.json": json.dumps(TECHNOLOGIES_B).encode(),
            f"{top}/src/categories.json": json.dumps(
                {"1": {"name": "CMS"}, "22": {"name": "Web servers"}}
            ).encode(),
            f"{top}/LICENSE": b"GNU GENERAL PUBLIC LICENSE (test)\n",
        }
    )


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class Registry:
    """npm's registry document and tarballs, GitHub's API and archives, on loopback."""

    def __init__(self) -> None:
        self.good = npm_tarball("2.0.0")
        self.tampered = npm_tarball("1.9.0")
        self.archives = {COMMIT: github_archive(COMMIT), OTHER: github_archive(COMMIT)}
        self.hits: list[str] = []

    def app(self) -> web.Application:
        async def package(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            base = "http://registry.npm.test/third-party-web/-/third-party-web-"
            return web.json_response(
                {
                    "dist-tags": {"latest": "2.0.0"},
                    "versions": {
                        "2.0.0": {
                            "dist": {
                                "tarball": base + "2.0.0.tgz",
                                "integrity": integrity(self.good),
                            }
                        },
                        "1.9.0": {  # the published checksum is not the served archive's
                            "dist": {"tarball": base + "1.9.0.tgz", "integrity": integrity(b"x")}
                        },
                    },
                }
            )

        async def tarball(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            version = request.match_info["version"]
            return web.Response(body=self.good if version == "2.0.0" else self.tampered)

        async def head(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            return web.json_response({"sha": COMMIT})

        async def archive(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            return web.Response(body=self.archives[request.match_info["commit"]])

        application = web.Application()
        application.router.add_get("/third-party-web", package)
        application.router.add_get("/third-party-web/-/third-party-web-{version}.tgz", tarball)
        application.router.add_get("/repos/enthec/webappanalyzer/commits/main", head)
        application.router.add_get("/enthec/webappanalyzer/tar.gz/{commit}", archive)
        return application


SOURCES = Sources(
    npm_registry="http://registry.npm.test",
    github_api="http://api.github.test",
    github_archives="http://codeload.github.test",
)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[tuple[Registry, int]]:
    registry = Registry()
    runner = web.AppRunner(registry.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield registry, port
    await runner.cleanup()


def fetcher(port: int, policy: AddressPolicy | None = None) -> Fetcher:
    guard = policy if policy is not None else AddressPolicy.allowing(["127.0.0.1/32"])
    resolver = GuardedResolver(
        guard, static_hosts=dict.fromkeys(HOSTS, "127.0.0.1"), port_map={80: port}
    )
    return Fetcher(fetch_config("barometre-test"), resolver=resolver)


# --- the vendored files ------------------------------------------------------------------


def test_vendored_files_match_the_manifest_which_records_version_and_licence() -> None:
    assert verify() == []
    tpw = refdata.record(refdata.THIRD_PARTY_WEB)
    wap = refdata.record(refdata.WEBAPPANALYZER)
    assert (tpw["licence"], wap["licence"]) == ("MIT", "GPL-3.0")
    assert tpw["version"] and len(wap["commit"]) == 40
    assert tpw["integrity"].startswith("sha512-")
    assert all(len(f["sha256"]) == 64 for f in {**tpw["files"], **wap["files"]}.values())


def test_a_file_edited_by_hand_is_refused_with_its_path(tmp_path: Path) -> None:
    root = tmp_path / "refdata"
    shutil.copytree(refdata.ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = root / "third_party_web" / "entities.json"
    path.write_bytes(path.read_bytes().replace(b"Google Analytics", b"Google Analytix"))
    with pytest.raises(RefDataError, match=r"entities\.json : empreinte SHA-256 différente"):
        read_vendored(refdata.THIRD_PARTY_WEB, "third_party_web/entities.json", root=root)
    assert verify(root) == [f"{path} : empreinte différente du manifeste"]


def test_overlay_replaces_given_keys_appends_lists_and_takes_domains() -> None:
    upstream = [
        {"name": "A", "category": "utility", "domains": ["*.a.test", "shared.test"]},
        {"name": "B", "category": "ad", "domains": ["*.b.test"], "products": [{"name": "P"}]},
    ]
    overlay = [
        {"name": "B", "category": "analytics", "products": [{"name": "Q"}], "aliases": ["bee"]},
        {"name": "C", "category": "social", "domains": ["shared.test"]},
    ]
    merged = {e["name"]: e for e in merge_entities(upstream, overlay)}
    assert merged["A"]["domains"] == ["*.a.test"]  # shared.test now belongs to C
    assert merged["B"]["category"] == "analytics"
    assert [p["name"] for p in merged["B"]["products"]] == ["P", "Q"]
    assert merged["C"]["domains"] == ["shared.test"]


def test_overlay_entries_are_well_formed() -> None:
    names = {
        e["name"]
        for e in json.loads(read_vendored(refdata.THIRD_PARTY_WEB, "third_party_web/entities.json"))
    }
    for entry in refdata.read_overlay("third_party_web.json"):
        assert entry["name"] in names or {"category", "domains"} <= set(entry), entry["name"]
    technologies, categories = refdata.technologies()
    for name in refdata.read_overlay("webappanalyzer.json"):
        cats = technologies[name]["cats"]
        assert cats and all(str(c) in categories for c in cats), name


# --- the update command -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_update_installs_npm_latest_checked_against_its_integrity(
    server: tuple[Registry, int], tmp_path: Path
) -> None:
    registry, port = server
    async with fetcher(port) as client:
        installed = await update_third_party_web(
            client, sources=SOURCES, root=tmp_path, today=date(2026, 12, 6)
        )
    assert installed.version == "2.0.0"
    entry = json.loads((tmp_path / "MANIFEST.json").read_text())["third-party-web"]
    assert entry["integrity"] == integrity(registry.good)
    assert entry["archive_sha256"] == hashlib.sha256(registry.good).hexdigest()
    assert entry["retrieved"] == "2026-12-06"
    written = (tmp_path / "third_party_web" / "entities.json").read_bytes()
    assert json.loads(written) == ENTITIES
    assert (
        entry["files"]["third_party_web/entities.json"]["sha256"]
        == hashlib.sha256(written).hexdigest()
    )
    assert read_vendored(refdata.THIRD_PARTY_WEB, "third_party_web/entities.json", root=tmp_path)


@pytest.mark.asyncio
async def test_update_refuses_an_archive_that_differs_from_the_published_checksum(
    server: tuple[Registry, int], tmp_path: Path
) -> None:
    _, port = server
    async with fetcher(port) as client:
        with pytest.raises(RefDataError, match="ne correspond pas à l'empreinte publiée"):
            await update_third_party_web(client, version="1.9.0", sources=SOURCES, root=tmp_path)
        with pytest.raises(RefDataError, match=r"version 3\.0\.0 inconnue.*1\.9\.0, 2\.0\.0"):
            await update_third_party_web(client, version="3.0.0", sources=SOURCES, root=tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.asyncio
async def test_update_installs_webappanalyzer_head_keeping_the_chosen_categories(
    server: tuple[Registry, int], tmp_path: Path
) -> None:
    _, port = server
    async with fetcher(port) as client:
        installed = await update_webappanalyzer(client, sources=SOURCES, root=tmp_path)
        assert installed.version == COMMIT[:12]
        kept = json.loads((tmp_path / "webappanalyzer" / "technologies.json").read_text())
        assert set(kept) == {"Alpha CMS"}  # Web servers (22) are not vendored
        entry = json.loads((tmp_path / "MANIFEST.json").read_text())["webappanalyzer"]
        assert entry["commit"] == COMMIT and entry["technologies"] == 1
        with pytest.raises(RefDataError, match="pas du commit demandé"):
            await update_webappanalyzer(client, commit=OTHER, sources=SOURCES, root=tmp_path)
        with pytest.raises(RefDataError, match="SHA-256 de l'archive différente"):
            await update_webappanalyzer(
                client, commit=COMMIT, sources=SOURCES, root=tmp_path, archive_sha256="0" * 64
            )
    assert json.loads((tmp_path / "MANIFEST.json").read_text())["webappanalyzer"] == entry


@pytest.mark.asyncio
async def test_update_goes_through_the_address_guard(
    server: tuple[Registry, int], tmp_path: Path
) -> None:
    registry, port = server
    async with fetcher(port, AddressPolicy()) as client:
        with pytest.raises(RefDataError, match="adresse interdite"):
            await update_third_party_web(client, sources=SOURCES, root=tmp_path)
    assert registry.hits == []


def test_installing_the_same_archive_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    archive = npm_tarball("2.0.0")
    for _ in range(2):
        install_third_party_web(
            archive, version="2.0.0", source="test", retrieved=date(2026, 12, 6), root=tmp_path
        )
    assert verify(tmp_path) == ["webappanalyzer : absent du manifeste"]
    with pytest.raises(RefDataError, match=r"annonce la version '2\.0\.0'"):
        install_third_party_web(
            archive, version="2.1.0", source="test", retrieved=date.today(), root=tmp_path
        )


def test_cli_show_lists_versions_and_licences() -> None:
    result = CliRunner().invoke(app, ["refdata", "show"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "third-party-web" in result.output and "GPL-3.0" in result.output
    assert "Empreintes SHA-256 conformes au manifeste." in result.output
