"""Comply-or-explain: explanation files (CSV, TOML), their validation, expiry, storage,
and the rule that an explanation is shown beside a result and never changes it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from rich.console import Console
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from barometre.cli import reco_cmd
from barometre.cli.app import app as main_app
from barometre.cli.context import AppContext
from barometre.display.reco import explanation_lines
from barometre.errors import EditionFrozenError, SourceError
from barometre.methodology import bundled
from barometre.models import (
    Authority,
    AuthorityKind,
    CheckResult,
    Evidence,
    Status,
    Website,
)
from barometre.scoring import explanations as expl
from barometre.scoring.editions import freeze_edition, verify_edition
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, explanation_repo, registry_repo
from barometre.storage.db import open_database
from barometre.storage.explanation_repo import Explanation
from barometre.storage.schema import check_results, scores

GRID = bundled()
HEADER = "type,code,critere,nature,texte,auteur,date,expire\n"
EDITION = "2026-11"
runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def town(code: str, population: int = 1200, site: bool = True) -> Authority:
    websites = (Website(f"http://127.0.0.1/{code}/", "127.0.0.1", "test", True),) if site else ()
    return Authority(
        AuthorityKind.COMMUNE,
        code,
        f"Commune {code}",
        population=population,
        departement="99",
        websites=websites,
    )


# --- parsing -----------------------------------------------------------------------------


def test_a_csv_file_gives_one_record_per_line_with_the_default_expiry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "explications.csv",
        HEADER
        + "commune,99101,L4,explication,Refonte du site prévue en mars.,Service communication,"
        "2026-11-15,\n"
        + 'departement,99,conformite.consentement,contestation,"Le bandeau propose « Tout '
        'refuser », voir la capture jointe.",,05/12/2026,2027-06-30\n',
    )
    first, second = expl.read_file(path, GRID)
    assert first.authority_id == "commune:99101"
    assert first.check_id == "conformite.mentions_legales"  # the code L4, resolved
    assert first.kind == "explanation" and expl.label(first) == "explication"
    assert first.author == "Service communication"
    assert first.received_on == date(2026, 11, 15)
    # No expiry given: twelve months later, the documented default.
    assert expl.DEFAULT_VALIDITY_MONTHS == 12
    assert first.expires_on == date(2027, 11, 15)
    assert first.source == "explications.csv" and first.line == 2
    assert second.authority_id == "departement:99"
    assert second.kind == "dispute" and second.author is None
    assert second.received_on == date(2026, 12, 5)  # JJ/MM/AAAA accepted
    assert second.expires_on == date(2027, 6, 30)
    assert "Tout refuser" in second.text and second.line == 3


def test_the_collectivites_coded_beyond_insee_departements_can_answer(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "corse.csv",
        HEADER + "departement,20R,L4,explication,Un texte.,,2026-11-15,\n"
        "departement,6ae,L4,explication,Un texte.,,2026-11-15,\n",
    )
    corse, alsace = expl.read_file(path, GRID)
    assert (corse.authority_id, alsace.authority_id) == ("departement:20R", "departement:6AE")


def test_semicolons_a_bom_and_blank_lines_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        (
            "\ufefftype;code;critere;nature;texte;date\n\n"
            "commune;99101;P1;explication;Site en maintenance pendant la mesure.;2026-11-02\n"
        ).encode()
    )
    (item,) = expl.read_file(path, GRID)
    assert item.check_id == "presence.site_joignable" and item.line == 3


def test_a_toml_file_with_the_same_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "explications.toml",
        """# Réponses reçues en novembre
[[explications]]
type = "commune"
code = "99101"
critere = "L4"
nature = "explication"
texte = "Refonte du site prévue en mars."
date = 2026-11-15

