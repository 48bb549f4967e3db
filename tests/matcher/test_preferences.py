"""Preferences: derived and given orders, acceptability, ties, and the proposal lists."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.compile import compile_round
from matcher.models import Policy
from matcher.preferences import (
    Preferences,
    ProposalLists,
    build_preferences,
    package_side_score,
    talent_side_score,
)
from tests.factories import make_round, package, talent
from tests.references import market_round


def _is_dense(rank: np.ndarray, owner: np.ndarray) -> bool:
    for o in np.unique(owner[rank >= 0]):
        ranks = np.sort(rank[(owner == o) & (rank >= 0)])
        if ranks.tolist() != list(range(ranks.size)):
            return False
    return True


def test_derived_orders_follow_scores_and_break_ties_by_index() -> None:
    compiled = compile_round(market_round(3, 12, 5))
    prefs = build_preferences(compiled)
    assert compiled.n_edges == 60 and prefs.acceptable.all()
    wish, fit = talent_side_score(compiled), package_side_score(compiled)
    for t in range(12):
        edges = prefs.talent_list(t)
        expected = sorted(np.flatnonzero(compiled.talent == t), key=lambda e: (-wish[e], e))
        assert edges.tolist() == expected
    for p in range(5):
        edges = prefs.package_list(p)
        expected = sorted(np.flatnonzero(compiled.package == p), key=lambda e: (-fit[e], e))
        assert edges.tolist() == expected
    assert _is_dense(prefs.talent_rank, prefs.talent)
    assert _is_dense(prefs.package_rank, prefs.package)


def test_talent_side_ignores_the_hosts_ranking() -> None:
    plain = market_round(4, 6, 3)
    ranked = plain.model_copy(
        update={
            "packages": [
                p.model_copy(update={"ranking": ["t5", "t4"]}) if p.id == "p0" else p
                for p in plain.packages
            ]
        }
    )
    a = talent_side_score(compile_round(plain))
    b = talent_side_score(compile_round(ranked))
    np.testing.assert_allclose(a, b)


def test_talent_side_with_zero_weights_falls_back_to_equal_weights() -> None:
    weights = {"strengths": 1.0, "preference": 0.0, "learning": 0.0, "values": 0.0}
    compiled = compile_round(market_round(5, 4, 3, policy=Policy(weights=weights)))
    score = talent_side_score(compiled)
    assert np.isfinite(score).all() and score.std() > 0


def test_given_lists_set_order_and_make_unlisted_partners_unacceptable() -> None:
    round_ = make_round(
        [
            talent("a", preferences=["p2", "p0"]),
            talent("b"),
            talent("c", preferences=["p1"]),
        ],
        [package("p0", ranking=["b", "a"]), package("p1"), package("p2")],
    )
    compiled = compile_round(round_)
    prefs = build_preferences(compiled)
    names = compiled.arrays

    def listed(edges: np.ndarray) -> list[str]:
        return [
            f"{names.talent_ids[compiled.talent[e]]}{names.package_ids[compiled.package[e]]}"
            for e in edges.tolist()
        ]

    assert listed(prefs.talent_list(0)) == ["ap2", "ap0"]
    assert listed(prefs.talent_list(2)) == ["cp1"]
    # p0 ranks b then a, and does not accept c (nor does c want p0)
    assert listed(prefs.package_list(0)) == ["bp0", "ap0"]
    assert set(listed(prefs.talent_list(1))) == {"bp0", "bp1", "bp2"}
    assert int(prefs.acceptable.sum()) == 6

    derived = build_preferences(compiled, use_lists=False)
    assert derived.acceptable.all()


def test_from_keys_dense_ranks_ties_and_unacceptable() -> None:
    t = np.array([0, 0, 0, 1, 1, 2])
    p = np.array([0, 1, 2, 0, 2, 1])
    tkey = np.array([0.5, 0.5, 0.1, np.inf, 2.0, 1.0])
    pkey = np.array([1.0, 1.0, 1.0, 0.0, 0.0, np.nan])
    prefs = Preferences.from_keys(t, p, tkey, pkey, np.array([1, 2, 1]), n_talents=4)
    # talent 0: key 0.1 first, then the tie 0.5/0.5 broken by package index
    assert prefs.talent_rank.tolist() == [1, 2, 0, -1, 0, -1]
    # package 2: talents 0 and 1 with keys 1.0 and 0.0
    assert prefs.package_rank.tolist() == [0, 0, 1, -1, 0, -1]
    assert prefs.talent_start.tolist() == [0, 3, 4, 4, 4]
    assert prefs.package_start.tolist() == [0, 1, 2, 4]
    assert prefs.n_talents == 4 and prefs.n_packages == 3


def test_proposal_lists_of_both_sides() -> None:
    compiled = compile_round(market_round(6, 5, 3, max_seats=3))
    prefs = build_preferences(compiled)
    lists, edges = prefs.proposals("talents")
    assert lists.n_proposers == 5 and lists.n_receivers == 3
    assert lists.quota.tolist() == [1] * 5
    assert lists.capacity.tolist() == compiled.arrays.package_seats.tolist()
    np.testing.assert_array_equal(lists.receiver, compiled.package[edges])
    np.testing.assert_array_equal(lists.receiver_rank, prefs.package_rank[edges])
    np.testing.assert_array_equal(lists.proposer_of(np.arange(edges.size)), compiled.talent[edges])

    lists, edges = prefs.proposals("packages")
    assert lists.quota.tolist() == compiled.arrays.package_seats.tolist()
    assert lists.capacity.tolist() == [1] * 5
    np.testing.assert_array_equal(lists.receiver_rank, prefs.talent_rank[edges])
    with pytest.raises(ValueError, match="not understood"):
        prefs.proposals("hosts")  # type: ignore[arg-type]


def test_no_edges_and_partners_without_lists() -> None:
    empty = np.zeros(0, dtype=np.int64)
    prefs = Preferences.from_keys(empty, empty, empty, empty, np.array([2, 1]), n_talents=3)
    assert prefs.n_edges == 0 and prefs.n_packages == 2
    assert prefs.talent_list(2).size == 0 and prefs.package_list(1).size == 0
    lists, edges = prefs.proposals("talents")
    assert lists.n_entries == 0 and edges.size == 0

    # a talent whose list names only an ineligible package accepts nothing
    round_ = make_round(
        [talent("a", preferences=["far"]), talent("b")],
        [package("near"), package("far", region="antwerp")],
    )
    prefs = build_preferences(compile_round(round_))
    assert prefs.talent_list(0).size == 0 and prefs.package_list(1).size == 0
    assert prefs.talent_list(1).size == 1


def test_bad_input_is_refused() -> None:
    one = np.array([0])
    with pytest.raises(ValueError, match="one entry per edge"):
        Preferences.from_keys(one, one, [0.0, 1.0], [0.0], np.array([1]), n_talents=1)
    with pytest.raises(ValueError, match="talent index"):
        Preferences.from_keys(one + 1, one, [0.0], [0.0], np.array([1]), n_talents=1)
    with pytest.raises(ValueError, match="one more entry"):
        ProposalLists(
            np.array([0]),
            one.astype(np.int32),
            one.astype(np.int32),
            np.array([1], dtype=np.int32),
            np.array([1], dtype=np.int32),
        )


def test_edge_order_does_not_change_the_ranks() -> None:
    rng = np.random.default_rng(1)
    grid_t, grid_p = np.meshgrid(np.arange(30), np.arange(7), indexing="ij")
    t, p = grid_t.ravel(), grid_p.ravel()
    tkey = rng.integers(0, 3, t.size).astype(float)  # many ties
    pkey = np.where(rng.random(t.size) < 0.2, np.inf, rng.integers(0, 3, t.size))
    seats = np.full(7, 2)
    sorted_prefs = Preferences.from_keys(t, p, tkey, pkey, seats, 30)
    shuffle = rng.permutation(t.size)
    shuffled = Preferences.from_keys(
        t[shuffle], p[shuffle], tkey[shuffle], pkey[shuffle], seats, 30
    )
    np.testing.assert_array_equal(shuffled.talent_rank, sorted_prefs.talent_rank[shuffle])
    np.testing.assert_array_equal(shuffled.package_rank, sorted_prefs.package_rank[shuffle])
