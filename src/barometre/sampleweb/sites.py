"""Static fixture sites: one folder per host under ``sites/``, described by ``site.toml``.

Each folder ``sites/<host>/`` holds the files served for that host and a ``site.toml``::

    kind = "commune"                 # region, departement, epci, commune, parked, dead, ...
    name = "Ville-Exemple"           # display name (French)
    description = "..."              # what the site models (French)
    expected = "ok"                  # the FetchOutcome the crawler should record
    cms = "wordpress"                # optional: what a CMS detector should find
    https = true                     # served over HTTPS (false: plain HTTP only)
    aliases = ["ville-exemple.test"] # other names, 301 to the canonical host
    home = "/"                       # path of the home page on that host
    status = 503                     # optional: answer every request with this status
    close_connection = true          # optional: abort every connection after the request
    redirect_all = "https://..."     # optional: 301 every request to this URL
    spa_fallback = true              # optional: unknown paths without extension get /index.html
    placeholder_assets = false       # default true: missing .css/.js/.svg/.png/.ico get a stub

    [rewrites]                       # exact path with query -> path of the file served
    "/actualites?format=feed" = "/actualites-rss.xml"
    [redirects]                      # exact path -> Location (301)
    "/index.php" = "/"
    [headers]                        # extra headers on every response
    Server = "nginx"
    latency = 0.05                   # optional: seconds every answer waits first (a distant server)
    [delays]                         # path -> seconds before the answer (a slow endpoint)
    "/api/alertes.json" = 5
    [content_types]                  # path -> Content-Type, overrides the file extension
    "/actualites/rss.xml" = "application/rss+xml; charset=utf-8"
    [dns."ville-exemple.test"]       # records for the test DNS server
    MX = ["10 mx.ville-exemple.test."]

Paths map to files this way: ``/a/`` serves ``a/index.html`` (or ``index.rss``,
``index.xml``, ``index.htm``, ``index.json``); ``/a`` serves the file ``a``, else ``a.html`` (clean URLs), else
redirects to ``/a/`` when ``a`` is a folder. ``site.toml`` and ``README*`` files are
never served. Missing stylesheets, scripts and images get a tiny stub (so that a browser
rendering a page sees a plausible number of requests), unless ``placeholder_assets = false``.
"""

from __future__ import annotations

import struct
import tomllib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SITES_DIR = Path(__file__).resolve().parent / "sites"

SYNTHETIC_MARKER = (
    "<!-- Page synthétique écrite pour le Baromètre numérique des territoires (jeu d'essai). -->"
)

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
INDEX_FILES = ("index.html", "index.htm", "index.rss", "index.xml", "index.json")
HIDDEN_PREFIXES = ("site.toml", "README")


