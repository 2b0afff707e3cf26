"""The collectivités as they legally exist, not INSEE's administrative map.

The découpage lists 18 régions, 101 départements, the communes of every zone and the
EPCI. The law made some of these one collectivité (the Collectivité de Corse for région
94 and départements 2A and 2B, the Collectivité européenne d'Alsace for 67 and 68, the
single collectivités of Martinique, Guyane and Mayotte for a région and a département
each, the Ville de Paris for commune 75056 and département 75), turned an EPCI into a
collectivité (the Métropole de Lyon), and gave the zones d'outre-mer statutes of their
own. A short curated table (``data/collectivites.csv``) states each of these facts with
its legal reference; :func:`apply` turns the map into the list of collectivités, each
appearing once with its legal type (:class:`~barometre.models.LegalType`).

Peer groups. The kind of a collectivité (the prefix of its identifier) is the group it
is compared within: the group of the lowest level whose powers it exercises, commune,
then département, then région. So the départements' group holds the départements and
every collectivité exercising a département's powers (Corse, Alsace, the Métropole de
Lyon, Martinique, Guyane, Mayotte, Saint-Pierre-et-Miquelon, and the collectivités of
the Pacific, whose general powers include a département's); the communes' group holds
Paris, Saint-Barthélemy and Saint-Martin, which also exercise a commune's; the régions'
group holds the régions alone. Each collectivité is counted once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from barometre.errors import SourceError
from barometre.models import Account, Authority, AuthorityKind, Contact, LegalType, Website
from barometre.registry.report import BuildReport

CURATED = "collectivites.csv"
SOURCE_ID = "table-des-statuts"
OUT_OF_SCOPE = "hors_champ"
COLUMNS = (
    "id",
    "legal_type",
    "name",
    "siren",
    "siren_source",
    "region",
    "territory",
    "replaces",
    "etalab_communes",
    "reference",
)
#: What the découpage's « communes » of a zone d'outre-mer are.
ETALAB_COMMUNES = ("communes", "itself", "none")
_SIREN = re.compile(r"\d{9}")
_CODE = re.compile(r"[0-9A-Z]{2,9}")


@dataclass(frozen=True, slots=True)
class Statute:
    """One row of the curated table: a collectivité, or a zone that is none."""

    line: int
    kind: AuthorityKind | None  # None: a zone out of scope
    code: str
    legal_type: LegalType | None
    name: str
    siren: str | None
    siren_source: str | None
    region: str
    territory: tuple[str, ...]
    replaces: tuple[str, ...]
    etalab_communes: str | None
    reference: str

    @property
    def id(self) -> str:
        return f"{self.kind.value if self.kind else OUT_OF_SCOPE}:{self.code}"

    @property
    def out_of_scope(self) -> bool:
        return self.kind is None


def _kind(text: str) -> AuthorityKind | None:
    try:
        return AuthorityKind(text)
    except ValueError:
        return None


def _parse_row(where: Path, line: int, row: dict[str, str]) -> Statute:
    def fail(message: str) -> SourceError:
        return SourceError(where, f"{row.get('id') or '?'} : {message}", line)

    prefix, _, code = row["id"].strip().partition(":")
    kind = _kind(prefix)
    if (kind is None and prefix != OUT_OF_SCOPE) or not _CODE.fullmatch(code):
        raise fail("identifiant attendu <type>:<code> (type region, departement, commune, epci)")
    legal_text = row["legal_type"].strip()
    legal: LegalType | None = None
    if legal_text == OUT_OF_SCOPE:
        if kind is not None:
            raise fail(f"« {OUT_OF_SCOPE} » est réservé aux identifiants {OUT_OF_SCOPE}:<code>")
    else:
        try:
            legal = LegalType(legal_text)
        except ValueError:
            raise fail(f"statut inconnu « {legal_text} »") from None
        if kind is None:
            raise fail(f"un identifiant {OUT_OF_SCOPE}: n'a pas de statut de collectivité")
    name, region, reference = (row[k].strip() for k in ("name", "region", "reference"))
    territory = tuple(row["territory"].split())
    if not name or not region or not territory or not reference:
        raise fail("nom, région, territoire et référence juridique sont obligatoires")
    siren = row["siren"].strip() or None
    source = row["siren_source"].strip() or None
    if siren is not None and (not _SIREN.fullmatch(siren) or source is None):
        raise fail("un SIREN a 9 chiffres et nomme sa source")
    replaces = tuple(row["replaces"].split())
    for old in replaces:
        old_kind, _, old_code = old.partition(":")
        if _kind(old_kind) is None or not _CODE.fullmatch(old_code):
            raise fail(f"identifiant remplacé « {old} » mal formé")
    communes = row["etalab_communes"].strip() or None
    if communes is not None and communes not in ETALAB_COMMUNES:
        raise fail(f"etalab_communes : {', '.join(ETALAB_COMMUNES)} ou vide")
    return Statute(
        line,
        kind,
        code,
        legal,
        name,
        siren,
        source,
        region,
        territory,
        replaces,
        communes,
        reference,
    )


def load(path: Path | None = None) -> list[Statute]:
    """Read and check the curated table (the embedded one by default)."""
    if path is None:
        resource = resources.files("barometre.registry").joinpath("data", CURATED)
        text, where = resource.read_text(encoding="utf-8"), Path(str(resource))
    else:
        text, where = path.read_text(encoding="utf-8"), path
    numbered = [
        (n, line) for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#")
    ]
    if not numbered:
        raise SourceError(where, "table vide (en-tête absent)")
    reader = csv.reader(line for _, line in numbered)
    header = [h.strip() for h in next(reader)]
    if tuple(header) != COLUMNS:
        raise SourceError(where, f"en-tête attendu : {','.join(COLUMNS)}", numbered[0][0])
    rows: list[Statute] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = numbered[reader.line_num - 1][0]
        if len(record) != len(COLUMNS):
            raise SourceError(where, f"{len(record)} champs au lieu de {len(COLUMNS)}", line)
        statute = _parse_row(where, line, dict(zip(COLUMNS, record, strict=True)))
        for key in (statute.id, *(r for r in statute.replaces if r != statute.id)):
            if key in seen:
                raise SourceError(where, f"{key} figure déjà ligne {seen[key]}", line)
            seen[key] = line
        rows.append(statute)
    return rows


def aliases(statutes: Iterable[Statute]) -> dict[str, str]:
    """Identifiers of INSEE's map that now designate another collectivité: old → new."""
    return {old: s.id for s in statutes if not s.out_of_scope for old in s.replaces if old != s.id}


