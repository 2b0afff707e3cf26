"""JavaScript-only shells: recognised by what the served page holds, not measurable
without their rendering, read through their rendered DOM when the capture has one."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from barometre.capture.archive import load_site_archive
from barometre.capture.plan import canonical
from barometre.capture.robots import RobotsFile
from barometre.capture.run import Target, capture_edition, warc_path
from barometre.capture.site import SiteCapture, script_linked_pages
from barometre.checks.engine import audit
from barometre.checks.html import Doc
from barometre.checks.subject import Subject
from barometre.methodology import bundled
from barometre.models import (
    Authority,
    AuthorityKind,
    FetchOutcome,
    Page,
    SiteArchive,
    Status,
    Website,
)
from barometre.net.fetcher import FetchResult
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import fetch_config
from barometre.sampleweb import SampleWeb
from barometre.storage import capture_repo, registry_repo
from barometre.vocab import fr

HOME = "https://www.appli-exemple.test/"
NOSCRIPT_FR = "<noscript>Vous devez activer JavaScript pour utiliser ce site.</noscript>"
VITE = '<script type="module" src="/assets/index-1a2b3c.js"></script>'


def page(body: str, url: str = HOME, head: str = "") -> Page:
    text = f"<!doctype html><html lang='fr'><head><title>Ville</title>{head}</head><body>{body}</body></html>"
    return Page(
        url=url,
        final_url=url,
        outcome=FetchOutcome.OK,
        status=200,
        content_type="text/html; charset=utf-8",
        body=text.encode(),
        text=text,
    )


# General forms met on real sites: the mount point and what the page says without
# JavaScript differ from one framework to the next.
SHELLS = {
    "vite-vue": f'<div id="app"></div>{NOSCRIPT_FR}{VITE}',
    "create-react-app": "<noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div><script src="/static/js/main.4f2a.js"></script>',
    "angular": '<app-root></app-root><script src="runtime.js"></script><script src="main.js"></script>',
    "next-client": '<div id="__next"></div><script src="/_next/static/chunks/main.js"></script>',
    "elm-with-header": "<header><h1>Murol</h1><h2>La municipalité vous souhaite la bienvenue</h2>"
    '</header><div id="elm-app"></div><script src="./js/murol.js"></script>',
    "inline-bootstrap": '<div data-v-app=""></div><script>window.boot({el: "[data-v-app]"})</script>',
    "noscript-only": f'<div class="chargement"></div>{NOSCRIPT_FR}<script src="/app.js"></script>',
}
NOT_SHELLS = {
    # server-side rendered: the root holds the content
    "nuxt-ssr": '<div id="__nuxt"><main><h1>Ville</h1>'
    + "<p>Bienvenue sur le site de la ville, toutes les informations municipales.</p>" * 4
    + '</main></div><script src="/_nuxt/entry.js"></script>',
    # a short page with a tag manager's <noscript> (an iframe, nothing said): short, not a shell
    "short-with-gtm": '<p>Site en travaux, revenez bientôt.</p><noscript><iframe src="https://'
    'www.googletagmanager.com/ns.html?id=GTM-X" height="0" width="0"></iframe></noscript>'
    '<script src="https://www.googletagmanager.com/gtm.js?id=GTM-X"></script>',
    # empty mount point, but no script at all: nothing will ever fill it
    "no-script": '<div id="app"></div><noscript>Activez JavaScript.</noscript>',
    # a real page: enough text
    "real-page": '<div id="app"><p>'
    + "Mairie, démarches, actualités, contact. " * 10
    + "</p></div>"
    + VITE,
    # a short parked page with a script but no sign of an application
    "parked": "<h1>Ce domaine est à vendre</h1><script src='/stats.js'></script>",
}


@pytest.mark.parametrize("name", sorted(SHELLS))
def test_shells_are_recognised_by_what_they_hold(name: str) -> None:
    shell = Doc(page(SHELLS[name])).js_shell
    assert shell is not None, name
    assert shell.text_chars < 200 and shell.scripts >= 1
    assert shell.root is not None or shell.noscript is not None
    described = shell.describe()
    # a real plural: « 0 caractère de texte », « 37 caractères de texte »
    assert fr.count(shell.text_chars, "caractère de texte", "caractères de texte") in described


@pytest.mark.parametrize("name", sorted(NOT_SHELLS))
def test_pages_that_are_not_shells(name: str) -> None:
    assert Doc(page(NOT_SHELLS[name])).js_shell is None, name


def test_shell_description_names_its_signs() -> None:
    shell = Doc(page(SHELLS["vite-vue"])).js_shell
    assert shell is not None and shell.root == "div#app"
    assert shell.noscript == "Vous devez activer JavaScript pour utiliser ce site."
    assert "racine d'application vide « div#app »" in shell.describe()
    angular = Doc(page(SHELLS["angular"])).js_shell
    assert angular is not None and angular.root == "app-root" and angular.noscript is None


# --- the audit ----------------------------------------------------------------------------

RENDERED_HOME = (
    '<div id="app"><header><nav><a href="/contact">Contact</a></nav></header><main>'
    "<h1>Accueil</h1><p>Bienvenue sur le site de la ville d'Appli-Exemple, 9 300 habitants."
    " Retrouvez les actualités, les démarches en ligne et les horaires de la mairie.</p></main>"
    '<footer><a href="/mentions-legales">Mentions légales</a> '
    '<a href="/donnees-personnelles">Données personnelles</a></footer></div>'
)
RENDERED_LEGAL = (
    "<main><h1>Mentions légales</h1><h2>Éditeur</h2><p>Ville d'Appli-Exemple, 1 place de la "
    "Mairie, 99999 Appli-Exemple. Téléphone : 05 00 00 00 00.</p><h2>Directeur de la "
    "publication</h2><p>Mme Claire Modèle, maire.</p><h2>Hébergement</h2><p>Hébergeur "
    "Exemple SAS, 2 rue des Serveurs, 75000 Paris.</p></main>"
)
CONTENT_CHECKS = (
    "conformite.mentions_legales",
    "conformite.confidentialite",
    "services.contact",
    "services.horaires",
    "services.actualite",
    "presence.reseaux_sociaux",
    "conformite.accessibilite_mention",
)
TECHNICAL_CHECKS = ("technique.mobile", "technique.referencement")


def authority() -> Authority:
    return Authority(
        AuthorityKind.COMMUNE,
        "99990",
        "Appli-Exemple",
        population=9300,
        websites=(Website(HOME, "www.appli-exemple.test", "test", True),),
    )


def subject(
    *, rendered: dict[str, Page] | None = None, pages: dict[str, Page] | None = None
) -> Subject:
    shell = page(SHELLS["vite-vue"], head='<meta name="viewport" content="width=device-width">')
    site = SiteArchive(
        authority_id="commune:99990",
        start_url=HOME,
        outcome=FetchOutcome.OK,
        captured_at=datetime(2025, 3, 20, tzinfo=UTC),
        home=shell,
        rendered={"desktop": page(RENDERED_HOME)} if rendered is not None else {},
        rendered_pages=rendered or {},
        pages=pages or {},
    )
    return Subject(authority(), site, date(2025, 3, 20))


def results(subject: Subject) -> dict[str, tuple[Status, str | None]]:
    found = audit(subject, bundled())
    return {r.check_id: (r.status, r.reason) for r in found.results}


def test_a_shell_without_its_rendering_is_not_measurable_for_content() -> None:
    got = results(subject())
    for check_id in CONTENT_CHECKS:
        status, reason = got[check_id]
        assert status is Status.NOT_MEASURABLE, check_id
        assert reason is not None and "site rendu en JavaScript" in reason, check_id
        assert "--render" in reason
    assert not any(s is Status.FAIL for s, _ in got.values() if _ and "JavaScript" in _)
    # what the served page itself says is still measured
    for check_id in TECHNICAL_CHECKS:
        assert got[check_id][0] is not Status.NOT_MEASURABLE, check_id


def test_a_rendered_shell_is_read_through_its_rendered_pages() -> None:
    legal = page(RENDERED_LEGAL, url=HOME + "mentions-legales")
    rendered = subject(rendered={"legal": legal})
    assert rendered.script_only is None
    assert rendered.page("legal") is legal  # the crawl had no such page
    assert rendered.home_doc is not None and "Appli-Exemple" in rendered.home_doc.text
    got = results(rendered)
    status, reason = got["conformite.mentions_legales"]
    assert status in (Status.PASS, Status.PARTIAL), reason
    assert not any(r and "site rendu en JavaScript" in r for _, r in got.values())


def test_a_served_page_that_is_a_shell_gives_way_to_its_rendering() -> None:
    served = page(SHELLS["vite-vue"], url=HOME + "mentions-legales")
    legal = page(RENDERED_LEGAL, url=HOME + "mentions-legales")
    both = subject(rendered={"legal": legal}, pages={"legal": served})
    assert both.page("legal") is legal
    real = page(RENDERED_LEGAL, url=HOME + "mentions-legales")
    static = subject(rendered={}, pages={"legal": real})
    assert static.page("legal") is real


# --- the capture: pages linked only by scripts --------------------------------------------


def test_pages_linked_only_once_scripts_ran_are_rendered() -> None:
    site = SiteCapture("commune:99990", HOME)
    site.home = FetchResult(HOME, HOME, FetchOutcome.OK, 200)
    site.robots = RobotsFile(HOME.rstrip("/"), 200, FetchOutcome.OK)
    html = page(
        RENDERED_HOME.replace(
            "</footer>",
            '<a href="https://www.facebook.com/appli">Facebook</a> '
            '<a href="https://autre-site.test/contact">Contact</a></footer>',
        )
    ).text
    linked = script_linked_pages(site, html, HOME, "Barometre")
    assert linked == {
        "legal": canonical(HOME + "mentions-legales"),
        "privacy": canonical(HOME + "donnees-personnelles"),
        "contact": canonical(HOME + "contact"),
    }
    # a kind the crawl already fetched, or that robots.txt forbids, is not rendered again
    site.pages["legal"] = FetchResult(HOME + "mentions-legales", HOME, FetchOutcome.OK, 200)
    site.robots = RobotsFile(HOME.rstrip("/"), 200, FetchOutcome.OK, disallow_all=True)
    assert script_linked_pages(site, html, HOME, "Barometre") == {}


# --- the sample web's single-page application, captured without rendering -----------------


@pytest.mark.asyncio
async def test_the_sample_application_without_rendering_is_not_measurable(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    async with SampleWeb() as web:
        url = web.url("www.ville-numerique-exemple.test")
        registry_repo.replace_registry(sqlite_engine, [authority()], "t", {})
        capture_repo.ensure_edition(sqlite_engine, "2026-11", "Édition de test")
        report = await capture_edition(
            sqlite_engine,
            "2026-11",
            [Target("commune:99990", url)],
            warc_root=tmp_path,
            config=fetch_config(),
            resolver=GuardedResolver(
                AddressPolicy.allowing(["127.0.0.1/32"]),
                static_hosts=web.host_map,
                port_map=web.port_map,
            ),
            ssl_context=web.client_ssl_context(),
        )
    assert report.done == 1
    archive = await asyncio.to_thread(
        load_site_archive, warc_path(tmp_path, "2026-11", "commune:99990")
    )
    assert archive.rendered == {} and archive.rendered_pages == {}
    got = results(Subject(authority(), archive, date(2025, 3, 20)))
    for check_id in CONTENT_CHECKS:
        status, reason = got[check_id]
        assert status is Status.NOT_MEASURABLE and reason is not None, check_id
        assert "site rendu en JavaScript" in reason and "div#app" in reason, check_id
    assert got["technique.referencement"][0] is not Status.NOT_MEASURABLE
    assert got["technique.mobile"][0] is Status.PASS  # its viewport is in the served HTML
