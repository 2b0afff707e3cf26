"""National figures (``barometre stats``): the statistics on hand-made inputs, the
aggregate queries on a hand-made edition (SQLite and PostgreSQL), the bundled budgets
against the raw OFGL file, and the command on the sample-web edition and on the
national registry-level edition, checked against figures computed another way."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from sqlalchemy import Engine
from typer.testing import CliRunner

from barometre.audit import audit_edition
from barometre.cli import stats_cmd
from barometre.cli.context import AppContext, import_embedded
from barometre.errors import ConfigurationError, SourceError, SourceMissingError, StorageError
from barometre.methodology import bundled
from barometre.models import (
    AccountState,
    Authority,
    AuthorityKind,
    CheckResult,
    Finding,
    SocialMetric,
    SocialProfile,
    SocialSource,
    Status,
    Website,
)
from barometre.pipeline.national import write_stats_csv
from barometre.scoring import stats
from barometre.scoring.budget import (
    NOT_COMPARABLE,
    BudgetRow,
    build_budget,
    bundled_location,
    per_inhabitant,
    read_budget,
    render_budget,
)
from barometre.scoring.engine import peer_group
from barometre.scoring.run import score_edition
from barometre.scoring.stats import (
    Figure,
    StatusFigure,
    average_ranks,
    correlation,
    distribution,
    fisher_interval,
    pearson,
    population_thresholds,
    quartiles,
    spearman,
)
from barometre.storage import audit_repo, capture_repo, registry_repo, score_repo, social_repo
from barometre.storage.db import open_database, upgrade
from barometre.storage.score_repo import ScoreRow
from barometre.storage.stats_repo import TopCommune

RAW_BUDGET = (
    Path(__file__).resolve().parents[2]
    / "shared/data/raw/ofgl-via-gunout/regions_finances_2023_2025.csv"
)
runner = CliRunner()
GRID = bundled()
L1, L10, P2, P4, T7 = (
    "conformite.accessibilite_mention",
    "conformite.donnees_ouvertes",
    "presence.annuaire",
    "presence.reseaux_sociaux",
    "technique.mobile",
)


# --- statistics on hand-made inputs ---------------------------------------------------


def test_quartiles_by_hand_and_like_the_standard_library() -> None:
    assert quartiles([1, 2, 3, 4]) == (1.75, 2.5, 3.25)
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)
    assert quartiles([]) is None
    assert quartiles([10, 0, 5]) == (2.5, 5.0, 7.5)  # order of the input does not matter
    rng = random.Random(4)
    for n in (2, 3, 10, 101):
        values = [rng.uniform(0, 100) for _ in range(n)]
        expected = statistics.quantiles(values, n=4, method="inclusive")
        assert quartiles(values) == pytest.approx(tuple(expected))


def test_average_ranks_share_ties() -> None:
    assert average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert average_ranks([3, 1, 2]) == [3, 1, 2]
    assert average_ranks([5, 5, 5]) == [2, 2, 2]


def test_spearman_hand_values() -> None:
    # no ties: 1 − 6 Σd² / (n (n² − 1)), d = (−1, 1, −1, 1, 0): 1 − 24/120
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    # ties: ranks (1, 2, 3, 4) and (1.5, 1.5, 3.5, 3.5): r = 4 / √(5 × 4)
    assert spearman([1, 2, 3, 4], [1, 1, 2, 2]) == pytest.approx(2 / math.sqrt(5))
    assert spearman([1, 2, 3, 4], [10, 20, 30, 400]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [5, 5, 5]) is None  # constant: undefined
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.floats(-1e3, 1e3, allow_nan=False)),
        min_size=3,
        max_size=40,
    )
)
def test_spearman_matches_scipy(pairs: list[tuple[int, float]]) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    x = [float(a) for a, _ in pairs]
    y = [b for _, b in pairs]
    ours = spearman(x, y)
    if len(set(x)) < 2 or len(set(y)) < 2:
        assert ours is None
        return
    expected = scipy_stats.spearmanr(x, y).statistic
    assert ours == pytest.approx(float(expected), abs=1e-9)


def test_fisher_interval_hand_value_and_behaviour() -> None:
    # ρ = 0.5, n = 28: se = √((1 + 0.125) / 25) = 0.212132, atanh 0.5 = ½ ln 3 = 0.549306,
    # tanh(0.549306 ∓ 1.959964 × 0.212132) = 0.13275, 0.74653
    low, high = fisher_interval(0.5, 28)  # type: ignore[misc]
    assert low == pytest.approx(0.13275, abs=1e-4) and high == pytest.approx(0.74653, abs=1e-4)
    assert fisher_interval(0.5, 3) is None
    assert fisher_interval(1.0, 10) == (1.0, 1.0)
    widths = []
    for n in (5, 10, 50, 500, 5000):
        low, high = fisher_interval(0.3, n)  # type: ignore[misc]
        assert low < 0.3 < high
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True) and widths[-1] < 0.06
    # the interval leans towards 0 (the transform is not linear)
    low, high = fisher_interval(0.8, 20)  # type: ignore[misc]
    assert 0.8 - low > high - 0.8


def test_correlation_records_n_and_says_why_it_cannot_be_computed() -> None:
    few = correlation("region", "x", "s", [(1, 2), (2, 3), (3, 1)], 18)
    assert few.rho is None and few.reason == "n < 4" and few.n == 3 and few.eligible == 18
    flat = correlation("commune", "x", "s", [(1, 5), (2, 5), (3, 5), (4, 5)], 4)
    assert flat.rho is None and flat.reason == "valeurs toutes égales"
    ok = correlation("commune", "x", "s", [(1, 2), (2, 1), (3, 4), (4, 3), (5, 5)], 10)
    assert ok.rho == pytest.approx(0.8) and ok.low is not None and ok.high is not None
    assert ok.low < 0.8 < ok.high and ok.coverage == 0.5


def test_figure_share_and_coverage() -> None:
    figure = Figure("presence", "commune", "Facebook", 3, 12, 40, 12, "s")
    assert figure.share == 0.25 and figure.coverage == 0.3
    nobody = Figure("presence", "region", "Facebook", 0, 0, 18, 0, "s")
    assert nobody.share is None and nobody.coverage == 0.0  # "non mesuré", never 0 %
    status = StatusFigure("conformite", "commune", L1, "L1", "n", "b", 2, 1, 1, 4)
    assert (status.measured, status.eligible, status.coverage) == (4, 8, 0.5)
    assert status.share("pass") == 0.5 and status.share("fail") == 0.25
    assert [f.numerator for f in status.figures()] == [2, 1, 1]
    assert {f.denominator for f in status.figures()} == {4}


def test_distribution_of_a_group() -> None:
    d = distribution(
        "commune:3",
        [(10.0, 0.9, "E"), (30.0, 0.8, "C"), (None, 0.0, None), (20.0, 0.2, None), (40, 0.9, "A")],
    )
    assert (d.count, d.scored, d.graded) == (5, 4, 3)
    assert (d.minimum, d.q1, d.median, d.q3, d.maximum, d.mean) == (10, 17.5, 25, 32.5, 40, 25)
    assert dict(d.grades) == {"A": 1, "B": 0, "C": 1, "D": 0, "E": 1}
    assert d.median_coverage == 0.8
    empty = distribution("region", [(None, 0.0, None)])
    assert empty.median is None and empty.scored == 0 and empty.count == 1


def _criterion(criterion_id: str):  # type: ignore[no-untyped-def]
    return GRID.ids[criterion_id]


def test_status_figures_complete_missing_results_like_the_scoring() -> None:
    criteria = [_criterion(L1), _criterion(L10), _criterion("services.urbanisme_en_ligne")]
    thresholds = population_thresholds(criteria)
    assert thresholds == (3500,)
    small, large = stats.bucket_of(800, thresholds), stats.bucket_of(5000, thresholds)
    groups = [
        ("commune", small, True, 10),
        ("commune", large, True, 5),
        ("commune", small, False, 3),  # no site: nothing applies, nothing stored
        ("region", large, True, 2),
    ]
    stored = [
        ("commune", small, True, L1, "pass", 4),
        ("commune", small, True, L1, "not_measurable", 1),
        ("commune", large, True, L1, "fail", 2),
        ("commune", large, True, L1, "not_applicable", 1),  # decided by the check itself
        ("commune", large, True, L10, "pass", 1),
    ]
    figures = {
        (f.group, f.criterion): f
        for f in stats.status_figures("conformite", criteria, thresholds, groups, stored)
    }
    l1 = figures[("commune", L1)]
    # 15 communes with a site, one decided not applicable: 14 eligible, 6 measured, 1
    # stored not measurable, 7 without any result (10 − 5 small, 5 − 3 large: a site
    # the edition did not capture)
    assert (l1.passed, l1.failed, l1.not_measurable, l1.eligible) == (4, 2, 8, 14)
    l10 = figures[("commune", L10)]
    assert (l10.passed, l10.not_measurable, l10.eligible) == (1, 4, 5)  # < 3 500: N/A
    assert figures[("region", L1)].not_measurable == 2
    assert ("region", "services.urbanisme_en_ligne") not in figures  # communes and EPCI only
    assert figures[("commune", "services.urbanisme_en_ligne")].eligible == 15


@given(st.one_of(st.none(), st.integers(0, 3_000_000)), st.sampled_from(list(AuthorityKind)))
def test_population_buckets_keep_applicability(population: int | None, kind: AuthorityKind) -> None:
    thresholds = population_thresholds(GRID.criteria)
    probe = stats.representative(stats.bucket_of(population, thresholds), thresholds)
    for criterion in GRID.criteria:
        here = Authority(kind, "x", "x", population=population)
        there = Authority(kind, "x", "x", population=probe)
        assert criterion.applicability(here)[0] == criterion.applicability(there)[0]


def test_presence_and_top_commune_figures_from_counts() -> None:
    figures = stats.presence_figures(
        {"region": 18, "commune": 100},
        {"region": 0, "commune": 40},
        {("commune", "facebook"): 30, ("commune", "mastodon"): 2},
        {"commune": 31},
    )
    by = {(f.group, f.label): f for f in figures}
    assert by[("commune", "Facebook")].share == 0.75 and by[("commune", "Facebook")].coverage == 0.4
    assert by[("commune", "Au moins un réseau")].numerator == 31
    assert by[("region", "Facebook")].share is None and by[("region", "Facebook")].eligible == 18
    assert len(figures) == 2 * 13
    top = stats.top_commune_figures(
        [
            TopCommune("commune:1", 900_000, {P4: "pass", T7: "pass"}, 2),
            TopCommune("commune:2", 500_000, {P4: "fail", T7: "partial"}, 0),
            TopCommune("commune:3", 400_000, {P4: "not_measurable", T7: "not_measurable"}, 0),
            TopCommune("commune:4", 300_000, {T7: "pass"}, 0),
        ]
    )
    app, mobile, either = top
    assert (app.numerator, app.denominator, app.eligible) == (1, 2, 4)
    assert (mobile.numerator, mobile.denominator) == (2, 3)
    assert (either.numerator, either.denominator) == (2, 3)
    assert "4 communes" in app.note


# --- budgets ---------------------------------------------------------------------------


def _regions() -> dict[str, str]:
    """INSEE's 18 régions (areas of the map): the budget rows are per area, Corse's
    being the Collectivité de Corse's."""
    from barometre.publish.geo import geo_names

    return geo_names("region")


