"""Counting the collectivités as they legally exist, each once, from the raw files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from barometre.errors import SourceError
from barometre.models import AuthorityKind, LegalType
from barometre.registry import collectivites
from barometre.registry.build import _in_scope
from barometre.registry.councils import OVERRIDE_SOURCE
from barometre.registry.report import BuildReport
from barometre.registry.sources import decoupage

REG, DEP, COM, EPCI = (
    AuthorityKind.REGION,
    AuthorityKind.DEPARTEMENT,
    AuthorityKind.COMMUNE,
    AuthorityKind.EPCI,
)


def _raw(raw_dir: Path, name: str) -> list[dict[str, object]]:
    data = json.loads((raw_dir / "etalab-decoupage-administratif" / name).read_text("utf-8"))
    assert isinstance(data, list)
    return data


def test_counts_follow_the_source_files_and_the_law(raw_registry, raw_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Every count is computed here from Etalab's files, then corrected by facts of law
    stated in this test (not read from the registry's own table)."""
    regions = _raw(raw_dir, "regions.json")
    departements = _raw(raw_dir, "departements.json")
    communes = _raw(raw_dir, "communes.json")
    epci = _raw(raw_dir, "epci.json")
    kinds = Counter(a.kind for a in raw_registry.authorities)

    # Régions: INSEE's 18, less the four whose région is one collectivité with its
    # département(s): Martinique (02), Guyane (03), Mayotte (06), Corse (94).
    map_regions = {r["code"] for r in regions if r["zone"] in ("metro", "drom")}
    assert len(map_regions) == 18
    assert {a.code for a in raw_registry.authorities if a.kind is REG} == map_regions - {
        "02",
        "03",
        "06",
        "94",
    }

    # Départements' group: INSEE's 101, less 2A and 2B (Corse), 67 and 68 (Alsace) and 75
    # (Paris, counted with the communes), plus the Collectivité de Corse, the Collectivité
    # européenne d'Alsace and the Métropole de Lyon; plus the zones d'outre-mer that are
    # collectivités of a département's powers and more (all but the TAAF and Clipperton,
    # which are none, and Saint-Barthélemy and Saint-Martin, counted with the communes),
    # and the three provinces of New Caledonia.
    map_deps = [d for d in departements if d["zone"] in ("metro", "drom")]
    overseas = [d for d in departements if d["zone"] == "com"]
    assert (len(map_deps), len(overseas)) == (101, 8)
    assert kinds[DEP] == 101 - 5 + 3 + (len(overseas) - 2 - 2) + 3 == 106

    # Communes: the current communes of every zone, less the rows of the TAAF (districts),
    # Wallis-et-Futuna (circonscriptions) and Clipperton, which are no communes.
    current = [c for c in communes if c["type"] == "commune-actuelle"]
    not_communes = [c for c in current if c["departement"] in ("984", "986", "989")]
    assert len(not_communes) == 9
    assert kinds[COM] == len(current) - len(not_communes) == 34_960
    on_map = sum(1 for c in current if c["zone"] in ("metro", "drom"))
    assert on_map == 34_875  # the former count: the 85 others are overseas

    # EPCI: Etalab's list less the Métropole de Lyon, a collectivité since 2015.
    assert kinds[EPCI] == len(epci) - sum(1 for e in epci if e["type"] == "MET69") == 1_254

    # Each collectivité once: no SIREN twice (Paris, Lyon, Corse were counted twice or thrice).
    sirens = Counter(a.siren for a in raw_registry.authorities if a.siren)
    assert [s for s, n in sirens.items() if n > 1] == []
    legal = Counter(a.legal for a in raw_registry.authorities)
    assert legal[LegalType.STATUT_PARTICULIER] == 3  # Corse, Paris, Lyon
    assert legal[LegalType.COLLECTIVITE_UNIQUE] == 3  # Martinique, Guyane, Mayotte
    assert legal[LegalType.OUTRE_MER] == 5 and legal[LegalType.PROVINCE] == 3


def test_no_official_site_is_shared_unless_the_sources_say_so(raw_registry) -> None:  # type: ignore[no-untyped-def]
    holders: dict[str, list[tuple[str, str]]] = {}
    for a in raw_registry.authorities:
        if a.website is not None:
            holders.setdefault(a.website.url, []).append((a.id, a.website.source))
    shared = {url: ids for url, ids in holders.items() if len(ids) > 1}
    assert shared  # communes and their EPCI that the annuaires give one portal
    for url, ids in shared.items():
        for aid, source in ids:
            # declared by a source for each of them, never by our curation alone
            assert source and source != OVERRIDE_SOURCE, (url, ids)
            assert aid.split(":")[0] in ("commune", "epci"), (url, ids)


