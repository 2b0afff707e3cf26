"""Comply-or-explain: a collectivité's explanation or dispute beside a measured result.

An explanation (« explication ») says why a result is what it is (a planned redesign,
an obligation that does not apply…); a dispute (« contestation ») says the measure is
wrong. Either is shown beside the result and **never** changes its status or value: the
measure stays what the barometer observed, the answer sits next to it.

Files come as CSV (``type,code,critere,nature,texte,auteur,date,expire``, comma or
semicolon separated, UTF-8 with or without BOM) or TOML (``[[explications]]`` tables
with the same keys). ``critere`` is a criterion id (``conformite.mentions_legales``) or
code (``L4``); ``nature`` is ``explication`` or ``contestation``; ``date`` is the day the
text was received (``AAAA-MM-JJ`` or ``JJ/MM/AAAA``); ``expire`` is optional, by default
:data:`DEFAULT_VALIDITY_MONTHS` months after ``date``. Every problem is reported with the
file and line, and a file with one bad line is refused whole.

Explanations live outside editions (a frozen edition still shows those received after
its freeze). One applies to an edition when the edition's reference date (the last day
of the month for an ``AAAA-MM`` edition, the creation day otherwise) lies between its
``date`` and its ``expire``, both included; past ``expire`` it is reported as expired.

Pure functions: parsing and dates only. Whether the collectivité exists is checked by
the caller against the registry (:func:`check_authorities`).
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from barometre.errors import MethodologyError, SourceError
from barometre.methodology import Methodology
from barometre.models import AuthorityKind, authority_id
from barometre.storage.explanation_repo import Explanation
from barometre.tabular import csv_problem, strict_reader
from barometre.vocab import fr
from barometre.vocab.authorities import kind_label, parse_kind
from barometre.vocab.text import control_character

# How long an explanation stays valid when the file gives no ``expire`` date: one year,
# the span of twelve monthly editions (the collectivité renews it if it still holds).
DEFAULT_VALIDITY_MONTHS = 12

COLUMNS = ("type", "code", "critere", "nature", "texte", "auteur", "date", "expire")
REQUIRED = ("type", "code", "critere", "nature", "texte", "date")
MAX_TEXT = 4000  # characters: an explanation is a paragraph, not a report

NATURES = {"explication": "explanation", "contestation": "dispute"}
NATURE_LABELS = {"explanation": "explication", "dispute": "contestation"}
# INSEE codes (2A004, 975), the codes of the collectivités of the départements' group
# that are no département (20R Corse, 6AE Alsace, 69M Lyon), SIREN of EPCI and provinces
_CODE = re.compile(r"^[0-9A-Z]{2,9}$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTHLY = re.compile(r"^(\d{4})-(\d{2})$")
_TOML_TABLE = re.compile(r"^\s*\[\[\s*explications\s*\]\]")
_TOML_LINE = re.compile(r"line (\d+)")


class State(StrEnum):
    """Where an explanation stands on a given day (an edition's reference date)."""

    CURRENT = "current"  # received on or before the day, not yet expired
    EXPIRED = "expired"  # expired before the day
    LATER = "later"  # received after the day: it applies to later editions

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    State.CURRENT: "en vigueur",
    State.EXPIRED: "expirée",
    State.LATER: "reçue après cette édition",
}


def state(item: Explanation, on: date) -> State:
    """Where ``item`` stands on ``on`` (the same rule as :func:`explanation_repo.current`)."""
    if on < item.received_on:
        return State.LATER
    if on > item.expires_on:
        return State.EXPIRED
    return State.CURRENT


def label(item: Explanation) -> str:
    """« explication » or « contestation »."""
    return NATURE_LABELS[item.kind]


# --- dates ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day
    (29 February 2028 + 12 months = 28 February 2029)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def default_expiry(received_on: date) -> date:
    return add_months(received_on, DEFAULT_VALIDITY_MONTHS)


def reference_date(edition: str, created_at: datetime | date | None = None) -> date:
    """The day an edition stands for: the last day of its month for ``AAAA-MM``, the day
    it was created otherwise (a demonstration, a special edition)."""
    match = _MONTHLY.match(edition)
    if match and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2))
        return date(year, month, calendar.monthrange(year, month)[1])
    if isinstance(created_at, datetime):
        return created_at.date()
    if isinstance(created_at, date):
        return created_at
    raise ValueError(f"édition {edition} : ni AAAA-MM ni date de création")