[[explications]]
type = "epci"
code = "200000001"
critere = "technique.https"
nature = "contestation"
texte = "Le certificat a été renouvelé le 3 novembre."
auteur = "DSI"
date = "2026-11-20"
expire = 2027-01-31
""",
    )
    first, second = expl.read_file(path, GRID)
    assert (first.authority_id, first.check_id, first.line) == (
        "commune:99101",
        "conformite.mentions_legales",
        2,
    )
    assert first.expires_on == date(2027, 11, 15)
    assert (second.authority_id, second.kind, second.line) == ("epci:200000001", "dispute", 10)
    assert second.received_on == date(2026, 11, 20) and second.expires_on == date(2027, 1, 31)
    assert second.author == "DSI"


GOOD = "commune,99101,L4,explication,Un texte.,,2026-11-15,\n"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            GOOD + "commune,99101,Z9,explication,Un texte.,,2026-11-15,\n",
            3,
            "critère « Z9 » inconnu",
        ),
        (GOOD + "commune,99101,L4,explication,   ,,2026-11-15,\n", 3, "texte vide"),
        (GOOD + "commune,99101,L4,explication,Un texte.,,2026-13-40,\n", 3, "date « 2026-13-40 »"),
        (GOOD + "commune,99101,L4,explication,Un texte.,,,\n", 3, "« date »"),
        (
            GOOD + "commune,99101,L4,explication,Un texte.,,2026-11-15,2026-10-01\n",
            3,
            "antérieure à la date de réception",
        ),
        (GOOD + "commune,99101,L4,excuse,Un texte.,,2026-11-15,\n", 3, "nature « excuse »"),
        (GOOD + "canton,99101,L4,explication,Un texte.,,2026-11-15,\n", 3, "type « canton »"),
        (GOOD + "commune,99-101,L4,explication,Un texte.,,2026-11-15,\n", 3, "code « 99-101 »"),
        (GOOD + "commune,99101,L4,explication,Un texte.\n", 3, "5 colonnes au lieu de 8"),
        (
            GOOD + "commune,99101,L4,explication,Un autre texte.,,2026-11-15,\n",
            3,
            "que la ligne 2",
        ),
    ],
)
def test_every_bad_line_is_named_with_its_file_and_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = write(tmp_path, "reponses.csv", HEADER + body)
    with pytest.raises(SourceError) as error:
        expl.read_file(path, GRID)
    assert error.value.line == line
    assert f"{path}:{line}" in str(error.value) and message in str(error.value)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "type,code,critere,nature,texte,date,commentaire\n",
            "colonne inconnue : commentaire",
        ),
        ("type,code,critere,nature,date\n", "colonne manquante : texte"),
        ("", "fichier vide"),
    ],
)
def test_a_bad_header_is_refused_at_line_1(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, "reponses.csv", header)
    with pytest.raises(SourceError) as error:
        expl.read_file(path, GRID)
    assert error.value.line == 1 and message in str(error.value)


def test_an_identical_repeated_line_counts_once(tmp_path: Path) -> None:
    path = write(tmp_path, "reponses.csv", HEADER + GOOD + GOOD)
    assert len(expl.read_file(path, GRID)) == 1


def test_toml_errors_name_the_line(tmp_path: Path) -> None:
    bad_syntax = write(tmp_path, "a.toml", '[[explications]]\ntype = "commune"\ncode = 99101 x\n')
    with pytest.raises(SourceError) as error:
        expl.read_file(bad_syntax, GRID)
    assert error.value.line == 3 and "TOML invalide" in str(error.value)
    table = (
        '[[explications]]\ntype = "commune"\ncode = "99101"\ncritere = "L4"\n'
        'nature = "explication"\ntexte = "Un texte."\ndate = 2026-11-15\n\n'
    )
    unknown_key = write(tmp_path, "b.toml", table + table.replace("date = 2026-11-15", "jour = 1"))
    with pytest.raises(SourceError) as error:
        expl.read_file(unknown_key, GRID)
    assert error.value.line == 9 and "clé inconnue : jour" in str(error.value)
    empty_text = write(tmp_path, "c.toml", table + table.replace("Un texte.", ""))
    with pytest.raises(SourceError) as error:
        expl.read_file(empty_text, GRID)
    assert error.value.line == 9 and "texte vide" in str(error.value)
    late = write(
        tmp_path,
        "d.toml",
        table.replace("date = 2026-11-15", "date = 2026-11-15\nexpire = 2026-11-14"),
    )
    with pytest.raises(SourceError) as error:
        expl.read_file(late, GRID)
    assert error.value.line == 1 and "antérieure" in str(error.value)


def test_other_formats_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="introuvable"):
        expl.read_file(tmp_path / "absent.csv", GRID)
    with pytest.raises(SourceError, match=r"\.csv ou \.toml"):
        expl.read_file(write(tmp_path, "a.json", "{}"), GRID)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + GOOD.replace("Un texte.", "Réponse")).encode("latin-1"))
    with pytest.raises(SourceError) as error:
        expl.read_file(latin, GRID)
    assert error.value.line == 2 and "UTF-8" in str(error.value)


def test_an_unknown_collectivite_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "reponses.csv", HEADER + GOOD + GOOD.replace("99101", "99999"))
    items = expl.read_file(path, GRID)
    with pytest.raises(SourceError) as error:
        expl.check_authorities(path, items, lambda ids: {"commune:99101"} & set(ids))
    assert error.value.line == 3 and "commune 99999" in str(error.value)
    expl.check_authorities(path, items[:1], lambda ids: set(ids))  # all known: no error


# --- dates and expiry --------------------------------------------------------------------


def test_the_reference_date_of_an_edition() -> None:
    assert expl.reference_date("2026-11") == date(2026, 11, 30)
    assert expl.reference_date("2028-02") == date(2028, 2, 29)
    assert expl.reference_date("2026-12", datetime(2027, 1, 3, tzinfo=UTC)) == date(2026, 12, 31)
    assert expl.reference_date("demo", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == date(2026, 12, 1)
    with pytest.raises(ValueError):
        expl.reference_date("demo")


def test_months_are_added_on_the_calendar() -> None:
    assert expl.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert expl.add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert expl.add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def _item(received: date, expires: date, kind: str = "explanation") -> Explanation:
    return Explanation(
        "commune:99101", "conformite.mentions_legales", kind, "Texte.", received, expires
    )


def test_an_explanation_applies_inside_its_window_only() -> None:
    item = _item(date(2026, 11, 15), date(2027, 11, 15))
    assert expl.state(item, date(2026, 11, 14)) is expl.State.LATER
    assert expl.state(item, date(2026, 11, 15)) is expl.State.CURRENT  # bounds included
    assert expl.state(item, date(2027, 11, 15)) is expl.State.CURRENT
    assert expl.state(item, date(2027, 11, 16)) is expl.State.EXPIRED
    assert expl.State.EXPIRED.label == "expirée"


def test_what_to_show_beside_a_result_comes_in_force_first() -> None:
    old = _item(date(2025, 1, 10), date(2026, 1, 10))
    now = _item(date(2026, 11, 15), date(2027, 11, 15), "dispute")
    later = _item(date(2026, 12, 5), date(2027, 12, 5))
    shown = expl.current_state([later, old, now], date(2026, 11, 30))
    assert [(i, s) for i, s in shown] == [
        (now, expl.State.CURRENT),
        (old, expl.State.EXPIRED),
        (later, expl.State.LATER),
    ]
    lines = explanation_lines([later, old, now], date(2026, 11, 30))
    assert lines[0].startswith("Contestation de la collectivité (reçue le 15/11/2026")
    assert "expirée le 10/01/2026" in lines[1] and "après cette édition" in lines[2]


# --- storage -----------------------------------------------------------------------------


def _registry(engine: Engine) -> None:
    from barometre.storage.db import upgrade

    upgrade(engine)
    registry_repo.replace_registry(engine, [town("99101"), town("99102")], "test", {})


def test_store_is_idempotent_and_a_corrected_file_updates(any_engine: Engine) -> None:
    _registry(any_engine)
    first = _item(date(2026, 11, 15), date(2027, 11, 15))
    second = Explanation(
        "commune:99102",
        "technique.https",
        "dispute",
        "Certificat renouvelé.",
        date(2026, 11, 20),
        date(2027, 1, 31),
        "DSI",
        "a.csv",
    )
    report = explanation_repo.store(any_engine, [first, second])
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    stored = explanation_repo.load(any_engine)
    again = explanation_repo.store(any_engine, [first, second])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert explanation_repo.load(any_engine) == stored
    corrected = Explanation(
        *[getattr(second, f) for f in ("authority_id", "check_id", "kind")],
        "Certificat renouvelé le 3 novembre.",
        second.received_on,
        second.expires_on,
        "DSI",
        "a.csv",
    )
    fixed = explanation_repo.store(any_engine, [first, corrected])
    assert (fixed.added, fixed.updated, fixed.unchanged) == (0, 1, 1)
    texts = {e.check_id: e.text for e in explanation_repo.load(any_engine)}
    assert texts["technique.https"] == "Certificat renouvelé le 3 novembre."
    assert len(explanation_repo.load(any_engine)) == 2


def test_current_follows_the_same_window_as_state(any_engine: Engine) -> None:
    _registry(any_engine)
    items = [
        _item(date(2025, 1, 10), date(2026, 1, 10)),
        _item(date(2026, 11, 15), date(2027, 11, 15), "dispute"),
        _item(date(2026, 12, 5), date(2027, 12, 5)),
        Explanation(
            "commune:99102",
            "presence.site_joignable",
            "explanation",
            "Panne.",
            date(2026, 11, 1),
            date(2026, 11, 30),
        ),
    ]
    explanation_repo.store(any_engine, items)
    for day in (
        date(2025, 1, 9),
        date(2025, 6, 1),
        date(2026, 11, 15),
        date(2026, 11, 30),
        date(2026, 12, 5),
        date(2027, 11, 16),
        date(2028, 1, 1),
    ):
        expected = {i.key for i in items if expl.state(i, day) is expl.State.CURRENT}
        bulk = explanation_repo.current_many(any_engine, day)
        assert {e.key for found in bulk.values() for e in found} == expected
        one = explanation_repo.current(
            any_engine, "commune:99101", "conformite.mentions_legales", day
        )
        assert {e.key for e in one} == {k for k in expected if k[0] == "commune:99101"}
    with_expired = explanation_repo.current_many(any_engine, date(2026, 11, 30), with_expired=True)
    assert len(with_expired[("commune:99101", "conformite.mentions_legales")]) == 2
    only = explanation_repo.current_many(any_engine, date(2026, 11, 30), ["commune:99102"])
    assert list(only) == [("commune:99102", "presence.site_joignable")]


# --- the command line, and results that never change -------------------------------------


def cli_app() -> typer.Typer:
    """The explanation commands as the lead registers them in the main application."""
    app = typer.Typer()

    @app.callback()
    def main(ctx: typer.Context, database_url: str = typer.Option(..., "--database-url")) -> None:
        ctx.obj = AppContext(database_url=database_url, console=Console(width=250))

    app.add_typer(reco_cmd.explanation_app, name="explanation")
    app.command("recommend")(reco_cmd.recommend_command)
    return app


def invoke(app: typer.Typer, url: str, *args: str) -> object:
    return runner.invoke(
        app, ["--database-url", url, *args], catch_exceptions=False, env={"COLUMNS": "250"}
    )


@pytest.fixture
def audited(tmp_path: Path) -> tuple[str, Engine]:
    """A hand-made edition: two communes audited and scored on a few criteria."""
    url = f"sqlite:///{tmp_path / 'db' / 'b.sqlite3'}"
    engine = open_database(url)
    registry_repo.replace_registry(engine, [town("99101"), town("99102")], "test", {})
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    proof = (Evidence(url="http://127.0.0.1/99101/mentions-legales/", text="Éditeur : —"),)
    results = [
        CheckResult(
            "commune:99101",
            "conformite.mentions_legales",
            "1",
            Status.FAIL,
            0.0,
            reason="Pas de directeur de la publication.",
            evidence=proof,
        ),
        CheckResult("commune:99101", "presence.site_joignable", "1", Status.PASS, 1.0),
        CheckResult("commune:99102", "conformite.mentions_legales", "1", Status.PASS, 1.0),
        CheckResult("commune:99102", "presence.site_joignable", "1", Status.PASS, 1.0),
    ]
    audit_repo.store_many(engine, EDITION, results)
    score_edition(engine, EDITION, GRID)
    return url, engine


def _snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return (
            [
                tuple(r)
                for r in connection.execute(
                    select(check_results).order_by(*check_results.primary_key.columns)
                )
            ],
            [
                tuple(r)
                for r in connection.execute(select(scores).order_by(*scores.primary_key.columns))
            ],
        )


def test_import_shows_the_explanation_and_never_changes_the_result(
    audited: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = audited
    before = _snapshot(engine)
    path = write(
        tmp_path,
        "reponses.csv",
        HEADER
        + "commune,99101,L4,contestation,La page existe depuis octobre.,Mairie,2026-11-20,\n",
    )
    app = cli_app()
    result = invoke(app, url, "explanation", "import", str(path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "1 ajoutée" in result.output  # type: ignore[attr-defined]
    again = invoke(app, url, "explanation", "import", str(path))
    assert "0 ajoutée, 0 mise à jour, 1 déjà présente" in again.output  # type: ignore[attr-defined]
    assert _snapshot(engine) == before  # the measured rows are untouched, byte for byte
    assert len(explanation_repo.load(engine)) == 1

    shown = invoke(main_app, url, "explain", "99101", "L4", "-e", EDITION)
    out = shown.output  # type: ignore[attr-defined]
    assert "échec" in out and "Pas de directeur de la publication." in out
    assert "Contestation de la collectivité (reçue le 20/11/2026" in out
    assert "La page existe depuis octobre." in out and "Mairie" in out

    listed = invoke(app, url, "explanation", "list", "99101", "-e", EDITION)
    assert "contestation" in listed.output and "en vigueur" in listed.output  # type: ignore[attr-defined]
    # Judged on a day past its expiry, the same explanation is reported as expired.
    late = invoke(app, url, "explanation", "list", "-e", "2028-01")
    assert "expirée" in late.output  # type: ignore[attr-defined]

    card = invoke(app, url, "recommend", "99101", "-e", EDITION)
    text = card.output  # type: ignore[attr-defined]
    assert "L4 Mentions légales complètes" in text and "La page existe depuis octobre." in text
    assert "http://127.0.0.1/99101/mentions-legales/" in text
    assert _snapshot(engine) == before


def test_a_bad_file_writes_nothing(audited: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = audited
    path = write(
        tmp_path,
        "reponses.csv",
        HEADER + GOOD + "commune,99999,L4,explication,Un texte.,,2026-11-15,\n",
    )
    with pytest.raises(SourceError) as error:
        invoke(cli_app(), url, "explanation", "import", str(path))
    assert f"{path}:3" in str(error.value) and "inconnue du registre" in str(error.value)
    assert explanation_repo.load(engine) == []


def test_a_frozen_edition_still_shows_explanations_received_after_its_freeze(
    audited: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = audited
    data = tmp_path / "data"
    freeze_edition(engine, EDITION, data, GRID)
    with pytest.raises(EditionFrozenError):
        audit_repo.store_many(engine, EDITION, [])
    path = write(
        tmp_path,
        "reponses.csv",
        HEADER
        + "commune,99101,L4,explication,Refonte en cours.,,2026-11-28,\n"
        + "commune,99101,L4,contestation,Corrigé depuis.,,2026-12-04,\n",
    )
    result = invoke(cli_app(), url, "explanation", "import", str(path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = invoke(main_app, url, "explain", "99101", "L4", "-e", EDITION).output  # type: ignore[attr-defined]
    assert (
        "Explication de la collectivité (reçue le 28/11/2026" in out and "Refonte en cours." in out
    )
    assert "reçue le 04/12/2026, après cette édition" in out and "Corrigé depuis." in out
    # The frozen edition is intact: explanations live outside it.
    assert verify_edition(engine, EDITION, data, GRID).ok