def test_bundled_budget_is_what_the_raw_file_gives() -> None:
    if not RAW_BUDGET.is_file():
        pytest.skip(f"raw OFGL file not found at {RAW_BUDGET}")
    build = build_budget(RAW_BUDGET, _regions())
    assert build.unmatched == [] and build.by_name == []
    assert build.missing == ["01", "02", "03", "04", "06"]  # outre-mer: not in the source
    assert render_budget(build.rows) == bundled_location().read_bytes()
    assert read_budget() == build.rows
    # one figure recomputed from the raw row, by hand
    with RAW_BUDGET.open(encoding="utf-8") as handle:
        raw = next(
            r for r in csv.DictReader(handle) if r["reg_code"] == "11" and r["annee"] == "2025"
        )
    row = next(r for r in build.rows if r.region == "11" and r.year == 2025)
    expected = Decimal(raw["depenses_totales"]) / Decimal(raw["population"])
    assert abs(row.per_inhabitant - expected) < Decimal("0.005")
    assert len(build.rows) == 39 and {r.year for r in build.rows} == {2023, 2024, 2025}


def test_budget_matching_reports_what_it_cannot_use(tmp_path: Path) -> None:
    raw = tmp_path / "finances.csv"
    raw.write_text(
        "reg_code,nom,annee,population,depenses_totales\n"
        "11,Île-de-France,2025,1000,500000.5\n"
        "99,Bretagne,2025,400,200000\n"  # unknown code, known name: matched by name
        "98,Atlantide,2025,10,10\n"  # neither
        "24,Normandie,2025,10,10\n"  # code of another région
        "11,Ile de France,2025,1000,1\n",  # same région and year again
        encoding="utf-8",
    )
    regions = {"11": "Île-de-France", "24": "Centre-Val de Loire", "53": "Bretagne"}
    build = build_budget(raw, regions)
    assert [(r.region, r.per_inhabitant) for r in build.rows] == [
        ("11", Decimal("500.00")),
        ("53", Decimal("500.00")),
    ]
    assert build.by_name == [(3, "99", "53")]
    assert [line for line, _ in build.unmatched] == [4, 5, 6]
    assert "Atlantide" in build.unmatched[0][1] and "Centre-Val de Loire" in build.unmatched[1][1]
    assert build.missing == ["24"]
    raw.write_text("reg_code,nom,annee,population,depenses_totales\n11,X,2025,abc,1\n")
    with pytest.raises(SourceError) as error:
        build_budget(raw, {"11": "X"})
    assert "finances.csv:2" in str(error.value) and "population" in str(error.value)
    raw.write_text("reg_code,nom\n11,X\n")
    with pytest.raises(SourceError, match="colonnes manquantes"):
        build_budget(raw, {"11": "X"})
    with pytest.raises(SourceMissingError):
        build_budget(tmp_path / "absent.csv", regions)


