"""A given assignment completed greedily: free seats filled, nothing it holds moved, every
capacity kept."""

from __future__ import annotations

import numpy as np

from matcher.compile import compile_round
from matcher.generator import generate_round
from solvers.checks import violated_groups
from solvers.completion import complete_greedily
from solvers.greedy import greedy_assign, greedy_order
from solvers.problem import build_problem


def test_a_start_with_holes_is_refilled_around_what_it_holds() -> None:
    round_ = generate_round(400, 100, seed=5)
    problem = build_problem(compile_round(round_), round_)
    order = greedy_order(problem)
    full, _ = greedy_assign(problem, order)
    held = np.flatnonzero(full)
    # drop every fifth placement: their seats and talents are free again
    start = full.copy()
    start[held[::5]] = False
    completed = complete_greedily(problem, start, order)
    assert completed is not None
    assert (completed[start]).all()
    assert completed.sum() > start.sum()
    assert not violated_groups(problem, np.flatnonzero(completed))
    # every edge left out has no seat, tour or budget left for it: completing again adds none
    again = complete_greedily(problem, completed, order)
    assert again is not None and (again == completed).all()


def test_a_start_over_a_seat_is_refused() -> None:
    round_ = generate_round(200, 50, seed=2)
    problem = build_problem(compile_round(round_), round_)
    package = int(problem.package[0])
    on_it = np.flatnonzero(problem.package == package)[: int(problem.seats[package]) + 1]
    start = np.zeros(problem.n_edges, dtype=bool)
    start[on_it] = True
    if start.sum() > problem.seats[package]:
        assert complete_greedily(problem, start, greedy_order(problem)) is None
