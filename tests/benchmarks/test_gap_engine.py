"""GAP instances through the engine: the mapping, and known optima."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.gap import GapInstance, Sense, evaluate_assignment, load_instance
from benchmarks.gap_engine import gap_problem, solve_gap
from benchmarks.gap_peers import solve_ours
from solvers.problem import NO_LIMIT
from solvers.result import Status


def tiny() -> GapInstance:
    return GapInstance(
        name="tiny",
        m=2,
        n=3,
        cost=np.array([[4, 1, 3], [2, 5, 6]]),
        resource=np.array([[2, 3, 4], [1, 9, 2]]),
        capacity=np.array([5, 3]),
    )


@pytest.mark.parametrize("sense", list(Sense))
def test_mapping_has_every_pair_with_its_resource_and_value(sense: Sense) -> None:
    instance = tiny()
    mapped = gap_problem(instance, sense)
    problem = mapped.problem
    assert problem.n_edges == instance.m * instance.n
    np.testing.assert_array_equal(problem.fee, instance.resource[mapped.agent, mapped.job])
    cost = instance.cost[mapped.agent, mapped.job]
    expected = instance.cost.max() - cost if sense is Sense.MIN else cost
    np.testing.assert_array_equal(problem.value, expected)
    budgets = problem.host_budget[problem.host]
    np.testing.assert_array_equal(budgets, instance.capacity[mapped.agent])
    assert (problem.lender_budget == NO_LIMIT).all()
    # job 1 uses 9 at agent 1, whose capacity is 3
    assert problem.dead.tolist() == (problem.fee > budgets).tolist()
    assert problem.dead.sum() == 1


@pytest.mark.parametrize(("sense", "best"), [(Sense.MIN, 9), (Sense.MAX, 11)])
def test_tiny_instance_is_solved_to_its_optimum(sense: Sense, best: int) -> None:
    # the optima by enumeration of the 8 assignments
    result = solve_ours(tiny(), sense, 5.0, 0)
    assert result.proven_optimal
    assert result.agents is not None
    evaluation = evaluate_assignment(tiny(), result.agents)
    assert evaluation.feasible
    assert result.objective == evaluation.cost == best
    assert result.bound == best


@pytest.mark.parametrize(("sense", "best"), [(Sense.MIN, 261), (Sense.MAX, 336)])
def test_gap1_1_reaches_the_known_optimum(sense: Sense, best: int) -> None:
    instance = load_instance("gap1-1")
    result = solve_ours(instance, sense, 10.0, 0)
    assert result.objective == best
    assert result.proven_optimal
    assert result.agents is not None
    assert evaluate_assignment(instance, result.agents).cost == best


def test_an_infeasible_instance_gives_no_assignment() -> None:
    instance = GapInstance(
        name="full",
        m=1,
        n=2,
        cost=np.array([[1, 1]]),
        resource=np.array([[2, 2]]),
        capacity=np.array([3]),
    )
    mapped, result = solve_gap(instance, Sense.MIN, 2.0)
    assert result.status != Status.OPTIMAL or mapped.agents(result.edges) is None
    assert solve_ours(instance, Sense.MIN, 2.0, 0).agents is None