def parse_day(value: object) -> date:
    """A date from a file: ``AAAA-MM-JJ``, ``JJ/MM/AAAA`` or a TOML date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("date attendue (AAAA-MM-JJ ou JJ/MM/AAAA)")
    text = value.strip()
    try:
        match = _FR_DATE.match(text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"date « {text} » invalide (AAAA-MM-JJ ou JJ/MM/AAAA attendu)") from exc


def current_state(items: Iterable[Explanation], on: date) -> list[tuple[Explanation, State]]:
    """The explanations to show beside a result of an edition dated ``on``: those in
    force, then the expired ones, then those received later; newest first in each."""
    order = {State.CURRENT: 0, State.EXPIRED: 1, State.LATER: 2}
    states = [(item, state(item, on)) for item in items]
    return sorted(
        states, key=lambda s: (order[s[1]], -s[0].received_on.toordinal(), s[0].kind, s[0].text)
    )


# --- parsing -------------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _criterion(value: str, methodology: Methodology) -> str:
    try:
        return methodology.criterion(value.strip()).id
    except MethodologyError:
        raise ValueError(
            f"critère « {value} » inconnu dans la méthodologie {methodology.version} "
            "(identifiant comme conformite.mentions_legales ou code comme L4)"
        ) from None


def _record(
    row: Mapping[str, object], methodology: Methodology, source: str, line: int
) -> Explanation:
    """One explanation from one row; a ``ValueError`` carries the French message."""
    for key, value in row.items():
        control = control_character(value) if isinstance(value, str) else None
        if control is not None:
            raise ValueError(f"caractère de contrôle {control} dans « {key} »")
    missing = [k for k in REQUIRED if not _text(row.get(k))]
    if missing:
        names = ", ".join(f"« {k} »" for k in missing)
        what = (
            "texte vide"
            if missing == ["texte"]
            else f"{fr.plural(len(missing), 'champ vide ou absent', 'champs vides ou absents')} : {names}"
        )
        raise ValueError(what)
    kind_text = _text(row["type"]).lower()
    kind = parse_kind(kind_text)
    if kind is None:
        raise ValueError(
            f"type « {kind_text} » inconnu (region, departement, commune ou epci attendu)"
        )
    code = _text(row["code"]).upper()
    if not _CODE.match(code):
        raise ValueError(f"code « {code} » invalide (code INSEE ou SIREN attendu)")
    check_id = _criterion(_text(row["critere"]), methodology)
    nature = _text(row["nature"]).lower()
    if nature not in NATURES:
        raise ValueError(f"nature « {nature} » inconnue (explication ou contestation attendu)")
    text = _text(row["texte"])
    if len(text) > MAX_TEXT:
        raise ValueError(f"texte trop long ({len(text)} caractères, {MAX_TEXT} au plus)")
    received = parse_day(row["date"])
    expire_value = row.get("expire")
    if expire_value is None or (isinstance(expire_value, str) and not expire_value.strip()):
        expires = default_expiry(received)
    else:
        expires = parse_day(expire_value)
    if expires < received:
        raise ValueError(
            f"expiration ({fr.numeric_day(expires)}) antérieure à la date de réception "
            f"({fr.numeric_day(received)})"
        )
    author = _text(row.get("auteur")) or None
    return Explanation(
        authority_id=authority_id(kind, code),
        check_id=check_id,
        kind=NATURES[nature],
        text=text,
        received_on=received,
        expires_on=expires,
        author=author,
        source=source,
        line=line,
    )


def _dedupe(path: Path, items: Sequence[Explanation]) -> list[Explanation]:
    """Identical repeated lines count once; two different texts for the same
    collectivité, criterion, nature and day are an error."""
    seen: dict[tuple[str, str, str, date], Explanation] = {}
    out: list[Explanation] = []
    for item in items:
        first = seen.get(item.key)
        if first is None:
            seen[item.key] = item
            out.append(item)
            continue
        if (first.text, first.author, first.expires_on) != (
            item.text,
            item.author,
            item.expires_on,
        ):
            raise SourceError(
                path,
                f"même collectivité, critère, nature et date que la ligne {first.line}, "
                "avec un autre contenu",
                item.line,
            )
    return out


def parse_csv(
    content: str, path: Path, methodology: Methodology, source: str | None = None
) -> list[Explanation]:
    source = source or path.name
    content = content.removeprefix("\ufeff")
    first = content.splitlines()[0] if content.strip() else ""
    if not first.strip():
        raise SourceError(path, "fichier vide : en-tête " + ",".join(COLUMNS) + " attendu", 1)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = strict_reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise SourceError(path, csv_problem(exc), 1) from exc
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise SourceError(
            path,
            f"{fr.plural(len(unknown), 'colonne inconnue', 'colonnes inconnues')} : "
            f"{', '.join(unknown)} (attendues : {', '.join(COLUMNS)})",
            1,
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceError(
            path,
            f"{fr.plural(len(missing), 'colonne manquante', 'colonnes manquantes')} : "
            f"{', '.join(missing)}",
            1,
        )
    if len(set(header)) != len(header):
        raise SourceError(path, "colonne en double dans l'en-tête", 1)
    items: list[Explanation] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise SourceError(path, csv_problem(exc), line) from exc
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise SourceError(
                path,
                f"{fr.count(len(cells), 'colonne')} au lieu de {len(header)} (voir l'en-tête)",
                line,
            )
        try:
            items.append(_record(dict(zip(header, cells, strict=True)), methodology, source, line))
        except ValueError as exc:
            raise SourceError(path, str(exc), line) from None
    return _dedupe(path, items)


def parse_toml(
    content: str, path: Path, methodology: Methodology, source: str | None = None
) -> list[Explanation]:
    source = source or path.name
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        raise SourceError(
            path, f"TOML invalide ({exc})", int(found.group(1)) if found else None
        ) from exc
    other = sorted(k for k in data if k != "explications")
    if other:
        raise SourceError(
            path,
            f"{fr.plural(len(other), 'clé inconnue', 'clés inconnues')} : {', '.join(other)} "
            "(tables [[explications]] attendues)",
        )
    tables = data.get("explications", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourceError(path, "« explications » doit être une liste de tables [[explications]]")
    # tomllib keeps no positions: the n-th table starts at the n-th [[explications]] line.
    starts = [i for i, text in enumerate(content.splitlines(), 1) if _TOML_TABLE.match(text)]
    items: list[Explanation] = []
    for index, table in enumerate(tables):
        line = starts[index] if index < len(starts) else None
        unknown = sorted(k for k in table if k not in COLUMNS)
        if unknown:
            raise SourceError(
                path,
                f"{fr.plural(len(unknown), 'clé inconnue', 'clés inconnues')} : "
                f"{', '.join(unknown)} (attendues : {', '.join(COLUMNS)})",
                line,
            )
        try:
            items.append(_record(table, methodology, source, line or 0))
        except ValueError as exc:
            raise SourceError(path, str(exc), line) from None
    return _dedupe(path, items)


def read_file(path: Path, methodology: Methodology) -> list[Explanation]:
    """Explanations of a CSV or TOML file (by its extension), every line validated."""
    try:
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourceError(path, "fichier introuvable") from None
    except OSError as exc:
        raise SourceError(path, f"fichier illisible ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SourceError(path, "encodage invalide (UTF-8 attendu)", line) from exc
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return parse_toml(content, path, methodology)
    if suffix in (".csv", ".txt"):
        return parse_csv(content, path, methodology)
    raise SourceError(path, "format inconnu : fichier .csv ou .toml attendu")


def check_authorities(
    path: Path, items: Sequence[Explanation], exists: Callable[[Collection[str]], set[str]]
) -> None:
    """Refuse the file at the first line naming a collectivité ``exists`` does not know
    (``exists`` returns the known ids among those asked)."""
    known = exists({item.authority_id for item in items})
    for item in items:
        if item.authority_id not in known:
            kind, _, code = item.authority_id.partition(":")
            raise SourceError(
                path,
                f"collectivité inconnue du registre : {kind_label(AuthorityKind(kind))} {code}",
                item.line,
            )
