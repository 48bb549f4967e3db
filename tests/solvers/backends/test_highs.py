"""The HiGHS peer: optimal on tiny rounds (against exhaustive enumeration through the
evaluator), infeasible rounds reported, and its bound decoded like CP-SAT's."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from matcher.compile import compile_round
from matcher.generator import generate_round
from matcher.models import Pair, Policy, PreviousPlacement, Round
from solvers.auto.solve import solve_auto
from solvers.backends.highs import solve_highs
from solvers.registry import solve
from solvers.result import SolveParams, Status
from tests.checks import brute_force, check
from tests.factories import make_round, org, package, talent, tiny_rounds

FAST = SolveParams(time_limit=5, workers=1)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(round_=tiny_rounds())
def test_optimum_equals_exhaustive_enumeration(round_: Round) -> None:
    compiled = compile_round(round_)
    best = brute_force(round_, compiled)
    result = solve_highs(compiled, round_, FAST)
    check(result, round_, compiled)
    if best is None:
        assert result.status == Status.INFEASIBLE
        assert result.objective is None and result.edges.size == 0
    else:
        assert result.status == Status.OPTIMAL
        assert result.objective is not None
        assert result.objective.key() == best.key()
        assert result.bound == result.objective.value


def test_a_one_sided_fairness_row_leaves_the_optimum_intact() -> None:
    """A round on which HiGHS once claimed a 2-placement optimum: the lender rows of soft
    fairness had a huge upper side, and cuts derived from it cut off every 3-placement
    assignment."""
    talents = [talent("t0", "a", fte=0.6), talent("t1", "a", fte=0.8), talent("t2", "b", fte=0.6)]
    packages = [
        package("p0", "c", fte=0.5),
        package("p1", "b", fte=0.4),
        package("p2", "b", fte=0.6),
    ]
    previous = [PreviousPlacement(talent=t, package="p0", status="proposed") for t in ("t0", "t1")]
    policy = Policy(
        max_tours_per_talent=2,
        min_per_lender=1,
        fairness="soft",
        fairness_penalty=0.0,
        disruption_penalty=0.2,
        objective="lexicographic",
    )
    round_ = make_round(
        talents, packages, [org("a"), org("b"), org("c")], policy=policy, previous=previous
    )
    compiled = compile_round(round_)
    best = brute_force(round_, compiled)
    result = solve_highs(compiled, round_, FAST)
    check(result, round_, compiled)
    assert best is not None and best.placements == 3
    assert result.status == Status.OPTIMAL
    assert result.objective is not None and result.objective.key() == best.key()


def test_pins_on_one_seat_are_infeasible() -> None:
    pins = [Pair(talent="t0", package="p0"), Pair(talent="t1", package="p0")]
    round_ = make_round([talent("t0"), talent("t1")], [package("p0")], pins=pins)
    result = solve(compile_round(round_), round_, "highs", FAST)
    assert result.solver == "highs"
    assert result.status == Status.INFEASIBLE


@pytest.mark.parametrize("objective", ["weighted", "lexicographic"])
def test_same_optimum_as_cp_sat_on_a_generated_round(objective: str) -> None:
    round_ = generate_round(60, 15, seed=5, policy=Policy(objective=objective))
    compiled = compile_round(round_)
    highs = solve_highs(compiled, round_, FAST)
    cpsat = solve_auto(compiled, round_, FAST)
    check(highs, round_, compiled)
    assert highs.status == cpsat.status == Status.OPTIMAL
    assert highs.objective is not None and cpsat.objective is not None
    assert highs.objective.key() == cpsat.objective.key()
    if objective == "lexicographic":
        assert highs.placement_bound == highs.objective.placements


def test_a_time_limited_run_keeps_a_valid_bound() -> None:
    """On a round it does not close at once, the bound stays at or above the value and
    the gap is what the two say."""
    round_ = generate_round(300, 75, seed=3, policy=Policy(objective="weighted"))
    compiled = compile_round(round_)
    result = solve_highs(compiled, round_, SolveParams(time_limit=1.0, relative_gap=0.0))
    check(result, round_, compiled)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.objective is not None and result.bound is not None
    assert result.bound >= result.objective.value
    if result.status == Status.FEASIBLE:
        assert result.gap == pytest.approx(
            (result.bound - result.objective.value) / abs(result.objective.value)
        )
