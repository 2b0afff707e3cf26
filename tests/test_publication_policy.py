"""The publication policy (issue 15): publish only what was measured.

Unit rules first (who is graded, ranks among the graded, withheld dimension scores,
missing input not a failure), then two small editions built offline: one measured from
the registry alone through ``barometre run`` (no network: the ``.test`` names never
resolve), which must publish no score, grade nor rank; and one with captured and
uncaptured sites, whose site, search index and exports must agree on who is graded.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from barometre.checks.coherence import official_mail_domain
from barometre.checks.subject import Subject
from barometre.cli.app import app
from barometre.methodology import bundled, policy
from barometre.methodology.policy import Publication
from barometre.models import (
    Authority,
    AuthorityKind,
    CheckResult,
    Contact,
    Status,
    Website,
)
from barometre.publish.exports import export_edition
from barometre.publish.site.builder import SiteBuilder
from barometre.scoring.engine import DimensionScore, Scored, rank_all
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, registry_repo, score_repo
from barometre.storage.db import open_database

GRID = bundled()
EDITION = "2026-11"
runner = CliRunner()


def site(host: str) -> tuple[Website, ...]:
    return (Website(f"https://{host}/", host, "test", True),)


def mail(address: str) -> tuple[Contact, ...]:
    return (Contact("email", address, "test"),)


# --- the rules ----------------------------------------------------------------------------


def test_publication_needs_a_captured_site_and_the_coverage_threshold() -> None:
    assert policy.publication(True, 0.5, 0.5) is Publication.GRADED
    assert policy.publication(True, 0.49, 0.5) is Publication.INSUFFICIENT
    assert policy.publication(False, 1.0, 0.5) is Publication.REGISTRY_ONLY
    assert policy.publication_of(False, None) is Publication.REGISTRY_ONLY
    assert policy.publication_of(True, None) is Publication.INSUFFICIENT
    assert policy.publication_of(True, "C") is Publication.GRADED


def test_ranks_count_graded_authorities_only_and_nothing_else_is_published() -> None:
    dims = (
        DimensionScore("presence", 100.0, 1.0, 3, 0),
        DimensionScore("services", 0.0, 0.2, 1, 4),
    )
    items = [
        Scored("graded-low", 18.2, 0.6, dims),
        Scored("graded-high", 55.0, 0.9, dims),
        Scored("thin", 99.0, 0.07, dims),  # 7 % coverage: the Paris of issue 15
        Scored("registry", 0.0, 1.0, dims),  # no site: 0/100 at 100 % coverage
    ]
    groups = dict.fromkeys(("graded-low", "graded-high", "thin", "registry"), "g")
    ranked = {
        s.authority_id: s
        for s in rank_all(
            items,
            groups,
            (80, 60, 40, 20),
            min_coverage=0.5,
            captured={"graded-low", "graded-high", "thin"},
        )
    }
    assert (ranked["graded-high"].rank, ranked["graded-low"].rank) == (1, 2)
    assert ranked["graded-low"].grade == "E" and ranked["graded-low"].value == 18.2
    for key, status in (
        ("thin", Publication.INSUFFICIENT),
        ("registry", Publication.REGISTRY_ONLY),
    ):
        item = ranked[key]
        assert (item.value, item.grade, item.rank) == (None, None, None)
        assert (
            item.publication is status
            and item.coverage == items[[i.authority_id for i in items].index(key)].coverage
        )
    # a dimension keeps its score only with a captured site at the threshold
    assert [d.value for d in ranked["thin"].dimensions] == [100.0, None]
    assert [d.value for d in ranked["registry"].dimensions] == [None, None]
    assert [d.value for d in ranked["graded-low"].dimensions] == [100.0, None]


def _subject(authority: Authority) -> Subject:
    return Subject(authority, None, date(2026, 11, 1))


def test_no_email_in_the_registry_is_not_measurable_never_a_failure() -> None:
    paris = Authority(AuthorityKind.COMMUNE, "75056", "Paris", websites=site("www.paris.fr"))
    verdict = official_mail_domain(_subject(paris), {})
    assert verdict.status is Status.NOT_MEASURABLE and verdict.reason
    assert "registre" in verdict.reason
    gmail = Authority(
        AuthorityKind.COMMUNE,
        "99001",
        "Oubli",
        websites=site("www.oubli.test"),
        contacts=mail("o@gmail.com"),
    )
    assert official_mail_domain(_subject(gmail), {}).status is Status.FAIL


def test_missing_summary_says_what_is_missing_without_a_number() -> None:
    text = policy.missing_summary(
        True, 0.07, 0.5, [("S1", "Site non capturé."), ("S2", "Site non capturé."), ("K3", None)]
    )
    assert "7\u202f%" in text and "50\u202f%" in text and "S1, S2" in text
    assert not re.search(r"\d+,\d", text)  # no score stands in for the missing one
    registry = policy.missing_summary(False, 1.0, 0.5, [])
    assert "non capturé" in registry and "sans score" in registry


def test_accounts_not_searched_is_never_none_found() -> None:
    reason = "Site non mesurable : délai dépassé."
    assert policy.accounts_not_searched(Status.NOT_MEASURABLE, reason) == (
        "Comptes sociaux non cherchés : site non mesurable : délai dépassé."
    )
    assert "non capturé" in (policy.accounts_not_searched(None, None) or "")
    assert policy.accounts_not_searched(Status.FAIL, "Aucun lien") is None


def test_the_score_summary_counts_graded_collectivites_like_the_site() -> None:
    line = plain(
        policy.summary(
            {Publication.GRADED: 22, Publication.INSUFFICIENT: 12, Publication.REGISTRY_ONLY: 3}
        )
    )
    assert line.startswith("Publication : 22 collectivités notées, 12 en couverture insuffisante")
    only = policy.summary({Publication.REGISTRY_ONLY: 4})
    assert "registre seul" in only and "ni score, ni note, ni rang" in only
    measured = policy.Measured(authorities=37, captured=36, accounts=13, graded=22)
    assert "36 sites capturés" in plain(measured.sentence())
    assert "22 collectivités notées" in plain(measured.sentence())


# --- a registry-only edition through `barometre run`, offline -----------------------------

REGISTRY = [
    Authority(
        AuthorityKind.REGION,
        "99",
        "Région Témoin",
        population=2_000_000,
        websites=site("www.region-temoin.test"),
        contacts=mail("contact@region-temoin.test"),
    ),
    Authority(
        AuthorityKind.COMMUNE,
        "99001",
        "Grande-Ville",
        population=150_000,
        departement="99",
        region="99",
        websites=site("www.grande-ville.test"),  # no e-mail: K3 not measurable
    ),
    Authority(
        AuthorityKind.COMMUNE,
        "99002",
        "Sans-Site",
        population=300,
        departement="99",
        region="99",
        contacts=mail("mairie.sans-site@orange.fr"),
    ),
    Authority(
        AuthorityKind.COMMUNE,
        "99003",
        "Bourg",
        population=1_200,
        departement="99",
        region="99",
        websites=site("www.bourg.test"),
        contacts=mail("mairie@bourg.test"),
    ),
]


@pytest.fixture
def registry_only_run(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    engine = open_database(f"sqlite:///{data_dir / 'barometre.sqlite3'}")
    registry_repo.replace_registry(engine, REGISTRY, "test", {})
    engine.dispose()
    result = runner.invoke(app, ["--data-dir", str(data_dir), "run", "-e", EDITION])
    assert result.exit_code == 0, result.output
    assert "Pas d'accès au réseau" in result.output
    return data_dir


def plain(html: str) -> str:
    return html.replace("\u202f", " ").replace("\u00a0", " ")


def _pages(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text("utf-8") for p in root.rglob("*.html")}


def test_run_without_network_publishes_no_grade_no_rank_no_score(registry_only_run: Path) -> None:
    engine = open_database(f"sqlite:///{registry_only_run / 'barometre.sqlite3'}")
    stored = score_repo.load_scores(engine, EDITION)
    assert stored, "the edition was scored"
    assert all(r.value is None and r.grade is None and r.rank is None for r in stored)

    out = registry_only_run / "site" / EDITION
    pages = _pages(out)
    assert pages
    for name, html in pages.items():
        # every page says what the edition measured
        assert "registre seul" in html, name
        assert "/ 100" not in html, name
        assert "Score global" not in html, name
        assert "Rang" not in html, name
        assert not re.search(r'class="note[^"]*">[A-E]<', html), name
    card = pages["collectivites/commune/99001.html"]
    assert "Site non capturé dans cette édition" in card
    assert "Aucun compte social" not in card
    assert "Indicateurs du registre" in card
    # K3 without e-mail is neither a failure nor a recommendation
    assert "K3 — Messagerie" not in card.split('id="reseaux"')[0]
    home = pages["index.html"]
    assert "Site officiel déclaré" in home and "Nom de domaine propre" in home
    maps = pages["cartes.html"]
    assert "Site officiel déclaré : part des collectivités" in maps
    ranking = pages["classements/communes-1.html"]
    assert "Sans-Site" in ranking and "non mesurable" in ranking

    search = json.loads((out / "recherche.json").read_text("utf-8"))
    assert search and all(item["s"] is None for item in search)

    exported = registry_only_run / "exports" / EDITION / "csv" / "scores.csv"
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    assert rows and {r["publication"] for r in rows} == {"registre seul"}
    assert all(r["score"] == r["note"] == r["rang"] == "" for r in rows)
    # the catalogue's figures: the registry's are measured, the rest « non mesuré »
    # (never 0), and none is a score or a rank
    exported = registry_only_run / "exports" / EDITION / "csv" / "indicateurs.csv"
    figures = list(csv.DictReader(exported.open(encoding="utf-8")))
    by = {(r["indicateur"], r["groupe"]): r for r in figures}
    declared = by[("registre.site_declare", "ensemble")]
    assert declared["etat"] == "mesuré" and declared["denominateur"] == str(len(REGISTRY))
    for key in (("reseaux.facebook", "ensemble"), ("critere.technique.https", "ensemble")):
        assert by[key]["etat"] == "non mesuré" and by[key]["valeur"] == "", key
    assert not {"score", "note", "rang"} & set(figures[0])
    # the series of the registry's indicators are drawn, with no rank anywhere
    assert "<h3>Édition par édition</h3>" in pages["indicateurs.html"]
    assert "Rang" not in pages["indicateurs.html"]


# --- an edition with captured and uncaptured sites: every output agrees ------------------


def _results(authority: Authority, share_measured: float) -> list[CheckResult]:
    """Pass on the first ``share_measured`` of the grid's site criteria (the rest is left
    out: not measurable), plus the registry's criteria."""
    site_ids = policy.site_criteria(GRID.criteria)
    kept = site_ids[: int(len(site_ids) * share_measured)]
    return [
        CheckResult(authority.id, check_id, "1", Status.PASS, 1.0)
        for check_id in (*kept, "presence.annuaire", "presence.domaine_souverain")
    ]


