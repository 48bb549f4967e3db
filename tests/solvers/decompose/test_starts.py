"""The decomposed solve's starts: the flow at the priced bound's prices keeps the seats and
tours, and its repair passes the evaluator."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.evaluator import evaluate
from solvers.checks import objective_of
from solvers.decompose.bound import priced_bound
from solvers.decompose.starts import flow_at_prices, repaired
from solvers.flow import seat_relaxation
from solvers.greedy import greedy_order
from tests.checks import full_round_problem, pair_list


@pytest.mark.parametrize(("seed", "tours"), [(1, 1), (4, 2)])
def test_flow_at_prices_keeps_seats_and_its_repair_is_feasible(seed: int, tours: int) -> None:
    problem = full_round_problem(seed, "weighted", tours=tours)
    base = problem.edge_gain.astype(np.float64) + problem.placement_units
    prices = priced_bound(problem, base, 0.0, 1.0)
    flow = flow_at_prices(problem, base, prices.priced_weight, prices.seat_price)
    assert flow is not None and flow.any()
    seats = np.bincount(problem.package[flow], minlength=problem.n_packages)
    assert np.all(seats <= problem.seats)
    per_talent = np.bincount(problem.talent[flow], minlength=problem.n_talents)
    assert per_talent.max() <= problem.max_tours
    chosen = repaired(problem, greedy_order(problem), flow)
    # judged by the evaluator, on the round's own records
    round_, compiled = problem.round, problem.compiled
    verdict = evaluate(round_, compiled, pair_list(compiled, np.flatnonzero(chosen).tolist()))
    assert verdict.feasible, [str(v) for v in verdict.violations]
    assert verdict.objective == objective_of(problem, np.flatnonzero(chosen))
    # the repair keeps the flow's placements that fit: most of them here
    assert (chosen & flow).sum() >= 0.5 * flow.sum()


def test_without_prices_the_flow_is_the_seat_relaxation() -> None:
    problem = full_round_problem(2, "weighted")
    base = problem.edge_gain.astype(np.float64) + problem.placement_units
    zero = np.zeros(problem.n_packages)
    flow = flow_at_prices(problem, base, base, zero)
    relaxation = seat_relaxation(problem)
    assert flow is not None and relaxation is not None
    # every edge worth its whole weight: the seat relaxation's optimum
    assert base[flow].sum() == base[relaxation.chosen].sum()
