"""The priced bound: at least the proven optimum of small rounds with every rule on, and at
least any feasible objective of a mid-sized one."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.checks import objective_of
from solvers.core import reduced_costs
from solvers.decompose.bound import priced_bound
from solvers.greedy import greedy_assign, greedy_order
from solvers.lagrange import combined
from solvers.model.build import build_spec
from solvers.problem import Problem
from tests.checks import full_round_problem, proven_optimum


def _base(problem: Problem) -> np.ndarray:
    multiplier = (
        build_spec(problem).multiplier if problem.lexicographic else problem.placement_units
    )
    return problem.edge_gain.astype(np.float64) + multiplier


@pytest.mark.parametrize(
    ("seed", "objective", "fairness", "tours"),
    [
        (1, "weighted", "soft", 1),
        (2, "weighted", "hard", 1),
        (3, "lexicographic", "soft", 1),
        (4, "weighted", "soft", 2),
    ],
)
def test_bound_holds_against_the_proven_optimum(
    seed: int, objective: str, fairness: str, tours: int
) -> None:
    problem = full_round_problem(seed, objective, fairness, tours)
    optimum = proven_optimum(problem)
    found = priced_bound(problem, _base(problem), 0.0, 2.0)
    assert found.bound is not None
    assert found.bound >= optimum
    assert found.iterations > 1
    # the prices and credit reproduce a bound no better than the one reported
    _, separable = reduced_costs(problem, found.priced_weight, found.credit)
    assert separable >= found.bound - 1e-6 * abs(found.bound)


def test_bound_is_tighter_than_a_trivial_one() -> None:
    problem = full_round_problem(5, "weighted")
    base = _base(problem)
    found = priced_bound(problem, base, 0.0, 2.0)
    chosen, _ = greedy_assign(problem, greedy_order(problem))
    value = combined(objective_of(problem, np.flatnonzero(chosen)), problem.placement_units)
    trivial = priced_bound(problem, base, 0.0, 2.0, max_iterations=1)
    assert found.bound is not None and trivial.bound is not None
    assert value <= found.bound < trivial.bound
    # the relaxed solution meets the tours
    per_talent = np.bincount(problem.talent[found.chosen], minlength=problem.n_talents)
    assert per_talent.max(initial=0) <= problem.max_tours
