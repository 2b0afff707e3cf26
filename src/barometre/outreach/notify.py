"""``barometre notify``: tell each collectivité what its edition says, once.

For every collectivité scored in the edition with a known e-mail address, a short French
message: its score and grade (or why it is « non noté »), what changed since the previous
edition, its three first recommendations, the address of its card and of the contest
procedure. Messages are written as ``.eml`` files; with ``send``, they go through SMTP,
one at a time with a pause between two, each recorded in the database
(:mod:`barometre.storage.notify_repo`) so that none is ever sent twice. Addresses and
collectivités of the opt-out file get nothing.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from sqlalchemy import Engine

from barometre import files
from barometre.audit import load_methodology
from barometre.errors import ConfigurationError, SourceError
from barometre.methodology import Methodology
from barometre.models import Authority, authority_id
from barometre.publish.pages.build import recommendations
from barometre.publish.pages.models import Recommendation
from barometre.publish.site.views import card_path
from barometre.scoring.editions import AuthorityChange, diff
from barometre.scoring.recommendations import peer_shares, recommend
from barometre.settings import Settings
from barometre.storage import (
    audit_repo,
    edition_repo,
    notify_repo,
    publish_repo,
    reco_repo,
    registry_repo,
    score_repo,
)
from barometre.storage.score_repo import ScoreRow
from barometre.vocab import fr
from barometre.vocab.authorities import parse_kind

TOP_RECOMMENDATIONS = 3
TITLE = "Baromètre numérique des territoires"
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Note:
    """One message to one address of one collectivité."""

    authority: Authority
    address: str
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class NotifyReport:
    edition: str
    notes: list[Note] = field(default_factory=list)
    without_email: int = 0
    opted_out: list[str] = field(default_factory=list)  # "id <address>"
    written: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent by an earlier run
    uncertain: list[str] = field(default_factory=list)  # a run stopped while sending it
    refused: list[tuple[str, str]] = field(default_factory=list)  # (address, reason)


# --- opt-out file -------------------------------------------------------------------------


@dataclass(frozen=True)
class OptOut:
    addresses: frozenset[str] = frozenset()
    authorities: frozenset[str] = frozenset()

    def excludes(self, authority: Authority, address: str) -> bool:
        return address.lower() in self.addresses or authority.id in self.authorities


def read_optout(path: Path | None) -> OptOut:
    """The opt-out file: one e-mail address or collectivité id (``commune:75056``) a
    line; blank lines and ``#`` comments are ignored. A bad line refuses the file, named
    with its line (nothing is sent on a list that could not be read whole)."""
    if path is None:
        return OptOut()
    try:
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourceError(path, "liste d'opposition introuvable") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SourceError(path, "encodage invalide (UTF-8 attendu)", line) from exc
    except OSError as exc:
        raise SourceError(path, f"liste d'opposition illisible ({exc.strerror})") from exc
    addresses: set[str] = set()
    ids: set[str] = set()
    for number, raw in enumerate(content.removeprefix("\ufeff").splitlines(), 1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        if _EMAIL.match(text):
            addresses.add(text.lower())
            continue
        kind_text, sep, code = text.partition(":")
        kind = parse_kind(kind_text.strip()) if sep else None
        if kind is None or not re.fullmatch(r"[0-9A-Za-z]{2,9}", code.strip()):
            raise SourceError(
                path,
                f"« {text} » n'est ni une adresse électronique ni un identifiant de "
                "collectivité (type:code, ex. commune:75056)",
                number,
            )
        ids.add(authority_id(kind, code.strip().upper()))
    return OptOut(frozenset(addresses), frozenset(ids))


# --- the messages -------------------------------------------------------------------------


def _emails(authority: Authority) -> list[str]:
    seen: dict[str, str] = {}
    for contact in authority.contacts:
        value = contact.value.strip()
        if contact.kind == "email" and _EMAIL.match(value):
            seen.setdefault(value.lower(), value)
    return list(seen.values())


def _names(methodology: Methodology, ids: Iterable[str]) -> str:
    out = []
    for check_id in ids:
        criterion = methodology.criterion(check_id)
        out.append(f"{criterion.code} {criterion.name}")
    return ", ".join(out)


def _score_lines(score: ScoreRow | None, min_coverage: float) -> list[str]:
    coverage = score.coverage if score is not None else 0.0
    why = (
        f"La part mesurée du poids des critères applicables ({fr.percent(coverage)}) est sous "
        f"le seuil de {fr.percent(min_coverage)} qui permet de noter ; un critère non "
        "mesurable n'est jamais compté comme un échec."
        if coverage < min_coverage
        else "Cette édition n'attribue pas de note à la collectivité."
    )
    if score is None or score.value is None:
        return [f"Score et note : non noté. {why}"]
    if score.grade:
        return [
            f"Score : {fr.score(score.value)} sur 100 ; note : {score.grade} (couverture : "
            f"{fr.percent(coverage)} du poids des critères applicables)."
        ]
    return [f"Score : {fr.score(score.value)} sur 100 ; note : non noté. {why}"]


def _change_lines(
    change: AuthorityChange | None,
    previous: str | None,
    methodology: Methodology,
    *,
    measured_before: bool = True,
) -> list[str]:
    if previous is None:
        return ["C'est la première édition du baromètre."]
    label = f"l'édition {fr.month(previous)}"
    if not measured_before:
        return [f"{label[:1].upper()}{label[1:]} ne vous mesurait pas ; celle-ci est la première."]
    if change is None:
        return [f"Rien n'a changé depuis {label}."]
    lines = [f"Depuis {label} :"]
    if change.before is not None and change.after is not None:
        delta = fr.signed(change.after - change.before, 1)
        lines.append(f"- score : {fr.score(change.before)} → {fr.score(change.after)} ({delta}) ;")
    if change.grade_before != change.grade_after:
        lines.append(
            f"- note : {change.grade_before or 'non noté'} → {change.grade_after or 'non noté'} ;"
        )
    if change.gained:
        lines.append(f"- désormais réussis : {_names(methodology, change.gained)} ;")
    if change.lost:
        lines.append(f"- qui ne le sont plus : {_names(methodology, change.lost)} ;")
    if len(lines) == 1:
        return [f"Rien n'a changé depuis {label}."]
    lines[-1] = lines[-1].removesuffix(" ;") + "."
    return lines


def message_text(
    authority: Authority,
    edition_title: str,
    score: ScoreRow | None,
    min_coverage: float,
    change_lines: Sequence[str],
    recommendations: Sequence[Recommendation],
    card_url: str,
    contest_url: str,
) -> str:
    lines = [
        "Bonjour,",
        "",
        f"Le {TITLE} publie son {edition_title}. Voici ce qu'il dit de {authority.name}.",
        "",
        *_score_lines(score, min_coverage),
        "",
        *change_lines,
        "",
    ]
    if recommendations:
        count = len(recommendations)
        lines.append(
            "La recommandation prioritaire :"
            if count == 1
            else f"Les {fr.count(count, 'recommandation')} prioritaires :"
        )
        for index, item in enumerate(recommendations, 1):
            lines.append(f"{index}. {item.code} — {item.name} : {item.advice}")
        lines.append("")
    lines += [
        f"Le bulletin complet, avec les preuves de chaque résultat : {card_url}",
        f"Pour expliquer ou contester un résultat : {contest_url} (chaque résultat du "
        "bulletin a aussi son lien).",
        "",
        "Pour ne plus recevoir ces messages, répondez simplement « désinscription ».",
        "",
        f"L'équipe du {TITLE}",
        "",
    ]
    return "\n".join(lines)


def build_notes(
    engine: Engine,
    edition: str,
    methodology: Methodology,
    *,
    base_url: str,
    sender: str,
    optout: OptOut = OptOut(),
    only: Sequence[str] | None = None,
) -> NotifyReport:
    """The messages of ``edition``, one per collectivité scored and address known."""
    report = NotifyReport(edition)
    base = base_url if base_url.endswith("/") else base_url + "/"
    info = edition_repo.get_edition(engine, edition)
    title = "édition de démonstration" if info.demo else f"édition {fr.month(edition)}"
    earlier = publish_repo.earlier_editions(engine, edition, demo=info.demo)
    previous = earlier[-1] if earlier else None
    ids = list(only) if only is not None else publish_repo.scored_ids(engine, edition)
    scores = {s.authority_id: s for s in score_repo.load_scores(engine, edition, scope="global")}
    old_scores = (
        {s.authority_id: s for s in score_repo.load_scores(engine, previous, scope="global")}
        if previous
        else {}
    )
    shares = peer_shares(reco_repo.peer_status_counts(engine, edition))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "barometre.invalid"
    for authority in registry_repo.load_authorities(engine, ids=ids):
        addresses = _emails(authority)
        if not addresses:
            report.without_email += 1
            continue
        score = scores.get(authority.id)
        results = [
            r for r, _ in audit_repo.load_results(engine, edition, authority_id=authority.id)
        ]
        change = None
        if previous is not None:
            old = old_scores.get(authority.id)
            before = [
                r for r, _ in audit_repo.load_results(engine, previous, authority_id=authority.id)
            ]
            found = diff(
                (
                    {authority.id: (old.value, old.grade)} if old else {},
                    {authority.id: (score.value, score.grade)} if score else {},
                ),
                (
                    {authority.id: {r.check_id: r.status.value for r in before}},
                    {authority.id: {r.check_id: r.status.value for r in results}},
                ),
                ({}, {}),
            )
            change = found[0] if found else None
        group = score.peer_group if score else None
        items = (
            recommendations(
                recommend(authority, results, methodology, group, shares).recommendations,
                TOP_RECOMMENDATIONS,
            )
            if group
            else []
        )
        text = message_text(
            authority,
            title,
            score,
            methodology.scoring.min_coverage,
            _change_lines(change, previous, methodology, measured_before=bool(before)),
            items,
            base + card_path(authority.kind.value, authority.code),
            base + "contact.html",
        )
        for address in addresses:
            if optout.excludes(authority, address):
                report.opted_out.append(f"{authority.id} <{address}>")
                continue
            message = EmailMessage()
            message["From"] = sender
            message["To"] = address
            message["Subject"] = f"{TITLE} — {authority.name} : {title}"
            message["Date"] = formatdate(localtime=False)
            message["Message-ID"] = make_msgid(
                idstring=f"{edition}.{authority.kind.value}.{authority.code}", domain=domain
            )
            message["Auto-Submitted"] = "auto-generated"
            message["List-Unsubscribe"] = f"<mailto:{parseaddr(sender)[1]}?subject=desinscription>"
            message.set_content(text)
            report.notes.append(Note(authority, address, message))
    return report


def write_notes(report: NotifyReport, folder: Path) -> None:
    """One ``.eml`` file per message (each written atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    for note in report.notes:
        safe = re.sub(r"[^A-Za-z0-9_.@-]+", "_", f"{note.authority.id}-{note.address}")
        path = folder / f"{safe}.eml"
        files.write_atomic(path, bytes(note.message))
        report.written.append(path)


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    delay: float = 2.0
    tls: ssl.SSLContext | None = None  # trust for STARTTLS (the system's by default)


def smtp_from(settings: Settings) -> SmtpConfig:
    if not settings.smtp_host:
        raise ConfigurationError(
            "Envoi impossible : aucun serveur SMTP réglé (smtp_host, dans barometre.toml ou "
            "BAROMETRE_SMTP_HOST). Sans --send, les messages sont seulement écrits."
        )
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout,
        delay=settings.notify_delay,
    )


