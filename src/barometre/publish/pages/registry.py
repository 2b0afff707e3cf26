"""The one list of the site's pages.

Each :class:`Page` says where the page is, what it is called, whether it appears in the
main navigation, in the footer, in the site map (« plan du site ») and in
``sitemap.xml``, and how it is built. The site builder writes the pages in this order;
the navigation, the footer, the site map page and ``sitemap.xml`` are all read from
here, so a page is added in one place (see CONTRIBUTING.md, « Ajouter une page »).

Pages written many times from one entry (the rankings of each peer group, the report
card of each collectivité) are one entry whose ``build`` writes them all; ``links``
lists them in the site map under the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from barometre.publish.pages.models import Link, NavLink

if TYPE_CHECKING:
    from barometre.publish.site.builder import SiteBuilder
    from barometre.publish.site.views import Group


@dataclass(frozen=True, slots=True)
class Page:
    """One page (or one family of pages) of the site.

    ``id`` is also the navigation section (« rubrique ») its pages mark as current when
    the page is in the menu. ``menu``/``footer``: the link's text there (None: absent;
    ``{accessibility_status}`` is replaced, escaped, in the footer). ``title``: its name in the
    site map. ``build(builder, page)`` writes it (with ``builder.write_page``)."""

    id: str
    path: str
    title: str
    build: Callable[[SiteBuilder, Page], None]
    menu: Markup | None = None  # markup written here, never data
    footer: Markup | None = None
    site_map: bool = True  # listed on the « plan du site » page
    sitemap: bool = True  # listed in sitemap.xml (when the public address is known)
    links: Callable[[Sequence[Group]], Iterable[Link]] | None = None  # its family, in the site map

    @property
    def rubrique(self) -> str:
        return self.id if self.menu else ""


# -- how each page is built (the builder does the work; see SiteBuilder) -------------------


def _home(builder: SiteBuilder, page: Page) -> None:
    builder.write_home(page)


def _synthese(builder: SiteBuilder, page: Page) -> None:
    builder.write_synthese(page)


def _rankings(builder: SiteBuilder, page: Page) -> None:
    builder.write_rankings(page)


def _ranking_links(groups: Sequence[Group]) -> list[Link]:
    from barometre.publish.site.views import ranking_path

    return [Link(ranking_path(g.id), g.title) for g in groups]


def _maps(builder: SiteBuilder, page: Page) -> None:
    builder.write_maps(page)


def _indicators(builder: SiteBuilder, page: Page) -> None:
    builder.write_indicators(page)


def _progressions(builder: SiteBuilder, page: Page) -> None:
    builder.write_progressions(page)


def _search(builder: SiteBuilder, page: Page) -> None:
    builder.write_search(page)


def _providers(builder: SiteBuilder, page: Page) -> None:
    builder.write_providers(page)


def _methodology(builder: SiteBuilder, page: Page) -> None:
    builder.write_methodology(page)


def _open_data(builder: SiteBuilder, page: Page) -> None:
    builder.write_open_data(page)


def _text(builder: SiteBuilder, page: Page) -> None:
    """A page of the publisher's own (legal notice, accessibility…): ``legal.pages``."""
    builder.write_text(page)


def _site_map(builder: SiteBuilder, page: Page) -> None:
    builder.write_site_map(page)


def _cards(builder: SiteBuilder, page: Page) -> None:
    builder.write_cards(page)


PAGES: tuple[Page, ...] = (
    Page("accueil", "index.html", "Accueil", _home),
    Page(
        "classements",
        "classements/index.html",
        "Classements",
        _rankings,
        menu=Markup("Classements"),
        links=_ranking_links,
    ),
    Page("cartes", "cartes.html", "Cartes", _maps, menu=Markup("Cartes")),
    Page("indicateurs", "indicateurs.html", "Séries et cartes par indicateur", _indicators),
    Page("progressions", "progressions.html", "Progression des abonnés", _progressions),
    Page(
        "recherche",
        "recherche.html",
        "Chercher une collectivité",
        _search,
        menu=Markup("Chercher une collectivité"),
    ),
    Page(
        "prestataires",
        "prestataires.html",
        "Prestataires et CMS",
        _providers,
        menu=Markup("Prestataires"),
    ),
    Page(
        "methodologie",
        "methodologie.html",
        "Méthodologie",
        _methodology,
        menu=Markup("Méthodologie"),
    ),
    Page(
        "donnees", "donnees.html", "Données ouvertes", _open_data, menu=Markup("Données ouvertes")
    ),
    Page(
        "mentions-legales",
        "mentions-legales.html",
        "Mentions légales",
        _text,
        footer=Markup("Mentions légales"),
    ),
    Page(
        "accessibilite",
        "accessibilite.html",
        "Accessibilité",
        _text,
        footer=Markup("Accessibilité : {accessibility_status}"),
    ),
    Page(
        "donnees-personnelles",
        "donnees-personnelles.html",
        "Données personnelles et cookies",
        _text,
        footer=Markup("Données personnelles et cookies"),
    ),
    Page(
        "contact",
        "contact.html",
        "Contact",
        _text,
        footer=Markup("Contact et contestation d'un résultat"),
    ),
    Page(
        "ecoconception",
        "ecoconception.html",
        "Déclaration d'écoconception",
        _text,
        footer=Markup("Déclaration d'écoconception"),
    ),
    Page(
        "plan-du-site",
        "plan-du-site.html",
        "Plan du site",
        _site_map,
        footer=Markup("Plan du site"),
        site_map=False,
    ),
    Page("synthese", "synthese.html", "Synthèse nationale", _synthese, site_map=False),
    Page("404", "404.html", "Page introuvable", _text, site_map=False, sitemap=False),
    Page(
        "collectivites",
        "collectivites/",
        "Bulletins des collectivités",
        _cards,
        site_map=False,
    ),
)


def page(page_id: str) -> Page:
    """The page of this id (a KeyError names an unknown one)."""
    for entry in PAGES:
        if entry.id == page_id:
            return entry
    raise KeyError(page_id)


def menu() -> tuple[NavLink, ...]:
    """The main navigation, in the registry's order."""
    return tuple(NavLink(p.path, p.menu, p.rubrique) for p in PAGES if p.menu)


def footer(accessibility_status: str) -> tuple[NavLink, ...]:
    """The footer's links (the accessibility status, a setting, is escaped)."""
    return tuple(
        NavLink(
            p.path,
            p.footer.format(accessibility_status=accessibility_status),
        )
        for p in PAGES
        if p.footer
    )


def site_map(groups: Sequence[Group]) -> list[Link]:
    """Every page listed on the « plan du site », each followed by its family."""
    items: list[Link] = []
    for entry in PAGES:
        if not entry.site_map:
            continue
        items.append(Link(entry.path, entry.title))
        if entry.links is not None:
            items.extend(entry.links(groups))
    return items
