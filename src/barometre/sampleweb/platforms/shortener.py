"""Recorded link shortener: ``lien.plateformes.test``.

Answers ``301 Moved Permanently`` with a ``Location`` for the paths listed in
``data/shortener/links.toml`` (site news of the sample collectivités, one chain of two
hops, one loop) and ``404`` for any other path, like a shortener whose link was
deleted. Each answer is a tiny HTML page, as real shorteners send.
"""

from __future__ import annotations

import tomllib
from functools import cache
from html import escape
from pathlib import Path

from aiohttp import web

from barometre.sampleweb.platforms import PlatformRoute, PlatformState

HOST = "lien.plateformes.test"
DATA = Path(__file__).resolve().parent / "data" / "shortener" / "links.toml"
HTML = "text/html; charset=utf-8"


@cache
def redirects() -> dict[str, str]:
    """``path → Location`` of every short link."""
    with DATA.open("rb") as handle:
        table = tomllib.load(handle).get("redirects", {})
    return {str(path): str(target) for path, target in table.items()}


async def handle(request: web.Request, state: PlatformState) -> web.StreamResponse:
    state.hit(f"shortener:{request.path}")
    target = redirects().get(request.path)
    if target is None:
        return web.Response(
            status=404,
            text='<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Lien '
            "introuvable</title></head><body><p>Ce lien court n'existe pas ou a été supprimé."
            "</p></body></html>",
            headers={"Content-Type": HTML},
        )
    return web.Response(
        status=301,
        text=f'<html><head><title>Redirection</title></head><body><a href="{escape(target)}">'
        "Redirection</a></body></html>",
        headers={"Location": target, "Content-Type": HTML, "Cache-Control": "private, max-age=90"},
    )


def routes() -> list[PlatformRoute]:
    return [PlatformRoute(HOST, "/", handle)]
