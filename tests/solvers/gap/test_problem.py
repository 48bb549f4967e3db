"""A GAP instance as the engine's problem: every pair with its resource and value, and HiGHS
proving a GAP round with its placements fixed."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from solvers.auto.options import AutoOptions, HighsOptions, SearchOptions
from solvers.auto.solve import solve_problem
from solvers.backends.highs import run_highs
from solvers.checks import objective_of, violated_groups
from solvers.gap.instance import Sense, evaluate_assignment
from solvers.gap.problem import gap_problem
from solvers.gap.read import load_instance
from solvers.lagrange import combined
from solvers.model.build import build_spec, fix_placements
from solvers.result import SolveParams, Status
from solvers.units import NO_LIMIT
from tests.checks import proven_optimum
from tests.solvers.gap.instances import two_agents_three_jobs


@pytest.mark.parametrize("sense", list(Sense))
def test_mapping_has_every_pair_with_its_resource_and_value(sense: Sense) -> None:
    instance = two_agents_three_jobs()
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


def test_highs_with_the_placements_fixed_proves_the_optimum_and_its_bound_holds(
    data_dir: Path,
) -> None:
    # with M in its objective HiGHS's LP is weak on GAP rounds; with the placements fixed it
    # is the usual relaxation, and its bound is exact (not a few units above the optimum)
    mapped = gap_problem(load_instance("c05100", data_dir), Sense.MIN)
    problem = mapped.problem
    spec = build_spec(problem)
    fixed = copy.deepcopy(spec)
    fix_placements(fixed, problem, problem.n_talents)
    run = run_highs(fixed, 30.0)
    assert run.proven, run.message
    assert run.chosen is not None
    edges = np.flatnonzero(run.chosen)
    assert not violated_groups(problem, edges)
    value = combined(objective_of(problem, edges), spec.multiplier)
    assert value == proven_optimum(problem)
    assert run.bound == value
    assert mapped.offset - int(problem.value[edges].sum()) == 1931


def test_highs_inside_a_solve_proves_a_gap_round_with_the_placements_fixed(
    data_dir: Path,
) -> None:
    mapped = gap_problem(load_instance("c05100", data_dir), Sense.MIN)
    # HiGHS gets the time after the Lagrangian phase, CP-SAT none of it
    options = AutoOptions(highs=HighsOptions(share=1.0), search=SearchOptions(enabled=False))
    params = SolveParams(time_limit=30.0, workers=2, seed=0)
    result = solve_problem(mapped.problem, params, options)
    assert result.status == Status.OPTIMAL
    assert result.notes[-1].startswith("HiGHS phase:")
    assert "Optimal" in result.notes[-1]
    agents = mapped.agents(result.edges)
    assert agents is not None
    assert evaluate_assignment(load_instance("c05100", data_dir), agents).cost == 1931


def test_the_highs_companion_starts_with_the_first_complete_assignment(data_dir: Path) -> None:
    # c10400's greedy leaves jobs out: the companion starts inside the Lagrangian phase,
    # once a repair places every job (the placements are then proven and its model final)
    instance = load_instance("c10400", data_dir)
    mapped = gap_problem(instance, Sense.MIN)
    options = AutoOptions(highs=HighsOptions(companion_min_seconds=1.0))
    params = SolveParams(time_limit=6.0, workers=2, seed=0)
    result = solve_problem(mapped.problem, params, options)
    started = [k for k, note in enumerate(result.notes) if note.startswith("HiGHS searched")]
    phase = [k for k, note in enumerate(result.notes) if note.startswith("Lagrangian phase")]
    assert started and phase and started[0] < phase[0]
    agents = mapped.agents(result.edges)
    assert agents is not None
    evaluation = evaluate_assignment(instance, agents)
    assert evaluation.feasible
    assert evaluation.cost == mapped.offset - int(mapped.problem.value[result.edges].sum())
