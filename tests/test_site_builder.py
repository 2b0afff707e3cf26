"""The site builder on a small hand-made edition: pages, swap in place, crawler files;
the one list of pages (publish/pages/registry.py) that drives the build, the navigation,
the footer, the « plan du site » and sitemap.xml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import Markup
from sqlalchemy import Engine

from barometre.errors import ConfigurationError
from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, CheckResult, Evidence, Status, Website
from barometre.publish.pages import registry
from barometre.publish.pages.models import TextPage
from barometre.publish.pages.registry import PAGES, Page
from barometre.publish.site import builder as builder_module
from barometre.publish.site.builder import SiteBuilder, SiteInputs
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, registry_repo
from barometre.storage.db import open_database

GRID = bundled()
EDITION = "2026-11"


def town(code: str, population: int) -> Authority:
    return Authority(
        AuthorityKind.COMMUNE,
        code,
        f"Commune {code}",
        population=population,
        departement="99",
        websites=(Website(f"https://www.c{code}.test/", f"www.c{code}.test", "test", True),),
    )


TOWNS = [town("99001", 1200), town("99002", 1500)]
PUBLISHER = {
    "publisher": "Association Exemple, 1 rue de l'Exemple, 99000 Exemple",
    "director": "Camille Exemple, présidente",
    "host": "Hébergeur Exemple, 2 rue de l'Exemple, 99000 Exemple, 01 99 00 00 00",
    "contact": "contact@example.org",
}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    registry_repo.replace_registry(engine, TOWNS, "test", {})
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    results = []
    for i, authority in enumerate(TOWNS):
        for criterion in GRID.criteria[:12]:
            status = Status.PASS if (i + len(criterion.id)) % 2 else Status.FAIL
            results.append(
                CheckResult(
                    authority.id,
                    criterion.id,
                    "1",
                    status,
                    1.0 if status is Status.PASS else 0.0,
                    evidence=(Evidence(url=f"{authority.website.url}page", text="trouvé"),)  # type: ignore[union-attr]
                    if status is Status.PASS
                    else (),
                )
            )
    audit_repo.store_many(engine, EDITION, results)
    score_edition(engine, EDITION, GRID)
    return engine


def build(engine: Engine, out: Path, **inputs: object) -> SiteBuilder:
    site = SiteBuilder(engine, EDITION, out, GRID, inputs=SiteInputs(**inputs))  # type: ignore[arg-type]
    site.build()
    return site


def test_every_scored_collectivite_gets_a_card_and_the_site_its_pages(
    engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    site = build(engine, out)
    assert site.report.cards == len(TOWNS)
    for authority in TOWNS:
        card = (out / "collectivites" / "commune" / f"{authority.code}.html").read_text("utf-8")
        assert authority.name in card and "https://www.c" in card
        assert card.count('class="code"') == len(GRID.criteria)  # every criterion, measured or not
    for page in (
        "index.html",
        "methodologie.html",
        "classements/index.html",
        "cartes.html",
        "recherche.json",
        "mentions-legales.html",
        "accessibilite.html",
        "_headers",
    ):
        assert (out / page).exists(), page
    # no public address known: robots.txt without sitemap, and no canonical link
    assert (out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert not (out / "sitemap.xml").exists()
    assert 'rel="canonical"' not in (out / "index.html").read_text("utf-8")
    assert site.paths == []  # nothing kept per page when no sitemap is written


def test_the_public_address_gives_canonical_links_and_a_sitemap(
    engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(engine, out, base_url="https://barometre.exemple.test", publisher=PUBLISHER)
    robots = (out / "robots.txt").read_text()
    assert "Sitemap: https://barometre.exemple.test/sitemap.xml" in robots
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://barometre.exemple.test/index.html</loc>" in sitemap
    assert "<loc>https://barometre.exemple.test/collectivites/commune/99001.html</loc>" in sitemap
    assert "404.html" not in sitemap
    card = (out / "collectivites" / "commune" / "99002.html").read_text("utf-8")
    assert (
        '<link rel="canonical" href="https://barometre.exemple.test/collectivites/commune/99002.html">'
        in card
    )


def test_a_sitemap_beyond_the_protocol_limit_becomes_an_index(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builder_module, "SITEMAP_LIMIT", 10)
    out = tmp_path / "site"
    build(engine, out, base_url="https://barometre.exemple.test/", publisher=PUBLISHER)
    index = (out / "sitemap.xml").read_text()
    parts = sorted(out.glob("sitemap-*.xml"))
    assert "<sitemapindex" in index and len(parts) >= 2
    urls = [line for p in parts for line in p.read_text().splitlines() if "<loc>" in line]
    assert len(urls) == len(set(urls)) and all(p.read_text().count("<loc>") <= 10 for p in parts)


def test_a_failed_build_leaves_the_previous_site_in_place(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(engine, out)
    before = (out / "index.html").read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("panne au milieu de la publication")

    monkeypatch.setattr(SiteBuilder, "write_methodology", broken)
    with pytest.raises(RuntimeError):
        build(engine, out)
    assert (out / "index.html").read_bytes() == before
    assert not out.with_name(out.name + ".en-cours").exists()


def test_the_card_shows_each_accounts_evidence_and_the_linked_accounts_apart(
    engine: Engine, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from barometre.models import (
        AccountState,
        Finding,
        SocialProfile,
        SocialSource,
    )
    from barometre.storage import social_repo

    owner = TOWNS[0]
    page = f"{owner.website.url}"  # type: ignore[union-attr]
    found = [
        Finding(
            "social",
            "facebook",
            "https://www.facebook.com/Commune99001",
            "Commune99001",
            Evidence(
                url=page,
                text="https://www.facebook.com/Commune99001",
                note="bloc de suivi du pied de page",
            ),
        ),
        Finding(
            "social",
            "linkedin",
            "https://www.linkedin.com/company/commune-99001",
            "commune-99001",
            Evidence(url=page, note="liste d'icônes vers 2 plateformes"),
        ),
        Finding(
            "social_linked",
            "facebook",
            "https://www.facebook.com/OTduVal",
            "OTduVal",
            Evidence(
                url=page,
                note="le bloc du lien désigne une autre organisation (« Office de tourisme »)",
            ),
        ),
    ]
    audit_repo.store_audit(engine, EDITION, owner.id, [], found)
    profile = SocialProfile(
        "facebook",
        "Commune99001",
        "Commune99001",
        "https://www.facebook.com/Commune99001",
        AccountState.CLOSED,
        datetime(2026, 11, 20, tzinfo=UTC),
        SocialSource.API,
    )
    social_repo.store_account(
        engine,
        EDITION,
        owner.id,
        profile,
        found_at=page,
        ownership="bloc de suivi du pied de page",
    )
    out = tmp_path / "site"
    build(engine, out)
    card = (out / "collectivites" / "commune" / f"{owner.code}.html").read_text("utf-8")
    accounts, linked = card.split('id="comptes-lies"')
    linked = linked.split('id="criteres"')[0]
    # the accounts of the collectivité, each with its evidence; one not read this edition
    assert "bloc de suivi du pied de page" in accounts and "Commune99001" in accounts
    assert "liste d&#39;icônes vers 2 plateformes" in accounts
    assert "non lu dans cette édition" in accounts and "LinkedIn" in accounts
    assert "OTduVal" not in accounts
    # the tourist office's account: apart, with why it is not counted
    assert "OTduVal" in linked and "Office de tourisme" in linked
    assert "ne sont pas comptés" in linked
    other = (out / "collectivites" / "commune" / f"{TOWNS[1].code}.html").read_text("utf-8")
    assert 'id="comptes-lies"' not in other


def test_without_a_publisher_every_page_is_a_preview_that_lists_the_settings(
    engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(engine, out)  # a fresh machine: no publish_* setting, still a site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        assert "Aperçu : éditeur non renseigné" in page.read_text("utf-8"), page
    for name in ("mentions-legales.html", "contact.html"):
        text = (out / name).read_text("utf-8")
        assert "à compléter" not in text
        for setting in ("publish_publisher", "publish_director", "publish_host", "publish_contact"):
            assert f"<code>{setting}</code>" in text, (name, setting)


def test_a_release_without_a_publisher_is_refused_and_the_previous_site_stays(
    engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(engine, out)
    before = (out / "index.html").read_bytes()
    for inputs in ({"release": True}, {"base_url": "https://barometre.exemple.test/"}):
        with pytest.raises(ConfigurationError, match="Publication refusée") as refused:
            build(engine, out, **inputs)
        assert "publish_director" in str(refused.value)
        assert (out / "index.html").read_bytes() == before
    build(engine, out, release=True, publisher=PUBLISHER)
    home = (out / "index.html").read_text("utf-8")
    assert "Aperçu" not in home
    legal = (out / "mentions-legales.html").read_text("utf-8")
    assert "Camille Exemple" in legal and "publish_" not in legal


BASE = "https://barometre.exemple.test/"


def test_every_page_has_its_own_id_and_path() -> None:
    assert len({p.id for p in PAGES}) == len(PAGES)
    assert len({p.path for p in PAGES}) == len(PAGES)
    # a page in the menu is its own section; the others mark no menu entry as current
    assert all(p.rubrique == (p.id if p.menu else "") for p in PAGES)


def _links(html: str, start: str, end: str) -> list[str]:
    block = html.split(start, 1)[1].split(end, 1)[0]
    return re.findall(r'<a href="([^"]+)"', block)


def test_the_registry_gives_the_menu_the_footer_the_site_map_and_the_sitemap(
    engine: Engine,
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    site = build(engine, out, base_url=BASE, publisher=PUBLISHER)
    index = (out / "index.html").read_text("utf-8")
    menu = _links(index, '<ul class="menu">', "</ul>")
    assert menu == [p.path for p in PAGES if p.menu]
    footer = _links(index, '<ul class="pied-liens">', "</ul>")
    assert footer == [p.path for p in PAGES if p.footer]
    assert "Accessibilité : partiellement conforme" in index
    # each page marks its own menu entry, and only it
    maps = (out / "cartes.html").read_text("utf-8")
    assert maps.count('aria-current="page"') == 1
    assert '<a href="cartes.html" aria-current="page">Cartes</a>' in maps
    # the site map lists its pages in the registry's order, the rankings under theirs
    listed = _links((out / "plan-du-site.html").read_text("utf-8"), "<h1>", "</main>")
    expected = [p.path for p in PAGES if p.site_map]
    assert [p for p in listed if not p.startswith("classements/communes")] == expected
    at = listed.index("classements/index.html")
    assert listed[at + 1].startswith("classements/communes-")
    # sitemap.xml: every page written, but the 404
    sitemap = (out / "sitemap.xml").read_text()
    for entry in PAGES:
        if "/" in entry.path.rstrip("/") or entry.path.endswith("/"):
            continue
        assert (f"<loc>{BASE}{entry.path}</loc>" in sitemap) is entry.sitemap, entry.path
    assert f"<loc>{BASE}collectivites/commune/99001.html</loc>" in sitemap
    assert len(site.paths) == sitemap.count("<loc>")


def test_a_page_added_to_the_registry_is_built_and_linked_everywhere(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def write(builder: SiteBuilder, page: Page) -> None:
        body = Markup("<p>{}</p>").format(f"{len(builder.rows)} collectivités mesurées.")
        builder.write_page(page, "page.html.j2", page=TextPage(page.title, body))

    added = Page("essai", "essai.html", "Page d'essai", write, menu=Markup("Essai"))
    monkeypatch.setattr(registry, "PAGES", (*PAGES, added))
    out = tmp_path / "site"
    build(engine, out, base_url=BASE, publisher=PUBLISHER)
    page = (out / "essai.html").read_text("utf-8")
    assert "<p>2 collectivités mesurées.</p>" in page
    assert '<a href="essai.html" aria-current="page">Essai</a>' in page
    assert '<a href="../essai.html">Essai</a>' in (out / "classements" / "index.html").read_text(
        "utf-8"
    )
    assert '<a href="essai.html">Page d&#39;essai</a>' in (out / "plan-du-site.html").read_text(
        "utf-8"
    )
    assert f"<loc>{BASE}essai.html</loc>" in (out / "sitemap.xml").read_text()