def test_the_collectivites_with_a_special_statute(raw_registry) -> None:  # type: ignore[no-untyped-def]
    by_id = {a.id: a for a in raw_registry.authorities}
    gone = {"region:94", "departement:2A", "departement:2B", "departement:67", "departement:68"}
    gone |= {"region:02", "region:03", "region:06", "departement:75", "epci:200046977"}
    assert not gone & by_id.keys()

    def population(*codes: str) -> int:
        return sum(
            a.population or 0
            for a in raw_registry.authorities
            if a.kind is COM and a.departement in codes
        )

    corse = by_id["departement:20R"]
    assert (corse.name, corse.legal, corse.region) == (
        "Collectivité de Corse",
        LegalType.STATUT_PARTICULIER,
        "94",
    )
    assert corse.territory == ("2A", "2B") and corse.siren == "200076958"
    assert corse.website and corse.website.url == "http://www.corse.fr"
    assert corse.population == population("2A", "2B")
    alsace = by_id["departement:6AE"]
    assert alsace.territory == ("67", "68") and alsace.legal is LegalType.DEPARTEMENT
    assert alsace.website and alsace.website.url == "https://www.alsace.eu"
    assert alsace.population == population("67", "68")
    lyon, rhone = by_id["departement:69M"], by_id["departement:69"]
    assert lyon.legal is LegalType.STATUT_PARTICULIER and lyon.territory == ("69",)
    assert lyon.website and lyon.website.url == "https://www.grandlyon.com"
    members = [a for a in raw_registry.authorities if a.kind is COM and a.epci == "200046977"]
    assert len(members) == 58 and lyon.population == sum(a.population or 0 for a in members)
    assert (lyon.population or 0) + (rhone.population or 0) == population("69")
    for code, name in (("972", "Martinique"), ("973", "Guyane")):
        unique = by_id[f"departement:{code}"]
        assert unique.legal is LegalType.COLLECTIVITE_UNIQUE and name in unique.name
        assert unique.population == population(code) and unique.siren
    paris = by_id["commune:75056"]
    assert paris.legal is LegalType.STATUT_PARTICULIER and paris.departement == "75"
    assert paris.website and paris.website.url == "https://paris.fr"
    assert paris.epci == "200054781"  # still in the Métropole du Grand Paris
    # Overseas: the collectivités and their communes.
    polynesie = by_id["departement:987"]
    assert polynesie.legal is LegalType.OUTRE_MER
    pf = [a for a in raw_registry.authorities if a.kind is COM and a.departement == "987"]
    assert len(pf) == 48 and polynesie.population == sum(a.population or 0 for a in pf)
    assert sum(1 for a in raw_registry.authorities if a.departement == "988") == 33
    assert by_id["commune:97701"].legal is LegalType.OUTRE_MER  # one collectivité, no commune
    provinces = [a for a in raw_registry.authorities if a.legal is LegalType.PROVINCE]
    assert {a.siren for a in provinces} == {"200012490", "200012656", "200012979"}


def test_curated_sirens_named_after_a_bundled_list_are_in_it(raw_dir: Path) -> None:
    from barometre.registry.sources import opendata

    odf = {
        r.siren: r.name
        for r in opendata.parse(
            raw_dir / "eclaireur-public/odf_opendata_collectivites.csv", BuildReport()
        )
    }
    for statute in collectivites.load():
        if statute.siren_source and statute.siren_source.startswith("opendatafrance"):
            assert statute.siren in odf, statute.id
            assert odf[statute.siren] in statute.siren_source, statute.id


def _table(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "collectivites.csv"
    path.write_text(
        "# commentaire\n"
        + ",".join(collectivites.COLUMNS)
        + "\n"
        + "".join(r + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


GOOD = 'departement:20R,statut_particulier,Collectivité de Corse,200076958,sirene,94,2A 2B,region:94,,"Loi"'


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD.replace("statut_particulier", "duche"), "statut inconnu « duche »"),
        (GOOD.replace("departement:20R", "comte:20R"), "identifiant attendu"),
        (GOOD.replace("200076958", "20007695"), "un SIREN a 9 chiffres"),
        (GOOD.replace(',"Loi"', ',""'), "référence juridique"),
        (GOOD.replace(",,", ",partout,"), "etalab_communes"),
        (GOOD.replace("region:94", "region94"), "identifiant remplacé « region94 »"),
    ],
)
def test_a_bad_row_of_the_table_names_file_and_line(
    tmp_path: Path, row: str, expected: str
) -> None:
    path = _table(tmp_path, GOOD.replace("20R", "20S").replace("region:94", ""), row)
    with pytest.raises(SourceError) as info:
        collectivites.load(path)
    assert info.value.line == 4 and expected in info.value.detail
    assert str(path) in str(info.value)


def test_an_identifier_replaced_twice_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path, GOOD, GOOD.replace("20R", "20S"))
    with pytest.raises(SourceError, match="region:94 figure déjà ligne 3"):
        collectivites.load(path)


def test_a_new_overseas_zone_must_be_described(tmp_path: Path) -> None:
    cut = decoupage.Decoupage(
        regions=[],
        departements=[decoupage.DepartementRow("990", "Île nouvelle", "990", "99001", "com")],
        communes=[],
        epci=[],
        former=[],
    )
    with pytest.raises(SourceError, match="990 du découpage absente"):
        _in_scope(cut, collectivites.load(), BuildReport())


def test_aliases_lead_from_the_map_to_the_collectivite() -> None:
    aliases = collectivites.aliases(collectivites.load())
    assert aliases["departement:2A"] == aliases["region:94"] == "departement:20R"
    assert aliases["departement:75"] == "commune:75056"
    assert aliases["epci:200046977"] == "departement:69M"
    assert "departement:972" not in aliases  # the collectivité unique keeps this identifier
