"""Neighbourhood bounds: the knapsack is exact, and a neighbourhood proven unimprovable is."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from matcher.compile import compile_round
from matcher.generator import generate_round
from solvers.backends.cpsat import solve_sub
from solvers.checks import objective_of, violated_groups
from solvers.gap.instance import GapInstance, Sense
from solvers.gap.problem import gap_problem
from solvers.greedy import greedy_assign, greedy_order
from solvers.knapsack_bound import cannot_improve, exact_budgets, knapsack
from solvers.lns import _sub_problem
from solvers.problem import BoolArray, Problem, build_problem
from tests.factories import EVERY_RULE


@pytest.mark.parametrize("seed", range(6))
def test_knapsack_matches_every_subset(seed: int) -> None:
    rng = np.random.default_rng(seed)
    profit = rng.integers(-20, 60, 11).astype(np.float64)
    weight = rng.integers(0, 30, 11).astype(np.int64)
    capacity = int(rng.integers(20, 120))
    value, taken = knapsack(profit, weight, capacity)
    best = 0.0
    for subset in itertools.product([False, True], repeat=profit.size):
        pick = np.array(subset)
        if weight[pick].sum() <= capacity:
            best = max(best, float(profit[pick].sum()))
    assert value == pytest.approx(best)
    assert weight[taken].sum() <= capacity
    assert float(profit[taken].sum()) == pytest.approx(value)


def _tight_gap(seed: int, m: int = 4, n: int = 18) -> Problem:
    """A small instance of type D: costs fall as resources rise, capacities are tight."""
    rng = np.random.default_rng(seed)
    resource = rng.integers(1, 100, (m, n))
    cost = 111 - resource + rng.integers(-10, 11, (m, n))
    capacity = np.full(m, int(0.8 * resource.sum() / m))
    instance = GapInstance(f"t{seed}", m, n, cost, resource, capacity)
    return gap_problem(instance, Sense.MIN).problem


def _neighbourhood_optimum(problem: Problem, chosen: BoolArray, free: BoolArray) -> BoolArray:
    """The best assignment that changes only ``free`` edges, solved to optimality."""
    sub, index = _sub_problem(problem, chosen, free)
    solved = solve_sub(sub, chosen[index], 30.0, 0, 2)
    assert solved is not None and solved[1], "the neighbourhood was not solved to optimality"
    whole = chosen.copy()
    opened = free[index]
    whole[index[opened]] = solved[0][opened]
    assert not violated_groups(problem, np.flatnonzero(whole))
    return whole


def _neighbourhoods(problem: Problem, rng: np.random.Generator, count: int) -> list[BoolArray]:
    """Every edge of two or three random hosts, and random halves of the talents."""
    out = []
    for k in range(count):
        if k % 2 == 0:
            candidates = np.unique(problem.host)
            size = min(candidates.size, int(rng.integers(2, 4)))
            hosts = rng.choice(candidates, size=size, replace=False)
            out.append(np.isin(problem.host, hosts) & ~problem.dead)
        else:
            talents = rng.random(problem.n_talents) < 0.5
            out.append(talents[problem.talent] & ~problem.dead)
    return out


def _check_screens(problem: Problem, chosen: BoolArray, rng: np.random.Generator) -> int:
    """Screen random neighbourhoods of ``chosen`` against their optimum; the proofs given."""
    incumbent = objective_of(problem, np.flatnonzero(chosen))
    proofs = 0
    for free in _neighbourhoods(problem, rng, 8):
        best = objective_of(problem, np.flatnonzero(_neighbourhood_optimum(problem, chosen, free)))
        screen = cannot_improve(problem, chosen, free, incumbent, iterations=200)
        if screen.proven:
            proofs += 1
            assert best.key() <= incumbent.key()
        else:
            assert screen.bound >= screen.target + 1 - 1e-6
    return proofs


@pytest.mark.parametrize("seed", range(3))
def test_a_proof_is_never_wrong_on_tight_gap_rounds(seed: int) -> None:
    problem = _tight_gap(seed)
    start, _ = greedy_assign(problem, greedy_order(problem))
    rng = np.random.default_rng(seed)
    _check_screens(problem, start, rng)
    # at a neighbourhood's optimum the bound often closes it: the screen is not idle
    optimum = _neighbourhood_optimum(problem, start, ~problem.dead)
    assert _check_screens(problem, optimum, rng) > 0


def test_a_proof_is_never_wrong_on_rounds_with_every_rule() -> None:
    round_ = generate_round(40, 12, seed=5, policy=EVERY_RULE)
    problem = build_problem(compile_round(round_), round_)
    start, _ = greedy_assign(problem, greedy_order(problem))
    rng = np.random.default_rng(1)
    proofs = _check_screens(problem, start, rng)
    optimum = _neighbourhood_optimum(problem, start, ~problem.dead)
    assert proofs + _check_screens(problem, optimum, rng) > 0


def test_an_empty_neighbourhood_cannot_improve() -> None:
    problem = _tight_gap(0)
    start, _ = greedy_assign(problem, greedy_order(problem))
    free = np.zeros(problem.n_edges, dtype=bool)
    screen = cannot_improve(problem, start, free, objective_of(problem, np.flatnonzero(start)))
    assert screen.proven and screen.iterations == 0


def test_only_unscaled_budgets_are_screened_in_the_search() -> None:
    assert exact_budgets(_tight_gap(0))
    round_ = generate_round(40, 12, seed=5)
    assert not exact_budgets(build_problem(compile_round(round_), round_))
