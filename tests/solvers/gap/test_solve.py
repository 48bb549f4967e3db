"""A GAP instance solved by each method that applies, its result read back as an assignment
and judged by the GAP checker; an infeasible instance; a method that does not apply."""

from __future__ import annotations

import numpy as np
import pytest

from solvers.gap.instance import GapInstance, Sense, evaluate_assignment
from solvers.gap.solve import GAP_METHODS, gap_assignment, solve_gap
from solvers.result import SolveParams, Status
from tests.solvers.gap.instances import two_agents_three_jobs


def brute_force(instance: GapInstance, sense: Sense) -> int:
    """The optimum over every assignment, by the checker alone."""
    costs = []
    for code in range(instance.m**instance.n):
        agents = [(code // instance.m**j) % instance.m for j in range(instance.n)]
        evaluation = evaluate_assignment(instance, agents)
        if evaluation.feasible:
            costs.append(evaluation.cost)
    return min(costs) if sense is Sense.MIN else max(costs)


@pytest.mark.parametrize("method", list(GAP_METHODS))
@pytest.mark.parametrize("sense", list(Sense))
def test_every_method_gives_an_assignment_the_checker_accepts(method: str, sense: Sense) -> None:
    instance = two_agents_three_jobs()
    params = SolveParams(time_limit=5.0, workers=1, seed=0)
    mapped, result = solve_gap(instance, sense, params, method)
    read = gap_assignment(instance, mapped, result)
    assert read.agents is not None and read.evaluation is not None
    assert read.evaluation.cost == evaluate_assignment(instance, read.agents).cost
    assert read.evaluation.feasible
    best = brute_force(instance, sense)
    if method == "greedy":
        # no search: any feasible assignment, no bound
        assert read.bound is None
        return
    assert result.status == Status.OPTIMAL
    assert read.evaluation.cost == best
    assert read.bound == pytest.approx(best)


def test_an_infeasible_instance_gives_no_assignment() -> None:
    # two jobs of size 2 cannot share one agent of capacity 3
    instance = GapInstance(
        name="full",
        m=1,
        n=2,
        cost=np.array([[1, 1]]),
        resource=np.array([[2, 2]]),
        capacity=np.array([3]),
    )
    for method in GAP_METHODS:
        mapped, result = solve_gap(instance, Sense.MIN, SolveParams(time_limit=2.0), method)
        read = gap_assignment(instance, mapped, result)
        assert read.agents is None and read.evaluation is None and read.bound is None


def test_a_method_that_does_not_solve_a_gap_instance_is_refused() -> None:
    with pytest.raises(ValueError, match="method 'da' does not solve a GAP instance; known: auto"):
        solve_gap(two_agents_three_jobs(), Sense.MIN, SolveParams(time_limit=1.0), "da")
