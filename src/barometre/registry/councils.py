"""Official websites of the conseils régionaux and départementaux.

No single source maps a région or a département to its site, so candidates are
gathered from three sources and scored:

* the 2019 annuaire (``cr-``/``cg-`` entries, keyed by the seat commune or the name);
* the Etalab lists of council domains (2023) and the hosts that answered HTTP 200 in
  the Dec. 2024 refresh (``urls.txt``), kept when the registrable label spells the
  name (``landes.fr``, ``hautesavoie.fr``, ``la.charente-maritime.fr``) or the number
  (``cd08.fr``, ``departement13.fr``, ``le64.fr``);
* a short curated table (``data/site_overrides.csv``) for the sites the sources cannot
  give (a usage name, the collectivités d'outre-mer, Alsace), each with its reason,
  applied last.

The collectivités with a special statute (Corse, Martinique, Guyane, Mayotte, Paris,
Alsace) then take the sites of the identifiers of INSEE's map they replace
(:mod:`barometre.registry.collectivites`): one collectivité, one official site.

Every choice keeps the list of sources that supported it, and ties are reported.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from barometre.errors import SourceError
from barometre.models import AuthorityKind
from barometre.registry.normalize import host_of, normalize_url, registrable_domain
from barometre.registry.report import BuildReport
from barometre.registry.sources.annuaire import ANNUAIRE_2019, Annuaire2019Record
from barometre.registry.sources.decoupage import DepartementRow, RegionRow
from barometre.vocab.text import fold

OVERRIDES = "site_overrides.csv"
COUNCIL_KINDS = frozenset({AuthorityKind.REGION, AuthorityKind.DEPARTEMENT})
OVERRIDE_SOURCE = "curation"
DOMAIN_LIST_SOURCE = "etalab-domaines"
URLS_2024_SOURCE = "etalab-urls-2024"

# Prefixes and suffixes that councils put around their name or number in a domain label.
_PREFIXES = (
    "",
    "la",
    "le",
    "les",
    "l",
    "cd",
    "cg",
    "ct",
    "cr",
    "departement",
    "ledepartement",
    "mondepartement",
    "region",
    "maregion",
    "collectivite",
    "collectivitede",
)
_TRAILING_CODE = re.compile(r"(\d{2,3}|\d[ab])$")
_NUMBER_ONLY = re.compile(r"^(cd|cg|departement|ledepartement|mondepartement|le)(\d{2,3}|\d[ab])$")

# Score of a candidate: the more (and the more recent) sources agree, the better.
WEIGHTS = {
    OVERRIDE_SOURCE: 100,
    DOMAIN_LIST_SOURCE: 4,  # Etalab council lists, 2023
    ANNUAIRE_2019: 3,
    URLS_2024_SOURCE: 2,  # answered HTTP 200 in Dec. 2024
}
NAME_BONUS = 2  # the label spells the name, not only the number
CG_PENALTY = 2  # « conseil général » labels predate the 2015 renaming


@dataclass(slots=True)
class Candidate:
    url: str
    domain: str
    sources: set[str] = field(default_factory=set)
    by_name: bool = False

    @property
    def score(self) -> int:
        total = sum(WEIGHTS.get(s, 1) for s in self.sources)
        if self.by_name:
            total += NAME_BONUS
        if self.domain.startswith("cg"):
            total -= CG_PENALTY
        return total


@dataclass(frozen=True, slots=True)
class CouncilSite:
    kind: AuthorityKind
    code: str
    url: str
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Override:
    kind: AuthorityKind
    code: str
    url: str | None
    same_as: str | None
    reason: str


def _slug(name: str) -> str:
    return fold(name).replace(" ", "")


def label_match(label: str, name: str, code: str, kind: AuthorityKind) -> str | None:
    """How a registrable label designates this council: ``"name"``, ``"number"`` or ``None``.

    ``hautesavoie``, ``lacharente``, ``saoneetloire71``, ``eureennormandie`` spell the
    name; ``cd08``, ``departement13``, ``le64`` give the number (départements only).
    """
    compact = label.replace("-", "").replace(".", "")
    number = _NUMBER_ONLY.match(compact)
    if number:
        same = kind is AuthorityKind.DEPARTEMENT and number.group(2).upper() == code.upper()
        return "number" if same else None
    slug = _slug(name)
    for core in _cores(compact, code):
        if core == slug or (core.startswith(slug + "en") and len(slug) >= 4):
            return "name"
    return None


def _cores(compact: str, code: str | None) -> Iterator[str]:
    """The label without each known prefix and, when it is the code, the trailing number."""
    for prefix in _PREFIXES:
        if not compact.startswith(prefix):
            continue
        core = compact[len(prefix) :]
        trailing = _TRAILING_CODE.search(core)
        if trailing and (code is None or trailing.group(1).upper() == code.upper()):
            yield core[: trailing.start()]
        yield core


def load_overrides(path: Path | None = None) -> list[Override]:
    """Read the curated table; every row must give a URL or an alias and a reason."""
    if path is None:
        resource = resources.files("barometre.registry").joinpath("data", OVERRIDES)
        text = resource.read_text(encoding="utf-8")
        where = Path(str(resource))
    else:
        text = path.read_text(encoding="utf-8")
        where = path
    rows = []
    reader = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    for number, row in enumerate(reader, start=2):
        try:
            kind = AuthorityKind(row["kind"])
        except (KeyError, ValueError):
            raise SourceError(where, f"type inconnu {row.get('kind')!r}", line=number) from None
        url = (row.get("url") or "").strip() or None
        same_as = (row.get("same_as") or "").strip() or None
        reason = (row.get("reason") or "").strip()
        if not (url or same_as) or not reason:
            raise SourceError(
                where, "chaque ligne donne une URL ou un alias, et une raison", number
            )
        rows.append(Override(kind, row["code"].strip(), url, same_as, reason))
    return rows


class CouncilMapper:
    """Scores the candidate sites of each région and département and keeps the best."""

    def __init__(
        self,
        regions: list[RegionRow],
        departements: list[DepartementRow],
        report: BuildReport,
    ) -> None:
        self.report = report
        self.names: dict[tuple[AuthorityKind, str], str] = {}
        self.seats: dict[tuple[str, str], tuple[AuthorityKind, str]] = {}
        for r in regions:
            self.names[(AuthorityKind.REGION, r.code)] = r.name
            self.seats[("cr", r.seat)] = (AuthorityKind.REGION, r.code)
        for d in departements:
            self.names[(AuthorityKind.DEPARTEMENT, d.code)] = d.name
            self.seats[("cg", d.seat)] = (AuthorityKind.DEPARTEMENT, d.code)
        self.by_name = {(k, _slug(n)): (k, c) for (k, c), n in self.names.items()}
        self._by_head: dict[str, list[tuple[AuthorityKind, str]]] = {}
        for key, name in self.names.items():
            self._by_head.setdefault(_slug(name)[:4], []).append(key)
        self.candidates: dict[tuple[AuthorityKind, str], dict[str, Candidate]] = {
            key: {} for key in self.names
        }

    def _add(
        self, key: tuple[AuthorityKind, str], url: str, source: str, by_name: bool = False
    ) -> None:
        site = normalize_url(url)
        if site is None:
            return
        # Compare on the registrable domain so that www/https variants meet.
        domain = registrable_domain(host_of(site))
        cand = self.candidates[key].setdefault(domain, Candidate(url=site, domain=domain))
        cand.sources.add(source)
        cand.by_name = cand.by_name or by_name
        if source == ANNUAIRE_2019:
            cand.url = site  # the annuaire gives the full address, keep it

    def add_annuaire_2019(self, records: Iterable[Annuaire2019Record]) -> None:
        stat = self.report.join("sites des conseils (annuaire 2019)", ANNUAIRE_2019)
        pivots = {"cr": AuthorityKind.REGION, "cg": AuthorityKind.DEPARTEMENT}
        for rec in records:
            if rec.pivot not in pivots:
                continue
            stat.records += 1
            kind = pivots[rec.pivot]
            label = rec.name.split(" - ", 1)[-1]
            key = self.by_name.get((kind, _slug(label)))
            rule = "nom"
            if key is None:
                key = self.seats.get((rec.pivot, rec.seat_code))
                rule = "chef-lieu"
            if key is None:
                self.report.add(ANNUAIRE_2019, rec.line, "unmatched", f"{rec.name} : aucun conseil")
                continue
            stat.matched += 1
            stat.by_rule[rule] += 1
            if rec.website:
                self._add(key, rec.website, ANNUAIRE_2019)

    def add_domains(self, hosts: Iterable[str], source: str, kinds: set[AuthorityKind]) -> None:
        """Add the hosts whose label designates a council, and confirm known candidates."""
        hosts = set(hosts)
        domains = {registrable_domain(h) for h in hosts}
        for cands in self.candidates.values():
            for cand in cands.values():
                if cand.domain in domains:
                    cand.sources.add(source)
        for host in sorted(hosts):
            bare = host.removeprefix("www.")
            domain = registrable_domain(bare)
            label, _, suffix = domain.partition(".")
            if "." in suffix:
                continue  # gouv.fr, cci.fr…: State services and chambers, not councils
            prefix = bare[: -len(domain)].rstrip(".")
            if prefix in ("la", "le", "les"):
                label = prefix + label  # la.charente-maritime.fr
            elif prefix:
                continue  # a sub-site (bibliotheque.cg64.fr), not the council's home
            compact = label.replace("-", "")
            # Cheap pre-filter: only councils whose name slug starts like one of the cores.
            heads = {core[:4] for core in _cores(compact, None)}
            number = _NUMBER_ONLY.match(compact)
            for key in {k for h in heads for k in self._by_head.get(h, ())} | (
                {(AuthorityKind.DEPARTEMENT, number.group(2).upper())} if number else set()
            ):
                if key not in self.names or key[0] not in kinds:
                    continue
                how = label_match(label, self.names[key], key[1], key[0])
                if how:
                    self._add(key, f"https://{bare}", source, by_name=how == "name")

    def resolve(self, overrides: list[Override]) -> dict[tuple[AuthorityKind, str], CouncilSite]:
        chosen: dict[tuple[AuthorityKind, str], CouncilSite] = {}
        for key, cands in sorted(self.candidates.items()):
            if not cands:
                continue
            ranked = sorted(cands.values(), key=lambda c: (-c.score, c.url))
            best = ranked[0]
            note = ""
            if len(ranked) > 1 and ranked[1].score == best.score:
                tied = ", ".join(c.url for c in ranked if c.score == best.score)
                note = f"égalité entre {tied} ; retenu le premier par ordre alphabétique"
                self.report.add("conseils", None, "ambiguous_site", f"{key[0]} {key[1]} : {note}")
            chosen[key] = CouncilSite(key[0], key[1], best.url, tuple(sorted(best.sources)), note)
        # Curated rows last: an explicit URL first, then aliases to another collectivité.
        # Rows about other collectivités (communes, EPCI, those of the table of statutes)
        # are applied once these exist (see build).
        overrides = [ov for ov in overrides if (ov.kind, ov.code) in self.names]
        for ov in overrides:
            key = (ov.kind, ov.code)
            if ov.url:
                url = normalize_url(ov.url) or ov.url
                chosen[key] = CouncilSite(ov.kind, ov.code, url, (OVERRIDE_SOURCE,), ov.reason)
        for ov in overrides:
            if ov.same_as:
                kind_text, _, code = ov.same_as.partition(":")
                target = chosen.get((AuthorityKind(kind_text), code))
                if target is None:
                    raise SourceError(OVERRIDES, f"alias {ov.same_as} sans site connu")
                chosen[(ov.kind, ov.code)] = CouncilSite(
                    ov.kind,
                    ov.code,
                    target.url,
                    tuple(sorted({*target.sources, OVERRIDE_SOURCE})),
                    ov.reason,
                )
        return chosen
