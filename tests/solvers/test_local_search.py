"""Local search: never worse, always feasible, agrees with the evaluator, finds plain moves."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import Floor, Policy, Round
from solvers.checks import objective_of, violated_groups
from solvers.gap.instance import GapInstance, Sense
from solvers.gap.problem import gap_problem
from solvers.greedy import greedy_assign, greedy_order
from solvers.local_search import LocalSearch
from solvers.problem import Problem, build_problem
from solvers.result import Result, Status
from tests.checks import check
from tests.factories import tiny_rounds

POLICIES = {
    "soft": Policy(
        subsidy_share=0.3,
        subsidy_pool=4_000.0,
        min_per_lender=2,
        max_host_share=0.2,
        fairness="soft",
    ),
    "hard": Policy(min_per_lender=1, max_host_share=0.3, fairness="hard"),
    "weighted": Policy(objective="weighted", subsidy_share=0.2, subsidy_pool=20_000.0),
    "floors": Policy(
        floors={"learning": Floor(share=0.5), "cross_sector": Floor(share=0.95, mode="soft")}
    ),
}


def random_start(problem: Problem, seed: int) -> np.ndarray:
    """A feasible assignment of the greedy in a random order (a poor start on purpose)."""
    order = np.random.default_rng(seed).permutation(greedy_order(problem)).astype(np.int64)
    chosen, _ = greedy_assign(problem, order)
    return chosen


def checked_run(round_: Round, seed: int) -> tuple[int, int]:
    """Local search from a random greedy start; checks the result, returns the moves and
    whether the key grew."""
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    start = random_start(problem, seed)
    if violated_groups(problem, np.flatnonzero(start)):
        return 0, 0
    before = objective_of(problem, np.flatnonzero(start))
    found = LocalSearch(problem).run(start, time.perf_counter() + 5, np.random.default_rng(seed))
    edges = np.flatnonzero(found.chosen)
    assert violated_groups(problem, edges) == []
    assert found.objective == objective_of(problem, edges)
    assert found.objective.key() >= before.key()
    assert (found.moves > 0) == (found.objective.key() > before.key())
    result = Result(
        solver="local search",
        status=Status.FEASIBLE,
        edges=edges.astype(np.int64),
        objective=found.objective,
        bound=None,
        wall_time=0.0,
    )
    check(result, round_, compiled)
    return found.moves, int(found.objective.key() > before.key())


@pytest.mark.parametrize("name", sorted(POLICIES))
@pytest.mark.parametrize("seed", [1, 2])
def test_generated_rounds_improve_and_pass_the_evaluator(name: str, seed: int) -> None:
    round_ = generate_round(150, 40, seed=seed, policy=POLICIES[name])
    checked_run(round_, seed)


def test_a_poor_start_improves() -> None:
    round_ = generate_round(150, 40, seed=4, policy=Policy())
    moves, better = checked_run(round_, 4)
    assert moves > 0 and better


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(round_=tiny_rounds())
def test_tiny_rounds_stay_feasible(round_: Round) -> None:
    checked_run(round_, 0)


def test_gap_swap_and_shift() -> None:
    # job 0 at agent 0 and job 1 at agent 1 cost 10 each; swapped they cost 1 each, and
    # job 2 is cheaper at agent 1, where capacity is left after the swap
    instance = GapInstance(
        name="swap",
        m=2,
        n=3,
        cost=np.array([[10, 1, 5], [1, 10, 2]]),
        resource=np.array([[1, 1, 1], [1, 1, 1]]),
        capacity=np.array([3, 2]),
    )
    mapped = gap_problem(instance, Sense.MIN)
    problem = mapped.problem
    start = np.zeros(problem.n_edges, dtype=bool)
    for job, agent in ((0, 0), (1, 1), (2, 0)):
        start[np.flatnonzero((mapped.job == job) & (mapped.agent == agent))] = True
    assert violated_groups(problem, np.flatnonzero(start)) == []
    found = LocalSearch(problem).run(start, time.perf_counter() + 5, np.random.default_rng(0))
    agents = mapped.agents(np.flatnonzero(found.chosen))
    assert agents is not None
    cost = int(instance.cost[agents, np.arange(3)].sum())
    assert cost == 1 + 1 + 2
    assert violated_groups(problem, np.flatnonzero(found.chosen)) == []


def test_budgets_block_moves() -> None:
    # the swap would save cost but agent 0 cannot hold job 1 (resource 5 > capacity 4)
    instance = GapInstance(
        name="blocked",
        m=2,
        n=2,
        cost=np.array([[10, 1], [1, 10]]),
        resource=np.array([[4, 5], [4, 4]]),
        capacity=np.array([4, 4]),
    )
    mapped = gap_problem(instance, Sense.MIN)
    problem = mapped.problem
    start = np.zeros(problem.n_edges, dtype=bool)
    start[np.flatnonzero(mapped.job == mapped.agent)] = True
    found = LocalSearch(problem).run(start, time.perf_counter() + 5, np.random.default_rng(0))
    assert found.moves == 0
    assert np.array_equal(found.chosen, start)
