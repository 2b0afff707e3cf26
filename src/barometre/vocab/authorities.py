"""Collectivités in words: their kinds and legal types, their peer groups, and how a
user names one.

A collectivité is named on the command line (and in files) by its identifier
``commune:75056``, by its code alone ``75056`` (INSEE code, SIREN for an EPCI), or by
its code and a type (``75 --type region``). :func:`parse_reference` reads these into an
:class:`AuthorityRef`; :meth:`AuthorityRef.ids` gives the identifiers it may designate,
following the identifiers of INSEE's map whose collectivité the law replaced
(``departement:2A`` → ``departement:20R``, the Collectivité de Corse): the successor
table is the registry's (``registry/data/collectivites.csv``), passed in.
``barometre.storage.registry_repo.find_authorities`` answers the references, with the
errors below: every command names collectivités this way.

Pure module, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from barometre.errors import UnknownAuthorityError
from barometre.models import AuthorityKind, LegalType
from barometre.vocab.text import fold

KIND_LABELS: Mapping[AuthorityKind | LegalType, str] = {
    AuthorityKind.REGION: "région",
    AuthorityKind.DEPARTEMENT: "département",
    AuthorityKind.COMMUNE: "commune",
    AuthorityKind.EPCI: "intercommunalité (EPCI)",
    LegalType.STATUT_PARTICULIER: "collectivité à statut particulier",
    LegalType.COLLECTIVITE_UNIQUE: "collectivité territoriale unique",
    LegalType.OUTRE_MER: "collectivité d'outre-mer",
    LegalType.SUI_GENERIS: "collectivité sui generis",
    LegalType.PROVINCE: "province",
}
KIND_PLURALS: Mapping[AuthorityKind | LegalType, str] = {
    AuthorityKind.REGION: "régions",
    AuthorityKind.DEPARTEMENT: "départements",
    AuthorityKind.COMMUNE: "communes",
    AuthorityKind.EPCI: "intercommunalités (EPCI)",
    LegalType.STATUT_PARTICULIER: "collectivités à statut particulier",
    LegalType.COLLECTIVITE_UNIQUE: "collectivités territoriales uniques",
    LegalType.OUTRE_MER: "collectivités d'outre-mer",
    LegalType.SUI_GENERIS: "collectivités sui generis",
    LegalType.PROVINCE: "provinces",
}


def _key(kind: AuthorityKind | LegalType) -> AuthorityKind | LegalType:
    # A legal type named like a kind (region, departement, commune, epci) reads as it.
    return AuthorityKind(kind.value) if kind.value in AuthorityKind._value2member_map_ else kind


def kind_label(kind: AuthorityKind | LegalType) -> str:
    """« département », « collectivité à statut particulier »."""
    return KIND_LABELS[_key(kind)]


def kind_plural(kind: AuthorityKind | LegalType) -> str:
    """« départements », « collectivités à statut particulier »."""
    return KIND_PLURALS[_key(kind)]


def kind_or_legal_label(kind: str, legal_type: str | None = None) -> str:
    """« département », or the legal type when it is not what the kind says
    (« collectivité à statut particulier » for the Collectivité de Corse); a value
    neither names is shown as it is."""
    try:
        return kind_label(LegalType(legal_type) if legal_type else AuthorityKind(kind))
    except ValueError:
        return legal_type or kind


# The words a file or a user may write for a kind, folded and without spaces.
_KIND_WORDS = {
    "region": AuthorityKind.REGION,
    "departement": AuthorityKind.DEPARTEMENT,
    "commune": AuthorityKind.COMMUNE,
    "epci": AuthorityKind.EPCI,
    "intercommunalite": AuthorityKind.EPCI,
}
KIND_WORDS = "region, departement, commune, epci"


def parse_kind(text: str) -> AuthorityKind | None:
    """The kind a word names: « région », "Departement", "EPCI", « intercommunalité »;
    ``None`` for any other word."""
    return _KIND_WORDS.get(fold(text).replace(" ", ""))


# --- peer groups ------------------------------------------------------------------------

# Communes are compared within population bands: (upper bound, label); above the last,
# « plus de 100 000 habitants ».
COMMUNE_BANDS: tuple[tuple[int, str], ...] = (
    (500, "moins de 500 habitants"),
    (2_000, "500 à 2 000 habitants"),
    (3_500, "2 000 à 3 500 habitants"),
    (10_000, "3 500 à 10 000 habitants"),
    (50_000, "10 000 à 50 000 habitants"),
    (100_000, "50 000 à 100 000 habitants"),
)
LAST_BAND = "plus de 100 000 habitants"
SHORT_BANDS = (
    "< 500",
    "500–2 000",
    "2 000–3 500",
    "3 500–10 000",
    "10 000–50 000",
    "50 000–100 000",
    "> 100 000",
)
EPCI_GROUP_NAMES = {
    "CC": "Communautés de communes",
    "CA": "Communautés d'agglomération",
    "CU": "Communautés urbaines",
    "Métropole": "Métropoles",
}
# The peer groups in the order they are listed.
PEER_GROUPS = (
    "region",
    "departement",
    "epci:Métropole",
    "epci:CU",
    "epci:CA",
    "epci:CC",
    "commune:7",
    "commune:6",
    "commune:5",
    "commune:4",
    "commune:3",
    "commune:2",
    "commune:1",
)
_TOP_KINDS = {"region": "Régions", "departement": "Départements"}


def _band(rest: str) -> int | None:
    try:
        index = int(rest) - 1
    except ValueError:
        return None
    return index if 0 <= index <= len(COMMUNE_BANDS) else None


def peer_group_label(group: str) -> str:
    """« Communes de 500 à 2 000 habitants », « Communautés de communes », « Régions »."""
    kind, _, rest = group.partition(":")
    if kind == "commune":
        index = _band(rest)
        if index is None:
            return f"Communes ({rest})"
        band = COMMUNE_BANDS[index][1] if index < len(COMMUNE_BANDS) else LAST_BAND
        return f"Communes de {band}"
    if kind == "epci":
        return EPCI_GROUP_NAMES.get(rest, f"Intercommunalités ({rest})")
    return _TOP_KINDS.get(kind, group)


def peer_group_short(group: str) -> str:
    """A short label for tables: « Communes 500–2 000 », « EPCI CC »…"""
    kind, _, rest = group.partition(":")
    if kind == "commune":
        index = _band(rest)
        return f"Communes {SHORT_BANDS[index] if index is not None else rest}"
    if kind == "epci":
        return f"EPCI {rest}"
    return _TOP_KINDS.get(kind, group)


def peer_group_sort_key(group: str) -> tuple[int, str]:
    return (PEER_GROUPS.index(group) if group in PEER_GROUPS else len(PEER_GROUPS), group)


# --- naming a collectivité --------------------------------------------------------------

EXAMPLES = "Exemples : 40 (Landes), 75056 (Paris), 200054781 (EPCI), commune:75056."


@dataclass(frozen=True, slots=True)
class AuthorityRef:
    """A collectivité as the user named it: ``text`` as written, the ``kind`` it gives
    (its ``type:`` prefix, else the ``--type`` option; ``None``: any) and the code."""

    text: str
    kind: AuthorityKind | None
    code: str

    @property
    def kinds(self) -> tuple[AuthorityKind, ...]:
        return (self.kind,) if self.kind is not None else tuple(AuthorityKind)

    def direct_ids(self) -> list[str]:
        """The identifiers the code designates as written (one per kind in scope)."""
        return [f"{kind.value}:{self.code}" for kind in self.kinds]

    def successors(self, table: Mapping[str, str]) -> list[tuple[str, str]]:
        """``(old, new)`` for each identifier of INSEE's map that now designates another
        collectivité (``departement:75`` → ``commune:75056``)."""
        return [(old, table[old]) for old in self.direct_ids() if old in table]

    def ids(self, table: Mapping[str, str] | None = None) -> list[str]:
        """Every identifier the reference may designate, successors included."""
        found = self.direct_ids()
        found += [new for _, new in self.successors(table or {}) if new not in found]
        return found


def parse_reference(text: str, kind: AuthorityKind | None = None) -> AuthorityRef:
    """``commune:75056``, ``75056`` or ``75`` (with ``kind`` from ``--type``) read; the
    prefix of an identifier wins over ``kind``. Raises :class:`UnknownAuthorityError`
    for an unknown type or an empty code."""
    written = text.strip()
    code = written
    if ":" in written:
        prefix, _, code = written.partition(":")
        kind = parse_kind(prefix)
        if kind is None:
            raise UnknownAuthorityError(
                f"Type inconnu « {prefix} » dans « {written} » (types : {KIND_WORDS})."
            )
    code = code.strip().upper()
    if not code:
        raise UnknownAuthorityError(f"Code de collectivité vide dans « {text} ». {EXAMPLES}")
    return AuthorityRef(written, kind, code)


def parse_references(texts: Iterable[str], kind: AuthorityKind | None = None) -> list[AuthorityRef]:
    """Several references, each once (in the order given)."""
    refs = [parse_reference(t, kind) for t in texts]
    return list(dict.fromkeys(refs))


def unknown_error(refs: Sequence[AuthorityRef]) -> UnknownAuthorityError:
    """The one French error for references that designate no active collectivité."""
    what = "Aucune collectivité active pour " + ", ".join(f"« {r.text} »" for r in refs)
    kind = refs[0].kind if len(refs) == 1 else None
    if kind is not None and ":" not in refs[0].text:
        what += f" parmi les {kind_plural(kind)}"
    return UnknownAuthorityError(f"{what}. {EXAMPLES}")


def ambiguous_error(ref: AuthorityRef, found: Sequence[tuple[str, str]]) -> UnknownAuthorityError:
    """The one French error for a code that designates several collectivités
    (``found``: their ``(id, name)``)."""
    names = ", ".join(f"{aid} ({name})" for aid, name in found)
    return UnknownAuthorityError(
        f"Le code « {ref.text} » désigne {len(found)} collectivités : {names}. "
        "Précisez --type ou donnez l'identifiant complet (type:code)."
    )