def test_budget_year_and_comparability() -> None:
    rows = [
        BudgetRow(code, "n", year, 100, Decimal(100 * v), Decimal(v))
        for code, year, v in (("11", 2023, 1), ("11", 2025, 3), ("94", 2025, 40), ("24", 2024, 2))
    ]
    assert per_inhabitant(rows, 2026) == ({"11": 3.0}, 2025)
    assert per_inhabitant(rows, 2024) == ({"24": 2.0}, 2024)
    assert per_inhabitant(rows, None) == ({"11": 3.0}, 2025)
    assert per_inhabitant(rows, 2000) == ({"11": 1.0}, 2023)  # earliest when none is as early
    assert "94" in NOT_COMPARABLE


# --- the aggregate queries on a hand-made edition ----------------------------------------

EDITION = "2026-11"
NOW = datetime(2026, 11, 5, 12, tzinfo=UTC)


def _site(code: str) -> tuple[Website, ...]:
    return (Website(f"https://{code}.test/", f"{code}.test", "test", True),)


HAND = [
    Authority(
        AuthorityKind.REGION, "11", "Île-de-France", population=12_000_000, websites=_site("r11")
    ),
    Authority(
        AuthorityKind.REGION,
        "24",
        "Centre-Val de Loire",
        population=2_500_000,
        websites=_site("r24"),
    ),
    Authority(AuthorityKind.DEPARTEMENT, "40", "Landes", population=400_000, websites=_site("d40")),
    Authority(AuthorityKind.COMMUNE, "00001", "A1", population=100_000, websites=_site("a1")),
    Authority(AuthorityKind.COMMUNE, "00002", "A2", population=150_000, websites=_site("a2")),
    Authority(AuthorityKind.COMMUNE, "00003", "A3", population=2_000, websites=_site("a3")),
    Authority(AuthorityKind.COMMUNE, "00004", "A4", population=800),
    Authority(AuthorityKind.COMMUNE, "00005", "A5", population=4_000, websites=_site("a5")),
    Authority(
        AuthorityKind.EPCI,
        "200000001",
        "CC",
        population=20_000,
        epci_type="CC",
        websites=_site("cc"),
    ),
]


