"""Evidence is quoted as it appears on the page: the checks match on folded text (no
accents, lower case, one space) but the excerpts they publish are the page's own words,
with their accents and capitals. Read on sample-web sites captured through the local
server, against the text of the sample pages themselves."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine

from barometre.capture.archive import load_site_archive
from barometre.capture.run import Target, capture_edition, warc_path
from barometre.checks import data as refdata
from barometre.checks.accessibility import accessibility_mention, accessibility_statement
from barometre.checks.dialogue import participatory_budget
from barometre.checks.html import Doc
from barometre.checks.inclusive import inclusive_content
from barometre.checks.presence import site_reachable
from barometre.checks.quality import eco_statement
from barometre.checks.services import planning_efiling
from barometre.checks.subject import Subject
from barometre.models import Evidence, FetchOutcome, Page, Status
from barometre.net.guard import AddressPolicy
from barometre.net.resolver import GuardedResolver
from barometre.pipeline.demo import SAMPLE_AS_OF, fetch_config, sample_authorities
from barometre.sampleweb import SampleWeb
from barometre.storage import capture_repo, registry_repo
from barometre.storage.db import open_database
from test_checks_discovery import discovered
from test_checks_discovery import subject as qsubject

SITES = Path(__file__).parents[1] / "src" / "barometre" / "sampleweb" / "sites"
EDITION = "2026-12"
HOSTS = ("www.ville-exemple.test", "www.departement-exemple.test")


def _page_text(path: Path) -> str:
    """The visible text of one sample page, read from the file itself."""
    html = path.read_text(encoding="utf-8")
    url = "https://sample.test/"
    return Doc(Page(url, url, FetchOutcome.OK, 200, "text/html", text=html)).text


@pytest.fixture(scope="module")
def subjects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Subject]:
    """The two sites captured from the sample web (static capture), as the checks see them."""
    folder = tmp_path_factory.mktemp("quotes")
    engine: Engine = open_database(f"sqlite:///{folder / 'barometre.sqlite'}")
    authorities = {
        a.website.host: a for a in sample_authorities() if a.website and a.website.host in HOSTS
    }
    assert sorted(authorities) == sorted(HOSTS)
    registry_repo.replace_registry(engine, list(authorities.values()), "test", {})
    capture_repo.ensure_edition(engine, EDITION, "Édition de test")

    async def capture() -> None:
        async with SampleWeb() as web:
            report = await capture_edition(
                engine,
                EDITION,
                [Target(a.id, web.url(host)) for host, a in authorities.items()],
                warc_root=folder,
                config=fetch_config(),
                resolver=GuardedResolver(
                    AddressPolicy.allowing(["127.0.0.1/32"]),
                    static_hosts=web.host_map,
                    port_map=web.port_map,
                ),
                ssl_context=web.client_ssl_context(),
            )
        assert report.done == len(HOSTS)

    asyncio.run(capture())
    engine.dispose()
    return {
        host: Subject(a, load_site_archive(warc_path(folder, EDITION, a.id)), SAMPLE_AS_OF)
        for host, a in authorities.items()
    }


def _by_note(evidence: list[Evidence], start: str) -> Evidence:
    found = [e for e in evidence if (e.note or "").startswith(start)]
    assert len(found) == 1, (start, evidence)
    return found[0]


def _words(quote: str) -> list[str]:
    """The quoted pieces, without the « … » that mark a cut."""
    return [p.strip() for p in quote.split("…") if p.strip()]


def test_the_statement_evidence_quotes_the_page_as_written(
    subjects: dict[str, Subject],
) -> None:
    verdict = accessibility_statement(subjects["www.ville-exemple.test"], {})
    page = _page_text(
        SITES / "www.ville-exemple.test" / "declaration-daccessibilite" / "index.html"
    )
    quotes = {
        key: _by_note(verdict.evidence, label).text
        for key, label in (
            ("date", "date de la déclaration"),
            ("status", "statut cohérent"),
            ("rate", "taux de conformité"),
            ("rgaa", "version du RGAA"),
            ("unavailable", "contenus non accessibles"),
            ("plans", "schéma pluriannuel"),
        )
    }
    # The page says « Cette déclaration a été établie le 14 mars 2024. »
    assert quotes["date"] == "établie le 14 mars 2024"
    assert quotes["status"] is not None
    assert "est partiellement conforme avec le référentiel général" in quotes["status"]
    assert quotes["rate"] is not None
    assert "révèle que 54 % des critères du RGAA version 4.1" in quotes["rate"]
    assert quotes["rgaa"] is not None and quotes["rgaa"].startswith("RGAA")
    assert quotes["unavailable"] == "Contenus non accessibles"  # the heading, capital and all
    assert (
        quotes["plans"] is not None
        and "schéma pluriannuel de mise en accessibilité" in (quotes["plans"])
    )
    for key, quote in quotes.items():  # every excerpt is the page's own words
        assert quote is not None
        for piece in _words(quote):
            assert piece in page, (key, piece)


def test_a_statement_with_its_pdf_quotes_the_status_line(subjects: dict[str, Subject]) -> None:
    verdict = accessibility_statement(subjects["www.departement-exemple.test"], {})
    page = _page_text(SITES / "www.departement-exemple.test" / "fr" / "accessibilite.html")
    quote = _by_note(verdict.evidence, "statut cohérent").text
    assert quote is not None
    # The page: « <p>État de conformité : <strong>partiellement conforme</strong> (RGAA 4.1).</p> »
    assert "État de conformité : partiellement conforme (RGAA 4.1)." in quote
    assert "etat de conformite" not in quote
    assert all(piece in page for piece in _words(quote)), quote


def test_the_home_mention_is_quoted_as_written(subjects: dict[str, Subject]) -> None:
    verdict = accessibility_mention(subjects["www.ville-exemple.test"], {})
    home = _page_text(SITES / "www.ville-exemple.test" / "index.html")
    shown = _by_note(verdict.evidence, "statut affiché").text
    assert shown == "Accessibilité : partiellement conforme" and shown in home


# --- checks that match on Doc.folded quote Doc.text --------------------------------------


def test_mentions_found_in_folded_text_are_quoted_as_written() -> None:
    efiling = planning_efiling(
        discovered(qsubject("<p>Le Dépôt en ligne des demandes d’urbanisme est ouvert.</p>")), {}
    )
    assert efiling.value == 0.5
    assert efiling.evidence[0].text == "Le Dépôt en ligne des demandes d’urbanisme est ouvert."
    falc = inclusive_content(qsubject("<p>Guide en FACILE À LIRE ET À COMPRENDRE (FALC).</p>"), {})
    assert [e.text for e in falc.evidence][:1] == ["FACILE À LIRE ET À COMPRENDRE"]
    parked = site_reachable(qsubject("<h1>Ce domaine est À VENDRE</h1>"), {})
    assert parked.value == 0 and parked.evidence[0].text == "Ce domaine est À VENDRE"
    eco = eco_statement(
        qsubject("<p>x</p>", pages={"legal": "<p>Lire la Déclaration d’Écoconception du site.</p>"})
    )
    assert eco is not None and eco.text == "Déclaration d’Écoconception"


def test_a_participation_platform_about_the_budget_is_quoted_as_written() -> None:
    host = next(iter(refdata.decidim_hosts()))
    html = f'<ul><li>Le Budget des Habitants 2025 : <a href="https://{host}/bp">Je participe</a></li></ul>'
    verdict = participatory_budget(discovered(qsubject(html)), {})
    assert verdict.status is Status.PASS
    text = verdict.evidence[0].text or ""
    assert "Le Budget des Habitants 2025 : Je participe" in text, text
