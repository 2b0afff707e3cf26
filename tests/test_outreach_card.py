"""What a card gives the collectivité it describes: a badge to show, a way to contest.

The badge is static SVG that says in words what it shows; the « contester » link of a
result prepares a message in the explanation file format, which the import reads back
(the round trip)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import Engine

from barometre.errors import SourceError
from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, Evidence
from barometre.publish.badges import NOT_GRADED, badge_svg, badge_text, embed_snippet
from barometre.publish.site.builder import SiteBuilder, SiteInputs
from barometre.publish.site.contest import contest_file, contest_href
from barometre.publish.site.legal import EXPLANATION_EXAMPLE
from barometre.scoring.explanations import parse_toml
from barometre.storage import score_repo
from test_site_builder import EDITION, TOWNS, engine

__all__ = ["engine"]  # the small edition of the site builder's tests

GRID = bundled()
SVG = "{http://www.w3.org/2000/svg}"
VILLE = Authority(AuthorityKind.COMMUNE, "99101", "Ville-Exemple")


def test_the_badge_says_its_grade_and_edition_in_words() -> None:
    svg = badge_svg("B", "édition novembre 2026", "Ville-Exemple")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == badge_text(
        "B", "édition novembre 2026", "Ville-Exemple"
    )
    assert title.text.endswith("Ville-Exemple, note B")
    assert "novembre 2026" in title.text
    labelled = (root.get("aria-labelledby") or "").split()
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert labelled and set(labelled) <= ids
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Note B" in texts
    # static: nothing runs, nothing is fetched from elsewhere
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    ungraded = ET.fromstring(badge_svg(None, "édition novembre 2026", "Ville-Exemple"))
    assert NOT_GRADED in [t.text for t in ungraded.iter(f"{SVG}text")]
    # a name from the registry is text, never markup
    hostile = badge_svg("A", "édition", "<script>x</script> & Cie")
    assert "<script>" not in hostile and ET.fromstring(hostile) is not None


def test_the_embed_snippet_links_the_badge_to_the_card() -> None:
    snippet = embed_snippet(
        "https://b.test/badges/commune-99101.svg", "https://b.test/c.html", 'a "b"'
    )
    assert snippet.startswith('<a href="https://b.test/c.html"><img src="https://b.test/badges/')
    assert 'alt="a &#34;b&#34;"' in snippet


def contest_body() -> str:
    return contest_file(
        VILLE,
        "L4",
        "Mentions légales",
        "échec",
        (Evidence(url="https://www.ville-exemple.test/", text="Mentions\nlégales\x07 absentes"),),
        "2026-11",
        "édition novembre 2026",
        date(2026, 12, 6),
    )


def test_a_contest_message_is_an_explanation_file_once_completed(tmp_path: Path) -> None:
    body = contest_body()
    assert "# Édition : édition novembre 2026 (2026-11)" in body
    assert "# Preuve : https://www.ville-exemple.test/ « Mentions légales absentes »" in body
    path = tmp_path / "message.toml"
    # sent as it is, without a text: refused, with the line of its table
    with pytest.raises(SourceError) as refused:
        parse_toml(body, path, GRID)
    line = body.splitlines().index("[[explications]]") + 1
    assert "texte vide" in str(refused.value) and str(refused.value).endswith(
        f"message.toml:{line} : texte vide"
    )
    written = body.replace('texte = """\n"""', 'texte = """\nLa page existe depuis mars.\n"""')
    written = written.replace('auteur = ""', 'auteur = "Service communication"')
    (item,) = parse_toml(written, path, GRID)
    assert item.authority_id == "commune:99101"
    assert item.check_id == GRID.criterion("L4").id
    assert item.kind == "dispute" and item.text == "La page existe depuis mars."
    assert item.received_on == date(2026, 12, 6) and item.author == "Service communication"
    explanation = written.replace('nature = "contestation"', 'nature = "explication"')
    assert parse_toml(explanation, path, GRID)[0].kind == "explanation"


def test_the_contest_link_is_a_prefilled_email_or_the_form(tmp_path: Path) -> None:
    body = contest_body()
    href = contest_href("Baromètre — contact@barometre.test", "Sujet é", body)
    parts = urlsplit(href)
    assert parts.scheme == "mailto" and parts.path == "contact@barometre.test"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Sujet é"] and query["body"] == [body]
    assert contest_href("https://barometre.test/contester", "s", body) == (
        "https://barometre.test/contester"
    )
    assert contest_href(None, "s", body).startswith("mailto:?subject=s&body=")


def test_the_documented_example_is_accepted(tmp_path: Path) -> None:
    (item,) = parse_toml(EXPLANATION_EXAMPLE, tmp_path / "exemple.toml", GRID)
    assert item.authority_id == "commune:75056" and item.kind == "dispute"


def test_each_card_shows_its_badge_and_contest_links(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "site"
    SiteBuilder(
        engine,
        EDITION,
        out,
        GRID,
        inputs=SiteInputs(
            # a public address makes it a release: the publisher is named in full
            publisher={
                "publisher": "Association Exemple, 1 rue de l'Exemple, 99000 Exemple",
                "director": "Camille Exemple",
                "host": "Hébergeur Exemple, 2 rue de l'Exemple, 99000 Exemple",
                "contact": "contact@barometre.test",
            },
            base_url="https://b.test/",
        ),
    ).build()
    grades = {
        s.authority_id: s.grade for s in score_repo.load_scores(engine, EDITION, scope="global")
    }
    for town in TOWNS:
        page = (out / "collectivites" / "commune" / f"{town.code}.html").read_text("utf-8")
        badge = out / "badges" / f"commune-{town.code}.svg"
        svg = badge.read_text("utf-8")
        shown = f"Note {grades[town.id]}" if grades[town.id] else NOT_GRADED
        assert f">{shown}</text>" in svg
        alt = badge_text(grades[town.id], "édition novembre 2026", town.name)
        assert f'<img src="../../badges/commune-{town.code}.svg" alt="{alt}"' in page
        snippet = html.unescape(re.search(r"<pre[^>]*><code>(.*?)</code>", page, re.S)[1])  # type: ignore[index]
        assert snippet == embed_snippet(
            f"https://b.test/badges/commune-{town.code}.svg",
            f"https://b.test/collectivites/commune/{town.code}.html",
            alt,
        )
        links = [html.unescape(h) for h in re.findall(r'href="(mailto:[^"]+)"', page)]
        failed = page.count("ligne-fail") + page.count("ligne-partial")
        measured_not = page.count('"ligne-not-measurable"')  # a result, not measurable
        assert failed and len(links) == failed + measured_not
        # a criterion without a result in this edition (site not captured) has no link
        assert "ligne-not-measurable sans-resultat" in page
        body = unquote(links[0].split("&body=", 1)[1])
        assert f'code = "{town.code}"' in body and "(2026-11)" in body
