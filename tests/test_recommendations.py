"""Recommendations (ranking arithmetic, exclusions, ties), the advice of every criterion,
and the provider view — on hand-made editions and on the demonstration edition."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from barometre.methodology import Methodology, bundled, parse
from barometre.models import (
    Authority,
    AuthorityKind,
    CheckResult,
    Evidence,
    Finding,
    Status,
    Website,
)
from barometre.pipeline.demo import DEMO_EDITION, SAMPLE_AS_OF
from barometre.scoring.recommendations import (
    NOT_EVALUATED,
    PeerShare,
    effective_weights,
    peer_shares,
    pick_labels,
    provider_view,
    recommend,
)
from barometre.scoring.run import score_edition
from barometre.storage import audit_repo, capture_repo, reco_repo, registry_repo, score_repo
from barometre.storage.db import open_database
from barometre.storage.explanation_repo import Explanation

# A small grid whose criterion weights do not add up to their dimension's weight, so
# that the normalisation is visible: alpha (60) = x 1 + y 3; beta (40) = v 1, z 2, w 2, u 1.
GRID_TOML = """
version = "test.1"
title = "Grille de test"
published = "2026-01-01"

[[dimensions]]
id = "alpha"
code = "A"
name = "Alpha"
weight = 60

[[dimensions]]
id = "beta"
code = "B"
name = "Bêta"
weight = 40

[[criteria]]
id = "alpha.x"
code = "A1"
dimension = "alpha"
name = "Critère x"
nature = "obligation"
basis = "Loi X art. 1"
advice = "Faire x (loi X art. 1)."
modes = ["S"]
weight = 1

[[criteria]]
id = "alpha.y"
code = "A2"
dimension = "alpha"
name = "Critère y"
nature = "recommandation"
basis = "Guide Y"
advice = "Faire y."
modes = ["S"]
weight = 3

[[criteria]]
id = "beta.v"
code = "B1"
dimension = "beta"
name = "Critère v"
nature = "recommandation"
basis = "Guide V"
advice = "Faire v."
modes = ["S"]
weight = 1

[[criteria]]
id = "beta.z"
code = "B2"
dimension = "beta"
name = "Critère z"
nature = "recommandation"
basis = "Guide Z"
advice = "Faire z."
modes = ["S"]
weight = 2

[[criteria]]
id = "beta.w"
code = "B3"
dimension = "beta"
name = "Critère w"
nature = "obligation"
basis = "Décret W"
advice = "Faire w (décret W)."
modes = ["S"]
weight = 2

