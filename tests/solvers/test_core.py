"""Reduced costs and the core: the bound and every reduced cost hold against brute force on
tiny GAP rounds and against CP-SAT's optimum on rounds with every rule; an exact core keeps
every optimal assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solvers.auto.options import AutoOptions, RelaxationOptions, SearchOptions
from solvers.auto.solve import solve_problem
from solvers.checks import objective_of, violated_groups
from solvers.core import find_core, reduced_costs
from solvers.gap.instance import GapInstance, Sense
from solvers.gap.problem import gap_problem
from solvers.greedy import greedy_assign, greedy_order
from solvers.lagrange import combined, lagrangian
from solvers.model.build import build_spec
from solvers.problem import Problem, restrict
from solvers.result import SolveParams, Status
from tests.checks import full_round_problem


def _random_gap(seed: int, m: int = 3, n: int = 6) -> GapInstance:
    """Capacities near an even share of the load: tight enough for the budgets to bind."""
    rng = np.random.default_rng(seed)
    resource = rng.integers(5, 26, size=(m, n))
    cost = rng.integers(10, 51, size=(m, n))
    share = 1.5 / m if m <= 3 else 0.9 / m
    capacity = (resource.sum(axis=1) * share * rng.uniform(0.8, 1.0, size=m)).astype(np.int64)
    return GapInstance(f"rand{seed}", m, n, cost, resource, capacity)


def _feasible_assignments(problem: Problem) -> list[np.ndarray]:
    """Every assignment of a one-tour round (each talent on one edge or none) that breaks no
    constraint, as edge lists."""
    per_talent = [
        [-1, *np.flatnonzero(problem.talent == t).tolist()] for t in range(problem.n_talents)
    ]
    out = []
    for pick in itertools.product(*per_talent):
        edges = np.array([e for e in pick if e >= 0], dtype=np.int64)
        if not violated_groups(problem, edges):
            out.append(edges)
    return out


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("sense", [Sense.MIN, Sense.MAX])
def test_every_assignment_with_an_edge_is_worth_at_most_the_bound_less_its_reduced_cost(
    seed: int, sense: Sense
) -> None:
    problem = gap_problem(_random_gap(seed), sense).problem
    multiplier = build_spec(problem).multiplier
    found = lagrangian(problem, multiplier, 0.3, greedy_assign(problem, greedy_order(problem))[0])
    assert found.bound is not None
    rc, bound = reduced_costs(problem, found.priced_weight, found.credit)
    assert (rc >= 0).all()
    # the talent-separable bound relaxes the Lagrangian one: never below it
    assert bound >= found.bound - 1e-6
    tight = 0
    for edges in _feasible_assignments(problem):
        value = combined(objective_of(problem, edges), multiplier)
        assert value <= bound + 1e-6
        for e in edges.tolist():
            assert value <= bound - rc[e] + 1e-6
            tight += int(rc[e] > 0)
    # the reduced costs are not all zero: the check above has bitten
    assert tight > 0


@pytest.mark.parametrize(
    ("seed", "objective", "tours"),
    [(1, "weighted", 1), (4, "lexicographic", 1), (2, "weighted", 2), (3, "lexicographic", 2)],
)
def test_an_exact_core_keeps_every_edge_of_the_optimum(
    seed: int, objective: str, tours: int
) -> None:
    problem = full_round_problem(seed, objective, tours=tours)
    multiplier = build_spec(problem).multiplier
    reference = solve_problem(
        problem,
        SolveParams(time_limit=10.0, workers=2, seed=0),
        AutoOptions(relax=RelaxationOptions(lagrangian=False), search=SearchOptions(enabled=False)),
    )
    assert reference.status == Status.OPTIMAL and reference.objective is not None
    optimum = combined(reference.objective, multiplier)
    start = greedy_assign(problem, greedy_order(problem))[0]
    found = lagrangian(problem, multiplier, 0.5, start)
    assert found.chosen is not None and found.objective is not None
    value = combined(found.objective, multiplier)
    # a core as large as the round: exact whenever fixing keeps at most twice that
    core = find_core(problem, found.priced_weight, found.credit, found.chosen, value, 1000)
    assert core.exact
    assert core.bound >= optimum
    assert core.keep[found.chosen].all()
    if optimum > value:
        # a strictly better assignment exists, so none of its edges may be fixed out
        assert core.keep[reference.edges].all()
    sub, index = restrict(problem, core.keep)
    again = solve_problem(
        sub,
        SolveParams(time_limit=10.0, workers=2, seed=0),
        AutoOptions(relax=RelaxationOptions(lagrangian=False), search=SearchOptions(enabled=False)),
    )
    assert again.objective is not None
    assert combined(again.objective, multiplier) == optimum
    assert violated_groups(problem, index[again.edges]) == []


def test_a_small_core_has_about_its_target_size_and_keeps_the_incumbent() -> None:
    problem = gap_problem(_random_gap(5, m=10, n=200), Sense.MIN).problem
    multiplier = build_spec(problem).multiplier
    start = greedy_assign(problem, greedy_order(problem))[0]
    found = lagrangian(problem, multiplier, 0.5, start)
    assert found.chosen is not None and found.objective is not None
    value = combined(found.objective, multiplier)
    core = find_core(problem, found.priced_weight, found.credit, found.chosen, value, 2)
    assert not core.exact
    assert core.keep[found.chosen].all()
    assert core.keep[problem.forced].all()
    target = 2 * problem.n_talents
    assert target <= core.size <= target + int(found.chosen.sum()) + problem.n_talents
    # the core holds the edges of least reduced cost among the live ones
    live = ~problem.dead & ~problem.forced
    inside = core.reduced_cost[core.keep & live & ~found.chosen]
    outside = core.reduced_cost[~core.keep & live]
    assert inside.max() <= outside.min()


def test_solve_searches_the_core_and_its_result_holds() -> None:
    instance = _random_gap(7, m=10, n=300)
    mapped = gap_problem(instance, Sense.MIN)
    params = SolveParams(time_limit=4.0, workers=2, seed=0)
    result = solve_problem(mapped.problem, params, AutoOptions())
    assert any("core" in note or "fixed out" in note for note in result.notes), result.notes
    assert result.objective is not None
    assert violated_groups(mapped.problem, result.edges) == []
    assert result.objective == objective_of(mapped.problem, result.edges)
    assert result.bound is not None and result.bound >= result.objective.value


def test_a_stalled_search_hands_the_rest_to_cp_sat_whose_proof_holds() -> None:
    # a core of two edges a talent is far from exact (fixing keeps about 2,300 of 3,000
    # edges) and CP-SAT gets too little time to solve it first; with no patience and no
    # size limit the search stops at once and CP-SAT gets the rest of the time on every
    # edge that fixing keeps
    mapped = gap_problem(_random_gap(7, m=10, n=300), Sense.MIN)
    problem = mapped.problem
    params = SolveParams(time_limit=5.0, workers=2, seed=0)
    options = AutoOptions(
        search=SearchOptions(
            core_per_talent=2.0, share=0.99, endgame_patience=0.0, endgame_growth=1e9
        )
    )
    result = solve_problem(problem, params, options)
    assert any("the search stalled" in note for note in result.notes), result.notes
    assert result.objective is not None
    assert violated_groups(problem, result.edges) == []
    assert result.objective == objective_of(problem, result.edges)
    assert result.bound is not None and result.bound >= result.objective.value
    # CP-SAT alone on every edge never beats the bound, nor a result claimed optimal
    plain = AutoOptions(
        relax=RelaxationOptions(use_flow=False, lagrangian=False),
        search=SearchOptions(enabled=False),
    )
    reference = solve_problem(problem, params, plain)
    assert reference.objective is not None
    assert reference.objective.value <= result.bound
    if result.status == Status.OPTIMAL:
        assert reference.objective.value <= result.objective.value


def test_a_restricted_model_keeps_the_whole_problems_multiplier() -> None:
    """Without a talent's best edge a core needs a smaller M; its model gets the whole
    problem's, so that CP-SAT's bound on it and the incumbent's value share one scale
    (before, GAP d05200 was reported optimal at 12,750 where 12,742 exists)."""
    problem = full_round_problem(2, "lexicographic")
    whole = build_spec(problem)
    gain = np.where(problem.dead, -np.inf, problem.edge_gain.astype(np.float64))
    best_edge = int(np.argmax(gain))
    keep = ~problem.dead
    keep[best_edge] = False
    sub, _ = restrict(problem, keep)
    assert build_spec(sub).multiplier < whole.multiplier
    shared = build_spec(sub, multiplier=whole.multiplier)
    assert shared.multiplier == whole.multiplier
    with pytest.raises(ValueError, match="below the"):
        build_spec(problem, multiplier=whole.multiplier - 1)
