"""The site builder on a small hand-made edition: pages, swap in place, crawler files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, CheckResult, Evidence, Status, Website
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
    build(engine, out, base_url="https://barometre.exemple.test")
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
    build(engine, out, base_url="https://barometre.exemple.test/")
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

    monkeypatch.setattr(SiteBuilder, "_methodology", broken)
    with pytest.raises(RuntimeError):
        build(engine, out)
    assert (out / "index.html").read_bytes() == before
    assert not out.with_name(out.name + ".en-cours").exists()
