"""Capacities in integer units: a budget never loosens, a missing one is no limit."""

from __future__ import annotations

import numpy as np

from solvers.capacities import budget_capacities, fte_capacities, max_placements, pool_capacity
from solvers.units import NO_LIMIT


def test_an_infinite_budget_is_no_limit_and_a_finite_one_rounds_down_to_the_cent() -> None:
    budgets = np.array([np.inf, 5903.999, 100.0])
    group = np.array([0, 1, 1, 2], dtype=np.int64)
    assert budget_capacities(budgets, group, most_placements=4).tolist() == [
        NO_LIMIT,
        590399,
        10000,
    ]


def test_no_pool_is_no_limit() -> None:
    assert pool_capacity(None, n_edges=10, most_placements=3) == NO_LIMIT
    assert pool_capacity(20.0, n_edges=10, most_placements=3) == 2000


def test_placements_are_bounded_by_talents_tours_and_the_seats_of_packages_with_edges() -> None:
    talent = np.array([0, 0, 1, 1, 2], dtype=np.int64)
    package = np.array([0, 1, 0, 1, 0], dtype=np.int64)
    seats = np.array([1, 1, 50], dtype=np.int64)  # package 2 has no edge: its seats count not
    assert max_placements(talent, package, seats, max_tours=2) == 2
    assert max_placements(talent, package, np.array([5, 5, 0]), max_tours=1) == 3


def test_fte_rounds_down_to_a_unit() -> None:
    talent = np.array([0, 1], dtype=np.int64)
    assert fte_capacities(np.array([1.0, 0.55]), talent, max_tours=2).tolist() == [10000, 5500]