@pytest.fixture
def mixed(tmp_path: Path) -> Engine:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    towns = [
        Authority(
            AuthorityKind.COMMUNE,
            f"9900{i}",
            f"Commune {i}",
            population=1_000 + i,
            departement="99",
            websites=site(f"www.c{i}.test"),
        )
        for i in range(1, 5)
    ]
    registry_repo.replace_registry(engine, towns, "test", {})
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    rows = _results(towns[0], 1.0) + _results(towns[1], 0.9) + _results(towns[2], 0.05)
    # the fourth: registry criteria only (its site was not captured)
    rows += [
        CheckResult(towns[3].id, "presence.annuaire", "1", Status.PASS, 1.0),
        CheckResult(towns[3].id, "presence.domaine_souverain", "1", Status.PASS, 1.0),
    ]
    audit_repo.store_many(engine, EDITION, rows)
    report = score_edition(engine, EDITION, GRID)
    assert report.graded == 2 and report.captured == 3
    assert report.publications[Publication.REGISTRY_ONLY] == 1
    assert report.publications[Publication.INSUFFICIENT] == 1
    return engine


def test_site_search_and_exports_agree_on_who_is_graded(mixed: Engine, tmp_path: Path) -> None:
    out = tmp_path / "site"
    SiteBuilder(mixed, EDITION, out, GRID).build()
    pages = _pages(out)
    ranking = plain(pages["classements/communes-2.html"])
    assert "dont 2 notées" in ranking
    assert ranking.count("couverture insuffisante") == 1 and ranking.count("registre seul") == 1
    thin = pages["collectivites/commune/99003.html"]
    assert "couverture insuffisante" in thin and "Score global" not in thin
    assert "Non mesurable" in thin and "/ 100" not in thin.split('id="dimensions"')[0]
    graded = plain(pages["collectivites/commune/99001.html"])
    assert "Score global" in graded and "sur 2 collectivités notées" in graded
    uncaptured = pages["collectivites/commune/99004.html"]
    assert "Aucun compte social" not in uncaptured and "non capturé" in uncaptured
    for html in pages.values():  # every page says what the edition measured
        assert "3 sites capturés" in plain(html) and "2 collectivités notées" in plain(html)

    method = plain(pages["methodologie.html"])
    assert "Ce qui est publié" in method and "couverture atteint 50 %" in method
    assert "jamais en score" in method and "ni repris dans les recommandations" in method

    search = {i["c"]: i["s"] for i in json.loads((out / "recherche.json").read_text("utf-8"))}
    assert search["99003"] is None and search["99004"] is None
    assert search["99001"] is not None and "," in search["99001"]  # French decimal

    export_edition(mixed, EDITION, GRID, tmp_path / "exports", ("csv",))
    rows = list(
        csv.DictReader((tmp_path / "exports" / "csv" / "scores.csv").open(encoding="utf-8"))
    )
    by = {(r["collectivite"], r["portee"]): r for r in rows}
    assert by[("commune:99001", "global")]["publication"] == "notée"
    assert by[("commune:99001", "global")]["rang"] == "1"
    assert by[("commune:99003", "global")]["publication"] == "couverture insuffisante"
    assert by[("commune:99004", "global")]["publication"] == "registre seul"
    for key in ("commune:99003", "commune:99004"):
        assert by[(key, "global")]["score"] == by[(key, "global")]["rang"] == ""
        assert by[(key, "global")]["note"] == ""
    assert all(r["score"] == "" for (a, _), r in by.items() if a == "commune:99004")
