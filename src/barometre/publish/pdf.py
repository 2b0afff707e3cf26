"""PDF report cards and the national summary, from the same HTML as the site (WeasyPrint).

The page's print stylesheet lays it out for paper; the charts are the static SVG
already in the page (no script runs here). WeasyPrint may only read the site's own
files: any other URL (``http``, ``https``, a file outside the site) is refused, so a
link or an image address taken from a crawled page can never make it fetch anything.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from barometre.errors import ConfigurationError


def _outside(url: str, root: Path) -> str | None:
    """Why ``url`` may not be read, or ``None`` for a file of the site or a ``data:`` URI."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return None
    if parts.scheme != "file":
        return f"ressource non locale refusée : {url[:120]}"
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root):
        return f"fichier hors du site refusé : {path}"
    return None


@cache
def _fetcher_class() -> Any:
    try:
        from weasyprint.urls import URLFetcher
    except ImportError as exc:  # the system libraries (Pango) are missing
        raise ConfigurationError(
            f"WeasyPrint indisponible ({exc}) : installez les paquets Pango du système "
            "(Debian : libpango-1.0-0 libpangoft2-1.0-0)."
        ) from exc

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
            self.root = root.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            refused = _outside(url, self.root)
            if refused is not None:
                raise ValueError(refused)
            return super().fetch(url, headers)

    return LocalOnlyFetcher


def local_fetcher(root: Path) -> Any:
    return _fetcher_class()(root)


def render_pdf(html: str, page: Path, root: Path) -> bytes:
    """The PDF of ``html`` as if it were the file ``page`` of the site in ``root``."""
    fetcher = local_fetcher(root)
    from weasyprint import HTML

    document = HTML(string=html, base_url=page.resolve().as_uri(), url_fetcher=fetcher)
    return bytes(document.write_pdf())
