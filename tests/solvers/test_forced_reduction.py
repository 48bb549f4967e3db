"""Edges closed by forced placements: left out of the solve, with the same optimum, the
same objective for every assignment and progress reported on the whole round's edges."""

from __future__ import annotations

import numpy as np

from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import Policy, PreviousPlacement, Round
from solvers.auto.options import AutoOptions
from solvers.auto.solve import solve_auto, solve_problem
from solvers.forced_reduction import excluded_by_forced, open_edges
from solvers.greedy import greedy_assign, greedy_order
from solvers.problem import build_problem
from solvers.result import Progress, SolveParams
from tests.checks import check


def _with_accepted(seed: int) -> Round:
    """A generated round whose greedy placements, but every fourth, are accepted previous
    placements."""
    # a host may take a tenth of the placements at most: the seat relaxation's optimum
    # breaks it, so the search runs and reports progress
    round_ = generate_round(300, 80, seed=seed, policy=Policy(max_host_share=0.1))
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    chosen, _ = greedy_assign(problem, greedy_order(problem))
    edges = np.flatnonzero(chosen)[np.arange(int(chosen.sum())) % 4 != 0]
    a = compiled.arrays
    previous = [
        PreviousPlacement(
            talent=a.talent_ids[compiled.talent[e]],
            package=a.package_ids[compiled.package[e]],
            status="accepted",
        )
        for e in edges.tolist()
    ]
    return round_.model_copy(update={"previous": previous})


def test_edges_of_full_talents_and_packages_are_excluded() -> None:
    round_ = _with_accepted(1)
    problem = build_problem(compile_round(round_), round_)
    excluded = excluded_by_forced(problem)
    forced = np.flatnonzero(problem.forced)
    assert not excluded[forced].any()
    talents = set(problem.talent[forced].tolist())
    for e in np.flatnonzero(excluded)[:200].tolist():
        full_package = (problem.package[forced] == problem.package[e]).sum() >= problem.seats[
            problem.package[e]
        ]
        assert int(problem.talent[e]) in talents or full_package
    assert excluded.sum() > problem.n_edges // 4


def test_the_solve_without_them_matches_the_solve_with_them() -> None:
    round_ = _with_accepted(2)
    compiled = compile_round(round_)
    reports: list[Progress] = []
    params = SolveParams(time_limit=5, workers=1, progress=reports.append)
    reduced = solve_auto(compiled, round_, params)
    check(reduced, round_, compiled)
    assert any("edges left out" in note for note in reduced.notes)
    # progress comes in the whole round's edges: every reported edge is an edge of it
    with_edges = [r for r in reports if r.edges is not None]
    assert with_edges and all(int(r.edges.max()) < compiled.n_edges for r in with_edges)
    whole = solve_problem(
        build_problem(compiled, round_), SolveParams(time_limit=5, workers=1), AutoOptions()
    )
    check(whole, round_, compiled)
    assert reduced.objective is not None and whole.objective is not None
    assert reduced.status.value == whole.status.value == "optimal"
    assert reduced.objective.key() == whole.objective.key()


def test_the_open_edges_are_counted_on_the_compiled_round() -> None:
    round_ = _with_accepted(3)
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    assert open_edges(compiled) == problem.n_edges - int(excluded_by_forced(problem).sum())
    assert open_edges(compiled) < compiled.n_edges
    free = generate_round(300, 80, seed=3)
    assert open_edges(compile_round(free)) == compile_round(free).n_edges