[[criteria]]
id = "beta.u"
code = "B4"
dimension = "beta"
name = "Critère u"
nature = "recommandation"
basis = "Guide U"
advice = "Faire u."
modes = ["S"]
weight = 1
"""
GRID: Methodology = parse(GRID_TOML, "grille de test")
EDITION = "2026-11"
PASS, PARTIAL, FAIL = Status.PASS, Status.PARTIAL, Status.FAIL
NA, NM = Status.NOT_APPLICABLE, Status.NOT_MEASURABLE


def town(code: str, population: int, site: bool = True) -> Authority:
    websites = (Website(f"http://127.0.0.1/{code}/", "127.0.0.1", "test", True),) if site else ()
    return Authority(
        AuthorityKind.COMMUNE,
        code,
        f"Commune {code}",
        population=population,
        departement="99",
        websites=websites,
    )


def result(code: str, check_id: str, status: Status, value: float | None = None) -> CheckResult:
    if value is None and status is not NA and status is not NM:
        value = {PASS: 1.0, FAIL: 0.0}.get(status, 0.5)
    return CheckResult(f"commune:{code}", check_id, "1", status, value, reason=f"{check_id} {code}")


# --- the advice of the bundled grid --------------------------------------------------------


def test_every_criterion_of_the_bundled_grid_has_an_advice_citing_its_basis() -> None:
    grid = bundled()
    assert len(grid.criteria) == 45
    for criterion in grid.criteria:
        advice = criterion.advice
        assert len(advice) >= 60, criterion.code
        assert advice.endswith((".", ")")), criterion.code
        # French, and citing its reference: a numbered text (L112-8, 2004-575…) or an
        # acronym (RGPD, RCPNT, ANSSI…) of the criterion's basis appears in the advice.
        assert (
            len(re.findall(r"\b(?:le|la|les|des|du|de|et|un|une|sur|pour|dans|en)\b", advice)) >= 2
        )
        numbered = re.findall(r"[LR]?\d+(?:[.-]\d+)+|art\. \d+", criterion.basis, re.I)
        acronyms = re.findall(r"\b[A-Z][A-Za-z']*[A-Z]{2,}\b|\b[A-Z]{3,}\b", criterion.basis)
        cited = [ref for ref in numbered + acronyms if ref.lower() in advice.lower()]
        if criterion.legal or numbered or acronyms:
            assert cited, f"{criterion.code} : aucune référence de « {criterion.basis} »"


def test_effective_weights_are_each_criterion_s_share_of_the_global_score() -> None:
    weights = effective_weights(GRID)
    assert weights["alpha.x"] == pytest.approx(1 / 4 * 60 / 100)
    assert weights["alpha.y"] == pytest.approx(3 / 4 * 60 / 100)
    assert weights["beta.z"] == pytest.approx(2 / 6 * 40 / 100)
    assert weights["beta.u"] == pytest.approx(1 / 6 * 40 / 100)
    assert sum(weights.values()) == pytest.approx(1)
    assert sum(effective_weights(bundled()).values()) == pytest.approx(1)


# --- ranking on a hand-made edition --------------------------------------------------------


@pytest.fixture
def edition(tmp_path: Path) -> Engine:
    """Five communes of 500–2 000 inhabitants (T and its peers A–D) and one larger (E)."""
    engine = open_database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    people = {"99100": 1200, "99101": 900, "99102": 1500, "99103": 1800, "99104": 700}
    people["99105"] = 20_000
    registry_repo.replace_registry(
        engine, [town(code, n) for code, n in people.items()], "test", {}
    )
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    t, a, b, c, d, e = people
    rows = [
        # T: x failed, y partial, z failed, w not applicable, v not measurable, u missing.
        result(t, "alpha.x", FAIL),
        result(t, "alpha.y", PARTIAL, 0.5),
        result(t, "beta.z", FAIL),
        result(t, "beta.w", NA),
        result(t, "beta.v", NM),
        # alpha.x: A and B pass, C fails, D not measurable.
        *[result(a, "alpha.x", PASS), result(b, "alpha.x", PASS), result(c, "alpha.x", FAIL)],
        result(d, "alpha.x", NM),
        # alpha.y: A, C, D pass, B partial.
        *[result(x, "alpha.y", PASS) for x in (a, c, d)],
        result(b, "alpha.y", PARTIAL, 0.4),
        # beta.z, beta.v, beta.u: every peer passes; beta.w: A fails.
        *[result(x, check, PASS) for x in (a, b, c, d) for check in ("beta.z", "beta.v", "beta.u")],
        result(a, "beta.w", FAIL),
        *[result(x, "beta.w", PASS) for x in (b, c, d)],
        # E is not a peer of T: it passes x and y, fails z.
        *[result(e, "alpha.x", PASS), result(e, "alpha.y", PASS), result(e, "beta.z", FAIL)],
    ]
    rows[0] = CheckResult(
        "commune:99100",
        "alpha.x",
        "1",
        FAIL,
        0.0,
        reason="Page absente.",
        evidence=(Evidence(url="http://127.0.0.1/99100/mentions/", text="Erreur 404"),),
    )
    audit_repo.store_many(engine, EDITION, rows)
    score_edition(engine, EDITION, GRID)
    return engine


def test_the_ranking_follows_weight_gap_and_peer_share(edition: Engine) -> None:
    engine = edition
    target = registry_repo.load_authorities(engine, ids=["commune:99100"])[0]
    group = reco_repo.peer_group_of(engine, EDITION, target.id)
    assert group == "commune:2"
    shares = peer_shares(reco_repo.peer_status_counts(engine, EDITION, group))
    # Counted in SQL over the group, T included: alpha.x passed by A, B of A, B, C, T.
    assert shares[("commune:2", "alpha.x")] == PeerShare(2, 4)
    assert shares[("commune:2", "alpha.y")] == PeerShare(3, 5)
    assert ("commune:5", "alpha.x") not in shares  # E is in another group
    results = [r for r, _ in audit_repo.load_results(engine, EDITION, authority_id=target.id)]
    plan = recommend(target, results, GRID, group, shares)

    by_hand = {
        # weight (criterion ÷ dimension total × dimension ÷ 100) × gap × peers passing
        "alpha.y": (3 / 4 * 60 / 100) * (1 - 0.5) * (3 / 4),  # A, C, D of A, B, C, D
        "beta.z": (2 / 6 * 40 / 100) * (1 - 0) * (4 / 4),
        "alpha.x": (1 / 4 * 60 / 100) * (1 - 0) * (2 / 3),  # A, B of A, B, C (D unmeasured)
    }
    assert [r.criterion.id for r in plan.recommendations] == list(by_hand)
    for item in plan.recommendations:
        assert item.priority == pytest.approx(by_hand[item.criterion.id])
    first, second, third = plan.recommendations
    assert (first.peers.passed, first.peers.measured) == (3, 4)
    assert (third.peers.passed, third.peers.measured) == (2, 3)
    assert first.gap == pytest.approx(0.5) and first.status is PARTIAL
    # Evidence, reason, advice and the legal basis (obligations only) are carried.
    assert third.legal_basis == "Loi X art. 1" and third.advice == "Faire x (loi X art. 1)."
    assert third.evidence == (Evidence(url="http://127.0.0.1/99100/mentions/", text="Erreur 404"),)
    assert third.reason == "Page absente."
    assert first.legal_basis is None and second.legal_basis is None
    # Not applicable (w) is never recommended; not measurable (v) and never evaluated
    # (u, the collectivité has a site) are listed apart.
    assert [(t.criterion.id, t.reason) for t in plan.to_verify] == [
        ("beta.v", "beta.v 99100"),
        ("beta.u", NOT_EVALUATED),
    ]
    assert plan.not_applicable == 1 and plan.passed == 0


def test_no_peer_measured_gives_a_zero_share_with_its_denominator(edition: Engine) -> None:
    engine = edition
    large = registry_repo.load_authorities(engine, ids=["commune:99105"])[0]
    group = reco_repo.peer_group_of(engine, EDITION, large.id)
    shares = peer_shares(reco_repo.peer_status_counts(engine, EDITION))
    results = [r for r, _ in audit_repo.load_results(engine, EDITION, authority_id=large.id)]
    plan = recommend(large, results, GRID, group or "", shares)
    (only,) = plan.recommendations
    assert only.criterion.id == "beta.z" and only.peers == PeerShare(0, 0)
    assert only.priority == 0


def _plain(check_id: str, status: Status, value: float | None) -> CheckResult:
    return CheckResult("commune:99100", check_id, "1", status, value)


def test_ties_are_broken_by_obligation_weight_gap_then_grid_order() -> None:
    target = town("99100", 1200)
    shares = {("g", c.id): PeerShare(1, 2) for c in GRID.criteria}
    results = [
        _plain("beta.v", FAIL, 0.0),  # weight 1/6 × 0.4, gap 1
        _plain("beta.z", PARTIAL, 0.5),  # weight 2/6 × 0.4, gap 0.5: same priority as v
        _plain("beta.w", PARTIAL, 0.5),  # same as z, but a legal obligation
        _plain("beta.u", FAIL, 0.0),  # same as v, later in the grid
        _plain("alpha.x", PASS, 1.0),
        _plain("alpha.y", PASS, 1.0),
    ]
    priorities = {r.check_id: 0.0 for r in results}
    expected = ["beta.w", "beta.z", "beta.v", "beta.u"]
    for seed in range(6):
        shuffled = results[:]
        random.Random(seed).shuffle(shuffled)
        plan = recommend(target, shuffled, GRID, "g", shares)
        assert [r.criterion.id for r in plan.recommendations] == expected
        for r in plan.recommendations:
            priorities[r.criterion.id] = r.priority
    assert len({round(p, 12) for k, p in priorities.items() if k in expected}) == 1
    assert plan.passed == 2


def test_missing_results_of_a_collectivite_without_site_do_not_apply() -> None:
    siteless = town("99100", 1200, site=False)
    plan = recommend(siteless, [_plain("alpha.x", FAIL, 0.0)], GRID, "g", {})
    assert [r.criterion.id for r in plan.recommendations] == ["alpha.x"]
    assert plan.to_verify == () and plan.not_applicable == 5


def test_an_obligation_counted_as_a_bonus_has_no_legal_basis_here() -> None:
    grid = bundled()
    acts = grid.criterion("L8")
    for population, legal in ((800, False), (12_000, True)):
        commune = town("99100", population)
        partial = CheckResult(commune.id, acts.id, "1", PARTIAL, 0.25)
        (item,) = recommend(commune, [partial], grid, "g", {}).recommendations
        assert item.nature == "obligation"
        assert (item.legal_basis == acts.basis) is legal
        assert (item.bonus is not None) is (not legal)


def test_explanations_are_carried_and_change_nothing() -> None:
    target = town("99100", 1200)
    results = [_plain("alpha.x", FAIL, 0.0), _plain("beta.z", PARTIAL, 0.5)]
    shares = {("g", "alpha.x"): PeerShare(2, 3), ("g", "beta.z"): PeerShare(1, 3)}
    note = Explanation(
        target.id, "alpha.x", "dispute", "Page publiée.", SAMPLE_AS_OF, SAMPLE_AS_OF, None, "t"
    )
    bare = recommend(target, results, GRID, "g", shares)
    noted = recommend(target, results, GRID, "g", shares, {"alpha.x": [note]})
    assert [r.explanations for r in noted.recommendations] == [(note,), ()]
    strip = [(r.criterion.id, r.status, r.value, r.priority) for r in noted.recommendations]
    assert strip == [(r.criterion.id, r.status, r.value, r.priority) for r in bare.recommendations]


# --- the provider view on a hand-made edition -------------------------------------------------


def test_the_provider_view_counts_failures_against_the_national_rate(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    codes = [f"9910{i}" for i in range(1, 7)]
    registry_repo.replace_registry(engine, [town(c, 1000) for c in codes], "test", {})
    capture_repo.ensure_edition(engine, EDITION, f"Édition {EDITION}")
    statuses = {
        # sites:   1     2     3     4     5     6
        "alpha.x": [FAIL, FAIL, PASS, FAIL, PASS, PASS],  # national 3 / 6
        "alpha.y": [FAIL, NM, PASS, PASS, FAIL, FAIL],  # national 3 / 5
        "beta.z": [FAIL, FAIL, FAIL, PASS, PASS, PASS],  # national 3 / 6
    }
    credits: dict[str, list[Finding]] = {
        "99101": [
            Finding("cms", "alpha-cms", handle="6.1"),
            Finding("cms", "alpha-cms", handle=None),  # found twice: one site all the same
            Finding("provider", "agence-x", handle="Agence X"),
        ],
        "99102": [Finding("cms", "alpha-cms"), Finding("provider", "agence-x", handle="Agence X")],
        "99103": [Finding("cms", "alpha-cms"), Finding("provider", "agence-x", handle="agence x")],
        "99104": [Finding("cms", "beta-cms")],
    }
    for index, code in enumerate(codes):
        rows = [result(code, check, states[index]) for check, states in statuses.items()]
        audit_repo.store_audit(engine, EDITION, f"commune:{code}", rows, credits.get(code, []))
    members = reco_repo.provider_sites(engine, EDITION)
    assert sorted(members) == [
        ("cms", "alpha-cms", 3),
        ("cms", "beta-cms", 1),
        ("provider", "agence-x", 3),
    ]
    labels = pick_labels(reco_repo.provider_labels(engine, EDITION))
    assert labels == {("provider", "agence-x"): "Agence X"}  # 2 credits against 1
    profiles = provider_view(
        members,
        reco_repo.provider_status_counts(engine, EDITION, min_sites=3),
        reco_repo.national_status_counts(engine, EDITION),
        GRID,
        labels=labels,
        min_sites=3,
    )
    assert [(p.category, p.name, p.label, p.sites) for p in profiles] == [
        ("cms", "alpha-cms", "alpha-cms", 3),  # same excess as agence-x: CMS first
        ("provider", "agence-x", "Agence X", 3),
    ]
    cms = profiles[0]
    # beta.z: 3 of 3 failed against 3 of 6 nationally: 1.5 expected, 1.5 in excess;
    # alpha.x: 2 of 3 against 1.5 expected; alpha.y: 1 of 2 measured against 0.6 × 2.
    by_id = {c.criterion.id: c for c in cms.criteria}
    z, x, y = by_id["beta.z"], by_id["alpha.x"], by_id["alpha.y"]
    assert (z.failed, z.measured, z.national_failed, z.national_measured) == (3, 3, 3, 6)
    assert z.excess == pytest.approx(3 - 3 * 3 / 6)
    assert (x.failed, x.measured) == (2, 3) and x.excess == pytest.approx(2 - 3 * 3 / 6)
    assert (y.failed, y.measured, y.national_failed, y.national_measured) == (1, 2, 3, 5)
    assert y.excess == pytest.approx(1 - 2 * 3 / 5)
    assert [c.criterion.id for c in cms.concentrated()] == ["beta.z", "alpha.x"]
    assert cms.excess == pytest.approx(1.5 + 0.5)
    every = provider_view(
        members,
        reco_repo.provider_status_counts(engine, EDITION, min_sites=1),
        reco_repo.national_status_counts(engine, EDITION),
        GRID,
        min_sites=1,
    )
    beta = next(p for p in every if p.name == "beta-cms")
    assert beta.sites == 1 and beta.label == "beta-cms"
    assert [(c.criterion.id, c.failed, c.measured) for c in beta.concentrated()] == [
        ("alpha.x", 1, 1)
    ]
    engine.dispose()


# --- the demonstration edition of the sample web ------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from demo_edition import build_demo_edition

    root = tmp_path_factory.mktemp("reco-demo")
    engine = build_demo_edition(root, root / "b.sqlite3", social=False)
    yield engine
    engine.dispose()


def test_every_demo_recommendation_is_well_formed(demo: Engine) -> None:
    grid = bundled()
    groups = {
        r.authority_id: r.peer_group or ""
        for r in score_repo.load_scores(demo, DEMO_EDITION, scope="global")
    }
    # The peer shares counted in SQL match a recount of the stored results.
    recount: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for authority_id, rows in score_repo.iter_results(demo, DEMO_EDITION):
        for check_id, status, _ in rows:
            recount[(groups[authority_id], check_id)][status.value] += 1
    shares = peer_shares(reco_repo.peer_status_counts(demo, DEMO_EDITION))
    for key, seen in recount.items():
        measured = seen["pass"] + seen["partial"] + seen["fail"]
        if measured:
            assert shares[key] == PeerShare(seen["pass"], measured)
    authorities = registry_repo.load_authorities(demo, ids=list(groups))
    assert len(authorities) == len(groups) > 20
    recommended = 0
    for authority in authorities:
        results = [
            r for r, _ in audit_repo.load_results(demo, DEMO_EDITION, authority_id=authority.id)
        ]
        statuses = {r.check_id: r.status for r in results}
        plan = recommend(authority, results, grid, groups[authority.id], shares)
        priorities = [r.priority for r in plan.recommendations]
        assert priorities == sorted(priorities, reverse=True)
        for item in plan.recommendations:
            assert statuses[item.criterion.id] in (FAIL, PARTIAL)
            assert item.advice and item.advice == item.criterion.advice
            if item.criterion.legal and item.bonus is None:
                assert item.legal_basis == item.criterion.basis
            else:
                assert item.legal_basis is None
            assert 0 <= item.peers.passed <= item.peers.measured
        for check in plan.to_verify:
            assert statuses.get(check.criterion.id, NM) is NM
        listed = [r.criterion.id for r in plan.recommendations] + [
            t.criterion.id for t in plan.to_verify
        ]
        assert len(listed) == len(set(listed))
        expected = {c for c, s in statuses.items() if s in (FAIL, PARTIAL) and c in grid.ids}
        assert {r.criterion.id for r in plan.recommendations} == expected
        recommended += len(plan.recommendations)
    assert recommended > 0


def test_the_demo_provider_view_matches_a_recount(demo: Engine) -> None:
    grid = bundled()
    found = audit_repo.findings_by_authority(demo, DEMO_EDITION, ["cms", "provider"])
    sites: dict[tuple[str, str], set[str]] = defaultdict(set)
    for authority_id, items in found.items():
        for finding in items:
            sites[(finding.category, finding.name)].add(authority_id)
    assert sites, "the sample sites carry CMS and provider credits"
    results = {
        authority_id: {
            r.check_id: r.status
            for r, _ in audit_repo.load_results(demo, DEMO_EDITION, authority_id=authority_id)
        }
        for authority_id in {a for ids in sites.values() for a in ids}
    }
    national: dict[str, Counter[str]] = defaultdict(Counter)
    for _authority_id, rows in score_repo.iter_results(demo, DEMO_EDITION):
        for check_id, status, _ in rows:
            national[check_id][status.value] += 1
    profiles = provider_view(
        reco_repo.provider_sites(demo, DEMO_EDITION),
        reco_repo.provider_status_counts(demo, DEMO_EDITION, min_sites=2),
        reco_repo.national_status_counts(demo, DEMO_EDITION),
        grid,
        labels=pick_labels(reco_repo.provider_labels(demo, DEMO_EDITION)),
        min_sites=2,
    )
    assert {(p.category, p.name) for p in profiles} == {k for k, v in sites.items() if len(v) >= 2}
    excesses = [p.excess for p in profiles]
    assert excesses == sorted(excesses, reverse=True)
    for profile in profiles:
        members = sites[(profile.category, profile.name)]
        assert profile.sites == len(members)
        for row in profile.criteria:
            seen = Counter(
                results[a][row.criterion.id].value
                for a in members
                if row.criterion.id in results[a]
            )
            assert row.failed == seen["fail"]
            assert row.measured == seen["pass"] + seen["partial"] + seen["fail"]
            nat = national[row.criterion.id]
            assert row.national_failed == nat["fail"]
            assert row.national_measured == nat["pass"] + nat["partial"] + nat["fail"]
