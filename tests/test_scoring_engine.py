"""Invariants of the scoring engine (hypothesis) and its worked examples."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barometre.methodology import bundled
from barometre.models import Authority, AuthorityKind, Status
from barometre.scoring.engine import (
    Result,
    Scored,
    calibrate_bands,
    dense_ranks,
    dimension_score,
    grade,
    peer_group,
    rank_all,
    score_authority,
    social_index,
)

GRID = bundled()
IDS = [c.id for c in GRID.criteria]

measured = st.builds(
    Result,
    st.just(""),
    st.sampled_from([Status.PASS, Status.PARTIAL, Status.FAIL]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)
any_result = st.one_of(
    measured,
    st.builds(Result, st.just(""), st.sampled_from([Status.NOT_APPLICABLE, Status.NOT_MEASURABLE])),
)


def results_for(draw: st.DrawFn, ids: list[str]) -> list[Result]:
    chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
    return [
        Result(c, r.status, r.value)
        for c, r in zip(
            chosen,
            draw(st.lists(any_result, min_size=len(chosen), max_size=len(chosen))),
            strict=True,
        )
    ]


@st.composite
def result_sets(draw: st.DrawFn) -> list[Result]:
    return results_for(draw, IDS)


@given(result_sets())
@settings(max_examples=300)
def test_scores_and_coverage_stay_in_range(results: list[Result]) -> None:
    scored = score_authority("x", results, GRID)
    assert scored.value is None or 0 <= scored.value <= 100
    assert 0 <= scored.coverage <= 1
    for dimension in scored.dimensions:
        assert dimension.value is None or 0 <= dimension.value <= 100
        assert 0 <= dimension.coverage <= 1


@given(
    result_sets(),
    st.sampled_from(IDS),
    st.sampled_from([Status.NOT_APPLICABLE, Status.NOT_MEASURABLE]),
)
@settings(max_examples=300)
def test_na_or_unmeasurable_never_changes_the_score(
    results: list[Result], extra: str, status: Status
) -> None:
    before = score_authority("x", [r for r in results if r.check_id != extra], GRID)
    after = score_authority(
        "x", [*[r for r in results if r.check_id != extra], Result(extra, status)], GRID
    )
    assert after.value == before.value
    if status is Status.NOT_APPLICABLE:
        assert after.coverage == before.coverage
    else:
        assert after.coverage <= before.coverage + 1e-9


@given(result_sets(), st.sampled_from(IDS))
@settings(max_examples=300)
def test_adding_a_passing_criterion_never_lowers_a_score(results: list[Result], extra: str) -> None:
    base = [r for r in results if r.check_id != extra]
    before = score_authority("x", base, GRID)
    after = score_authority("x", [*base, Result(extra, Status.PASS, 1.0)], GRID)
    assert after.value is not None
    assert before.value is None or after.value >= before.value - 1e-9
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        assert old.value is None or new.value is None or new.value >= old.value - 1e-9


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=4), st.one_of(st.none(), st.floats(0, 100)), max_size=30
    ),
    st.randoms(),
)
def test_ranks_are_dense_and_stable_under_ties_and_order(
    scores: dict[str, float | None], rnd
) -> None:  # type: ignore[no-untyped-def]
    ranks = dense_ranks(scores)
    assert set(ranks) == {k for k, v in scores.items() if v is not None}
    if ranks:
        assert sorted(set(ranks.values())) == list(range(1, max(ranks.values()) + 1))
    for a, va in scores.items():
        for b, vb in scores.items():
            if va is None or vb is None:
                continue
            if round(va, 1) == round(vb, 1):
                assert ranks[a] == ranks[b]
            elif round(va, 1) > round(vb, 1):
                assert ranks[a] < ranks[b]
    shuffled = list(scores.items())
    rnd.shuffle(shuffled)
    assert dense_ranks(dict(shuffled)) == ranks


def test_worked_example_reweights_na_and_counts_coverage() -> None:
    dim = dimension_score(
        "d",
        [
            (2, Result("a", Status.PASS, 1.0)),
            (1, Result("b", Status.FAIL, 0.0)),
            (1, Result("c", Status.NOT_APPLICABLE)),
            (4, Result("d", Status.NOT_MEASURABLE)),
        ],
    )
    assert dim.value == pytest.approx(100 * 2 / 3)
    assert dim.coverage == pytest.approx(3 / 7)
    assert (dim.measured, dim.not_measurable) == (2, 1)
    only_unmeasurable = dimension_score("d", [(1, Result("d", Status.NOT_MEASURABLE))])
    assert only_unmeasurable.value is None and only_unmeasurable.coverage == 0


def test_global_score_is_the_weighted_mean_of_scored_dimensions() -> None:
    presence = [c.id for c in GRID.criteria if c.dimension == "presence"]
    technique = [c.id for c in GRID.criteria if c.dimension == "technique"]
    results = [Result(presence[0], Status.PASS, 1.0), Result(technique[0], Status.FAIL, 0.0)]
    scored = score_authority("x", results, GRID)
    weights = {d.id: d.weight for d in GRID.dimensions}
    expected = 100 * weights["presence"] / (weights["presence"] + weights["technique"])
    assert scored.value == pytest.approx(expected)


def test_bands_are_quintiles_and_grades_need_coverage() -> None:
    values = [float(v) for v in range(0, 101)]
    bands = calibrate_bands(values)
    assert bands == (80.0, 60.0, 40.0, 20.0)
    assert [grade(v, 1.0, bands) for v in (95, 80, 79.96, 45, 10)] == ["A", "A", "A", "C", "E"]
    assert grade(95, 0.2, bands) is None and grade(None, 1.0, bands) is None
    skewed = calibrate_bands([10, 12, 14, 15, 16, 30, 31, 50, 70, 90])
    assert skewed[0] > skewed[1] > skewed[2] > skewed[3]


def test_peer_groups() -> None:
    town = Authority(AuthorityKind.COMMUNE, "1", "a", population=499)
    assert peer_group(town) == "commune:1"
    assert peer_group(Authority(AuthorityKind.COMMUNE, "2", "b", population=3_500)) == "commune:4"
    assert peer_group(Authority(AuthorityKind.COMMUNE, "3", "c", population=250_000)) == "commune:7"
    assert (
        peer_group(Authority(AuthorityKind.EPCI, "4", "d", epci_type="METRO")) == "epci:Métropole"
    )
    assert peer_group(Authority(AuthorityKind.REGION, "5", "e")) == "region"


def test_rank_all_ranks_within_groups_and_skips_low_coverage() -> None:
    items = [
        Scored("a", 70.0, 0.9, ()),
        Scored("b", 70.04, 0.9, ()),  # same published score as a
        Scored("c", 50.0, 0.9, ()),
        Scored("d", 99.0, 0.1, ()),  # too little coverage: no grade, no rank
        Scored("e", 10.0, 0.9, ()),  # another group
    ]
    groups = {"a": "g", "b": "g", "c": "g", "d": "g", "e": "h"}
    ranked = {s.authority_id: s for s in rank_all(items, groups, (80, 60, 40, 20))}
    assert (ranked["a"].rank, ranked["b"].rank, ranked["c"].rank) == (1, 1, 2)
    assert ranked["d"].rank is None and ranked["d"].grade is None
    assert ranked["e"].rank == 1 and ranked["e"].grade == "E"
    assert ranked["a"].grade == "B" and ranked["a"].peer_group == "g"


def test_social_index() -> None:
    assert social_index([3, 4]) == 3.5
    assert social_index([]) is None
