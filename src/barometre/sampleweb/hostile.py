"""Hostile sites: each one misbehaves in one way a crawler must survive, boundedly.

Every hostile host answers ``/robots.txt`` with a plain 404 (no rules, everything
allowed), except ``robots-disallow.hostile.test``, so that the outcome the crawler
records comes from the page itself. The handlers stay bounded: streams stop when the
client goes away, large bodies are generated chunk by chunk, and the only cached body
(the gzip bomb) weighs about 200 kB.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from aiohttp import web

from barometre.sampleweb.sites import SYNTHETIC_MARKER, SiteInfo
from barometre.sampleweb.tls import EXPIRED_HOST, SELF_SIGNED_HOST

FORBIDDEN_REDIRECT_ADDRESS = "127.0.0.2"  # loopback, but refused by the crawler's guard

GZIP_BOMB_SIZE = 200 * 2**20  # decompressed size: 200 MiB of zeros
HUGE_PAGE_SIZE = 100 * 2**20  # 100 MiB of HTML
HUGE_PAGE_CHUNK = 64 * 2**10
DEEP_DOM_DEPTH = 20_000
STORM_FAILURES = 3  # 429 answers per path before a 200
RESET_DECLARED_LENGTH = 100_000
RESET_SENT_LENGTH = 1_000
RANDOM_BYTES_SIZE = 200 * 2**10  # 200 KiB of random bytes served as text/html

HTML = "text/html; charset=utf-8"


@dataclass
class HostileState:
    """Shared, mutable state of the hostile handlers (one per running sample web)."""

    http_port: int = 0
    slow_drip_limit: float = 120.0
    drip_interval: float = 1.0

    def __post_init__(self) -> None:
        self.storm_counts: dict[str, int] = {}
        self.active_streams = 0  # streaming hostile handlers still running (tests check it)
        self.stopping = asyncio.Event()  # set when the sample web shuts down

    def reset(self) -> None:
        self.storm_counts.clear()


Handler = Callable[[web.Request, HostileState], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class HostileSite:
    info: SiteInfo
    handler: Handler


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n{SYNTHETIC_MARKER}\n"
        f"<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    )


def html_response(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, headers={"Content-Type": HTML})


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


@cache
def gzip_bomb() -> bytes:
    """A gzip stream of ``GZIP_BOMB_SIZE`` zeros, about 200 kB, built in a few ms.

    One MiB of zeros is deflated once, ending on a full flush (byte-aligned, empty
    dictionary), so the same compressed block can be repeated; the gzip header and
    trailer (CRC-32 and size) are written by hand around the raw deflate stream.
    """
    chunk = bytes(2**20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush(zlib.Z_FINISH)
    repeats = GZIP_BOMB_SIZE // len(chunk)
    crc = 0
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, GZIP_BOMB_SIZE & 0xFFFFFFFF)
    return header + block * repeats + final + trailer


async def _gzip_bomb(request: web.Request, state: HostileState) -> web.StreamResponse:
    return web.Response(
        body=gzip_bomb(),
        headers={"Content-Type": HTML, "Content-Encoding": "gzip", "Cache-Control": "no-store"},
    )


async def _slow_drip(request: web.Request, state: HostileState) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": HTML, "Cache-Control": "no-store"})
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    text = page("Goutte à goutte", "<p>Cette page arrive un octet par seconde.</p>").encode()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + state.slow_drip_limit
    position = 0
    state.active_streams += 1
    try:
        while loop.time() < deadline and not _client_gone(request) and not state.stopping.is_set():
            await response.write(text[position : position + 1])
            position = (position + 1) % len(text)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.stopping.wait(), state.drip_interval)
    except ConnectionError:
        pass
    finally:
        state.active_streams -= 1
    return response


async def _redirect_loop(request: web.Request, state: HostileState) -> web.StreamResponse:
    target = "/b" if request.path == "/a" else "/a"
    raise web.HTTPFound(target, text=f"Redirection vers {target}", content_type="text/plain")


async def _redirect_forbidden(request: web.Request, state: HostileState) -> web.StreamResponse:
    target = f"http://{FORBIDDEN_REDIRECT_ADDRESS}:{state.http_port}/"
    raise web.HTTPFound(target, text=f"Redirection vers {target}", content_type="text/plain")


@cache
def _huge_page_parts() -> tuple[bytes, bytes, bytes]:
    head = page("Une page démesurée", "<div>\n").removesuffix("\n</body>\n</html>\n").encode()
    tail = b"</div>\n</body>\n</html>\n"
    paragraph = (
        "<p>Compte rendu du conseil municipal : délibération répétée à l'infini, "
        "pour éprouver les limites de taille du robot d'exploration.</p>\n"
    ).encode()
    repeated = paragraph * (HUGE_PAGE_CHUNK // len(paragraph) + 1)
    return head, repeated[:HUGE_PAGE_CHUNK], tail


async def _huge_page(request: web.Request, state: HostileState) -> web.StreamResponse:
    """100 MiB of HTML; ``/avec-longueur`` declares it in Content-Length, ``/`` does not."""
    head, chunk, tail = _huge_page_parts()
    response = web.StreamResponse(headers={"Content-Type": HTML, "Cache-Control": "no-store"})
    if request.path == "/avec-longueur":
        response.content_length = HUGE_PAGE_SIZE
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    remaining = HUGE_PAGE_SIZE - len(head) - len(tail)
    state.active_streams += 1
    try:
        await response.write(head)
        while remaining > 0 and not _client_gone(request) and not state.stopping.is_set():
            piece = chunk[: min(remaining, len(chunk))]
            await response.write(piece)  # waits while the client does not read
            remaining -= len(piece)
        if remaining == 0:
            await response.write(tail)
    except ConnectionError:
        pass
    finally:
        state.active_streams -= 1
    return response


WRONG_CHARSET_TEXT = page(
    "Mairie : les œuvres du cœur de ville",
    "<p>Bienvenue à la mairie ! Les élèves de l'école présentent leurs œuvres "
    "à la médiathèque, place de l'Église, jusqu'à la fin de l'été.</p>\n"
    "<p>Horaires d'accueil : du lundi au vendredi, de 8 h 30 à 12 h.</p>",
)


async def _wrong_charset(request: web.Request, state: HostileState) -> web.StreamResponse:
    # The header (and the meta tag) say UTF-8, the bytes are windows-1252.
    return web.Response(body=WRONG_CHARSET_TEXT.encode("cp1252"), headers={"Content-Type": HTML})


@cache
def deep_dom() -> bytes:
    inner = "<p>Le fond du document.</p>"
    nested = "<div>" * DEEP_DOM_DEPTH + inner + "</div>" * DEEP_DOM_DEPTH
    return page("Un document très profond", nested).encode()


async def _deep_dom(request: web.Request, state: HostileState) -> web.StreamResponse:
    return web.Response(body=deep_dom(), headers={"Content-Type": HTML})


def _too_many_requests() -> web.Response:
    return web.Response(
        status=429,
        text=page("Trop de requêtes", "<p>Veuillez réessayer dans une seconde.</p>"),
        headers={"Content-Type": HTML, "Retry-After": "1"},
    )


async def _storm_429(request: web.Request, state: HostileState) -> web.StreamResponse:
    seen = state.storm_counts.get(request.path, 0)
    state.storm_counts[request.path] = seen + 1
    if seen < STORM_FAILURES:
        return _too_many_requests()
    return html_response(page("Enfin servi", "<p>La page arrive après quelques refus.</p>"))


async def _always_429(request: web.Request, state: HostileState) -> web.StreamResponse:
    return _too_many_requests()


async def _bad_tls_page(request: web.Request, state: HostileState) -> web.StreamResponse:
    return html_response(
        page(
            "Certificat invalide",
            "<p>Cette page n'aurait pas dû être lue : son certificat n'est pas valable.</p>",
        )
    )


async def _robots_disallow(request: web.Request, state: HostileState) -> web.StreamResponse:
    if request.path == "/robots.txt":
        return web.Response(
            text="User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"}
        )
    return html_response(
        page("Accès réservé", "<p>Ce site interdit toute exploration automatique.</p>")
    )


async def _reset_mid_body(request: web.Request, state: HostileState) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": HTML})
    response.content_length = RESET_DECLARED_LENGTH
    await response.prepare(request)
    start = page("Coupure", "<p>" + "La connexion va être coupée. " * 60 + "</p>").encode()
    try:
        await response.write(start[:RESET_SENT_LENGTH].ljust(RESET_SENT_LENGTH, b" "))
        await asyncio.sleep(0.05)  # let the bytes leave before the reset
    except ConnectionError:
        return response
    transport = request.transport
    if transport is not None:
        transport.abort()
    return response


@cache
def random_bytes() -> bytes:
    """``RANDOM_BYTES_SIZE`` pseudo-random bytes, the same on every run (fixed seed)."""
    return random.Random(20261206).randbytes(RANDOM_BYTES_SIZE)  # noqa: S311 - not a secret


async def _random_bytes(request: web.Request, state: HostileState) -> web.StreamResponse:
    # Every path answers 200 with the same bytes, declared as UTF-8 HTML.
    return web.Response(body=random_bytes(), headers={"Content-Type": HTML})


INJECTION_PAGE = (
    '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
    "<title>Mairie de Piège &lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt;</title>\n"
    '<meta name="description" content="=HYPERLINK(&quot;https://piege.test/&quot;;&quot;clic&quot;)">\n'
    '<meta name="generator" content="&lt;img src=x onerror=alert(&quot;cms&quot;)&gt;">\n'
    f"</head>\n<body>\n{SYNTHETIC_MARKER}\n"
    "<h1>Mairie de Piège &lt;img src=x onerror=alert(&quot;h1&quot;)&gt;</h1>\n"
    "<p>Toute donnée reprise de cette page dans une publication doit être échappée.</p>\n"
    '<ul class="social-links">\n'
    '<li><a href="javascript:alert(&quot;lien&quot;)">Facebook</a></li>\n'
    '<li><a href="https://www.facebook.com/Mairie%22onmouseover=alert(1)">Facebook (bis)</a></li>\n'
    "<li><a href=\"https://x.com/@+=cmd|' /C calc'!A0\">X</a></li>\n"
    "</ul>\n"
    '<p>Contact : <a href="mailto:=1+1@piege.test">=1+1@piege.test</a>, '
    "téléphone +33 1 99 00 00 00 ; SIREN -219 999 999.</p>\n"
    "</body>\n</html>\n"
)


async def _injection(request: web.Request, state: HostileState) -> web.StreamResponse:
    return html_response(INJECTION_PAGE)


def _site(host: str, expected: str, description: str, handler: Handler) -> HostileSite:
    return HostileSite(
        SiteInfo(
            host=host,
            kind="hostile",
            description=description,
            expected=expected,
            name=host,
            https=True,
        ),
        handler,
    )


HOSTILE_SITES: tuple[HostileSite, ...] = (
    _site(
        "gzip-bomb.hostile.test",
        "too_large",
        "Bombe gzip : environ 200 ko compressés, 200 Mio de zéros une fois décompressés.",
        _gzip_bomb,
    ),
    _site(
        "slow-drip.hostile.test",
        "timeout",
        "En-têtes envoyés, puis un octet par seconde, sans fin (arrêt au bout de 120 s).",
        _slow_drip,
    ),
    _site(
        "redirect-loop.hostile.test",
        "redirect_loop",
        "Boucle de redirections : / → /a → /b → /a …",
        _redirect_loop,
    ),
    _site(
        "redirect-forbidden.hostile.test",
        "forbidden_address",
        "Redirection 302 vers une adresse de bouclage refusée par la garde (127.0.0.2).",
        _redirect_forbidden,
    ),
    _site(
        "huge-page.hostile.test",
        "too_large",
        "Page HTML de 100 Mio envoyée par morceaux (sans Content-Length sur /, "
        "avec sur /avec-longueur).",
        _huge_page,
    ),
    _site(
        "wrong-charset.hostile.test",
        "ok",
        "En-tête charset=utf-8 mais corps encodé en windows-1252 (é, à, œ).",
        _wrong_charset,
    ),
    _site(
        "deep-dom.hostile.test",
        "ok",
        f"{DEEP_DOM_DEPTH} balises <div> imbriquées : l'analyseur ne doit pas planter.",
        _deep_dom,
    ),
    _site(
        "storm-429.hostile.test",
        "ok",
        f"Répond 429 (Retry-After: 1) aux {STORM_FAILURES} premières requêtes de chaque "
        "chemin, puis 200.",
        _storm_429,
    ),
    _site(
        "always-429.hostile.test",
        "rate_limited",
        "Répond 429 (Retry-After: 1) à toutes les requêtes.",
        _always_429,
    ),
    _site(
        EXPIRED_HOST,
        "tls_error",
        "Certificat signé par l'AC de test mais expiré.",
        _bad_tls_page,
    ),
    _site(
        SELF_SIGNED_HOST,
        "tls_error",
        "Certificat auto-signé, hors de l'AC de test.",
        _bad_tls_page,
    ),
    _site(
        "robots-disallow.hostile.test",
        "robots",
        "robots.txt interdit tout : « User-agent: * / Disallow: / ».",
        _robots_disallow,
    ),
    _site(
        "injection.hostile.test",
        "ok",
        "Contenus piégés (balises dans le titre, formules de tableur, liens javascript:) : "
        "tout ce qui en est republié doit être échappé.",
        _injection,
    ),
    _site(
        "random-bytes.hostile.test",
        "not_text",
        f"{RANDOM_BYTES_SIZE // 1024} Kio d'octets aléatoires servis comme text/html "
        "(charset=utf-8) : une réponse 200 qui n'est pas du texte.",
        _random_bytes,
    ),
    _site(
        "reset-mid-body.hostile.test",
        "connection_error",
        f"Annonce Content-Length: {RESET_DECLARED_LENGTH}, envoie {RESET_SENT_LENGTH} octets "
        "puis coupe la connexion.",
        _reset_mid_body,
    ),
)


async def handle(
    request: web.Request, site: HostileSite, state: HostileState
) -> web.StreamResponse:
    if request.path == "/robots.txt" and site.handler is not _robots_disallow:
        return web.Response(
            status=404,
            text="Pas de fichier robots.txt ici.\n",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
    return await site.handler(request, state)
