"""The Lagrangian phase: feasible assignments and valid bounds on small rounds, against a
brute-force optimum (GAP) and CP-SAT's proven optimum (rounds with every rule)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from solvers.auto.options import AutoOptions, RelaxationOptions, SearchOptions
from solvers.auto.solve import solve_problem
from solvers.checks import objective_of, violated_groups
from solvers.gap.instance import GapInstance, Sense
from solvers.gap.problem import gap_problem
from solvers.gap.read import load_instance
from solvers.greedy import greedy_assign, greedy_order
from solvers.lagrange import combined, lagrangian
from solvers.model.build import build_spec
from solvers.problem import BoolArray, Problem
from solvers.result import SolveParams, Status
from tests.checks import full_round_problem


def _random_gap(seed: int, m: int = 3, n: int = 7) -> GapInstance:
    rng = np.random.default_rng(seed)
    resource = rng.integers(5, 26, size=(m, n))
    cost = rng.integers(10, 51, size=(m, n))
    # tight capacities, so that the budgets bind and some rounds cannot place every job
    capacity = (resource.sum(axis=1) * rng.uniform(0.2, 0.45, size=m)).astype(np.int64)
    return GapInstance(f"rand{seed}", m, n, cost, resource, capacity)


def _brute_force_gap(instance: GapInstance, sense: Sense, multiplier: int) -> int:
    """The best combined objective (placements first, then the score) over every
    assignment, each job to one agent or none."""
    m, n = instance.m, instance.n
    cmax = int(instance.cost.max())
    value = cmax - instance.cost if sense is Sense.MIN else instance.cost
    best = 0
    for agents in itertools.product(range(-1, m), repeat=n):
        load = np.zeros(m, dtype=np.int64)
        placed = score = 0
        for j, i in enumerate(agents):
            if i >= 0:
                load[i] += instance.resource[i, j]
                placed += 1
                score += int(value[i, j])
        if (load <= instance.capacity).all():
            best = max(best, multiplier * placed + score)
    return best


def _check(
    problem: Problem, multiplier: int, optimum: int, time_limit: float, *, found: bool = True
) -> None:
    """The bound is at least ``optimum``; an assignment, which must exist when ``found``,
    meets every constraint and is worth at most ``optimum``."""
    incumbent = greedy_assign(problem, greedy_order(problem))[0]
    result = lagrangian(problem, multiplier, time_limit, incumbent)
    assert result.bound is not None
    assert result.bound >= optimum
    if result.chosen is None:
        # the greedy repair may miss hard fairness rules; it then offers nothing
        assert not found
        return
    assert result.objective is not None
    edges = np.flatnonzero(result.chosen)
    assert violated_groups(problem, edges) == []
    assert result.objective == objective_of(problem, edges)
    assert combined(result.objective, multiplier) <= optimum


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("sense", [Sense.MIN, Sense.MAX])
def test_gap_bound_and_assignment_against_brute_force(seed: int, sense: Sense) -> None:
    mapped = gap_problem(_random_gap(seed), sense)
    multiplier = build_spec(mapped.problem).multiplier
    optimum = _brute_force_gap(_random_gap(seed), sense, multiplier)
    _check(mapped.problem, multiplier, optimum, 0.3)


@pytest.mark.parametrize(
    ("seed", "objective", "fairness"),
    [
        (1, "lexicographic", "soft"),
        (4, "lexicographic", "soft"),
        (1, "weighted", "soft"),
        (4, "weighted", "soft"),
        (2, "lexicographic", "hard"),
        (2, "weighted", "hard"),
    ],
)
def test_full_round_bound_and_assignment_against_cpsat(
    seed: int, objective: str, fairness: str
) -> None:
    problem = full_round_problem(seed, objective, fairness)
    multiplier = build_spec(problem).multiplier
    options = AutoOptions(
        relax=RelaxationOptions(lagrangian=False), search=SearchOptions(enabled=False)
    )
    reference = solve_problem(problem, SolveParams(time_limit=5.0, workers=2, seed=0), options)
    assert reference.status == Status.OPTIMAL
    assert reference.objective is not None
    optimum = combined(reference.objective, multiplier)
    _check(problem, multiplier, optimum, 0.3, found=fairness == "soft")


def test_bound_holds_without_an_incumbent_and_with_few_iterations() -> None:
    mapped = gap_problem(_random_gap(11), Sense.MIN)
    multiplier = build_spec(mapped.problem).multiplier
    optimum = _brute_force_gap(_random_gap(11), Sense.MIN, multiplier)
    for iterations in (1, 2, 5):
        result = lagrangian(mapped.problem, multiplier, 1.0, None, max_iterations=iterations)
        assert result.iterations <= iterations
        assert result.bound is not None and result.bound >= optimum
        if result.chosen is not None:
            assert violated_groups(mapped.problem, np.flatnonzero(result.chosen)) == []


def test_each_better_repair_is_handed_over_as_soon_as_it_is_found(data_dir: Path) -> None:
    # GAP c05100 from an empty start: the repairs improve several times
    mapped = gap_problem(load_instance("c05100", data_dir), Sense.MIN)
    problem = mapped.problem
    multiplier = build_spec(problem).multiplier
    handed: list[int] = []

    def on_solution(chosen: BoolArray) -> None:
        edges = np.flatnonzero(chosen)
        assert violated_groups(problem, edges) == []
        handed.append(combined(objective_of(problem, edges), multiplier))

    result = lagrangian(problem, multiplier, 1.0, None, on_solution=on_solution)
    assert result.objective is not None
    assert len(handed) >= 2
    assert handed == sorted(set(handed))
    assert handed[-1] == combined(result.objective, multiplier)