def _result(aid: str, check_id: str, status: str, value: float | None = None) -> CheckResult:
    if value is None and status in ("pass", "partial", "fail"):
        value = {"pass": 1.0, "partial": 0.5, "fail": 0.0}[status]
    return CheckResult(aid, check_id, "1", Status(status), value)


def _profile(platform: str, account: str, state: AccountState) -> SocialProfile:
    return SocialProfile(
        platform,
        account,
        account,
        f"https://{platform}.test/{account}",
        state,
        NOW,
        SocialSource.API,
    )


def _metric(
    platform: str, account: str, name: str, value: float, sample: int | None = None
) -> SocialMetric:
    return SocialMetric(platform, account, name, value, SocialSource.API, sample)


def fill(engine: Engine) -> None:
    registry_repo.replace_registry(engine, HAND, "test", {})
    capture_repo.ensure_edition(engine, EDITION, "Édition de test")
    results: dict[str, list[CheckResult]] = {
        a.id: [_result(a.id, P2, "pass" if a.websites else "fail")] for a in HAND
    }
    results["region:11"].append(_result("region:11", P4, "pass"))
    results["region:24"].append(_result("region:24", P4, "pass"))
    results["commune:00001"] += [
        _result("commune:00001", P4, "pass"),
        _result("commune:00001", T7, "pass"),
        _result("commune:00001", L1, "pass"),
        _result("commune:00001", L10, "partial"),
    ]
    results["commune:00002"] += [
        _result("commune:00002", P4, "fail"),
        _result("commune:00002", T7, "partial"),
        _result("commune:00002", L1, "fail"),
        _result("commune:00002", L10, "fail"),
    ]
    results["commune:00005"] += [
        _result("commune:00005", check, "not_measurable") for check in (P4, T7, L1)
    ]
    found = {
        "region:11": [Finding("social", "mastodon", "https://m.test/@r11")],
        "commune:00001": [
            Finding("social", "facebook", "https://facebook.test/a1"),
            Finding("social", "x", "https://x.test/a1"),
            Finding("social", "pixelfed", "https://p.test/a1"),  # not one of the 12
            Finding("app", "panneaupocket", "https://app.test/a1"),
        ],
        # « comptes liés » (other organisations' accounts linked from the site): never
        # counted in presence figures
        "region:24": [Finding("social_linked", "facebook", "https://facebook.test/crt24")],
        "commune:00002": [Finding("social_linked", "x", "https://x.test/prefecture")],
    }
    for aid, items in results.items():
        audit_repo.store_audit(engine, EDITION, aid, items, found.get(aid, []))
    social_repo.store_account(
        engine,
        EDITION,
        "region:11",
        _profile("mastodon", "r11", AccountState.OK),
        metrics=[
            _metric("mastodon", "r11", "republication_share", 0.0, 5),
            _metric("mastodon", "r11", "pure_republication_share", 0.0, 5),
        ],
    )
    social_repo.store_account(
        engine,
        EDITION,
        "commune:00001",
        _profile("facebook", "a1", AccountState.CLOSED),
        metrics=[_metric("facebook", "a1", "sponsored_ads", 3.0)],
    )
    social_repo.store_account(
        engine, EDITION, "commune:00001", _profile("x", "a1x", AccountState.CLOSED)
    )
    social_repo.store_account(
        engine,
        EDITION,
        "commune:00005",
        _profile("mastodon", "a5", AccountState.OK),
        metrics=[
            _metric("mastodon", "a5", "republication_share", 0.5, 10),
            _metric("mastodon", "a5", "pure_republication_share", 0.2, 10),
        ],
    )
    values = {
        "commune:00001": 80.0,
        "commune:00002": 60.0,
        "commune:00003": 40.0,
        "commune:00004": 0.0,
        "region:11": 70.0,
        "region:24": 50.0,
    }
    score_repo.replace_scores(
        engine,
        EDITION,
        [
            ScoreRow(
                a.id,
                "global",
                values.get(a.id),
                0.9 if a.id in values else 0.0,
                "A" if values.get(a.id, 0) >= 70 else None,
                peer_group(a),
            )
            for a in HAND
        ],
    )


