"""``barometre notify``: one French message per collectivité and address, written as
.eml, sent through a real SMTP server on loopback (aiosmtpd, with STARTTLS and a login),
never twice, never to an address or collectivité of the opt-out list."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine
from typer.testing import CliRunner

from barometre.cli.app import app
from barometre.errors import SourceError
from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, CheckResult, Contact, Status, Website
from barometre.outreach.notify import SmtpConfig, build_notes, read_optout, send_notes, write_notes
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, notify_repo, registry_repo
from barometre.storage.db import open_database

GRID = bundled()
BASE = "https://barometre.exemple.test/"
SENDER = "Baromètre <contact@barometre.exemple.test>"
runner = CliRunner()


def town(code: str, *emails: str) -> Authority:
    return Authority(
        AuthorityKind.COMMUNE,
        code,
        f"Commune {code}",
        population=1200,
        departement="99",
        websites=(Website(f"https://www.c{code}.test/", f"www.c{code}.test", "test", True),),
        contacts=tuple(Contact("email", e, "test") for e in emails),
    )


TOWNS = [
    town("99001", "mairie@c99001.test"),
    town("99002", "accueil@c99002.test", "maire@c99002.test"),
    town("99003"),
    town("99004", "refuse@c99004.test"),
]


def build(engine: Engine) -> None:
    """October: every criterion of the first twelve failed; November: half passed."""
    registry_repo.replace_registry(engine, TOWNS, "test", {})
    for edition, passing in (("2026-10", False), ("2026-11", True)):
        capture_repo.ensure_edition(engine, edition, f"Édition {edition}")
        results = []
        for i, authority in enumerate(TOWNS):
            for criterion in GRID.criteria[:12]:
                ok = passing and (i + len(criterion.id)) % 2 == 1
                results.append(
                    CheckResult(
                        authority.id,
                        criterion.id,
                        "1",
                        Status.PASS if ok else Status.FAIL,
                        1.0 if ok else 0.0,
                    )
                )
        audit_repo.store_many(engine, edition, results)
        score_edition(engine, edition, GRID)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    build(engine)
    yield engine
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """What the SMTP server received; it refuses every address starting with « refuse »."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("refuse"):
            return "550 Boîte inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


def login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"robot", b"secret")
    return AuthResult(success=ok)


@pytest.fixture
def tls_smtp() -> Iterator[tuple[Inbox, int, ssl.SSLContext]]:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=login,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, port, client_ctx
    finally:
        controller.stop()


@pytest.fixture
def plain_smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def optout_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "opposition.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_each_collectivite_gets_its_message_in_french(engine: Engine, tmp_path: Path) -> None:
    optout = read_optout(optout_file(tmp_path, "# demandes reçues", "maire@C99002.test  # juin"))
    report = build_notes(engine, "2026-11", GRID, base_url=BASE, sender=SENDER, optout=optout)
    assert sorted(n.address for n in report.notes) == [
        "accueil@c99002.test",
        "mairie@c99001.test",
        "refuse@c99004.test",
    ]
    assert report.opted_out == ["commune:99002 <maire@c99002.test>"]
    assert report.without_email == 1
    note = next(n for n in report.notes if n.authority.code == "99001")
    text = note.message.get_content()
    assert note.message["Subject"] == (
        "Baromètre numérique des territoires — Commune 99001 : édition novembre 2026"
    )
    # twelve criteria measured of the grid: below the coverage that allows a grade
    assert "note : non noté" in text and "sous le seuil de" in text
    assert "Depuis l'édition octobre 2026 :" in text and "- désormais réussis : " in text
    assert "Les 3 recommandations prioritaires :" in text
    assert text.count("\n1. ") == 1 and "\n3. " in text and "\n4. " not in text
    assert f"{BASE}collectivites/commune/99001.html" in text
    assert f"{BASE}contact.html" in text
    write_notes(report, tmp_path / "eml")
    assert len(report.written) == 3
    parsed = email.message_from_bytes(report.written[0].read_bytes(), policy=email.policy.default)
    assert parsed["From"] and parsed["Message-ID"] and "Bonjour," in parsed.get_content()  # type: ignore[union-attr]


