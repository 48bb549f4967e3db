"""Min-cost flow: exact on seat-only rounds, equal to CP-SAT there, and a valid bound on
every round."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from matcher.compile import compile_round
from matcher.errors import RoundError
from matcher.generator import generate_round
from matcher.models import Pair, Policy, PreviousPlacement, Round
from solvers.auto.options import AutoOptions, RelaxationOptions
from solvers.auto.solve import solve_auto
from solvers.flow import NotSeatOnlyError, flow_bound, is_seat_only, solve_flow
from solvers.registry import solve
from solvers.result import SolveParams, Status
from tests.checks import brute_force, check
from tests.factories import make_round, org, package, talent, tiny_rounds

PLAIN = AutoOptions(relax=RelaxationOptions(use_flow=False, lagrangian=False))


def without_budgets(round_: Round) -> Round:
    orgs = [
        o.model_copy(update={"hiring_budget": None, "topup_budget": None})
        for o in round_.organizations
    ]
    return round_.model_copy(update={"organizations": orgs})


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(round_=tiny_rounds(seat_only=True))
def test_flow_is_exact_on_seat_only_rounds(round_: Round) -> None:
    compiled = compile_round(round_)
    assert is_seat_only(compiled, round_)
    result = solve_flow(compiled, round_)
    check(result, round_, compiled)
    best = brute_force(round_, compiled)
    assert best is not None and result.objective is not None
    assert result.status == Status.OPTIMAL
    assert result.objective.key() == best.key()
    auto = solve(compiled, round_)
    assert auto.solver == "flow"
    assert auto.objective == result.objective


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(round_=tiny_rounds())
def test_flow_bound_bounds_every_round(round_: Round) -> None:
    compiled = compile_round(round_)
    bound = flow_bound(compiled, round_)
    best = brute_force(round_, compiled)
    if bound is None:
        assert best is None
    elif best is not None:
        assert bound.key() >= best.key()


@pytest.mark.parametrize("objective", ["lexicographic", "weighted"])
def test_cp_sat_equals_flow_on_a_seat_only_round(objective: str) -> None:
    round_ = without_budgets(generate_round(600, 150, seed=4, policy=Policy(objective=objective)))
    compiled = compile_round(round_)
    assert is_seat_only(compiled, round_)
    flow = solve_flow(compiled, round_)
    cpsat = solve_auto(compiled, round_, SolveParams(time_limit=5, workers=2), PLAIN)
    check(flow, round_, compiled)
    check(cpsat, round_, compiled)
    assert cpsat.status == Status.OPTIMAL
    assert flow.objective is not None and cpsat.objective is not None
    assert cpsat.objective.key() == flow.objective.key()
    assert solve(compiled, round_, "auto").solver == "flow"


def test_pins_and_proposed_placements_in_the_flow() -> None:
    talents = [talent("t0", strengths={"python": 5}), talent("t1", strengths={"python": 1})]
    packages = [package("p0"), package("p1")]
    round_ = make_round(
        talents,
        packages,
        pins=[Pair(talent="t1", package="p0")],
        previous=[PreviousPlacement(talent="t0", package="p1", status="proposed")],
    )
    compiled = compile_round(round_)
    assert is_seat_only(compiled, round_)
    result = solve_flow(compiled, round_)
    check(result, round_, compiled)
    assert set(result.pairs(compiled)) == {("t1", "p0"), ("t0", "p1")}
    best = brute_force(round_, compiled)
    assert best is not None and result.objective is not None
    assert result.objective.key() == best.key()


@pytest.mark.parametrize(
    ("orgs", "policy", "binding"),
    [
        ([org("lend"), org("host")], Policy(), ""),
        ([org("lend"), org("host", hiring_budget=1e6)], Policy(), ""),
        ([org("lend"), org("host", hiring_budget=6000.0)], Policy(), "1 host budget(s)"),
        ([org("lend", topup_budget=3000.0), org("host")], Policy(), "1 top-up budget(s)"),
        ([org("lend"), org("host")], Policy(max_tours_per_talent=2), "up to 2 tours per talent"),
        ([org("lend"), org("host")], Policy(min_per_lender=1), "fairness rules"),
        ([org("lend"), org("host")], Policy(max_host_share=0.5), "fairness rules"),
        (
            [org("lend"), org("host")],
            Policy(subsidy_share=0.5, subsidy_pool=1500.0),
            "the subsidy pool",
        ),
    ],
)
def test_is_seat_only(orgs: list[object], policy: Policy, binding: str) -> None:
    talents = [talent("t0", salary=7000.0), talent("t1", salary=7000.0)]
    round_ = make_round(talents, [package("p0"), package("p1")], orgs, policy=policy)  # type: ignore[arg-type]
    compiled = compile_round(round_)
    assert is_seat_only(compiled, round_) is (not binding)
    if binding:
        # one sentence naming what binds, as a RoundError: the command line prints it as
        # "error: ..." and exits with 2 (tests/api/test_every_method.py)
        with pytest.raises(NotSeatOnlyError) as raised:
            solve_flow(compiled, round_)
        assert isinstance(raised.value, RoundError)
        assert str(raised.value) == (
            f"round is not seat-only ({binding} can bind); the flow method solves seat-only "
            "rounds only: use --method auto"
        )