def send_notes(
    engine: Engine,
    report: NotifyReport,
    config: SmtpConfig,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Send the messages not sent yet, one at a time, ``config.delay`` seconds apart."""
    known = notify_repo.states(engine, report.edition)
    todo: list[Note] = []
    for note in report.notes:
        state = known.get((note.authority.id, note.address))
        if state == notify_repo.SENT:
            report.already.append(note.address)
        elif state == notify_repo.SENDING:
            report.uncertain.append(note.address)
        else:
            todo.append(note)
    if not todo:
        return
    try:
        server = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    except OSError as exc:
        raise ConfigurationError(
            f"Serveur SMTP {config.host}:{config.port} injoignable : {exc}."
        ) from exc
    with server:
        try:
            server.ehlo()
            if config.starttls:
                server.starttls(context=config.tls or ssl.create_default_context())
                server.ehlo()
            if config.username:
                server.login(config.username, config.password or "")
        except (smtplib.SMTPException, OSError) as exc:
            raise ConfigurationError(
                f"Serveur SMTP {config.host}:{config.port} : connexion refusée ({exc})."
            ) from exc
        first = True
        for note in todo:
            if not notify_repo.claim(
                engine, report.edition, note.authority.id, note.address, note.message_id
            ):
                report.already.append(note.address)  # another run took it meanwhile
                continue
            if not first:
                sleep(config.delay)
            first = False
            try:
                server.send_message(note.message)
            except smtplib.SMTPRecipientsRefused as exc:
                notify_repo.release(engine, report.edition, note.authority.id, note.address)
                report.refused.append((note.address, _refusal(exc)))
                continue
            except (smtplib.SMTPException, OSError):
                # the connection is gone: this message may or may not have left
                raise
            notify_repo.mark_sent(engine, report.edition, note.authority.id, note.address)
            report.sent.append(note.address)


def _refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    reasons = []
    for code, text in exc.recipients.values():
        reasons.append(
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
        )
    return "; ".join(reasons) or "refusé"


def notify_with_settings(
    settings: Settings,
    engine: Engine,
    edition: str,
    *,
    send: bool = False,
    out: Path | None = None,
    only: Sequence[str] | None = None,
) -> NotifyReport:
    """``barometre notify``: build the messages, write them, send them with ``send``."""
    if not settings.publish_base_url:
        raise ConfigurationError(
            "Réglage publish_base_url manquant : chaque message donne l'adresse publique du "
            "bulletin de la collectivité et de la procédure de contestation."
        )
    sender = settings.smtp_sender or settings.publish_contact
    if not sender or "@" not in parseaddr(sender)[1]:
        raise ConfigurationError(
            "Réglage smtp_sender manquant : l'adresse d'expédition des messages (ex. "
            "« Baromètre <contact@exemple.fr> »), à laquelle on peut répondre."
        )
    config = smtp_from(settings) if send else None
    info = edition_repo.get_edition(engine, edition)
    methodology = load_methodology(info.methodology_version or "")
    report = build_notes(
        engine,
        edition,
        methodology,
        base_url=settings.publish_base_url,
        sender=sender,
        optout=read_optout(settings.notify_optout),
        only=only,
    )
    write_notes(report, out or settings.data_dir / "messages" / edition)
    if config is not None:
        send_notes(engine, report, config)
    return report
