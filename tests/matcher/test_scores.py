"""Score components, each alone against values computed by hand."""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.arrays import encode_round
from matcher.models import SCORE_NAMES, Policy
from matcher.scores import (
    SCORES,
    context_novelty,
    cost_score,
    learning_gain,
    network_gain,
    preference_fit,
    strengths_fit,
    strengths_used,
    total_score,
    values_fit,
)
from tests.factories import encode, grid, org, package, pair, random_round, talent


def _assert_grid(values: npt.NDArray[np.float32], expected: list[list[float]]) -> None:
    """``values`` over the talent-major grid equal ``expected[t][p]`` (float32 precision)."""
    want = np.array(expected)
    np.testing.assert_allclose(values.reshape(want.shape), want, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- strengths


def test_strengths_fit_coverage_and_use() -> None:
    a = encode(
        [talent("t", strengths={"a": 5, "b": 4, "c": 2})],
        [package("p", required={"a": 3}, desired={"b": 2.0, "d": 1.0})],
    )
    # coverage: (5 x 1 + 4 x 2 + 0 x 1) / 5 / (1 + 2 + 1) = 0.65; uses both strengths a, b
    assert strengths_fit(a, *pair(0, 0)).tolist() == pytest.approx([0.6 * 0.65 + 0.4 * 1.0])
    assert strengths_used(a, *pair(0, 0)).tolist() == [2]


def test_strengths_fit_counts_use_out_of_three_strengths() -> None:
    a = encode(
        [talent("t", strengths={"a": 4, "b": 4, "c": 4, "d": 5})],
        [
            package("one", required={"a": 4}, desired={}),
            package("all", required={"a": 4}, desired={"b": 1.0, "c": 1.0, "d": 1.0}),
        ],
    )
    fit = strengths_fit(a, *grid(a)).tolist()
    # one strength used of min(3, 4): coverage 4/5; all four used: capped at full use
    assert fit == pytest.approx([0.6 * 0.8 + 0.4 / 3, 0.6 * (17 / 20) + 0.4])
    assert strengths_used(a, *grid(a)).tolist() == [1, 4]


def test_strengths_fit_without_strengths_is_coverage_only() -> None:
    a = encode([talent("t", strengths={"a": 3})], [package("p", required={"a": 3}, desired={})])
    assert strengths_fit(a, *pair(0, 0)).tolist() == pytest.approx([0.6 * 0.6])


def test_strengths_fit_of_a_package_without_skills_is_zero() -> None:
    a = encode([talent("t", strengths={"a": 5})], [package("p", desired={})])
    assert strengths_fit(a, *pair(0, 0)).tolist() == [0.0]


def test_strengths_used_ignores_weak_skills() -> None:
    a = encode(
        [talent("t", strengths={"a": 3, "b": 4})],
        [package("p", required={"a": 1}, desired={"b": 1.0})],
    )
    assert strengths_used(a, *pair(0, 0)).tolist() == [1]


def test_strengths_fit_never_exceeds_one_from_float_rounding() -> None:
    # a bug fixed: the float32 coverage of a full match came out as 1.0000001
    a = encode(
        [talent("t", strengths={"s0": 5, "s1": 5, "s2": 5})],
        [package("p", required={"s0": 1}, desired={"s1": 0.2, "s2": 1 / 3})],
    )
    assert strengths_fit(a, *pair(0, 0)).tolist() == [1.0]


# ---------------------------------------------------------------- learning


def test_learning_gain_discounts_what_is_known() -> None:
    a = encode(
        [talent("t", strengths={"x": 2}, learning_goals={"x": 2.0, "y": 1.0, "z": 1.0})],
        [package("teaches-xy", learnable=["x", "y"]), package("teaches-w", learnable=["w"])],
    )
    # (2 x (1 - 2/5) + 1 x 1) / (2 + 1 + 1) = 0.55; w is no goal
    assert learning_gain(a, *grid(a)).tolist() == pytest.approx([0.55, 0.0])


def test_learning_gain_of_a_mastered_goal_is_zero() -> None:
    a = encode(
        [talent("t", strengths={"x": 5}, learning_goals={"x": 1.0})],
        [package("p", learnable=["x"])],
    )
    assert learning_gain(a, *pair(0, 0)).tolist() == [0.0]


def test_learning_gain_without_goals_is_zero() -> None:
    a = encode([talent("t")], [package("p", learnable=["x"])])
    assert learning_gain(a, *pair(0, 0)).tolist() == [0.0]


def test_learning_gain_full_when_every_goal_is_taught() -> None:
    a = encode(
        [talent("t", learning_goals={"x": 0.5, "y": 3.0})], [package("p", learnable=["y", "x"])]
    )
    assert learning_gain(a, *pair(0, 0)).tolist() == pytest.approx([1.0])


def test_learning_gain_of_wide_and_narrow_learnable_lists() -> None:
    # eight or more learnable skills are summed by another code path than fewer
    goals = {f"s{i}": 0.1 * (i + 1) for i in range(9)}
    a = encode(
        [talent("t", strengths={"s0": 5}, learning_goals=goals)],
        [package("all", learnable=list(goals)), package("two", learnable=["s1", "s2"])],
    )
    total = sum(goals.values())
    assert learning_gain(a, *grid(a)).tolist() == pytest.approx(
        [(total - 0.1) / total, 0.5 / total], rel=1e-6
    )


def test_learning_gain_never_exceeds_one_from_float_rounding() -> None:
    # a bug fixed: goals summed in another order than the total gave 1.0000001
    goals = {"s0": 0.3, "s1": 0.7, "s2": 0.3, "s3": 0.1}
    a = encode(
        [talent("t", learning_goals=goals)], [package("p", learnable=["s3", "s0", "s1", "s2"])]
    )
    assert learning_gain(a, *pair(0, 0)).tolist() == [1.0]


_WEIGHT = st.floats(min_value=0.01, max_value=10, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(st.lists(_WEIGHT, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_full_match_scores_one_and_never_more(weights: list[float], rng: random.Random) -> None:
    # float32 sums taken in different orders must not push a full match above 1
    skills = [f"s{i}" for i in range(len(weights))]
    weight_of = dict(zip(skills, weights, strict=True))
    shuffled = rng.sample(skills, len(skills))
    desired = {x: weight_of[x] for x in shuffled if x != skills[0]}
    expert = encode(
        [talent("t", strengths=dict.fromkeys(skills, 5))],
        [package("p", required={skills[0]: 1}, desired=desired)],
    )
    fit = float(strengths_fit(expert, *pair(0, 0))[0])
    assert 1 - 1e-6 <= fit <= 1
    learner = encode([talent("t", learning_goals=weight_of)], [package("p", learnable=shuffled)])
    gain = float(learning_gain(learner, *pair(0, 0))[0])
    assert 1 - 1e-6 <= gain <= 1


# ---------------------------------------------------------------- values


def test_values_fit() -> None:
    a = encode(
        [talent("abc", values=["a", "b", "c"]), talent("none")],
        [
            package("bcde", values=["b", "c", "d", "e"]),
            package("none"),
            package("x", values=["x"]),
            package("cab", values=["c", "a", "b"]),
        ],
    )
    _assert_grid(values_fit(a, *grid(a)), [[2 / 3, 0.5, 0.0, 1.0], [0.5, 0.5, 0.5, 0.5]])


# ---------------------------------------------------------------- context


def test_context_novelty_combinations() -> None:
    orgs = [
        org("fin-hier", sector="finance", structure="hierarchical"),
        org("fin-flat", sector="finance", structure="flat"),
        org("pub-hier", sector="public", structure="hierarchical"),
        org("pub-flat", sector="public", structure="flat"),
    ]
    hosts = ["fin-hier", "fin-flat", "pub-hier", "pub-flat"]
    a = encode(
        [talent("from-hier", lender="fin-hier"), talent("from-flat", lender="fin-flat")],
        [package(f"at-{h}", host=h) for h in hosts],
        orgs,
    )
    _assert_grid(
        context_novelty(a, *grid(a)),
        [
            [0.0, 0.4, 0.6, 1.0],  # hierarchical: a flatter host adds 0.4, a new sector 0.6
            [0.2, 0.0, 0.8, 0.6],  # flat: a hierarchical host is another structure, 0.2
        ],
    )


# ---------------------------------------------------------------- network


def test_network_gain_new_known_boomerang() -> None:
    orgs = [org("lend"), org("new"), org("known"), org("alma"), org("both")]
    a = encode(
        [talent("t", network=["known", "both"], alumni=["alma", "both", "elsewhere"])],
        [package(f"at-{h}", host=h) for h in ("new", "known", "alma", "both")],
        orgs,
    )
    assert network_gain(a, *grid(a)).tolist() == pytest.approx([1.0, 0.4, 0.6, 0.6])


def test_network_gain_uses_the_policy_values() -> None:
    orgs = [org("lend"), org("new"), org("known"), org("alma")]
    a = encode(
        [talent("t", network=["known"], alumni=["alma"])],
        [package(f"at-{h}", host=h) for h in ("new", "known", "alma")],
        orgs,
        policy=Policy(network_new=0.7, network_known=0.1, network_boomerang=0.9),
    )
    assert network_gain(a, *grid(a)).tolist() == pytest.approx([0.7, 0.1, 0.9])


# ---------------------------------------------------------------- preferences


def test_preference_fit_ranked_unlisted_and_neutral() -> None:
    a = encode(
        [talent("t0", preferences=["p0", "p1"]), talent("t1")],
        [
            package("p0", ranking=["t1", "t0"]),
            package("p1"),
            package("p2"),
            package("p3", ranking=["t1"]),
        ],
    )
    # t0 ranks p0 first (1), p1 second (1 - 1/2), not p2 or p3 (0); t1 ranks nobody (0.5).
    # p0 ranks t1 first (1), t0 second (0.5); p3 ranks only t1 (t0: 0); p1, p2 nobody (0.5).
    _assert_grid(
        preference_fit(a, *grid(a)),
        [
            [(1.0 + 0.5) / 2, (0.5 + 0.5) / 2, (0.0 + 0.5) / 2, (0.0 + 0.0) / 2],
            [(0.5 + 1.0) / 2, (0.5 + 0.5) / 2, (0.5 + 0.5) / 2, (0.5 + 1.0) / 2],
        ],
    )


# ---------------------------------------------------------------- cost


def test_cost_score_is_the_share_not_topped_up() -> None:
    packages = [package("fee4000", fee_cap=4000), package("fee6000", fee_cap=6000)]
    a = encode([talent("t", salary=5000)], packages)
    assert cost_score(a, *grid(a)).tolist() == pytest.approx([0.8, 1.0])
    subsidized = encode([talent("t", salary=5000)], packages, policy=Policy(subsidy_share=0.5))
    assert cost_score(subsidized, *grid(subsidized)).tolist() == pytest.approx([0.9, 1.0])


def test_cost_score_with_zero_fee() -> None:
    a = encode([talent("t", salary=5000)], [package("p", fee_cap=0)])
    assert cost_score(a, *pair(0, 0)).tolist() == [0.0]


# ---------------------------------------------------------------- total


def test_total_score_is_the_weighted_mean() -> None:
    components = {
        "strengths": np.array([1.0, 0.0], dtype=np.float32),
        "learning": np.array([0.5, 1.0], dtype=np.float32),
        "cost": np.array([0.0, 0.25], dtype=np.float32),
    }
    weights = {"strengths": 3.0, "learning": 1.0, "cost": 0.0}
    total = total_score(components, weights)
    assert total.dtype == np.float32
    assert total.tolist() == pytest.approx([(3 * 1.0 + 0.5) / 4, 1.0 / 4])


def test_total_score_with_every_weight_zero_is_zero() -> None:
    components = {"strengths": np.array([0.7], dtype=np.float32)}
    assert total_score(components, {"strengths": 0.0}).tolist() == [0.0]


def test_total_score_with_default_weights() -> None:
    a = encode([talent("t", strengths={"a": 5})], [package("p", required={"a": 2})])
    t, p = pair(0, 0)
    components = {name: SCORES[name](a, t, p) for name in SCORE_NAMES}
    weights = Policy().weights
    expected = sum(weights[n] * float(components[n][0]) for n in SCORE_NAMES) / sum(
        weights.values()
    )
    assert total_score(components, weights).tolist() == pytest.approx([expected])


def test_scores_follow_the_score_names() -> None:
    assert tuple(SCORES) == SCORE_NAMES


@pytest.mark.parametrize("seed", range(12))
def test_every_score_is_in_unit_interval(seed: int) -> None:
    a = encode_round(random_round(seed))
    t, p = grid(a)
    components = {}
    for name, score in SCORES.items():
        values = score(a, t, p)
        assert values.dtype == np.float32, name
        assert values.shape == t.shape, name
        assert ((values >= 0) & (values <= 1)).all(), name
        components[name] = values
    total = total_score(components, a.policy.weights)
    assert ((total >= 0) & (total <= 1)).all()
