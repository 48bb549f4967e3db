"""Checks of solver output: the evaluator's verdict on a result, an exhaustive reference
solver for tiny rounds, and CP-SAT's proven optimum of generated rounds with every rule on."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from matcher.compile import CompiledRound, compile_round
from matcher.evaluator import evaluate
from matcher.generator import generate_round
from matcher.models import Policy, Round
from matcher.objective import Objective
from solvers.auto.options import AutoOptions, HighsOptions, RelaxationOptions, SearchOptions
from solvers.auto.solve import solve_problem
from solvers.lagrange import combined
from solvers.model.build import build_spec
from solvers.problem import Problem, build_problem
from solvers.result import Result, SolveParams, Status


def pair_list(compiled: CompiledRound, edges: Sequence[int]) -> list[tuple[str, str]]:
    """The (talent, package) ids of ``edges``."""
    a = compiled.arrays
    return [(a.talent_ids[compiled.talent[e]], a.package_ids[compiled.package[e]]) for e in edges]


def brute_force(round_: Round, compiled: CompiledRound) -> Objective | None:
    """The best objective over every assignment the evaluator accepts (None: infeasible).

    Talents are assigned one after the other, each to at most ``max_tours_per_talent`` of
    its edges, and a branch stops as soon as a package has more talents than seats (the
    evaluator rejects both anyway); every complete assignment goes through ``evaluate``.
    """
    limit = round_.policy.max_tours_per_talent
    by_talent: dict[int, list[int]] = {}
    for e, t in enumerate(compiled.talent.tolist()):
        by_talent.setdefault(t, []).append(e)
    options = [
        [c for k in range(min(limit, len(edges)) + 1) for c in itertools.combinations(edges, k)]
        for edges in by_talent.values()
    ]
    seats = compiled.arrays.package_seats
    best: Objective | None = None
    used = np.zeros(compiled.arrays.n_packages, dtype=np.int64)

    def visit(i: int, chosen: list[int]) -> None:
        nonlocal best
        if i == len(options):
            verdict = evaluate(round_, compiled, pair_list(compiled, chosen))
            if verdict.feasible and (best is None or verdict.objective.key() > best.key()):
                best = verdict.objective
            return
        for combo in options[i]:
            packages = [int(compiled.package[e]) for e in combo]
            used[packages] += 1
            if all(used[p] <= seats[p] for p in packages):
                visit(i + 1, chosen + list(combo))
            used[packages] -= 1

    visit(0, [])
    return best


def check(result: Result, round_: Round, compiled: CompiledRound) -> None:
    """A result with a solution passes the evaluator, with the same objective."""
    assert result.edges.dtype == np.int64
    assert np.all(np.diff(result.edges) > 0), "edges must be sorted and distinct"
    if not result.status.has_solution:
        return
    verdict = evaluate(round_, compiled, result.pairs(compiled))
    assert verdict.feasible, [str(v) for v in verdict.violations]
    assert result.objective is not None
    assert result.objective.key() == verdict.objective.key()
    assert result.objective == verdict.objective
    if result.bound is not None:
        assert result.bound >= result.objective.value


FULL_SIZE = (80, 20)
"""Talents and packages of the full rounds: small enough for CP-SAT to prove optimality,
large enough for budgets and the subsidy pool to bind."""


def full_round_problem(
    seed: int, objective: str, fairness: str = "soft", tours: int = 1
) -> Problem:
    """A generated round with every rule on (subsidy pool, lender minimum, host share), as
    the integer problem."""
    policy = Policy(
        subsidy_share=0.3,
        subsidy_pool=4_000.0,
        min_per_lender=2,
        max_host_share=0.3,
        fairness=fairness,
        objective=objective,
        max_tours_per_talent=tours,
    )
    round_ = generate_round(FULL_SIZE[0], FULL_SIZE[1], seed=seed, policy=policy)
    return build_problem(compile_round(round_), round_)


def proven_optimum(problem: Problem) -> int:
    """CP-SAT's proven optimum of ``problem`` (alone, 10 s), in combined units."""
    options = AutoOptions(
        relax=RelaxationOptions(lagrangian=False),
        highs=HighsOptions(share=0.0),
        search=SearchOptions(enabled=False),
    )
    result = solve_problem(problem, SolveParams(time_limit=10.0, workers=2, seed=0), options)
    assert result.status == Status.OPTIMAL
    assert result.objective is not None
    return combined(result.objective, build_spec(problem).multiplier)
