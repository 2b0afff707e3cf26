"""Open-data exports: CSV + Table Schema + Data Package, JSON, Parquet, SQLite + Datasette.

A small edition is written with the storage repositories (a few collectivités with
results, scores, findings, social accounts and metrics, crawled texts that start with
formula prefixes); the sample-web demonstration edition is built once for the module.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import frictionless
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from rich.console import Console
from sqlalchemy import Engine, update
from typer.testing import CliRunner

from barometre.cli import export_cmd
from barometre.cli.context import AppContext
from barometre.errors import ConfigurationError, EditionTamperedError, StorageError
from barometre.indicators.series import store_edition
from barometre.methodology import bundled
from barometre.methodology.indicators import bundled as bundled_catalogue
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    CheckResult,
    Confidence,
    Evidence,
    Finding,
    LegalType,
    ProfileLink,
    SocialMetric,
    SocialProfile,
    SocialSource,
    Status,
    Website,
)
from barometre.pipeline.export import indicator_records
from barometre.publish import tableschema
from barometre.publish.exports import FORMATS, ExportReport, export_edition, parse_formats
from barometre.scoring.editions import freeze_edition
from barometre.storage import audit_repo, capture_repo, registry_repo, score_repo, social_repo
from barometre.storage.db import open_database, upgrade
from barometre.storage.schema import check_results

GRID = bundled()
EDITION = "2026-11"
TABLES = [*(t.name for t in tableschema.tables(GRID)), "indicateurs"]
PAYLOAD = '=HYPERLINK("http://127.0.0.1/piege","clic")'
DDE = "=cmd|' /C calc'!A0"
NEGATIVE = "-5 mentions manquantes"
HANDLE = "@ville@social.test"
AT = datetime(2026, 11, 3, 10, 30, 15, 123456, tzinfo=UTC)
ACCOUNT = "https://social.test/users/ville"
runner = CliRunner()
# sqlite_stat1 (ANALYZE) is SQLite's own, hidden by Datasette
PUBLIC_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"


# --- the small edition -------------------------------------------------------------------


def _authorities() -> list[Authority]:
    site = Website("https://www.ville-temoin.test/", "www.ville-temoin.test", "annuaire", True)
    other = Website("https://ville-temoin.test/", "ville-temoin.test", "domaines", False)
    return [
        Authority(
            AuthorityKind.COMMUNE,
            "99001",
            "Ville-Témoin",
            siren="219900010",
            population=12000,
            region="99",
            departement="99",
            epci="200000099",
            websites=(other, site),
        ),
        Authority(
            AuthorityKind.DEPARTEMENT,
            "99",
            "Collectivité Témoin",
            population=50000,
            region="99",
            legal_type=LegalType.STATUT_PARTICULIER,  # like the Collectivité de Corse
            territory=("98", "99"),
        ),
        Authority(AuthorityKind.EPCI, "200000099", "CC Témoin", epci_type="CC"),
        Authority(AuthorityKind.COMMUNE, "99002", "Sans-Résultat", departement="99"),
    ]


def _profile(platform: str, account_id: str, handle: str, **kw: Any) -> SocialProfile:
    values: dict[str, Any] = {
        "url": f"https://{platform}.test/{handle}",
        "state": AccountState.OK,
        "fetched_at": AT,
        "source": SocialSource.API,
    }
    values.update(kw)
    return SocialProfile(platform=platform, account_id=account_id, handle=handle, **values)


def build_small(engine: Engine, edition: str = EDITION, *, demo: bool = False) -> None:
    registry_repo.replace_registry(engine, _authorities(), "registre de test", {})
    capture_repo.ensure_edition(engine, edition, f"Édition {edition}", demo=demo)
    capture_repo.set_methodology(engine, edition, GRID.version)
    audit_repo.store_audit(
        engine,
        edition,
        "commune:99001",
        [
            CheckResult(
                "commune:99001",
                "presence.site_joignable",
                "1",
                Status.PASS,
                1.0,
                evidence=(Evidence(url="https://www.ville-temoin.test/", text=PAYLOAD),),
            ),
            CheckResult(
                "commune:99001",
                "conformite.mentions_legales",
                "2",
                Status.FAIL,
                0.0,
                reason=NEGATIVE,
            ),
            CheckResult(
                "commune:99001",
                "technique.https",
                "1",
                Status.NOT_MEASURABLE,
                None,
                reason="Délai dépassé.",
            ),
            # a criterion the grid no longer has: it still gets a row in criteres
            CheckResult(
                "commune:99001",
                "presence.ancien_critere",
                "1",
                Status.PARTIAL,
                0.5,
                confidence=Confidence.INFERRED,
            ),
        ],
        [
            Finding(
                "social",
                "mastodon",
                "https://social.test/@ville",
                HANDLE,
                Evidence(url="https://www.ville-temoin.test/", note="lien (pied de page)"),
            ),
            Finding("app", "exemple", PAYLOAD, None, Evidence(text="@SUM(1+1)")),
            Finding("cms", "wordpress"),
        ],
    )
    audit_repo.store_audit(
        engine,
        edition,
        "departement:99",
        [CheckResult("departement:99", "presence.site_joignable", "1", Status.FAIL, 0.0)],
        [],
    )
    score_repo.replace_scores(
        engine,
        edition,
        [
            score_repo.ScoreRow("commune:99001", "global", 72.5, 0.8, "B", "commune:5", 1),
            score_repo.ScoreRow("commune:99001", "presence", 100.0, 1.0, None, "commune:5", 1),
            score_repo.ScoreRow("commune:99001", "social:mastodon", 4.0, 1.0, None, "commune:5", 1),
            score_repo.ScoreRow("departement:99", "global", None, 0.0, None, "departement", None),
            score_repo.ScoreRow("epci:200000099", "global", 10.0, 0.2, None, "epci:CC", 1),
        ],
    )
    social_repo.store_account(
        engine,
        edition,
        "commune:99001",
        _profile(
            "mastodon",
            ACCOUNT,
            HANDLE,
            display_name=DDE,
            description="-- Ville Témoin, compte officiel",
            followers=1234,
            following=10,
            posts_count=321,
            created_at=datetime(2020, 5, 1, tzinfo=UTC),
            last_post_at=datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
            links=(ProfileLink("https://www.ville-temoin.test/", "Site", True),),
        ),
        found_at="https://www.ville-temoin.test/",
        metrics=[
            SocialMetric(
                "mastodon",
                ACCOUNT,
                "posts_per_week",
                2.5,
                SocialSource.API,
                12,
                {"debut": "2026-08-05", "fin": "2026-11-03"},
            ),
            SocialMetric("mastodon", ACCOUNT, "reply_share", None, SocialSource.API, 0),
        ],
    )
    social_repo.store_account(
        engine,
        edition,
        "commune:99001",
        _profile(
            "facebook",
            "VilleTemoin",
            "VilleTemoin",
            state=AccountState.CLOSED,
            reason="Plateforme sans accès public ouvert.",
        ),
    )
    social_repo.store_account(
        engine,
        edition,
        "departement:99",
        _profile("youtube", "UCtemoin", "@departement", followers=845, followers_exact=False),
    )
    # metrics of an account whose profile is not in the edition are not published
    social_repo.store_metrics(
        engine,
        edition,
        "commune:99001",
        _profile("bluesky", "did:plc:disparu", "ville.test"),
        [SocialMetric("bluesky", "did:plc:disparu", "posts_per_week", 1.0, SocialSource.API, 3)],
    )


EXPECTED = {
    "collectivites": 3,  # 99002 has nothing in the edition
    "criteres": len(GRID.criteria) + 1,
    "resultats": 5,
    "scores": 5,
    "decouvertes": 3,
    "comptes_sociaux": 3,
    "indicateurs_sociaux": 2,
}


def export_small(engine: Engine, out: Path, formats: Any = FORMATS, **kw: Any) -> ExportReport:
    """The export as the pipeline runs it: with the catalogue's figures of the edition."""
    records = indicator_records(engine, EDITION, GRID)
    # one row per indicator and group: every catalogue indicator is there
    EXPECTED.setdefault("indicateurs", len(records))
    return export_edition(engine, EDITION, GRID, out, formats, indicators=records, **kw)


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    build_small(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("small")
    engine = open_database(f"sqlite:///{root / 'b.sqlite3'}")
    build_small(engine)
    report = export_small(engine, root / "out")
    assert report.rows == EXPECTED
    engine.dispose()
    yield root / "out"


# --- reading the files back --------------------------------------------------------------


def csv_rows(out: Path, table: str) -> list[dict[str, str]]:
    with (out / "csv" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def json_doc(out: Path, table: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "json" / f"{table}.json").read_text("utf-8"))
    return data


def json_rows(out: Path, table: str) -> list[dict[str, Any]]:
    doc = json_doc(out, table)
    names = [c["nom"] for c in doc["colonnes"]]
    return [dict(zip(names, row, strict=True)) for row in doc["lignes"]]


def sqlite_db(out: Path, edition: str = EDITION) -> sqlite3.Connection:
    connection = sqlite3.connect(out / "sqlite" / f"barometre-{edition}.sqlite")
    connection.row_factory = sqlite3.Row
    return connection


def _validate(out: Path) -> frictionless.Report:
    return frictionless.validate(out / "csv" / "datapackage.json")


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- CSV, Table Schema, Data Package ------------------------------------------------------


def test_every_csv_validates_against_its_schema_and_the_package_validates(
    small_export: Path,
) -> None:
    report = _validate(small_export)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = frictionless.Package(small_export / "csv" / "datapackage.json")
    assert [r.name for r in package.resources] == TABLES
    for resource in package.resources:
        checked = resource.validate()
        assert checked.valid, (resource.name, checked.flatten(["rowNumber", "type", "note"]))
        assert checked.tasks[0].stats["rows"] == EXPECTED[resource.name]
    for table in TABLES:
        schema = json.loads((small_export / "csv" / f"{table}.schema.json").read_text("utf-8"))
        header = next(csv.reader((small_export / "csv" / f"{table}.csv").open(encoding="utf-8")))
        assert [f["name"] for f in schema["fields"]] == header
        assert all(f["title"] and f["description"] for f in schema["fields"])


def test_schemas_carry_the_constraints_and_keys(small_export: Path) -> None:
    def schema(table: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            (small_export / "csv" / f"{table}.schema.json").read_text("utf-8")
        )
        return data

    def field(table: str, name: str) -> dict[str, Any]:
        return next(f for f in schema(table)["fields"] if f["name"] == name)

    assert field("resultats", "statut")["constraints"]["enum"] == [s.value for s in Status]
    assert field("resultats", "valeur")["constraints"] == {"minimum": 0, "maximum": 1}
    assert field("scores", "score")["constraints"] == {"minimum": 0, "maximum": 100}
    assert field("scores", "couverture")["constraints"]["maximum"] == 1
    assert field("resultats", "mesure_le")["type"] == "datetime"
    assert field("resultats", "preuves")["type"] == "array"
    assert schema("resultats")["primaryKey"] == ["collectivite", "critere"]
    references = {
        (tuple(fk["fields"]), fk["reference"]["resource"])
        for fk in schema("resultats")["foreignKeys"]
    }
    assert references == {(("collectivite",), "collectivites"), (("critere",), "criteres")}
    account = ("collectivite", "plateforme", "identifiant")
    assert {
        (tuple(fk["fields"]), fk["reference"]["resource"])
        for fk in schema("indicateurs_sociaux")["foreignKeys"]
    } == {(("collectivite",), "collectivites"), (account, "comptes_sociaux")}


def test_a_broken_row_makes_the_package_invalid(small_export: Path, tmp_path: Path) -> None:
    """The validation is real: a score out of range and an unknown collectivité fail."""
    copy = tmp_path / "copie"
    (copy / "csv").mkdir(parents=True)
    for path in (small_export / "csv").iterdir():
        (copy / "csv" / path.name).write_bytes(path.read_bytes())
    package = json.loads((copy / "csv" / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        del resource["hash"], resource["bytes"]
    (copy / "csv" / "datapackage.json").write_text(json.dumps(package), "utf-8")
    with (copy / "csv" / "scores.csv").open("a", encoding="utf-8") as handle:
        handle.write("commune:00000,global,140.0,0.5,,commune:1,1\n")
    report = _validate(copy)
    assert not report.valid
    kinds = {error[0] for error in report.flatten(["type"])}
    assert {"constraint-error", "foreign-key"} <= kinds


def test_data_package_says_edition_licence_sources_and_methodology(small_export: Path) -> None:
    package = json.loads((small_export / "csv" / "datapackage.json").read_text("utf-8"))
    assert package["edition"] == EDITION
    assert package["methodologie"] == GRID.version
    assert package["demonstration"] is False and package["figee"] is False
    assert "manifeste_sha256" not in package
    assert "DÉMONSTRATION" not in package["title"]
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert "Licence Ouverte" in package["licenses"][0]["title"]
    assert "non figée" in package["description"]
    sources = (Path(tableschema.__file__).parents[1] / "registry/data/SOURCES.md").read_text(
        "utf-8"
    )
    assert package["sources"]
    for source in package["sources"]:
        name = source["title"].split(" — ")[0].split(" via ")[0]
        assert name in sources, name
        assert source["path"].startswith("https://")
    for resource in package["resources"]:
        assert resource["path"] == f"{resource['name']}.csv"
        assert resource["schema"] == f"{resource['name']}.schema.json"
        data = (small_export / "csv" / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)


def test_collectivites_are_those_with_results_and_carry_the_official_site(
    small_export: Path,
) -> None:
    rows = {r["id"]: r for r in csv_rows(small_export, "collectivites")}
    assert set(rows) == {"commune:99001", "departement:99", "epci:200000099"}
    commune = rows["commune:99001"]
    assert commune["site_officiel"] == "https://www.ville-temoin.test/"  # the primary one
    assert (commune["type"], commune["code"], commune["siren"]) == ("commune", "99001", "219900010")
    assert (commune["population"], commune["epci"]) == ("12000", "200000099")
    assert rows["epci:200000099"]["type_epci"] == "CC"
    assert rows["departement:99"]["site_officiel"] == ""
    # the legal type beside the peer group's kind, and the départements governed
    assert (commune["statut"], commune["territoire"]) == ("commune", "")
    special = rows["departement:99"]
    assert (special["type"], special["statut"]) == ("departement", "statut_particulier")
    assert special["territoire"] == "98 99"


def test_criteria_come_from_the_methodology_plus_any_criterion_results_name(
    small_export: Path,
) -> None:
    rows = {r["id"]: r for r in csv_rows(small_export, "criteres")}
    first = GRID.criteria[0]
    assert rows[first.id]["code"] == first.code
    assert rows[first.id]["nature"] == first.nature
    assert rows[first.id]["base_legale"] == first.basis
    assert float(rows[first.id]["poids"]) == first.weight
    assert rows[first.id]["dimension_nom"] == GRID.dimension(first.dimension).name
    assert {r["methodologie"] for r in rows.values()} == {GRID.version}
    extra = rows["presence.ancien_critere"]
    assert extra["dimension"] == "presence" and "absent" in extra["nom"]


# --- neutralisation and exact round trips --------------------------------------------------


def test_formula_prefixes_are_neutralised_in_csv_only(small_export: Path) -> None:
    found = {r["nom"]: r for r in csv_rows(small_export, "decouvertes")}
    assert found["exemple"]["url"] == "'" + PAYLOAD
    assert found["mastodon"]["identifiant"] == "'" + HANDLE
    assert json.loads(found["exemple"]["preuve"]) == {"text": "@SUM(1+1)"}
    assert found["wordpress"]["url"] == "" and found["wordpress"]["preuve"] == ""
    results = {
        r["critere"]: r
        for r in csv_rows(small_export, "resultats")
        if r["collectivite"] == "commune:99001"
    }
    assert results["conformite.mentions_legales"]["motif"] == "'" + NEGATIVE
    evidence = results["presence.site_joignable"]["preuves"]
    assert evidence.startswith("[")  # a JSON cell never starts a formula
    assert json.loads(evidence)[0]["text"] == PAYLOAD
    assert results["technique.https"]["valeur"] == ""
    assert results["presence.site_joignable"]["valeur"] == "1.0"
    assert results["presence.site_joignable"]["mesure_le"].endswith("Z")
    accounts = {r["plateforme"]: r for r in csv_rows(small_export, "comptes_sociaux")}
    assert accounts["mastodon"]["nom_affiche"] == "'" + DDE
    assert accounts["mastodon"]["description"].startswith("'--")
    assert accounts["mastodon"]["abonnes"] == "1234"
    assert accounts["youtube"]["abonnes_exact"] == "false"
    # no text cell of any table starts with a formula prefix
    for table in TABLES:
        for row in csv_rows(small_export, table):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (table, value)


def test_json_sqlite_and_parquet_keep_crawled_texts_exactly(small_export: Path) -> None:
    found = {r["nom"]: r for r in json_rows(small_export, "decouvertes")}
    assert found["exemple"]["url"] == PAYLOAD
    assert found["exemple"]["preuve"] == {"text": "@SUM(1+1)"}  # nested, not text
    assert found["mastodon"]["identifiant"] == HANDLE
    results = {
        r["critere"]: r
        for r in json_rows(small_export, "resultats")
        if r["collectivite"] == "commune:99001"
    }
    assert results["presence.site_joignable"]["preuves"][0]["text"] == PAYLOAD
    assert results["conformite.mentions_legales"]["motif"] == NEGATIVE
    accounts = {r["plateforme"]: r for r in json_rows(small_export, "comptes_sociaux")}
    assert accounts["mastodon"]["nom_affiche"] == DDE
    assert accounts["mastodon"]["liens"] == [
        {"url": "https://www.ville-temoin.test/", "label": "Site", "verified": True}
    ]
    with sqlite_db(small_export) as db:
        (url,) = db.execute("SELECT url FROM decouvertes WHERE nom = 'exemple'").fetchone()
        (name,) = db.execute(
            "SELECT nom_affiche FROM comptes_sociaux WHERE plateforme = 'mastodon'"
        ).fetchone()
        (evidence,) = db.execute(
            "SELECT preuves FROM resultats WHERE critere = 'presence.site_joignable' "
            "AND collectivite = 'commune:99001'"
        ).fetchone()
    assert (url, name) == (PAYLOAD, DDE)
    assert json.loads(evidence)[0]["text"] == PAYLOAD
    table = pq.read_table(small_export / "parquet" / "decouvertes.parquet")
    assert PAYLOAD in table.column("url").to_pylist()
    metrics = pq.read_table(small_export / "parquet" / "indicateurs_sociaux.parquet")
    details = [json.loads(d) for d in metrics.column("detail").to_pylist()]
    assert {"debut": "2026-08-05", "fin": "2026-11-03"} in details


def test_dates_are_utc_to_the_second_in_every_format(small_export: Path) -> None:
    expected = "2026-11-03T10:30:15Z"  # AT without its microseconds
    csv_account = next(
        r for r in csv_rows(small_export, "comptes_sociaux") if r["plateforme"] == "mastodon"
    )
    json_account = next(
        r for r in json_rows(small_export, "comptes_sociaux") if r["plateforme"] == "mastodon"
    )
    assert csv_account["lu_le"] == json_account["lu_le"] == expected
    with sqlite_db(small_export) as db:
        (read,) = db.execute(
            "SELECT lu_le FROM comptes_sociaux WHERE plateforme = 'mastodon'"
        ).fetchone()
    assert read == expected
    table = pq.read_table(small_export / "parquet" / "comptes_sociaux.parquet").to_pylist()
    mastodon = next(r for r in table if r["plateforme"] == "mastodon")
    assert mastodon["lu_le"] == AT.replace(microsecond=0)


# --- formats agree ---------------------------------------------------------------------------


def test_row_counts_agree_across_formats(small_export: Path) -> None:
    with sqlite_db(small_export) as db:
        for table in TABLES:
            (in_sqlite,) = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            counts = {
                len(csv_rows(small_export, table)),
                len(json_doc(small_export, table)["lignes"]),
                pq.ParquetFile(small_export / "parquet" / f"{table}.parquet").metadata.num_rows,
                in_sqlite,
            }
            assert counts == {EXPECTED[table]}, table


def test_json_documents_name_their_edition_table_and_columns(small_export: Path) -> None:
    for table in TABLES:
        doc = json_doc(small_export, table)
        assert (doc["edition"], doc["table"], doc["demonstration"]) == (EDITION, table, False)
        header = list(csv_rows(small_export, table)[0])
        assert [c["nom"] for c in doc["colonnes"]] == header
        assert all(c["titre"] and c["description"] for c in doc["colonnes"])


def test_parquet_columns_are_typed(small_export: Path) -> None:
    def schema(table: str) -> pa.Schema:
        return pq.read_schema(small_export / "parquet" / f"{table}.parquet")

    results = schema("resultats")
    assert results.field("collectivite").type == pa.string()
    assert results.field("valeur").type == pa.float64()
    assert results.field("mesure_le").type == pa.timestamp("ms", tz="UTC")
    assert results.field("preuves").type == pa.string()
    assert not results.field("collectivite").nullable
    assert schema("scores").field("rang").type == pa.int64()
    assert schema("collectivites").field("population").type == pa.int64()
    accounts = schema("comptes_sociaux")
    assert accounts.field("abonnes_exact").type == pa.bool_()
    assert accounts.field("abonnes").type == pa.int64()
    assert b"description" in (accounts.field("abonnes").metadata or {})
    meta = {k.decode(): v.decode() for k, v in (accounts.metadata or {}).items()}
    assert meta["table"] == "comptes_sociaux" and json.loads(meta["edition"]) == EDITION
    values = pq.read_table(small_export / "parquet" / "comptes_sociaux.parquet").to_pylist()
    youtube = next(r for r in values if r["plateforme"] == "youtube")
    assert youtube["abonnes"] == 845 and youtube["abonnes_exact"] is False


# --- SQLite and Datasette --------------------------------------------------------------------


def test_sqlite_has_keys_indexes_and_foreign_keys_that_hold(small_export: Path) -> None:
    with sqlite_db(small_export) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in db.execute(PUBLIC_TABLES)}
        assert tables == {*TABLES, "edition"}
        indexed = {
            r[0] for r in db.execute("SELECT tbl_name FROM sqlite_master WHERE type='index'")
        }
        assert {"resultats", "scores", "decouvertes", "comptes_sociaux"} <= indexed
        references = {
            (table, r["table"])
            for table in TABLES
            for r in db.execute(f'PRAGMA foreign_key_list("{table}")')
        }
        assert ("resultats", "criteres") in references
        assert ("indicateurs_sociaux", "comptes_sociaux") in references
        # the join the foreign keys promise
        (joined,) = db.execute(
            "SELECT count(*) FROM resultats r JOIN collectivites c ON c.id = r.collectivite "
            "JOIN criteres k ON k.id = r.critere"
        ).fetchone()
        assert joined == EXPECTED["resultats"]
        edition = dict(db.execute("SELECT * FROM edition").fetchone())
    assert edition["edition"] == EDITION and edition["demonstration"] == 0
    assert edition["methodologie"] == GRID.version
    # the bluesky metrics of the account no longer in the edition are left out
    assert {r["plateforme"] for r in json_rows(small_export, "indicateurs_sociaux")} == {"mastodon"}


def test_datasette_metadata_names_every_table_and_column(small_export: Path) -> None:
    meta = json.loads((small_export / "sqlite" / "metadata.json").read_text("utf-8"))
    for key in ("title", "description", "license", "license_url", "source", "source_url"):
        assert meta[key], key
    assert meta["license_url"].startswith("https://www.etalab.gouv.fr/")
    described = meta["databases"][f"barometre-{EDITION}"]["tables"]
    with sqlite_db(small_export) as db:
        tables = [r[0] for r in db.execute(PUBLIC_TABLES)]
        assert set(described) == set(tables)
        for table in tables:
            columns = [r["name"] for r in db.execute(f'PRAGMA table_info("{table}")')]
            assert list(described[table]["columns"]) == columns, table
            assert all(described[table]["columns"].values())
            assert described[table]["description"]
    assert described["collectivites"]["label_column"] == "nom"


# --- the catalogue's figures -----------------------------------------------------------------------


def test_indicators_are_the_figures_of_stats_with_their_changes(
    small: Engine, tmp_path: Path, clean_env: None
) -> None:
    from barometre.cli.app import app

    # the month before: the same collectivités, and the département's site not yet on HTTPS
    build_small(small, "2026-10")
    audit_repo.store_audit(
        small,
        "2026-10",
        "departement:99",
        [CheckResult("departement:99", "technique.https", "1", Status.FAIL, 0.0)],
        [],
    )
    store_edition(small, "2026-10", GRID, bundled_catalogue())
    audit_repo.store_audit(
        small,
        EDITION,
        "departement:99",
        [CheckResult("departement:99", "technique.https", "1", Status.PASS, 1.0)],
        [],
    )
    out = tmp_path / "out"
    report = export_edition(
        small, EDITION, GRID, out, FORMATS, indicators=indicator_records(small, EDITION, GRID)
    )
    assert _validate(out).valid
    rows = json_rows(out, "indicateurs")
    assert report.rows["indicateurs"] == len(rows) == len(csv_rows(out, "indicateurs"))
    catalogue = bundled_catalogue()
    assert {r["indicateur"] for r in rows} == set(catalogue.ids)
    labels = {i.id: i.label for i in catalogue.indicators}
    assert all(r["libelle"] == labels[r["indicateur"]] for r in rows)
    by = {(r["indicateur"], r["groupe"]): r for r in rows}
    assert len(by) == len(rows)  # one row per indicator and group

    # the same numbers as « barometre stats » (one computation, not two)
    result = runner.invoke(
        app, ["--database-url", str(small.url), "stats", "-e", EDITION, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)["indicateurs"]
    assert len(stats) == len(rows)
    for s in stats:
        mine = by[(s["indicateur"], s["groupe"])]
        for theirs, ours in (
            ("numerateur", "numerateur"),
            ("denominateur", "denominateur"),
            ("valeur", "valeur"),
            ("mesurees", "mesurees"),
            ("eligibles", "eligibles"),
            ("couverture", "couverture"),
            ("valeur_precedente", "valeur_precedente"),
            ("valeur_12_mois", "valeur_12_mois"),
            ("source", "source"),
        ):
            assert mine[ours] == s[theirs], (s["indicateur"], s["groupe"], ours)

    # « non mesuré » is a state with an empty value, never 0
    for r in rows:
        assert (r["etat"] == "non mesuré") == (r["valeur"] is None), r
    search = by[("recherche.premier_resultat", "ensemble")]
    assert search["etat"] == "non mesuré" and search["valeur"] is None
    assert search["evolution_precedente"] is None
    csv_search = next(
        r
        for r in csv_rows(out, "indicateurs")
        if (r["indicateur"], r["groupe"]) == ("recherche.premier_resultat", "ensemble")
    )
    assert csv_search["valeur"] == "" and csv_search["etat"] == "non mesuré"

    # changes: since the month before; no edition twelve months earlier
    assert {r["edition_precedente"] for r in rows} == {"2026-10"}
    assert {r["edition_12_mois"] for r in rows} == {None}
    for r in rows:
        if r["valeur"] is not None and r["valeur_precedente"] is not None:
            assert r["evolution_precedente"] == round(r["valeur"] - r["valeur_precedente"], 6)
        else:
            assert r["evolution_precedente"] is None
    https = by[("critere.technique.https", "departement")]
    assert (https["valeur_precedente"], https["valeur"]) == (0.0, 1.0)
    assert https["evolution_precedente"] == 1.0
    assert https["nature"] == "part" and https["unite"] == "collectivités"

    # every format, the same rows
    with sqlite_db(out) as db:
        assert db.execute("SELECT count(*) FROM indicateurs").fetchone()[0] == len(rows)
        (state,) = db.execute(
            "SELECT etat FROM indicateurs WHERE indicateur = 'recherche.premier_resultat' "
            "AND groupe = 'ensemble'"
        ).fetchone()
    assert state == "non mesuré"
    assert pq.read_table(out / "parquet" / "indicateurs.parquet").num_rows == len(rows)
    package = json.loads((out / "csv" / "datapackage.json").read_text("utf-8"))
    assert "indicateurs" in [r["name"] for r in package["resources"]]
    meta = json.loads((out / "sqlite" / "metadata.json").read_text("utf-8"))
    assert meta["databases"][f"barometre-{EDITION}"]["tables"]["indicateurs"]["description"]


# --- atomicity and errors ------------------------------------------------------------------------


class Boom(KeyboardInterrupt):
    pass


def _stop_at(table: str) -> Any:
    def on_rows(name: str, rows: int) -> None:
        if name == table:
            raise Boom

    return on_rows


def test_an_interrupted_export_leaves_earlier_files_untouched_and_no_partial_file(
    small: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "exports"
    export_small(small, out)
    before = _files(out)
    assert before
    # more data, then an interruption in the middle (after three tables)
    audit_repo.store_audit(
        small,
        EDITION,
        "departement:99",
        [CheckResult("departement:99", "technique.https", "1", Status.PASS, 1.0)],
        [],
    )
    with pytest.raises(Boom):
        export_small(small, out, on_rows=_stop_at("scores"))
    assert _files(out) == before  # same names, same bytes, no temporary file left
    # a fresh folder: nothing at all
    with pytest.raises(Boom):
        export_small(small, tmp_path / "neuf", on_rows=_stop_at("scores"))
    assert not [p for p in (tmp_path / "neuf").rglob("*") if p.is_file()]
    # re-running replaces every file
    report = export_small(small, out)
    assert report.rows["resultats"] == EXPECTED["resultats"] + 1
    after = _files(out)
    assert set(after) == set(before)
    assert after["csv/resultats.csv"] != before["csv/resultats.csv"]
    assert len(csv_rows(out, "resultats")) == EXPECTED["resultats"] + 1


def test_a_failing_writer_leaves_nothing(
    small: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from barometre.publish import exports

    calls = {"n": 0}
    original = exports.JsonWriter.write

    def failing(self: exports.JsonWriter, batch: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device", "resultats.json")
        original(self, batch)

    monkeypatch.setattr(exports.JsonWriter, "write", failing)
    with pytest.raises(StorageError, match="rien n'a été remplacé"):
        export_edition(small, EDITION, GRID, tmp_path / "out", FORMATS)
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


def test_formats_are_parsed_with_french_errors() -> None:
    assert parse_formats("all") == FORMATS
    assert parse_formats("sqlite, CSV") == ("csv", "sqlite")
    with pytest.raises(ConfigurationError, match="Format « xlsx » inconnu"):
        parse_formats("csv,xlsx")
    with pytest.raises(ConfigurationError, match="Aucun format"):
        parse_formats(" , ")


def test_parquet_without_pyarrow_names_the_extra(
    small: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    with pytest.raises(ConfigurationError) as caught:
        export_edition(small, EDITION, GRID, tmp_path / "out", ("csv", "parquet"))
    assert "uv sync --extra parquet" in str(caught.value)
    assert "barometre[parquet]" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_an_edition_without_results_is_refused(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    capture_repo.ensure_edition(engine, "2026-10", "Édition 2026-10")
    with pytest.raises(ConfigurationError, match="Rien à exporter"):
        export_edition(engine, "2026-10", GRID, tmp_path / "out", ("csv",))
    with pytest.raises(StorageError, match="Édition 2031-01 inconnue"):
        export_edition(engine, "2031-01", GRID, tmp_path / "out", ("csv",))
    engine.dispose()
    assert not (tmp_path / "out").exists()


# --- the command ------------------------------------------------------------------------------


def _app() -> typer.Typer:
    """``barometre`` itself once ``export`` is registered there, else the same command
    mounted the same way."""
    from barometre.cli.app import app as main

    if any(c.name == "export" for c in main.registered_commands):
        return main
    local = typer.Typer(pretty_exceptions_enable=False)

    @local.callback()
    def _root(
        ctx: typer.Context,
        data_dir: Annotated[Path | None, typer.Option("--data-dir")] = None,
        database_url: Annotated[str | None, typer.Option("--database-url")] = None,
    ) -> None:
        ctx.obj = AppContext(
            data_dir=data_dir,
            database_url=database_url,
            console=Console(width=120),
            err=Console(stderr=True),
        )

    local.command("export")(export_cmd.export)
    return local


def _export(*args: str) -> Any:
    return runner.invoke(_app(), list(args), catch_exceptions=True)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAROMETRE_DATABASE_URL", raising=False)
    monkeypatch.delenv("BAROMETRE_DATA_DIR", raising=False)


def test_command_writes_to_the_default_folder(
    small: Engine, tmp_path: Path, clean_env: None
) -> None:
    url = str(small.url)
    result = _export("--data-dir", str(tmp_path), "--database-url", url, "export", "-e", EDITION)
    assert result.exit_code == 0, result.output
    out = tmp_path / "exports" / EDITION
    assert (out / "csv" / "datapackage.json").is_file()
    assert not (out / "json").exists()  # csv by default
    assert "resultats" in result.stdout
    result = _export(
        "--data-dir", str(tmp_path), "--database-url", url, "export", "-e", EDITION,
        "--format", "json,sqlite", "--out", str(tmp_path / "ailleurs"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "ailleurs").iterdir()) == ["json", "sqlite"]


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("-e", EDITION, "-f", "xlsx"), ConfigurationError, "Format « xlsx » inconnu"),
        (("-e", "2031-01"), StorageError, "Édition 2031-01 inconnue"),
        (("-e", "novembre"), ConfigurationError, "invalide"),
    ],
)
def test_command_bad_input_is_a_clear_error(
    small: Engine, tmp_path: Path, clean_env: None, args: tuple[str, ...], error: type, message: str
) -> None:
    result = _export("--data-dir", str(tmp_path), "--database-url", str(small.url), "export", *args)
    assert isinstance(result.exception, error), result.output
    assert message in str(result.exception)
    assert not (tmp_path / "exports").exists()


def test_command_refuses_a_file_as_output_folder(
    small: Engine, tmp_path: Path, clean_env: None
) -> None:
    target = tmp_path / "fichier"
    target.write_text("déjà là", "utf-8")
    result = _export(
        "--database-url", str(small.url), "export", "-e", EDITION, "--out", str(target)
    )
    assert isinstance(result.exception, ConfigurationError)
    assert "n'est pas un dossier" in str(result.exception)
    assert target.read_text("utf-8") == "déjà là"


def test_frozen_edition_publishes_its_manifest_and_refuses_once_tampered(
    small: Engine, tmp_path: Path, clean_env: None
) -> None:
    _, digest = freeze_edition(small, EDITION, tmp_path, GRID)
    url = str(small.url)
    out = tmp_path / "figee"
    result = _export("--database-url", url, "export", "-e", EDITION, "-f", "all", "-o", str(out))
    assert result.exit_code == 0, result.output
    package = json.loads((out / "csv" / "datapackage.json").read_text("utf-8"))
    assert package["figee"] is True and package["manifeste_sha256"] == digest
    assert digest in package["description"]
    assert json_doc(out, "scores")["manifeste_sha256"] == digest
    with sqlite_db(out) as db:
        (kept,) = db.execute("SELECT manifeste_sha256 FROM edition").fetchone()
    assert kept == digest
    assert _validate(out).valid
    before = _files(out)
    # a result changed behind the edition's back (the storage refuses; SQL does not)
    with small.begin() as connection:
        connection.execute(
            update(check_results)
            .where(check_results.c.check_id == "technique.https")
            .values(status="pass", value=1.0)
        )
    result = _export("--database-url", url, "export", "-e", EDITION, "-f", "all", "-o", str(out))
    assert isinstance(result.exception, EditionTamperedError)
    assert "check_results" in str(result.exception)
    assert _files(out) == before


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_export_from_postgresql_matches_sqlite(
    postgres_engine: Engine, small_export: Path, tmp_path: Path
) -> None:
    upgrade(postgres_engine)
    build_small(postgres_engine)
    out = tmp_path / "pg"
    report = export_small(postgres_engine, out, ("csv", "json"))
    assert report.rows == EXPECTED
    assert _validate(out).valid

    def rows(folder: Path, table: str) -> list[str]:
        # the same rows whichever database they come from (measurement times aside)
        found = [{k: v for k, v in r.items() if k != "mesure_le"} for r in json_rows(folder, table)]
        return sorted(json.dumps(r, sort_keys=True) for r in found)

    for table in TABLES:
        assert rows(out, table) == rows(small_export, table), table
    found = {r["nom"]: r for r in csv_rows(out, "decouvertes")}
    assert found["exemple"]["url"] == "'" + PAYLOAD


# --- the sample-web demonstration -------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demonstration edition of the sample web, where ``barometre demo`` puts it."""
    from demo_edition import build_demo_edition

    root = tmp_path_factory.mktemp("demo-export")
    (root / "demo").mkdir()
    build_demo_edition(root, root / "demo" / "barometre.sqlite3").dispose()
    return root


def test_demo_edition_exports_valid_and_labelled(demo_dir: Path, clean_env: None) -> None:
    # no database named: the command finds the demonstration database by itself
    result = _export("--data-dir", str(demo_dir), "export", "-e", "demo", "-f", "all")
    assert result.exit_code == 0, result.output
    assert "démonstration" in result.stdout
    out = demo_dir / "exports" / "demo"
    report = _validate(out)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((out / "csv" / "datapackage.json").read_text("utf-8"))
    assert package["demonstration"] is True
    assert "DÉMONSTRATION" in package["title"] and "fictives" in package["title"]
    assert package["description"].startswith("DÉMONSTRATION")
    assert "fictifs" in package["sources"][0]["title"]
    assert json_doc(out, "scores")["demonstration"] is True
    meta = json.loads((out / "sqlite" / "metadata.json").read_text("utf-8"))
    assert "DÉMONSTRATION" in meta["title"]
    with sqlite_db(out, "demo") as db:
        assert db.execute("SELECT demonstration FROM edition").fetchone()[0] == 1
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    schema = pq.read_schema(out / "parquet" / "resultats.parquet")
    assert json.loads((schema.metadata or {})[b"demonstration"]) is True
    # every public table has rows on the sample web, and all formats agree
    assert all(counts.values()), counts
    for table in TABLES:
        assert len(csv_rows(out, table)) == len(json_doc(out, table)["lignes"]) == counts[table]
    # handles crawled from the sample sites start with "@": guarded in CSV only
    handles = [r["compte"] for r in json_rows(out, "comptes_sociaux") if r["compte"][:1] == "@"]
    assert handles
    guarded = {r["compte"] for r in csv_rows(out, "comptes_sociaux")}
    assert all("'" + h in guarded for h in handles)