@pytest.fixture
def hand_engine(any_engine: Engine) -> Engine:
    """The hand-made edition, on SQLite and on PostgreSQL (``any_engine``)."""
    upgrade(any_engine)
    fill(any_engine)
    return any_engine


def _figures(report: stats.NationalStats) -> dict[tuple[str, str, str], Figure]:
    return {(f.section, f.group, f.label): f for f in report.figures}


def _counts(f: Figure) -> tuple[int, int, int, int]:
    return f.numerator, f.denominator, f.measured, f.eligible


def test_edition_figures_on_a_hand_made_edition(hand_engine: Engine) -> None:
    report = stats.edition_stats(hand_engine, EDITION, GRID, read_budget())
    by = _figures(report)
    assert _counts(by[("registre", "commune", "Site officiel déclaré")]) == (4, 5, 5, 5)
    # accounts: régions measured by P4 (2), communes by P4 (A1, A2) or a profile (A5)
    assert _counts(by[("presence", "region", "Mastodon")]) == (1, 2, 2, 2)
    assert _counts(by[("presence", "region", "Facebook")]) == (0, 2, 2, 2)
    assert _counts(by[("presence", "commune", "Facebook")]) == (1, 3, 3, 5)
    assert _counts(by[("presence", "commune", "Mastodon")]) == (1, 3, 3, 5)
    assert _counts(by[("presence", "commune", "Au moins un réseau")]) == (2, 3, 3, 5)
    assert by[("presence", "departement", "Facebook")].share is None  # nobody measured
    top = "grandes_communes"
    assert _counts(by[(top, "commune", "Application mobile")]) == (1, 2, 2, 5)
    assert _counts(by[(top, "commune", "Site compatible mobile (T7 réussi)")]) == (1, 2, 2, 5)
    assert _counts(by[(top, "commune", "Application ou site mobile")]) == (1, 2, 2, 5)
    practice = "pratiques"
    assert _counts(by[(practice, "commune", "Republient leur site (au moins un compte)")]) == (
        1,
        1,
        1,
        2,
    )
    assert _counts(by[(practice, "region", "Republient leur site (au moins un compte)")]) == (
        0,
        1,
        1,
        1,
    )
    relay = "Publications qui ne font que relayer le site"
    assert _counts(by[(practice, "commune", relay)]) == (2, 10, 1, 1)
    assert _counts(by[(practice, stats.ALL, relay)]) == (2, 15, 2, 2)
    assert _counts(by[(practice, "commune", "Sponsorisent des publications")]) == (1, 1, 1, 1)
    assert _counts(
        by[(practice, "plateforme:facebook", "Comptes dont les publicités ont pu être lues")]
    ) == (1, 1, 1, 1)
    assert _counts(by[(practice, "plateforme:mastodon", "Comptes lus par la couche sociale")]) == (
        2,
        2,
        2,
        2,
    )
    statuses = {(s.section, s.group, s.code): s for s in report.statuses}
    l1 = statuses[("conformite", "commune", "L1")]
    assert (l1.passed, l1.partial, l1.failed, l1.not_measurable) == (1, 0, 1, 2)  # A5, A3
    l10 = statuses[("conformite", "commune", "L10")]
    assert (l10.partial, l10.failed, l10.not_measurable) == (1, 1, 1)  # A3 < 3 500: N/A
    assert statuses[("conformite", "region", "L1")].not_measurable == 2
    assert ("conformite", "region", "S2") not in statuses
    p2 = statuses[("registre", "commune", "P2")]
    assert (p2.passed, p2.failed, p2.eligible) == (4, 1, 5)  # the site-less commune counts
    groups = {d.group: d for d in report.distributions}
    big = groups["commune:7"]  # A1 and A2
    assert (big.count, big.q1, big.median, big.q3, big.mean) == (2, 65, 70, 75, 70)
    assert dict(big.grades)["A"] == 1
    assert groups["commune:4"].scored == 0  # A5: no score
    correlations = {(c.group, c.label[:30]): c for c in report.correlations}
    communes = correlations[("commune", "Score global et population")]
    # scores 80, 60, 40, 0 ; populations 100 000, 150 000, 2 000, 800: Σd² = 2 → 1 − 12/60
    assert communes.n == 4 and communes.eligible == 5 and communes.rho == pytest.approx(0.8)
    budget = next(c for c in report.correlations if "dépenses" in c.label)
    assert budget.n == 2 and budget.reason == "n < 4"


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_figures(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    sqlite = open_database(f"sqlite:///{tmp_path / 'same.sqlite3'}")
    fill(sqlite)
    postgres = request.getfixturevalue("postgres_engine")
    upgrade(postgres)
    fill(postgres)
    ours = [stats.edition_stats(e, EDITION, GRID, read_budget()) for e in (sqlite, postgres)]
    assert asdict(ours[0]) == asdict(ours[1])
    sqlite.dispose()


def test_clear_errors(hand_engine: Engine) -> None:
    capture_repo.ensure_edition(hand_engine, "2026-10", "Vide")
    with pytest.raises(ConfigurationError, match="Aucun résultat dans l'édition 2026-10"):
        stats.edition_stats(hand_engine, "2026-10", GRID)
    with pytest.raises(StorageError, match="inconnue"):
        stats.edition_stats(hand_engine, "2030-01", GRID)


def test_csv_cells_are_neutralised() -> None:
    report = stats.NationalStats("2026-11", "x", False, "2026.1")
    report.statuses.append(
        StatusFigure("conformite", "commune", "x.y", "=1+1", "@SUM(A1)", "b", 1, 0, 0, 0)
    )
    buffer = io.StringIO()
    write_stats_csv(buffer, report)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert rows and all(r["indicateur"].startswith("'=1+1 ") for r in rows)


# --- the command on the sample web and on the national registry-level edition -------------


def _app() -> typer.Typer:
    """``barometre`` itself once ``stats`` is registered there, else the same command
    mounted the same way."""
    from barometre.cli.app import app as main

    if any(c.name == "stats" for c in main.registered_commands):
        return main
    local = typer.Typer(pretty_exceptions_enable=False)

    @local.callback()
    def _root(ctx: typer.Context, database_url: str = typer.Option(None, "--database-url")) -> None:
        ctx.obj = AppContext(database_url=database_url)

    local.command("stats")(stats_cmd.stats)
    return local


def _stats(url: str, edition: str, *options: str) -> Any:
    result = runner.invoke(
        _app(),
        ["--database-url", url, "stats", "-e", edition, *options],
        env={"COLUMNS": "160"},
        catch_exceptions=True,
    )
    return result


def _json(url: str, edition: str) -> dict[str, Any]:
    result = _stats(url, edition, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _figure(data: dict[str, Any], section: str, group: str, label: str) -> dict[str, Any]:
    return next(
        f
        for f in data["chiffres"]
        if (f["section"], f["groupe"], f["indicateur"]) == (section, group, label)
    )


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from demo_edition import build_demo_edition

    root = tmp_path_factory.mktemp("stats-demo")
    build_demo_edition(root, root / "b.sqlite3").dispose()
    yield f"sqlite:///{root / 'b.sqlite3'}"


def test_stats_on_the_sample_web_edition(demo_url: str) -> None:
    data = _json(demo_url, "demo")
    assert data["demonstration"] is True
    # the sample web's région is on Mastodon: 1 / 1
    mastodon = _figure(data, "presence", "region", "Mastodon")
    assert (mastodon["numerateur"], mastodon["denominateur"], mastodon["part"]) == (1, 1, 1.0)
    # presence recomputed another way: findings and accounts of each collectivité
    engine = open_database(demo_url)
    kinds = {a.id: a.kind.value for a in registry_repo.load_authorities(engine)}
    measured = {
        r.authority_id
        for r, _ in audit_repo.load_results(engine, "demo", check_id=P4)
        if r.status.value in ("pass", "partial", "fail")
    }
    accounts = social_repo.load_accounts(engine, "demo", with_posts=False)
    measured |= set(accounts)
    on: Counter[tuple[str, str]] = Counter()
    for aid in kinds:
        platforms = {
            f.name for f in audit_repo.load_findings(engine, "demo", aid) if f.category == "social"
        }
        platforms |= {a.profile.platform for a in accounts.get(aid, [])}
        for platform in platforms & set(stats.PLATFORMS):
            on[(kinds[aid], platform)] += 1
    communes = [aid for aid, kind in kinds.items() if kind == "commune"]
    facebook = _figure(data, "presence", "commune", "Facebook")
    assert facebook["numerateur"] == on[("commune", "facebook")] > 0
    assert facebook["denominateur"] == len(measured & set(communes))
    assert facebook["eligibles"] == len(communes)
    # declared sites, as the registry says
    sites = _figure(data, "registre", "commune", "Site officiel déclaré")
    with_site = [
        a
        for a in registry_repo.load_authorities(engine)
        if a.kind is AuthorityKind.COMMUNE and a.website
    ]
    assert (sites["numerateur"], sites["denominateur"]) == (len(with_site), len(communes))
    # accessibility mention: the stored results of the communes
    l1 = next(s for s in data["criteres"] if (s["groupe"], s["code"]) == ("commune", "L1"))
    stored = Counter(
        r.status.value
        for r, _ in audit_repo.load_results(engine, "demo", check_id=L1)
        if kinds[r.authority_id] == "commune"
    )
    assert (l1["reussi"], l1["partiel"], l1["echec"]) == (
        stored["pass"],
        stored["partial"],
        stored["fail"],
    )
    assert l1["eligibles"] == len(with_site) and l1["mesurees"] > 0
    # sponsoring: the Meta Ad Library figures of the accounts
    ads = social_repo.metric_values(engine, "demo", "sponsored_ads")
    sponsoring = _figure(data, "pratiques", "commune", "Sponsorisent des publications")
    assert sponsoring["mesurees"] == len({a for a, *_ in ads if kinds[a] == "commune"})
    assert sponsoring["numerateur"] == len(
        {a for a, _p, _i, v in ads if v and kinds[a] == "commune"}
    )
    # score distribution and correlation, from the stored scores
    scores = score_repo.load_scores(engine, "demo", scope="global")
    groups = Counter(r.peer_group for r in scores)
    assert {d["groupe"]: d["effectif"] for d in data["distributions"]} == dict(groups)
    populations = {a.id: a.population for a in registry_repo.load_authorities(engine)}
    pairs = [
        (r.value, populations[r.authority_id])
        for r in scores
        if r.authority_id in communes and r.value is not None
    ]
    rho = next(c for c in data["correlations"] if c["groupe"] == "commune")
    scipy_stats = pytest.importorskip("scipy.stats")
    assert rho["n"] == len(pairs) >= 4
    assert rho["rho"] == pytest.approx(
        float(scipy_stats.spearmanr(*zip(*pairs, strict=True)).statistic), abs=1e-6
    )
    engine.dispose()
    table = _stats(demo_url, "demo")
    assert table.exit_code == 0, table.output
    assert "Présence sur les réseaux sociaux" in table.stdout and "démonstration" in table.stdout
    mastodon_lines = [
        line for line in table.stdout.splitlines() if line.strip().startswith("Mastodon")
    ]
    assert mastodon_lines and "1 / 1" in mastodon_lines[0] and "100,0\u202f%" in mastodon_lines[0]
    exported = _stats(demo_url, "demo", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows and all(
        r["denominateur"] != "" or r["section"] in ("scores", "correlations") for r in rows
    )


@pytest.fixture(scope="module")
def national_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("stats-national")
    url = f"sqlite:///{root / 'barometre.sqlite3'}"
    context = AppContext(database_url=url, err=Console(stderr=True, quiet=True))
    import_embedded(context)
    engine = context.engine
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    audit_edition(engine, EDITION, GRID, sites=False)
    score_edition(engine, EDITION, GRID)
    engine.dispose()
    yield url


def test_stats_on_the_national_registry_level_edition(national_url: str) -> None:
    """Every figure of the national registry-level edition (answers only: a time limit
    here failed on a loaded machine, and speed belongs in benchmarks/)."""
    data = _json(national_url, EDITION)
    engine = open_database(national_url)
    everyone = registry_repo.load_authorities(engine)
    communes = [a for a in everyone if a.kind is AuthorityKind.COMMUNE]
    sites = _figure(data, "registre", "commune", "Site officiel déclaré")
    assert sites["denominateur"] == len(communes) == 34_960
    assert sites["numerateur"] == sum(1 for a in communes if a.website)
    # no site captured: accounts are not measured, so no share (never "0 %")
    facebook = _figure(data, "presence", "region", "Facebook")
    assert facebook["part"] is None and facebook["mesurees"] == 0 and facebook["eligibles"] == 14
    l1 = next(s for s in data["criteres"] if (s["groupe"], s["code"]) == ("commune", "L1"))
    assert l1["mesurees"] == 0 and l1["eligibles"] == sites["numerateur"] and l1["couverture"] == 0
    l10 = next(s for s in data["criteres"] if (s["groupe"], s["code"]) == ("commune", "L10"))
    assert l10["eligibles"] == sum(1 for a in communes if a.website and (a.population or 0) >= 3500)
    # registry-level criteria: the stored results
    counts = {(k, c, s): n for k, c, s, n in audit_repo.status_counts(engine, EDITION)}
    p3 = next(s for s in data["criteres"] if (s["groupe"], s["code"]) == ("commune", "P3"))
    assert p3["reussi"] == counts[("commune", "presence.domaine_souverain", "pass")]
    assert p3["mesurees"] == sum(
        n
        for (k, c, s), n in counts.items()
        if (k, c) == ("commune", "presence.domaine_souverain") and s in ("pass", "partial", "fail")
    )
    # publication policy: measured from the registry alone, nobody is graded, so no
    # score is stored and there is no distribution nor correlation (issue 15: the
    # registry-only "ρ = 0,67 with population" and "Corse 29,2" are gone)
    stored = score_repo.load_scores(engine, EDITION, scope="global")
    assert len(stored) == len(everyone)
    assert all(r.value is None and r.grade is None and r.rank is None for r in stored)
    assert data["distributions"] == [] and data["correlations"] == []
    assert any("Aucune collectivité notée" in note for note in data["notes"])
    engine.dispose()
    table = _stats(national_url, EDITION)
    assert table.exit_code == 0, table.output
    line = next(
        x for x in table.stdout.splitlines() if "Site officiel déclaré" in x and "34\u202f960" in x
    )
    assert f"{sites['numerateur']:,}".replace(",", "\u202f") in line


def test_stats_refuses_bad_input_with_a_french_message(national_url: str) -> None:
    bad = _stats(national_url, "novembre")
    assert isinstance(bad.exception, ConfigurationError) and "invalide" in str(bad.exception)
    unknown = _stats(national_url, "2031-01")
    assert isinstance(unknown.exception, StorageError) and "inconnue" in str(unknown.exception)
    wrong = _stats(national_url, EDITION, "--format", "xml")
    assert wrong.exit_code == 2