@cache
def successors() -> Mapping[str, str]:
    """:func:`aliases` of the embedded table: what the commands follow when a user names
    a collectivité by an identifier of INSEE's map (``departement:2A``)."""
    return MappingProxyType(aliases(load()))


def zone_rules(statutes: Iterable[Statute]) -> dict[str, Statute]:
    """For each zone d'outre-mer the table describes: the row that says what its communes are."""
    return {s.territory[0]: s for s in statutes if s.etalab_communes is not None}


def _merge_websites(parts: Sequence[Authority]) -> tuple[Website, ...]:
    """Every distinct site, in the order of ``parts``; the first primary one stays primary."""
    merged: dict[str, Website] = {}
    for part in parts:
        for site in sorted(part.websites, key=lambda w: not w.primary):
            merged.setdefault(site.url, site)
    primary = next((w.url for w in merged.values() if w.primary), next(iter(merged), None))
    return tuple(
        Website(w.url, w.host, w.source, primary=w.url == primary) for w in merged.values()
    )


def _merge_contacts(parts: Sequence[Authority]) -> tuple[Contact, ...]:
    merged: dict[tuple[str, str], Contact] = {}
    for part in parts:
        for contact in part.contacts:
            merged.setdefault((contact.kind, contact.value.lower()), contact)
    return tuple(merged.values())


def _merge_accounts(parts: Sequence[Authority]) -> tuple[Account, ...]:
    merged: dict[str, Account] = {}
    for part in parts:
        for account in part.accounts:
            merged.setdefault(account.url, account)
    return tuple(merged.values())


def _collectivite(
    statute: Statute, parts: Sequence[Authority], base: Authority | None
) -> Authority:
    kind = statute.kind
    assert kind is not None  # out-of-scope rows never reach here
    legal = statute.legal_type
    lies_in = base if base is not None and base.kind is AuthorityKind.COMMUNE else None
    territory = statute.territory if kind is not AuthorityKind.COMMUNE else ()
    return Authority(
        kind=kind,
        code=statute.code,
        name=statute.name,
        siren=statute.siren or (base.siren if base else None),
        population=lies_in.population if lies_in else None,
        region=statute.region,
        departement=lies_in.departement if lies_in else None,
        epci=lies_in.epci if lies_in else None,
        postal_codes=tuple(dict.fromkeys(p for part in parts for p in part.postal_codes)),
        websites=_merge_websites(parts),
        contacts=_merge_contacts(parts),
        accounts=_merge_accounts(parts),
        legal_type=None if legal is None or legal.value == kind.value else legal,
        territory=() if territory == (statute.code,) else territory,
    )


def apply(
    authorities: Sequence[Authority], statutes: Sequence[Statute], report: BuildReport
) -> list[Authority]:
    """Replace the identifiers of INSEE's map by the collectivités the table describes.

    Each row's collectivité takes the sites, contacts and accounts of the identifiers
    it replaces (the first one's official site first) and of its own identifier when
    the map has it (Paris, Saint-Barthélemy); the replaced identifiers disappear.
    """
    by_id = {a.id: a for a in authorities}
    stat = report.join(
        "collectivités à statut particulier, uniques et d'outre-mer",
        SOURCE_ID,
        note="une ligne par collectivité de la table des statuts, avec sa référence juridique",
    )
    created: dict[str, Authority] = {}
    gone: set[str] = set()
    for statute in statutes:
        if statute.out_of_scope:
            continue
        stat.records += 1
        missing = [old for old in statute.replaces if old not in by_id]
        if missing:
            raise SourceError(
                CURATED, f"{statute.id} : {', '.join(missing)} absent du découpage", statute.line
            )
        base = by_id.get(statute.id)
        parts = [by_id[old] for old in statute.replaces]
        if base is not None and statute.id not in statute.replaces:
            parts.insert(0, base)
        created[statute.id] = _collectivite(statute, parts, base)
        gone.update(p.id for p in parts)
        stat.matched += 1
        stat.by_rule[
            "réunit plusieurs identifiants" if len(parts) > 1 else "identifiant unique"
        ] += 1
    out: list[Authority] = []
    for a in authorities:
        if a.id in created:
            out.append(created.pop(a.id))
        elif a.id not in gone:
            out.append(a)
    out.extend(created.values())
    return out
