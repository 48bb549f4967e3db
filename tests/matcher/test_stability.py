"""The blocking-pair audit: hand-made cases, then against a brute-force audit."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.compile import compile_round
from matcher.preferences import Preferences, build_preferences
from matcher.stability import audit_matching, stability_kpis
from tests.references import brute_force_blocking, market_round


def _two_by_two() -> Preferences:
    # edges: 0 = (a, x), 1 = (a, y), 2 = (b, x), 3 = (b, y); one seat each
    # a and b both prefer x; x prefers b, y prefers a
    return Preferences.from_keys(
        np.array([0, 0, 1, 1]),
        np.array([0, 1, 0, 1]),
        talent_key=[0, 1, 0, 1],
        package_key=[1, 0, 0, 1],
        seats=np.array([1, 1]),
        n_talents=2,
    )


def test_stable_and_unstable_matchings_by_hand() -> None:
    prefs = _two_by_two()
    # b-x, a-y: b has its first choice, a would rather be at x but x prefers b
    assert audit_matching(prefs, [2, 1]).blocking == 0
    # a-x, b-y: b prefers x and x prefers b
    audit = audit_matching(prefs, [0, 3], with_pairs=True)
    assert audit.blocking == 1 and audit.pairs is not None and audit.pairs.tolist() == [2]
    # nobody placed: every acceptable pair blocks
    assert audit_matching(prefs, []).blocking == 4
    # a-x only: b is free, y is free, x prefers b to a
    assert audit_matching(prefs, [0], with_pairs=True).pairs.tolist() == [2, 3]  # type: ignore[union-attr]


def test_free_seat_blocks_with_any_acceptable_talent_who_wants_it() -> None:
    prefs = Preferences.from_keys(
        np.array([0, 1]), np.array([0, 0]), [0, 0], [0, 1], np.array([2]), n_talents=2
    )
    assert audit_matching(prefs, [0]).blocking == 1  # t1 is free and p0 has a seat left
    assert audit_matching(prefs, [0, 1]).blocking == 0


def test_unacceptable_pairs_never_block_and_count_when_chosen() -> None:
    prefs = Preferences.from_keys(
        np.array([0, 0]), np.array([0, 1]), [0, np.inf], [0, 0], np.array([1, 1]), n_talents=1
    )
    assert audit_matching(prefs, [0]).blocking == 0
    audit = audit_matching(prefs, [1])
    # t0 sits on a package it does not accept: p0 (free, acceptable) blocks
    assert audit.unacceptable == 1 and audit.blocking == 1


@pytest.mark.parametrize("seed", range(8))
def test_audit_equals_brute_force_on_random_matchings(seed: int) -> None:
    rng = np.random.default_rng(seed)
    compiled = compile_round(market_round(seed, 9, 4, max_seats=3, list_share=0.4))
    prefs = build_preferences(compiled)
    for _ in range(20):
        # any subset, feasible or not: the audit must agree with the definition regardless
        edges = np.flatnonzero(rng.random(compiled.n_edges) < rng.uniform(0, 0.4))
        audit = audit_matching(prefs, edges, with_pairs=True)
        expected = brute_force_blocking(prefs, edges.tolist())
        assert audit.pairs is not None and set(audit.pairs.tolist()) == expected
        assert audit.blocking == len(expected)


def test_stability_kpis() -> None:
    prefs = _two_by_two()
    kpis = stability_kpis(prefs, [0, 3])
    assert kpis.blocking_pairs == 1 and kpis.blocking_talents == 1
    assert kpis.blocking_packages == 1 and not kpis.stable
    assert kpis.as_dict() == {
        "blocking_pairs": 1,
        "blocking_talents": 1,
        "blocking_packages": 1,
        "unacceptable_placements": 0,
        "stable": False,
    }


def test_empty_everything() -> None:
    empty = np.zeros(0, dtype=np.int64)
    prefs = Preferences.from_keys(empty, empty, empty, empty, np.zeros(0, np.int32), n_talents=0)
    assert audit_matching(prefs, empty).blocking == 0
    assert stability_kpis(prefs, empty).stable