def _tiny_png() -> bytes:
    """A valid 1x1 transparent PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PLACEHOLDER_ASSETS: dict[str, bytes] = {
    ".css": b"/* placeholder stylesheet (sample web) */\n",
    ".js": b"/* placeholder script (sample web) */\n",
    ".svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    ".png": _tiny_png(),
    ".ico": _tiny_png(),
}


@dataclass(frozen=True)
class SiteInfo:
    """Public description of one host of the sample web."""

    host: str
    kind: str
    description: str
    expected: str = "ok"
    name: str = ""
    cms: str | None = None
    https: bool = True
    aliases: tuple[str, ...] = ()
    home: str = "/"


@dataclass(frozen=True)
class StaticSite:
    """A site served from a folder, with the behaviour read from its ``site.toml``."""

    info: SiteInfo
    root: Path
    status: int | None = None
    close_connection: bool = False
    redirect_all: str | None = None
    spa_fallback: bool = False
    placeholder_assets: bool = True
    redirects: Mapping[str, str] = field(default_factory=dict)
    rewrites: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    content_types: Mapping[str, str] = field(default_factory=dict)
    delays: Mapping[str, float] = field(default_factory=dict)
    latency: float = 0.0
    dns: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)

    def find(self, path: str) -> tuple[Path | None, str | None]:
        """Map a URL path to ``(file, None)``, ``(None, redirect_path)`` or ``(None, None)``."""
        if "\\" in path or "\x00" in path:
            return None, None
        parts = PurePosixPath(path).parts[1:]  # drop the leading "/"
        if any(part in ("..", ".") for part in parts):
            return None, None
        if parts and parts[0].startswith(HIDDEN_PREFIXES):
            return None, None
        target = self.root.joinpath(*parts)
        try:
            target = target.resolve()
        except OSError:
            return None, None
        if not target.is_relative_to(self.root):
            return None, None
        if path.endswith("/") or not parts:
            if target.is_dir():
                for index in INDEX_FILES:
                    candidate = target / index
                    if candidate.is_file():
                        return candidate, None
            return None, None
        if target.is_file():
            return target, None
        clean = target.with_name(target.name + ".html")
        if clean.is_file():
            return clean, None
        if target.is_dir():
            return None, path + "/"
        return None, None

    def placeholder(self, path: str) -> bytes | None:
        """Stub body for a missing asset, or None."""
        if not self.placeholder_assets:
            return None
        return PLACEHOLDER_ASSETS.get(PurePosixPath(path).suffix.lower())

    def content_type(self, path: str, file: Path) -> str:
        override = self.content_types.get(path)
        if override is not None:
            return override
        return CONTENT_TYPES.get(file.suffix.lower(), DEFAULT_CONTENT_TYPE)


def _str_map(raw: Any, what: str, where: Path) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ValueError(f"{where}: [{what}] must map strings to strings")
    return dict(raw)


def _delays(raw: Any, where: Path) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and 0 <= v <= 60 for k, v in raw.items()
    ):
        raise ValueError(f"{where}: [delays] must map paths to seconds (0 to 60)")
    return {k: float(v) for k, v in raw.items()}


def _dns_map(raw: Any, where: Path) -> dict[str, dict[str, list[str]]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: [dns] must be a table of names")
    records: dict[str, dict[str, list[str]]] = {}
    for name, by_type in raw.items():
        if not isinstance(by_type, dict):
            raise ValueError(f"{where}: [dns.{name}] must be a table of record types")
        records[name.lower()] = {
            rtype.upper(): [str(value) for value in values] for rtype, values in by_type.items()
        }
    return records


def load_site(folder: Path) -> StaticSite:
    config_path = folder / "site.toml"
    with config_path.open("rb") as handle:
        config = tomllib.load(handle)
    host = folder.name.lower()
    info = SiteInfo(
        host=host,
        kind=str(config["kind"]),
        description=str(config["description"]),
        expected=str(config.get("expected", "ok")),
        name=str(config.get("name", host)),
        cms=config.get("cms"),
        https=bool(config.get("https", True)),
        aliases=tuple(str(alias).lower() for alias in config.get("aliases", [])),
        home=str(config.get("home", "/")),
    )
    status = config.get("status")
    latency = config.get("latency", 0)
    if not isinstance(latency, int | float) or not 0 <= latency <= 60:
        raise ValueError(f"{config_path}: latency must be a number of seconds (0 to 60)")
    return StaticSite(
        info=info,
        root=folder.resolve(),
        status=int(status) if status is not None else None,
        close_connection=bool(config.get("close_connection", False)),
        redirect_all=config.get("redirect_all"),
        spa_fallback=bool(config.get("spa_fallback", False)),
        placeholder_assets=bool(config.get("placeholder_assets", True)),
        redirects=_str_map(config.get("redirects"), "redirects", config_path),
        rewrites=_str_map(config.get("rewrites"), "rewrites", config_path),
        headers=_str_map(config.get("headers"), "headers", config_path),
        content_types=_str_map(config.get("content_types"), "content_types", config_path),
        delays=_delays(config.get("delays"), config_path),
        latency=float(latency),
        dns=_dns_map(config.get("dns"), config_path),
    )


def load_sites(sites_dir: Path = SITES_DIR) -> list[StaticSite]:
    """Every site folder (one holding a ``site.toml``), sorted by host name."""
    return [
        load_site(folder)
        for folder in sorted(sites_dir.iterdir())
        if folder.is_dir() and (folder / "site.toml").is_file()
    ]