def test_sent_once_over_starttls_and_never_to_opted_out_addresses(
    engine: Engine, tmp_path: Path, tls_smtp: tuple[Inbox, int, ssl.SSLContext]
) -> None:
    inbox, port, trust = tls_smtp
    config = SmtpConfig(
        "127.0.0.1", port, starttls=True, username="robot", password="secret", tls=trust
    )
    optout = read_optout(optout_file(tmp_path, "commune:99002"))
    pauses: list[float] = []
    first = build_notes(engine, "2026-11", GRID, base_url=BASE, sender=SENDER, optout=optout)
    send_notes(engine, first, config, sleep=pauses.append)
    assert first.sent == ["mairie@c99001.test"]
    assert [address for address, _ in first.refused] == ["refuse@c99004.test"]
    assert "550" in first.refused[0][1]
    assert [rcpt for rcpt, _ in inbox.received] == [["mairie@c99001.test"]]
    assert pauses == [config.delay]  # a pause between two sends, none before the first
    body = email.message_from_bytes(inbox.received[0][1], policy=email.policy.default)
    assert "Commune 99001" in body.get_content()  # type: ignore[union-attr]
    assert notify_repo.states(engine, "2026-11") == {
        ("commune:99001", "mairie@c99001.test"): notify_repo.SENT
    }
    # a second run sends nothing again; the refused address is tried again
    second = build_notes(engine, "2026-11", GRID, base_url=BASE, sender=SENDER, optout=optout)
    send_notes(engine, second, config, sleep=pauses.append)
    assert second.sent == [] and second.already == ["mairie@c99001.test"]
    assert len(inbox.received) == 1 and len(second.refused) == 1
    # a run killed while sending leaves its claim: not sent again, reported
    notify_repo.claim(engine, "2026-11", "commune:99004", "refuse@c99004.test", "<x@y>")
    third = build_notes(engine, "2026-11", GRID, base_url=BASE, sender=SENDER, optout=optout)
    send_notes(engine, third, config, sleep=pauses.append)
    assert third.uncertain == ["refuse@c99004.test"] and len(inbox.received) == 1


def test_a_wrong_login_is_a_clear_error(
    engine: Engine, tls_smtp: tuple[Inbox, int, ssl.SSLContext]
) -> None:
    inbox, port, trust = tls_smtp
    config = SmtpConfig("127.0.0.1", port, username="robot", password="faux", tls=trust)
    report = build_notes(engine, "2026-11", GRID, base_url=BASE, sender=SENDER)
    with pytest.raises(Exception, match="connexion refusée"):
        send_notes(engine, report, config, sleep=lambda _: None)
    assert inbox.received == [] and notify_repo.states(engine, "2026-11") == {}


def test_a_bad_optout_line_is_named(tmp_path: Path) -> None:
    path = optout_file(tmp_path, "# liste", "mairie@c99001.test", "pas-une-adresse")
    with pytest.raises(SourceError) as refused:
        read_optout(path)
    assert str(refused.value).endswith(
        "opposition.txt:3 : « pas-une-adresse » n'est ni une adresse électronique ni un "
        "identifiant de collectivité (type:code, ex. commune:75056)"
    )


def test_notify_command_writes_then_sends_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain_smtp: tuple[Inbox, int]
) -> None:
    inbox, port = plain_smtp
    data = tmp_path / "data"
    data.mkdir()
    engine = open_database(f"sqlite:///{data / 'barometre.sqlite3'}")
    build(engine)
    engine.dispose()
    for key, value in {
        "PUBLISH_BASE_URL": BASE,
        "SMTP_SENDER": SENDER,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_STARTTLS": "false",
        "NOTIFY_DELAY": "0",
        "NOTIFY_OPTOUT": str(optout_file(tmp_path, "refuse@c99004.test")),
    }.items():
        monkeypatch.setenv(f"BAROMETRE_{key}", value)
    base = ["--data-dir", str(data), "notify", "--edition", "2026-11"]
    written = runner.invoke(app, base)
    assert written.exit_code == 0, written.output
    said = " ".join(written.output.split())
    assert "3 messages écrits" in said and "1 adresse sur la liste d'opposition" in said
    assert len(list((data / "messages" / "2026-11").glob("*.eml"))) == 3
    assert inbox.received == []  # nothing sent without --send
    sent = runner.invoke(app, [*base, "--send"])
    assert sent.exit_code == 0, sent.output
    assert "3 messages envoyés" in " ".join(sent.output.split())
    again = runner.invoke(app, [*base, "--send"])
    assert again.exit_code == 0, again.output
    assert "0 message envoyé, 3 déjà envoyés" in " ".join(again.output.split())
    assert len(inbox.received) == 3


def test_the_score_line_says_why_there_is_no_grade() -> None:
    from barometre.outreach.notify import _score_lines
    from barometre.storage.score_repo import ScoreRow

    graded = _score_lines(ScoreRow("commune:1", "global", 71.26, 0.9, "B"), 0.6)
    assert graded == [
        "Score : 71,3 sur 100 ; note : B (couverture : 90\u202f% du poids des critères applicables)."
    ]
    (low,) = _score_lines(ScoreRow("commune:1", "global", 40.0, 0.3, None), 0.6)
    assert low.startswith("Score : 40,0 sur 100 ; note : non noté. La part mesurée")
    assert "(30\u202f%) est sous le seuil de 60\u202f%" in low
    (none,) = _score_lines(ScoreRow("commune:1", "global", None, 0.0, None), 0.6)
    assert none.startswith("Score et note : non noté. La part mesurée")
    (policy,) = _score_lines(ScoreRow("commune:1", "global", 55.0, 0.8, None), 0.6)
    assert policy.endswith("Cette édition n'attribue pas de note à la collectivité.")
