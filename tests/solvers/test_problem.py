"""The integer problem: its objective and hard constraints agree with the evaluator."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.compile import compile_round
from matcher.evaluator import evaluate
from matcher.models import Round
from solvers.checks import objective_of, violated_groups
from solvers.problem import build_problem, restrict
from solvers.units import amount_units, capacity_units
from tests.checks import pair_list
from tests.factories import tiny_rounds


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(round_=tiny_rounds(), data=st.data())
def test_objective_and_feasibility_match_the_evaluator(round_: Round, data: st.DataObject) -> None:
    compiled = compile_round(round_)
    problem = build_problem(compiled, round_)
    for _ in range(5):
        mask = data.draw(
            st.lists(st.booleans(), min_size=problem.n_edges, max_size=problem.n_edges)
        )
        edges = np.flatnonzero(np.array(mask, dtype=bool)).astype(np.int64)
        verdict = evaluate(round_, compiled, pair_list(compiled, edges.tolist()))
        assert objective_of(problem, edges) == verdict.objective
        # amounts here are whole cents and FTE has two decimals: the integer model is exact
        assert (not violated_groups(problem, edges)) == verdict.feasible, verdict.violations


def test_rounding_never_loosens_a_budget() -> None:
    amounts = np.array([5904.000000000001, 1999.995, 0.1 + 0.2])
    units = amount_units(amounts, 100, 1e-8)
    assert units.tolist() == [590400, 200000, 30]
    assert capacity_units(5904.0, 100, 1e-8, 3) == 590400
    assert capacity_units(5903.999, 100, 1e-8, 3) == 590399


def test_restrict_keeps_forced_edges_and_maps_back() -> None:
    from matcher.models import Pair
    from tests.factories import make_round, package, talent

    round_ = make_round(
        [talent("t0"), talent("t1")],
        [package("p0"), package("p1")],
        pins=[Pair(talent="t1", package="p1")],
    )
    problem = build_problem(compile_round(round_), round_)
    keep = np.zeros(problem.n_edges, dtype=bool)
    keep[0] = True
    sub, index = restrict(problem, keep)
    assert index.tolist() == sorted({0, int(problem.pins[0])})
    assert sub.forced[sub.pins].all()
    assert index[sub.pins].tolist() == problem.pins.tolist()
